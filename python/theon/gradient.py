"""theon.gradient: reverse-mode symbolic differentiation."""
from . import _core
from .tensor import basic as B


def grad(cost, wrt, consider_constant=None, disconnected_inputs="raise", add_names=True,
         known_grads=None, return_disconnected="zero", null_gradients="raise"):
    """Symbolic gradient of the scalar `cost` with respect to `wrt` (a variable
    or a list of them); returns the same structure. Theano 1.0's signature."""
    if return_disconnected not in ("zero", "None", "Disconnected"):
        raise ValueError("grad: return_disconnected must be 'zero', 'None' or 'Disconnected', got %r"
                         % (return_disconnected,))
    if null_gradients not in ("raise", "return"):
        raise ValueError("grad: null_gradients must be 'raise' or 'return', got %r" % (null_gradients,))
    single = not isinstance(wrt, (list, tuple))
    wrt_list = [wrt] if single else list(wrt)
    for w in wrt_list:
        if not isinstance(w, B.TensorVariable):
            raise TypeError("grad: wrt must be symbolic variables, got %r" % (w,))
    if cost is not None:
        cost = B.as_tensor_variable(cost)
    known = [(B.as_tensor_variable(k), B.as_tensor_variable(v)) for k, v in (known_grads or {}).items()]
    if cost is None:
        if not known:
            raise ValueError("grad: cost is None and known_grads is empty: nothing to differentiate")
        cost = known[0][0]
    consider = [B.as_tensor_variable(c) for c in (consider_constant or [])]
    gs = _core.grad(cost, wrt_list, consider, disconnected_inputs, known)
    if return_disconnected != "zero":
        connected = _connected(cost, wrt_list, consider)
        gs = [g if c else None for g, c in zip(gs, connected)]
    if add_names and cost.name:
        for g, w in zip(gs, wrt_list):
            if g is not None and w.name and not g.name:
                g.name = "(d%s/d%s)" % (cost.name, w.name)
    return gs[0] if single else gs


def _connected(cost, wrt, consider):
    """For each wrt: does the cost depend on it at all?"""
    nodes = _core.toposort([cost])
    blocked = {c._id for c in consider}
    out = []
    for w in wrt:
        reach = {w._id}
        for node in nodes:
            if any(i._id in reach for i in node.inputs):
                reach.update(o._id for o in node.outputs if o._id not in blocked)
        out.append(cost._id in reach)
    return out
