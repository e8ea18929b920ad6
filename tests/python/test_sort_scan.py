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
    _raises([x], T.topk(x, 5), [np.ones((2, 3))], ValueError, "k = 5 must be nonzero and at most the length 3 of axis 1")
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
    v = np.array([3.0, 1.0, 3.0])
    np.testing.assert_array_equal(theon.function([x], T.unique(x, axis=0))(v), np.unique(v, axis=0))


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


# ---- topk: one TopK op (a partial sort), Theano's TopKOp ----------------------------------

def _top(v, k, axis):
    """NumPy's reference: the |k| most extreme along axis, most extreme first (argsort's order)."""
    order = np.argsort(v, axis=axis, kind="stable")
    n = v.shape[axis]
    pos = np.flip(np.take(order, range(n - k, n), axis=axis), axis) if k > 0 else np.take(order, range(-k), axis=axis)
    return np.take_along_axis(v, pos, axis), pos


@pytest.mark.parametrize("mode", ["FAST_RUN", "FAST_COMPILE"])
@pytest.mark.parametrize("dtype", ["float64", "float32", "int8", "uint16", "int64"])
@pytest.mark.parametrize("k,axis", [(2, -1), (-3, 0), (1, 1), (-4, -1), (3, None)])
def test_topk_values_and_positions_match_numpy(dtype, k, axis, mode):
    rng = np.random.default_rng(3)
    v = rng.permutation(60).reshape(5, 12).astype(dtype)  # distinct values: one right answer
    x = T.tensor(dtype, (False, False))
    vals, pos = T.topk_and_argtopk(x, k, axis=axis, idx_dtype="int32")
    f = theon.function([x], [vals, pos, T.topk(x, k, axis=axis), T.argtopk(x, k, axis=axis)], mode=mode)
    got_v, got_p, only_v, only_p = f(v)
    flat, ax = (v.ravel(), 0) if axis is None else (v, axis)
    want_v, want_p = _top(flat, k, ax)
    assert got_v.dtype == v.dtype and got_p.dtype == np.int32 and only_p.dtype == np.int64
    np.testing.assert_array_equal(got_v, want_v)
    np.testing.assert_array_equal(got_p, want_p)
    np.testing.assert_array_equal(only_v, want_v)
    np.testing.assert_array_equal(only_p, want_p)


def test_topk_nan_counts_as_largest_and_ties_follow_argsort():
    v = np.array([1.0, np.nan, 3.0, 3.0, -np.inf, 1.0])
    x = T.dvector()
    top, bottom = theon.function([x], [T.argtopk(x, 3), T.argtopk(x, -3)])(v)
    order = np.argsort(v, kind="stable")
    np.testing.assert_array_equal(top, order[::-1][:3])
    np.testing.assert_array_equal(bottom, order[:3])


def test_topk_symbolic_k_and_its_errors():
    x, k = T.dmatrix(), T.iscalar()
    f = theon.function([x, k], [T.topk(x, k, axis=0), T.topk(x, k).shape])
    v = np.random.default_rng(0).random((4, 6))
    for kv in (1, -4, 3):
        np.testing.assert_array_equal(f(v, kv)[0], _top(v, kv, 0)[0])
        assert tuple(f(v, kv)[1]) == (4, abs(kv))
    for bad in (0, 5, -5):
        with pytest.raises(ValueError, match=r"TopK\{axis=0,values\}: k = %d must be nonzero and at most the length 4"
                           % bad):
            f(v, bad)
    with pytest.raises(ValueError, match="k must not be 0"):
        T.topk(x, 0)
    with pytest.raises(ValueError, match=r"\|k\| = 7 exceeds the length 6 of axis 0"):
        T.topk(T.specify_shape(T.dvector(), (6,)), 7)
    with pytest.raises(TypeError, match="kth must be an integer scalar"):
        T.topk(x, T.dscalar())
    with pytest.raises(TypeError, match="complex values have no order"):
        T.topk(T.zvector(), 1)


def test_topk_gradient_scatters_back_and_pairs_with_its_positions():
    from theon.tests import unittest_tools as utt
    v = np.random.default_rng(2).permutation(24).reshape(2, 3, 4) / 7.0
    for k, axis in [(2, 1), (-3, 2), (1, 0)]:
        utt.verify_grad(lambda t: T.topk(t, k, axis=axis) ** 2, [v])
    x = T.dtensor3()
    g = T.grad((T.topk(x, 2, axis=1) ** 2).sum(), x)
    f = theon.function([x], g)
    topks = [n for n in f.maker.fgraph.apply_nodes if n.op.kind == "TopK"]
    # topk_pair: the gradient's positions come from the forward TopK node
    assert len(topks) == 1 and topks[0].op.return_values and topks[0].op.return_indices
    vals, pos = _top(v, 2, 1)
    want = np.zeros_like(v)
    np.put_along_axis(want, pos, 2 * vals, 1)
    np.testing.assert_allclose(f(v), want)
    assert T.grad(T.argtopk(x, 2).sum() * 1.0, x, disconnected_inputs="ignore") is not None


def test_topk_is_theanos_topkop_and_its_shape_needs_no_sort():
    from theon.tensor.sort import TopKOp, SortOp
    x = T.dmatrix()
    v, i = T.topk_and_argtopk(x, 3, axis=0, idx_dtype="int16")
    op = v.owner.op
    assert isinstance(op, TopKOp) and not isinstance(op, SortOp) and i.owner is v.owner
    assert (op.axis, op.return_values, op.return_indices, op.idx_dtype) == (0, True, True, "int16")
    assert len(T.topk(x, 2).owner.outputs) == 1
    built = TopKOp(axis=1, return_values=False, idx_dtype="int32")(x, 2)
    assert built.dtype == "int32" and built.owner.op.return_indices and not built.owner.op.return_values
    k = T.lscalar()
    for out in (T.topk(x, k, axis=1).shape, T.sort(x, axis=None).shape):
        f = theon.function([x, k], out, on_unused_input="ignore")
        assert not [n for n in f.maker.fgraph.apply_nodes if n.op.kind in ("TopK", "Sort", "Reshape")]
    f = theon.function([x, k], T.topk(x, k, axis=1).shape)
    assert tuple(f(np.zeros((3, 5)), -2)) == (3, 2)


def test_sort_and_argsort_take_a_symbolic_axis():
    x, a = T.dtensor3(), T.lscalar()
    f = theon.function([x, a], [T.sort(x, a), T.argsort(x, a)])
    v = np.random.default_rng(4).random((2, 3, 4))
    for ax in (0, 1, 2, -1, -3):
        s, p = f(v, ax)
        np.testing.assert_array_equal(s, np.sort(v, ax))
        np.testing.assert_array_equal(p, np.argsort(v, ax, kind="stable"))
    with pytest.raises(AssertionError, match="sort: axis out of range"):
        f(v, 3)
    with pytest.raises(TypeError, match="axis must be an integer scalar"):
        T.sort(x, T.dscalar())


def test_topk_index_dtypes_and_bad_index_dtype():
    x = T.dmatrix()
    v = np.random.default_rng(5).permutation(40).reshape(4, 10).astype("float64")
    outs = [T.argtopk(x, -3, axis=1, idx_dtype=d) for d in ("int8", "uint16", "int32", "int64")]
    got = theon.function([x], outs)(v)
    for g, d in zip(got, ("int8", "uint16", "int32", "int64")):
        assert g.dtype == d
        np.testing.assert_array_equal(g, np.argsort(v, axis=1)[:, :3])
    with pytest.raises(TypeError, match="idx_dtype must be an integer dtype, got float32"):
        T.argtopk(x, 2, idx_dtype="float32")
    with pytest.raises(TypeError, match="topk: unknown idx_dtype 'int7'"):
        T.argtopk(x, 2, idx_dtype="int7")
