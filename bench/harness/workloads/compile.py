"""C1: compile time of a seeded random elementwise DAG and its gradient."""
import numpy as np

from .base import Workload

# Generator ops as sequences of primitives; each keeps values within [-1, 1]
# when its operands are, so a random graph of any depth stays finite.
_RECIPES = {
    "add": [("add", 0, 1), ("div_c", -1, 2.0)],
    "sub": [("sub", 0, 1), ("div_c", -1, 2.0)],
    "mul": [("mul", 0, 1)],
    "exp": [("exp", 0), ("div_c", -1, 3.0)],
    "log1p": [("abs", 0), ("log1p", -1)],
    "tanh": [("tanh", 0)],
    "sqrt_abs": [("abs", 0), ("sqrt", -1)],
    "maximum": [("maximum", 0, 1)],
}
_BINARY = {"add", "sub", "mul", "maximum"}


def random_graph(n_nodes, seed=0):
    """A list of primitive nodes (prim, operand ids, constant) over values
    0..2 (the three inputs); node k defines value k + 3. Operands are drawn
    uniformly from all earlier values; every value that nothing uses is summed
    into the output, so the graph has no dead code."""
    rng = np.random.RandomState(seed)
    names = sorted(_RECIPES)
    nodes, used = [], set()
    while len(nodes) < n_nodes:
        name = names[rng.randint(len(names))]
        n_vals = len(nodes) + 3
        picks = [int(rng.randint(n_vals))]
        if name in _BINARY:  # two different operands: x - x and maximum(x, x) are degenerate
            picks.append(int((picks[0] + 1 + rng.randint(n_vals - 1)) % n_vals))
        for step in _RECIPES[name]:
            prim, args, const = step[0], [], None
            for a in step[1:]:
                if isinstance(a, float):
                    const = a
                else:
                    args.append(picks[a] if a >= 0 else len(nodes) + 2)
            used.update(args)
            nodes.append((prim, tuple(args), const))
    acc = None
    for v in range(len(nodes) + 3):
        if v not in used:
            if acc is None:
                acc = v
            else:
                nodes.append(("add", (acc, v), None))
                acc = len(nodes) + 2
    return nodes


def evaluate(m, nodes, inputs):
    """Forward pass with any NumPy-like namespace `m`; returns all values."""
    vals = list(inputs)
    for prim, args, const in nodes:
        a = [vals[i] for i in args]
        if prim == "add":
            v = a[0] + a[1]
        elif prim == "sub":
            v = a[0] - a[1]
        elif prim == "mul":
            v = a[0] * a[1]
        elif prim == "div_c":
            v = a[0] / const
        elif prim == "maximum":
            v = m.maximum(a[0], a[1])
        elif prim == "abs":
            v = abs(a[0])  # Theano spells it abs_, the others abs: the operator works for all
        else:
            v = getattr(m, prim)(a[0])
        vals.append(v)
    return vals


def gradient_np(nodes, inputs):
    """d sum(output) / d inputs by reverse mode over the primitive list."""
    vals = evaluate(np, nodes, inputs)
    adj = [None] * len(vals)
    adj[-1] = np.ones_like(vals[-1])
    for k in reversed(range(len(nodes))):
        g = adj[k + 3]
        if g is None:
            continue
        prim, args, const = nodes[k]
        a, out = [vals[i] for i in args], vals[k + 3]
        if prim == "add":
            parts = [g, g]
        elif prim == "sub":
            parts = [g, -g]
        elif prim == "mul":
            parts = [g * a[1], g * a[0]]
        elif prim == "div_c":
            parts = [g / const]
        elif prim == "maximum":
            parts = [g * (a[0] >= a[1]), g * (a[0] < a[1])]
        else:
            d = {"exp": out, "log1p": 1 / (1 + a[0]), "abs": np.sign(a[0]), "tanh": 1 - out * out,
                 "sqrt": 0.5 / out}[prim]
            parts = [g * d]
        for i, p in zip(args, parts):
            adj[i] = p if adj[i] is None else adj[i] + p
    return vals[-1], [adj[i] if adj[i] is not None else np.zeros_like(inputs[0]) for i in range(3)]


class C1(Workload):
    """Size is (nodes, vector length)."""
    id, title, dtype = "C1", "compile time: random elementwise DAG + sum + gradient", "float64"
    first_call = True

    def inputs(self, size, rng):
        n_nodes, n = size
        return [rng.uniform(-1, 1, n) for _ in range(3)] + [random_graph(n_nodes)]

    def reference(self, inp):
        out, grads = gradient_np(inp[3], inp[:3])
        return np.concatenate([[out.sum()]] + grads)

    def extra(self, size, row):
        res = {"forward_nodes": size[0]}
        for key in ("first_call_cold_s", "first_call_warm_s"):
            if row.get(key):
                res["us_per_node_" + key.split("_")[2]] = row[key] / size[0] * 1e6
        return res

    def build_numpy(self, np_, inp):
        def run():
            out, grads = gradient_np(inp[3], inp[:3])
            return np_.concatenate([[out.sum()]] + grads)
        return run

    def build_theano(self, lib, inp):
        T = lib.tensor
        xs = [T.vector(n, dtype="float64") for n in "xyz"]
        cost = T.sum(evaluate(T, inp[3], xs)[-1])
        f = lib.function(xs, [cost] + T.grad(cost, xs))
        return lambda: np.concatenate([np.atleast_1d(o) for o in f(*inp[:3])])

    def build_jax(self, jax, inp):
        import jax.numpy as jnp
        jax.config.update("jax_enable_x64", True)
        nodes = inp[3]

        def cost(x, y, z):
            return jnp.sum(evaluate(jnp, nodes, [x, y, z])[-1])
        f = jax.jit(jax.value_and_grad(cost, argnums=(0, 1, 2)))
        args = [jax.device_put(a) for a in inp[:3]]

        def run():
            c, g = jax.block_until_ready(f(*args))
            return np.concatenate([np.atleast_1d(np.asarray(c))] + [np.asarray(v) for v in g])
        return run
