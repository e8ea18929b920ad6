"""Workloads: inputs, the NumPy reference, one builder per API family, and the
floor computed from K0. A builder returns a zero-argument callable; a workload
without a builder for some API is n/a for that contestant."""
import numpy as np

SUITES = {
    # suite -> workload -> list of size parameters
    "tiny": {"E1": [1000], "E3": [(16, 8)], "E4": [(32, 16)], "T2": [8], "O1": [10], "C2": [8]},
    "quick": {"E1": [100_000, 10_000_000], "E3": [(4096, 1024)], "E4": [(4096, 4096)], "T2": [256, 1],
              "O1": [10], "C2": [256]},
    "full": {"E1": [100_000, 10_000_000], "E3": [(4096, 1024), (1000, 1000)], "E4": [(4096, 4096)],
             "T2": [256, 1], "O1": [10], "C2": [256, 60]},
}


class Workload(object):
    id = ""
    title = ""
    dtype = "float32"
    first_call = False  # measure build + first call in child processes (compile workloads)

    def inputs(self, size, rng):
        raise NotImplementedError

    def reference(self, inp):
        raise NotImplementedError

    def floor(self, size, k0, threads):
        return None

    def build(self, api, mod, inp):
        fn = getattr(self, "build_" + api, None)
        return None if fn is None else fn(mod, inp)


def _bytes(*arrays):
    return sum(a.nbytes for a in arrays)


class E1(Workload):
    id, title = "E1", "fused elementwise chain (10 ops, 2 inputs)"

    def inputs(self, n, rng):
        return [rng.uniform(-1, 1, n).astype(self.dtype), rng.uniform(-1, 1, n).astype(self.dtype)]

    @staticmethod
    def _expr(m, a, b):
        return m.tanh(a * 1.5 + b) * m.exp(-(a * a)) + b * 0.5 - a

    def reference(self, inp):
        return self._expr(np, *inp)

    def floor(self, n, k0, threads):
        return 3 * n * 4 / (k0["stream_copy_GBs"] * 1e9)

    def build_numpy(self, np_, inp):
        return lambda: self._expr(np_, *inp)

    def build_theano(self, lib, inp):
        T = lib.tensor
        a, b = T.vector("a", dtype=self.dtype), T.vector("b", dtype=self.dtype)
        f = lib.function([a, b], self._expr(T, a, b))
        return lambda: f(*inp)

    def build_numexpr(self, ne, inp):
        names = {"a": inp[0], "b": inp[1]}
        return lambda: ne.evaluate("tanh(a * 1.5 + b) * exp(-(a * a)) + b * 0.5 - a", local_dict=names)

    def build_jax(self, jax, inp):
        import jax.numpy as jnp
        f = jax.jit(lambda a, b: self._expr(jnp, a, b))
        args = [jax.device_put(x) for x in inp]
        return lambda: f(*args).block_until_ready()

    def build_torch(self, torch, inp):
        a, b = [torch.from_numpy(x) for x in inp]
        return lambda: self._expr(torch, a, b)


class E3(Workload):
    id, title = "E3", "row logsumexp (max-shifted), float32"

    def inputs(self, shape, rng):
        return [rng.standard_normal(shape).astype(self.dtype)]

    @staticmethod
    def _lse(m, x, keep):
        mx = x.max(axis=1, **keep)
        return m.log(m.exp(x - mx).sum(axis=1, **keep)) + mx

    def reference(self, inp):
        return self._lse(np, inp[0], {"keepdims": True})

    def floor(self, shape, k0, threads):
        return shape[0] * shape[1] * 4 / (k0["stream_copy_GBs"] * 1e9)

    def build_numpy(self, np_, inp):
        return lambda: self._lse(np_, inp[0], {"keepdims": True})

    def build_theano(self, lib, inp):
        T = lib.tensor
        x = T.matrix("x", dtype=self.dtype)
        f = lib.function([x], self._lse(T, x, {"keepdims": True}))
        return lambda: f(inp[0])

    def build_jax(self, jax, inp):
        import jax.numpy as jnp
        f = jax.jit(lambda x: self._lse(jnp, x, {"keepdims": True}))
        x = jax.device_put(inp[0])
        return lambda: f(x).block_until_ready()

    def build_torch(self, torch, inp):
        x = torch.from_numpy(inp[0])
        return lambda: torch.logsumexp(x, dim=1, keepdim=True)


class E4(Workload):
    id, title = "E4", "sum over axis 0, axis 1 and all, float32"

    def inputs(self, shape, rng):
        return [rng.standard_normal(shape).astype(self.dtype)]

    def reference(self, inp):
        x = inp[0]
        return np.concatenate([x.sum(axis=0), x.sum(axis=1), [x.sum()]])

    def floor(self, shape, k0, threads):
        return 3 * shape[0] * shape[1] * 4 / (k0["stream_copy_GBs"] * 1e9)

    def build_numpy(self, np_, inp):
        x = inp[0]
        return lambda: np_.concatenate([x.sum(axis=0), x.sum(axis=1), [x.sum()]])

    def build_theano(self, lib, inp):
        T = lib.tensor
        x = T.matrix("x", dtype=self.dtype)
        f = lib.function([x], T.concatenate([x.sum(axis=0), x.sum(axis=1), x.sum().dimshuffle("x")]))
        return lambda: f(inp[0])

    def build_torch(self, torch, inp):
        x = torch.from_numpy(inp[0])
        return lambda: torch.cat([x.sum(0), x.sum(1), x.sum().reshape(1)])


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
        z = X @ W
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
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
        z = T.dot(x, W)
        z = z - z.max(axis=1, keepdims=True)
        logp = z - T.log(T.exp(z).sum(axis=1, keepdims=True))
        cost = -T.mean(logp[T.arange(t.shape[0]), t])
        g = T.grad(cost, W)
        f = lib.function([], cost, updates=[(W, W - T.cast(self.lr, "float32") * g)], givens={x: Xs, t: ys})
        return f


class T2(_LogReg, Workload):
    id, title = "T2", "logistic regression SGD step 784-10 (shared params, updates, givens)"

    def floor(self, batch, k0, threads):
        return 2 * 2 * batch * self.n_in * self.n_out / (k0["sgemm_GFLOPs"] * 1e9)


class C2(_LogReg, Workload):
    id, title = "C2", "compile time: build, compile and first call of the T2 training function"
    first_call = True


class O1(Workload):
    id, title, dtype = "O1", "call overhead: identity on a 10-vector", "float64"

    def inputs(self, n, rng):
        return [np.arange(float(n))]

    def reference(self, inp):
        return inp[0]

    def build_numpy(self, np_, inp):
        return lambda: np_.asarray(inp[0]).copy()

    def build_theano(self, lib, inp):
        x = lib.tensor.vector("x", dtype="float64")
        f = lib.function([x], x)
        return lambda: f(inp[0])

    def build_jax(self, jax, inp):
        f = jax.jit(lambda x: x)
        x = jax.device_put(inp[0])
        return lambda: f(x).block_until_ready()

    def build_torch(self, torch, inp):
        x = torch.from_numpy(inp[0])
        return lambda: x.clone()


WORKLOADS = {w.id: w for w in (E1(), E3(), E4(), T2(), O1(), C2())}
