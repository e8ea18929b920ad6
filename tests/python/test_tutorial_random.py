"""The random parts of Theano's tutorial and of the Deep Learning Tutorials
(dA, SdA, RBM/DBN, lstm.py's dropout), written the way they are written
there (``import theon as theano``): the compiled functions build, run and
behave as the tutorials describe."""
import numpy
import pytest

import theon as theano
import theon.tensor as T
from theon import function
from theon.sandbox.rng_mrg import MRG_RandomStreams
from theon.tensor.shared_randomstreams import RandomStreams


# ---- Theano tutorial: "Using Random Numbers" -----------------------------------------------

def test_using_random_numbers():
    srng = RandomStreams(seed=234)
    rv_u = srng.uniform((2, 2))
    rv_n = srng.normal((2, 2))
    f = function([], rv_u)
    g = function([], rv_n, no_default_updates=True)  # Not updating rv_n.rng
    nearly_zeros = function([], rv_u + rv_u - 2 * rv_u)
    f_val0, f_val1 = f(), f()
    assert not numpy.array_equal(f_val0, f_val1)  # different numbers from each call
    g_val0, g_val1 = g(), g()
    assert numpy.array_equal(g_val0, g_val1)  # the same numbers every time
    assert numpy.allclose(nearly_zeros(), 0)  # one draw per call, used three times

    # Seeding streams: one stream, then all of them.
    rng_val = rv_u.rng.get_value(borrow=True)
    rng_val.seed(89234)
    rv_u.rng.set_value(rng_val, borrow=True)
    assert numpy.array_equal(f(), numpy.random.RandomState(89234).uniform(size=(2, 2)).astype(theano.config.floatX))
    srng.seed(902340)
    a = f()
    srng.seed(902340)
    assert numpy.array_equal(f(), a)

    # Sharing streams between functions, and replaying one.
    state_after_v0 = rv_u.rng.get_value().get_state()
    nearly_zeros()  # this affects rv_u's generator
    v1 = f()
    rng = rv_u.rng.get_value(borrow=True)
    rng.set_state(state_after_v0)
    rv_u.rng.set_value(rng, borrow=True)
    v2 = f()  # v2 != v1
    v3 = f()  # v3 == v1
    assert not numpy.array_equal(v1, v2) and numpy.array_equal(v1, v3)


@pytest.mark.parametrize("streams", [RandomStreams, MRG_RandomStreams])
def test_copying_random_state_between_graphs(streams):
    class Graph():
        def __init__(self, seed=123):
            self.rng = streams(seed)
            self.y = self.rng.uniform(size=(1,))

    g1 = Graph(seed=123)
    f1 = theano.function([], g1.y)
    g2 = Graph(seed=987)
    f2 = theano.function([], g2.y)
    assert f1() != f2()

    def copy_random_state(g1, g2):
        if isinstance(g1.rng, MRG_RandomStreams):
            g2.rng.rstate = g1.rng.rstate
        for (su1, su2) in zip(g1.rng.state_updates, g2.rng.state_updates):
            su2[0].set_value(su1[0].get_value())

    copy_random_state(g1, g2)
    assert f1() == f2()


# ---- Deep Learning Tutorials -------------------------------------------------------------------

def _digits():
    from sklearn.datasets import load_digits
    x = load_digits().data[:400] / 16.0
    return theano.shared(numpy.asarray(x, dtype=theano.config.floatX), borrow=True)


class dA(object):
    """dA.py's denoising autoencoder, as the tutorial writes it."""

    def __init__(self, numpy_rng, theano_rng=None, input=None, n_visible=64, n_hidden=32):
        self.n_visible, self.n_hidden = n_visible, n_hidden
        if not theano_rng:
            theano_rng = RandomStreams(numpy_rng.randint(2 ** 30))
        initial_W = numpy.asarray(numpy_rng.uniform(low=-4 * numpy.sqrt(6. / (n_hidden + n_visible)),
                                                    high=4 * numpy.sqrt(6. / (n_hidden + n_visible)),
                                                    size=(n_visible, n_hidden)), dtype=theano.config.floatX)
        self.W = theano.shared(value=initial_W, name='W', borrow=True)
        self.b_prime = theano.shared(value=numpy.zeros(n_visible, dtype=theano.config.floatX), borrow=True)
        self.b = theano.shared(value=numpy.zeros(n_hidden, dtype=theano.config.floatX), name='b', borrow=True)
        self.W_prime = self.W.T
        self.theano_rng = theano_rng
        self.x = input if input is not None else T.dmatrix(name='input')
        self.params = [self.W, self.b, self.b_prime]

    def get_corrupted_input(self, input, corruption_level):
        return self.theano_rng.binomial(size=input.shape, n=1, p=1 - corruption_level,
                                        dtype=theano.config.floatX) * input

    def get_hidden_values(self, input):
        return T.nnet.sigmoid(T.dot(input, self.W) + self.b)

    def get_reconstructed_input(self, hidden):
        return T.nnet.sigmoid(T.dot(hidden, self.W_prime) + self.b_prime)

    def get_cost_updates(self, corruption_level, learning_rate):
        tilde_x = self.get_corrupted_input(self.x, corruption_level)
        y = self.get_hidden_values(tilde_x)
        z = self.get_reconstructed_input(y)
        L = - T.sum(self.x * T.log(z) + (1 - self.x) * T.log(1 - z), axis=1)
        cost = T.mean(L)
        gparams = T.grad(cost, self.params)
        updates = [(param, param - learning_rate * gparam) for param, gparam in zip(self.params, gparams)]
        return (cost, updates)


@pytest.mark.parametrize("streams", [RandomStreams, MRG_RandomStreams])
def test_denoising_autoencoder_trains(streams):
    train_set_x = _digits()
    batch_size = 20
    index = T.lscalar()
    x = T.matrix('x')
    rng = numpy.random.RandomState(123)
    da = dA(numpy_rng=rng, theano_rng=streams(rng.randint(2 ** 30)), input=x)
    cost, updates = da.get_cost_updates(corruption_level=0.3, learning_rate=0.1)
    train_da = theano.function([index], cost, updates=updates,
                               givens={x: train_set_x[index * batch_size: (index + 1) * batch_size]})
    epochs = []
    for epoch in range(6):
        epochs.append(numpy.mean([train_da(i) for i in range(400 // batch_size)]))
    assert epochs[-1] < epochs[0] - 1.0, epochs
    # The corruption mask changes from call to call: the same minibatch gives another cost.
    assert train_da(0) != train_da(0)


def test_stacked_denoising_autoencoder_corruption_per_layer():
    # SdA.py: one theano_rng shared by the layers, each layer's dA corrupting its own input.
    numpy_rng = numpy.random.RandomState(89677)
    theano_rng = RandomStreams(numpy_rng.randint(2 ** 30))
    x = T.matrix('x')
    layer0 = dA(numpy_rng=numpy_rng, theano_rng=theano_rng, input=x, n_visible=64, n_hidden=32)
    h = layer0.get_hidden_values(x)
    layer1 = dA(numpy_rng=numpy_rng, theano_rng=theano_rng, input=h, n_visible=32, n_hidden=16)
    fns = [theano.function([x], da.get_cost_updates(0.2, 0.1)[0], updates=da.get_cost_updates(0.2, 0.1)[1])
           for da in (layer0, layer1)]
    data = _digits().get_value()[:50]
    before = [f(data) for f in fns]
    for _ in range(30):
        for f in fns:
            f(data)
    after = [f(data) for f in fns]
    assert after[0] < before[0] and after[1] < before[1]


def test_lstm_dropout_layer():
    # lstm.py: dropout through a switch on a shared flag, MRG streams, the mask's shape from the input.
    trng = MRG_RandomStreams(123)
    use_noise = theano.shared(numpy.asarray(0., dtype=theano.config.floatX))

    def dropout_layer(state_before, use_noise, trng):
        return T.switch(use_noise,
                        (state_before * trng.binomial(state_before.shape, p=0.5, n=1, dtype=state_before.dtype)),
                        state_before * 0.5)

    x = T.matrix('x', dtype=theano.config.floatX)
    f = theano.function([x], dropout_layer(x, use_noise, trng))
    data = numpy.ones((50, 40), dtype=theano.config.floatX)
    assert numpy.allclose(f(data), 0.5)
    use_noise.set_value(1.)
    a, b = f(data), f(data)
    assert set(numpy.unique(a)) == {0.0, 1.0} and abs(a.mean() - 0.5) < 0.05 and not numpy.array_equal(a, b)
