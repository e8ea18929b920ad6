"""scan: values against NumPy loops, gradients against numeric ones (to
second order), Theano's signature (taps, until, updates, random streams in
the step, nested scans, map/reduce/foldl/foldr, scan_checkpoints), both
execution tiers, and errors."""
import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.sandbox.rng_mrg import MRG_RandomStreams

RNG = np.random.RandomState(42)


pytestmark = pytest.mark.usefixtures("tier")  # both execution tiers (conftest.py)


def numeric_grad(f, args, k, eps=1e-6):
    a = [np.array(x, dtype="float64", copy=True) for x in args]
    g = np.zeros_like(a[k])
    for i in np.ndindex(*a[k].shape):
        a[k][i] += eps
        p = f(*a)
        a[k][i] -= 2 * eps
        m = f(*a)
        a[k][i] += eps
        g[i] = (p - m) / (2 * eps)
    return g


# ---- values ----

def test_steps_computed_in_their_history_rows():
    # Each step's values are computed in the rows they go to (scan in place)
    # where the step's last node allocates them; every other case is copied.
    X = T.dmatrix("X")
    h0, k0 = T.dmatrix("h0"), T.ivector("k0")

    def step(x, h3, h1, _same, _view, k):
        new = T.tanh(h1 + x) * 0.5 + h3      # fused, inplace on an intermediate
        same = new                            # the same value for two states
        view = h1[::-1]                       # a view of the state read
        return [new, same, view, k + 1, (new * 2).sum()]
    outs, _ = theon.scan(step, sequences=X,
                         outputs_info=[dict(initial=h0, taps=[-3, -1]), T.zeros_like(h0[0]), T.zeros_like(h0[0]), k0,
                                       None])
    f = theon.function([X, h0, k0], [outs[0][-1]] + list(outs[1:]))
    Xv, hv, kv = RNG.randn(6, 3), RNG.randn(3, 3), np.array([1, 2], "int32")
    got = f(Xv, hv, kv)
    hist, same, view, k, tot = list(hv), [], [], kv, []
    for t, x in enumerate(Xv):
        new = np.tanh(hist[-1] + x) * 0.5 + hist[-3]
        view.append(hist[-1][::-1])
        hist.append(new)
        same.append(new)
        k = k + 1
        tot.append((new * 2).sum())
    np.testing.assert_allclose(got[0], hist[-1])
    np.testing.assert_allclose(got[1], same)
    np.testing.assert_allclose(got[2], view)
    np.testing.assert_array_equal(got[3][-1], k)
    assert got[3].dtype == np.int32
    np.testing.assert_allclose(got[4], tot)
    # a second call gives the same (the buffers are reused, never shared with the results)
    again = f(Xv, hv, kv)
    for a, b in zip(got, again):
        np.testing.assert_array_equal(a, b)


def test_output_shapes_without_running_the_loop():
    # Theano's test_borrow_bug_jeremiah: a Scan's output shapes come from
    # n_steps, the initial rows and the step's shape inference.
    X, W, h0 = T.dmatrix("X"), T.dmatrix("W"), T.dvector("h0")
    outs, _ = theon.scan(lambda x, h: [T.tanh(T.dot(W, h) + x), T.dot(x, W), T.outer(x, h)],
                         sequences=X, outputs_info=[h0, None, None])
    vals = (RNG.randn(5, 3), RNG.randn(3, 3), RNG.randn(3))
    for out in outs:
        f = theon.function([X, W, h0], out.shape, on_unused_input="ignore")
        assert not [n for n in f.maker.fgraph.toposort() if n.op.kind == "Scan"]
        np.testing.assert_array_equal(f(*vals), theon.function([X, W, h0], out)(*vals).shape)
    # A shape that depends on the values computed, or an until loop, still runs the loop.
    ragged, _ = theon.scan(lambda x: T.arange(T.cast(x.sum(), "int64")), sequences=X)
    stop, _ = theon.scan(lambda x: (x * 2, theon.scan_module.until(x.sum() > 0)), sequences=X)
    for out, want in ((ragged, (5, 4)), (stop, (1, 3))):
        f = theon.function([X], out.shape)
        assert [n for n in f.maker.fgraph.toposort() if n.op.kind == "Scan"]
        np.testing.assert_array_equal(f(np.ones((5, 3)) * [[4 / 3.0]] if out is ragged else np.ones((5, 3))), want)


def test_inner_graphs_get_the_outer_functions_options():
    # A step, a branch and an OpFromGraph body are compiled with the mode
    # and native tier of the function they run in.
    x = T.dvector("x")
    soft, _ = theon.scan(lambda v, acc: acc + T.exp(v) / T.exp(v), sequences=x,  # acc + 1 when rewritten
                         outputs_info=T.constant(0.0))
    big = np.array([1000.0, 1.0])
    np.testing.assert_array_equal(theon.function([x], soft)(big), [1.0, 2.0])
    with np.errstate(over="ignore", invalid="ignore"):
        raw = theon.function([x], soft, mode=theon.compile.mode.Mode(optimizer=None))(big)
    assert np.isnan(raw).all()
    c = T.dscalar("c")
    from theon.ifelse import ifelse
    from theon.compile.builders import OpFromGraph
    a, b = T.dvector("a"), T.dvector("b")
    body = OpFromGraph([a, b], [T.exp(a) * b + 1])
    chain, _ = theon.scan(lambda v, acc: acc * T.tanh(v) + T.exp(v), sequences=x, outputs_info=T.constant(0.0))
    outs = [chain, ifelse(T.gt(c, 0), T.tanh(x) * 2 + 1, T.exp(x) - 1), body(x, x)]
    for out in outs:
        with theon.config.change_flags(native="wait"):
            f = theon.function([x, c], out, on_unused_input="ignore")
        assert f.native_ready, out
        assert "theon_k0" in f.native_source()  # the inner graph's kernels are in the function's module
        with theon.config.change_flags(native="off"):
            g = theon.function([x, c], out, on_unused_input="ignore")
        assert not g.native_ready
        np.testing.assert_allclose(f(big[1:], 1.0), g(big[1:], 1.0))


def test_rnn_matches_a_numpy_loop():
    X, W, h0 = T.dmatrix("X"), T.dmatrix("W"), T.dvector("h0")
    hs, updates = theon.scan(lambda x, h, W: T.tanh(T.dot(W, h) + x), sequences=X, outputs_info=h0, non_sequences=W)
    assert not updates
    f = theon.function([X, W, h0], hs)
    Xv, Wv, hv = RNG.randn(7, 4), RNG.randn(4, 4) * 0.5, RNG.randn(4)
    want, h = [], hv
    for x in Xv:
        h = np.tanh(Wv @ h + x)
        want.append(h)
    assert np.allclose(f(Xv, Wv, hv), want)


def test_sequence_taps_and_output_taps():
    u, x0 = T.dvector("u"), T.dvector("x0")
    # Fibonacci-like: x[t] = u[t-2] + x[t-1] + 0.5 * x[t-2]; u read two steps back and one ahead
    out, _ = theon.scan(lambda u_m2, u_p1, x_m1, x_m2: u_m2 + u_p1 + x_m1 + 0.5 * x_m2,
                        sequences=dict(input=u, taps=[-2, 1]), outputs_info=dict(initial=x0, taps=[-1, -2]))
    uv, x0v = RNG.randn(9), RNG.randn(2)
    got = theon.function([u, x0], out)(uv, x0v)
    n = len(uv) - 3  # taps from -2 to 1 leave 9 - 3 steps
    x = list(x0v)
    for t in range(n):
        x.append(uv[t] + uv[t + 3] + x[-1] + 0.5 * x[-2])
    assert np.allclose(got, x[2:])


def test_outputs_not_fed_back_and_several_outputs():
    x = T.dvector("x")
    (sq, run), _ = theon.scan(lambda v, acc: [v ** 2, acc + v], sequences=x, outputs_info=[None, np.asarray(0.0)])
    xv = RNG.randn(6)
    a, b = theon.function([x], [sq, run])(xv)
    assert np.allclose(a, xv ** 2) and np.allclose(b, np.cumsum(xv))


def test_n_steps_without_sequences_and_go_backwards():
    a = T.dscalar()
    pw, _ = theon.scan(lambda p, a: p * a, outputs_info=T.ones_like(a), non_sequences=a, n_steps=5)
    assert np.allclose(theon.function([a], pw)(2.0), [2, 4, 8, 16, 32])
    x = T.dvector()
    rev, _ = theon.scan(lambda v: v * 1.0, sequences=x, go_backwards=True)
    assert np.allclose(theon.function([x], rev)(np.arange(4.0)), [3, 2, 1, 0])
    n = T.lscalar()
    short, _ = theon.scan(lambda v: v + 1, sequences=x, n_steps=n)
    assert np.allclose(theon.function([x, n], short)(np.arange(5.0), 3), [1, 2, 3])


def test_until_stops_the_loop():
    x = T.dvector()
    out, _ = theon.scan(lambda v: (v * 2, theon.scan_module.until(v > 3)), sequences=x)
    assert np.allclose(theon.function([x], out)(np.arange(10.0)), [0, 2, 4, 6, 8])
    # A while loop: n_steps is only a bound.
    c = T.dscalar()
    w, _ = theon.scan(lambda v: (v + 1, theon.scan_module.until(v + 1 >= 4)), outputs_info=c, n_steps=100)
    assert np.allclose(theon.function([c], w)(0.0), [1, 2, 3, 4])


def test_shared_updates_and_random_streams_in_the_step():
    counter = theon.shared(np.asarray(0.0), name="counter")
    x = T.dvector("x")
    out, updates = theon.scan(lambda v: (v + counter, {counter: counter + 1}), sequences=x)
    f = theon.function([x], out, updates=updates)
    assert np.allclose(f(np.zeros(3)), [0, 1, 2]) and counter.get_value() == 3
    assert np.allclose(f(np.zeros(2)), [3, 4]) and counter.get_value() == 5
    srng = MRG_RandomStreams(7)
    noise, updates = theon.scan(lambda v: v + srng.uniform(()), sequences=x)
    assert len(updates) == 1
    g = theon.function([x], noise, updates=updates)
    a, b = g(np.zeros(4)), g(np.zeros(4))
    assert len(set(a.tolist())) == 4 and not np.array_equal(a, b)  # a new draw per step and per call
    assert ((0 < a) & (a < 1)).all()


def test_nested_scan_and_loops_built_on_scan():
    M = T.dmatrix()
    sums, _ = theon.scan(lambda row: theon.scan(lambda v, acc: acc + v, sequences=row,
                                                outputs_info=np.asarray(0.0))[0][-1], sequences=M)
    Mv = RNG.randn(3, 4)
    assert np.allclose(theon.function([M], sums)(Mv), Mv.sum(axis=1))
    x = T.dvector()
    sq, _ = theon.map(lambda v: v * v, x)
    tot, _ = theon.reduce(lambda v, acc: acc + v, x, np.asarray(0.0))
    left, _ = theon.foldl(lambda v, acc: acc * 2 + v, x, np.asarray(0.0))
    right, _ = theon.foldr(lambda v, acc: acc * 2 + v, x, np.asarray(0.0))
    xv = np.array([1.0, 2.0, 3.0])
    r = theon.function([x], [sq, tot, left, right])(xv)
    assert np.allclose(r[0], xv ** 2) and np.isclose(r[1], 6) and np.isclose(r[2], 11) and np.isclose(r[3], 17)


def test_scan_checkpoints_equals_scan():
    X, h0 = T.dmatrix(), T.dvector()
    W = theon.shared(RNG.randn(3, 3) * 0.5)
    step = lambda x, h: T.tanh(T.dot(h, W) + x)  # noqa: E731
    full, _ = theon.scan(step, sequences=X, outputs_info=h0)
    ck, _ = theon.scan_checkpoints(step, sequences=[X], outputs_info=[h0], save_every_N=4)
    g_full = theon.grad(full[-1].sum(), [X, h0, W])
    g_ck = theon.grad(ck[-1].sum(), [X, h0, W])
    Xv, hv = RNG.randn(10, 3), RNG.randn(3)
    a = theon.function([X, h0], [full[-1]] + g_full)(Xv, hv)
    b = theon.function([X, h0], [ck[-1]] + g_ck)(Xv, hv)
    for u, v in zip(a, b):
        assert np.allclose(u, v)


# ---- gradients ----

def test_bptt_matches_numeric_gradients():
    X, W, h0 = T.dmatrix("X"), T.dmatrix("W"), T.dvector("h0")
    hs, _ = theon.scan(lambda x, h, W: T.tanh(T.dot(W, h) + x), sequences=X, outputs_info=h0, non_sequences=W)
    cost = (hs ** 2).sum() + hs[-1].sum()
    f = theon.function([X, W, h0], [cost] + theon.grad(cost, [X, W, h0]))
    c = theon.function([X, W, h0], cost)
    args = [RNG.randn(5, 3), RNG.randn(3, 3) * 0.5, RNG.randn(3)]
    out = f(*args)
    for k in range(3):
        assert np.allclose(out[1 + k], numeric_grad(c, args, k), atol=1e-6)


def test_gradients_through_taps_and_outputs():
    u, x0, a = T.dvector("u"), T.dvector("x0"), T.dscalar("a")
    out, _ = theon.scan(lambda u_m1, u_0, x_m1, x_m2, a: T.sin(u_m1 * a) + u_0 * x_m1 - 0.3 * x_m2 ** 2,
                        sequences=dict(input=u, taps=[-1, 0]), outputs_info=dict(initial=x0, taps=[-1, -2]),
                        non_sequences=a)
    cost = (out * T.arange(out.shape[0])).sum()
    c = theon.function([u, x0, a], cost)
    f = theon.function([u, x0, a], theon.grad(cost, [u, x0, a]))
    args = [RNG.randn(7) * 0.5, RNG.randn(2) * 0.5, np.asarray(0.7)]
    for k, g in enumerate(f(*args)):
        assert np.allclose(g, numeric_grad(c, args, k), atol=1e-6)


def test_second_order_through_scan():
    x, a = T.dvector("x"), T.dscalar("a")
    out, _ = theon.scan(lambda v, acc, a: acc * a + T.sin(v), sequences=x, outputs_info=np.asarray(0.0),
                        non_sequences=a)
    cost = out[-1]
    ga = theon.grad(cost, a)
    gga = theon.grad(ga, a)  # d2 cost / da2: the gradient of a loop's gradient
    hv = theon.grad((theon.grad(cost, x) * T.ones_like(x)).sum(), x)  # a Hessian-vector product
    f = theon.function([x, a], [ga, gga, hv])
    xv, av = RNG.randn(5), 0.8
    c = theon.function([x, a], cost)
    num_ga = lambda xv, av: numeric_grad(c, [xv, av], 1)  # noqa: E731
    r = f(xv, av)
    assert np.allclose(r[0], num_ga(xv, np.asarray(av)), atol=1e-6)
    assert np.allclose(r[1], (num_ga(xv, np.asarray(av + 1e-4)) - num_ga(xv, np.asarray(av - 1e-4))) / 2e-4, atol=1e-4)
    g = theon.function([x, a], (theon.grad(cost, x) * T.ones_like(x)).sum())
    assert np.allclose(r[2], numeric_grad(g, [xv, np.asarray(av)], 0), atol=1e-5)


def test_gradient_through_until_and_truncate_gradient():
    x, u = T.dvector("x"), T.lscalar("u")
    r, _ = theon.scan(lambda v, u: (v * v, theon.scan_module.until(v > u)), sequences=x, non_sequences=[u])
    g = theon.grad(r.sum(), x)
    seq = np.arange(15.0)
    out, grad = theon.function([x, u], [r, g])(seq, 5)
    assert np.allclose(out, seq[:7] ** 2) and np.allclose(grad, np.concatenate([2 * seq[:7], np.zeros(8)]))
    X, h0 = T.dvector("X"), T.dscalar("h0")
    hs, _ = theon.scan(lambda x, h: 0.5 * h + x, sequences=X, outputs_info=h0, truncate_gradient=2)
    gx, gh = theon.function([X, h0], theon.grad(hs[-1], [X, h0]))(np.ones(5), 1.0)
    assert np.allclose(gx, [0, 0, 0, 0.5, 1]) and gh == 0


def test_scan_gradient_with_respect_to_a_shared_weight_trains():
    W = theon.shared(np.eye(2) * 0.1, name="W")
    X, y = T.dmatrix("X"), T.dvector("y")
    hs, _ = theon.scan(lambda x, h: T.tanh(T.dot(h, W) + x), sequences=X, outputs_info=T.zeros((2,), dtype="float64"))
    cost = ((hs[-1] - y) ** 2).sum()
    train = theon.function([X, y], cost, updates=[(W, W - 0.5 * theon.grad(cost, W))])
    Xv, yv = RNG.randn(6, 2) * 0.3, np.array([0.5, -0.5])
    first = train(Xv, yv)
    for _ in range(30):
        last = train(Xv, yv)
    assert last < first * 0.5


# ---- errors ----

def test_errors_are_clear():
    x = T.dvector("x")
    with pytest.raises(ValueError, match="returns 2 outputs but outputs_info describes 1"):
        theon.scan(lambda v, a: [v, a], sequences=x, outputs_info=[np.asarray(0.0)])
    with pytest.raises(TypeError, match="keeps its dtype"):
        theon.scan(lambda v, a: T.cast(v, "int8"), sequences=x, outputs_info=[np.asarray(0.0)])
    with pytest.raises(ValueError, match="distinct and negative"):
        theon.scan(lambda v, a: v, sequences=x, outputs_info=[dict(initial=x, taps=[0])])
    with pytest.raises(ValueError, match="n_steps must be given"):
        theon.scan(lambda a: a + 1, outputs_info=[np.asarray(0.0)])
    with pytest.raises(TypeError, match="until: the condition must be a scalar"):
        theon.scan(lambda v: (v, theon.scan_module.until(T.gt(x, 0))), sequences=x)
    with pytest.raises(ValueError, match="must return outputs"):
        theon.scan(lambda v: "nonsense", sequences=x)
    n = T.lscalar()
    grow, _ = theon.scan(lambda h: T.join(0, h, h), outputs_info=T.dvector("h0"), n_steps=n)
    f = theon.function(theon.gof.graph.inputs([grow]), grow)
    with pytest.raises(ValueError, match=r"step 0 returns state 0 with shape \(4,\).*keeps its shape"):
        f(*[np.ones(2) if i.ndim else 2 for i in theon.gof.graph.inputs([grow])])
    seq, _ = theon.scan(lambda v: v + 1, sequences=x, n_steps=n)
    g = theon.function([x, n], seq)
    with pytest.raises(ValueError, match="n_steps must be >= 0"):
        g(np.ones(3), -1)
    with pytest.raises(ValueError, match="fewer rows than the n_steps steps"):
        g(np.ones(3), 5)  # the map runs outside any loop (scan_pushout_seqs)
    with pytest.raises(ValueError, match="fewer than the 5 steps"):
        theon.function([x, n], seq, mode=theon.compile.mode.Mode().excluding("scan"))(np.ones(3), 5)


def test_until_of_a_number_stops_when_it_is_nonzero():
    x = T.dvector("x")
    o, _ = theon.scan(lambda v: (v * 2, theon.scan_module.until(v - 3)), sequences=x)
    np.testing.assert_allclose(theon.function([x], o)(np.array([5.0, 3.0, 1.0])), [10.0])
    np.testing.assert_allclose(theon.function([x], o)(np.array([3.0, 1.0, 2.0])), [6.0, 2.0])


def test_initial_values_no_output_reads_are_disconnected():
    x0, y0, z0 = T.dvector("x0"), T.dvector("y0"), T.dvector("z0")
    [x, y, z], _ = theon.scan(lambda a, b, c: [a ** 2, b, a + 1], outputs_info=[x0, y0, z0], n_steps=4)
    cost = (x + y + z).sum()
    gx, gy = theon.grad(cost, [x0, y0])
    with pytest.raises(ValueError, match="not part of the computational graph"):
        theon.grad(cost, z0)
    with pytest.raises(ValueError, match="not part of the computational graph"):
        theon.grad(x.sum(), y0)
    assert theon.grad(x.sum(), y0, disconnected_inputs="ignore").eval({y0: np.ones(2)}).tolist() == [0, 0]
    f = theon.function([x0, y0, z0], [gx, gy], on_unused_input="ignore")
    xv, yv = np.array([0.5, -0.3]), np.array([1.0, 2.0])
    c = theon.function([x0, y0, z0], cost)
    for k, g in enumerate(f(xv, yv, np.zeros(2))):
        assert np.allclose(g, numeric_grad(c, [xv, yv, np.zeros(2)], k), atol=1e-6)
    pattern = x.owner.op.connection_pattern(x.owner)
    assert pattern[1] == [True, False, True] and pattern[2] == [False, True, False] and pattern[3] == [False] * 3


def test_an_input_computed_from_others_cuts_the_graph():
    V, orig = T.dtensor3("V"), T.dmatrix("orig")
    W = orig + 2
    OS, _ = theon.scan(lambda v, W: v + 1 + W.sum(), sequences=V, non_sequences=[W])
    f = theon.function([V, W], OS.sum() + W.sum())  # W given, not computed from orig
    Vv, Wv = np.ones((2, 2, 2)), np.ones((2, 2))
    assert f(Vv, Wv) == (Vv + 1 + Wv.sum()).sum() + Wv.sum()
