"""Reductions against NumPy: axis int/tuple/negative/None, keepdims, dtypes."""
import numpy as np
import pytest

import theon
import theon.tensor as T

AXES = [None, 0, 1, 2, -1, -2, (0, 2), (1, 2), (0, 1, 2), (-1, 0)]


def _axis_id(a):
    return "None" if a is None else str(a).replace(" ", "")


def _data(rng, dtype, shape=(2, 3, 4)):
    if dtype == "bool":
        return rng.uniform(size=shape) < 0.6
    if np.dtype(dtype).kind in "iu":
        return rng.randint(1, 4, size=shape).astype(dtype)
    return rng.uniform(-1, 2, size=shape).astype(dtype)


# name, theon function, numpy function, dtypes, expected result dtype (None: same as input)
REDUCTIONS = [
    ("sum", T.sum, np.sum, ("float32", "float64", "int32", "int8", "int64"), None),
    ("prod", T.prod, np.prod, ("float64", "int16", "float32"), None),
    ("mean", T.mean, np.mean, ("float64", "float32", "int32"), None),
    ("var", T.var, np.var, ("float64", "float32"), None),
    ("std", T.std, np.std, ("float64", "float32"), None),
    ("max", T.max, np.max, ("float64", "float32", "int16", "uint8"), None),
    ("min", T.min, np.min, ("float64", "int32", "int8"), None),
    ("all", T.all, np.all, ("bool", "int32", "float64"), "bool"),
    ("any", T.any, np.any, ("bool", "int8", "float32"), "bool"),
]

_SUM_DTYPE = {"int8": "int64", "int16": "int64", "int32": "int64", "int64": "int64", "uint8": "uint64",
              "bool": "int64", "float32": "float32", "float64": "float64"}
_MEAN_DTYPE = {"int8": "float64", "int16": "float64", "int32": "float64", "int64": "float64",
               "float32": "float32", "float64": "float64"}


def _result_dtype(name, dtype):
    if name in ("sum", "prod"):
        return _SUM_DTYPE[dtype]
    if name in ("mean", "var", "std"):
        return _MEAN_DTYPE[dtype]
    if name in ("all", "any"):
        return "bool"
    return dtype


def _cases():
    for name, fn, ref, dtypes, _ in REDUCTIONS:
        for dt in dtypes:
            for ax in AXES:
                for kd in (False, True):
                    yield pytest.param(name, fn, ref, dt, ax, kd,
                                       id="%s-%s-%s-%s" % (name, dt, _axis_id(ax), "keep" if kd else "drop"))


@pytest.mark.parametrize("name, fn, ref, dtype, axis, keepdims", list(_cases()))
def test_reduction(name, fn, ref, dtype, axis, keepdims, rng):
    x = T.tensor3("x", dtype=dtype)
    v = _data(rng, dtype)
    out = fn(x, axis=axis, keepdims=keepdims)
    want_dtype = _result_dtype(name, dtype)
    assert out.dtype == want_dtype, "%s of %s gives %s, expected %s" % (name, dtype, out.dtype, want_dtype)
    want = ref(v.astype("float64") if want_dtype.startswith("float") else v, axis=axis, keepdims=keepdims)
    assert out.ndim == np.ndim(want)
    got = theon.function([x], out)(v)
    got = np.asarray(got)
    assert got.dtype == np.dtype(want_dtype)
    assert got.shape == np.shape(want)
    if want_dtype.startswith("float"):
        tol = 1e-5 if want_dtype == "float32" else 1e-12
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol)
    else:
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("axis", [None, 0, 1, -1, 2])
@pytest.mark.parametrize("fname", ["argmax", "argmin"])
def test_argmax_argmin(fname, axis, rng):
    x = T.tensor3("x")
    v = rng.permutation(24).reshape(2, 3, 4).astype("float64")  # no ties
    out = getattr(T, fname)(x, axis=axis)
    assert out.dtype == "int64"
    got = theon.function([x], out)(v)
    np.testing.assert_array_equal(got, getattr(np, fname)(v, axis=axis))
    # method form and keepdims
    out2 = getattr(x, fname)(axis=axis, keepdims=True)
    got2 = theon.function([x], out2)(v)
    want2 = getattr(np, fname)(v, axis=axis, keepdims=True)
    np.testing.assert_array_equal(got2, want2)


def test_argmax_ties_take_first():
    x = T.vector("x")
    got = theon.function([x], [T.argmax(x), T.argmin(x)])(np.array([1.0, 3.0, 3.0, 0.0, 0.0]))
    assert int(got[0]) == 1 and int(got[1]) == 3


def test_sum_int8_accumulates_in_int64():
    """Theano: sum of int8 is int64 and does not overflow."""
    x = T.bvector("x")
    out = x.sum()
    assert out.dtype == "int64"
    got = theon.function([x], out)(np.full(100, 100, dtype="int8"))
    assert got.dtype == np.int64 and int(got) == 10000


def test_sum_dtype_argument():
    x = T.fvector("x")
    out = T.sum(x, dtype="float64")
    assert out.dtype == "float64"
    np.testing.assert_allclose(theon.function([x], out)(np.ones(5, dtype="float32")), 5.0)


def test_method_forms(rng):
    x = T.matrix("x")
    v = rng.rand(3, 4)
    f = theon.function([x], [x.sum(), x.sum(axis=0), x.mean(axis=1), x.max(axis=1, keepdims=True),
                             x.min(), x.prod(axis=-1), x.var(), x.std(axis=0)])
    outs = f(v)
    refs = [v.sum(), v.sum(0), v.mean(1), v.max(1, keepdims=True), v.min(), v.prod(-1), v.var(), v.std(0)]
    for o, r in zip(outs, refs):
        np.testing.assert_allclose(o, r, rtol=1e-12)


def test_max_and_argmax(rng):
    x = T.matrix("x")
    v = rng.rand(3, 5)
    m, a = T.max_and_argmax(x, axis=1)
    got_m, got_a = theon.function([x], [m, a])(v)
    np.testing.assert_allclose(got_m, v.max(1))
    np.testing.assert_array_equal(got_a, v.argmax(1))


def test_reduce_empty_axis_tuple_is_identity(rng):
    x = T.matrix("x")
    v = rng.rand(2, 3)
    got = theon.function([x], T.sum(x, axis=()))(v)
    np.testing.assert_allclose(got, v)


def test_reduction_bad_axis_raises():
    x = T.matrix("x")
    with pytest.raises((ValueError, IndexError)) as e:
        T.sum(x, axis=2)
    assert "sum" in str(e.value).lower()
    with pytest.raises((ValueError, IndexError)):
        T.max(x, axis=(0, 0))


def test_reduce_of_broadcastable_dims(rng):
    r = T.row("r")
    v = rng.rand(1, 4)
    out = r.sum(axis=0)
    assert out.broadcastable == (False,)
    np.testing.assert_allclose(theon.function([r], out)(v), v.sum(0))
    out_k = r.sum(axis=1, keepdims=True)
    assert out_k.broadcastable == (True, True)
    np.testing.assert_allclose(theon.function([r], out_k)(v), v.sum(1, keepdims=True))


def test_mean_of_int():
    i = T.ivector("i")
    out = T.mean(i)
    assert out.dtype == "float64"
    np.testing.assert_allclose(theon.function([i], out)(np.array([1, 2], dtype="int32")), 1.5)
