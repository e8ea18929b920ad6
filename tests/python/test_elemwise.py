"""Every elementwise function of the scalar table against NumPy/SciPy, across
dtypes and broadcasting patterns, plus Theano's dtype rules."""
import numpy as np
import pytest
import scipy.special as sp

import theon
import theon.tensor as T

FLOATS = ("float32", "float64")
SINTS = ("int8", "int16", "int32", "int64")
INTS = SINTS + ("uint8",)
ALLNUM = FLOATS + INTS

# Theano's upgrade_to_float: small ints to float32, wider ones to float64.
_TO_FLOAT = {"bool": "float32", "int8": "float32", "int16": "float32", "uint8": "float32", "uint16": "float32",
             "int32": "float64", "int64": "float64", "uint32": "float64", "uint64": "float64",
             "float32": "float32", "float64": "float64"}


# ---- input domains ---------------------------------------------------------------------
# Each domain returns an array of the dtype and shape; integer variants stay
# in the function's domain too.

def _uniform(lo, hi):
    def gen(rng, shape, dtype):
        if np.dtype(dtype).kind == "b":
            return rng.uniform(size=shape) < 0.5
        if np.dtype(dtype).kind in "iu":
            ilo, ihi = int(np.ceil(lo)), int(np.floor(hi))
            if np.dtype(dtype).kind == "u":
                ilo = max(ilo, 0)
            return rng.randint(ilo, ihi + 1, size=shape).astype(dtype)
        return rng.uniform(lo, hi, size=shape).astype(dtype)
    return gen


REAL = _uniform(-3, 3)
POS = _uniform(0.2, 4)
UNIT = _uniform(-0.9, 0.9)
GT1 = _uniform(1.2, 4)
SMALL = _uniform(-1.2, 1.2)
GAMMA = _uniform(0.3, 5)


def NONZERO(rng, shape, dtype):
    x = _uniform(1, 5)(rng, shape, dtype)
    sign = np.where(rng.uniform(size=shape) < 0.5, -1, 1)
    if np.dtype(dtype).kind == "u":
        return x
    return (x * sign).astype(dtype)


def EXPONENT(rng, shape, dtype):
    if np.dtype(dtype).kind in "iu":
        return rng.randint(0, 4, size=shape).astype(dtype)
    return rng.uniform(-2, 2, size=shape).astype(dtype)


def SPECIAL(rng, shape, dtype):
    """Finite values plus nan and +-inf for isnan/isinf (floats only)."""
    x = REAL(rng, shape, dtype)
    if np.dtype(dtype).kind == "f":
        flat = x.reshape(-1)
        flat[0], flat[1 % flat.size], flat[2 % flat.size] = np.nan, np.inf, -np.inf
    return x


def HALVES(rng, shape, dtype):
    """Exact halves: round must go to even."""
    vals = np.array([-3.5, -2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 0.49, -0.51, 2.6, -2.4])
    return rng.choice(vals, size=shape).astype(dtype)


def BOOLS(rng, shape, dtype):
    if dtype == "bool":
        return rng.uniform(size=shape) < 0.5
    return REAL(rng, shape, dtype)


def DISCRETE(rng, shape, dtype):
    """Few distinct values, so that equal pairs occur (also for floats)."""
    if np.dtype(dtype).kind == "b":
        return rng.uniform(size=shape) < 0.5
    vals = [0, 1, 2] if np.dtype(dtype).kind == "u" else [-1, 0, 1]
    return rng.choice(vals, size=shape).astype(dtype)


def _floor_div(a, b):
    return np.floor_divide(a, b)


# ---- the table -----------------------------------------------------------------------------
# (name, theon function, numpy reference, domains (one per input), dtypes, type rule)
# rule: "upcast" (the inputs' common dtype), "float" (upgrade_to_float of it),
# "bool", "real" (abs: complex -> real, else upcast).
ELEMWISE_TABLE = [
    ("add", T.add, np.add, (REAL, REAL), ALLNUM + ("bool",), "upcast"),
    ("sub", T.sub, np.subtract, (REAL, REAL), FLOATS + SINTS, "upcast"),
    ("mul", T.mul, np.multiply, (REAL, REAL), ALLNUM + ("bool",), "upcast"),
    ("true_div", T.true_div, np.true_divide, (REAL, NONZERO), ALLNUM, "float"),
    ("int_div", T.int_div, _floor_div, (REAL, NONZERO), ALLNUM, "upcast"),
    ("mod", T.mod, np.mod, (REAL, NONZERO), FLOATS + SINTS, "upcast"),
    ("pow", T.pow, np.power, (POS, EXPONENT), ALLNUM, "upcast"),
    ("maximum", T.maximum, np.maximum, (REAL, REAL), ALLNUM + ("bool",), "upcast"),
    ("minimum", T.minimum, np.minimum, (REAL, REAL), ALLNUM + ("bool",), "upcast"),
    ("arctan2", T.arctan2, np.arctan2, (REAL, REAL), FLOATS + ("int16", "int32"), "float"),
    ("lt", T.lt, np.less, (REAL, REAL), ALLNUM, "bool"),
    ("gt", T.gt, np.greater, (REAL, REAL), ALLNUM, "bool"),
    ("le", T.le, np.less_equal, (REAL, REAL), ALLNUM, "bool"),
    ("ge", T.ge, np.greater_equal, (REAL, REAL), ALLNUM, "bool"),
    ("eq", T.eq, np.equal, (DISCRETE, DISCRETE), ALLNUM + ("bool",), "bool"),
    ("neq", T.neq, np.not_equal, (DISCRETE, DISCRETE), ALLNUM + ("bool",), "bool"),
    ("and_", T.and_, np.bitwise_and, (BOOLS, BOOLS), INTS + ("bool",), "upcast"),
    ("or_", T.or_, np.bitwise_or, (BOOLS, BOOLS), INTS + ("bool",), "upcast"),
    ("xor", T.xor, np.bitwise_xor, (BOOLS, BOOLS), INTS + ("bool",), "upcast"),
    ("neg", T.neg, np.negative, (REAL,), FLOATS + SINTS, "upcast"),
    ("abs", T.abs_, np.abs, (REAL,), FLOATS + SINTS, "real"),
    ("sgn", T.sgn, np.sign, (REAL,), FLOATS + SINTS, "upcast"),
    ("sqr", T.sqr, np.square, (REAL,), ALLNUM, "upcast"),
    ("sqrt", T.sqrt, np.sqrt, (POS,), ALLNUM, "float"),
    ("inv", T.inv, np.reciprocal, (NONZERO,), FLOATS + ("int8", "int32"), "float"),
    ("exp", T.exp, np.exp, (REAL,), ALLNUM, "float"),
    ("exp2", T.exp2, np.exp2, (REAL,), FLOATS + ("int16", "int64"), "float"),
    ("expm1", T.expm1, np.expm1, (SMALL,), FLOATS + ("int8", "int32"), "float"),
    ("log", T.log, np.log, (POS,), ALLNUM, "float"),
    ("log2", T.log2, np.log2, (POS,), FLOATS + ("int16", "int32"), "float"),
    ("log10", T.log10, np.log10, (POS,), FLOATS + ("int16", "int32"), "float"),
    ("log1p", T.log1p, np.log1p, (POS,), FLOATS + ("int8", "int64"), "float"),
    ("sin", T.sin, np.sin, (REAL,), ALLNUM, "float"),
    ("cos", T.cos, np.cos, (REAL,), ALLNUM, "float"),
    ("tan", T.tan, np.tan, (SMALL,), FLOATS + ("int8", "int32"), "float"),
    ("arcsin", T.arcsin, np.arcsin, (UNIT,), FLOATS + ("int8", "int32"), "float"),
    ("arccos", T.arccos, np.arccos, (UNIT,), FLOATS + ("int8", "int32"), "float"),
    ("arctan", T.arctan, np.arctan, (REAL,), FLOATS + ("int16", "int64"), "float"),
    ("sinh", T.sinh, np.sinh, (REAL,), FLOATS + ("int8", "int32"), "float"),
    ("cosh", T.cosh, np.cosh, (REAL,), FLOATS + ("int8", "int32"), "float"),
    ("tanh", T.tanh, np.tanh, (REAL,), ALLNUM, "float"),
    ("arcsinh", T.arcsinh, np.arcsinh, (REAL,), FLOATS + ("int8", "int32"), "float"),
    ("arccosh", T.arccosh, np.arccosh, (GT1,), FLOATS + ("int16", "int64"), "float"),
    ("arctanh", T.arctanh, np.arctanh, (UNIT,), FLOATS + ("int8",), "float"),
    ("floor", T.floor, np.floor, (REAL,), FLOATS + ("int8", "int32"), "float"),
    ("ceil", T.ceil, np.ceil, (REAL,), FLOATS + ("int8", "int32"), "float"),
    ("trunc", T.trunc, np.trunc, (REAL,), FLOATS + ("int16",), "float"),
    ("round", T.round, np.round, (HALVES,), FLOATS, "upcast"),
    ("round_half_to_even", T.round_half_to_even, np.round, (HALVES,), FLOATS, "upcast"),
    ("invert", T.invert, np.invert, (BOOLS,), INTS + ("bool",), "upcast"),
    ("isnan", T.isnan, np.isnan, (SPECIAL,), FLOATS + ("int32",), "bool"),
    ("isinf", T.isinf, np.isinf, (SPECIAL,), FLOATS + ("int32",), "bool"),
    ("identity", T.identity, lambda x: x, (REAL,), ALLNUM + ("bool",), "upcast"),
    ("sigmoid", T.sigmoid, sp.expit, (REAL,), FLOATS + ("int8", "int32"), "float"),
    ("softplus", T.softplus, lambda x: np.logaddexp(0, x), (REAL,), FLOATS + ("int16",), "float"),
    ("erf", T.erf, sp.erf, (REAL,), FLOATS + ("int8", "int32"), "float"),
    ("erfc", T.erfc, sp.erfc, (REAL,), FLOATS + ("int8",), "float"),
    ("gamma", T.gamma, sp.gamma, (GAMMA,), FLOATS + ("int16",), "float"),
    ("gammaln", T.gammaln, sp.gammaln, (GAMMA,), FLOATS + ("int32",), "float"),
    ("psi", T.psi, sp.psi, (GAMMA,), FLOATS + ("int8",), "float"),
    ("tri_gamma", T.tri_gamma, lambda x: sp.polygamma(1, x), (GAMMA,), FLOATS, "float"),
    ("erfinv", T.erfinv, sp.erfinv, (UNIT,), FLOATS, "float"),
    ("erfcinv", T.erfcinv, sp.erfcinv, (_uniform(0.01, 1.99),), FLOATS, "float"),
    ("erfcx", T.erfcx, sp.erfcx, (REAL,), FLOATS + ("int8",), "float"),
    ("j0", T.j0, sp.j0, (REAL,), FLOATS + ("int16",), "float"),
    ("j1", T.j1, sp.j1, (REAL,), FLOATS, "float"),
    ("i0", T.i0, sp.i0, (REAL,), FLOATS + ("int32",), "float"),
    ("i1", T.i1, sp.i1, (REAL,), FLOATS, "float"),
    ("gammainc", T.gammainc, sp.gammainc, (GAMMA, GAMMA), FLOATS, "float"),
    ("gammaincc", T.gammaincc, sp.gammaincc, (GAMMA, GAMMA), FLOATS + ("int16",), "float"),
    ("gammal", T.gammal, lambda k, x: sp.gammainc(k, x) * sp.gamma(k), (GAMMA, GAMMA), FLOATS, "float"),
    ("gammau", T.gammau, lambda k, x: sp.gammaincc(k, x) * sp.gamma(k), (GAMMA, GAMMA), FLOATS, "float"),
    ("chi2sf", T.chi2sf, lambda x, k: sp.chdtrc(k, x), (GAMMA, GAMMA), FLOATS, "float"),
    ("jv", T.jv, sp.jv, (REAL, GAMMA), FLOATS, "float"),
    ("iv", T.iv, sp.iv, (REAL, GAMMA), FLOATS + ("int32",), "float"),
    ("clip", T.clip, np.clip, (REAL, _uniform(-2, -0.5), _uniform(0.5, 2)), FLOATS + SINTS, "upcast"),
    ("switch", T.switch, np.where, (BOOLS, REAL, REAL), FLOATS + SINTS, "switch"),
    ("second", T.second, lambda a, b: np.broadcast_to(b, np.broadcast(a, b).shape), (REAL, REAL), ALLNUM,
     "second"),
]

_ROW_NAMES = [r[0] for r in ELEMWISE_TABLE]


def test_table_covers_every_scalar_op():
    """Every row of the C++ scalar table has a row here (so a new op gets tested)."""
    core_names = {n for n, _ in theon._core.scalar_ops()}
    # the complex parts take complex tensors: tests/python/test_special.py
    ours = set(_ROW_NAMES) | {"round", "xor", "switch", "abs", "real", "imag", "conj", "angle", "complex"}
    missing = core_names - ours - {"round_half_to_even"}
    assert not missing, "scalar ops without a test row: %s" % sorted(missing)


def _expected_dtype(rule, dtypes):
    if rule == "second":
        return dtypes[1]
    if rule == "switch":
        dtypes = dtypes[1:]
    up = str(np.result_type(*[np.dtype(d) for d in dtypes]))
    if rule == "bool":
        return "bool"
    if rule == "float":
        return _TO_FLOAT[up]
    return up


def _check_values(got, want, out_dtype):
    got = np.asarray(got)
    assert got.dtype == np.dtype(out_dtype), "dtype %s, expected %s" % (got.dtype, out_dtype)
    want = np.asarray(want)
    assert got.shape == want.shape
    if np.dtype(out_dtype).kind == "f":
        tol = dict(rtol=2e-5, atol=2e-6) if out_dtype == "float32" else dict(rtol=1e-8, atol=1e-12)
        np.testing.assert_allclose(got, want.astype(out_dtype), equal_nan=True, **tol)
    else:
        np.testing.assert_array_equal(got, want.astype(out_dtype))


def _cases():
    for name, fn, ref, domains, dtypes, rule in ELEMWISE_TABLE:
        for dt in dtypes:
            yield pytest.param(name, fn, ref, domains, dt, rule, id="%s-%s" % (name, dt))


@pytest.mark.parametrize("name, fn, ref, domains, dtype, rule", list(_cases()))
def test_elemwise_values_and_dtype(name, fn, ref, domains, dtype, rule, rng):
    """Each op on matrices of one dtype: values vs NumPy, output dtype by Theano's rules."""
    dts = [dtype] * len(domains)
    if name == "switch":
        dts[0] = "bool"
    variables = [T.matrix("in%d" % i, dtype=d) for i, d in enumerate(dts)]
    values = [dom(rng, (3, 4), d) for dom, d in zip(domains, dts)]
    out = fn(*variables)
    want_dtype = _expected_dtype(rule, dts)
    assert out.dtype == want_dtype, "%s(%s) has dtype %s, expected %s" % (name, dts, out.dtype, want_dtype)
    assert out.ndim == 2
    f = theon.function(variables, out)
    got = f(*values)
    # Reference in float64 for float outputs (theon may compute float32 in float32).
    if np.dtype(want_dtype).kind == "f":
        ref_in = [v.astype("float64") if v.dtype != bool else v for v in values]
    else:
        ref_in = values
    with np.errstate(all="ignore"):
        want = ref(*ref_in)
    _check_values(got, want, want_dtype)


# ---- broadcasting ---------------------------------------------------------------------------

def _bcast_patterns():
    """(name, builder of the symbolic inputs, shapes of the values)."""
    return [
        ("matrix-row", lambda: (T.matrix("a"), T.row("b")), [(3, 4), (1, 4)]),
        ("col-row", lambda: (T.col("a"), T.row("b")), [(3, 1), (1, 4)]),
        ("matrix-scalar", lambda: (T.matrix("a"), T.scalar("b")), [(3, 4), ()]),
        ("scalar-vector", lambda: (T.scalar("a"), T.vector("b")), [(), (4,)]),
        ("vector-matrix", lambda: (T.vector("a"), T.matrix("b")), [(4,), (3, 4)]),
        ("col-matrix", lambda: (T.col("a"), T.matrix("b")), [(3, 1), (3, 4)]),
    ]


_BINARY_FLOAT = [r for r in ELEMWISE_TABLE if len(r[3]) == 2 and "float64" in r[4]]


@pytest.mark.parametrize("pattern, build, shapes", _bcast_patterns(), ids=[p[0] for p in _bcast_patterns()])
@pytest.mark.parametrize("row", _BINARY_FLOAT, ids=[r[0] for r in _BINARY_FLOAT])
def test_binary_broadcasting(row, pattern, build, shapes, rng):
    name, fn, ref, domains, _, rule = row
    a, b = build()
    va = domains[0](rng, shapes[0], "float64")
    vb = domains[1](rng, shapes[1], "float64")
    out = fn(a, b)
    want = ref(va, vb)
    assert out.ndim == np.ndim(want)
    # A result dim is broadcastable only when every (left-padded) input's is.
    pa = (True,) * (out.ndim - a.ndim) + a.broadcastable
    pb = (True,) * (out.ndim - b.ndim) + b.broadcastable
    assert out.broadcastable == tuple(x and y for x, y in zip(pa, pb))
    got = theon.function([a, b], out)(va, vb)
    _check_values(got, want, _expected_dtype(rule, ["float64", "float64"]))


def test_broadcastable_pattern_of_result():
    """col + row is a full matrix; row + row stays a row; vector + scalar a vector."""
    assert (T.col() + T.row()).broadcastable == (False, False)
    assert (T.row() + T.row()).broadcastable == (True, False)
    assert (T.col() * 2).broadcastable == (False, True)
    assert (T.vector() + T.scalar()).broadcastable == (False,)
    assert (T.matrix() + T.vector()).broadcastable == (False, False)


def test_dimshuffle_broadcast_add(rng):
    """The tutorial's way to broadcast a vector over rows: v.dimshuffle('x', 0)."""
    m, v = T.matrix("m"), T.vector("v")
    out = m + v.dimshuffle("x", 0)
    vm, vv = rng.rand(3, 4), rng.rand(4)
    np.testing.assert_allclose(theon.function([m, v], out)(vm, vv), vm + vv)
    out2 = m * v.dimshuffle(0, "x")
    vv3 = rng.rand(3)
    np.testing.assert_allclose(theon.function([m, v], out2)(vm, vv3), vm * vv3[:, None])


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32"])
def test_ternary_broadcasting(dtype, rng):
    x = T.matrix("x", dtype=dtype)
    lo = T.row("lo", dtype=dtype)
    hi = T.scalar("hi", dtype=dtype)
    vx = REAL(rng, (3, 4), dtype)
    vlo = _uniform(-2, -1)(rng, (1, 4), dtype)
    vhi = np.asarray(1, dtype=dtype)
    got = theon.function([x, lo, hi], T.clip(x, lo, hi))(vx, vlo, vhi)
    _check_values(got, np.clip(vx, vlo, vhi), dtype)
    c = T.col("c", dtype="bool")
    vc = rng.uniform(size=(3, 1)) < 0.5
    got = theon.function([c, x, hi], T.switch(c, x, hi))(vc, vx, vhi)
    _check_values(got, np.where(vc, vx, vhi), dtype)


# ---- dtype rules -------------------------------------------------------------------------

def test_float32_times_python_float_stays_float32():
    x = T.fvector("x")
    assert (x * 2.0).dtype == "float32"
    assert (2.0 * x).dtype == "float32"
    assert (x + 0.5).dtype == "float32"
    out = theon.function([x], x * 2.0)(np.array([1, 2], dtype="float32"))
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [2, 4])


def test_float32_plus_inexact_python_float_is_float64():
    """1.1 is not exact in float32, so with floatX=float64 it is a float64 constant."""
    x = T.fvector("x")
    out = x + 1.1
    assert out.dtype == "float64"
    got = theon.function([x], out)(np.array([1.0], dtype="float32"))
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, np.float64(np.float32(1.0)) + 1.1)


def test_float32_plus_python_float_with_floatx_float32():
    with theon.config.change_flags(floatX="float32"):
        x = T.fvector("x")
        assert (x + 1.1).dtype == "float32"


def test_uint8_vector_plus_python_int_upcasts_like_theano():
    """Theano types the Python int 1 as int8, and uint8 + int8 is int16."""
    x = T.vector("x", dtype="uint8")
    out = x + 1
    assert out.dtype == "int16"
    np.testing.assert_array_equal(theon.function([x], out)(np.array([1, 255], dtype="uint8")), [2, 256])


@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "int64"])
def test_int_vector_plus_python_int_keeps_dtype(dtype):
    x = T.vector("x", dtype=dtype)
    out = x + 1
    assert out.dtype == dtype
    got = theon.function([x], out)(np.array([1, 2, 3], dtype=dtype))
    assert got.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(got, [2, 3, 4])


def test_int8_plus_large_python_int_upcasts():
    x = T.bvector("x")
    assert (x + 1000).dtype == "int16"
    assert (x + 100000).dtype == "int32"


def test_int8_overflow_wraps_like_numpy():
    x = T.bvector("x")
    got = theon.function([x], x + 100)(np.array([100, -100, 27], dtype="int8"))
    assert got.dtype == np.int8
    np.testing.assert_array_equal(got, np.array([100, -100, 27], dtype="int8") + np.int8(100))


@pytest.mark.parametrize("dtype, want", [("int8", "float32"), ("int16", "float32"), ("uint8", "float32"),
                                         ("int32", "float64"), ("int64", "float64"), ("bool", "float32"),
                                         ("float32", "float32"), ("float64", "float64")])
def test_exp_of_int_is_float(dtype, want):
    x = T.vector("x", dtype=dtype)
    assert T.exp(x).dtype == want
    assert T.sqrt(x).dtype == want


@pytest.mark.parametrize("dtype, want", [("int8", "float32"), ("int16", "float32"), ("int32", "float64"),
                                         ("int64", "float64")])
def test_int_true_division(dtype, want):
    a, b = T.vector("a", dtype=dtype), T.vector("b", dtype=dtype)
    out = a / b
    assert out.dtype == want
    got = theon.function([a, b], out)(np.array([1, 7, -3], dtype=dtype), np.array([2, 2, 2], dtype=dtype))
    assert got.dtype == np.dtype(want)
    np.testing.assert_allclose(got, [0.5, 3.5, -1.5])


def test_int_floor_division_and_mod():
    a, b = T.ivector("a"), T.ivector("b")
    va, vb = np.array([7, -7, 7, -7], dtype="int32"), np.array([2, 2, -2, -2], dtype="int32")
    f = theon.function([a, b], [a // b, a % b])
    q, r = f(va, vb)
    assert q.dtype == np.int32 and r.dtype == np.int32
    np.testing.assert_array_equal(q, va // vb)
    np.testing.assert_array_equal(r, va % vb)


@pytest.mark.parametrize("op", ["lt", "gt", "le", "ge", "eq", "neq"])
def test_comparisons_give_bool(op):
    x, y = T.fmatrix(), T.imatrix()
    out = getattr(T, op)(x, y)
    assert out.dtype == "bool"


def test_comparison_operators(rng):
    x, y = T.vector("x"), T.vector("y")
    vx, vy = np.array([1.0, 2.0, 3.0]), np.array([3.0, 2.0, 1.0])
    f = theon.function([x, y], [x < y, x > y, x <= y, x >= y, T.eq(x, y), T.neq(x, y)])
    outs = f(vx, vy)
    for o, w in zip(outs, [vx < vy, vx > vy, vx <= vy, vx >= vy, vx == vy, vx != vy]):
        assert o.dtype == np.bool_
        np.testing.assert_array_equal(o, w)


def test_mixed_dtype_upcast():
    assert (T.bvector() + T.wvector()).dtype == "int16"
    assert (T.ivector() + T.fvector()).dtype == "float64"
    assert (T.wvector() + T.fvector()).dtype == "float32"
    assert (T.lvector() * T.dvector()).dtype == "float64"
    assert (T.bvector() * T.fscalar()).dtype == "float32"


def test_round_is_half_to_even():
    x = T.vector("x")
    v = np.array([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 3.5, 0.4999, 2.5001])
    got = theon.function([x], T.round(x))(v)
    np.testing.assert_array_equal(got, [0.0, 2.0, 2.0, -0.0, -2.0, -2.0, 4.0, 0.0, 3.0])
    got2 = theon.function([x], x.round())(v)
    np.testing.assert_array_equal(got2, np.round(v))


def test_python_operators_match_numpy(rng):
    x, y = T.matrix("x"), T.matrix("y")
    vx, vy = rng.uniform(0.5, 2, (2, 3)), rng.uniform(0.5, 2, (2, 3))
    exprs = [x + y, x - y, x * y, x / y, x ** y, -x, abs(-x), 3 - x, 3 / x, 2 ** x, x // y, x % y]
    refs = [vx + vy, vx - vy, vx * vy, vx / vy, vx ** vy, -vx, vx, 3 - vx, 3 / vx, 2 ** vx, vx // vy, vx % vy]
    outs = theon.function([x, y], exprs)(vx, vy)
    for o, r in zip(outs, refs):
        np.testing.assert_allclose(o, r, rtol=1e-12)


def test_numpy_array_on_the_left(rng):
    x = T.vector("x")
    a = np.array([1.0, 2.0, 3.0])
    out = a + x
    assert isinstance(out, T.TensorVariable)
    np.testing.assert_allclose(theon.function([x], out)(np.ones(3)), a + 1)


def test_cast(rng):
    x = T.vector("x")
    v = np.array([-1.7, 0.2, 2.9, 300.0])
    out = T.cast(x, "int32")
    assert out.dtype == "int32"
    np.testing.assert_array_equal(theon.function([x], out)(v), v.astype("int32"))
    assert T.cast(x, "floatX").dtype == "float64"
    assert x.astype("float32").dtype == "float32"
    b = T.cast(x, "bool")
    np.testing.assert_array_equal(theon.function([x], b)(np.array([0.0, 1.5, -2.0, 0.0])), [False, True, True, False])


def test_unsupported_dtype_is_a_type_error():
    """Bitwise ops are not defined on floats; the message names the op and dtype."""
    with pytest.raises(TypeError) as e:
        T.and_(T.fvector(), T.fvector())
    assert "and_" in str(e.value) and "float32" in str(e.value)


def test_elemwise_on_complex():
    z = T.zvector("z")
    v = np.array([1 + 2j, -1j, 3.0])
    out = theon.function([z], [T.exp(z), abs(z), z * z])(v)
    np.testing.assert_allclose(out[0], np.exp(v))
    assert out[1].dtype == np.float64
    np.testing.assert_allclose(out[1], np.abs(v))
    np.testing.assert_allclose(out[2], v * v)
