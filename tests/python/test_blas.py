"""dot, matmul (@), outer and tensordot against NumPy for several dtypes."""
import os

import numpy as np
import pytest

import theon
import theon.tensor as T

DTYPES = ["float32", "float64", "int32", "int64"]


def _val(rng, shape, dtype):
    if np.dtype(dtype).kind in "iu":
        return rng.randint(-4, 5, size=shape).astype(dtype)
    return rng.uniform(-1, 1, size=shape).astype(dtype)


def _check(got, want, dtype):
    got = np.asarray(got)
    assert got.dtype == np.dtype(dtype), "dtype %s, expected %s" % (got.dtype, dtype)
    assert got.shape == np.shape(want)
    if dtype == "float32":
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    elif dtype == "float64":
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    else:
        np.testing.assert_array_equal(got, want)


_KINDS = {0: T.scalar, 1: T.vector, 2: T.matrix, 3: T.tensor3}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("sa, sb", [((3, 4), (4, 5)), ((4,), (4,)), ((3, 4), (4,)), ((4,), (4, 5)),
                                    ((1, 4), (4, 1)), ((2, 3, 4), (4, 5)), ((5, 7), (7, 3)),
                                    ((64, 33), (33, 17))])
def test_dot(sa, sb, dtype, rng):
    a = _KINDS[len(sa)]("a", dtype=dtype)
    b = _KINDS[len(sb)]("b", dtype=dtype)
    va, vb = _val(rng, sa, dtype), _val(rng, sb, dtype)
    out = T.dot(a, b)
    want = np.dot(va, vb)
    assert out.dtype == dtype and out.ndim == np.ndim(want)
    _check(theon.function([a, b], out)(va, vb), want, dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_dot_non_contiguous_inputs(dtype, rng):
    """Transposed and strided operands (views inside the graph)."""
    a, b = T.matrix("a", dtype=dtype), T.matrix("b", dtype=dtype)
    va, vb = _val(rng, (5, 6), dtype), _val(rng, (7, 5), dtype)
    out = T.dot(a.T, b.T)
    _check(theon.function([a, b], out)(va, vb), va.T @ vb.T, dtype)
    out2 = T.dot(a[:, ::2], b[::2, :].T[::2, :])
    f = theon.function([a, b], out2)
    vb2 = _val(rng, (12, 5), dtype)
    # a[:, ::2] is (5, 3); b[::2, :] is (6, 5), its .T is (5, 6), [::2] of that is (3, 6)
    _check(f(va, vb2), va[:, ::2] @ vb2[::2, :].T[::2, :], dtype)
    # a non-contiguous NumPy argument
    vbig = _val(rng, (5, 12), dtype)
    vc = _val(rng, (6, 4), dtype)
    _check(theon.function([a, b], T.dot(a, b))(vbig[:, ::2], vc), vbig[:, ::2] @ vc, dtype)


def test_dot_mixed_dtypes(rng):
    a, b = T.fmatrix("a"), T.dmatrix("b")
    out = T.dot(a, b)
    assert out.dtype == "float64"
    va, vb = _val(rng, (2, 3), "float32"), _val(rng, (3, 2), "float64")
    _check(theon.function([a, b], out)(va, vb), va.astype("float64") @ vb, "float64")
    i = T.imatrix("i")
    out2 = T.dot(i, b)
    assert out2.dtype == "float64"
    vi = _val(rng, (2, 3), "int32")
    _check(theon.function([i, b], out2)(vi, vb), vi @ vb, "float64")


def test_dot_method_and_scalar(rng):
    a, b = T.matrix("a"), T.matrix("b")
    va, vb = rng.rand(2, 3), rng.rand(3, 2)
    _check(theon.function([a, b], a.dot(b))(va, vb), va @ vb, "float64")
    s = T.scalar("s")
    _check(theon.function([s, a], T.dot(s, a))(2.0, va), 2.0 * va, "float64")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("sa, sb", [((3, 4), (4, 5)), ((2, 3, 4), (2, 4, 5)), ((2, 3, 4), (4, 5)),
                                    ((4,), (4, 5)), ((3, 4), (4,)), ((4,), (4,)), ((1, 3, 4), (2, 4, 2))])
def test_matmul_operator(sa, sb, dtype, rng):
    a = _KINDS[len(sa)]("a", dtype=dtype) if sa[0] != 1 else T.tensor(dtype, (True, False, False), "a")
    b = _KINDS[len(sb)]("b", dtype=dtype)
    va, vb = _val(rng, sa, dtype), _val(rng, sb, dtype)
    want = va @ vb
    out = a @ b
    assert out.ndim == np.ndim(want)
    _check(theon.function([a, b], out)(va, vb), want, dtype)
    _check(theon.function([a, b], T.matmul(a, b))(va, vb), want, dtype)


def test_rmatmul_with_numpy_constant(rng):
    b = T.matrix("b")
    c = rng.rand(2, 3)
    vb = rng.rand(3, 4)
    _check(theon.function([b], c @ b)(vb), c @ vb, "float64")


@pytest.mark.parametrize("dtype", DTYPES)
def test_outer(dtype, rng):
    a, b = T.vector("a", dtype=dtype), T.vector("b", dtype=dtype)
    va, vb = _val(rng, (3,), dtype), _val(rng, (5,), dtype)
    out = T.outer(a, b)
    assert out.ndim == 2
    _check(theon.function([a, b], out)(va, vb), np.outer(va, vb), dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
@pytest.mark.parametrize("sa, sb, axes", [((2, 3, 4), (3, 4, 5), 2), ((2, 3), (3, 4), 1), ((2, 3), (4, 5), 0),
                                          ((2, 3, 4), (4, 3, 5), [[1, 2], [1, 0]]),
                                          ((3, 4), (5, 3), [[0], [1]]), ((2, 3, 4), (4, 2), [2, 0])])
def test_tensordot(sa, sb, axes, dtype, rng):
    a = _KINDS[len(sa)]("a", dtype=dtype)
    b = _KINDS[len(sb)]("b", dtype=dtype)
    va, vb = _val(rng, sa, dtype), _val(rng, sb, dtype)
    want = np.tensordot(va, vb, axes=axes)
    out = T.tensordot(a, b, axes=axes)
    assert out.ndim == np.ndim(want)
    _check(theon.function([a, b], out)(va, vb), want, dtype)


def test_dot_static_shape_mismatch_names_op_shapes_and_file():
    """Graph-build error: the message names the op, both shapes and this file."""
    a = T.tensor("float64", shape=(3, 4), name="a")
    b = T.tensor("float64", shape=(5, 2), name="b")
    with pytest.raises(ValueError) as e:
        T.dot(a, b)
    msg = str(e.value)
    assert "dot" in msg.lower()
    assert "4" in msg and "5" in msg
    assert os.path.basename(__file__) in msg


def test_dot_run_time_shape_mismatch(rng):
    a, b = T.matrix("a"), T.matrix("b")
    f = theon.function([a, b], T.dot(a, b))
    with pytest.raises(ValueError) as e:
        f(rng.rand(2, 3), rng.rand(4, 2))
    msg = str(e.value)
    assert "3" in msg and "4" in msg
    assert "dot" in msg.lower() or "gemm" in msg.lower() or "gemv" in msg.lower()


def test_dot_rejects_bool_or_wrong_ndim():
    with pytest.raises((TypeError, ValueError)):
        T.matmul(T.scalar(), T.matrix())


# Large products run as panels of rows or columns on theon's pool (each one
# single-threaded BLAS call): every split, operand layout and thread count
# gives NumPy's product.
@pytest.mark.parametrize("shape", [(256, 300, 200), (200, 300, 256), (1, 4000, 600), (600, 4000, 1), (65, 70, 2049)])
@pytest.mark.parametrize("layout", ["plain", "transposed", "strided"])
@pytest.mark.parametrize("threads", [1, 2, 3])
def test_large_products_split_into_panels(shape, layout, threads, rng):
    m, k, n = shape
    A64, B64 = rng.uniform(-1, 1, (m, k)), rng.uniform(-1, 1, (k, n))
    a, b = T.dmatrix("a"), T.dmatrix("b")
    if layout == "transposed":
        expr, args = T.dot(a.T, b.T), (np.ascontiguousarray(A64.T), np.ascontiguousarray(B64.T))
    elif layout == "strided":
        expr, args = T.dot(a[:, ::2], b[::2, :]), (np.repeat(A64, 2, axis=1), np.repeat(B64, 2, axis=0))
    else:
        expr, args = T.dot(a, b), (A64, B64)
    with theon.change_flags(num_threads=threads):
        f = theon.function([a, b], expr)
        got = f(*args)
    np.testing.assert_allclose(got, A64 @ B64, rtol=1e-12, atol=1e-11)


@pytest.mark.parametrize("threads", [1, 2])
def test_large_gemm_update_in_panels(threads, rng):
    W0 = rng.uniform(-1, 1, (300, 500)).astype("float32")
    X, G = rng.uniform(-1, 1, (256, 300)).astype("float32"), rng.uniform(-1, 1, (256, 500)).astype("float32")
    W = theon.shared(W0.copy())
    x, g = T.fmatrix(), T.fmatrix()
    with theon.change_flags(num_threads=threads):
        step = theon.function([x, g], [], updates=[(W, W - np.float32(0.01) * T.dot(x.T, g))])
        step(X, G)
    np.testing.assert_allclose(W.get_value(), W0 - 0.01 * X.T.astype("float64") @ G, rtol=1e-4, atol=1e-4)
