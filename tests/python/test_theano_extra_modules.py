"""Theano's extra_ops op classes, tensor.fft, tensor.utils, misc,
compile.sharedvalue.generic and compile.nanguardmode, against NumPy and
numeric gradients."""
import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.tensor import extra_ops, fft

rng = np.random.default_rng(42)


def _f(inputs, outputs, **kw):
    return theon.function(inputs, outputs, **kw)


# ---- extra_ops --------------------------------------------------------------------------------

def test_searchsorted_matches_numpy_also_on_unsorted_input():
    a, v = T.dvector(), T.dtensor3()
    av = 30 * rng.random(50)  # not sorted: NumPy's search still gives one answer, which theon reproduces
    bv = 30 * rng.random((8, 10, 5))
    for side in ("left", "right"):
        got = _f([a, v], extra_ops.SearchsortedOp(side)(a, v))(av, bv)
        np.testing.assert_array_equal(got, np.searchsorted(av, bv, side=side))
        got = _f([a, v], a.searchsorted(v, side=side))(np.sort(av), bv)
        np.testing.assert_array_equal(got, np.searchsorted(np.sort(av), bv, side=side))
    s = T.ivector()
    order = np.argsort(av).astype("int32")
    got = _f([a, v, s], extra_ops.searchsorted(a, v, sorter=s))(av, bv, order)
    np.testing.assert_array_equal(got, np.searchsorted(av, bv, sorter=order))
    with pytest.raises(TypeError, match="sorter must be integers"):
        extra_ops.searchsorted(a, v, sorter=T.fvector())
    with pytest.raises(ValueError, match="sorter must be a vector"):
        extra_ops.searchsorted(a, v, sorter=T.imatrix())
    with pytest.raises(ValueError, match="side must be"):
        extra_ops.SearchsortedOp("middle")


def test_searchsorted_shape_needs_no_search():
    a, v = T.dvector(), T.dtensor3()
    f = _f([a, v], extra_ops.searchsorted(a, v).shape)
    assert not any(isinstance(n.op, extra_ops.SearchsortedOp) for n in f.maker.fgraph.toposort())
    np.testing.assert_array_equal(f(np.arange(3.0), np.zeros((2, 4, 5))), [2, 4, 5])
    assert any(isinstance(n.op, extra_ops.SearchsortedOp)
               for n in _f([a, v], extra_ops.searchsorted(a, v)).maker.fgraph.toposort())


def test_cum_op_class_and_axis_errors():
    x = T.dtensor3()
    xv = rng.random((3, 5, 2))
    for mode, ref in (("add", np.cumsum), ("mul", np.cumprod)):
        assert np.allclose(_f([x], extra_ops.CumOp(mode=mode)(x))(xv), ref(xv))
        assert np.allclose(_f([x], extra_ops.CumOp(axis=-2, mode=mode)(x))(xv), ref(xv, axis=-2))
    f = _f([x], extra_ops.cumsum(x, 1))
    assert any(isinstance(n.op, extra_ops.CumOp) for n in f.maker.fgraph.toposort())
    for fn in (extra_ops.cumsum, extra_ops.cumprod):
        with pytest.raises(ValueError, match="out of bounds"):
            fn(x, 3)
        with pytest.raises(IndexError, match="out of bounds"):  # NumPy's AxisError is both
            fn(x, -4)
    theon.gradient.verify_grad(extra_ops.CumOp(axis=1, mode="mul"), [xv + 0.5], rng=np.random.RandomState(0))


def test_repeat_dtypes_broadcast_and_op_class():
    x = T.TensorType("float64", [False, True, False])()
    assert extra_ops.RepeatOp(axis=1)(x, 2).broadcastable == (False, False, False)
    assert extra_ops.RepeatOp(axis=1)(x, 1).broadcastable == (False, True, False)
    assert extra_ops.RepeatOp(axis=0)(x, 2).broadcastable == (False, True, False)
    with pytest.raises(TypeError, match="uint64"):
        extra_ops.repeat(x, T.scalar(dtype="uint64"))
    m = T.dmatrix()
    mv = rng.random((4, 3))
    r = T.TensorType("int8", [True])()
    got = _f([m, r], extra_ops.repeat(m, r, axis=1))(mv, np.array([3], "int8"))
    np.testing.assert_array_equal(got, np.repeat(mv, 3, axis=1))
    np.testing.assert_array_equal(_f([m], extra_ops.repeat(m, [2], axis=0))(mv), np.repeat(mv, 2, axis=0))
    np.testing.assert_array_equal(_f([m], extra_ops.RepeatOp()(m, 1))(mv), np.repeat(mv, 1))


def test_composed_op_classes_build_numpy_results():
    m, s, k = T.dmatrix(), T.dscalar(), T.iscalar()
    mv = rng.random((5, 8))
    assert np.allclose(_f([m], extra_ops.DiffOp(n=2, axis=0)(m))(mv), np.diff(mv, 2, axis=0))
    n = T.lscalar()
    assert np.allclose(_f([n], extra_ops.Bartlett()(n))(7), np.bartlett(7))
    out = _f([m, s], extra_ops.FillDiagonal()(m, s))(mv, 2.0)
    want = mv.copy()
    np.fill_diagonal(want, 2.0)
    np.testing.assert_array_equal(out, want)
    out = _f([m, s, k], extra_ops.FillDiagonalOffset()(m, s, k))(mv, 2.0, -2)
    want = mv.copy()
    want[np.arange(2, 5), np.arange(0, 3)] = 2.0
    np.testing.assert_array_equal(out, want)
    w, i = T.dvector(), T.ivector()
    iv, wv = np.array([0, 3, 3, 1], "int32"), rng.random(4)
    assert np.allclose(_f([i, w], extra_ops.BinCountOp(minlength=6)(i, w))(iv, wv),
                       np.bincount(iv, wv, minlength=6))


def test_compress_and_cpu_contiguous():
    c, m = T.ivector(), T.dmatrix()
    mv = rng.random((4, 3))
    for cond, axis in (([1, 0, 1, 0, 0, 1], None), ([0, 1, 1], 1), ([], 0), ([0, 1, 1, 0], -2)):
        got = _f([c, m], extra_ops.compress(c, m, axis=axis))(np.array(cond, "int32"), mv)
        want = np.compress(cond, mv, axis=axis)
        assert got.shape == want.shape and np.allclose(got, want)
    got = _f([c, m], c.compress(m, axis=0))(np.array([1, 0, 1], "int32"), mv)
    np.testing.assert_array_equal(got, np.compress([1, 0, 1], mv, axis=0))
    i = T.iscalar()
    out = _f([m, i], extra_ops.cpu_contiguous(m[::i]))(mv, 2)
    assert out.flags["C_CONTIGUOUS"] and np.array_equal(out, mv[::2])


@pytest.mark.parametrize("axis", [None, 0, 1, -1])
def test_unique_op_with_axis_matches_numpy(axis):
    x = T.dmatrix()
    xv = np.array([[2, 1, 2], [3, 2, 3], [2, 1, 2], [0, 5, 0]], dtype="float64")
    for flags in [(False, False, False), (True, True, True), (False, True, False), (True, False, True)]:
        op = extra_ops.Unique(*flags, axis=axis)
        assert op.return_inverse == flags[1]
        outs = _f([x], op(x, return_list=True))(xv)
        want = np.unique(xv, *flags, axis=axis)
        want = want if isinstance(want, tuple) else (want,)
        assert len(outs) == len(want)
        for got, w in zip(outs, want):
            assert got.shape == np.shape(w)
            np.testing.assert_array_equal(got, w)


def test_unravel_and_ravel_with_symbolic_dims():
    dims = theon.shared(np.array([3, 4, 5]))
    idx = np.arange(60)
    got = _f([], extra_ops.UnravelIndex(order="F")(idx, dims, 3))()
    np.testing.assert_array_equal(got, np.unravel_index(idx, (3, 4, 5), order="F"))
    shaped = theon.shared(np.zeros((3, 4, 5)))
    got = _f([], extra_ops.unravel_index(idx, shaped.shape))()
    np.testing.assert_array_equal(got, np.unravel_index(idx, (3, 4, 5)))
    with pytest.raises(ValueError, match="give ndim"):
        extra_ops.unravel_index(T.ivector(), T.ivector())
    with pytest.raises(ValueError, match="ndim must be an integer"):
        extra_ops.unravel_index((3, 4), (3, 3), ndim=5.4)
    multi = np.unravel_index(idx, (3, 4, 5))
    multi = (multi[0] - 1,) + multi[1:]
    got = _f([], extra_ops.RavelMultiIndex("wrap", "C")(*(multi + (np.array([3, 4, 5]),))))()
    np.testing.assert_array_equal(got, np.ravel_multi_index(multi, (3, 4, 5), mode="wrap"))
    with pytest.raises(TypeError, match="coordinates must be integers"):
        extra_ops.ravel_multi_index((T.fvector(), T.ivector()), (3, 4))


def test_configdefaults_bitwidths():
    assert theon.configdefaults.local_bitwidth() == np.dtype(np.intp).itemsize * 8
    assert theon.configdefaults.python_int_bitwidth() in (32, 64)


# ---- tensor.fft ---------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(2, 16), (1, 7), (2, 5, 6), (2, 3, 4, 5)])
@pytest.mark.parametrize("norm", [None, "ortho", "no_norm"])
def test_rfft_and_irfft_match_numpy(shape, norm):
    xv = rng.random(shape)
    axes = tuple(range(1, len(shape)))
    x = T.tensor("float64", shape=(None,) * len(shape))
    got = _f([x], fft.rfft(x, norm=norm))(xv)
    want = np.fft.rfftn(xv, axes=axes, norm="backward" if norm in (None, "no_norm") else "ortho")
    assert got.shape == want.shape + (2,)
    np.testing.assert_allclose(got[..., 0] + 1j * got[..., 1], want, atol=1e-10)
    c = T.tensor("float64", shape=(None,) * (len(shape) + 1))
    cv = rng.random(want.shape + (2,))
    got = _f([c], fft.irfft(c, norm=norm, is_odd=shape[-1] % 2 == 1))(cv)
    want = np.fft.irfftn(cv[..., 0] + 1j * cv[..., 1], s=shape[1:], axes=axes,
                         norm="ortho" if norm == "ortho" else "backward")
    if norm == "no_norm":
        want = want * np.prod(shape[1:])
    np.testing.assert_allclose(got, want, atol=1e-10)


def test_fft_float32_keeps_dtype_and_round_trips():
    x = T.fmatrix()
    xv = rng.random((3, 10)).astype("float32")
    back = _f([x], fft.irfft(fft.rfft(x)))(xv)
    assert back.dtype == np.float32
    np.testing.assert_allclose(back, xv, atol=1e-5)


def test_fft_op_classes_take_transform_lengths():
    x = T.dtensor3()
    xv = rng.random((2, 5, 6))
    s = T.lvector()
    for lengths in ([4, 8], [7, 3]):  # crop and pad, as numpy.fft.rfftn(s=...)
        got = _f([x, s], fft.RFFTOp()(x, s))(xv, np.array(lengths))
        want = np.fft.rfftn(xv, s=lengths, axes=(1, 2))
        np.testing.assert_allclose(got[..., 0] + 1j * got[..., 1], want, atol=1e-10)
    c = T.dtensor4()
    cv = rng.random((2, 5, 4, 2))
    got = _f([c, s], fft.IRFFTOp()(c, s))(cv, np.array([5, 7]))
    want = np.fft.irfftn(cv[..., 0] + 1j * cv[..., 1], s=(5, 7), axes=(1, 2)) * 35
    np.testing.assert_allclose(got, want, atol=1e-10)


def test_fft_gradients_match_numeric():
    r = np.random.RandomState(1)
    theon.gradient.verify_grad(lambda a: fft.rfft(a, norm="ortho"), [r.rand(2, 4, 6)], rng=r)
    theon.gradient.verify_grad(lambda a: fft.irfft(a), [r.rand(2, 4, 4, 2)], rng=r)
    theon.gradient.verify_grad(lambda a: fft.irfft(a, is_odd=True), [r.rand(1, 5, 2)], rng=r)


def test_fft_argument_errors():
    with pytest.raises(ValueError, match="norm"):
        fft.rfft(T.dmatrix(), norm=123)
    with pytest.raises(ValueError, match="is_odd"):
        fft.irfft(T.dtensor3(), is_odd=123)
    with pytest.raises(TypeError, match="2 or more dimensions"):
        fft.rfft(T.dvector())


# ---- tensor.utils -------------------------------------------------------------------------------

def test_hash_from_ndarray():
    from theon.tensor.utils import hash_from_ndarray
    a = np.arange(25).reshape(5, 5)
    values = [np.zeros((1, 0)), np.zeros((2, 0)), a, a.T, np.zeros(3, "int32"), np.zeros(3, "uint32"), a[1:], a[::2]]
    assert len({hash_from_ndarray(v) for v in values}) == len(values)
    assert hash_from_ndarray(a[::-1]) == hash_from_ndarray(a[::-1].copy())


def test_shape_of_variables():
    from theon.tensor.utils import shape_of_variables
    x = T.dmatrix("x")
    y = T.dot(x, x.T)[1:]
    fgraph = theon.FunctionGraph([x], [y], clone=False)
    shapes = shape_of_variables(fgraph, {x: (5, 2)})
    assert shapes[x] == (5, 2) and shapes[y] == (4, 5)
    with pytest.raises(ValueError, match="not inputs of the FunctionGraph"):
        shape_of_variables(theon.FunctionGraph([x], [y]), {x: (5, 2)})


# ---- misc, sparse, shared variables ----------------------------------------------------------

def test_may_share_memory():
    from theon.misc.may_share_memory import may_share_memory
    a = np.zeros((4, 4))
    assert may_share_memory(a, a[1:]) and not may_share_memory(a, a.copy())
    with pytest.raises(TypeError):
        may_share_memory(a, [1, 2])
    assert may_share_memory(a, [1, 2], raise_other_type=False) is False
    import theon.sparse
    assert theon.sparse.enable_sparse is False
    with pytest.raises(NotImplementedError, match="no sparse tensors"):
        theon.sparse.SparseType("csr", "float64")


def test_generic_shared_variables():
    from theon.compile.sharedvalue import SharedVariable, generic, shared
    u = shared([1, 2], name="u")
    assert u.type == generic and isinstance(u, SharedVariable)
    v = shared("asdf", strict=True)
    v.set_value(88)
    assert v.get_value() == 88
    lst = [1, [2]]
    w = shared(lst)
    w.get_value()[1].append(3)  # get_value copies unless borrow=True
    assert w.get_value() == [1, [2]] and lst == [1, [2]]
    with pytest.raises(TypeError, match="type generic"):
        T.as_tensor_variable(u)
    with pytest.raises(TypeError):
        shared(7, bad_kw=False)


def test_shared_variable_constructor_and_container():
    from theon.compile.sharedvalue import SharedVariable
    from theon.misc.may_share_memory import may_share_memory
    u = SharedVariable(name="u", type=T.TensorType("float64", [False]), value=[1, 2], strict=False)
    assert u.type == T.dvector and u.get_value().dtype == np.float64
    with pytest.raises(TypeError):
        SharedVariable(name="u", type=T.TensorType("float64", [False]), value={}, strict=False)
    with pytest.raises(ValueError):
        u.set_value("adsf")
    x = theon.shared(np.zeros((3, 4)), borrow=True)
    old = x.container.storage[0]
    x.container.value[:] = 1
    assert (x.get_value() == 1).all() and may_share_memory(old, x.container.storage[0])
    mine = np.ones((3, 4))
    x.set_value(mine, borrow=True)
    assert x.get_value(borrow=True) is mine
    x.set_value(mine, borrow=False)
    assert not may_share_memory(mine, x.container.storage[0])


# ---- NanGuardMode -------------------------------------------------------------------------------

def test_nan_guard_mode_checks_inputs_outputs_and_shared_values():
    from theon.compile.nanguardmode import NanGuardMode
    x = T.dmatrix()
    w = theon.shared(np.ones((2, 3)), name="w")
    f = theon.function([x], T.dot(x, w), mode=NanGuardMode(nan_is_error=True, inf_is_error=True))
    np.testing.assert_array_equal(f(np.ones((4, 2))), np.full((4, 3), 2.0))
    for bad, what in ((np.nan, "NaN"), (np.inf, "Inf"), (1e20, "big value")):
        with pytest.raises(AssertionError, match=what):
            f(np.full((4, 2), bad))
    with pytest.raises(AssertionError, match="output 0"):
        f(np.full((4, 2), 6e9))  # below 1e10, but the sums of two are above
    w.set_value(np.full((2, 3), np.nan))
    with pytest.raises(AssertionError, match="shared variable w"):
        f(np.ones((4, 2)))
    w.set_value(np.ones((2, 3)))
    g = theon.function([x], T.log(x), mode=NanGuardMode(nan_is_error=False, inf_is_error=False, big_is_error=False))
    assert np.isnan(g(np.full((1, 1), -1.0))).all()
    h = theon.function([x], 1 / x, mode=NanGuardMode(nan_is_error=True, inf_is_error=True, big_is_error=False))
    with pytest.raises(AssertionError, match="Inf in output"):
        h(np.zeros((1, 1)))
