"""nnet: softmax and log_softmax (values against SciPy over dtypes, axes and
layouts; gradients and R-ops against finite differences; bad inputs), the
rewrites that make softmax stable (softmax_simplifier, log_softmax, the
crossentropy form) and the nnet helpers against NumPy formulas."""
import numpy as np
import pytest
import scipy.special as sp

import theon
import theon.tensor as T
from theon.compile.mode import Mode
from theon.gradient import verify_grad
from theon.tensor import nnet

NONE = Mode(optimizer=None)
UNFUSED = Mode().excluding("fusion", "inplace")


def ops(f):
    return [str(n.op) for n in f.maker.fgraph.toposort()]


@pytest.fixture
def rng():
    return np.random.default_rng(11)


TOL = {"float32": 2e-6, "float64": 1e-13}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape,axis", [((5,), 0), ((4, 7), 1), ((4, 7), 0), ((4, 7), -1), ((2, 3, 5), 1),
                                        ((3, 1000), 1), ((1, 4), 1), ((4, 1), 1)])
@pytest.mark.parametrize("log_form", [False, True])
def test_values_against_scipy(rng, dtype, shape, axis, log_form):
    xv = (rng.standard_normal(shape) * 10).astype(dtype)
    x = T.tensor(dtype, shape=[None] * len(shape))
    fn = nnet.log_softmax if log_form else nnet.softmax
    ref = (sp.log_softmax if log_form else sp.softmax)(xv.astype("float64"), axis=axis)
    for mode in (None, NONE):
        got = theon.function([x], fn(x, axis=axis), mode=mode)(xv)
        assert got.dtype == dtype and got.shape == shape
        np.testing.assert_allclose(got, ref, rtol=TOL[dtype] * 10, atol=TOL[dtype] * 10)


@pytest.mark.parametrize("dtype,out", [("int8", "float32"), ("int32", "float64"), ("int64", "float64")])
def test_integer_input_gives_float(dtype, out):
    xv = np.array([[1, 2, 3], [0, -5, 5]], dtype=dtype)
    x = T.matrix(dtype=dtype)
    got = theon.function([x], nnet.softmax(x))(xv)
    assert got.dtype == out
    np.testing.assert_allclose(got, sp.softmax(xv.astype("float64"), axis=1), rtol=1e-6)


def test_strided_and_transposed_inputs(rng):
    a = rng.standard_normal((6, 8))
    x = T.matrix(dtype="float64")
    f = theon.function([x], [nnet.softmax(x, axis=1), nnet.log_softmax(x, axis=0)])
    for v in (a[::2, ::3], a.T, np.asfortranarray(a)):
        s, ls = f(v)
        np.testing.assert_allclose(s, sp.softmax(v, axis=1), rtol=1e-13)
        np.testing.assert_allclose(ls, sp.log_softmax(v, axis=0), rtol=1e-13, atol=1e-14)


def test_broadcastable_row_and_threads(rng):
    x = T.row(dtype="float64")
    f = theon.function([x], nnet.softmax(x, axis=0))  # size-1 axis: all ones
    np.testing.assert_array_equal(f(rng.standard_normal((1, 5))), np.ones((1, 5)))
    big = rng.standard_normal((3000, 300)).astype("float32")
    m = T.matrix(dtype="float32")
    g = theon.function([m], nnet.softmax(m))
    old = theon.num_threads()
    try:
        outs = []
        for n in (1, 2, 3):
            theon.set_num_threads(n)
            outs.append(g(big))
    finally:
        theon.set_num_threads(old)
    np.testing.assert_array_equal(outs[0], outs[1])
    np.testing.assert_array_equal(outs[0], outs[2])
    np.testing.assert_allclose(outs[0], sp.softmax(big.astype("float64"), axis=1), rtol=2e-5)


def test_special_values():
    x = T.vector(dtype="float64")
    s = theon.function([x], nnet.softmax(x, axis=0))
    ls = theon.function([x], nnet.log_softmax(x, axis=0))
    np.testing.assert_array_equal(ls(np.array([1000.0, 0, -1000])), [0, -1000, -2000])
    np.testing.assert_array_equal(s(np.array([1000.0, 0, -1000])), [1, 0, 0])
    assert np.isnan(s(np.array([np.nan, 0.0]))).all()
    with np.errstate(invalid="ignore"):
        np.testing.assert_array_equal(np.isnan(s(np.array([-np.inf, -np.inf]))),
                                      np.isnan(sp.softmax(np.array([-np.inf, -np.inf]))))
    np.testing.assert_array_equal(s(np.array([-np.inf, 0.0])), [0, 1])


@pytest.mark.parametrize("axis", [0, 1])
def test_gradients_against_finite_differences(rng, axis):
    pt = [rng.standard_normal((3, 4))]
    verify_grad(lambda x: nnet.softmax(x, axis=axis) * np.arange(12.0).reshape(3, 4), pt, rng=np.random.RandomState(0))
    verify_grad(lambda x: nnet.log_softmax(x, axis=axis) * np.arange(12.0).reshape(3, 4), pt,
                rng=np.random.RandomState(1))


def test_second_derivative(rng):
    x = T.vector(dtype="float64")
    h = theon.function([x], T.hessian(nnet.log_softmax(x, axis=0)[0], x))
    xv = rng.standard_normal(4)
    sm = sp.softmax(xv)
    # d^2/dx^2 of log_softmax(x)[0] = -(diag(sm) - sm sm^T)
    np.testing.assert_allclose(h(xv), -(np.diag(sm) - np.outer(sm, sm)), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("log_form", [False, True])
def test_rop_against_finite_differences(rng, log_form):
    x, v = T.matrix(dtype="float64"), T.matrix(dtype="float64")
    fn = nnet.log_softmax if log_form else nnet.softmax
    y = fn(x)
    f = theon.function([x, v], T.Rop(y, x, v))
    xv, vv = rng.standard_normal((3, 5)), rng.standard_normal((3, 5))
    ref_fn = sp.log_softmax if log_form else sp.softmax
    eps = 1e-6
    fd = (ref_fn(xv + eps * vv, axis=1) - ref_fn(xv - eps * vv, axis=1)) / (2 * eps)
    np.testing.assert_allclose(f(xv, vv), fd, rtol=1e-6, atol=1e-8)


def test_bad_inputs():
    with pytest.raises(TypeError, match=r"softmax.*at least one dimension"):
        nnet.softmax(T.scalar())
    with pytest.raises(IndexError, match=r"softmax.*axis 2.*out of bounds"):
        nnet.softmax(T.matrix(), axis=2)
    with pytest.raises(TypeError, match=r"Softmax.*real.*complex128"):
        nnet.softmax(T.zmatrix())
    with pytest.raises(TypeError, match="labels must be integers"):
        nnet.crossentropy_categorical_1hot(T.matrix(), T.vector())
    with pytest.raises(TypeError, match=r"crossentropy_categorical_1hot: needs a matrix"):
        nnet.crossentropy_categorical_1hot(T.tensor3(), T.lvector())
    with pytest.raises(TypeError, match=r"categorical_crossentropy: true_dist must have the ndim .* got 3"):
        nnet.categorical_crossentropy(T.matrix(), T.tensor3())


# ---- rewrites ----------------------------------------------------------------------

def test_log_of_softmax_is_log_softmax_when_built():
    x = T.matrix(dtype="float64")
    f = theon.function([x], T.log(nnet.softmax(x)), mode=NONE)  # the builder already chooses the stable form
    assert ops(f) == ["LogSoftmax{axis=1}"]
    np.testing.assert_array_equal(f(np.array([[1000.0, 0, -1000]])), [[0, -1000, -2000]])


def test_softmax_simplifier_and_log_softmax_rules(rng):
    x = T.matrix(dtype="float64")
    f = theon.function([x], T.log(nnet.softmax_graph(x)), mode=UNFUSED)
    assert ops(f) == ["LogSoftmax{axis=1}"]
    g = theon.function([x], nnet.softmax_graph(x), mode=UNFUSED)
    assert ops(g) == ["Softmax{axis=1}"]
    xv = rng.standard_normal((4, 6))
    np.testing.assert_allclose(f(xv), theon.function([x], T.log(nnet.softmax_graph(x)), mode=NONE)(xv), rtol=1e-13)
    np.testing.assert_array_equal(f(np.array([[1000.0, 0, -1000]])), [[0, -1000, -2000]])


def test_max_shifted_softmax_by_hand(rng):
    x = T.matrix(dtype="float32")
    e = T.exp(x - x.max(axis=0, keepdims=True))
    sm = e / e.sum(axis=0, keepdims=True)
    f = theon.function([x], T.log(sm), mode=UNFUSED)
    assert ops(f) == ["LogSoftmax{axis=0}"]
    xv = (rng.standard_normal((5, 3)) * 300).astype("float32")
    got = f(xv)
    assert np.isfinite(got).all()
    np.testing.assert_allclose(got, sp.log_softmax(xv.astype("float64"), axis=0), rtol=1e-5, atol=1e-4)


def test_softmax_simplifier_leaves_other_denominators():
    x = T.matrix(dtype="float64")
    e = T.exp(x)
    f = theon.function([x], e / e.sum(axis=0, keepdims=True).sum(), mode=UNFUSED)
    assert not any("Softmax" in o for o in ops(f))


def test_crossentropy_of_softmax_is_stable(rng):
    x, y = T.matrix(dtype="float64"), T.lvector()
    sm = nnet.softmax(x)
    cost = -T.log(sm[T.arange(x.shape[0]), y]).mean()
    f = theon.function([x, y], [cost, T.grad(cost, x)])
    # The cost is read from the crossentropy op (from the log-softmax: never
    # log of a softmax); the gradient takes softmax itself, which
    # exp(log_softmax) only approximates.
    f_cost = theon.function([x, y], cost)
    assert "CrossentropySoftmaxArgmax1Hot" in ops(f_cost) and "Softmax{axis=1}" not in ops(f_cost)
    assert "CrossentropySoftmaxArgmax1Hot" in ops(f)
    xv = rng.standard_normal((5, 4)) * 2000
    yv = rng.integers(0, 4, 5)
    c, g = f(xv, yv)
    ref = -sp.log_softmax(xv, axis=1)[np.arange(5), yv].mean()
    assert np.isfinite(c) and np.isfinite(g).all()
    np.testing.assert_allclose(c, ref, rtol=1e-12)
    onehot = np.eye(4)[yv]
    np.testing.assert_allclose(g, (sp.softmax(xv, axis=1) - onehot) / 5, atol=1e-15)


def test_categorical_crossentropy_forms(rng):
    x, y = T.matrix(dtype="float64"), T.lvector()
    t = T.matrix(dtype="float64")
    xv = rng.standard_normal((6, 5)) * 500
    yv = rng.integers(0, 5, 6)
    onehot = np.eye(5)[yv]
    f = theon.function([x, y, t], [nnet.categorical_crossentropy(nnet.softmax(x), y),
                                   nnet.categorical_crossentropy(nnet.softmax(x), t)])
    a, b = f(xv, yv, onehot)
    ref = -sp.log_softmax(xv, axis=1)[np.arange(6), yv]
    np.testing.assert_allclose(a, ref, rtol=1e-12)
    np.testing.assert_allclose(b, ref, rtol=1e-12)
    nll, sm = nnet.crossentropy_softmax_1hot(x, y)
    nll2, sm2, am = nnet.crossentropy_softmax_argmax_1hot_with_bias(x, T.zeros_like(x[0]), y)
    g = theon.function([x, y], [nll, sm, nll2, am])
    r = g(xv, yv)
    np.testing.assert_allclose(r[0], ref, rtol=1e-12)
    np.testing.assert_allclose(r[1], sp.softmax(xv, axis=1), rtol=1e-12)
    np.testing.assert_allclose(r[2], ref, rtol=1e-12)
    np.testing.assert_array_equal(r[3], xv.argmax(axis=1))


def test_elementwise_helpers(rng):
    x = T.vector(dtype="float64")
    t = T.vector(dtype="float64")
    xv = rng.standard_normal(50) * 5
    tv = rng.uniform(0, 1, 50)
    p = sp.expit(xv)
    cases = [
        (nnet.relu(x), np.maximum(xv, 0)),
        (nnet.relu(x, 0.1), np.where(xv > 0, xv, 0.1 * xv)),
        (nnet.elu(x), np.where(xv > 0, xv, np.expm1(xv))),
        (nnet.selu(x), 1.0507009873554805 * np.where(xv > 0, xv, 1.6732632423543772 * np.expm1(xv))),
        (nnet.softsign(x), xv / (1 + np.abs(xv))),
        (nnet.hard_sigmoid(x), np.clip(0.2 * xv + 0.5, 0, 1)),
        (nnet.ultra_fast_sigmoid(x), p),
        (nnet.binary_crossentropy(nnet.sigmoid(x), t), -(tv * np.log(p) + (1 - tv) * np.log1p(-p))),
        (nnet.sigmoid_binary_crossentropy(x, t), -(tv * np.log(p) + (1 - tv) * np.log1p(-p))),
    ]
    f = theon.function([x, t], [c[0] for c in cases], on_unused_input="ignore")
    for got, (_, ref) in zip(f(xv, tv), cases):
        np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-12)


def test_binary_crossentropy_of_sigmoid_is_stable():
    x, t = T.vector(dtype="float64"), T.vector(dtype="float64")
    f = theon.function([x, t], nnet.binary_crossentropy(nnet.sigmoid(x), t))
    got = f(np.array([-800.0, 800.0]), np.array([1.0, 0.0]))
    np.testing.assert_allclose(got, [800.0, 800.0])


def test_neg_log_softmax_then_indexed_is_finite(rng):
    """The issue's spelling: -log(softmax(x))[arange(n), y], log before indexing."""
    x, y = T.matrix(dtype="float64"), T.lvector()
    cost = -T.log(nnet.softmax(x))[T.arange(x.shape[0]), y]
    f = theon.function([x, y], [cost, T.grad(cost.sum(), x)])
    xv = rng.standard_normal((4, 6)) * 1e4
    yv = rng.integers(0, 6, 4)
    c, g = f(xv, yv)
    assert np.isfinite(c).all() and np.isfinite(g).all()
    np.testing.assert_allclose(c, -sp.log_softmax(xv, axis=1)[np.arange(4), yv], rtol=1e-12)
    np.testing.assert_allclose(g, sp.softmax(xv, axis=1) - np.eye(6)[yv], atol=1e-15)


# Short rows along the last axis run block-wise (row maxima, one vector exp
# call, row sums); long rows and other axes one row at a time: both give SciPy's values.
@pytest.mark.parametrize("dtype", ["float32", "float64", "int16"])
@pytest.mark.parametrize("shape", [(7, 10), (3, 4, 128), (5, 129), (2, 3, 1)])
@pytest.mark.parametrize("log_form", [False, True])
def test_softmax_short_and_long_rows_against_scipy(dtype, shape, log_form, rng):
    x = T.tensor(dtype=dtype, broadcastable=(False,) * len(shape))
    v = (rng.standard_normal(shape) * 20).astype(dtype)
    f = theon.function([x], (nnet.log_softmax if log_form else nnet.softmax)(x))
    want = (sp.log_softmax if log_form else sp.softmax)(v.astype("float64"), axis=-1)
    tol = 1e-12 if dtype == "float64" else 1e-5  # int16 computes in float32 (upgrade_to_float)
    np.testing.assert_allclose(f(v), want, rtol=tol, atol=tol)
    w = np.swapaxes(np.ascontiguousarray(np.swapaxes(v, 0, -1)), 0, -1)  # the same values, strided
    np.testing.assert_allclose(f(w), want, rtol=tol, atol=tol)


def test_softmax_rows_with_nan_and_inf_are_nan():
    x = T.dmatrix()
    f = theon.function([x], nnet.softmax(x))
    out = f(np.array([[1.0, np.nan, 2.0], [np.inf, 1.0, 0.0], [0.0, 1.0, 2.0]]))
    assert np.isnan(out[0]).all() and np.isnan(out[1, 0])
    np.testing.assert_allclose(out[2], sp.softmax([0.0, 1.0, 2.0]))


def test_softmax_of_a_vector_is_a_row_as_in_theano():
    # Theano 1.0 padded a vector to the row (1, n); its tutorials index the
    # result as a matrix (rnnslu: softmax(dot(h_t, w) + b) stacked, then s[:, 0, :]).
    x = T.vector(dtype="float64")
    with pytest.warns(DeprecationWarning, match="returns a \\(1, n\\) row"):
        s = nnet.softmax(x)
    with pytest.warns(DeprecationWarning):
        ls = nnet.log_softmax(x)
    assert s.ndim == 2 and s.broadcastable == (True, False)
    xv = np.array([0.5, -1.0, 2.0])
    np.testing.assert_allclose(theon.function([x], s)(xv), sp.softmax(xv)[None])
    np.testing.assert_allclose(theon.function([x], ls)(xv), sp.log_softmax(xv)[None])
    assert nnet.softmax(x, axis=0).ndim == 1  # an explicit axis is NumPy's call
