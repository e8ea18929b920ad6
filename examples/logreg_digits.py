"""Logistic regression on scikit-learn's digits, as in Theano's tutorial.
Run: python examples/logreg_digits.py
"""
import numpy as np
from tqdm import tqdm

import theon as theano
import theon.tensor as T
from mlp_digits import load, log_softmax


def main(epochs=100, batch_size=64, lr=0.5):
    X_train, y_train, X_test, y_test = load()
    X_shared = theano.shared(X_train, name="X_train")
    y_shared = theano.shared(y_train, name="y_train")
    W = theano.shared(np.zeros((X_train.shape[1], 10), dtype=theano.config.floatX), name="W")
    b = theano.shared(np.zeros(10, dtype=theano.config.floatX), name="b")
    x, y, index = T.matrix("x"), T.ivector("y"), T.lscalar("index")
    logp = log_softmax(T.dot(x, W) + b)
    cost = -T.mean(logp[T.arange(y.shape[0]), y])
    gW, gb = T.grad(cost, [W, b])
    train = theano.function(
        [index], cost, updates=[(W, W - lr * gW), (b, b - lr * gb)],
        givens={x: X_shared[index * batch_size:(index + 1) * batch_size],
                y: y_shared[index * batch_size:(index + 1) * batch_size]})
    predict = theano.function([x], T.argmax(logp, axis=1))
    n_batches = len(X_train) // batch_size
    for _ in tqdm(range(epochs), desc="training logistic regression", unit="epoch"):
        for i in range(n_batches):
            train(i)
    acc = float(np.mean(predict(X_test) == y_test))
    print("logistic regression: test accuracy %.2f%%" % (100 * acc))
    return acc


if __name__ == "__main__":
    main()
