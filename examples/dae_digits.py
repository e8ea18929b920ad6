"""A denoising autoencoder on scikit-learn's 8x8 digits, in Theano's API.

Each minibatch is corrupted by a binomial mask drawn from a RandomStreams
(a fraction of the pixels set to zero), encoded by a sigmoid layer and
decoded with the transposed weights (tied weights); the cost is the
cross-entropy between the clean input and its reconstruction. The learned
filters (the columns of W, one 8x8 image per hidden unit) are saved as
dae_filters.png, and test digits beside their corrupted and reconstructed
versions as dae_reconstructions.png.
Run: python examples/dae_digits.py [--epochs 200] [--out DIR]
"""
import argparse
import os
import time

import numpy as np
from tqdm import tqdm

import theon as theano
import theon.tensor as T
from example_plots import save_grid, tile
from mlp_digits import load
from theon.tensor.shared_randomstreams import RandomStreams


class DenoisingAutoencoder(object):
    """sigmoid(x~ W + b_h) encodes, sigmoid(h W' + b_v) decodes."""

    def __init__(self, n_visible, n_hidden, rng, srng):
        bound = np.sqrt(6.0 / (n_visible + n_hidden))
        W = rng.uniform(-bound, bound, (n_visible, n_hidden)).astype(theano.config.floatX)
        self.W = theano.shared(W, name="W")
        self.b_hidden = theano.shared(np.zeros(n_hidden, dtype=theano.config.floatX), name="b_hidden")
        self.b_visible = theano.shared(np.zeros(n_visible, dtype=theano.config.floatX), name="b_visible")
        self.params = [self.W, self.b_hidden, self.b_visible]
        self.srng = srng

    def corrupt(self, x, level):
        """Keeps each pixel with probability 1 - level, zeroes the others."""
        keep = self.srng.binomial(size=x.shape, n=1, p=1 - level, dtype=theano.config.floatX)
        return x * keep

    def encode(self, x):
        return T.nnet.sigmoid(T.dot(x, self.W) + self.b_hidden)

    def decode(self, h):
        return T.nnet.sigmoid(T.dot(h, self.W.T) + self.b_visible)

    def cross_entropy(self, x, z):
        """Mean over the minibatch of the summed per-pixel cross-entropy."""
        return -T.mean(T.sum(x * T.log(z) + (1 - x) * T.log(1 - z), axis=1))


def main(epochs=200, n_hidden=64, corruption=0.3, batch_size=20, lr=0.3, seed=123,
         out=".", floatX="float32"):
    """Trains the autoencoder; returns the clean test reconstruction cost
    before and after training and the per-epoch training costs."""
    with theano.change_flags(floatX=floatX):
        X_train, _, X_test, _ = load()
        X_train, X_test = X_train.astype(floatX), X_test.astype(floatX)
        rng = np.random.RandomState(seed)
        dae = DenoisingAutoencoder(X_train.shape[1], n_hidden, rng, RandomStreams(seed=seed))

        x, index = T.matrix("x"), T.lscalar("index")
        x_tilde = dae.corrupt(x, corruption)
        z = dae.decode(dae.encode(x_tilde))
        cost = dae.cross_entropy(x, z)
        grads = T.grad(cost, dae.params)
        data = theano.shared(X_train, name="X_train")
        train = theano.function(
            [index], cost, updates=[(p, p - lr * g) for p, g in zip(dae.params, grads)],
            givens={x: data[index * batch_size:(index + 1) * batch_size]})
        # On clean inputs: how well the test digits are reconstructed.
        clean_cost = theano.function([x], dae.cross_entropy(x, dae.decode(dae.encode(x))))
        denoise = theano.function([x], [x_tilde, z])

        n_batches = len(X_train) // batch_size
        before = float(clean_cost(X_test))
        costs = []
        start = time.time()
        bar = tqdm(range(epochs), desc="training dA", unit="epoch")
        for _ in bar:
            costs.append(float(np.mean([train(i) for i in range(n_batches)])))
            bar.set_postfix(cost="%.2f" % costs[-1])
        elapsed = time.time() - start
        after = float(clean_cost(X_test))

        filters = dae.W.get_value().T            # one 8x8 filter per hidden unit
        path = save_grid(os.path.join(out, "dae_filters.png"), tile(filters, (8, 8)),
                         title="dA filters (%d%% corruption)" % round(100 * corruption))
        clean = X_test[:12]
        noisy, restored = denoise(clean)
        save_grid(os.path.join(out, "dae_reconstructions.png"),
                  tile(np.concatenate([clean, noisy, restored]), (8, 8), n_cols=12, normalize=False),
                  title="test digits, corrupted, reconstructed")
        print("dA 64-%d, %d%% corruption: test reconstruction cross-entropy %.2f -> %.2f "
              "(trained in %.1f s), filters in %s"
              % (n_hidden, round(100 * corruption), before, after, elapsed, path))
        return {"test_cost_before": before, "test_cost": after, "train_costs": costs, "image": path}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--corruption", type=float, default=0.3)
    parser.add_argument("--out", default=".", help="folder for dae_filters.png and dae_reconstructions.png")
    args = parser.parse_args()
    main(epochs=args.epochs, n_hidden=args.hidden, corruption=args.corruption, out=args.out)
