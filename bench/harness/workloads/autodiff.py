"""Differentiation workloads: T5 gradient of a deep elementwise chain, T6
Hessian-vector product of a logistic-regression NLL."""
import numpy as np

from .base import Workload, jax_jit, mem_floor

# T5's chain cycles through these; every value stays in a bounded range.
T5_CYCLE = ("sin", "cos", "exp", "log1p", "tanh", "muladd")
_T5_DERIV = {
    "sin": lambda x, y: np.cos(x),
    "cos": lambda x, y: -np.sin(x),
    "exp": lambda x, y: y,
    "log1p": lambda x, y: 1 / (1 + x),
    "tanh": lambda x, y: 1 - y * y,
    "muladd": lambda x, y: np.full_like(x, 0.5),
}


def _t5_apply(m, op, x):
    return x * 0.5 + 0.25 if op == "muladd" else getattr(m, op)(x)


def _t5_chain(m, x, n_ops):
    for k in range(n_ops):
        x = _t5_apply(m, T5_CYCLE[k % len(T5_CYCLE)], x)
    return x


class T5(Workload):
    """Size is (n_ops, n): d sum(chain(x)) / dx for x of n float32."""
    id, title = "T5", "gradient of a deep elementwise chain (sin/cos/exp/log1p/tanh/mul-add)"
    min_calls = 5  # a call takes up to a second

    def inputs(self, size, rng):
        return [rng.uniform(-1, 1, size[1]).astype(self.dtype), size[0]]

    @staticmethod
    def _grad_np(x, n_ops):
        """Reverse mode by hand: keep every intermediate, then multiply the
        derivatives back to front."""
        xs = [x]
        for k in range(n_ops):
            xs.append(_t5_apply(np, T5_CYCLE[k % len(T5_CYCLE)], xs[-1]).astype(x.dtype))
        g = np.ones_like(x)
        for k in reversed(range(n_ops)):
            g = g * _T5_DERIV[T5_CYCLE[k % len(T5_CYCLE)]](xs[k], xs[k + 1]).astype(x.dtype)
        return g

    def reference(self, inp):
        return self._grad_np(inp[0].astype("float64"), inp[1]).astype(self.dtype)

    def floor(self, size, k0, threads):
        return mem_floor(2 * size[1] * 4, k0, "copy"), "memory (compute floor not measured yet)"

    def build_numpy(self, np_, inp):
        return lambda: self._grad_np(inp[0], inp[1])

    def build_theano(self, lib, inp):
        T = lib.tensor
        x = T.vector("x", dtype=self.dtype)
        f = lib.function([x], T.grad(T.sum(_t5_chain(T, x, inp[1])), x))
        return lambda: f(inp[0])

    def build_jax(self, jax, inp):
        import jax.numpy as jnp
        return jax_jit(jax, jax.grad(lambda x: jnp.sum(_t5_chain(jnp, x, inp[1]))), inp[:1])

    def build_torch(self, torch, inp):
        x0 = torch.from_numpy(inp[0])

        def run():
            x = x0.detach().requires_grad_(True)
            (g,) = torch.autograd.grad(_t5_chain(torch, x, inp[1]).sum(), x)
            return g
        return run


class T6(Workload):
    """Size is (method, rows, cols): Hv for the NLL of logistic regression,
    mean(softplus(z) - y*z) with z = X w, by R-op ("rop": forward over reverse)
    or by the gradient of <grad, v> ("gradgrad")."""
    id, title, dtype = "T6", "Hessian-vector product of a logistic-regression NLL", "float64"

    def inputs(self, size, rng):
        _, rows, cols = size
        X = rng.standard_normal((rows, cols)) / np.sqrt(cols)
        y = (rng.uniform(size=rows) < 0.5).astype("float64")
        w, v = rng.standard_normal(cols), rng.standard_normal(cols)
        return [X, y, w, v, size[0]]

    @staticmethod
    def _hv_np(X, y, w, v):
        p = 1 / (1 + np.exp(-(X @ w)))
        return X.T @ (p * (1 - p) * (X @ v)) / len(y)

    def reference(self, inp):
        return self._hv_np(*inp[:4])

    def floor(self, size, k0, threads):
        _, rows, cols = size
        return mem_floor(2 * rows * cols * 8, k0, "copy"), "memory (2 passes over X)"

    def build_numpy(self, np_, inp):
        return lambda: self._hv_np(*inp[:4])

    def build_theano(self, lib, inp):
        T = lib.tensor
        X, y, w0, v0, method = inp
        Xs, ys = lib.shared(X, name="X"), lib.shared(y, name="y")
        w, v = T.vector("w", dtype="float64"), T.vector("v", dtype="float64")
        z = T.dot(Xs, w)
        softplus = getattr(T, "softplus", None) or T.nnet.softplus  # PyTensor has no tensor.nnet
        cost = T.mean(softplus(z) - ys * z)
        g = T.grad(cost, w)
        hv = lib.Rop(g, w, v) if method == "rop" else T.grad(T.sum(g * v), w)
        f = lib.function([w, v], hv)
        return lambda: f(w0, v0)

    def _cost(self, m, softplus, X, y):
        def cost(w):
            z = X @ w
            return m.mean(softplus(z) - y * z)
        return cost

    def build_jax(self, jax, inp):
        import jax.numpy as jnp
        jax.config.update("jax_enable_x64", True)
        X, y, w, v, method = [jax.device_put(a) for a in inp[:4]] + [inp[4]]
        g = jax.grad(self._cost(jnp, jax.nn.softplus, X, y))
        if method == "rop":
            hv = jax.jit(lambda w, v: jax.jvp(g, (w,), (v,))[1])
        else:
            hv = jax.jit(lambda w, v: jax.grad(lambda u: jnp.dot(g(u), v))(w))
        return lambda: jax.block_until_ready(hv(w, v))

    def build_torch(self, torch, inp):
        from torch import func
        X, y, w, v = [torch.from_numpy(a) for a in inp[:4]]
        g = func.grad(self._cost(torch, torch.nn.functional.softplus, X, y))
        if inp[4] == "rop":
            return lambda: func.jvp(g, (w,), (v,))[1]
        return lambda: func.grad(lambda u: torch.dot(g(u), v))(w)
