"""Wrong numbers on bad or special input, on both tiers (the FAST_COMPILE VM
and the FAST_RUN native tier): the gradients of prod and cumprod where x
has zeros, labels out of range (to_one_hot, the crossentropy), checks that
rewrites must not drop (choose), uint64 indices beyond int64, and the
accuracy of the softmax-crossentropy gradient (Theano's test_asymptotic_32)."""
import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.configparser import change_flags
from theon.tensor import nnet

from conftest import check_grad


@pytest.fixture(scope="module")
def compiledir(tmp_path_factory):
    return str(tmp_path_factory.mktemp("compiledir"))


@pytest.fixture(params=["FAST_COMPILE", "FAST_RUN"])
def mode(request, compiledir):
    """FAST_COMPILE on the VM, or FAST_RUN on the native tier (waiting for the module)."""
    if request.param == "FAST_COMPILE":
        yield "FAST_COMPILE"
        return
    if not theon.config.cxx:
        pytest.skip("no C++ compiler: the native tier is off")
    with change_flags(compiledir=compiledir, native="wait"):
        yield "FAST_RUN"


def fn(inputs, outputs, mode):
    """A compiled function; on FAST_RUN its fused kernels (if any) are native."""
    return theon.function(inputs, outputs, mode=mode)


# ---- prod and cumprod: gradients where x has zeros ----------------------------------------

def prod_grad_ref(x, axis, w):
    """d sum(prod(x, axis) * w) / dx by brute force: each x_i set to 1 in turn."""
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x1 = x.copy()
        x1[i] = 1
        others = np.broadcast_to(np.prod(x1, axis=axis, keepdims=True), x.shape)
        wb = np.broadcast_to(np.expand_dims(w, axis) if axis is not None else w, x.shape)
        g[i] = others[i] * wb[i]
    return g


MATRIX_WITH_ZEROS = np.array([[0., 2, 3], [0, 0, 5], [1, 2, 3], [-0., -2, 4], [0, 0, 0]])


def test_prod_grad_of_vector_with_zeros(mode):
    x = T.dvector()
    f = fn([x], T.grad(T.prod(x), x), mode)
    assert f.native_ready == (mode == "FAST_RUN")
    np.testing.assert_array_equal(f(np.array([0., 2, 3])), [6, 0, 0])
    np.testing.assert_array_equal(f(np.array([2., 0, 3])), [0, 6, 0])
    np.testing.assert_array_equal(f(np.array([0., 0, 3])), [0, 0, 0])
    np.testing.assert_array_equal(f(np.array([1., 2, 3])), [6, 3, 2])
    np.testing.assert_array_equal(f(np.array([-0., 2, 3])), [6, 0, 0])
    np.testing.assert_array_equal(f(np.array([0.])), [1])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("axis", [None, 0, 1, (0, 1)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_prod_grad_against_numpy(mode, dtype, axis, keepdims):
    x = T.matrix(dtype=dtype)
    p = T.prod(x, axis=axis, keepdims=keepdims)
    xv = MATRIX_WITH_ZEROS.astype(dtype)
    ref_p = np.prod(xv, axis=axis, keepdims=keepdims)
    w = np.random.RandomState(0).uniform(0.5, 1.5, size=ref_p.shape).astype(dtype)
    g = T.grad(T.sum(p * T.constant(w)), x)
    f = fn([x], [p, g], mode)
    pv, gv = f(xv)
    assert gv.dtype == dtype and np.all(np.isfinite(gv))
    np.testing.assert_allclose(pv, ref_p, rtol=1e-6)
    wr = w.reshape(np.prod(xv, axis=axis).shape)
    ref = prod_grad_ref(xv.astype("float64"), axis if axis != (0, 1) else None, wr.astype("float64"))
    np.testing.assert_allclose(gv, ref, rtol=1e-6 if dtype == "float32" else 1e-14)


@pytest.mark.parametrize("xv", [[0., 2, 3], [2., 0, 3, 0.5], [0., 0, 3], [1.5, -2, 3]])
def test_prod_grad_against_numeric_gradient(xv):
    x = T.dvector()
    check_grad(lambda x: T.prod(x), [x], [np.array(xv)])


@pytest.mark.parametrize("xv", [[0., 2, 3, 0.5], [0., 0, 3, 0.5], [0., 0, 0, 0.5], [1.5, -2, 3, 0.5]])
def test_prod_second_derivative(mode, xv):
    """The Hessian of prod: H[i, j] = the product of all but x_i and x_j (0 on the diagonal)."""
    xv = np.array(xv)
    x = T.dvector()
    g = T.grad(T.prod(x), x)
    H = T.stack([T.grad(g[i], x) for i in range(len(xv))])
    hv = fn([x], H, mode)(xv)
    ref = np.zeros((len(xv), len(xv)))
    for i in range(len(xv)):
        for j in range(len(xv)):
            if i != j:
                ref[i, j] = np.prod(np.delete(xv, [i, j]))
    np.testing.assert_allclose(hv, ref, rtol=1e-12, atol=0)


def test_prod_rop_with_zeros(mode):
    x, v = T.dvector(), T.dvector()
    f = fn([x, v], T.Rop(T.prod(x), x, v), mode)
    xv, vv = np.array([0., 2, 3]), np.array([1., 10, 100])
    assert f(xv, vv) == pytest.approx(6.0)


def cumprod_grad_ref(x, w):
    """d sum(cumprod(x) * w) / dx: sum over k >= i of w_k * prod_{j <= k, j != i} x_j."""
    n = len(x)
    g = np.zeros(n)
    for i in range(n):
        for k in range(i, n):
            g[i] += w[k] * np.prod(np.delete(x[:k + 1], i))
    return g


@pytest.mark.parametrize("xv", [[2., 0, 3, 0.5], [0., 2, 3], [2., 3, 0], [2., 0, 3, 0, 5], [0., 0, 0], [1., 2, 3]])
def test_cumprod_grad_with_zeros(mode, xv):
    xv = np.array(xv)
    w = np.arange(1., len(xv) + 1)
    x = T.dvector()
    f = fn([x], T.grad(T.sum(T.extra_ops.cumprod(x) * T.constant(w)), x), mode)
    np.testing.assert_allclose(f(xv), cumprod_grad_ref(xv, w), rtol=1e-14)


def test_cumprod_grad_along_an_axis_against_numeric_gradient():
    x = T.dmatrix()
    xv = np.array([[2., 0, 3, 0.5], [0., 1.5, 0, 2], [1., 2, 3, 4]])
    check_grad(lambda x: T.extra_ops.cumprod(x, axis=1), [x], [xv])
    check_grad(lambda x: T.extra_ops.cumprod(x, axis=0), [x], [xv])


# ---- labels out of range -------------------------------------------------------------------

def test_to_one_hot_rejects_labels_out_of_range(mode):
    y = T.lvector()
    f = fn([y], T.extra_ops.to_one_hot(y, 3), mode)
    np.testing.assert_array_equal(f(np.array([0, 2, 1])), np.eye(3)[[0, 2, 1]])
    for bad in ([10], [-1], [0, 3]):
        with pytest.raises(IndexError, match="to_one_hot"):
            f(np.array(bad))


def crossentropy_forms(x, y):
    sm = nnet.softmax(x)
    return {
        "categorical_crossentropy": nnet.categorical_crossentropy(sm, y),
        "crossentropy_categorical_1hot": nnet.crossentropy_categorical_1hot(sm, y),
        "crossentropy_softmax_1hot": nnet.crossentropy_softmax_1hot(x, y)[0],
    }


@pytest.mark.parametrize("form", ["categorical_crossentropy", "crossentropy_categorical_1hot",
                                  "crossentropy_softmax_1hot"])
def test_crossentropy_rejects_negative_labels(mode, form):
    x, y = T.dmatrix(), T.lvector()
    c = crossentropy_forms(x, y)[form]
    f_cost = fn([x, y], c, mode)
    f_grad = fn([x, y], T.grad(c.sum(), x), mode)
    xv = np.random.RandomState(3).standard_normal((2, 5))
    e = np.exp(xv - xv.max(1, keepdims=True))
    sm = e / e.sum(1, keepdims=True)
    yv = np.array([4, 0])
    np.testing.assert_allclose(f_cost(xv, yv), -np.log(sm[[0, 1], yv]), rtol=1e-13)
    np.testing.assert_allclose(f_grad(xv, yv), sm - np.eye(5)[yv], rtol=1e-12, atol=1e-15)
    for bad in ([-1, 0], [0, 5]):
        for f in (f_cost, f_grad):
            with pytest.raises(IndexError):
                f(xv, np.array(bad))


# ---- checks that rewrites must keep --------------------------------------------------------

def test_choose_keeps_its_range_check_with_equal_choices(mode):
    a, x, z = T.lvector(), T.dvector(), T.dvector()
    xv, zv = np.array([1., 2]), np.array([5., 6])
    for choices, ref in (([x, x], [xv, xv]), ([x, z, x], [xv, zv, xv])):
        f = fn([a, x, z], T.extra_ops.choose(a, choices), mode) if len(choices) == 3 else \
            theon.function([a, x, z], T.extra_ops.choose(a, choices), mode=mode, on_unused_input="ignore")
        np.testing.assert_array_equal(f(np.array([1, 0]), xv, zv), np.choose([1, 0], ref))
        for bad in ([len(choices), 0], [-1, 0]):
            with pytest.raises(AssertionError, match="choose"):
                f(np.array(bad), xv, zv)


def test_rewrites_keep_asserts_in_a_dropped_subgraph(mode):
    """switch(c, y, y) -> y drops c; an Assert (and its error class) inside c stays."""
    x, y = T.dvector(), T.dvector()
    checked = theon._core.assert_op(x, [T.all(T.ge(x, 0))], "x must be >= 0", index_error=True)
    f = theon.function([x, y], T.switch(T.gt(checked, 1), y, y), mode=mode)
    np.testing.assert_array_equal(f(np.array([1., 2]), np.array([3., 4])), [3, 4])
    with pytest.raises(IndexError, match="x must be >= 0"):
        f(np.array([-1., 2]), np.array([3., 4]))


# ---- uint64 indices and bounds beyond int64 ---------------------------------------------------

BIG = [np.uint64(2 ** 64 - 1), np.uint64(2 ** 63)]


def test_uint64_scalar_index_out_of_int64(mode):
    v, i = T.dvector(), T.scalar(dtype="uint64")
    xv = np.arange(5.)
    f = fn([v, i], v[i], mode)
    assert f(xv, np.uint64(3)) == 3
    for big in BIG:
        with pytest.raises(IndexError, match=str(int(big))):
            f(xv, big)
        with pytest.raises(IndexError, match=str(int(big))):
            v[big]  # a constant index: rejected when the graph is built
        for op in (T.set_subtensor, T.inc_subtensor):
            g = fn([v, i], op(v[i], 7.), mode)
            with pytest.raises(IndexError, match=str(int(big))):
                g(xv, big)


def test_uint64_index_arrays_out_of_int64(mode):
    v, ia = T.dvector(), T.vector(dtype="uint64")
    xv = np.arange(5.)
    f = fn([v, ia], v[ia], mode)
    np.testing.assert_array_equal(f(xv, np.array([1, 4], dtype="uint64")), [1, 4])
    with pytest.raises(IndexError, match=str(2 ** 64 - 1)):
        f(xv, np.array([1, 2 ** 64 - 1], dtype="uint64"))
    with pytest.raises(IndexError, match=str(2 ** 64 - 1)):
        v[np.array([2 ** 64 - 1], dtype="uint64")]
    g = fn([v, ia], T.inc_subtensor(v[ia], 1.), mode)
    with pytest.raises(IndexError, match=str(2 ** 63)):
        g(xv, np.array([2 ** 63], dtype="uint64"))


def test_uint64_slice_bounds_clip_as_numpy(mode):
    """A bound past int64 is past the end (NumPy clips it); it must not wrap negative."""
    v, i = T.dvector(), T.scalar(dtype="uint64")
    xv = np.arange(5.)
    f = fn([v, i], [v[i:], v[:i], v[::i], v[1:i:2]], mode)
    for big in BIG:
        for got, ref in zip(f(xv, big), [xv[big:], xv[:big], xv[::big], xv[1:big:2]]):
            np.testing.assert_array_equal(got, ref)
    c = fn([v], [v[BIG[0]:], v[:BIG[0]], v[:2 ** 70], v[-2 ** 70:], v[::-2 ** 70]], mode)
    for got, ref in zip(c(xv), [xv[BIG[0]:], xv[:BIG[0]], xv[:2 ** 70], xv[-2 ** 70:], xv[::-2 ** 70]]):
        np.testing.assert_array_equal(got, ref)
    for op, npop in ((T.set_subtensor, lambda a: a.__setitem__(slice(big, None), 7)),
                     (T.inc_subtensor, lambda a: a.__setitem__(slice(big, None), a[big:] + 7))):
        g = fn([v, i], op(v[i:], 7.), mode)
        for big in BIG:
            ref = xv.copy()
            npop(ref)
            np.testing.assert_array_equal(g(xv, big), ref)


def test_extreme_int64_steps_and_merged_slices(mode):
    v, s = T.dvector(), T.lscalar()
    xv = np.arange(5.)
    f = fn([v, s], [v[::s], v[3::s]], mode)
    for step in (-2 ** 63, 2 ** 63 - 1, -2 ** 63 + 1):
        for got, ref in zip(f(xv, np.int64(step)), [xv[::step], xv[3::step]]):
            np.testing.assert_array_equal(got, ref)
    # Merging x[a:][b:] into one slice must not wrap the sum of the bounds or the product of the steps.
    g = fn([v], [v[2 ** 62:][2 ** 62:], v[::2 ** 40][::2 ** 40], v[1:][::2 ** 62][::4]], mode)
    for got, ref in zip(g(xv), [xv[2 ** 62:][2 ** 62:], xv[::2 ** 40][::2 ** 40], xv[1:][::2 ** 62][::4]]):
        np.testing.assert_array_equal(got, ref)


# ---- accuracy of the softmax-crossentropy gradient ---------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_crossentropy_softmax_grad_is_exact_at_zeros(mode, dtype):
    """softmax at zeros is exactly 1/n in every column; exp(log_softmax) is not (exp(-log 5) != 0.2)."""
    x, x2, y = T.matrix(dtype=dtype), T.vector(dtype=dtype), T.lvector()
    c = nnet.categorical_crossentropy(nnet.softmax(x + x2), y)
    f = fn([x, y, x2], T.grad(c.sum(), x), mode)
    g = f(np.zeros((5, 5), dtype), np.arange(5), np.zeros(5, dtype))
    sm = (np.ones((5, 5), dtype) / dtype_one(dtype, 5))
    np.testing.assert_array_equal(g, sm - np.eye(5, dtype=dtype))
    lx = T.matrix(dtype=dtype)
    h = fn([lx], T.grad(nnet.log_softmax(lx)[:, 1].sum(), lx), mode)(np.zeros((2, 5), dtype))
    np.testing.assert_array_equal(h, np.eye(5, dtype=dtype)[[1, 1]] - sm[:2])


def dtype_one(dtype, n):
    return np.array(n, dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_asymptotic_32(mode, dtype):
    """Theano's test_nnet.py::test_asymptotic_32: gradient steps keep the rows symmetric."""
    x, x2, y = T.matrix(dtype=dtype), T.vector(dtype=dtype), T.lvector()
    c = nnet.categorical_crossentropy(nnet.softmax(x + x2), y)
    f = fn([x, y, x2], [c.sum(), T.grad(c.sum(), x)], mode)
    assert f.native_ready == (mode == "FAST_RUN")
    xval, x2val = np.zeros((5, 5), dtype), np.zeros(5, dtype)
    for _ in range(100):
        cval, gxval = f(xval, np.arange(5), x2val)
        xval -= 100.3 * gxval
    assert cval == 0
    xval = np.zeros((5, 5), dtype)
    for _ in range(100):
        cval, gxval = f(xval, np.arange(5), x2val)
        xval += 100000.3 * gxval
    assert cval > 61750000
    assert gxval[0, 0] == -1.0
    assert gxval[0, 1] == 0.25
