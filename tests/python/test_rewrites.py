"""The graph rewriter: each rule shown to fire (the expected final graph) with
values unchanged against optimizer=None; stability cases; modes, including /
excluding / requiring; the report; merge; and rewriting cost."""
import time

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.compile.mode import Mode, list_rewrites

NONE = Mode(optimizer=None)
# Rule tests look at the graph before fusion folds it into one Composite node
# and before the inplace phase renames ops to their inplace variants.
UNFUSED = Mode().excluding("fusion", "inplace")


def ops(f):
    return [str(n.op) for n in f.maker.fgraph.toposort()]


def compile_both(inputs, outputs, mode=None, **kw):
    return (theon.function(inputs, outputs, mode=mode or UNFUSED, **kw),
            theon.function(inputs, outputs, mode=NONE, **kw))


def check_same(f, g, *args, rtol=1e-12):
    a, b = f(*args), g(*args)
    for x, y in zip(a if isinstance(a, list) else [a], b if isinstance(b, list) else [b]):
        np.testing.assert_allclose(x, y, rtol=rtol, atol=0)


@pytest.fixture
def rng():
    return np.random.default_rng(7)


# ---- merge and constant folding ------------------------------------------------

def test_merge_makes_one_node_of_equal_subexpressions(rng):
    x = T.vector("x")
    y = T.exp(x) + T.exp(x) * T.exp(x)
    f, g = compile_both([x], y)
    assert ops(f).count("Elemwise{exp}") == 1
    assert ops(g).count("Elemwise{exp}") == 3
    assert f.maker.rewrite_report["fired"]["merge"] >= 2
    check_same(f, g, rng.standard_normal(5))


def test_constant_folding(rng):
    x = T.vector("x")
    c = T.constant(np.arange(3.0))
    f, g = compile_both([x], x + T.exp(c) * 2 + T.sum(c))
    assert "Elemwise{exp}" not in ops(f) and not any(o.startswith("Sum") for o in ops(f))
    check_same(f, g, rng.standard_normal(3))


# ---- canonicalize ------------------------------------------------------------------

@pytest.mark.parametrize("build, left", [
    (lambda x, y: x * y / x, "Elemwise{mul}"),
    (lambda x, y: x + y - x, "Elemwise{add}"),
    (lambda x, y: (x + y) - (y + x) + y, "Elemwise{add}"),
    (lambda x, y: -(-x) + y, "Elemwise{neg}"),
    (lambda x, y: x * 1 + 0 + y, "Elemwise{true_div}"),
])
def test_canonizers_cancel_and_drop_neutral_terms(rng, build, left):
    x, y = T.vector("x"), T.vector("y")
    f, g = compile_both([x, y], build(x, y))
    assert left not in ops(f), ops(f)
    assert len(ops(f)) <= 1, ops(f)
    check_same(f, g, rng.uniform(0.5, 2, 4), rng.standard_normal(4))


def test_canonizer_merges_constants(rng):
    x = T.vector("x")
    f, g = compile_both([x], ((x * 2) * 3) / 4 + 1 + 2)
    assert ops(f).count("Elemwise{mul}") == 1 and ops(f).count("Elemwise{add}") == 1
    check_same(f, g, rng.standard_normal(4))


def test_cancellation_keeps_the_broadcast_shape(rng):
    r, m = T.row("r"), T.matrix("m")
    f, g = compile_both([r, m], r + m - m)
    out = f(rng.standard_normal((1, 3)), rng.standard_normal((4, 3)))
    assert out.shape == (4, 3)
    check_same(f, g, rng.standard_normal((1, 3)), rng.standard_normal((4, 3)))


def test_grad_controls_vanish_from_the_compiled_graph(rng):
    x = T.vector("x")
    y = theon.gradient.zero_grad(T.exp(x)) + theon.gradient.grad_clip(x, -1, 1)
    f, g = compile_both([x], y)
    assert not any("Grad" in o or "grad" in o for o in ops(f)), ops(f)
    check_same(f, g, rng.standard_normal(3))


def test_dimshuffle_chains_merge(rng):
    x = T.matrix("x")
    y = x.dimshuffle(1, 0).dimshuffle("x", 1, 0).dimshuffle(1, 2)
    f, g = compile_both([x], y)
    assert ops(f) == [], ops(f)  # transpose of a transpose with a dropped 'x' is x itself
    check_same(f, g, rng.standard_normal((2, 3)))


# ---- shapes ------------------------------------------------------------------------

def test_shape_never_computes_the_tensor(rng):
    x, y = T.matrix("x"), T.matrix("y")
    z = T.exp(T.dot(x, y)) * 2
    f, g = compile_both([x, y], z.shape)
    assert not any(o in ("Dot", "Elemwise{exp}") for o in ops(f)), ops(f)
    np.testing.assert_array_equal(f(np.ones((2, 3)), np.ones((3, 5))), [2, 5])


def test_static_shape_folds_to_a_constant():
    x = T.tensor("float64", shape=(3, 4), name="x")
    f = theon.function([x], (T.exp(x).sum(axis=0)).shape, mode=UNFUSED)
    assert ops(f) == []
    np.testing.assert_array_equal(f(np.ones((3, 4))), [4])


# ---- stabilize -----------------------------------------------------------------------

def test_log1p_keeps_precision():
    x = T.dvector("x")
    f = theon.function([x], T.log(1 + x), mode=UNFUSED)
    assert ops(f) == ["Elemwise{log1p}"]
    assert f(np.array([1e-20]))[0] == 1e-20
    assert theon.function([x], T.log(1 + x), mode=NONE)(np.array([1e-20]))[0] == 0.0
    f2 = theon.function([x], T.log(1 - x), mode=UNFUSED)
    assert f2(np.array([1e-20]))[0] == -1e-20


def test_expm1(rng):
    x = T.dvector("x")
    f, g = compile_both([x], T.exp(x) - 1)
    assert ops(f) == ["Elemwise{expm1}"]
    assert f(np.array([1e-20]))[0] == 1e-20
    check_same(f, g, rng.standard_normal(4), rtol=1e-10)


def test_log_sigmoid_is_stable():
    x = T.dvector("x")
    assert theon.function([x], T.log(T.nnet.sigmoid(x)))(np.array([-800.0]))[0] == -800.0
    assert theon.function([x], T.log(1 - T.nnet.sigmoid(x)))(np.array([800.0]))[0] == -800.0
    # Reached only after canonicalization removes the * 1: the stabilize rule itself fires.
    f = theon.function([x], T.log(T.nnet.sigmoid(x) * 1), mode=UNFUSED)
    assert f.maker.rewrite_report["fired"].get("log_sigmoid") == 1
    assert f(np.array([-800.0]))[0] == -800.0


@pytest.mark.parametrize("axis", [None, 0, 1])
def test_logsumexp_is_stable(rng, axis):
    x = T.dmatrix("x")
    f, g = compile_both([x], T.log(T.sum(T.exp(x), axis=axis)))
    assert f.maker.rewrite_report["fired"].get("logsumexp") == 1
    v = rng.standard_normal((3, 4))
    check_same(f, g, v, rtol=1e-12)
    big = v * 1000
    m = big.max(axis=axis, keepdims=True)
    want = np.log(np.exp(big - m).sum(axis=axis, keepdims=True)) + m
    np.testing.assert_allclose(f(big), want.reshape(np.shape(f(big))), rtol=1e-12)
    assert np.all(np.isfinite(f(big)))
    # An all -inf row stays -inf (not NaN).
    allinf = np.full((3, 4), -np.inf)
    assert np.all(f(allinf) == -np.inf)


def test_log_softmax_of_extremes_is_finite():
    x = T.dvector("x")
    lsm = x - T.log(T.sum(T.exp(x)))
    out = theon.function([x], lsm)(np.array([1000.0, 0.0, -1000.0]))
    np.testing.assert_allclose(out, [0.0, -1000.0, -2000.0])


# ---- specialize ------------------------------------------------------------------------

@pytest.mark.parametrize("e, want", [(2, ["Elemwise{sqr}"]), (0.5, ["Elemwise{sqrt}"]), (-1, ["Elemwise{inv}"]),
                                     (1, []), (3, ["Elemwise{sqr}", "Elemwise{mul}"])])
def test_pow_specialization(rng, e, want):
    x = T.dvector("x")
    f, g = compile_both([x], x ** e)
    assert sorted(ops(f)) == sorted(want), ops(f)
    check_same(f, g, rng.uniform(0.5, 2, 5))


def test_pow_on_float32_keeps_dtype(rng):
    x = T.fvector("x")
    f = theon.function([x], x ** 2, mode=UNFUSED)
    assert f(rng.standard_normal(3).astype("float32")).dtype == np.float32
    assert ops(f) == ["Elemwise{sqr}"]


# ---- modes ------------------------------------------------------------------------------

def test_modes_select_rules(rng):
    x = T.dvector("x")
    y = T.log(1 + x) + T.exp(x) * T.exp(x)
    assert "Elemwise{log1p}" in ops(theon.function([x], y, mode="FAST_COMPILE"))
    assert any(o.startswith("Composite") for o in ops(theon.function([x], y)))
    assert "Elemwise{log1p}" not in ops(theon.function([x], y, mode=NONE))
    assert "Elemwise{log1p}" not in ops(theon.function([x], y, mode=UNFUSED.excluding("log1p")))
    assert "Elemwise{log1p}" not in ops(theon.function([x], y, mode=UNFUSED.excluding("stability")))
    # optimizer=None plus one rule.
    only = theon.function([x], y, mode=NONE.including("log1p"))
    assert "Elemwise{log1p}" in ops(only) and ops(only).count("Elemwise{exp}") == 2
    merged = theon.function([x], y, mode=Mode(optimizer="merge"))
    assert ops(merged).count("Elemwise{exp}") == 1 and "Elemwise{log1p}" not in ops(merged)
    # requiring: only rules carrying the tag
    req = theon.function([x], y, mode=UNFUSED.requiring("stability"))
    assert "Elemwise{log1p}" in ops(req) and ops(req).count("Elemwise{exp}") == 2
    with pytest.raises(ValueError, match="unknown rewrite or tag"):
        Mode().including("no_such_rule")


def test_config_flags_select_rules(rng):
    x = T.dvector("x")
    with theon.config.change_flags(optimizer="None"):
        assert "Elemwise{log1p}" not in ops(theon.function([x], T.log(1 + x)))
    with theon.config.change_flags(optimizer_excluding="log1p:merge"):
        assert "Elemwise{log1p}" not in ops(theon.function([x], T.log(1 + x)))


def test_report_lists_phases_and_rules(capsys):
    x = T.dvector("x")
    f = theon.function([x], T.log(1 + x), mode=UNFUSED)
    rep = f.maker.rewrite_report
    names = [p[0] for p in rep["phases"]]
    assert names[:4] == ["merge", "scan_merge", "canonicalize", "stabilize"] and names[-1] == "final_merge"
    assert rep["fired"]["log1p"] == 1 and "log1p: fired 1 time" in rep["text"]
    with theon.config.change_flags(optimizer_verbose=True):
        theon.function([x], T.log(1 + x), mode=UNFUSED)
    out = capsys.readouterr().out
    assert "log1p" in out and "Elemwise{log1p}(x)" in out


def test_list_rewrites_names_phases_in_order():
    rs = list_rewrites()
    assert {"merge", "constant_folding", "log1p", "logsumexp", "add_canonizer"} <= {r["name"] for r in rs}
    assert all(r["phase"] in ("merge", "scan_merge", "canonicalize", "stabilize", "specialize", "blas", "uncanonicalize",
                              "scan_save_mem", "fusion",
                              "reduce_fusion",
                              "inplace", "final_merge") for r in rs)


# ---- equality with optimizer=None on random graphs, and cost --------------------------------

UNARY = [T.exp, T.tanh, T.sin, lambda v: v * 2, lambda v: -v, lambda v: T.log(1 + v * v), lambda v: v ** 2,
         lambda v: v - v * 0.5]
BINARY = [lambda a, b: a + b, lambda a, b: a * b, lambda a, b: a - b, lambda a, b: a / (1 + b * b),
          lambda a, b: a * b / a]


def random_graph(seed, n, leaves):
    r = np.random.default_rng(seed)
    pool = list(leaves)
    for _ in range(n):
        if r.random() < 0.5:
            pool.append(UNARY[r.integers(len(UNARY))](pool[r.integers(len(pool))]))
        else:
            pool.append(BINARY[r.integers(len(BINARY))](pool[r.integers(len(pool))], pool[r.integers(len(pool))]))
    return pool[-1] + pool[len(pool) // 2]


@pytest.mark.parametrize("seed", range(8))
def test_random_graphs_give_the_same_values(seed):
    x, y = T.dvector("x"), T.dvector("y")
    out = random_graph(seed, 30, [x, y])
    cost = T.sum(out)
    f, g = compile_both([x, y], [out, theon.grad(cost, x, disconnected_inputs='ignore')], on_unused_input='ignore')
    r = np.random.default_rng(seed)
    a, b = r.uniform(0.5, 1.5, 6), r.uniform(0.5, 1.5, 6)
    for u, v in zip(f(a, b), g(a, b)):
        np.testing.assert_allclose(u, v, rtol=1e-9, atol=1e-12)


def test_rewriting_is_near_linear_in_graph_size():
    def per_node(n):
        x, y = T.dvector("x"), T.dvector("y")
        out = random_graph(1, n, [x, y])
        g = theon.grad(T.sum(out), x, disconnected_inputs='ignore')
        t = time.perf_counter()
        f = theon.function([x, y], [out, g], on_unused_input='ignore')
        dt = time.perf_counter() - t
        return f.maker.rewrite_report["seconds"], dt
    small = per_node(200)
    large = per_node(1600)
    # Not a timing assertion on speed: the total compile of an 8x larger graph stays
    # far from quadratic (64x). Generous for a noisy machine.
    assert large[1] < 40 * max(small[1], 1e-3), (small, large)


# ---- fusion ------------------------------------------------------------------------------

def test_nine_op_chain_fuses_into_one_node(rng):
    a, b = T.fvector("a"), T.fvector("b")
    y = T.tanh(a * 1.5 + b) * T.exp(-(a * a)) + b * 0.5 - a
    f = theon.function([a, b], y)
    assert len(ops(f)) == 1 and ops(f)[0].startswith("Composite"), ops(f)
    g = theon.function([a, b], y, mode=NONE)
    for n in (1, 1000, 5000):  # one block, several blocks and a ragged tail
        av, bv = rng.uniform(-1, 1, n).astype("float32"), rng.uniform(-1, 1, n).astype("float32")
        np.testing.assert_allclose(f(av, bv), g(av, bv), rtol=1e-6)
        assert f(av, bv).dtype == np.float32


def test_fusion_with_broadcasting_and_strides(rng):
    m, r = T.dmatrix("m"), T.drow("r")
    y = T.exp(m * r) + T.sin(m) - r * 2
    f, g = compile_both([m, r], y, mode=Mode())
    # r * 2 has the row's pattern: computed once, outside the matrix-shaped group.
    assert sorted(ops(f)) == ["Composite{mul,exp,sin,add,sub}", "Elemwise{mul}"], ops(f)
    mv = rng.standard_normal((7, 300))[:, ::2]  # strided
    rv = rng.standard_normal((1, 150))
    check_same(f, g, mv, rv)
    check_same(f, g, np.asfortranarray(rng.standard_normal((5, 4))), rng.standard_normal((1, 4)))


def test_fusion_keeps_values_read_elsewhere(rng):
    x = T.dvector("x")
    e = T.exp(x)
    y = T.sin(e) + e
    f, g = compile_both([x], [y, e * 2], mode=Mode())
    check_same(f, g, rng.standard_normal(10))
    # exp(x) is read by two groups: it stays its own output, not recomputed.
    assert sum(o.count("exp") for o in ops(f)) == 1, ops(f)


def test_fusion_does_not_recompute_broadcast_values(rng):
    # exp(row) has the row's pattern, not the matrix's: it stays outside the group.
    r, m = T.drow("r"), T.dmatrix("m")
    y = T.exp(r) * m + m
    f, g = compile_both([r, m], y, mode=Mode())
    assert "Elemwise{exp}" in ops(f), ops(f)
    check_same(f, g, rng.standard_normal((1, 4)), rng.standard_normal((3, 4)))


def test_fusion_skips_mixed_dtypes(rng):
    x, i = T.dvector("x"), T.lvector("i")
    y = T.exp(x) * i + 1
    f, g = compile_both([x, i], y, mode=Mode())
    check_same(f, g, rng.standard_normal(4), np.arange(4))


def test_fused_training_step_matches_unfused(rng):
    x, y = T.dmatrix("x"), T.dvector("y")
    w = theon.shared(rng.standard_normal(5) * 0.1)
    p = T.nnet.sigmoid(T.dot(x, w))
    cost = T.mean(-y * T.log(p) - (1 - y) * T.log(1 - p))
    g = theon.grad(cost, w)
    f = theon.function([x, y], [cost, g])
    h = theon.function([x, y], [cost, g], mode=NONE)
    assert any(o.startswith("Composite") for o in ops(f))
    xv, yv = rng.standard_normal((20, 5)), (rng.random(20) > 0.5).astype(float)
    for u, v in zip(f(xv, yv), h(xv, yv)):
        np.testing.assert_allclose(u, v, rtol=1e-12)


@pytest.mark.parametrize("xdtype, other", [("float32", 0.9), ("float32", "int64"), ("float64", "int8"),
                                           ("float64", "float32"), ("int32", 0.5)])
def test_fusion_takes_inputs_of_other_real_dtypes(xdtype, other, rng):
    """A float64 chain reading a float32 (or integer) value converts it on
    load, as the unfused node does: one node, the same values."""
    x = T.vector("x", dtype=xdtype)
    if isinstance(other, float):
        y, args = T.tanh(T.sin(x) * other + 1) * 2 - x, [rng.uniform(-3, 3, 50).astype(xdtype)]
        inputs = [x]
    else:
        z = T.vector("z", dtype=other)
        y = T.exp(T.cos(x) * z - 1) + z
        inputs = [x, z]
        args = [rng.uniform(-3, 3, 50).astype(xdtype), rng.integers(-3, 4, 50).astype(other)]
    f = theon.function(inputs, y)
    g = theon.function(inputs, y, mode=NONE)
    nodes = f.maker.fgraph.toposort()
    composites = [n for n in nodes if "Composite" in str(n.op)]
    assert len(composites) == 1 and len(nodes) <= 2, [str(n.op) for n in nodes]
    a, b = f(*args), g(*args)
    assert a.dtype == b.dtype
    np.testing.assert_allclose(a, b, rtol=2e-7 if a.dtype == np.float32 else 1e-15)


@pytest.mark.parametrize("shape", [(257,), (3, 700), (1, 5)])
def test_float32_producers_join_a_float64_group(shape, rng):
    """sin(x32) is float32 and `* 0.9` float64 (Theano's rules): the float32
    nodes join the float64 group, computing in float32 (marked ':f32'), and
    the result is bit-for-bit the unfused graph's; no float32 temporary."""
    x, y = T.tensor("float32", (False,) * len(shape), "x"), T.tensor("float32", (False,) * len(shape), "y")
    i = T.tensor("int32", (False,) * len(shape), "i")
    out = T.tanh(T.sin(x) * 0.9 + T.exp(x * y - i)) + T.cos(y)
    f, g = compile_both([x, y, i], out, mode=Mode())
    names = ops(f)
    assert len(names) == 1 and names[0].startswith("Composite"), names
    for part in ("sin:f32", "mul:f32", "cos:f32", "sub,exp,"):  # float32 - int32 is float64
        assert part in names[0], names
    xv, yv = rng.uniform(-3, 3, shape).astype("float32"), rng.uniform(-3, 3, shape).astype("float32")
    iv = rng.integers(-3, 4, shape).astype("int32")
    a, b = f(xv, yv, iv), g(xv, yv, iv)
    assert a.dtype == b.dtype == np.float64
    np.testing.assert_array_equal(a, b)


def test_int64_inputs_keep_a_float32_node_out_of_a_float64_group(rng):
    """int64 -> float64 -> float32 may round twice where the unfused node
    rounds once: such a node stays a float32 node of its own."""
    x, k = T.fvector("x"), T.lvector("k")
    out = T.tanh((x + k) * 0.9)
    f, g = compile_both([x, k], out, mode=Mode())
    assert not any(":f32" in o for o in ops(f)), ops(f)
    kv = np.array([2**53 + 1, 2**40 + 3, -(2**60) - 5, 7], dtype="int64")
    xv = np.ones(4, dtype="float32")
    np.testing.assert_array_equal(f(xv, kv), g(xv, kv))


def test_the_suite_verifies_the_ir_after_every_phase():
    """conftest sets THEON_VERIFY_IR=1: every function the tests compile has its graph checked after each
    rewrite phase, so a rule that leaves a malformed graph fails some test."""
    assert theon._core.verify_ir_by_default()


@pytest.mark.parametrize("mode", [None, UNFUSED, "FAST_COMPILE"])
def test_gradients_of_log_sigmoid_and_log_softmax_are_stable(mode):
    # The stabilize phase (not the log builder) makes these graphs stable; their
    # gradients must be finite and right where sigmoid and exp underflow.
    x = T.dvector("x")
    v = np.array([-800.0, -40.0, -1.0, 0.0, 2.0, 40.0, 800.0])
    sig = lambda z: np.exp(-np.logaddexp(0, -z))
    g1 = theon.function([x], theon.grad(T.sum(T.log(T.nnet.sigmoid(x))), x), mode=mode)(v)
    np.testing.assert_allclose(g1, sig(-v), rtol=1e-12, atol=1e-300)
    g2 = theon.function([x], theon.grad(T.sum(T.log(1 - T.nnet.sigmoid(x))), x), mode=mode)(v)
    np.testing.assert_allclose(g2, -sig(v), rtol=1e-12, atol=1e-300)
    m = T.dmatrix("m")
    y = T.lvector("y")
    a = np.array([[1000.0, 0.0, -1000.0], [0.0, 1.0, 2.0]])
    nll = -T.mean(T.log(T.nnet.softmax(m))[T.arange(2), y])
    g3 = theon.function([m, y], theon.grad(nll, m), mode=mode)(a, np.array([2, 0]))
    p = np.exp(a - a.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    want = p.copy()
    want[[0, 1], [2, 0]] -= 1
    np.testing.assert_allclose(g3, want / 2, rtol=1e-12, atol=1e-300)
    g4 = theon.function([m], theon.grad(T.sum(T.log(T.nnet.softmax(m))), m), mode=mode)(a)
    np.testing.assert_allclose(g4, 1 - 3 * p, rtol=1e-12, atol=1e-300)
