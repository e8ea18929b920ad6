"""A restricted Boltzmann machine on binarized 8x8 digits, in Theano's API.

Trained by contrastive divergence: persistent CD (PCD-k, the default) or
CD-k (--no-persistent). The k Gibbs steps h -> v -> h run in theon.scan,
drawing binomial samples from MRG_RandomStreams; the streams' state updates
come back from scan and go into the training function's updates. The
gradient is that of the free-energy difference between the data and the
end of the chain, the chain end held constant. Progress is measured by the
cross-entropy of a mean-field reconstruction of the test digits. Afterwards
chains started from test digits run for many more Gibbs steps: their
samples are saved as rbm_samples.png, the filters as rbm_filters.png.
Run: python examples/rbm_digits.py [--epochs 100] [--k 5] [--out DIR]
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
from theon.sandbox.rng_mrg import MRG_RandomStreams


class RBM(object):
    def __init__(self, n_visible, n_hidden, rng, srng):
        floatX = theano.config.floatX
        self.W = theano.shared(rng.normal(0, 0.01, (n_visible, n_hidden)).astype(floatX), name="W")
        self.hbias = theano.shared(np.zeros(n_hidden, dtype=floatX), name="hbias")
        self.vbias = theano.shared(np.zeros(n_visible, dtype=floatX), name="vbias")
        self.params = [self.W, self.hbias, self.vbias]
        self.srng = srng

    def free_energy(self, v):
        """F(v) = -v.vbias - sum_j softplus(v W_j + hbias_j), one per row."""
        return -T.dot(v, self.vbias) - T.nnet.softplus(T.dot(v, self.W) + self.hbias).sum(axis=1)

    def sample(self, mean):
        return self.srng.binomial(size=mean.shape, n=1, p=mean, dtype=theano.config.floatX)

    def hidden_given(self, v):
        return T.nnet.sigmoid(T.dot(v, self.W) + self.hbias)

    def visible_given(self, h):
        return T.nnet.sigmoid(T.dot(h, self.W.T) + self.vbias)

    def gibbs_hvh(self, h):
        """One Gibbs step from a hidden sample: the visible means and sample,
        then the new hidden sample."""
        v_mean = self.visible_given(h)
        v = self.sample(v_mean)
        return v_mean, v, self.sample(self.hidden_given(v))

    def gibbs_vhv(self, v):
        v_mean, v_new, _ = self.gibbs_hvh(self.sample(self.hidden_given(v)))
        return v_mean, v_new

    def cd_updates(self, v0, lr, k, persistent=None):
        """Cost monitored and updates for one step of CD-k (or PCD-k when
        `persistent` is a shared matrix of hidden samples, the chains' state)."""
        start = persistent if persistent is not None else self.sample(self.hidden_given(v0))
        (v_means, v_samples, h_samples), updates = theano.scan(
            self.gibbs_hvh, outputs_info=[None, None, start], n_steps=k)
        chain_end = v_samples[-1]
        cost = T.mean(self.free_energy(v0)) - T.mean(self.free_energy(chain_end))
        grads = T.grad(cost, self.params, consider_constant=[chain_end])
        updates = dict(updates)
        for p, g in zip(self.params, grads):
            updates[p] = p - lr * g
        if persistent is not None:
            updates[persistent] = h_samples[-1]
        return updates

    def reconstruction_cost(self, v):
        """Cross-entropy of v and its mean-field reconstruction, summed over pixels."""
        z = self.visible_given(self.hidden_given(v))
        return -T.mean(T.sum(v * T.log(z) + (1 - v) * T.log(1 - z), axis=1))


def main(epochs=100, n_hidden=100, k=5, persistent=True, batch_size=20, lr=0.05, n_chains=10,
         n_samples=10, plot_every=200, seed=123, out=".", floatX="float32"):
    """Trains the RBM; returns the test reconstruction cost before and after
    training, the per-epoch costs and the images' paths."""
    with theano.change_flags(floatX=floatX):
        X_train, _, X_test, _ = load()
        X_train = (X_train > 0.5).astype(floatX)
        X_test = (X_test > 0.5).astype(floatX)
        rng = np.random.RandomState(seed)
        rbm = RBM(X_train.shape[1], n_hidden, rng, MRG_RandomStreams(seed=seed))

        x, index = T.matrix("x"), T.lscalar("index")
        chains = None
        if persistent:
            chains = theano.shared(np.zeros((batch_size, n_hidden), dtype=floatX), name="pcd_chains")
        data = theano.shared(X_train, name="X_train")
        train = theano.function([index], [], updates=rbm.cd_updates(x, lr, k, chains),
                                givens={x: data[index * batch_size:(index + 1) * batch_size]})
        recon = theano.function([x], rbm.reconstruction_cost(x))

        n_batches = len(X_train) // batch_size
        costs = [float(recon(X_test))]
        start = time.time()
        bar = tqdm(range(epochs), desc="training RBM (%sCD-%d)" % ("P" if persistent else "", k), unit="epoch")
        for _ in bar:
            for i in range(n_batches):
                train(i)
            costs.append(float(recon(X_test)))
            bar.set_postfix(recon="%.2f" % costs[-1])
        elapsed = time.time() - start

        # Sampling: chains started from test digits, plot_every Gibbs steps
        # (one scan) between the rows of the picture.
        state = theano.shared(X_test[:n_chains], name="sampling_chains")
        (v_means, v_samples), updates = theano.scan(rbm.gibbs_vhv, outputs_info=[None, state],
                                                    n_steps=plot_every)
        updates[state] = v_samples[-1]
        advance = theano.function([], v_means[-1], updates=updates)
        rows = [X_test[:n_chains]] + [advance() for _ in range(n_samples)]
        samples_path = save_grid(os.path.join(out, "rbm_samples.png"),
                                 tile(np.concatenate(rows), (8, 8), n_cols=n_chains, normalize=False),
                                 title="%d chains: test digits, then every %d Gibbs steps" % (n_chains, plot_every))
        filters_path = save_grid(os.path.join(out, "rbm_filters.png"), tile(rbm.W.get_value().T, (8, 8)),
                                 title="RBM filters")
        print("RBM 64-%d (%sCD-%d): test reconstruction cross-entropy %.2f -> %.2f (trained in %.1f s), "
              "samples in %s" % (n_hidden, "P" if persistent else "", k, costs[0], costs[-1], elapsed,
                                 samples_path))
        return {"test_cost_before": costs[0], "test_cost": costs[-1], "costs": costs,
                "samples": samples_path, "filters": filters_path}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--hidden", type=int, default=100)
    parser.add_argument("--k", type=int, default=5, help="Gibbs steps per update")
    parser.add_argument("--no-persistent", dest="persistent", action="store_false",
                        help="CD-k (chains restarted at the data) instead of PCD-k")
    parser.add_argument("--out", default=".", help="folder for rbm_samples.png and rbm_filters.png")
    args = parser.parse_args()
    main(epochs=args.epochs, n_hidden=args.hidden, k=args.k, persistent=args.persistent, out=args.out)
