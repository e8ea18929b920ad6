"""Training-step workloads: T1 MLP, T2 logistic regression, C2 compile of the
T1 step, T4 LSTM/RNN through scan. Each step returns the cost before its
update, so the first call is checked against NumPy's forward pass."""
import numpy as np

from .base import Workload


def _log_softmax_np(z):
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def _nll_theano(T, z, y):
    z = z - z.max(axis=1, keepdims=True)
    logp = z - T.log(T.exp(z).sum(axis=1, keepdims=True))
    return -T.mean(logp[T.arange(y.shape[0]), y])


def _sgd_theano(lib, cost, params, lr):
    T = lib.tensor
    grads = T.grad(cost, params)
    return [(p, p - T.cast(lr, p.dtype) * g) for p, g in zip(params, grads)]


def _torch_sgd(torch, cost, params, lr):
    """Backpropagates `cost` and takes one SGD step on `params`; returns the cost."""
    for p in params:
        p.grad = None
    cost.backward()
    with torch.no_grad():
        for p in params:
            p.sub_(lr * p.grad)
    return cost.detach()


class _Cycler(object):
    """Steps through minibatch indices 0, 1, ..., n-1, 0, ..."""

    def __init__(self, n):
        self.n, self.i = n, -1

    def __call__(self):
        self.i = (self.i + 1) % self.n
        return self.i


class _MLP(object):
    """784-500-10 tanh MLP, softmax NLL, SGD on shared params; the minibatch is
    a slice of a shared dataset selected by an index through givens. Size is
    (batch, dataset rows)."""
    n_in, n_hid, n_out, lr = 784, 500, 10, 0.01

    def inputs(self, size, rng):
        batch, rows = size
        X = rng.standard_normal((rows, self.n_in)).astype("float32")
        y = rng.randint(0, self.n_out, rows).astype("int32")
        b1 = np.sqrt(6.0 / (self.n_in + self.n_hid))
        W1 = rng.uniform(-b1, b1, (self.n_in, self.n_hid)).astype("float32")
        W2 = (rng.standard_normal((self.n_hid, self.n_out)) * 0.01).astype("float32")
        return [X, y, W1, np.zeros(self.n_hid, "float32"), W2, np.zeros(self.n_out, "float32"), batch]

    def reference(self, inp):
        X, y, W1, b1, W2, b2, bs = inp
        h = np.tanh(X[:bs] @ W1 + b1)
        logp = _log_softmax_np(h @ W2 + b2)
        return np.asarray(-logp[np.arange(bs), y[:bs]].mean(), dtype="float32")

    def floor(self, size, k0, threads):
        # The products the step needs: forward and weight gradient for both
        # layers, the input gradient for the second only (x is data, so no
        # step computes x's gradient): 0.41 GFLOP at batch 256, as in the
        # perf anchors.
        bs = size[0]
        flops = 2 * bs * (2 * self.n_in * self.n_hid + 3 * self.n_hid * self.n_out)
        return flops / (k0["sgemm_GFLOPs"] * 1e9), "sgemm"

    def build_numpy(self, np_, inp):
        X, y, W1, b1, W2, b2, bs = inp
        params = [p.copy() for p in (W1, b1, W2, b2)]
        nb, lr, rows = len(X) // bs, np.float32(self.lr), np_.arange(bs)
        nxt = _Cycler(nb)

        def step():
            W1, b1, W2, b2 = params
            i = nxt()
            x, t = X[i * bs:(i + 1) * bs], y[i * bs:(i + 1) * bs]
            h = np_.tanh(x @ W1 + b1)
            z = h @ W2 + b2
            z = z - z.max(axis=1, keepdims=True)
            e = np_.exp(z)
            p = e / e.sum(axis=1, keepdims=True)
            cost = -np_.log(p[rows, t]).mean()
            p[rows, t] -= 1
            dz = p / np.float32(bs)
            da = (dz @ W2.T) * (1 - h * h)
            W2 -= lr * (h.T @ dz)
            b2 -= lr * dz.sum(axis=0)
            W1 -= lr * (x.T @ da)
            b1 -= lr * da.sum(axis=0)
            return np_.asarray(cost, dtype="float32")
        return step

    def build_theano(self, lib, inp):
        T = lib.tensor
        X, y, W1, b1, W2, b2, bs = inp
        params = [lib.shared(p.copy(), name=n) for p, n in zip((W1, b1, W2, b2), ("W1", "b1", "W2", "b2"))]
        Xs, ys = lib.shared(X, name="X"), lib.shared(y, name="y")
        i = T.lscalar("i")
        x, t = T.matrix("x", dtype="float32"), T.ivector("t")
        h = T.tanh(T.dot(x, params[0]) + params[1])
        cost = _nll_theano(T, T.dot(h, params[2]) + params[3], t)
        f = lib.function([i], cost, updates=_sgd_theano(lib, cost, params, self.lr),
                         givens={x: Xs[i * bs:(i + 1) * bs], t: ys[i * bs:(i + 1) * bs]})
        nxt = _Cycler(len(X) // bs)
        return lambda: f(nxt())

    def build_jax(self, jax, inp):
        import jax.numpy as jnp
        X, y, W1, b1, W2, b2, bs = inp
        Xd, yd = jax.device_put(X), jax.device_put(y)

        def loss(params, i):
            W1, b1, W2, b2 = params
            x = jax.lax.dynamic_slice_in_dim(Xd, i * bs, bs)
            t = jax.lax.dynamic_slice_in_dim(yd, i * bs, bs)
            logp = jax.nn.log_softmax(jnp.tanh(x @ W1 + b1) @ W2 + b2)
            return -jnp.mean(logp[jnp.arange(bs), t])

        @jax.jit
        def step(params, i):
            c, g = jax.value_and_grad(loss)(params, i)
            return c, [p - self.lr * d for p, d in zip(params, g)]
        state = [[jax.device_put(p.copy()) for p in (W1, b1, W2, b2)]]
        nxt = _Cycler(len(X) // bs)

        def run():
            c, state[0] = step(state[0], nxt())
            return jax.block_until_ready(c)
        return run

    def build_torch(self, torch, inp):
        X, y, W1, b1, W2, b2, bs = inp
        Xt, yt = torch.from_numpy(X), torch.from_numpy(y).long()
        params = [torch.tensor(p.copy(), requires_grad=True) for p in (W1, b1, W2, b2)]
        nxt = _Cycler(len(X) // bs)

        def step():
            W1, b1, W2, b2 = params
            i = nxt()
            x, t = Xt[i * bs:(i + 1) * bs], yt[i * bs:(i + 1) * bs]
            logp = torch.log_softmax(torch.tanh(x @ W1 + b1) @ W2 + b2, dim=1)
            cost = -logp[torch.arange(bs), t].mean()
            return _torch_sgd(torch, cost, params, self.lr)
        return step


class T1(_MLP, Workload):
    id, title = "T1", "MLP 784-500-10 SGD step (tanh, softmax NLL, shared params, updates, givens)"


class C2(_MLP, Workload):
    id, title = "C2", "compile time: build, compile and first call of the T1 training function"
    first_call = True


class _LogReg(object):
    """Logistic regression 784-10, softmax NLL, one SGD step per call on a
    shared minibatch; the call returns the cost before the step."""
    n_in, n_out, lr = 784, 10, 0.1

    def inputs(self, batch, rng):
        X = rng.standard_normal((batch, self.n_in)).astype("float32")
        y = rng.randint(0, self.n_out, batch).astype("int32")
        W0 = (rng.standard_normal((self.n_in, self.n_out)) * 0.01).astype("float32")
        return [X, y, W0]

    def reference(self, inp):
        X, y, W = inp
        logp = _log_softmax_np(X @ W)
        return np.asarray(-logp[np.arange(len(y)), y].mean(), dtype="float32")

    def build_numpy(self, np_, inp):
        X, y, W0 = inp
        W = W0.copy()
        rows = np_.arange(len(y))

        def step():
            z = X @ W
            z = z - z.max(axis=1, keepdims=True)
            e = np_.exp(z)
            p = e / e.sum(axis=1, keepdims=True)
            cost = -np_.log(p[rows, y]).mean()
            p[rows, y] -= 1
            W[...] -= np_.float32(self.lr / len(y)) * (X.T @ p)
            return np_.asarray(cost, dtype="float32")
        return step

    def build_theano(self, lib, inp):
        T = lib.tensor
        X, y, W0 = inp
        W = lib.shared(W0.copy(), name="W")
        Xs, ys = lib.shared(X, name="X"), lib.shared(y, name="y")
        x, t = T.matrix("x", dtype="float32"), T.ivector("t")
        cost = _nll_theano(T, T.dot(x, W), t)
        return lib.function([], cost, updates=_sgd_theano(lib, cost, [W], self.lr), givens={x: Xs, t: ys})

    def build_jax(self, jax, inp):
        import jax.numpy as jnp
        X, y, W0 = inp
        Xd, yd = jax.device_put(X), jax.device_put(y)

        def loss(W):
            logp = jax.nn.log_softmax(Xd @ W)
            return -jnp.mean(logp[jnp.arange(len(y)), yd])

        @jax.jit
        def step(W):
            c, g = jax.value_and_grad(loss)(W)
            return c, W - self.lr * g
        state = [jax.device_put(W0.copy())]

        def run():
            c, state[0] = step(state[0])
            return jax.block_until_ready(c)
        return run

    def build_torch(self, torch, inp):
        X, y, W0 = inp
        Xt, yt = torch.from_numpy(X), torch.from_numpy(y).long()
        W = torch.tensor(W0.copy(), requires_grad=True)
        rows = torch.arange(len(y))

        def step():
            cost = -torch.log_softmax(Xt @ W, dim=1)[rows, yt].mean()
            return _torch_sgd(torch, cost, [W], self.lr)
        return step


class T2(_LogReg, Workload):
    id, title = "T2", "logistic regression SGD step 784-10 (shared params, updates, givens)"

    def floor(self, batch, k0, threads):
        return 2 * 2 * batch * self.n_in * self.n_out / (k0["sgemm_GFLOPs"] * 1e9), "sgemm"


def _sigmoid(T):
    return getattr(T, "sigmoid", None) or T.nnet.sigmoid


class T4(Workload):
    """Recurrent training step through scan: forward over the sequence, the
    gradient by backpropagation through time, SGD on every weight. Size is
    (cell, steps, batch, n_in, hidden) with cell "lstm" or "rnn"; the loss is
    mean((h_T - target)**2)."""
    id, title = "T4", "LSTM and tanh RNN training step through scan"
    lr = 0.1
    min_calls = 10

    def inputs(self, size, rng):
        cell, steps, batch, n_in, hid = size
        g = 4 if cell == "lstm" else 1
        xs = rng.standard_normal((steps, batch, n_in)).astype("float32")
        Wx = (rng.standard_normal((n_in, g * hid)) / np.sqrt(n_in)).astype("float32")
        Wh = (rng.standard_normal((hid, g * hid)) / np.sqrt(hid)).astype("float32")
        b = np.zeros(g * hid, "float32")
        target = rng.uniform(-0.5, 0.5, (batch, hid)).astype("float32")
        return [xs, target, Wx, Wh, b, cell]

    @staticmethod
    def _forward_np(xs, Wx, Wh, b, cell):
        steps, batch, _ = xs.shape
        hid = Wh.shape[0]
        h, c = np.zeros((batch, hid), "float32"), np.zeros((batch, hid), "float32")
        tape = []
        for t in range(steps):
            a = xs[t] @ Wx + h @ Wh + b
            if cell == "rnn":
                hn = np.tanh(a)
                tape.append((h, hn))
                h = hn
            else:
                s = 1 / (1 + np.exp(-a[:, :3 * hid]))
                i, f, o = s[:, :hid], s[:, hid:2 * hid], s[:, 2 * hid:]
                gg = np.tanh(a[:, 3 * hid:])
                cn = f * c + i * gg
                tc = np.tanh(cn)
                hn = o * tc
                tape.append((h, c, i, f, o, gg, tc))
                h, c = hn, cn
        return h, tape

    def reference(self, inp):
        xs, target, Wx, Wh, b, cell = inp
        h, _ = self._forward_np(xs, Wx, Wh, b, cell)
        return np.asarray(np.mean((h - target) ** 2), dtype="float32")

    def floor(self, size, k0, threads):
        cell, steps, batch, n_in, hid = size
        g = 4 if cell == "lstm" else 1
        # Per step: the gates' forward product and its weight gradient over
        # (input, hidden), and the hidden state's gradient (the inputs are data).
        flops = 2 * steps * batch * g * hid * (2 * (n_in + hid) + hid)
        return flops / (k0["sgemm_GFLOPs"] * 1e9), "sgemm"

    def build_numpy(self, np_, inp):
        xs, target, Wx0, Wh0, b0, cell = inp
        params = [p.copy() for p in (Wx0, Wh0, b0)]
        lr = np.float32(self.lr)

        def step():
            Wx, Wh, b = params
            h, tape = self._forward_np(xs, Wx, Wh, b, cell)
            cost = np_.mean((h - target) ** 2)
            dh = 2 * (h - target) / np.float32(h.size)
            dc = np_.zeros_like(h)
            gWx, gWh, gb = np_.zeros_like(Wx), np_.zeros_like(Wh), np_.zeros_like(b)
            for t in reversed(range(len(tape))):
                if cell == "rnn":
                    hp, hn = tape[t]
                    da = dh * (1 - hn * hn)
                else:
                    hp, cp, i, f, o, gg, tc = tape[t]
                    dc = dc + dh * o * (1 - tc * tc)
                    da = np_.concatenate([dc * gg * i * (1 - i), dc * cp * f * (1 - f), dh * tc * o * (1 - o),
                                          dc * i * (1 - gg * gg)], axis=1)
                    dc = dc * f
                gWx += xs[t].T @ da
                gWh += hp.T @ da
                gb += da.sum(axis=0)
                dh = da @ Wh.T
            for p, g in zip(params, (gWx, gWh, gb)):
                p -= lr * g
            return np_.asarray(cost, dtype="float32")
        return step

    def build_theano(self, lib, inp):
        T = lib.tensor
        xs, target, Wx0, Wh0, b0, cell = inp
        scan = lib.scan  # n/a for a contestant without scan
        hid = Wh0.shape[0]
        Wx, Wh, b = [lib.shared(p.copy(), name=n) for p, n in zip((Wx0, Wh0, b0), ("Wx", "Wh", "b"))]
        X = T.tensor3("X", dtype="float32")
        tgt = T.matrix("target", dtype="float32")
        zeros = T.zeros((X.shape[1], hid), dtype="float32")
        sig = _sigmoid(T)
        if cell == "rnn":
            hs, _ = scan(lambda x_t, h: T.tanh(T.dot(x_t, Wx) + T.dot(h, Wh) + b), sequences=X, outputs_info=zeros)
        else:
            def lstm(x_t, h, c):
                a = T.dot(x_t, Wx) + T.dot(h, Wh) + b
                i, f, o = sig(a[:, :hid]), sig(a[:, hid:2 * hid]), sig(a[:, 2 * hid:3 * hid])
                cn = f * c + i * T.tanh(a[:, 3 * hid:])
                return o * T.tanh(cn), cn
            (hs, _), _ = scan(lstm, sequences=X, outputs_info=[zeros, zeros])
        cost = T.mean((hs[-1] - tgt) ** 2)
        f = lib.function([X, tgt], cost, updates=_sgd_theano(lib, cost, [Wx, Wh, b], self.lr))
        return lambda: f(xs, target)

    def build_jax(self, jax, inp):
        import jax.numpy as jnp
        xs, target, Wx0, Wh0, b0, cell = inp
        hid = Wh0.shape[0]
        X, tgt = jax.device_put(xs), jax.device_put(target)

        def loss(params):
            Wx, Wh, b = params
            z = jnp.zeros((xs.shape[1], hid), "float32")
            if cell == "rnn":
                def body(h, x_t):
                    h = jnp.tanh(x_t @ Wx + h @ Wh + b)
                    return h, None
                h, _ = jax.lax.scan(body, z, X)
            else:
                def body(carry, x_t):
                    h, c = carry
                    a = x_t @ Wx + h @ Wh + b
                    i, f, o = (jax.nn.sigmoid(a[:, k * hid:(k + 1) * hid]) for k in range(3))
                    c = f * c + i * jnp.tanh(a[:, 3 * hid:])
                    return (o * jnp.tanh(c), c), None
                (h, _), _ = jax.lax.scan(body, (z, z), X)
            return jnp.mean((h - tgt) ** 2)

        @jax.jit
        def step(params):
            c, g = jax.value_and_grad(loss)(params)
            return c, [p - self.lr * d for p, d in zip(params, g)]
        state = [[jax.device_put(p.copy()) for p in (Wx0, Wh0, b0)]]

        def run():
            c, state[0] = step(state[0])
            return jax.block_until_ready(c)
        return run

    def build_torch(self, torch, inp):
        xs, target, Wx0, Wh0, b0, cell = inp
        hid = Wh0.shape[0]
        X, tgt = torch.from_numpy(xs), torch.from_numpy(target)
        params = [torch.tensor(p.copy(), requires_grad=True) for p in (Wx0, Wh0, b0)]

        def step():
            Wx, Wh, b = params
            h = torch.zeros((xs.shape[1], hid))
            c = torch.zeros((xs.shape[1], hid))
            for t in range(xs.shape[0]):
                a = X[t] @ Wx + h @ Wh + b
                if cell == "rnn":
                    h = torch.tanh(a)
                else:
                    s = torch.sigmoid(a[:, :3 * hid])
                    c = s[:, hid:2 * hid] * c + s[:, :hid] * torch.tanh(a[:, 3 * hid:])
                    h = s[:, 2 * hid:] * torch.tanh(c)
            cost = torch.mean((h - tgt) ** 2)
            return _torch_sgd(torch, cost, params, self.lr)
        return step


class T7(T4):
    """Compile time of T4's training function: building the scan graph, its
    gradient through time and the SGD updates, compiling, and the first call."""
    id, title = "T7", "compile time: build, compile and first call of the T4 training function"
    first_call = True
