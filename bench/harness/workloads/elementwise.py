"""Memory-bound workloads: E1 fused chain, E2 the 2010 paper's expressions,
E3 row logsumexp, E4 reductions, M1 peak memory of a long chain."""
import numpy as np

from .base import Workload, jax_jit, mem_floor


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
        # The larger of the memory floor (2 reads + 1 write) and the compute
        # floor of its one exp and one tanh per element (K0's libmvec rates).
        mem = mem_floor(3 * n * 4, k0, "triad")
        if k0.get("expf_Gps") and k0.get("tanhf_Gps") and self.dtype == "float32":
            compute = n / (k0["expf_Gps"] * 1e9) + n / (k0["tanhf_Gps"] * 1e9)
            if compute > mem:
                return compute, "compute (exp+tanh)"
        return mem, "memory"

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
        return jax_jit(jax, lambda a, b: self._expr(jnp, a, b), inp)

    def build_torch(self, torch, inp):
        a, b = [torch.from_numpy(x) for x in inp]
        return lambda: self._expr(torch, a, b)

    def build_torch_compile(self, torch, inp):
        a, b = [torch.from_numpy(x) for x in inp]
        f = torch.compile(lambda a, b: self._expr(torch, a, b))
        return lambda: f(a, b)

    def build_numba(self, numba, inp):
        import math

        @numba.njit(parallel=True, fastmath=False)
        def kernel(a, b, out):
            for i in numba.prange(a.shape[0]):
                x, y = a[i], b[i]
                out[i] = math.tanh(x * np.float32(1.5) + y) * math.exp(-(x * x)) + y * np.float32(0.5) - x
            return out

        def run():
            return kernel(inp[0], inp[1], np.empty_like(inp[0]))
        return run


# The 2010 paper's expressions (Bergstra et al., figure "multi") plus sin**2+cos**2.
E2_EXPRESSIONS = {
    "a**2+b**2+2*a*b": lambda m, a, b: a ** 2 + b ** 2 + 2 * a * b,
    "2*a+3*b": lambda m, a, b: 2 * a + 3 * b,
    "a+1": lambda m, a, b: a + 1,
    "2*a+b**10": lambda m, a, b: 2 * a + b ** 10,
    "sin(a)**2+cos(b)**2": lambda m, a, b: m.sin(a) ** 2 + m.cos(b) ** 2,
}
E2_SIZES = [1000, 5000, 10_000, 50_000, 100_000, 1_000_000, 10_000_000]


class E2(Workload):
    """Size is (expression, n, dtype)."""
    id, title = "E2", "the 2010 paper's elementwise expressions over sizes 1e3..1e7"
    min_calls = 10  # 35 sizes per contestant; the large ones take 0.1-0.5 s a call

    def dtype_of(self, size):
        return size[2]

    def inputs(self, size, rng):
        _, n, dt = size
        return [rng.uniform(-1, 1, n).astype(dt), rng.uniform(-1, 1, n).astype(dt), size[0]]

    def reference(self, inp):
        return E2_EXPRESSIONS[inp[2]](np, inp[0], inp[1])

    def floor(self, size, k0, threads):
        expr, n, dt = size
        n_in = 1 if expr == "a+1" else 2
        return mem_floor((n_in + 1) * n * np.dtype(dt).itemsize, k0, "triad"), "memory"

    def build_numpy(self, np_, inp):
        a, b, e = inp
        f = E2_EXPRESSIONS[e]
        return lambda: f(np_, a, b)

    def build_theano(self, lib, inp):
        a_, b_, e = inp
        T = lib.tensor
        a, b = T.vector("a", dtype=a_.dtype), T.vector("b", dtype=a_.dtype)
        out = E2_EXPRESSIONS[e](T, a, b)
        ins = [a] if e == "a+1" else [a, b]
        f = lib.function(ins, out)
        args = [a_] if e == "a+1" else [a_, b_]
        return lambda: f(*args)

    def build_numexpr(self, ne, inp):
        a, b, e = inp
        names = {"a": a, "b": b}
        return lambda: ne.evaluate(e, local_dict=names)

    def build_jax(self, jax, inp):
        import jax.numpy as jnp
        f = E2_EXPRESSIONS[inp[2]]
        return jax_jit(jax, lambda a, b: f(jnp, a, b), inp[:2])

    def build_torch(self, torch, inp):
        a, b = [torch.from_numpy(x) for x in inp[:2]]
        f = E2_EXPRESSIONS[inp[2]]
        return lambda: f(torch, a, b)


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
        # One read of x, or one exp per element at K0's libmvec rate if that is slower.
        n = shape[0] * shape[1]
        mem = mem_floor(n * 4, k0, "copy")
        if k0.get("expf_Gps") and self.dtype == "float32":
            compute = n / (k0["expf_Gps"] * 1e9)
            if compute > mem:
                return compute, "compute (exp)"
        return mem, "memory"

    def build_numpy(self, np_, inp):
        return lambda: self._lse(np_, inp[0], {"keepdims": True})

    def build_theano(self, lib, inp):
        T = lib.tensor
        x = T.matrix("x", dtype=self.dtype)
        f = lib.function([x], self._lse(T, x, {"keepdims": True}))
        return lambda: f(inp[0])

    def build_jax(self, jax, inp):
        import jax.numpy as jnp
        return jax_jit(jax, lambda x: self._lse(jnp, x, {"keepdims": True}), inp)

    def build_torch(self, torch, inp):
        x = torch.from_numpy(inp[0])
        return lambda: torch.logsumexp(x, dim=1, keepdim=True)

    def build_torch_compile(self, torch, inp):
        x = torch.from_numpy(inp[0])
        f = torch.compile(lambda x: torch.logsumexp(x, dim=1, keepdim=True))
        return lambda: f(x)


class E4(Workload):
    id, title = "E4", "sum over axis 0, axis 1 and all, float32"

    def inputs(self, shape, rng):
        return [rng.standard_normal(shape).astype(self.dtype)]

    def reference(self, inp):
        x = inp[0]
        return np.concatenate([x.sum(axis=0), x.sum(axis=1), [x.sum()]])

    def floor(self, shape, k0, threads):
        return mem_floor(3 * shape[0] * shape[1] * 4, k0, "copy"), "memory"

    def build_numpy(self, np_, inp):
        x = inp[0]
        return lambda: np_.concatenate([x.sum(axis=0), x.sum(axis=1), [x.sum()]])

    def build_theano(self, lib, inp):
        T = lib.tensor
        x = T.matrix("x", dtype=self.dtype)
        f = lib.function([x], T.concatenate([x.sum(axis=0), x.sum(axis=1), x.sum().dimshuffle("x")]))
        return lambda: f(inp[0])

    def build_jax(self, jax, inp):
        import jax.numpy as jnp
        return jax_jit(jax, lambda x: jnp.concatenate([x.sum(0), x.sum(1), x.sum().reshape(1)]), inp)

    def build_torch(self, torch, inp):
        x = torch.from_numpy(inp[0])
        return lambda: torch.cat([x.sum(0), x.sum(1), x.sum().reshape(1)])


M1_CYCLE = ("sin", "mul", "tanh", "add", "cos")


class M1(Workload):
    """Size is (n_ops, rows, cols, pattern): pattern "fusable" is a chain of
    elementwise ops; "reduce" subtracts the row mean after every 4th op, so the
    chain cannot fuse into one loop and buffer reuse is what keeps memory low."""
    id, title = "M1", "peak memory of a 200-op chain (peak RSS delta / (inputs + outputs))"
    memory = True
    min_calls, warmup = 1, 1  # a call takes seconds; memory is the figure here

    def inputs(self, size, rng):
        _, rows, cols, _ = size
        return [rng.uniform(-1, 1, (rows, cols)).astype(self.dtype), size]

    @staticmethod
    def _chain(m, x, size, mean):
        n_ops, _, _, pattern = size
        for i in range(n_ops):
            op = M1_CYCLE[i % len(M1_CYCLE)]
            if op == "mul":
                x = x * 0.9
            elif op == "add":
                x = x + 0.1
            else:
                x = getattr(m, op)(x)
            if pattern == "reduce" and i % 4 == 3:
                x = x - mean(x)
        return x

    def reference(self, inp):
        return self._chain(np, inp[0], inp[1], lambda x: x.mean(axis=1, keepdims=True))

    def floor(self, size, k0, threads):
        return None

    def extra(self, size, row):
        r = row.get("rss_delta_bytes")
        if not r:
            return {}
        # Inputs plus outputs as each contestant returns them (Theano's rules
        # make this chain's output float64; NumPy and JAX keep float32).
        io = row.get("io_bytes")
        if not io:
            _, rows, cols, _ = size
            io = 2 * rows * cols * 4
        return {"memory_ratio": r / io}

    def build_numpy(self, np_, inp):
        return lambda: self._chain(np_, inp[0], inp[1], lambda x: x.mean(axis=1, keepdims=True))

    def build_theano(self, lib, inp):
        T = lib.tensor
        x = T.matrix("x", dtype=self.dtype)
        f = lib.function([x], self._chain(T, x, inp[1], lambda v: v.mean(axis=1, keepdims=True)))
        return lambda: f(inp[0])

    def build_jax(self, jax, inp):
        import jax.numpy as jnp
        return jax_jit(jax, lambda x: self._chain(jnp, x, inp[1], lambda v: v.mean(axis=1, keepdims=True)),
                       inp[:1])

    def build_torch(self, torch, inp):
        x = torch.from_numpy(inp[0])
        return lambda: self._chain(torch, x, inp[1], lambda v: v.mean(dim=1, keepdim=True))
