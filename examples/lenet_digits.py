"""A LeNet-style convolutional network on scikit-learn's 8x8 digits.

Two convolution + max-pooling layers (conv2d with 'half' borders keeps the
8x8 and 4x4 maps, each 2x2 pooling halves them), a tanh hidden layer and a
softmax, trained by minibatch SGD with momentum through givens on shared
data. A tenth of the training digits is held out to pick the best epoch;
the learning curve (training cost, validation error) is saved as
lenet_curve.png.
Run: python examples/lenet_digits.py [--epochs 30] [--out DIR]
"""
import argparse
import os
import time

import numpy as np
from tqdm import tqdm

import theon as theano
import theon.tensor as T
from example_plots import save_curves
from mlp_digits import load
from theon.tensor.nnet import conv2d
from theon.tensor.signal.pool import pool_2d


def uniform_weights(rng, shape, fan_in, fan_out):
    bound = np.sqrt(6.0 / (fan_in + fan_out))
    return theano.shared(rng.uniform(-bound, bound, shape).astype(theano.config.floatX))


def zeros(n):
    return theano.shared(np.zeros(n, dtype=theano.config.floatX))


class ConvPool(object):
    """conv2d ('half' borders) of (batch, channels, rows, cols) images, a
    bias, max pooling over 2x2 blocks, then the activation."""

    def __init__(self, rng, x, n_in, n_filters, size=3, activation=T.tanh):
        fan_in = n_in * size * size
        fan_out = n_filters * size * size // 4           # spread over the pooled maps
        self.W = uniform_weights(rng, (n_filters, n_in, size, size), fan_in, fan_out)
        self.b = zeros(n_filters)
        maps = conv2d(x, self.W, border_mode="half")
        pooled = pool_2d(maps, ws=(2, 2), ignore_border=True, mode="max")
        self.output = activation(pooled + self.b.dimshuffle("x", 0, "x", "x"))
        self.params = [self.W, self.b]


class Dense(object):
    def __init__(self, rng, x, n_in, n_out, activation=None):
        if activation is None:
            self.W = theano.shared(np.zeros((n_in, n_out), dtype=theano.config.floatX))
        else:
            self.W = uniform_weights(rng, (n_in, n_out), n_in, n_out)
        self.b = zeros(n_out)
        z = T.dot(x, self.W) + self.b
        self.output = z if activation is None else activation(z)
        self.params = [self.W, self.b]


def main(epochs=30, filters=(16, 32), n_hidden=128, batch_size=50, lr=0.05, momentum=0.9,
         seed=23455, out=".", floatX="float32"):
    """Trains the network; returns the test accuracy of the epoch with the
    best validation error, the per-epoch curves and the plot's path."""
    with theano.change_flags(floatX=floatX):
        X, y, X_test, y_test = load()
        X, X_test = X.astype(floatX), X_test.astype(floatX)
        n_valid = len(X) // 10
        X_train, y_train, X_valid, y_valid = X[n_valid:], y[n_valid:], X[:n_valid], y[:n_valid]
        rng = np.random.RandomState(seed)

        x, labels, index = T.matrix("x"), T.ivector("y"), T.lscalar("index")
        images = x.reshape((x.shape[0], 1, 8, 8))
        layer1 = ConvPool(rng, images, 1, filters[0])                  # 8x8 -> 4x4
        layer2 = ConvPool(rng, layer1.output, filters[0], filters[1])  # 4x4 -> 2x2
        hidden = Dense(rng, layer2.output.flatten(2), filters[1] * 2 * 2, n_hidden, T.tanh)
        top = Dense(rng, hidden.output, n_hidden, 10)
        p_y = T.nnet.softmax(top.output)
        params = layer1.params + layer2.params + hidden.params + top.params

        cost = -T.mean(T.log(p_y)[T.arange(labels.shape[0]), labels])
        errors = T.mean(T.neq(T.argmax(p_y, axis=1), labels))
        updates = []
        for p, g in zip(params, T.grad(cost, params)):
            velocity = theano.shared(np.zeros_like(p.get_value()))
            updates.append((velocity, momentum * velocity - lr * g))
            updates.append((p, p + momentum * velocity - lr * g))

        X_shared, y_shared = theano.shared(X_train), theano.shared(y_train)
        batch = slice(index * batch_size, (index + 1) * batch_size)
        train = theano.function([index], cost, updates=updates,
                                givens={x: X_shared[batch], labels: y_shared[batch]})
        error_rate = theano.function([x, labels], errors)

        n_batches = len(X_train) // batch_size
        order = np.random.RandomState(seed + 1)
        train_costs, valid_errors = [], []
        best = (np.inf, 0, 0.0)                     # validation error, epoch, test accuracy
        start = time.time()
        bar = tqdm(range(epochs), desc="training LeNet", unit="epoch")
        for epoch in bar:
            perm = order.permutation(len(X_train))  # reshuffle the shared data each epoch
            X_shared.set_value(X_train[perm])
            y_shared.set_value(y_train[perm])
            train_costs.append(float(np.mean([train(i) for i in range(n_batches)])))
            valid_errors.append(float(error_rate(X_valid, y_valid)))
            if valid_errors[-1] < best[0]:
                best = (valid_errors[-1], epoch + 1, 1 - float(error_rate(X_test, y_test)))
            bar.set_postfix(cost="%.3f" % train_costs[-1], valid_err="%.2f%%" % (100 * valid_errors[-1]))
        elapsed = time.time() - start

        path = save_curves(os.path.join(out, "lenet_curve.png"), [
            {"curves": {"training": train_costs}, "ylabel": "cost (negative log-likelihood)", "logy": True},
            {"curves": {"validation": [100 * e for e in valid_errors]}, "ylabel": "error rate (%)"}],
            "epoch", title="LeNet on 8x8 digits")
        acc = best[2]
        print("LeNet conv%d-pool-conv%d-pool-%d-10: test accuracy %.2f%% on %d digits "
              "(best validation error %.2f%% at epoch %d, trained in %.1f s)"
              % (filters[0], filters[1], n_hidden, 100 * acc, len(y_test), 100 * best[0], best[1], elapsed))
        return {"accuracy": acc, "train_costs": train_costs, "valid_errors": valid_errors, "plot": path}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--out", default=".", help="folder for lenet_curve.png")
    args = parser.parse_args()
    main(epochs=args.epochs, out=args.out)
