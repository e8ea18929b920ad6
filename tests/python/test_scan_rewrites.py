"""Scan rewrites: each one fires where it should, leaves the values of
Mode(optimizer=None) unchanged on both execution tiers, and leaves the step
graph as the docs say (op.inner_graph shows it)."""
import numpy as np
import pytest
from conftest import numeric_grad

import theon
import theon.tensor as T
from theon.compile.mode import Mode

NONE = Mode(optimizer=None)
RNG = np.random.RandomState(3)


pytestmark = pytest.mark.usefixtures("tier")  # both execution tiers (conftest.py)


def scans(f):
    return [n for n in f.maker.fgraph.toposort() if n.op.kind == "Scan"]


def _inner_nodes(node):
    _, outs = node.op.inner_graph
    seen, nodes, stack = set(), [], list(outs)
    while stack:
        v = stack.pop()
        if v.owner is None or id(v.owner) in seen:
            continue
        seen.add(id(v.owner))
        nodes.append(v.owner)
        stack.extend(v.owner.inputs)
    return nodes


def inner_kinds(node):
    return [n.op.kind for n in _inner_nodes(node)]


def fired(f):
    return f.maker.rewrite_report["fired"]


def both(inputs, outputs, values, updates=None):
    f = theon.function(inputs, outputs, mode=Mode())
    g = theon.function(inputs, outputs, mode=NONE)
    a, b = f(*values), g(*values)
    for x, y in zip(a if isinstance(a, list) else [a], b if isinstance(b, list) else [b]):
        np.testing.assert_allclose(x, y, rtol=1e-10, atol=1e-12)
    return f


def lstm(X, Wx, Wh, b, h0, hid):
    def step(x_t, h, c):
        a = T.dot(x_t, Wx) + T.dot(h, Wh) + b
        i, f, o = (T.nnet.sigmoid(a[:, k * hid:(k + 1) * hid]) for k in range(3))
        cn = f * c + i * T.tanh(a[:, 3 * hid:])
        return o * T.tanh(cn), cn
    (hs, cs), _ = theon.scan(step, sequences=X, outputs_info=[h0, h0])
    return hs, cs


def lstm_np(Xv, Wxv, Whv, bv, hid):
    h = c = np.zeros((Xv.shape[1], hid))
    for x in Xv:
        a = x @ Wxv + h @ Whv + bv
        s = 1 / (1 + np.exp(-a[:, :3 * hid]))
        c = s[:, hid:2 * hid] * c + s[:, :hid] * np.tanh(a[:, 3 * hid:])
        h = s[:, 2 * hid:] * np.tanh(c)
    return h


def test_lstm_training_graph_is_two_loops_with_the_products_outside():
    hid, n_in, batch, steps = 5, 3, 4, 6
    X, tgt = T.dtensor3("X"), T.dmatrix("tgt")
    Wx, Wh, b = T.dmatrix("Wx"), T.dmatrix("Wh"), T.dvector("b")
    h0 = T.zeros((X.shape[1], hid))
    hs, _ = lstm(X, Wx, Wh, b, h0, hid)
    cost = T.mean((hs[-1] - tgt) ** 2)
    grads = T.grad(cost, [Wx, Wh, b])
    vals = [RNG.randn(steps, batch, n_in), RNG.randn(batch, hid), RNG.randn(n_in, 4 * hid) * 0.5,
            RNG.randn(hid, 4 * hid) * 0.5, RNG.randn(4 * hid) * 0.1]
    f = both([X, tgt, Wx, Wh, b], [cost] + grads, vals)
    rep = fired(f)
    for rule in ("scan_merge", "scan_pushout_seqs", "scan_pushout_add", "scan_pushout_non_seqs",
                 "scan_remove_unused"):
        assert rep.get(rule, 0) >= 1, (rule, rep)
    loops = scans(f)
    # The gradient's copy of the forward loop (it saves h @ Wh) merged with the forward loop.
    assert len(loops) == 2, [str(n.op) for n in loops]
    fwd, bwd = loops
    assert "grad" in str(bwd.op)
    # Forward: h @ Wh stays (it reads the state); x_t @ Wx runs on the whole sequence outside.
    assert inner_kinds(fwd).count("Dot") == 1
    # Backward: only the adjoint's product with Wh.T; no product is recomputed and the
    # weight gradients are products over all steps after the loop.
    assert inner_kinds(bwd).count("Dot") == 1
    # Outside: x @ Wx over the whole sequence once, and one product per weight gradient.
    outer = [n.op.kind for n in f.maker.fgraph.toposort()]
    assert outer.count("Dot") + outer.count("Gemm") == 3, outer
    # and the cost matches a NumPy loop
    np.testing.assert_allclose(f(*vals)[0], np.mean((lstm_np(*vals[:1], *vals[2:], hid) - vals[1]) ** 2),
                               rtol=1e-10)


def test_the_backward_step_reads_the_forward_results():
    # tanh's derivative reads tanh's result: the backward loop reads the
    # forward loop's states instead of computing tanh (and h @ Wh) again.
    X, h0, Wx, Wh, b = T.dtensor3("X"), T.dmatrix("h0"), T.dmatrix("Wx"), T.dmatrix("Wh"), T.dvector("b")
    hs, _ = theon.scan(lambda x, h: T.tanh(T.dot(x, Wx) + T.dot(h, Wh) + b), sequences=X, outputs_info=h0)
    cost = T.sum(hs[-1] ** 2) + T.sum(hs ** 3)
    vals = [RNG.randn(5, 2, 3), RNG.randn(2, 4), RNG.randn(3, 4) * 0.5, RNG.randn(4, 4) * 0.5, RNG.randn(4)]
    f = both([X, h0, Wx, Wh, b], T.grad(cost, [Wx, Wh, b, h0, X]), vals)
    fwd, bwd = scans(f)
    scalar_ops = [str(n.op) for n in _inner_nodes(bwd)]
    assert not any("tanh" in s for s in scalar_ops), scalar_ops
    assert inner_kinds(bwd).count("Dot") == 2  # the adjoints sent to h and to x_t
    # the forward loop returns its states only: no saved product is left to read
    assert len(fwd.outputs) == 1, fwd.outputs
    nums = numeric_grad(theon.function([X, h0, Wx, Wh, b], cost, mode=NONE), vals)
    for k, g in zip((2, 3, 4, 1, 0), f(*vals)):
        num = nums[k]
        np.testing.assert_allclose(g, num, rtol=1e-5, atol=1e-6)


def test_gradient_matches_numeric_after_rewrites():
    hid = 3
    X, Wx, Wh, b = T.dtensor3("X"), T.dmatrix("Wx"), T.dmatrix("Wh"), T.dvector("b")
    hs, _ = lstm(X, Wx, Wh, b, T.zeros((X.shape[1], hid)), hid)
    cost = T.sum(hs[-1] ** 2)
    vals = [RNG.randn(4, 2, 2), RNG.randn(2, 4 * hid) * 0.5, RNG.randn(hid, 4 * hid) * 0.5, RNG.randn(4 * hid) * 0.1]
    f = theon.function([X, Wx, Wh, b], T.grad(cost, [Wx, Wh, b]))
    nums = numeric_grad(theon.function([X, Wx, Wh, b], cost, mode=NONE), vals)
    for k, g in zip((1, 2, 3), f(*vals)):
        num = nums[k]
        np.testing.assert_allclose(g, num, rtol=1e-5, atol=1e-7)


def test_loop_invariant_work_leaves_the_step():
    X, W = T.dmatrix("X"), T.dmatrix("W")
    h0 = T.dvector("h0")
    hs, _ = theon.scan(lambda x, h, W: T.tanh(T.dot(T.exp(W) * 0.5, h) + x), sequences=X, outputs_info=h0,
                       non_sequences=W)
    f = both([X, W, h0], hs, [RNG.randn(5, 3), RNG.randn(3, 3), RNG.randn(3)])
    assert fired(f).get("scan_pushout_non_seqs", 0) >= 1
    assert all(getattr(n.op, "scalar_op", None) != "exp" for n in _inner_nodes(scans(f)[0]))


def test_a_map_leaves_no_loop():
    X, W = T.dmatrix("X"), T.dmatrix("W")
    ys, _ = theon.map(lambda x, W: T.tanh(T.dot(x, W)) * 2, sequences=X, non_sequences=W)
    Xv, Wv = RNG.randn(6, 3), RNG.randn(3, 2)
    f = both([X, W], ys, [Xv, Wv])
    assert scans(f) == []
    np.testing.assert_allclose(f(Xv, Wv), np.tanh(Xv @ Wv) * 2)


def test_rows_without_a_product_stay_in_the_step():
    # Elementwise row work fuses with the loop's own work inside the step.
    X, h0 = T.dmatrix("X"), T.dvector("h0")
    hs, _ = theon.scan(lambda x, h: T.tanh(h + T.exp(x)), sequences=X, outputs_info=h0)
    f = both([X, h0], hs, [RNG.randn(5, 3), RNG.randn(3)])
    assert fired(f).get("scan_pushout_seqs", 0) == 0
    assert len(scans(f)) == 1


def test_accumulated_products_and_sums_after_the_loop():
    X, Y, A = T.dtensor3("X"), T.dtensor3("Y"), T.dmatrix("A")
    # acc + x_t.T @ tanh(y_t + acc-free work), acc2 + sum(y_t, 0)
    def step(x, y, acc, acc2):
        v = T.tanh(y)
        return acc + T.dot(x.T, v), acc2 + T.sum(v, axis=0)
    (a, a2), _ = theon.scan(step, sequences=[X, Y], outputs_info=[A, T.zeros_like(A[0])])
    Xv, Yv, Av = RNG.randn(5, 4, 3), RNG.randn(5, 4, 2), RNG.randn(3, 2)
    f = both([X, Y, A], [a[-1], a2[-1]], [Xv, Yv, Av])
    want = Av + sum(x.T @ np.tanh(y) for x, y in zip(Xv, Yv))
    np.testing.assert_allclose(f(Xv, Yv, Av)[0], want)
    np.testing.assert_allclose(f(Xv, Yv, Av)[1], np.tanh(Yv).sum(axis=(0, 1)))


def test_accumulator_with_history_is_left_alone():
    # Every intermediate sum is returned: the loop must produce them.
    X, A = T.dtensor3("X"), T.dmatrix("A")
    accs, _ = theon.scan(lambda x, acc: acc + T.dot(x.T, T.tanh(x)), sequences=X, outputs_info=A)
    Xv, Av = RNG.randn(4, 3, 2), RNG.randn(2, 2)
    f = both([X, A], accs, [Xv, Av])
    assert fired(f).get("scan_pushout_add", 0) == 0
    assert f(Xv, Av).shape == (4, 2, 2)


def test_scans_over_the_same_sequence_merge():
    X, h0 = T.dmatrix("X"), T.dvector("h0")
    a, _ = theon.scan(lambda x, h: T.tanh(h + x), sequences=X, outputs_info=h0)
    b, _ = theon.scan(lambda x, h: h * 0.5 + T.sin(x), sequences=X, outputs_info=h0)
    Xv, hv = RNG.randn(6, 3), RNG.randn(3)
    f = both([X, h0], [a, b[-1]], [Xv, hv])
    assert fired(f).get("scan_merge", 0) == 1
    assert len(scans(f)) == 1
    # one sequence, read once by the merged step
    assert len(scans(f)[0].op.inner_graph[0]) == 3  # x, h (a), h (b)


def test_dependent_scans_do_not_merge():
    X, h0 = T.dmatrix("X"), T.dvector("h0")
    a, _ = theon.scan(lambda x, h: T.tanh(h + x), sequences=X, outputs_info=h0)
    b, _ = theon.scan(lambda x, h: h + x, sequences=a, outputs_info=h0)
    f = both([X, h0], b, [RNG.randn(6, 3), RNG.randn(3)])
    assert fired(f).get("scan_merge", 0) == 0
    assert len(scans(f)) == 2


def test_unused_outputs_leave_the_step():
    X, h0 = T.dvector("X"), T.dscalar("h0")
    (h, unused), _ = theon.scan(lambda x, h: [h + x, T.exp(h) * x], sequences=X, outputs_info=[h0, None])
    f = both([X, h0], h, [RNG.randn(5), np.float64(0.3)])
    assert fired(f).get("scan_remove_unused", 0) >= 1
    assert all(getattr(n.op, "scalar_op", None) != "exp" for n in _inner_nodes(scans(f)[0]))


def test_until_loops_are_rewritten_safely():
    # A while loop: products of rows are still pushed out; no accumulator is.
    X, W = T.dmatrix("X"), T.dmatrix("W")

    def step(x, h, W):
        hn = T.tanh(T.dot(x, W) + h)
        return hn, theon.scan_module.until(T.sum(hn) > 1.5)
    hs, _ = theon.scan(step, sequences=X, outputs_info=T.zeros((W.shape[1],)), non_sequences=W)
    Xv, Wv = RNG.randn(8, 3), RNG.randn(3, 3)
    f = both([X, W], hs, [Xv, Wv])
    got, h, want = f(Xv, Wv), np.zeros(3), []
    for x in Xv:
        h = np.tanh(x @ Wv + h)
        want.append(h)
        if h.sum() > 1.5:
            break
    np.testing.assert_allclose(got, want)


def test_rewrites_off_by_tag():
    X, W, h0 = T.dmatrix("X"), T.dmatrix("W"), T.dvector("h0")
    hs, _ = theon.scan(lambda x, h, W: T.tanh(T.dot(x, W) + h), sequences=X, outputs_info=h0, non_sequences=W)
    f = theon.function([X, W, h0], hs, mode=Mode().excluding("scan"))
    assert not any(k.startswith("scan") for k in fired(f))
    Xv, Wv, hv = RNG.randn(4, 3), RNG.randn(3, 3), RNG.randn(3)
    np.testing.assert_allclose(f(Xv, Wv, hv), theon.function([X, W, h0], hs)(Xv, Wv, hv))


def test_float32_lstm_against_numpy():
    hid = 4
    X, Wx, Wh, b = T.tensor3("X", dtype="float32"), T.fmatrix("Wx"), T.fmatrix("Wh"), T.fvector("b")
    hs, _ = lstm(X, Wx, Wh, b, T.zeros((X.shape[1], hid), dtype="float32"), hid)
    vals = [RNG.randn(5, 3, 2).astype("float32"), (RNG.randn(2, 4 * hid) * 0.5).astype("float32"),
            (RNG.randn(hid, 4 * hid) * 0.5).astype("float32"), (RNG.randn(4 * hid) * 0.1).astype("float32")]
    f = theon.function([X, Wx, Wh, b], hs[-1])
    got = f(*vals)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, lstm_np(*[v.astype("float64") for v in vals], hid), rtol=1e-5, atol=1e-6)


def test_a_history_read_at_its_end_keeps_only_the_last_rows():
    X, h0 = T.dmatrix("X"), T.dvector("h0")
    hs, _ = theon.scan(lambda x, h: T.tanh(h + x), sequences=X, outputs_info=h0)
    Xv, hv = RNG.randn(6, 3), RNG.randn(3)
    f = both([X, h0], [hs[-1], hs[-1] * 2], [Xv, hv])
    assert fired(f).get("scan_save_mem", 0) == 1
    assert not any(n.op.kind == "Subtensor" and n.inputs[0].owner is not None and n.inputs[0].owner.op.kind == "Scan"
                   for n in f.maker.fgraph.toposort())
    h = hv
    for x in Xv:
        h = np.tanh(h + x)
    np.testing.assert_allclose(f(Xv, hv)[0], h)
    # With the whole history read too (or by a gradient) every row is kept.
    g = both([X, h0], [hs[-1], hs.sum()], [Xv, hv])
    assert fired(g).get("scan_save_mem", 0) == 0
    # Zero steps: the last value is the initial one (the history itself would be empty).
    np.testing.assert_allclose(f(np.zeros((0, 3)), hv)[0], hv)


def test_a_stacked_parameter_becomes_an_alloc():
    W1, W2, h0 = T.dmatrix("W1"), T.dmatrix("W2"), T.dvector("h0")
    o, _ = theon.scan(lambda h, W1, W2: T.dot(h, W1 + W2), non_sequences=[h0, W1, W2], n_steps=5)
    vals = [RNG.randn(2), RNG.randn(2, 2), RNG.randn(2, 2)]
    f = both([h0, W1, W2], o, vals)
    assert scans(f) == []
    np.testing.assert_allclose(f(*vals), np.tile(vals[0] @ (vals[1] + vals[2]), (5, 1)))


def test_equal_loops_are_equal_ops_and_merge():
    x, y = T.dvector("x"), T.dvector("y")
    s1, _ = theon.scan(lambda a: T.tanh(a) + 1, x)
    s2, _ = theon.scan(lambda a: T.tanh(a) + 1, y)
    s3, _ = theon.scan(lambda a: T.tanh(a) + 2, x)
    assert s1.owner.op == s2.owner.op and hash(s1.owner.op) == hash(s2.owner.op)
    assert s1.owner.op != s3.owner.op


def test_while_loops_with_the_same_condition_merge():
    x = T.dvector("x")
    o, _ = theon.scan(lambda x_t: (x_t + 1, theon.scan_module.until(x_t > 3)), x)
    o2, _ = theon.scan(lambda x_t: (x_t * 2, theon.scan_module.until(x_t > 3)), x)
    o3, _ = theon.scan(lambda x_t: (x_t * 3, theon.scan_module.until(x_t > 2)), x)
    vx = np.zeros(50)
    vx[23] = 4
    f = both([x], [o, o2, o3], [vx])
    assert len(scans(f)) == 2  # o3 stops on another condition
    a, b, c = f(vx)
    assert len(a) == len(b) == 24 and len(c) == 24
    np.testing.assert_allclose(b, vx[:24] * 2)


def test_reductions_of_rows_leave_the_loop():
    X = T.dmatrix("X")
    s, _ = theon.map(lambda r: r.sum() * 2 + r.max(), X)
    v = RNG.randn(4, 3)
    f = both([X], s, [v])
    assert scans(f) == []
    np.testing.assert_allclose(f(v), v.sum(1) * 2 + v.max(1))


def test_loops_with_different_truncation_stay_apart():
    x = T.dvector("x")
    a, _ = theon.scan(lambda s, h: h + s, sequences=x, outputs_info=T.constant(0.0))
    b, _ = theon.scan(lambda s, h: h * s, sequences=x, outputs_info=T.constant(1.0), truncate_gradient=1)
    f = both([x], [a, b], [RNG.randn(5)])
    assert len(scans(f)) == 2
