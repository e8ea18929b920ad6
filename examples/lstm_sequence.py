"""An LSTM written with theon.scan, trained on the adding problem.

Each sequence has `length` steps of two inputs: a random number in [0, 1)
and a marker that is 1 at exactly two steps (one in each half) and 0
elsewhere. The target is the sum of the two marked numbers, read from the
LSTM's last hidden state by a linear layer. Predicting the mean (1.0)
scores a mean squared error of 1/6 = 0.167; the network must learn to
remember the marked numbers across the sequence. The gradient flows back
through the scan (backpropagation through time); Adam updates the weights.
The learning curve is saved as lstm_curve.png.
Run: python examples/lstm_sequence.py [--steps 1500] [--length 20] [--out DIR]
"""
import argparse
import os
import time

import numpy as np
from tqdm import tqdm

import theon as theano
import theon.tensor as T
from example_plots import save_curves


def adding_problem(rng, n, length):
    """(length, n, 2) inputs and (n,) targets, in floatX."""
    values = rng.uniform(0, 1, (length, n))
    markers = np.zeros((length, n))
    half = length // 2
    first = rng.randint(0, half, n)
    second = rng.randint(half, length, n)
    markers[first, np.arange(n)] = 1
    markers[second, np.arange(n)] = 1
    x = np.stack([values, markers], axis=-1).astype(theano.config.floatX)
    y = (values * markers).sum(axis=0).astype(theano.config.floatX)
    return x, y


class LSTM(object):
    """One LSTM layer: the four gates' weights side by side in W (inputs)
    and U (recurrent), in the order input, forget, cell, output."""

    def __init__(self, rng, n_in, n_hidden):
        def orthogonal(n):
            q, _ = np.linalg.qr(rng.randn(n, n))
            return q

        bound = np.sqrt(6.0 / (n_in + 4 * n_hidden))
        W = rng.uniform(-bound, bound, (n_in, 4 * n_hidden))
        U = np.concatenate([orthogonal(n_hidden) for _ in range(4)], axis=1)
        b = np.zeros(4 * n_hidden)
        b[n_hidden:2 * n_hidden] = 1.0          # start by remembering (forget gate open)
        floatX = theano.config.floatX
        self.W = theano.shared(W.astype(floatX), name="W")
        self.U = theano.shared(U.astype(floatX), name="U")
        self.b = theano.shared(b.astype(floatX), name="b")
        self.params = [self.W, self.U, self.b]
        self.n_hidden = n_hidden

    def step(self, x_t, h_prev, c_prev):
        n = self.n_hidden
        z = T.dot(x_t, self.W) + T.dot(h_prev, self.U) + self.b
        i = T.nnet.sigmoid(z[:, :n])
        f = T.nnet.sigmoid(z[:, n:2 * n])
        g = T.tanh(z[:, 2 * n:3 * n])
        o = T.nnet.sigmoid(z[:, 3 * n:])
        c = f * c_prev + i * g
        h = o * T.tanh(c)
        return h, c

    def __call__(self, x):
        """x: (time, batch, n_in); returns the hidden states (time, batch, n_hidden)."""
        h0 = T.zeros((x.shape[1], self.n_hidden), dtype=x.dtype)
        (h, _), _ = theano.scan(self.step, sequences=x, outputs_info=[h0, h0])
        return h


def adam(cost, params, lr=0.01, b1=0.9, b2=0.999, eps=1e-8):
    """Adam's updates as a list of (shared variable, new value) pairs."""
    floatX = theano.config.floatX
    t = theano.shared(np.asarray(0, dtype=floatX), name="t")
    t_new = t + 1
    scale = lr * T.sqrt(1 - b2 ** t_new) / (1 - b1 ** t_new)
    updates = [(t, t_new)]
    for p, g in zip(params, T.grad(cost, params)):
        m = theano.shared(np.zeros_like(p.get_value()))
        v = theano.shared(np.zeros_like(p.get_value()))
        m_new = b1 * m + (1 - b1) * g
        v_new = b2 * v + (1 - b2) * g ** 2
        updates += [(m, m_new), (v, v_new), (p, p - scale * m_new / (T.sqrt(v_new) + eps))]
    return updates


def main(steps=1500, length=20, n_hidden=32, batch_size=64, lr=0.01, seed=4321, out=".",
         floatX="float32"):
    """Trains on fresh random batches; returns the test mean squared error,
    the chance-level error and the learning curve."""
    with theano.change_flags(floatX=floatX):
        rng = np.random.RandomState(seed)
        lstm = LSTM(rng, 2, n_hidden)
        w_out = theano.shared(np.zeros(n_hidden, dtype=floatX), name="w_out")
        b_out = theano.shared(np.asarray(1.0, dtype=floatX), name="b_out")
        params = lstm.params + [w_out, b_out]

        x, target = T.tensor3("x"), T.vector("target")
        prediction = T.dot(lstm(x)[-1], w_out) + b_out
        mse = T.mean((prediction - target) ** 2)
        train = theano.function([x, target], mse, updates=adam(mse, params, lr))
        evaluate = theano.function([x, target], mse)

        data_rng = np.random.RandomState(seed + 1)
        x_test, y_test = adding_problem(data_rng, 1000, length)
        chance = float(np.mean((y_test - 1.0) ** 2))
        losses, test_curve = [], []
        start = time.time()
        bar = tqdm(range(steps), desc="training LSTM", unit="step", mininterval=0.5)
        for step in bar:
            losses.append(float(train(*adding_problem(data_rng, batch_size, length))))
            if (step + 1) % 100 == 0 or step + 1 == steps:
                test_curve.append((step + 1, float(evaluate(x_test, y_test))))
                bar.set_postfix(test_mse="%.4f" % test_curve[-1][1])
        elapsed = time.time() - start
        test_mse = test_curve[-1][1]

        smooth = np.convolve(losses, np.ones(25) / 25, mode="valid") if len(losses) >= 25 else losses
        path = save_curves(os.path.join(out, "lstm_curve.png"), [{
            "curves": {"training batches (moving average of 25)": (np.arange(len(smooth)) + len(losses) - len(smooth) + 1,
                                                                  smooth),
                       "test set": tuple(np.array(test_curve).T)},
            "ylabel": "mean squared error", "logy": True,
            "hlines": {"predicting the mean": chance}}],
            "training step", title="LSTM on the adding problem (%d steps)" % length)
        print("LSTM (%d hidden) on the adding problem, length %d: test MSE %.4f "
              "(chance %.4f) after %d steps (%.1f s)"
              % (n_hidden, length, test_mse, chance, steps, elapsed))
        return {"test_mse": test_mse, "chance_mse": chance, "losses": losses, "plot": path}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--length", type=int, default=20)
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--out", default=".", help="folder for lstm_curve.png")
    args = parser.parse_args()
    main(steps=args.steps, length=args.length, n_hidden=args.hidden, out=args.out)
