"""Sort, argsort, cumsum/cumprod, nonzero and specify_shape beyond the
conformance table: NumPy's NaN order and stability, integer and bool dtypes,
R-ops, and the run-time errors of the functions built on them."""
import numpy as np
import pytest

import theon
import theon.tensor as T

INTS = ["int8", "int32", "int64", "uint16", "uint64"]


@pytest.mark.parametrize("dtype", INTS + ["float32", "float64", "bool"])
def test_sort_and_argsort_every_real_dtype(dtype):
    rng = np.random.default_rng(0)
    v = (rng.integers(0, 5, (4, 9)) if dtype != "bool" else rng.integers(0, 2, (4, 9))).astype(dtype)
    x = T.tensor(dtype, (False, False))
    f = theon.function([x], [T.sort(x), T.argsort(x), T.sort(x, axis=0), T.argsort(x, axis=None)])
    s, a, s0, af = f(v)
    assert s.dtype == v.dtype and a.dtype == np.int64
    np.testing.assert_array_equal(s, np.sort(v))
    np.testing.assert_array_equal(a, np.argsort(v, kind="stable"))  # ties keep their order
    np.testing.assert_array_equal(s0, np.sort(v, axis=0))
    np.testing.assert_array_equal(af, np.argsort(v, axis=None, kind="stable"))


def test_nan_and_inf_sort_as_numpy():
    v = np.array([3.0, np.nan, -np.inf, 1.0, np.inf, np.nan, -0.0, 0.0])
    x = T.dvector()
    s, a = theon.function([x], [T.sort(x), T.argsort(x)])(v)
    np.testing.assert_array_equal(s, np.sort(v))
    np.testing.assert_array_equal(a, np.argsort(v, kind="stable"))


def test_sort_rejects_complex_and_0d():
    with pytest.raises(TypeError, match="Sort.*complex values have no order"):
        T.sort(T.zvector())
    with pytest.raises(IndexError, match="sort: axis 1 is out of bounds"):
        T.sort(T.dvector(), axis=1)


@pytest.mark.parametrize("dtype,want", [("int8", "int8"), ("int32", "int32"), ("uint8", "uint8"),
                                        ("float32", "float32"), ("bool", "int64"), ("complex128", "complex128")])
def test_cumsum_cumprod_dtypes(dtype, want):
    v = np.array([[1, 2, 0], [3, 1, 1]]).astype(dtype)
    x = T.tensor(dtype, (False, False))
    cs, cp, csf = theon.function([x], [T.cumsum(x, axis=1), T.cumprod(x, axis=0), T.cumsum(x)])(v)
    assert cs.dtype == want and cp.dtype == want
    np.testing.assert_array_equal(cs, np.cumsum(v, axis=1).astype(want))
    np.testing.assert_array_equal(cp, np.cumprod(v, axis=0).astype(want))
    np.testing.assert_array_equal(csf, np.cumsum(v).astype(want))


def test_float32_cumsum_accumulates_in_order_as_numpy():
    v = np.random.default_rng(1).uniform(0, 1, 10000).astype("float32")
    x = T.fvector()
    np.testing.assert_array_equal(theon.function([x], T.cumsum(x))(v), np.cumsum(v))


@pytest.mark.parametrize("build", [lambda x: T.cumsum(x, axis=1), lambda x: T.cumprod(x, axis=0),
                                   lambda x: T.sort(x, axis=1), lambda x: T.topk(x, 2)], ids=["cumsum", "cumprod",
                                                                                               "sort", "topk"])
def test_rop_matches_finite_differences(build):
    rng = np.random.default_rng(2)
    x, t = T.dmatrix("x"), T.dmatrix("t")
    xv, tv = rng.uniform(0.5, 1.5, (3, 4)), rng.uniform(-1, 1, (3, 4))
    f = theon.function([x], build(x))
    jv = theon.function([x, t], T.Rop(build(x), x, t), on_unused_input="ignore")(xv, tv)  # linear: no x
    eps = 1e-6
    np.testing.assert_allclose(jv, (f(xv + eps * tv) - f(xv - eps * tv)) / (2 * eps), rtol=1e-6, atol=1e-8)


def test_nonzero_0d_rejected():
    with pytest.raises(ValueError, match="Nonzero: a 0-d input has no positions"):
        T.nonzero(T.dscalar())


def test_nonzero_of_empty_and_all_zero():
    x = T.dmatrix()
    f = theon.function([x], list(T.nonzero(x)))
    for v in (np.zeros((0, 3)), np.zeros((2, 3))):
        got = f(v)
        want = np.nonzero(v)
        assert [g.shape for g in got] == [w.shape for w in want] and got[0].dtype == np.int64


def _raises(fn_inputs, out, values, exc, match):
    f = theon.function(fn_inputs, out)
    with pytest.raises(exc, match=match):
        f(*values)


def test_split_sizes_must_add_up():
    x, s = T.dvector(), T.lvector()
    _raises([x, s], T.split(x, s, 2), [np.ones(5), np.array([2, 2])], AssertionError,
            r"split: 2 sizes along axis 0 .* must be non-negative and add up to the axis length(.|\n)*"
            r"Inputs values: \[\[2, 2\], False\](.|\n)*test_sort_scan.py")
    # large inputs are not shown
    _raises([x], T.take(x, [12]), [np.ones(12)], IndexError, r"Inputs values: \['not shown', \[12\]\]")
    _raises([x, s], T.split(x, s, 2), [np.ones(5), np.array([6, -1])], AssertionError, "non-negative")
    # the right sizes work with symbolic sizes too
    a, b = theon.function([x, s], T.split(x, s, 2))(np.arange(5.0), np.array([2, 3]))
    np.testing.assert_array_equal(a, [0, 1]) and np.testing.assert_array_equal(b, [2, 3, 4])


def test_runtime_checks_of_composed_functions():
    x, i = T.dmatrix(), T.lvector()
    _raises([x, i], T.repeat(x, i, axis=1), [np.ones((2, 3)), np.array([1, 2])], AssertionError,
            "repeat: repeats needs one non-negative count per element of axis 1")
    _raises([i], T.bincount(i), [np.array([1, -2])], AssertionError, "bincount: x must not have negative values")
    _raises([x], T.topk(x, 5), [np.ones((2, 3))], AssertionError, "topk: |kth| must not exceed")
    _raises([x, i], T.take(x, i, axis=1), [np.ones((2, 3)), np.array([0, 3])], IndexError, "3")
    _raises([i], T.unravel_index(i, (2, 3)), [np.array([6])], AssertionError, "unravel_index: an index is out of")
    _raises([i], T.choose(i, [1.0, 2.0]), [np.array([2])], AssertionError, "choose: an index is out of range")


def test_specify_shape_and_broadcast_patterns_check_at_run_time():
    x = T.dmatrix()
    _raises([x], T.specify_shape(x, (2, 3)), [np.ones((2, 4))], ValueError,
            r"SpecifyShape\{2, 3\}: axis 1 of the input \(shape \(2, 4\)\) has length 4, not 3")
    s = T.lvector()
    _raises([x, s], T.specify_shape(x, s), [np.ones((2, 4)), np.array([2, 5])], ValueError,
            r"the input has shape \(2, 4\), but \(2, 5\) was specified")
    _raises([x], T.addbroadcast(x, 0), [np.ones((3, 4))], ValueError, "axis 0 of the input .* has length 3, not 1")
    y = T.specify_shape(x, (2, 3))
    assert y.static_shape == (2, 3)
    assert T.addbroadcast(x, 1).broadcastable == (False, True)
    assert T.unbroadcast(T.row(), 0).broadcastable == (False, False)
    with pytest.raises(ValueError, match="has length 3, not 1"):
        T.addbroadcast(T.specify_shape(x, (3, 2)), 0)


def test_specify_shape_gradient_keeps_the_input_type():
    x = T.dmatrix()
    g = T.grad(T.sum(T.addbroadcast(x[:1], 0) * 3), x)
    np.testing.assert_array_equal(theon.function([x], g)(np.ones((3, 2))), [[3, 3], [0, 0], [0, 0]])


def test_unique_nan_empty_and_ints():
    x = T.dvector()
    f = theon.function([x], list(T.unique(x, True, True, True)))
    for v in (np.array([3.0, np.nan, 1.0, np.nan, 3.0, -0.0, 0.0]), np.zeros(0), np.array([2.0])):
        for got, want in zip(f(v), np.unique(v, True, True, True)):
            np.testing.assert_array_equal(got, np.asarray(want).reshape(got.shape))
    i = T.lvector()
    np.testing.assert_array_equal(theon.function([i], T.unique(i))(np.array([5, -1, 5, 2**62])), [-1, 5, 2**62])
    with pytest.raises(NotImplementedError, match="unique: axis= is not supported"):
        T.unique(x, axis=0)


def test_searchsorted_sides_nan_and_exact_int64():
    a, v = T.dvector(), T.dvector()
    f = theon.function([a, v], [T.searchsorted(a, v), T.searchsorted(a, v, side="right")])
    av, vv = np.array([1.0, 2.0, 2.0, 5.0, np.nan]), np.array([2.0, np.nan, -np.inf, 9.0, 0.5])
    left, right = f(av, vv)
    np.testing.assert_array_equal(left, np.searchsorted(av, vv))
    np.testing.assert_array_equal(right, np.searchsorted(av, vv, side="right"))
    ia, iv = T.lvector(), T.lvector()
    big = np.array([2**62, 2**62 + 1, 2**62 + 3])  # not exact in float64: compared as int64
    got = theon.function([ia, iv], T.searchsorted(ia, iv))(big, np.array([2**62 + 1, 2**62 + 2]))
    np.testing.assert_array_equal(got, [1, 2])
