"""L1: dense linear algebra in float64. Size ("cholesky+cho_solve", n): the
Cholesky factor of an n x n SPD matrix, then cho_solve with an n x 1 right
side. Size ("svd", m, n): the thin SVD (full_matrices=False) of an m x n
matrix. Size ("gp-nll+grad", n, d): the negative log marginal likelihood of a
Gaussian process over n points in d dimensions, RBF kernel
K = s^2 exp(-0.5 ||xi - xj||^2 / l^2) + noise I, through the Cholesky factor
(0.5 y^T K^-1 y + sum(log(diag(L))) + n/2 log(2 pi)), and its gradient with
respect to (log s, log l, log noise). The NumPy contestant is NumPy plus
SciPy (scipy.linalg's cholesky and cho_solve; NumPy's svd), with the GP's
gradient written out: 0.5 tr((K^-1 - a a^T) dK) with K^-1 from LAPACK's potri.
The floor is the FLOPs over the FP64 FMA peak (K0)."""
import importlib

import numpy as np

from .base import Workload

_THETA = (0.0, np.log(0.8), np.log(0.1))  # log s, log l, log noise


def _gp_np(X, y, theta):
    """(cost, gradient) of the GP's negative log marginal likelihood, by hand."""
    import scipy.linalg as sl
    s2, l2, noise = np.exp(2 * theta[0]), np.exp(2 * theta[1]), np.exp(theta[2])
    sq = np.einsum("ij,ij->i", X, X)
    d2 = sq[:, None] + sq[None, :] - 2 * (X @ X.T)
    kf = s2 * np.exp(-0.5 / l2 * d2)
    K = kf + noise * np.eye(len(X))
    L = sl.cholesky(K, lower=True)
    a = sl.cho_solve((L, True), y)
    cost = 0.5 * (y @ a) + np.log(np.diag(L)).sum() + 0.5 * len(X) * np.log(2 * np.pi)
    c, info = sl.lapack.dpotri(L, lower=1)  # K^-1 in the lower triangle (L's upper triangle is zero)
    if info:
        raise np.linalg.LinAlgError("potri failed (%d)" % info)
    W = c + np.tril(c, -1).T - np.outer(a, a)  # K^-1 - a a^T
    g_s = np.sum(W * kf)  # dK/dlog s = 2 kf, halved
    g_l = 0.5 / l2 * np.sum(W * kf * d2)  # dK/dlog l = kf d2 / l^2
    g_n = 0.5 * noise * np.trace(W)  # dK/dlog noise = noise I
    return cost, np.array([g_s, g_l, g_n])


def _align(u, vt, u_ref):
    """u and vt with each singular pair's sign flipped to match u_ref's."""
    sign = np.where(np.sum(u * u_ref, axis=0) < 0, -1.0, 1.0)
    return u * sign, vt * sign[:, None]


class L1(Workload):
    id, title, dtype = "L1", "linear algebra: Cholesky + cho_solve, thin SVD, GP marginal likelihood + gradient", \
        "float64"
    min_calls = 10  # the GP's call takes a large part of a second

    def inputs(self, size, rng):
        kind = size[0]
        if kind == "cholesky+cho_solve":
            n = size[1]
            A = rng.standard_normal((n, n))
            return [kind, A @ A.T / n + np.eye(n), rng.standard_normal((n, 1))]
        if kind == "svd":
            return [kind, rng.standard_normal(size[1:])]
        _, n, d = size
        X = rng.standard_normal((n, d))
        y = np.sin(X[:, 0]) + 0.5 * np.cos(X[:, 1:].sum(axis=1)) + 0.1 * rng.standard_normal(n)
        return [kind, X, y, np.array(_THETA)]

    def reference(self, inp):
        import scipy.linalg as sl
        kind = inp[0]
        if kind == "cholesky+cho_solve":
            return sl.cho_solve((sl.cholesky(inp[1], lower=True), True), inp[2])
        if kind == "svd":
            return np.linalg.svd(inp[1], full_matrices=False)
        return _gp_np(*inp[1:])

    @staticmethod
    def flops(size):
        if size[0] == "cholesky+cho_solve":
            n = size[1]
            return n ** 3 / 3 + 2 * n * n  # potrf, then two triangular solves
        if size[0] == "svd":
            m, n = size[1:]
            return 4 * m * n * n - 4 * n ** 3 / 3  # the Householder bidiagonalization alone
        _, n, d = size
        return 2 * n * n * d + n ** 3  # distances, potrf and potri (n^3/3 + 2n^3/3)

    def floor(self, size, k0, threads):
        peak = k0.get("fma_f64_GFLOPs")
        if not peak:
            return None
        return self.flops(size) / (peak * 1e9), "FP64 FMA peak" + (" (bidiagonalization FLOPs)"
                                                                    if size[0] == "svd" else "")

    def check(self, out, ref, dtype):
        from ..measure import check, to_numpy
        if isinstance(ref, np.ndarray):  # cholesky+cho_solve
            return check(out, ref, dtype)
        out = [to_numpy(o) for o in out]
        if len(ref) == 3:  # svd: singular vectors up to sign
            u, s, vt = out
            if u.shape != ref[0].shape or vt.shape != ref[2].shape:
                return "u %s, vt %s; expected %s, %s" % (u.shape, vt.shape, ref[0].shape, ref[2].shape)
            u, vt = _align(u, vt, ref[0])
            return check(s, ref[1], dtype) or check(u, ref[0], dtype) or check(vt, ref[2], dtype)
        why = check(out[0], ref[0], dtype) or check(out[1], ref[1], dtype)
        return why and "%s: cost %r, gradient %s; want %r, %s" % (why, float(out[0]), out[1], float(ref[0]), ref[1])

    # -- NumPy and SciPy ---------------------------------------------------------------------------------
    def build_numpy(self, np_, inp):
        import scipy.linalg as sl
        kind = inp[0]
        if kind == "cholesky+cho_solve":
            K, b = inp[1:]
            return lambda: sl.cho_solve((sl.cholesky(K, lower=True), True), b)
        if kind == "svd":
            return lambda: np_.linalg.svd(inp[1], full_matrices=False)
        return lambda: _gp_np(*inp[1:])

    # -- Theano's API (theon) ----------------------------------------------------------------------------
    def build_theano(self, lib, inp):
        T = lib.tensor
        slinalg = importlib.import_module(lib.__name__ + ".tensor.slinalg")
        nlinalg = importlib.import_module(lib.__name__ + ".tensor.nlinalg")
        kind = inp[0]
        if kind == "cholesky+cho_solve":
            K, b = T.dmatrix("K"), T.dmatrix("b")
            f = lib.function([K, b], slinalg.cho_solve((slinalg.cholesky(K), True), b))
        elif kind == "svd":
            A = T.dmatrix("A")
            f = lib.function([A], list(nlinalg.svd(A, full_matrices=False)))
        else:
            X, y, theta = T.dmatrix("X"), T.dvector("y"), T.dvector("theta")
            s2, l2, noise = T.exp(2 * theta[0]), T.exp(2 * theta[1]), T.exp(theta[2])
            sq = T.sum(X ** 2, axis=1)
            d2 = sq.dimshuffle(0, "x") + sq.dimshuffle("x", 0) - 2 * T.dot(X, X.T)
            L = slinalg.cholesky(s2 * T.exp(-0.5 * d2 / l2) + noise * T.eye(X.shape[0]))
            a = slinalg.cho_solve((L, True), y)
            cost = 0.5 * T.dot(y, a) + T.sum(T.log(T.diagonal(L))) + 0.5 * X.shape[0] * np.log(2 * np.pi)
            f = lib.function([X, y, theta], [cost, T.grad(cost, theta)])
        args = inp[1:]
        return lambda: f(*args)

    # -- PyTorch eager -----------------------------------------------------------------------------------
    def build_torch(self, torch, inp):
        kind = inp[0]
        args = [torch.from_numpy(a) for a in inp[1:]]
        if kind == "cholesky+cho_solve":
            K, b = args
            return lambda: torch.cholesky_solve(b, torch.linalg.cholesky(K))
        if kind == "svd":
            return lambda: torch.linalg.svd(args[0], full_matrices=False)
        X, y, theta0 = args

        def run():
            theta = theta0.detach().requires_grad_(True)
            s2, l2, noise = torch.exp(2 * theta[0]), torch.exp(2 * theta[1]), torch.exp(theta[2])
            sq = (X * X).sum(1)
            d2 = sq[:, None] + sq[None, :] - 2 * (X @ X.T)
            L = torch.linalg.cholesky(s2 * torch.exp(-0.5 * d2 / l2) + noise * torch.eye(len(X), dtype=X.dtype))
            a = torch.cholesky_solve(y[:, None], L)[:, 0]
            cost = 0.5 * torch.dot(y, a) + torch.log(torch.diagonal(L)).sum() + 0.5 * len(X) * np.log(2 * np.pi)
            (g,) = torch.autograd.grad(cost, theta)
            return cost.detach(), g
        return run

    # -- JAX jit -----------------------------------------------------------------------------------------
    def build_jax(self, jax, inp):
        import jax.numpy as jnp
        import jax.scipy.linalg as jsl
        kind = inp[0]
        args = [jax.device_put(a) for a in inp[1:]]
        if kind == "cholesky+cho_solve":
            f = jax.jit(lambda K, b: jsl.cho_solve((jnp.linalg.cholesky(K), True), b))
        elif kind == "svd":
            f = jax.jit(lambda A: jnp.linalg.svd(A, full_matrices=False))
        else:
            def nll(theta, X, y):
                s2, l2, noise = jnp.exp(2 * theta[0]), jnp.exp(2 * theta[1]), jnp.exp(theta[2])
                sq = jnp.sum(X * X, axis=1)
                d2 = sq[:, None] + sq[None, :] - 2 * (X @ X.T)
                L = jnp.linalg.cholesky(s2 * jnp.exp(-0.5 * d2 / l2) + noise * jnp.eye(X.shape[0], dtype=X.dtype))
                a = jsl.cho_solve((L, True), y)
                return 0.5 * jnp.dot(y, a) + jnp.sum(jnp.log(jnp.diagonal(L))) + 0.5 * X.shape[0] * np.log(2 * np.pi)
            vg = jax.jit(jax.value_and_grad(nll))
            X, y, theta = args
            return lambda: jax.block_until_ready(vg(theta, X, y))
        return lambda: jax.block_until_ready(f(*args))
