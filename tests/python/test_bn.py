"""Batch normalization (theano.tensor.nnet.bn): training and inference
values against NumPy for every axes setting and parameter layout, running
averages, gradients against numeric ones, errors."""
import numpy as np
import pytest
from conftest import numeric_grad

import theon
import theon.tensor as T
from theon.tensor.nnet import bn

RNG = np.random.RandomState(5)


def np_train(x, g, b, axes, eps, factor, rm, rv):
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    invstd = 1 / np.sqrt(var + eps)
    out = (x - mean) * g * invstd + b
    m = x.size / mean.size
    return out, mean, invstd, rm * (1 - factor) + mean * factor, rv * (1 - factor) + m / (m - 1) * var * factor


@pytest.mark.parametrize("axes,keep", [("per-activation", (1, 2, 3)), ("spatial", (1,)), ((0, 3), (1, 2)),
                                       ((1, 2, 3), (0,))])
@pytest.mark.parametrize("full_rank", [False, True])
def test_train_and_test_against_numpy(axes, keep, full_rank):
    x = T.dtensor4("x")
    xv = RNG.randn(5, 3, 4, 2) * 3 + 1
    naxes = {"per-activation": (0,), "spatial": (0, 2, 3)}.get(axes, axes)
    pshape = tuple(1 if a in naxes else xv.shape[a] for a in range(4))
    gv, bv, rmv, rvv = (RNG.rand(*pshape) + 0.5 for _ in range(4))
    if full_rank:
        ps = [T.TensorType("float64", tuple(a in naxes for a in range(4)))(n) for n in "gbmv"]
        vals = [gv, bv, rmv, rvv]
    else:
        ps = [T.TensorType("float64", (False,) * len(keep))(n) for n in "gbmv"]
        vals = [v.reshape([xv.shape[a] for a in keep]) for v in (gv, bv, rmv, rvv)]
    out = bn.batch_normalization_train(x, ps[0], ps[1], axes, 1e-4, 0.2, ps[2], ps[3])
    got = theon.function([x] + ps, list(out))(xv, *vals)
    want = np_train(xv, gv, bv, naxes, 1e-4, 0.2, rmv, rvv)
    for a, w in zip(got, want):
        np.testing.assert_allclose(a, w.reshape(a.shape), rtol=1e-10)
    test = bn.batch_normalization_test(x, ps[0], ps[1], ps[2], ps[3], axes, 1e-4)
    np.testing.assert_allclose(theon.function([x] + ps, test)(xv, *vals),
                               (xv - rmv) * gv / np.sqrt(rvv + 1e-4) + bv, rtol=1e-10)
    # without running averages: three results
    assert len(bn.batch_normalization_train(x, ps[0], ps[1], axes)) == 3


def test_gradients_against_numeric():
    x, g, b = T.dtensor4("x"), T.dvector("g"), T.dvector("b")
    out, mean, invstd = bn.batch_normalization_train(x, g, b, "spatial")
    w = T.constant(RNG.randn(3, 2, 2, 2))
    cost = (out * w).sum() + (mean ** 2).sum() + invstd.sum()
    vals = [RNG.randn(3, 2, 2, 2), RNG.rand(2) + 0.5, RNG.randn(2)]
    grads = theon.function([x, g, b], T.grad(cost, [x, g, b]))(*vals)
    c = theon.function([x, g, b], cost)
    for k in range(3):
        np.testing.assert_allclose(grads[k], numeric_grad(c, vals)[k], rtol=1e-5, atol=1e-6)
    m, v = T.dvector("m"), T.dvector("v")
    test = bn.batch_normalization_test(x, g, b, m, v, "spatial")
    cost2 = (test * w).sum()
    vals2 = vals + [RNG.randn(2), RNG.rand(2) + 0.5]
    grads2 = theon.function([x, g, b, m, v], T.grad(cost2, [x, g, b, m, v]))(*vals2)
    c2 = theon.function([x, g, b, m, v], cost2)
    for k in range(5):
        np.testing.assert_allclose(grads2[k], numeric_grad(c2, vals2)[k], rtol=1e-5, atol=1e-6)


def test_batch_normalization_and_float32():
    x = T.fmatrix("x")
    g, b, mu, sd = (T.frow(n) for n in "gbms")
    y = bn.batch_normalization(x, g, b, mu, sd, mode="high_mem")
    assert y.dtype == "float32"
    vals = [RNG.randn(4, 3).astype("float32")] + [(RNG.rand(1, 3) + 0.5).astype("float32") for _ in range(4)]
    np.testing.assert_allclose(theon.function([x, g, b, mu, sd], y)(*vals),
                               (vals[0] - vals[3]) * (vals[1] / vals[4]) + vals[2], rtol=1e-6)
    out = bn.batch_normalization_train(x, T.fvector("g1"), T.fvector("b1"))
    assert all(o.dtype == "float32" for o in out)


def test_errors_are_clear():
    x, g, b = T.dtensor4("x"), T.dvector("g"), T.dvector("b")
    with pytest.raises(ValueError, match="epsilon"):
        bn.batch_normalization_train(x, g, b, "spatial", epsilon=1e-6)
    with pytest.raises(ValueError, match="invalid axes"):
        bn.batch_normalization_train(x, g, b, "diagonal")
    with pytest.raises(ValueError, match="less than ndim"):
        bn.batch_normalization_train(x, g, b, (0, 4))
    with pytest.raises(ValueError, match="both"):
        bn.batch_normalization_train(x, g, b, "spatial", running_mean=g)
    with pytest.raises(ValueError, match="dimensions"):
        bn.batch_normalization_train(x, T.dmatrix("g2"), b, "spatial")
    with pytest.raises(ValueError, match="low_mem"):
        bn.batch_normalization(x, g, b, g, g, mode="fast")
