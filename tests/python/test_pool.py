"""Pooling (theano.tensor.signal.pool): values against a NumPy reference
written from Theano's definition for every mode, window, stride, padding
and border setting, in 2 and 3 dimensions; gradients (and the max-pool
gradient's gradient) against numeric ones; shapes without running the op;
Theano's op classes; errors."""
import itertools

import numpy as np
import pytest
from conftest import numeric_grad

import theon
import theon.tensor as T
from theon.tensor.signal import pool

RNG = np.random.RandomState(11)


def out_len(n, ws, st, pad, ignore_border):
    v = n + 2 * pad
    if ignore_border:
        return max(0, (v - ws) // st + 1)
    if st >= ws:
        return (v - 1) // st + 1
    return max(0, (v - 1 - ws + st) // st) + 1


def reference(x, ws, ignore_border, stride, pad, mode):
    nd = len(ws)
    stride = stride or ws
    sp = x.shape[-nd:]
    padded = [n + 2 * p for n, p in zip(sp, pad)]
    out = [out_len(n, w, s, p, ignore_border) for n, w, s, p in zip(sp, ws, stride, pad)]
    xp = np.zeros(x.shape[:-nd] + tuple(padded), x.dtype)
    xp[(Ellipsis,) + tuple(slice(p, p + n) for p, n in zip(pad, sp))] = x
    regions = []
    for d in range(nd):
        r = []
        for j in range(out[d]):
            s = j * stride[d]
            e = min(s + ws[d], padded[d])
            if mode != "average_inc_pad":
                s, e = max(s, pad[d]), min(e, padded[d] - pad[d])
            r.append(slice(s, e))
        regions.append(r)
    y = np.zeros(x.shape[:-nd] + tuple(out), x.dtype)
    fn = {"max": np.max, "sum": np.sum}.get(mode, np.mean)
    for lead in np.ndindex(*x.shape[:-nd]):
        for pos in itertools.product(*[range(o) for o in out]):
            y[lead + pos] = fn(xp[lead + tuple(regions[d][pos[d]] for d in range(nd))])
    return y


CASES = [  # ws, ignore_border, stride, pad
    ((2, 2), True, None, (0, 0)),
    ((2, 2), False, None, (0, 0)),
    ((3, 2), False, (1, 2), (0, 0)),
    ((3, 3), True, (2, 1), (1, 2)),
    ((2, 3), True, (3, 3), (1, 0)),
    ((1, 1), False, (2, 2), (0, 0)),
]


@pytest.mark.parametrize("mode", pool.MODES)
@pytest.mark.parametrize("ws,ignore_border,stride,pad", CASES)
def test_values_2d(mode, ws, ignore_border, stride, pad):
    x = T.dtensor4("x")
    xv = RNG.randn(2, 3, 7, 6)
    y = pool.pool_2d(x, ws, ignore_border=ignore_border, stride=stride, pad=pad, mode=mode)
    np.testing.assert_allclose(theon.function([x], y)(xv), reference(xv, ws, ignore_border, stride, pad, mode),
                               rtol=1e-12)


@pytest.mark.parametrize("dtype", ["float32", "int32", "float16"])
def test_dtypes_and_leading_axes(dtype):
    x = T.tensor3("x", dtype=dtype)
    xv = (RNG.randn(3, 5, 7) * 10).astype(dtype)
    for mode in ("max", "sum") if dtype == "int32" else pool.MODES:
        y = pool.pool_2d(x, (2, 3), ignore_border=False, mode=mode)
        assert y.dtype == dtype
        want = reference(xv.astype("float64"), (2, 3), False, None, (0, 0), mode)
        tol = 1e-2 if dtype == "float16" else 1e-5
        np.testing.assert_allclose(theon.function([x], y)(xv), want.astype(dtype), rtol=tol, atol=tol)


def test_values_3d():
    x = T.dtensor5("x")
    xv = RNG.randn(1, 2, 5, 4, 6)
    for mode in pool.MODES:
        y = pool.pool_3d(x, (2, 2, 3), ignore_border=True, stride=(1, 2, 2), pad=(1, 0, 1), mode=mode)
        np.testing.assert_allclose(theon.function([x], y)(xv),
                                   reference(xv, (2, 2, 3), True, (1, 2, 2), (1, 0, 1), mode), rtol=1e-12)


@pytest.mark.parametrize("mode", pool.MODES)
@pytest.mark.parametrize("ws,ignore_border,stride,pad", CASES[:5])
def test_gradients_against_numeric(mode, ws, ignore_border, stride, pad):
    x = T.dtensor4("x")
    xv = RNG.permutation(2 * 2 * 6 * 5).reshape(2, 2, 6, 5) / 7.0  # distinct values: no tied maxima
    y = pool.pool_2d(x, ws, ignore_border=ignore_border, stride=stride, pad=pad, mode=mode)
    cost = (y ** 2).sum() + y.sum()
    g = theon.function([x], T.grad(cost, x))(xv)
    np.testing.assert_allclose(g, numeric_grad(theon.function([x], cost), [xv])[0], rtol=1e-5, atol=1e-6)
    # the gradient's gradient (Hessian-vector products through pooling)
    gx = T.grad(cost, x)
    s = (gx ** 2).sum()
    h = theon.function([x], T.grad(s, x))(xv)
    np.testing.assert_allclose(h, numeric_grad(theon.function([x], s), [xv])[0], rtol=1e-5, atol=1e-5)
    if mode == "max":
        kinds = {n.op.kind for n in theon.function([x], T.grad(s, x)).maker.fgraph.toposort()}
        assert "PoolGradGrad" in kinds


def test_max_pool_same_size_and_op_classes():
    x = T.dmatrix("x")
    xv = RNG.randn(4, 6)
    got = theon.function([x], pool.max_pool_2d_same_size(x, (2, 3)))(xv)
    want = np.zeros_like(xv)
    for i, j in itertools.product(range(2), range(2)):
        blk = xv[2 * i:2 * i + 2, 3 * j:3 * j + 3]
        k = np.unravel_index(np.argmax(blk), blk.shape)
        want[2 * i + k[0], 3 * j + k[1]] = blk[k]
    np.testing.assert_allclose(got, want)
    y = pool.pool_2d(x, (2, 2), ignore_border=True)
    g = T.grad(y.sum(), x)
    assert isinstance(y.owner.op, pool.Pool) and isinstance(g.owner.op, pool.MaxPoolGrad)
    assert not isinstance(g.owner.op, pool.AveragePoolGrad)
    ga = T.grad(pool.pool_2d(x, (2, 2), ignore_border=True, mode="sum").sum(), x)
    assert isinstance(ga.owner.op, pool.AveragePoolGrad)
    op = pool.Pool(ignore_border=True, mode="average_exc_pad")
    assert op.mode == "average_exc_pad"
    np.testing.assert_allclose(theon.function([x], op(x, (2, 2), (1, 1), (1, 1)))(xv),
                               reference(xv, (2, 2), True, (1, 1), (1, 1), "average_exc_pad"), rtol=1e-12)


def test_shapes_without_running_the_pooling():
    x = T.dtensor4("x")
    xv = np.ones((2, 3, 7, 6))
    for ws, ib, st, pad in CASES:
        y = pool.pool_2d(x, ws, ignore_border=ib, stride=st, pad=pad)
        f = theon.function([x], y.shape)
        assert not [n for n in f.maker.fgraph.toposort() if n.op.kind == "Pool"]
        np.testing.assert_array_equal(f(xv), reference(xv, ws, ib, st, pad, "max").shape)
    y = pool.pool_2d(T.specify_shape(x, (2, 3, 7, 6)), (2, 2), ignore_border=False)
    assert tuple(y.type.shape) == (2, 3, 4, 3)


def test_errors_are_clear():
    x = T.dtensor4("x")
    with pytest.raises(ValueError, match="mode"):
        pool.pool_2d(x, (2, 2), ignore_border=True, mode="median")
    with pytest.raises(NotImplementedError, match="ignore_border=True"):
        pool.pool_2d(x, (2, 2), ignore_border=False, pad=(1, 1))
    with pytest.raises(NotImplementedError, match="smaller than the window"):
        pool.pool_2d(x, (2, 2), ignore_border=True, pad=(2, 0))
    with pytest.raises(ValueError, match="positive"):
        pool.pool_2d(x, (2, 0), ignore_border=True)
    with pytest.raises(ValueError, match="needs 2"):
        pool.pool_2d(x, (2, 2, 2), ignore_border=True)
    with pytest.raises(NotImplementedError, match="dimension >= 2"):
        pool.pool_2d(T.dvector("v"), (2, 2), ignore_border=True)
    with pytest.raises(ValueError, match="window size"):
        pool.pool_2d(x, ignore_border=True)
    with pytest.raises(ValueError, match="at most"):
        pool.pool_2d(x, (2 ** 40, 2), ignore_border=True)
    # an output too large to hold is a clear error, never a crash
    huge = theon.function([x], pool.pool_2d(x, (2 ** 31, 2 ** 31), ignore_border=True, stride=(1, 1),
                                            pad=(2 ** 31 - 1, 2 ** 31 - 1)))
    with pytest.raises(ValueError, match="too big"):
        huge(np.ones((1, 1, 2, 2)))
    with pytest.warns(UserWarning, match="ignore_border"):
        pool.pool_2d(x, (2, 2))


@pytest.mark.parametrize("mode", pool.MODES)
@pytest.mark.parametrize("ignore_border,stride,pad", [(True, None, (0, 0, 0, 0)), (False, (1, 2, 2, 1), (0, 0, 0, 0)),
                                                      (True, (2, 1, 2, 2), (1, 0, 1, 1))])
def test_pooling_over_four_axes(mode, ignore_border, stride, pad):
    # Theano's Pool(ndim=4): pooled three axes at a time (a window is a box).
    x = T.TensorType("float64", (False,) * 6)("x")
    xv = RNG.rand(2, 2, 6, 5, 6, 5)
    ws = (2, 3, 3, 2)
    y = pool.Pool(ndim=4, ignore_border=ignore_border, mode=mode)(x, ws, stride, pad)
    got = theon.function([x], y)(xv)
    np.testing.assert_allclose(got, reference(xv, ws, ignore_border, stride, pad, mode), rtol=1e-12)
    cost = (y * y).sum()
    np.testing.assert_allclose(theon.function([x], theon.grad(cost, x))(xv),
                               numeric_grad(theon.function([x], cost), [xv])[0], rtol=1e-5, atol=1e-8)
    with pytest.raises(NotImplementedError, match="differentiate"):
        pool.MaxPoolGrad(ndim=4, ignore_border=ignore_border)(x, y, y, ws)


def test_op_classes_take_their_parameters_by_keyword():
    x = T.dtensor4("x")
    xv = RNG.rand(2, 1, 4, 6)
    y = pool.Pool(ignore_border=True)(x, (2, 2), stride=(2, 3), pad=(1, 0))
    g = pool.MaxPoolGrad(ignore_border=True)(x, y, y, (2, 2), stride=(2, 3), pad=(1, 0))
    got_y, got_g = theon.function([x], [y, g])(xv)
    np.testing.assert_allclose(got_y, reference(xv, (2, 2), True, (2, 3), (1, 0), "max"))
    want_g = theon.function([x], theon.grad(None, x, known_grads={y: y}))(xv)
    np.testing.assert_allclose(got_g, want_g)


@pytest.mark.parametrize("mode", pool.MODES)
@pytest.mark.parametrize("ignore_border", [True, False])
def test_window_stride_and_padding_given_when_the_function_runs(mode, ignore_border):
    # Theano took ws, stride and pad as graph inputs: one function serves every window.
    x = T.dtensor4("x")
    ws, st, pad = T.ivector("ws"), T.ivector("st"), T.ivector("pad")
    y = pool.pool_2d(x, ws, ignore_border, st, pad, mode)
    g = theon.grad((y * y).sum(), x)
    hv = theon.grad((g * g).sum(), x) if mode == "max" else g  # through the max-pool gradient's gradient
    f = theon.function([x, ws, st, pad], [y, g, hv, y.shape])
    xv = RNG.rand(2, 1, 7, 6)
    for w, s, p in [((2, 2), (2, 2), (0, 0)), ((3, 2), (2, 1), (1, 1)), ((4, 3), (3, 3), (0, 1))]:
        if not ignore_border and any(p):
            continue
        fixed = pool.pool_2d(x, w, ignore_border, s, p, mode)
        fg = theon.grad((fixed * fixed).sum(), x)
        want = theon.function([x], [fixed, fg, theon.grad((fg * fg).sum(), x) if mode == "max" else fg])(xv)
        got = f(xv, w, s, p)
        for a, b in zip(got[:3], want):
            np.testing.assert_allclose(a, b, rtol=1e-12)
        np.testing.assert_array_equal(got[3], want[0].shape)
    with pytest.raises(ValueError, match="stride must be positive"):
        f(xv, (2, 2), (0, 1), (0, 0))
    with pytest.raises(ValueError, match="needs 2 values"):
        f(xv, (2, 2, 2), (1, 1), (0, 0))


def test_run_time_parameters_must_be_int_vectors():
    x = T.dtensor4("x")
    with pytest.raises(TypeError, match="ws must be an int vector"):
        pool.pool_2d(x, T.fvector("ws"), ignore_border=True)
    with pytest.raises(TypeError, match="stride must be an int vector"):
        pool.pool_2d(x, T.ivector("ws"), ignore_border=True, stride=T.imatrix("st"))
