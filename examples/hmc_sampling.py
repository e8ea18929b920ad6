"""Hamiltonian Monte Carlo in Theano's API, sampling a correlated Gaussian.

Many chains move together. Each move draws a Gaussian momentum from a
RandomStreams, integrates Hamilton's equations with leapfrog steps in
theon.scan (the energy's gradient from theon.grad), and accepts or rejects
each chain's proposal by the Metropolis rule on the change of total energy.
Positions, step size and a running average of the acceptance rate are
shared variables changed by the updates of one compiled function: the step
size grows a little while the chains accept more often than the target
rate and shrinks otherwise. The samples' mean and covariance are compared
with the true ones; hmc_samples.png shows samples of two coordinates against
the true density's contours, and the step size and acceptance rate over
the run.
Run: python examples/hmc_sampling.py [--samples 2000] [--dim 5] [--out DIR]
"""
import argparse
import os
import time

import numpy as np
from tqdm import tqdm

import theon as theano
import theon.tensor as T
from example_plots import pyplot
from theon.tensor.shared_randomstreams import RandomStreams


def leapfrog(position, momentum, energy_grad, stepsize, n_steps):
    """n_steps leapfrog steps (half kick, drift, half kick; each step's
    closing half kick and the next one's opening one share the gradient)."""
    def step(x, p, grad):
        p_half = p - 0.5 * stepsize * grad
        x_new = x + stepsize * p_half
        grad_new = energy_grad(x_new)
        return x_new, p_half - 0.5 * stepsize * grad_new, grad_new

    (xs, ps, _), updates = theano.scan(step, outputs_info=[position, momentum, energy_grad(position)],
                                       n_steps=n_steps)
    assert not updates
    return xs[-1], ps[-1]


class HMCSampler(object):
    """Chains of HMC for a density exp(-energy(x)), x a (chains, dim) matrix
    and energy a function giving one energy per row."""

    def __init__(self, energy, initial, srng, stepsize=0.25, n_steps=20, target_rate=0.9,
                 stepsize_range=(0.001, 0.5), stepsize_change=0.02, rate_smoothing=0.9):
        floatX = theano.config.floatX
        self.positions = theano.shared(initial.astype(floatX), name="positions")
        self.stepsize = theano.shared(np.asarray(stepsize, dtype=floatX), name="stepsize")
        self.acceptance = theano.shared(np.asarray(target_rate, dtype=floatX), name="avg_acceptance")

        def energy_grad(x):
            return theano.grad(energy(x).sum(), x)

        def hamiltonian(x, p):
            return energy(x) + 0.5 * (p ** 2).sum(axis=1)

        x0 = self.positions
        p0 = srng.normal(size=x0.shape, dtype=floatX)
        x1, p1 = leapfrog(x0, p0, energy_grad, self.stepsize, n_steps)
        # Metropolis: accept with probability min(1, exp(H0 - H1)).
        accept = T.exp(hamiltonian(x0, p0) - hamiltonian(x1, p1)) >= srng.uniform(size=(x0.shape[0],), dtype=floatX)
        new_positions = T.switch(accept.dimshuffle(0, "x"), x1, x0)
        rate = T.mean(T.cast(accept, floatX))
        factor = T.switch(self.acceptance > target_rate, 1 + stepsize_change, 1 - stepsize_change)
        new_stepsize = T.clip(self.stepsize * factor, *stepsize_range)
        new_acceptance = rate_smoothing * self.acceptance + (1 - rate_smoothing) * rate
        self.draw = theano.function([], new_positions, updates=[
            (self.positions, new_positions),
            (self.stepsize, T.cast(new_stepsize, floatX)),
            (self.acceptance, T.cast(new_acceptance, floatX))])


def gaussian(rng, dim):
    """A random mean and a covariance whose principal axes (random
    directions) have standard deviations from 0.1 to 1."""
    mean = rng.uniform(-2, 2, dim)
    scales = np.linspace(0.1, 1.0, dim)
    rotation, _ = np.linalg.qr(rng.randn(dim, dim))
    cov = rotation.dot(np.diag(scales ** 2)).dot(rotation.T)
    return mean, cov


def plot(path, samples, mean, cov, stepsizes, rates, target_rate):
    plt = pyplot()
    if plt is None:
        print("matplotlib is not installed: %s not drawn" % path)
        return None
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 4.5))
    # The two most correlated coordinates.
    sd = np.sqrt(np.diag(cov))
    corr = np.abs(cov / np.outer(sd, sd)) - np.eye(len(cov))
    i, j = np.unravel_index(np.argmax(corr), corr.shape)
    shown = samples[np.random.RandomState(0).permutation(len(samples))[:5000]]
    ax.plot(shown[:, i], shown[:, j], ".", ms=2, alpha=0.4, label="5000 of the HMC samples")
    # Contours of the true density: 1, 2 and 3 standard deviations.
    vals, vecs = np.linalg.eigh(cov[np.ix_([i, j], [i, j])])
    angle = np.linspace(0, 2 * np.pi, 200)
    circle = np.stack([np.cos(angle), np.sin(angle)])
    for r in (1, 2, 3):
        ellipse = vecs.dot(np.sqrt(vals)[:, None] * circle * r) + mean[[i, j], None]
        ax.plot(ellipse[0], ellipse[1], "k-", lw=1, label="true density: 1, 2, 3 sd" if r == 1 else None)
    ax.set_xlabel("x[%d]" % i)
    ax.set_ylabel("x[%d]" % j)
    ax.set_aspect("equal", adjustable="datalim")
    ax.legend(loc="upper right", markerscale=6)
    ax.set_title("the two most correlated coordinates (r = %.2f)" % (cov[i, j] / (sd[i] * sd[j])))
    steps = np.arange(1, len(stepsizes) + 1)
    ax2.plot(steps, stepsizes, label="step size")
    ax2.set_xlabel("HMC move")
    ax2.set_ylabel("step size")
    ax3 = ax2.twinx()
    ax3.plot(steps, rates, color="C1", label="average acceptance rate")
    ax3.axhline(target_rate, color="C1", linestyle="--", lw=1)
    ax3.set_ylabel("acceptance rate")
    ax2.legend(handles=ax2.get_lines() + ax3.get_lines()[:1], loc="lower right")
    ax2.set_title("step-size adaptation")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def main(samples=2000, burn_in=200, dim=5, n_chains=100, n_steps=20, seed=123, out=".",
         floatX="float32"):
    """Runs burn_in + samples moves of n_chains chains; returns the largest
    errors of the sample mean and covariance, the scale of the covariance,
    the final step size and acceptance rate, and the plot's path."""
    with theano.change_flags(floatX=floatX):
        rng = np.random.RandomState(seed)
        mean, cov = gaussian(rng, dim)
        precision = np.linalg.inv(cov)
        mu = theano.shared(mean.astype(floatX), name="mu")
        prec = theano.shared(precision.astype(floatX), name="precision")

        def energy(x):
            d = x - mu
            return 0.5 * (T.dot(d, prec) * d).sum(axis=1)

        sampler = HMCSampler(energy, rng.randn(n_chains, dim), RandomStreams(seed=seed), n_steps=n_steps)
        draws, stepsizes, rates = [], [], []
        start = time.time()
        bar = tqdm(range(burn_in + samples), desc="HMC", unit="move", mininterval=0.5)
        for i in bar:
            x = sampler.draw()
            if i >= burn_in:
                draws.append(x)
            stepsizes.append(float(sampler.stepsize.get_value()))
            rates.append(float(sampler.acceptance.get_value()))
            if i % 50 == 0:
                bar.set_postfix(stepsize="%.3f" % stepsizes[-1], acceptance="%.2f" % rates[-1])
        elapsed = time.time() - start

        flat = np.concatenate(draws).astype("float64")
        mean_error = float(np.abs(flat.mean(axis=0) - mean).max())
        cov_error = float(np.abs(np.cov(flat, rowvar=False) - cov).max())
        path = plot(os.path.join(out, "hmc_samples.png"), flat, mean, cov, stepsizes, rates, 0.9)
        np.set_printoptions(precision=3, suppress=True)
        print("true mean     ", mean)
        print("sample mean   ", flat.mean(axis=0))
        print("true covariance\n", cov)
        print("sample covariance\n", np.cov(flat, rowvar=False))
        print("HMC, %d-d Gaussian: %d samples (%d chains), largest error of the mean %.4f, "
              "of the covariance %.4f (largest variance %.2f), step size %.3f, acceptance %.2f (%.1f s)"
              % (dim, len(flat), n_chains, mean_error, cov_error, np.diag(cov).max(), stepsizes[-1],
                 rates[-1], elapsed))
        return {"mean_error": mean_error, "cov_error": cov_error, "max_variance": float(np.diag(cov).max()),
                "stepsize": stepsizes[-1], "acceptance": rates[-1], "plot": path}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=2000, help="moves kept after the burn-in")
    parser.add_argument("--burn-in", type=int, default=200)
    parser.add_argument("--dim", type=int, default=5)
    parser.add_argument("--chains", type=int, default=100)
    parser.add_argument("--out", default=".", help="folder for hmc_samples.png")
    args = parser.parse_args()
    main(samples=args.samples, burn_in=args.burn_in, dim=args.dim, n_chains=args.chains, out=args.out)
