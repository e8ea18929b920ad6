"""Symbolic gradients against central differences (float64, eps 1e-6)."""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import theon
import theon.tensor as T
from conftest import check_grad, numeric_grad


def _u(lo, hi):
    return lambda rng, shape: rng.uniform(lo, hi, size=shape)


def _away_from_zero(rng, shape):
    return rng.uniform(0.3, 2.0, size=shape) * np.where(rng.uniform(size=shape) < 0.5, -1, 1)


REAL, POS, UNIT, GT1, GAMMA = _u(-2, 2), _u(0.3, 3), _u(-0.8, 0.8), _u(1.3, 3), _u(0.5, 4)

# name, function, input domains
GRAD_TABLE = [
    ("add", T.add, (REAL, REAL)),
    ("sub", T.sub, (REAL, REAL)),
    ("mul", T.mul, (REAL, REAL)),
    ("true_div", T.true_div, (REAL, _away_from_zero)),
    ("pow", T.pow, (POS, REAL)),
    ("maximum", T.maximum, (REAL, REAL)),
    ("minimum", T.minimum, (REAL, REAL)),
    ("arctan2", T.arctan2, (_away_from_zero, _away_from_zero)),
    ("mod", T.mod, (_u(0.1, 0.9), _u(1.1, 2.0))),
    ("neg", T.neg, (REAL,)),
    ("abs", T.abs_, (_away_from_zero,)),
    ("sqr", T.sqr, (REAL,)),
    ("sqrt", T.sqrt, (POS,)),
    ("inv", T.inv, (_away_from_zero,)),
    ("exp", T.exp, (REAL,)),
    ("exp2", T.exp2, (REAL,)),
    ("expm1", T.expm1, (REAL,)),
    ("log", T.log, (POS,)),
    ("log2", T.log2, (POS,)),
    ("log10", T.log10, (POS,)),
    ("log1p", T.log1p, (POS,)),
    ("sin", T.sin, (REAL,)),
    ("cos", T.cos, (REAL,)),
    ("tan", T.tan, (_u(-1.2, 1.2),)),
    ("arcsin", T.arcsin, (UNIT,)),
    ("arccos", T.arccos, (UNIT,)),
    ("arctan", T.arctan, (REAL,)),
    ("sinh", T.sinh, (REAL,)),
    ("cosh", T.cosh, (REAL,)),
    ("tanh", T.tanh, (REAL,)),
    ("arcsinh", T.arcsinh, (REAL,)),
    ("arccosh", T.arccosh, (GT1,)),
    ("arctanh", T.arctanh, (UNIT,)),
    ("sigmoid", T.sigmoid, (REAL,)),
    ("softplus", T.softplus, (REAL,)),
    ("erf", T.erf, (REAL,)),
    ("erfc", T.erfc, (REAL,)),
    ("gamma", T.gamma, (GAMMA,)),
    ("gammaln", T.gammaln, (GAMMA,)),
    ("psi", T.psi, (GAMMA,)),
    ("identity", T.identity, (REAL,)),
    ("clip", lambda x, lo, hi: T.clip(x, lo, hi), (REAL, _u(-3, -2.5), _u(2.5, 3))),
    ("clip-active", lambda x: T.clip(x, -0.5, 0.5), (REAL,)),
    ("switch", lambda a, b: T.switch(T.gt(a, b), a * 2, b ** 2), (REAL, REAL)),
    ("second", T.second, (REAL, REAL)),
    ("cast-f32-back", lambda x: T.cast(T.cast(x, "float32"), "float64") * 1.0, (_u(-2, 2),)),
]


@pytest.mark.parametrize("name, fn, domains", GRAD_TABLE, ids=[r[0] for r in GRAD_TABLE])
def test_elemwise_grad(name, fn, domains, rng):
    inputs = [T.matrix("x%d" % i) for i in range(len(domains))]
    values = [d(rng, (2, 3)) for d in domains]
    if name == "cast-f32-back":
        # the float32 round trip is only accurate to ~1e-7: compare at a coarse eps
        check_grad(fn, inputs, values, eps=1e-3, rtol=1e-3, atol=1e-4)
    else:
        check_grad(fn, inputs, values)


@pytest.mark.parametrize("fname", ["floor", "ceil", "round", "trunc", "sgn"])
def test_piecewise_constant_grads_are_zero(fname, rng):
    x = T.vector("x")
    g = T.grad(T.sum(getattr(T, fname)(x) * x), x)
    v = rng.uniform(0.1, 0.4, size=4) + np.arange(4)
    got = theon.function([x], g)(v)
    # d/dx [f(x) x] = f(x) when f' = 0
    np.testing.assert_allclose(got, getattr(np, {"round": "round", "sgn": "sign"}.get(fname, fname))(v))


def test_int_div_grad_is_zero(rng):
    x, y = T.vector("x"), T.vector("y")
    gx, gy = T.grad(T.sum(x // y), [x, y])
    got = theon.function([x, y], [gx, gy])(np.array([3.5, 7.2]), np.array([2.0, 3.0]))
    np.testing.assert_array_equal(got[0], 0)
    np.testing.assert_array_equal(got[1], 0)


# ---- broadcasting: gradients wrt broadcast inputs have the input's shape ---------------

@pytest.mark.parametrize("kind", ["row", "col", "scalar", "vector", "dimshuffle"])
def test_grad_wrt_broadcast_inputs(kind, rng):
    m = T.matrix("m")
    vm = rng.rand(3, 4)
    if kind == "row":
        b, vb = T.row("b"), rng.rand(1, 4)
        build = lambda m, b: T.tanh(m * b + b)  # noqa: E731
    elif kind == "col":
        b, vb = T.col("b"), rng.rand(3, 1)
        build = lambda m, b: T.exp(m - b) * b  # noqa: E731
    elif kind == "scalar":
        b, vb = T.scalar("b"), np.array(0.7)
        build = lambda m, b: T.sin(m * b) + b  # noqa: E731
    elif kind == "vector":
        b, vb = T.vector("b"), rng.rand(4)
        build = lambda m, b: (m + b) ** 2  # noqa: E731
    else:
        b, vb = T.vector("b"), rng.rand(3)
        build = lambda m, b: m * b.dimshuffle(0, "x")  # noqa: E731
    gm, gb = check_grad(build, [m, b], [vm, vb])
    assert np.shape(gb) == np.shape(vb)


def test_grad_wrt_row_symbolic_broadcastable():
    r = T.row("r")
    g = T.grad(T.sum(T.matrix("m") * r), r)
    assert g.broadcastable == (True, False)


# ---- reductions ---------------------------------------------------------------------------

@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 1)])
@pytest.mark.parametrize("fname", ["sum", "prod", "mean", "var", "std", "max", "min"])
def test_reduction_grad(fname, axis, rng):
    x = T.matrix("x")
    v = rng.permutation(12).reshape(3, 4) / 7.0 + 0.3  # no ties for max/min, no zero for prod
    check_grad(lambda x: getattr(T, fname)(x, axis=axis), [x], [v])


def test_reduction_grad_keepdims(rng):
    x = T.tensor3("x")
    v = rng.rand(2, 3, 4) + 0.5
    check_grad(lambda x: T.sum(x, axis=1, keepdims=True) * T.max(x, axis=(0, 2), keepdims=True), [x], [v])
    check_grad(lambda x: T.mean(x, axis=-1, keepdims=True), [x], [v])


# ---- linear algebra -----------------------------------------------------------------------

@pytest.mark.parametrize("sa, sb", [((2, 3), (3, 4)), ((3,), (3, 2)), ((2, 3), (3,)), ((4,), (4,)),
                                    ((2, 2, 3), (3, 2))])
def test_dot_grad(sa, sb, rng):
    kinds = {1: T.vector, 2: T.matrix, 3: T.tensor3}
    a, b = kinds[len(sa)]("a"), kinds[len(sb)]("b")
    check_grad(T.dot, [a, b], [rng.randn(*sa), rng.randn(*sb)])


def test_matmul_outer_tensordot_grad(rng):
    a, b = T.tensor3("a"), T.tensor3("b")
    check_grad(lambda a, b: a @ b, [a, b], [rng.randn(2, 2, 3), rng.randn(2, 3, 2)])
    u, v = T.vector("u"), T.vector("v")
    check_grad(T.outer, [u, v], [rng.randn(3), rng.randn(2)])
    c, d = T.tensor3("c"), T.matrix("d")
    check_grad(lambda c, d: T.tensordot(c, d, axes=[[1, 2], [1, 0]]), [c, d], [rng.randn(2, 3, 2), rng.randn(2, 3)])


# ---- shape ops and indexing ------------------------------------------------------------------

def test_shape_op_grads(rng):
    x = T.matrix("x")
    v = rng.randn(2, 6)
    check_grad(lambda x: T.sin(x.reshape((3, 4))) * T.arange(4), [x], [v])
    check_grad(lambda x: x.reshape((-1,)) ** 2, [x], [v])
    check_grad(lambda x: T.exp(x.flatten()), [x], [v])
    check_grad(lambda x: x.dimshuffle(1, "x", 0) * 2.0, [x], [v])
    check_grad(lambda x: x.T @ x, [x], [v])


def test_join_stack_grads(rng):
    a, b = T.matrix("a"), T.matrix("b")
    va, vb = rng.randn(2, 3), rng.randn(1, 3)
    check_grad(lambda a, b: T.concatenate([a, b * 2, a], axis=0) ** 2, [a, b], [va, vb])
    check_grad(lambda a, b: T.join(1, a.T, b.T) * 3, [a, b], [va, vb])
    c = T.matrix("c")
    check_grad(lambda a, c: T.stack([a, c], axis=1) ** 3, [a, c], [va, rng.randn(2, 3)])


def test_alloc_fill_grads(rng):
    v = T.vector("v")
    s = T.scalar("s")
    check_grad(lambda v: T.alloc(v, 3, 2) ** 2, [v], [rng.randn(2)])
    check_grad(lambda s: T.alloc(s, 2, 3) * T.arange(3), [s], [np.array(0.4)])
    m = T.matrix("m")
    check_grad(lambda m, s: T.fill(m, s) * m, [m, s], [rng.randn(2, 2), np.array(1.5)])


@pytest.mark.parametrize("key", [(slice(1, 3),), (slice(None, None, -1), 1), (-1,), (slice(None), slice(3, 0, -2)),
                                 (1, 2)], ids=["slice", "neg-step-int", "neg-int", "neg-step", "ints"])
def test_subtensor_grad(key, rng):
    x = T.matrix("x")
    check_grad(lambda x: x[key] * 3.0 if np.ndim(np.zeros((4, 5))[key]) == 0 else x[key] ** 2, [x], [rng.randn(4, 5)])


def test_advanced_subtensor_grad_with_duplicates(rng):
    x = T.matrix("x")
    idx = np.array([2, 0, 2, 2])
    check_grad(lambda x: x[idx] ** 2, [x], [rng.randn(3, 2)])
    check_grad(lambda x: x[:, [1, 1, 0]] * 2.0, [x], [rng.randn(3, 2)])
    y = np.array([1, 0, 1], dtype="int32")
    check_grad(lambda x: T.log(T.nnet.sigmoid(x[T.arange(3), y])), [x], [rng.randn(3, 2)])


def test_set_inc_subtensor_grads(rng):
    x, y = T.matrix("x"), T.vector("y")
    vx, vy = rng.randn(3, 4), rng.randn(4)
    check_grad(lambda x, y: T.set_subtensor(x[1], y) ** 2, [x, y], [vx, vy])
    check_grad(lambda x, y: T.inc_subtensor(x[::-1][0], y) ** 2, [x, y], [vx, vy])
    i = np.array([0, 2, 0])
    z = T.matrix("z")
    check_grad(lambda x, z: T.inc_subtensor(x[i], z) ** 2, [x, z], [vx, rng.randn(3, 4)])


def test_grad_through_logsoftmax_nll(rng):
    """The examples' cost: log_softmax + integer-array indexing + mean."""
    W = T.matrix("W")
    X = rng.randn(5, 4)
    y = np.array([0, 2, 1, 2, 0], dtype="int32")
    def cost(W):
        z = T.dot(X, W)
        z = z - z.max(axis=1, keepdims=True)
        logp = z - T.log(T.exp(z).sum(axis=1, keepdims=True))
        return -T.mean(logp[T.arange(5), y])
    check_grad(cost, [W], [rng.randn(4, 3)])


# ---- random elementwise chains (hypothesis) ------------------------------------------------

_SMOOTH = {
    "tanh": (T.tanh, np.tanh),
    "sin": (T.sin, np.sin),
    "sigmoid": (T.sigmoid, lambda v: 1 / (1 + np.exp(-v))),
    "exp_small": (lambda v: T.exp(v * 0.3), lambda v: np.exp(v * 0.3)),
    "softplus": (T.softplus, lambda v: np.logaddexp(0, v)),
    "sqr": (T.sqr, np.square),
    "arctan": (T.arctan, np.arctan),
    "cos": (T.cos, np.cos),
}

_step = st.tuples(st.sampled_from(sorted(_SMOOTH)), st.sampled_from(["add", "mul", "none"]),
                  st.floats(-1.5, 1.5, allow_nan=False))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(chain=st.lists(_step, min_size=1, max_size=4), seed=st.integers(0, 2 ** 16),
       use_row=st.booleans())
def test_random_elementwise_chains(chain, seed, use_row):
    rng = np.random.RandomState(seed)
    x = T.matrix("x")
    y = T.row("y") if use_row else T.matrix("y")
    vx = rng.uniform(-1.5, 1.5, (2, 3))
    vy = rng.uniform(-1.5, 1.5, (1, 3) if use_row else (2, 3))

    def build(x, y):
        h = x
        for fname, combine, c in chain:
            h = _SMOOTH[fname][0](h)
            if combine == "add":
                h = h + y * c
            elif combine == "mul":
                h = h * (y + c)
        return h

    def ref(vx, vy):
        h = vx
        for fname, combine, c in chain:
            h = _SMOOTH[fname][1](h)
            if combine == "add":
                h = h + vy * c
            elif combine == "mul":
                h = h * (vy + c)
        return h

    got = theon.function([x, y], build(x, y), on_unused_input="ignore")(vx, vy)
    np.testing.assert_allclose(got, ref(vx, vy), rtol=1e-10, atol=1e-12)
    check_grad(build, [x, y], [vx, vy], rtol=1e-4, atol=1e-6)


# ---- second order -----------------------------------------------------------------------------

@pytest.mark.parametrize("fname, d2", [
    ("tanh", lambda v: -2 * np.tanh(v) * (1 - np.tanh(v) ** 2)),
    ("sin", lambda v: -np.sin(v)),
    ("exp", np.exp),
    ("log", lambda v: -1 / v ** 2),
    ("sigmoid", lambda v: (1 / (1 + np.exp(-v))) * (1 - 1 / (1 + np.exp(-v))) * (1 - 2 / (1 + np.exp(-v)))),
])
def test_second_order(fname, d2, rng):
    x = T.vector("x")
    f = getattr(T, fname)
    g = T.grad(T.sum(f(x)), x)
    gg = T.grad(T.sum(g), x)
    v = rng.uniform(0.3, 2.0, 4)
    got = theon.function([x], gg)(v)
    np.testing.assert_allclose(got, d2(v), rtol=1e-8, atol=1e-12)
    # and against a numeric derivative of the first gradient
    fg = theon.function([x], T.sum(g))
    np.testing.assert_allclose(got, numeric_grad(fg, [v])[0], rtol=1e-4, atol=1e-6)


def test_hessian_vector_style(rng):
    """grad of (grad . v) for a cost mixing dot and elementwise ops."""
    w = T.vector("w")
    A = rng.randn(3, 3)
    cost = T.sum(T.tanh(T.dot(A, w)) ** 2)
    gw = T.grad(cost, w)
    u = rng.randn(3)
    hv = T.grad(T.sum(gw * u), w)
    vw = rng.randn(3)
    got = theon.function([w], hv)(vw)
    fgu = theon.function([w], T.sum(gw * u))
    np.testing.assert_allclose(got, numeric_grad(fgu, [vw])[0], rtol=1e-4, atol=1e-6)


# ---- grad() API -----------------------------------------------------------------------------

def test_grad_structure_and_shared(rng):
    x = T.vector("x")
    w = theon.shared(rng.randn(3), name="w")
    b = theon.shared(0.5, name="b")
    cost = T.sum((x * w + b) ** 2)
    gw, gb = T.grad(cost, [w, b])
    assert isinstance(gw, T.TensorVariable) and gb.ndim == 0
    single = theon.grad(cost, w)
    assert isinstance(single, T.TensorVariable)
    vx = rng.randn(3)
    got_w, got_b = theon.function([x], [gw, gb])(vx)
    r = vx * w.get_value() + 0.5
    np.testing.assert_allclose(got_w, 2 * r * vx)
    np.testing.assert_allclose(got_b, 2 * r.sum())


def test_grad_requires_scalar_cost():
    x = T.vector("x")
    with pytest.raises((TypeError, ValueError)) as e:
        T.grad(x * 2, x)
    assert "scalar" in str(e.value).lower() or "0-d" in str(e.value) or "ndim" in str(e.value)


def test_disconnected_input_raises_and_policies():
    x, y = T.scalar("x"), T.scalar("y")
    with pytest.raises(theon.DisconnectedInputError):
        T.grad(x ** 2, y)
    g = T.grad(x ** 2, y, disconnected_inputs="ignore")
    assert float(theon.function([x, y], g, on_unused_input="ignore")(1.0, 2.0)) == 0.0
    assert T.grad(x ** 2, [x, y], disconnected_inputs="ignore", return_disconnected="None")[1] is None


def test_consider_constant(rng):
    x = T.scalar("x")
    y = x ** 2
    g = T.grad(y * x, x, consider_constant=[y])
    assert float(theon.function([x], g)(3.0)) == 9.0
    g2 = T.grad(y * x, x)
    assert float(theon.function([x], g2)(3.0)) == 27.0


def test_known_grads(rng):
    x = T.vector("x")
    h = T.tanh(x)
    gh = T.vector("gh")
    gx = T.grad(None, x, known_grads={h: gh})
    vx, vg = rng.randn(3), rng.randn(3)
    np.testing.assert_allclose(theon.function([x, gh], gx)(vx, vg), vg * (1 - np.tanh(vx) ** 2))


def test_grad_through_comparison_is_zero_not_disconnected(rng):
    """Theano: comparisons have a zero gradient (connected, not disconnected)."""
    c, a = T.vector("c"), T.vector("a")
    cost = T.sum(T.switch(T.gt(c, 0), a, -a))
    gc, ga = T.grad(cost, [c, a])
    vc, va = np.array([1.0, -1.0]), np.array([2.0, 3.0])
    got_c, got_a = theon.function([c, a], [gc, ga])(vc, va)
    np.testing.assert_array_equal(got_c, [0.0, 0.0])
    np.testing.assert_array_equal(got_a, [1.0, -1.0])


def test_grad_with_integer_operand():
    i = T.ivector("i")
    x = T.vector("x")
    cost = T.sum(x * i)
    gx = T.grad(cost, x)
    got = theon.function([x, i], gx)(np.ones(2), np.array([3, 4], dtype="int32"))
    np.testing.assert_array_equal(got, [3.0, 4.0])


def test_grad_float32_keeps_dtype(rng):
    x = T.fvector("x")
    g = T.grad(T.sum(T.exp(x) * 2.0), x)
    assert g.dtype == "float32"
    got = theon.function([x], g)(np.array([0.0, 1.0], dtype="float32"))
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, 2 * np.exp([0.0, 1.0]), rtol=1e-6)


def test_integer_wrt_gets_the_gradient_as_if_real():
    # Theano 1.0's rule (docs/tensor.md): grad(x, x) of an int scalar is 1.0,
    # a float cost differentiates through int inputs as if they were real,
    # and paths through integer results (casts to int, argmax) carry none.
    x, i = T.iscalar("x"), T.ivector("i")
    assert theon.function([x], T.grad(x, x))(3) == 1.0
    g = T.grad(T.sum(i * 2.5) + T.cast(x, "float64") ** 2 * 0 + x * 1.5, [i, x])
    gi, gx = theon.function([i, x], g)(np.array([1, 2], dtype="int32"), 4)
    assert gi.dtype.kind == "f" and gi.tolist() == [2.5, 2.5] and gx == 1.5
    y = T.dvector("y")
    gy = T.grad(T.sum(T.cast(y * 3, "int32") * 2.0), y)  # through a cast to int: no gradient
    assert theon.function([y], gy)(np.ones(2)).tolist() == [0.0, 0.0]


def test_arange_gradient_in_its_float_arguments():
    from theon.tests import unittest_tools as utt
    for start, stop, step in [(0.0, 4.9, 1.0), (5.1, 0.0, -0.5), (1.0, 5.1, 0.5)]:
        utt.verify_grad(lambda a, b, c: T.arange(a, b, c), [np.asarray(start), np.asarray(stop), np.asarray(step)])
    a, b, c = T.dscalars("abc")
    ga, gc = T.grad(T.sum(T.arange(a, b, c) ** 2), [a, c])
    f = theon.function([a, b, c], [ga, gc])
    v = np.arange(1.0, 5.1, 0.5)
    got_a, got_c = f(1.0, 5.1, 0.5)
    np.testing.assert_allclose([got_a, got_c], [2 * v.sum(), 2 * (v * np.arange(len(v))).sum()])
    with pytest.raises(theon.gradient.DisconnectedInputError):
        T.grad(T.sum(T.arange(a, b, c)), b)


def test_verify_grad_checks_an_inplace_op_as_theano():
    from theon.tensor import inplace
    from theon.tests import unittest_tools as utt
    utt.verify_grad(inplace.exp_inplace, [np.array([[1.5, -0.5], [2.0, 0.25]])])
