"""The first pages of Theano 1.0's tutorial, written the way the tutorial
writes them (``import theon as theano``), asserting the printed results."""
import numpy

import theon as theano
import theon.tensor as T
from theon import In, function, shared


# ---- Baby Steps - Algebra -------------------------------------------------------------------

def test_adding_two_scalars():
    x = T.dscalar('x')
    y = T.dscalar('y')
    z = x + y
    f = function([x, y], z)
    out = f(2, 3)
    assert isinstance(out, numpy.ndarray) and out.dtype == numpy.float64 and out.shape == ()
    assert out == 5.0
    assert numpy.allclose(f(16.3, 12.1), 28.4)
    assert isinstance(x, T.TensorVariable)
    assert x.type == T.TensorType('float64', ())
    assert x.type == T.dscalar().type
    assert x.name == 'x'
    assert numpy.allclose(z.eval({x: 16.3, y: 12.1}), 28.4)


def test_adding_two_matrices():
    x = T.dmatrix('x')
    y = T.dmatrix('y')
    z = x + y
    f = function([x, y], z)
    numpy.testing.assert_array_equal(f([[1, 2], [3, 4]], [[10, 20], [30, 40]]),
                                     numpy.array([[11., 22.], [33., 44.]]))
    numpy.testing.assert_array_equal(f(numpy.array([[1, 2], [3, 4]]), numpy.array([[10, 20], [30, 40]])),
                                     numpy.array([[11., 22.], [33., 44.]]))


def test_algebra_exercise():
    a = T.vector()
    out = a + a ** 10
    f = function([a], out)
    numpy.testing.assert_array_equal(f([0, 1, 2]), [0., 2., 1026.])
    b = T.vector()
    out2 = a ** 2 + b ** 2 + 2 * a * b
    f2 = function([a, b], out2)
    numpy.testing.assert_array_equal(f2([1, 2], [3, 4]), [16., 36.])


# ---- More Examples ------------------------------------------------------------------------------

def test_logistic_function():
    x = T.dmatrix('x')
    s = 1 / (1 + T.exp(-x))
    logistic = theano.function([x], s)
    numpy.testing.assert_allclose(logistic([[0, 1], [-1, -2]]),
                                  [[0.5, 0.73105858], [0.26894142, 0.11920292]], rtol=1e-7)
    s2 = (1 + T.tanh(x / 2)) / 2
    logistic2 = theano.function([x], s2)
    numpy.testing.assert_allclose(logistic2([[0, 1], [-1, -2]]),
                                  [[0.5, 0.73105858], [0.26894142, 0.11920292]], rtol=1e-7)


def test_multiple_outputs():
    a, b = T.dmatrices('a', 'b')
    diff = a - b
    abs_diff = abs(diff)
    diff_squared = diff ** 2
    f = theano.function([a, b], [diff, abs_diff, diff_squared])
    d, ad, d2 = f([[1, 1], [1, 1]], [[0, 1], [2, 3]])
    numpy.testing.assert_array_equal(d, [[1., 0.], [-1., -2.]])
    numpy.testing.assert_array_equal(ad, [[1., 0.], [1., 2.]])
    numpy.testing.assert_array_equal(d2, [[1., 0.], [1., 4.]])


def test_default_value_for_an_argument():
    x, y = T.dscalars('x', 'y')
    z = x + y
    f = function([x, In(y, value=1)], z)
    assert f(33) == 34.0
    assert f(33, 2) == 35.0
    x, y, w = T.dscalars('x', 'y', 'w')
    z = (x + y) * w
    f = function([x, In(y, value=1), In(w, value=2, name='w_by_name')], z)
    assert f(33) == 68.0
    assert f(33, 2) == 70.0
    assert f(33, 0, 1) == 33.0
    assert f(33, w_by_name=1) == 34.0
    assert f(33, w_by_name=1, y=0) == 33.0


def test_shared_variables_accumulator():
    state = shared(0)
    inc = T.iscalar('inc')
    accumulator = function([inc], state, updates=[(state, state + inc)])
    assert state.get_value() == 0
    assert accumulator(1) == 0
    assert state.get_value() == 1
    assert accumulator(300) == 1
    assert state.get_value() == 301
    state.set_value(-1)
    assert accumulator(3) == -1
    assert state.get_value() == 2
    decrementor = function([inc], state, updates=[(state, state - inc)])
    assert decrementor(2) == 2
    assert state.get_value() == 0
    # givens: compute with a value in place of the shared variable
    fn_of_state = state * 2 + inc
    # The type of foo must match the shared variable we are replacing with the ``givens``
    foo = T.scalar(dtype=state.dtype)
    skip_shared = function([inc, foo], fn_of_state, givens=[(state, foo)])
    assert skip_shared(1, 3) == 7
    assert state.get_value() == 0  # old state still there, but we didn't use it


# ---- Derivatives in Theano --------------------------------------------------------------------

def test_computing_gradients():
    x = T.dscalar('x')
    y = x ** 2
    gy = T.grad(y, x)
    f = theano.function([x], gy)
    assert f(4) == 8.0
    assert numpy.allclose(f(94.2), 188.4)


def test_gradient_of_logistic():
    x = T.dmatrix('x')
    s = T.sum(1 / (1 + T.exp(-x)))
    gs = T.grad(s, x)
    dlogistic = theano.function([x], gs)
    numpy.testing.assert_allclose(dlogistic([[0, 1], [-1, -2]]),
                                  [[0.25, 0.19661193], [0.19661193, 0.10499359]], rtol=1e-7)


def test_more_derivatives():
    x = T.dscalar('x')
    for expr, d in [(x ** 3, lambda v: 3 * v ** 2), (T.exp(2 * x), lambda v: 2 * numpy.exp(2 * v)),
                    (T.log(x) * x, lambda v: numpy.log(v) + 1), (T.sin(x) ** 2, lambda v: numpy.sin(2 * v))]:
        f = theano.function([x], T.grad(expr, x))
        for v in (0.5, 1.7, 3.0):
            assert numpy.allclose(f(v), d(v))


# ---- A Real Example: Logistic Regression ----------------------------------------------------

def _logistic_regression(training_steps, rng):
    N = 400                                   # training sample size
    feats = 784                               # number of input variables
    # generate a dataset: D = (input_values, target_class)
    D = (rng.randn(N, feats), rng.randint(size=N, low=0, high=2))
    # Declare Theano symbolic variables
    x = T.dmatrix("x")
    y = T.dvector("y")
    # initialize the weight vector w randomly
    w = theano.shared(rng.randn(feats), name="w")
    # initialize the bias term
    b = theano.shared(0., name="b")
    w0 = w.get_value()
    # Construct Theano expression graph
    p_1 = 1 / (1 + T.exp(-T.dot(x, w) - b))   # Probability that target = 1
    prediction = p_1 > 0.5                    # The prediction thresholded
    xent = -y * T.log(p_1) - (1 - y) * T.log(1 - p_1)  # Cross-entropy loss function
    cost = xent.mean() + 0.01 * (w ** 2).sum()  # The cost to minimize
    gw, gb = T.grad(cost, [w, b])             # Compute the gradient of the cost
    # Compile
    train = theano.function(
        inputs=[x, y],
        outputs=[prediction, xent],
        updates=((w, w - 0.1 * gw), (b, b - 0.1 * gb)))
    predict = theano.function(inputs=[x], outputs=prediction)
    errs = []
    for i in range(training_steps):
        pred, err = train(D[0], D[1])
        errs.append(err.mean())
    return D, w, b, w0, predict, errs, pred


def test_logistic_regression_matches_numpy():
    """A few steps, compared with the same updates done in NumPy."""
    steps = 5
    D, w, b, w0, predict, errs, pred = _logistic_regression(steps, numpy.random.RandomState(0))
    X, Y = D[0], D[1].astype("float64")
    ww, bb = w0.copy(), 0.0
    for _ in range(steps):
        p = 1 / (1 + numpy.exp(-X.dot(ww) - bb))
        gw = X.T.dot(p - Y) / len(Y) + 0.02 * ww
        gb = (p - Y).mean()
        ww, bb = ww - 0.1 * gw, bb - 0.1 * gb
    numpy.testing.assert_allclose(w.get_value(), ww, rtol=1e-9, atol=1e-12)
    numpy.testing.assert_allclose(b.get_value(), bb, rtol=1e-9, atol=1e-12)
    assert pred.dtype == numpy.bool_ and pred.shape == (400,)


def test_logistic_regression_learns():
    D, w, b, w0, predict, errs, pred = _logistic_regression(300, numpy.random.RandomState(1))
    print("target values for D:")
    print(D[1])
    print("prediction on D:")
    p = predict(D[0])
    print(p)
    assert p.dtype == numpy.bool_
    assert numpy.mean(p == D[1]) >= 0.99
    assert errs[-1] < errs[0] / 10
