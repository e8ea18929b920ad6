"""O1: the cost of one call on a tiny input."""
import numpy as np

from .base import Workload, jax_jit


class O1(Workload):
    """Size is (kind, n): kind "identity", "exp", or "exp-trust" (the input
    checks switched off where the contestant offers that: Theano's and
    PyTensor's `trust_input`)."""
    id, title, dtype = "O1", "call overhead on a 10-vector (identity, exp, exp with trust_input)", "float64"

    def inputs(self, size, rng):
        return [np.arange(float(size[1])) / size[1], size[0]]

    def reference(self, inp):
        return inp[0] if inp[1] == "identity" else np.exp(inp[0])

    def build_numpy(self, np_, inp):
        x = inp[0]
        return (lambda: np_.array(x)) if inp[1] == "identity" else (lambda: np_.exp(x))

    def build_theano(self, lib, inp):
        x = lib.tensor.vector("x", dtype="float64")
        f = lib.function([x], x if inp[1] == "identity" else lib.tensor.exp(x))
        if inp[1] == "exp-trust":
            if not hasattr(f, "trust_input"):
                raise NotImplementedError("no trust_input on compiled functions")
            f.trust_input = True
        return lambda: f(inp[0])

    def build_jax(self, jax, inp):
        import jax.numpy as jnp
        if inp[1] == "exp-trust":
            return None
        return jax_jit(jax, (lambda x: x) if inp[1] == "identity" else jnp.exp, inp[:1])

    def build_torch(self, torch, inp):
        x = torch.from_numpy(inp[0])
        if inp[1] == "exp-trust":
            return None
        return (lambda: x.clone()) if inp[1] == "identity" else (lambda: torch.exp(x))
