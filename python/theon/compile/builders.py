"""Theano's ``theano.compile.builders``: OpFromGraph, a graph used as an op."""
from .. import _core
from ..tensor import basic as B

__all__ = ["OpFromGraph"]


class _OpFromGraphMeta(type):
    def __instancecheck__(cls, obj):
        # theon's OpFromGraph nodes are instances (isinstance(node.op, OpFromGraph)).
        return getattr(obj, "kind", None) == "OpFromGraph" or type.__instancecheck__(cls, obj)


class OpFromGraph(metaclass=_OpFromGraphMeta):
    """A graph of `inputs` -> `outputs` used as one op in other graphs.

    Called on variables, it gives the outputs for them. With ``inline=False``
    (the default) it is one node whose graph is compiled once; with
    ``inline=True`` the graph is copied into the caller's. The gradient is
    derived from the graph unless `grad_overrides` gives it; the R-op likewise
    with `rop_overrides`.

    Parameters
    ----------
    inputs : list of variables
        Root variables (not shared variables or constants).
    outputs : list of variables
    inline : bool, optional
    grad_overrides : 'default' or callable, optional
        ``grad_overrides(inputs, output_grads)`` returns one gradient per input
        (None: no gradient).
    rop_overrides : 'default' or callable, optional
        ``rop_overrides(inputs, eval_points)`` returns one R-op per output.
    connection_pattern : optional
        Accepted for Theano's signature.
    name : str, optional

    Examples
    --------
    >>> import numpy as np
    >>> import theon
    >>> import theon.tensor as T
    >>> from theon.compile.builders import OpFromGraph
    >>> x, y = T.dscalars("x", "y")
    >>> op = OpFromGraph([x, y], [x * y + 1])
    >>> a = T.dscalar("a")
    >>> float(theon.function([a], op(a, a))(3.0))
    10.0
    """

    def __init__(self, inputs, outputs, inline=False, grad_overrides="default", rop_overrides="default",
                 connection_pattern=None, name=None, **kwargs):
        from .sharedvalue import SharedVariable
        if not isinstance(outputs, (list, tuple)):
            raise TypeError("OpFromGraph: outputs must be a list, got %r" % (outputs,))
        self.inputs = [B.as_tensor_variable(v) for v in inputs]
        self.outputs = [B.as_tensor_variable(v) for v in outputs]
        for v in self.inputs:
            if isinstance(v, SharedVariable):
                raise TypeError("OpFromGraph: shared variables cannot be inputs (%s); the graph reads them as they "
                                "are" % (v,))
            if isinstance(v, B.TensorConstant) or v.owner is not None:
                raise TypeError("OpFromGraph: the inputs must be root variables, got %s" % (v,))
        self.inline = bool(inline)
        self.name = name or "OpFromGraph"
        self.kwargs = kwargs
        self._g, self._grads = [], []
        if grad_overrides != "default":
            self._g = [o.type("g%d" % k) for k, o in enumerate(self.outputs)]
            grads = grad_overrides(self.inputs, self._g) if callable(grad_overrides) else list(grad_overrides)
            if len(grads) != len(self.inputs):
                raise ValueError("OpFromGraph: grad_overrides gave %d gradients for %d inputs"
                                 % (len(grads), len(self.inputs)))
            self._grads = [None if g is None else B.as_tensor_variable(g) for g in grads]
        self._ev, self._rops = [], []
        if rop_overrides != "default":
            self._ev = [i.type("t%d" % k) for k, i in enumerate(self.inputs)]
            rops = rop_overrides(self.inputs, self._ev) if callable(rop_overrides) else list(rop_overrides)
            if len(rops) != len(self.outputs):
                raise ValueError("OpFromGraph: rop_overrides gave %d results for %d outputs"
                                 % (len(rops), len(self.outputs)))
            self._rops = [None if r is None else B.as_tensor_variable(r) for r in rops]

    def __call__(self, *args):
        if len(args) != len(self.inputs):
            raise TypeError("%s takes %d inputs, got %d" % (self.name, len(self.inputs), len(args)))
        args = [B.as_tensor_variable(a) for a in args]
        if self.inline and not self._grads and not self._rops:
            outs = list(_core.clone_replace(self.outputs, list(zip(self.inputs, args))))
        else:
            outs = list(_core.apply_graph_op(self.inputs, self.outputs, self._g, self._grads, self._ev, self._rops,
                                             self.name, args))
        return outs[0] if len(outs) == 1 else outs

    def __str__(self):
        return self.name
