"""Forward mode (Rop) for every op family, checked against finite differences
along a random direction and against the L-op (<u, J v> = <J^T u, v>)."""
import numpy as np
import pytest

import theon
import theon.tensor as T
from test_elemwise import ELEMWISE_TABLE

# Rows whose derivative is zero almost everywhere or undefined: no R-op check.
NOT_SMOOTH = {"lt", "gt", "le", "ge", "eq", "neq", "and_", "or_", "xor", "invert", "isnan", "isinf", "floor",
              "ceil", "trunc", "round", "round_half_to_even", "sgn", "int_div", "mod", "tri_gamma", "switch"}
# Rows differentiable in x only (an order or shape parameter has no derivative,
# as in Theano): checked with that argument held at a constant.
PARAMETER_ARG = {"gammainc": (0, 2.5), "gammaincc": (0, 0.7), "gammal": (0, 1.5), "gammau": (0, 3.0),
                 "chi2sf": (1, 3.0), "jv": (0, 1.5), "iv": (0, -0.5)}


def _in_x(row):
    name, fn, ref, domains = row[:4]
    if name not in PARAMETER_ARG:
        return row
    pos, value = PARAMETER_ARG[name]

    def fixed(*xs):
        args = list(xs)
        args.insert(pos, value)
        return fn(*args)
    return (name, fixed, ref, domains[:pos] + domains[pos + 1:]) + tuple(row[4:])


SMOOTH = [_in_x(r) for r in ELEMWISE_TABLE if r[0] not in NOT_SMOOTH and "float64" in r[4]]


def check_rop(build, inputs, values, rng, rtol=1e-5, atol=1e-7, eps=1e-6):
    """Rop(out, inputs, v) against (f(x + eps v) - f(x - eps v)) / (2 eps),
    and against the L-op through <u, J v> == <J^T u, v>."""
    out = build(*inputs)
    vs = [rng.standard_normal(np.shape(v)) for v in values]
    evs = [T.tensor("float64", shape=tuple(1 if s == 1 else None for s in np.shape(v))) for v in values]
    jv = theon.Rop(out, list(inputs), evs)
    f = theon.function(list(inputs), out, on_unused_input="ignore")
    fj = theon.function(list(inputs) + evs, jv, on_unused_input="ignore")
    got = np.asarray(fj(*(list(values) + vs)))
    plus = np.asarray(f(*[x + eps * v for x, v in zip(values, vs)]))
    minus = np.asarray(f(*[x - eps * v for x, v in zip(values, vs)]))
    num = (plus - minus) / (2 * eps)
    assert got.shape == num.shape, "Rop has shape %s, the output %s" % (got.shape, num.shape)
    np.testing.assert_allclose(got, num, rtol=rtol, atol=atol)
    # Adjoint identity with the L-op.
    u = rng.standard_normal(got.shape)
    uvar = T.tensor("float64", shape=tuple(1 if s == 1 else None for s in got.shape))
    lop = theon.Lop(out, list(inputs), uvar)
    fl = theon.function(list(inputs) + [uvar], lop, on_unused_input="ignore")
    lhs = float(np.sum(u * got))
    rhs = float(sum(np.sum(np.asarray(g) * v) for g, v in zip(fl(*(list(values) + [u])), vs)))
    np.testing.assert_allclose(lhs, rhs, rtol=1e-8, atol=1e-10)
    return got


def _vars(values):
    return [T.tensor(str(np.asarray(v).dtype), shape=tuple(1 if s == 1 else None for s in np.shape(v)),
                     name="x%d" % i) for i, v in enumerate(values)]


@pytest.mark.parametrize("name, fn, domains", [(r[0], r[1], r[3]) for r in SMOOTH], ids=[r[0] for r in SMOOTH])
def test_elemwise_rop(name, fn, domains, rng):
    values = [d(rng, (3, 4), "float64") for d in domains]
    check_rop(fn, _vars(values), values, rng, rtol=1e-4, atol=1e-6)


BCAST = [("row", (1, 4), (3, 4)), ("col", (3, 1), (3, 4)), ("scalar", (), (3, 4)), ("both", (3, 1), (1, 4))]


@pytest.mark.parametrize("fname", ["add", "mul", "true_div", "pow", "maximum", "arctan2"])
@pytest.mark.parametrize("pattern, sa, sb", BCAST, ids=[b[0] for b in BCAST])
def test_elemwise_rop_broadcasting(fname, pattern, sa, sb, rng):
    row = next(r for r in ELEMWISE_TABLE if r[0] == fname)
    values = [np.asarray(row[3][0](rng, sa, "float64")), np.asarray(row[3][1](rng, sb, "float64"))]
    check_rop(row[1], _vars(values), values, rng, rtol=1e-4, atol=1e-6)


def test_elemwise_rop_float32_keeps_dtype(rng):
    x, v = T.fvector("x"), T.fvector("v")
    r = theon.Rop(T.exp(x) * x, x, v)
    assert r.dtype == "float32"
    got = theon.function([x, v], r)(np.float32([0.5, -1]), np.float32([1, 2]))
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, np.exp([0.5, -1]) * (1 + np.array([0.5, -1])) * [1, 2], rtol=1e-6)


def test_cast_rop(rng):
    x = T.fvector("x")
    v = T.fvector("v")
    xv, vv = rng.standard_normal(4).astype("float32"), rng.standard_normal(4).astype("float32")
    r = theon.Rop(T.cast(x, "float64") * 2, x, v)
    assert r.dtype == "float64"
    np.testing.assert_allclose(theon.function([x, v], r, on_unused_input="ignore")(xv, vv), 2 * vv.astype("float64"))


REDUCTIONS = [
    ("sum", lambda x: x.sum(axis=1)),
    ("sum_all", lambda x: x.sum()),
    ("prod", lambda x: x.prod(axis=0)),
    ("max", lambda x: x.max(axis=1)),
    ("min_keepdims", lambda x: x.min(axis=0, keepdims=True)),
    ("mean", lambda x: x.mean(axis=1)),
    ("var", lambda x: x.var(axis=0)),
    ("std", lambda x: x.std()),
]


@pytest.mark.parametrize("name, build", REDUCTIONS, ids=[r[0] for r in REDUCTIONS])
def test_reduction_rop(name, build, rng):
    values = [rng.uniform(0.5, 2, (3, 4))]
    check_rop(build, _vars(values), values, rng)


@pytest.mark.parametrize("sa, sb", [((3, 4), (4, 5)), ((3, 4), (4,)), ((4,), (4, 5)), ((4,), (4,))])
def test_dot_rop(sa, sb, rng):
    values = [rng.standard_normal(sa), rng.standard_normal(sb)]
    check_rop(T.dot, _vars(values), values, rng)


def test_matmul_batched_rop(rng):
    values = [rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 4, 5))]
    check_rop(T.matmul, _vars(values), values, rng)


SHAPE_OPS = [
    ("dimshuffle", lambda x: x.dimshuffle(1, "x", 0)),
    ("transpose", lambda x: x.T * 2),
    ("reshape", lambda x: x.reshape((2, 6))),
    ("flatten", lambda x: x.flatten()),
    ("concatenate", lambda x: T.concatenate([x, x * x], axis=1)),
    ("stack", lambda x: T.stack([x, T.sin(x)])),
    ("subtensor", lambda x: x[1:, ::2] * x[:2, 1:3]),
    ("advanced", lambda x: x[[0, 2, 2], [1, 1, 3]] ** 2),
    ("set_subtensor", lambda x: T.set_subtensor(x[1:, :2], x[:2, 2:] ** 2)),
    ("inc_subtensor_dup", lambda x: T.inc_subtensor(x[[0, 0, 1]], T.exp(x[[2, 1, 0]]))),
    ("alloc", lambda x: T.alloc(x[0, 0], 2, 3) * x[:2, :3]),
    ("zeros_like", lambda x: T.zeros_like(x) + x),
]


@pytest.mark.parametrize("name, build", SHAPE_OPS, ids=[r[0] for r in SHAPE_OPS])
def test_shape_and_index_rop(name, build, rng):
    values = [rng.uniform(0.5, 2, (3, 4))]
    check_rop(build, _vars(values), values, rng)


def test_rop_of_gradient_is_hessian_vector_product(rng):
    X = rng.standard_normal((20, 5))
    y = (rng.uniform(size=20) < 0.5).astype("float64")
    w, v = T.vector("w"), T.vector("v")
    z = T.dot(T.constant(X), w)
    cost = T.mean(T.nnet.softplus(z) - T.constant(y) * z)
    g = theon.grad(cost, w)
    hv_rop = theon.function([w, v], theon.Rop(g, w, v))
    hv_gg = theon.function([w, v], theon.grad(T.sum(g * v), w))
    wv, vv = rng.standard_normal(5), rng.standard_normal(5)
    p = 1 / (1 + np.exp(-(X @ wv)))
    want = X.T @ (p * (1 - p) * (X @ vv)) / 20
    np.testing.assert_allclose(hv_rop(wv, vv), want, rtol=1e-10)
    np.testing.assert_allclose(hv_gg(wv, vv), want, rtol=1e-10)


def test_rop_structure_and_several_wrt(rng):
    x, y = T.vector("x"), T.vector("y")
    vx, vy = T.vector("vx"), T.vector("vy")
    out = [x * y, T.sin(x)]
    r = theon.Rop(out, [x, y], [vx, vy])
    assert isinstance(r, list) and len(r) == 2
    assert isinstance(theon.Rop(tuple(out), [x, y], [vx, vy]), tuple)
    single = theon.Rop(x * y, [x, y], [vx, vy])
    assert isinstance(single, T.TensorVariable)
    f = theon.function([x, y, vx, vy], r)
    a, b, da, db = (rng.standard_normal(3) for _ in range(4))
    got = f(a, b, da, db)
    np.testing.assert_allclose(got[0], da * b + a * db)
    np.testing.assert_allclose(got[1], np.cos(a) * da)


def test_rop_of_wrt_itself_and_disconnected_outputs():
    x, y, v = T.vector("x"), T.vector("y"), T.vector("v")
    with pytest.raises(theon.DisconnectedInputError):
        theon.Rop(y * 2, x, v)
    assert theon.Rop(y * 2, x, v, disconnected_outputs="ignore", return_disconnected="None") is None
    z = theon.Rop(y * 2, x, v, disconnected_outputs="ignore")
    np.testing.assert_array_equal(theon.function([y], z)(np.ones(3)), np.zeros(3))
    d = theon.Rop(y * 2, x, v, disconnected_outputs="ignore", return_disconnected="Disconnected")
    assert isinstance(d.type, theon.gradient.DisconnectedType)
    with pytest.warns(UserWarning, match="not part of the computational graph"):
        theon.Rop(y * 2, x, v, disconnected_outputs="warn")
    # Through a comparison only: no tangent either.
    with pytest.raises(theon.DisconnectedInputError):
        theon.Rop(T.cast(T.gt(x, 0), "float64"), x, v)


def test_rop_bad_inputs():
    x, v = T.vector("x"), T.matrix("v")
    with pytest.raises(ValueError, match="mismatched dimensionality: 1 versus 2"):
        theon.Rop(x * 2, x, v)
    with pytest.raises(ValueError, match="one eval point per wrt"):
        theon.Rop(x * 2, [x], [T.vector(), T.vector()])
    with pytest.raises(TypeError, match="wrt must be symbolic"):
        theon.Rop(x * 2, np.ones(3), T.vector())
    with pytest.raises(ValueError, match="disconnected_outputs"):
        theon.Rop(x * 2, x, T.vector(), disconnected_outputs="maybe")


def test_rop_integer_path_has_no_tangent(rng):
    x, v = T.vector("x"), T.vector("v")
    i = T.cast(x, "int32")
    out = x * 2 + T.cast(i, "float64")
    f = theon.function([x, v], theon.Rop(out, x, v), on_unused_input="ignore")
    np.testing.assert_allclose(f(np.array([1.5, 2.5]), np.array([1.0, 1.0])), [2.0, 2.0])
