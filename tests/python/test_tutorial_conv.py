"""The deep learning tutorial's convolutional_mlp.py (LeNet), as the tutorial
writes it: LeNetConvPoolLayer with theano.tensor.nnet.conv2d and
theano.tensor.signal.pool.pool_2d, a tanh hidden layer and logistic
regression, trained by minibatch SGD through givens on shared data. On
scikit-learn's 8x8 digits it learns: the validation error falls well below
chance."""
import numpy

import theon as theano
import theon.tensor as T
from theon.tensor.nnet import conv2d
from theon.tensor.signal import pool


class LogisticRegression(object):
    def __init__(self, input, n_in, n_out):
        self.W = theano.shared(value=numpy.zeros((n_in, n_out), dtype=theano.config.floatX), name='W', borrow=True)
        self.b = theano.shared(value=numpy.zeros((n_out,), dtype=theano.config.floatX), name='b', borrow=True)
        self.p_y_given_x = T.nnet.softmax(T.dot(input, self.W) + self.b)
        self.y_pred = T.argmax(self.p_y_given_x, axis=1)
        self.params = [self.W, self.b]
        self.input = input

    def negative_log_likelihood(self, y):
        return -T.mean(T.log(self.p_y_given_x)[T.arange(y.shape[0]), y])

    def errors(self, y):
        return T.mean(T.neq(self.y_pred, y))


class HiddenLayer(object):
    def __init__(self, rng, input, n_in, n_out, W=None, b=None, activation=T.tanh):
        self.input = input
        if W is None:
            W_values = numpy.asarray(rng.uniform(low=-numpy.sqrt(6. / (n_in + n_out)),
                                                 high=numpy.sqrt(6. / (n_in + n_out)), size=(n_in, n_out)),
                                     dtype=theano.config.floatX)
            W = theano.shared(value=W_values, name='W', borrow=True)
        if b is None:
            b = theano.shared(value=numpy.zeros((n_out,), dtype=theano.config.floatX), name='b', borrow=True)
        self.W, self.b = W, b
        lin_output = T.dot(input, self.W) + self.b
        self.output = lin_output if activation is None else activation(lin_output)
        self.params = [self.W, self.b]


class LeNetConvPoolLayer(object):
    def __init__(self, rng, input, filter_shape, image_shape, poolsize=(2, 2)):
        assert image_shape[1] == filter_shape[1]
        self.input = input
        fan_in = numpy.prod(filter_shape[1:])
        fan_out = (filter_shape[0] * numpy.prod(filter_shape[2:]) // numpy.prod(poolsize))
        W_bound = numpy.sqrt(6. / (fan_in + fan_out))
        self.W = theano.shared(numpy.asarray(rng.uniform(low=-W_bound, high=W_bound, size=filter_shape),
                                             dtype=theano.config.floatX), borrow=True)
        b_values = numpy.zeros((filter_shape[0],), dtype=theano.config.floatX)
        self.b = theano.shared(value=b_values, borrow=True)
        conv_out = conv2d(input=input, filters=self.W, filter_shape=filter_shape, input_shape=image_shape)
        pooled_out = pool.pool_2d(input=conv_out, ws=poolsize, ignore_border=True)
        self.output = T.tanh(pooled_out + self.b.dimshuffle('x', 0, 'x', 'x'))
        self.params = [self.W, self.b]
        self.input = input


def test_lenet_learns_digits():
    from sklearn.datasets import load_digits
    digits = load_digits()
    rng = numpy.random.RandomState(23455)
    order = rng.permutation(len(digits.target))
    data = (digits.data[order] / 16.0).astype(theano.config.floatX)
    labels = digits.target[order].astype("int32")
    train_x = theano.shared(data[:1200], borrow=True)
    train_y = T.cast(theano.shared(labels[:1200].astype(theano.config.floatX), borrow=True), 'int32')
    valid_x = theano.shared(data[1200:1500], borrow=True)
    valid_y = T.cast(theano.shared(labels[1200:1500].astype(theano.config.floatX), borrow=True), 'int32')
    batch_size, nkerns, learning_rate = 50, [4, 8], 0.1

    index = T.lscalar()
    x = T.matrix('x')
    y = T.ivector('y')
    layer0_input = x.reshape((batch_size, 1, 8, 8))
    layer0 = LeNetConvPoolLayer(rng, input=layer0_input, image_shape=(batch_size, 1, 8, 8),
                                filter_shape=(nkerns[0], 1, 3, 3), poolsize=(1, 1))  # 6x6
    layer1 = LeNetConvPoolLayer(rng, input=layer0.output, image_shape=(batch_size, nkerns[0], 6, 6),
                                filter_shape=(nkerns[1], nkerns[0], 3, 3), poolsize=(2, 2))  # 2x2
    layer2_input = layer1.output.flatten(2)
    layer2 = HiddenLayer(rng, input=layer2_input, n_in=nkerns[1] * 2 * 2, n_out=32, activation=T.tanh)
    layer3 = LogisticRegression(input=layer2.output, n_in=32, n_out=10)
    cost = layer3.negative_log_likelihood(y)

    validate_model = theano.function([index], layer3.errors(y), givens={
        x: valid_x[index * batch_size: (index + 1) * batch_size],
        y: valid_y[index * batch_size: (index + 1) * batch_size]})
    params = layer3.params + layer2.params + layer1.params + layer0.params
    grads = T.grad(cost, params)
    updates = [(param_i, param_i - learning_rate * grad_i) for param_i, grad_i in zip(params, grads)]
    train_model = theano.function([index], cost, updates=updates, givens={
        x: train_x[index * batch_size: (index + 1) * batch_size],
        y: train_y[index * batch_size: (index + 1) * batch_size]})

    def valid_error():
        return numpy.mean([validate_model(i) for i in range(300 // batch_size)])

    before = valid_error()
    costs = []
    for epoch in range(30):
        costs.append(numpy.mean([train_model(i) for i in range(1200 // batch_size)]))
    after = valid_error()
    assert before > 0.6, before
    assert after < 0.15, (before, after, costs[::5])
    assert costs[-1] < costs[0] / 3, costs[::5]
