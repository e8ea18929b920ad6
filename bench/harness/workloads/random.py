"""R1: random numbers. Sizes are ("uniform", n) and ("normal", n), n float32
samples per call from a stream whose state advances, and ("dropout", batch,
rows): T1's training step with a Bernoulli(0.5) mask on the hidden layer
(inverted dropout), which costs at most 15 % more than T1 itself. Samples are
checked by their statistics, not against NumPy's values (every library has
its own generator)."""
import importlib
import warnings

import numpy as np

from .base import Workload, jax_jit  # noqa: F401
from .training import _MLP, _Cycler, _nll_theano, _sgd_theano, _torch_sgd

KEEP = 0.5


def _mrg(lib):
    """The graph library's random streams: MRG31k3p for theon and Theano,
    PyTensor's RandomStream (NumPy's Generator) for PyTensor."""
    name = lib.__name__
    if name == "theano":
        return None  # Theano 1.0.5's MRG runs its Python fallback here: minutes per call
    if name == "pytensor":
        with warnings.catch_warnings():  # PyTensor 3 deprecates RandomStream, which Theano-style code uses
            warnings.simplefilter("ignore", FutureWarning)
            return importlib.import_module("pytensor.tensor.random.utils").RandomStream(1234)
    return importlib.import_module(name + ".sandbox.rng_mrg").MRG_RandomStreams(1234)


class R1(_MLP, Workload):
    id, title = "R1", "random numbers: 1e7 float32 uniform / normal samples; T1's step with a dropout mask"
    min_calls = 10

    def inputs(self, size, rng):
        if size[0] == "dropout":
            return _MLP.inputs(self, size[1:], rng) + ["dropout"]
        return [size[0], size[1]]

    def reference(self, inp):
        if inp[-1] == "dropout":
            return _MLP.reference(self, inp[:-1])
        return np.zeros(0)

    def check(self, out, ref, dtype):
        out = np.asarray(out.detach().numpy() if hasattr(out, "detach") else out)
        if ref.size:  # dropout: the first cost is near the undropped one (the output layer starts near zero)
            return None if abs(float(out) - float(ref)) < 0.2 else "cost %.4f, far from %.4f" % (out, ref)
        if out.dtype != np.float32 or out.ndim != 1:
            return "%s samples of shape %s, expected float32 (n,)" % (out.dtype, out.shape)
        n = out.size
        mean, var = float(out.mean(dtype=np.float64)), float(out.var(dtype=np.float64))
        uniform = out.min() >= 0
        # Expected mean and variance, and the fourth central moment (the spread of the sample variance).
        mu, v, m4 = (0.5, 1 / 12., 1 / 80.) if uniform else (0.0, 1.0, 3.0)
        if abs(mean - mu) > 6 * np.sqrt(v / n) or abs(var - v) > 6 * np.sqrt((m4 - v * v) / n):
            return "mean %.4f var %.4f, expected %.4f and %.4f" % (mean, var, mu, v)
        return None

    # ---- samples ----

    def build_numpy(self, np_, inp):
        if inp[-1] == "dropout":
            return self._dropout_numpy(np_, inp[:-1])
        kind, n = inp
        g = np_.random.default_rng(1234)
        if kind == "uniform":
            return lambda: g.random(n, dtype=np_.float32)
        return lambda: g.standard_normal(n, dtype=np_.float32)

    def build_torch(self, torch, inp):
        if inp[-1] == "dropout":
            return self._dropout_torch(torch, inp[:-1])
        kind, n = inp
        torch.manual_seed(1234)
        return (lambda: torch.rand(n)) if kind == "uniform" else (lambda: torch.randn(n))

    def build_jax(self, jax, inp):
        if inp[-1] == "dropout":
            return self._dropout_jax(jax, inp[:-1])
        kind, n = inp
        draw = jax.random.uniform if kind == "uniform" else jax.random.normal
        f = jax.jit(lambda key, i: draw(jax.random.fold_in(key, i), (n,), dtype="float32"))
        key, calls = jax.random.PRNGKey(1234), [0]

        def run():
            calls[0] += 1
            return jax.block_until_ready(f(key, calls[0]))
        return run

    def build_theano(self, lib, inp):
        srng = _mrg(lib)
        if srng is None:
            return None
        if inp[-1] == "dropout":
            return self._dropout_graph(lib, srng, inp[:-1])
        kind, n = inp
        if lib.__name__ == "pytensor":
            x = srng.uniform(size=(n,), dtype="float32") if kind == "uniform" else srng.normal(size=(n,),
                                                                                               dtype="float32")
        else:
            x = srng.uniform((n,), dtype="float32") if kind == "uniform" else srng.normal((n,), dtype="float32")
        return lib.function([], x)

    # ---- the dropout step ----

    def _dropout_graph(self, lib, srng, inp):
        T = lib.tensor
        X, y, W1, b1, W2, b2, bs = inp
        params = [lib.shared(p.copy(), name=n) for p, n in zip((W1, b1, W2, b2), ("W1", "b1", "W2", "b2"))]
        Xs, ys = lib.shared(X, name="X"), lib.shared(y, name="y")
        i = T.lscalar("i")
        x, t = T.matrix("x", dtype="float32"), T.ivector("t")
        h = T.tanh(T.dot(x, params[0]) + params[1])
        if lib.__name__ == "pytensor":
            mask = srng.binomial(1, KEEP, size=(bs, self.n_hid)).astype("float32")
        else:
            mask = srng.binomial((bs, self.n_hid), p=KEEP, dtype="float32")
        h = h * mask * np.float32(1 / KEEP)
        cost = _nll_theano(T, T.dot(h, params[2]) + params[3], t)
        f = lib.function([i], cost, updates=_sgd_theano(lib, cost, params, self.lr),
                         givens={x: Xs[i * bs:(i + 1) * bs], t: ys[i * bs:(i + 1) * bs]})
        nxt = _Cycler(len(X) // bs)
        return lambda: f(nxt())

    def _dropout_numpy(self, np_, inp):
        X, y, W1, b1, W2, b2, bs = inp
        params = [p.copy() for p in (W1, b1, W2, b2)]
        nb, lr, rows = len(X) // bs, np.float32(self.lr), np_.arange(bs)
        nxt, g, scale = _Cycler(nb), np_.random.default_rng(1234), np.float32(1 / KEEP)

        def step():
            W1, b1, W2, b2 = params
            i = nxt()
            x, t = X[i * bs:(i + 1) * bs], y[i * bs:(i + 1) * bs]
            a = np_.tanh(x @ W1 + b1)
            m = (g.random((bs, self.n_hid), dtype=np_.float32) < KEEP).astype(np_.float32) * scale
            h = a * m
            z = h @ W2 + b2
            z = z - z.max(axis=1, keepdims=True)
            e = np_.exp(z)
            p = e / e.sum(axis=1, keepdims=True)
            cost = -np_.log(p[rows, t]).mean()
            p[rows, t] -= 1
            dz = p / np.float32(bs)
            da = (dz @ W2.T) * m * (1 - a * a)
            W2 -= lr * (h.T @ dz)
            b2 -= lr * dz.sum(axis=0)
            W1 -= lr * (x.T @ da)
            b1 -= lr * da.sum(axis=0)
            return np_.asarray(cost, dtype="float32")
        return step

    def _dropout_torch(self, torch, inp):
        X, y, W1, b1, W2, b2, bs = inp
        Xt, yt = torch.from_numpy(X), torch.from_numpy(y).long()
        params = [torch.tensor(p.copy(), requires_grad=True) for p in (W1, b1, W2, b2)]
        nxt = _Cycler(len(X) // bs)
        torch.manual_seed(1234)

        def step():
            W1, b1, W2, b2 = params
            i = nxt()
            x, t = Xt[i * bs:(i + 1) * bs], yt[i * bs:(i + 1) * bs]
            h = torch.nn.functional.dropout(torch.tanh(x @ W1 + b1), p=1 - KEEP, training=True)
            logp = torch.log_softmax(h @ W2 + b2, dim=1)
            cost = -logp[torch.arange(bs), t].mean()
            return _torch_sgd(torch, cost, params, self.lr)
        return step

    def _dropout_jax(self, jax, inp):
        import jax.numpy as jnp
        X, y, W1, b1, W2, b2, bs = inp
        Xd, yd = jax.device_put(X), jax.device_put(y)

        def loss(params, i, key):
            W1, b1, W2, b2 = params
            x = jax.lax.dynamic_slice_in_dim(Xd, i * bs, bs)
            t = jax.lax.dynamic_slice_in_dim(yd, i * bs, bs)
            mask = jax.random.bernoulli(key, KEEP, (bs, self.n_hid)).astype("float32") / KEEP
            logp = jax.nn.log_softmax((jnp.tanh(x @ W1 + b1) * mask) @ W2 + b2)
            return -jnp.mean(logp[jnp.arange(bs), t])

        @jax.jit
        def step(params, i, key, k):
            c, g = jax.value_and_grad(loss)(params, i, jax.random.fold_in(key, k))
            return c, [p - self.lr * d for p, d in zip(params, g)]
        state = [[jax.device_put(p.copy()) for p in (W1, b1, W2, b2)]]
        nxt, key, calls = _Cycler(len(X) // bs), jax.random.PRNGKey(1234), [0]

        def run():
            calls[0] += 1
            c, state[0] = step(state[0], nxt(), key, calls[0])
            return jax.block_until_ready(c)
        return run

    def floor(self, size, k0, threads):
        if size[0] == "dropout":
            return _MLP.floor(self, size[1:], k0, threads)
        return size[1] * 4 / (k0["stream_copy_GBs"] * 1e9), "store"
