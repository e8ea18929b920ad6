"""T8: convolutional training steps. Size ("lenet", batch): the deep learning
tutorial's LeNet-5 (conv 20@5x5, max-pool 2, tanh; conv 50@5x5, max-pool 2,
tanh; 500 tanh units; softmax over 10) on 28x28 float32 images, one SGD step
on the mean negative log-likelihood. Size ("resblock", batch, channels, hw): a
ResNet basic block (conv 3x3, batch norm, relu, conv 3x3, batch norm, the
identity added, relu), forward, backward and an SGD step on mean(out**2).
Theano's conv2d flips its filters; the peers get the flipped filters, so all
compute the same cost. The floor is the FLOPs over the FMA peak (K0)."""
import importlib

import numpy as np

from .base import Workload, jax_jit  # noqa: F401  (jax_jit: the shared jit helper, not needed here)

_EPS = 1e-5
_LR = 0.01


def _conv_np(x, w, pad):
    """Theano's conv2d (flipped filters) in NumPy, for the reference."""
    w = w[:, :, ::-1, ::-1]
    if pad:
        x = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    win = np.lib.stride_tricks.sliding_window_view(x, w.shape[2:], axis=(2, 3))  # N C H W kh kw
    return np.tensordot(win, w, axes=([1, 4, 5], [1, 2, 3])).transpose(0, 3, 1, 2)


def _windows(x, kh, kw):
    return np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(2, 3))  # N C H W kh kw


def _corr_fwd(x, wf, pad):
    """Cross-correlation of x (N, C, H, W) with wf (O, C, kh, kw), zero padded: (y, the padded x)."""
    xp = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)]) if pad else x
    y = np.tensordot(_windows(xp, *wf.shape[2:]), wf, axes=([1, 4, 5], [1, 2, 3])).transpose(0, 3, 1, 2)
    return np.ascontiguousarray(y), xp


def _corr_bwd(gy, xp, wf, pad, need_dx=True):
    """(dx, dwf) of _corr_fwd from gy."""
    kh, kw = wf.shape[2:]
    dwf = np.tensordot(gy, _windows(xp, kh, kw), axes=([0, 2, 3], [0, 2, 3]))  # O C kh kw
    if not need_dx:
        return None, dwf
    gp = np.pad(gy, [(0, 0), (0, 0), (kh - 1, kh - 1), (kw - 1, kw - 1)])
    dxp = np.tensordot(_windows(gp, kh, kw), wf[:, :, ::-1, ::-1], axes=([1, 4, 5], [0, 2, 3])).transpose(0, 3, 1, 2)
    h, w = xp.shape[2] - 2 * pad, xp.shape[3] - 2 * pad
    return np.ascontiguousarray(dxp[:, :, pad:pad + h, pad:pad + w]), dwf


def _pool_bwd(x, y, gy):
    """Max-pool 2x2 gradient, to every tap equal to its window's maximum (Theano's rule)."""
    n, c, h, w = x.shape
    xr = x[:, :, :h // 2 * 2, :w // 2 * 2].reshape(n, c, h // 2, 2, w // 2, 2)
    mask = xr == y[:, :, :, None, :, None]
    gx = np.zeros_like(x)
    gx[:, :, :h // 2 * 2, :w // 2 * 2] = (mask * gy[:, :, :, None, :, None]).reshape(n, c, h // 2 * 2, w // 2 * 2)
    return gx


def _pool_np(x):
    n, c, h, w = x.shape
    return x[:, :, :h // 2 * 2, :w // 2 * 2].reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))


def _bn_np(z, g, b):
    m = z.mean(axis=(0, 2, 3), keepdims=True)
    v = z.var(axis=(0, 2, 3), keepdims=True)
    return (z - m) / np.sqrt(v + _EPS) * g[None, :, None, None] + b[None, :, None, None]


class T8(Workload):
    id, title = "T8", "convolutional training step: LeNet-5 and a ResNet basic block"
    min_calls = 5
    warmup = 2

    def inputs(self, size, rng):
        kind = size[0]
        if kind == "lenet":
            b = size[1]
            x = rng.uniform(0, 1, (b, 1, 28, 28)).astype("float32")
            y = rng.randint(0, 10, b).astype("int32")
            shapes = [(20, 1, 5, 5), (20,), (50, 20, 5, 5), (50,), (800, 500), (500,), (500, 10), (10,)]
            params = [(rng.standard_normal(s) * (0.1 if len(s) > 1 else 0.0)).astype("float32") for s in shapes]
            return [kind, x, y] + params
        _, b, c, hw = size
        x = rng.standard_normal((b, c, hw, hw)).astype("float32")
        w1, w2 = [(rng.standard_normal((c, c, 3, 3)) * np.sqrt(2.0 / (9 * c))).astype("float32") for _ in range(2)]
        g1, g2 = np.ones(c, "float32"), np.ones(c, "float32")
        b1, b2 = np.zeros(c, "float32"), np.zeros(c, "float32")
        return [kind, x, None, w1, g1, b1, w2, g2, b2]

    def reference(self, inp):
        kind, x, y = inp[:3]
        p = [a.astype("float64") for a in inp[3:]]
        x = x.astype("float64")
        if kind == "lenet":
            w1, b1, w2, b2, w3, b3, w4, b4 = p
            h = np.tanh(_pool_np(_conv_np(x, w1, 0)) + b1[None, :, None, None])
            h = np.tanh(_pool_np(_conv_np(h, w2, 0)) + b2[None, :, None, None])
            h = np.tanh(h.reshape(len(x), -1) @ w3 + b3)
            a = h @ w4 + b4
            a = a - a.max(axis=1, keepdims=True)
            logp = a - np.log(np.exp(a).sum(axis=1, keepdims=True))
            return np.asarray(-logp[np.arange(len(y)), y].mean(), "float32")
        w1, g1, b1, w2, g2, b2 = p
        a1 = np.maximum(_bn_np(_conv_np(x, w1, 1), g1, b1), 0)
        out = np.maximum(_bn_np(_conv_np(a1, w2, 1), g2, b2) + x, 0)
        return np.asarray((out ** 2).mean(), "float32")

    @staticmethod
    def flops(size):
        if size[0] == "lenet":
            b = size[1]
            f1 = 2 * b * 20 * 24 * 24 * 25
            f2 = 2 * b * 50 * 8 * 8 * 20 * 25
            dense = 2 * b * (800 * 500 + 500 * 10)
            return 2 * f1 + 3 * f2 + 3 * dense  # no gradient with respect to the images
        _, b, c, hw = size
        return 5 * 2 * b * c * c * hw * hw * 9  # two convolutions, three products each, less the input's gradient

    def floor(self, size, k0, threads):
        peak = k0.get("fma_f32_GFLOPs")
        return (self.flops(size) / (peak * 1e9), "FMA peak") if peak else None

    def check(self, out, ref, dtype):
        got = float(np.asarray(out))
        return None if abs(got - float(ref)) <= 1e-3 * max(1.0, abs(float(ref))) else "cost %g, want %g" % (got, ref)

    # -- NumPy (forward and backward written out) ------------------------------------------------------------
    def build_numpy(self, np_, inp):
        kind, x, y = inp[:3]
        params = [p.copy() for p in inp[3:]]
        lr = np.float32(_LR)

        def flip(w):
            return w[:, :, ::-1, ::-1]

        def lenet():
            w1, b1, w2, b2, w3, b3, w4, b4 = params
            n = len(x)
            z1, xp1 = _corr_fwd(x, flip(w1), 0)
            p1 = _pool_np(z1)
            h1 = np.tanh(p1 + b1[None, :, None, None])
            z2, xp2 = _corr_fwd(h1, flip(w2), 0)
            p2 = _pool_np(z2)
            h2 = np.tanh(p2 + b2[None, :, None, None])
            f = h2.reshape(n, -1)
            h3 = np.tanh(f @ w3 + b3)
            a = h3 @ w4 + b4
            a = a - a.max(axis=1, keepdims=True)
            e = np.exp(a)
            sm = e / e.sum(axis=1, keepdims=True)
            cost = -np.log(sm[np.arange(n), y]).mean()
            da = sm
            da[np.arange(n), y] -= 1
            da /= n
            g4, gb4 = h3.T @ da, da.sum(0)
            dh3 = (da @ w4.T) * (1 - h3 * h3)
            g3, gb3 = f.T @ dh3, dh3.sum(0)
            dp2 = (dh3 @ w3.T).reshape(h2.shape) * (1 - h2 * h2)
            gb2 = dp2.sum(axis=(0, 2, 3))
            dh1, dwf2 = _corr_bwd(_pool_bwd(z2, p2, dp2), xp2, flip(w2), 0)
            dp1 = dh1 * (1 - h1 * h1)
            gb1 = dp1.sum(axis=(0, 2, 3))
            _, dwf1 = _corr_bwd(_pool_bwd(z1, p1, dp1), xp1, flip(w1), 0, need_dx=False)
            grads = [flip(dwf1), gb1, flip(dwf2), gb2, g3, gb3, g4, gb4]
            return cost, grads

        def bn_fwd(z, g, b):
            m = z.mean(axis=(0, 2, 3), keepdims=True)
            inv = 1 / np.sqrt(z.var(axis=(0, 2, 3), keepdims=True) + np.float32(_EPS))
            xh = (z - m) * inv
            return xh * g[None, :, None, None] + b[None, :, None, None], (xh, inv)

        def bn_bwd(dy, g, cache):
            xh, inv = cache
            cnt = dy.size // dy.shape[1]
            dxh = dy * g[None, :, None, None]
            dz = inv / cnt * (cnt * dxh - dxh.sum(axis=(0, 2, 3), keepdims=True)
                              - xh * (dxh * xh).sum(axis=(0, 2, 3), keepdims=True))
            return dz, (dy * xh).sum(axis=(0, 2, 3)), dy.sum(axis=(0, 2, 3))

        def resblock():
            w1, g1, b1, w2, g2, b2 = params
            z1, xp1 = _corr_fwd(x, flip(w1), 1)
            n1, c1 = bn_fwd(z1, g1, b1)
            a1 = np.maximum(n1, 0)
            z2, xp2 = _corr_fwd(a1, flip(w2), 1)
            n2, c2 = bn_fwd(z2, g2, b2)
            out = np.maximum(n2 + x, 0)
            cost = (out * out).mean()
            dout = (2 / np.float32(out.size)) * out * (out > 0)
            dz2, dg2, db2 = bn_bwd(dout, g2, c2)
            da1, dwf2 = _corr_bwd(dz2, xp2, flip(w2), 1)
            dz1, dg1, db1 = bn_bwd(da1 * (n1 > 0), g1, c1)
            _, dwf1 = _corr_bwd(dz1, xp1, flip(w1), 1, need_dx=False)
            return cost, [flip(dwf1), dg1, db1, flip(dwf2), dg2, db2]

        def step():
            cost, grads = lenet() if kind == "lenet" else resblock()
            for p, g in zip(params, grads):
                p -= lr * g.astype(p.dtype)
            return np_.asarray(cost, dtype="float32")
        return step

    # -- Theano's API (theon) --------------------------------------------------------------------------------
    def build_theano(self, lib, inp):
        T = lib.tensor
        conv2d = T.nnet.conv2d
        pool = importlib.import_module(lib.__name__ + ".tensor.signal.pool")
        bn = importlib.import_module(lib.__name__ + ".tensor.nnet.bn")
        kind, x0, y0 = inp[:3]
        params = [lib.shared(p.copy()) for p in inp[3:]]
        x = T.tensor4("x", dtype="float32")
        if kind == "lenet":
            y = T.ivector("y")
            w1, b1, w2, b2, w3, b3, w4, b4 = params
            h = T.tanh(pool.pool_2d(conv2d(x, w1), ws=(2, 2), ignore_border=True) + b1.dimshuffle("x", 0, "x", "x"))
            h = T.tanh(pool.pool_2d(conv2d(h, w2), ws=(2, 2), ignore_border=True) + b2.dimshuffle("x", 0, "x", "x"))
            h = T.tanh(T.dot(h.flatten(2), w3) + b3)
            p_y = T.nnet.softmax(T.dot(h, w4) + b4)
            cost = -T.mean(T.log(p_y)[T.arange(y.shape[0]), y])
            ins, args = [x, y], (x0, y0)
        else:
            w1, g1, b1, w2, g2, b2 = params

            def block_bn(z, g, b):
                return bn.batch_normalization_train(z, g.dimshuffle("x", 0, "x", "x"), b.dimshuffle("x", 0, "x", "x"),
                                                    axes="spatial", epsilon=_EPS)[0]
            a1 = T.maximum(block_bn(conv2d(x, w1, border_mode="half"), g1, b1), 0)
            out = T.maximum(block_bn(conv2d(a1, w2, border_mode="half"), g2, b2) + x, 0)
            cost = T.mean(out ** 2)
            ins, args = [x], (x0,)
        grads = T.grad(cost, params)
        f = lib.function(ins, cost, updates=[(p, p - np.float32(_LR) * g) for p, g in zip(params, grads)])
        return lambda: f(*args)

    # -- PyTorch eager (oneDNN) ------------------------------------------------------------------------------
    def build_torch(self, torch, inp):
        F = torch.nn.functional
        kind, x0, y0 = inp[:3]
        x = torch.from_numpy(x0)
        flip = {0, 2} if kind == "lenet" else {0, 3}  # the filters among the parameters
        params = [torch.tensor(np.ascontiguousarray(p[:, :, ::-1, ::-1]) if i in flip else p.copy(),
                               requires_grad=True) for i, p in enumerate(inp[3:])]
        y = torch.from_numpy(y0.astype("int64")) if y0 is not None else None

        def cost_of():
            if kind == "lenet":
                w1, b1, w2, b2, w3, b3, w4, b4 = params
                h = torch.tanh(F.max_pool2d(F.conv2d(x, w1), 2) + b1[None, :, None, None])
                h = torch.tanh(F.max_pool2d(F.conv2d(h, w2), 2) + b2[None, :, None, None])
                h = torch.tanh(h.flatten(1) @ w3 + b3)
                return F.cross_entropy(h @ w4 + b4, y)
            w1, g1, b1, w2, g2, b2 = params
            a1 = F.relu(F.batch_norm(F.conv2d(x, w1, padding=1), None, None, g1, b1, training=True, eps=_EPS))
            out = F.relu(F.batch_norm(F.conv2d(a1, w2, padding=1), None, None, g2, b2, training=True, eps=_EPS) + x)
            return (out ** 2).mean()

        def step():
            for p in params:
                p.grad = None
            c = cost_of()
            c.backward()
            with torch.no_grad():
                for p in params:
                    p -= _LR * p.grad
            return c.detach().numpy()
        return step

    # -- JAX jit ---------------------------------------------------------------------------------------------
    def build_jax(self, jax, inp):
        import jax.numpy as jnp
        lax = jax.lax
        kind, x0, y0 = inp[:3]
        flip = {0, 2} if kind == "lenet" else {0, 3}
        params = [jax.device_put(np.ascontiguousarray(p[:, :, ::-1, ::-1]) if i in flip else p.copy())
                  for i, p in enumerate(inp[3:])]
        x = jax.device_put(x0)
        y = jax.device_put(y0) if y0 is not None else None

        def conv(a, w, pad):
            return lax.conv_general_dilated(a, w, (1, 1), [(pad, pad), (pad, pad)],
                                            dimension_numbers=("NCHW", "OIHW", "NCHW"))

        def pool(a):
            return lax.reduce_window(a, -jnp.inf, lax.max, (1, 1, 2, 2), (1, 1, 2, 2), "VALID")

        def bn(z, g, b):
            m = z.mean(axis=(0, 2, 3), keepdims=True)
            v = ((z - m) ** 2).mean(axis=(0, 2, 3), keepdims=True)
            return (z - m) * lax.rsqrt(v + _EPS) * g[None, :, None, None] + b[None, :, None, None]

        def cost_of(ps):
            if kind == "lenet":
                w1, b1, w2, b2, w3, b3, w4, b4 = ps
                h = jnp.tanh(pool(conv(x, w1, 0)) + b1[None, :, None, None])
                h = jnp.tanh(pool(conv(h, w2, 0)) + b2[None, :, None, None])
                h = jnp.tanh(h.reshape(h.shape[0], -1) @ w3 + b3)
                logp = jax.nn.log_softmax(h @ w4 + b4)
                return -jnp.mean(logp[jnp.arange(y.shape[0]), y])
            w1, g1, b1, w2, g2, b2 = ps
            a1 = jax.nn.relu(bn(conv(x, w1, 1), g1, b1))
            out = jax.nn.relu(bn(conv(a1, w2, 1), g2, b2) + x)
            return jnp.mean(out ** 2)

        @jax.jit
        def step(ps):
            c, g = jax.value_and_grad(cost_of)(ps)
            return c, [p - _LR * d for p, d in zip(ps, g)]
        state = [params]

        def run():
            c, state[0] = step(state[0])
            return jax.block_until_ready(c)
        return run


class T9(T8):
    """Compile time of T8's LeNet training function: build, compile, first call."""
    id, title = "T9", "compile time: build, compile and first call of the LeNet training function"
    first_call = True
