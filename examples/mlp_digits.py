"""A one-hidden-layer MLP on scikit-learn's bundled digits, in Theano's API.

Shared parameters, grad, updates, and givens that slice minibatches out of a
shared dataset, as in the Theano 1.0 deep-learning tutorials.
Run: python examples/mlp_digits.py
"""
import time

import numpy as np
from sklearn.datasets import load_digits
from tqdm import tqdm

import theon as theano
import theon.tensor as T


def load(seed=0):
    digits = load_digits()
    X = (digits.data / 16.0).astype(theano.config.floatX)
    y = digits.target.astype("int32")
    idx = np.random.RandomState(seed).permutation(len(X))
    n_test = len(X) // 5
    test, train = idx[:n_test], idx[n_test:]
    return X[train], y[train], X[test], y[test]


def log_softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    return z - T.log(T.exp(z).sum(axis=1, keepdims=True))


def main(n_hidden=100, epochs=60, batch_size=32, lr=0.1, l2=1e-4, seed=1):
    X_train, y_train, X_test, y_test = load()
    rng = np.random.RandomState(seed)
    n_in, n_out = X_train.shape[1], 10

    X_shared = theano.shared(X_train, name="X_train")
    y_shared = theano.shared(y_train, name="y_train")

    def init(n_a, n_b):
        bound = np.sqrt(6.0 / (n_a + n_b))
        return rng.uniform(-bound, bound, (n_a, n_b)).astype(theano.config.floatX)

    W1 = theano.shared(init(n_in, n_hidden), name="W1")
    b1 = theano.shared(np.zeros(n_hidden, dtype=theano.config.floatX), name="b1")
    W2 = theano.shared(init(n_hidden, n_out), name="W2")
    b2 = theano.shared(np.zeros(n_out, dtype=theano.config.floatX), name="b2")
    params = [W1, b1, W2, b2]

    x = T.matrix("x")
    y = T.ivector("y")
    hidden = T.tanh(T.dot(x, W1) + b1)
    logp = log_softmax(T.dot(hidden, W2) + b2)
    nll = -T.mean(logp[T.arange(y.shape[0]), y])
    cost = nll + l2 * ((W1 ** 2).sum() + (W2 ** 2).sum())
    grads = T.grad(cost, params)
    updates = [(p, p - lr * g) for p, g in zip(params, grads)]

    index = T.lscalar("index")
    train = theano.function(
        [index], cost, updates=updates,
        givens={x: X_shared[index * batch_size:(index + 1) * batch_size],
                y: y_shared[index * batch_size:(index + 1) * batch_size]})
    predict = theano.function([x], T.argmax(logp, axis=1))

    n_batches = len(X_train) // batch_size
    start = time.time()
    bar = tqdm(range(epochs), desc="training MLP", unit="epoch")
    for _ in bar:
        costs = [float(train(i)) for i in range(n_batches)]
        bar.set_postfix(cost="%.4f" % np.mean(costs))
    elapsed = time.time() - start
    acc = float(np.mean(predict(X_test) == y_test))
    print("MLP %d-%d-%d: test accuracy %.2f%% on %d digits (trained in %.1f s)"
          % (n_in, n_hidden, n_out, 100 * acc, len(y_test), elapsed))
    return acc


if __name__ == "__main__":
    main()
