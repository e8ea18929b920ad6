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
    grad_overrides : 'default', callable or list, optional
        ``grad_overrides(inputs, output_grads)`` returns one gradient per input
        (an OpFromGraph over the inputs and the output gradients works too; a
        list gives one entry per input: a callable, 'default' or a variable)
        (None: no gradient).
    rop_overrides : 'default', callable or list, optional
        ``rop_overrides(inputs, eval_points)`` returns one R-op per output
        (an OpFromGraph over the inputs and the eval points works too).
    lop_overrides : 'default', callable or list, optional
        ``lop_overrides(inputs, outputs, output_grads)``: grad_overrides that
        also reads the outputs (Theano 1.0's name).
    connection_pattern : list of lists of bool, optional
        Per input, per output, whether the output depends on the input
        differentiably (what ``connection_pattern()`` returns); by default
        it is read from the graph.
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
                 connection_pattern=None, name=None, lop_overrides="default", **kwargs):
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
        if connection_pattern is not None:
            pattern = [[bool(c) for c in row] for row in connection_pattern]
            if len(pattern) != len(self.inputs) or any(len(row) != len(self.outputs) for row in pattern):
                raise ValueError("OpFromGraph: connection_pattern needs one row per input (%d) of one entry per "
                                 "output (%d), got %r" % (len(self.inputs), len(self.outputs), connection_pattern))
            connection_pattern = pattern
        self._connection_pattern = connection_pattern
        self.inline = bool(inline)
        self.name = name or "OpFromGraph"
        self.kwargs = kwargs
        self._g, self._grads = [], []
        if lop_overrides != "default":
            if grad_overrides != "default":
                raise ValueError("OpFromGraph: give grad_overrides or lop_overrides, not both")
            self._g = [o.type("g%d" % k) for k, o in enumerate(self.outputs)]
            self._grads = self._overridden(lop_overrides, [self.inputs, self.outputs, self._g], len(self.inputs),
                                           "lop_overrides", self._default_grads)
        elif grad_overrides != "default":
            self._g = [o.type("g%d" % k) for k, o in enumerate(self.outputs)]
            self._grads = self._overridden(grad_overrides, [self.inputs, self._g], len(self.inputs),
                                           "grad_overrides", self._default_grads)
        self._ev, self._rops = [], []
        if rop_overrides != "default":
            self._ev = [i.type("t%d" % k) for k, i in enumerate(self.inputs)]
            self._rops = self._overridden(rop_overrides, [self.inputs, self._ev], len(self.outputs),
                                          "rop_overrides", self._default_rops)

    def _default_grads(self):
        from .. import gradient
        return gradient._grad(None, self.inputs, known_grads=dict(zip(self.outputs, self._g)),
                              disconnected_inputs="ignore", null_gradients="return", known_replace=False)

    def _default_rops(self):
        from .. import gradient
        return [gradient.Rop(o, self.inputs, self._ev) for o in self.outputs]

    @staticmethod
    def _overridden(override, args, n, what, default):
        """The override's results: a callable (a function, or an OpFromGraph
        over the inputs followed by the other arguments, as Theano's), or a
        list with one entry per result: a callable giving that one, 'default'
        for the derived one, or a variable (a NullType or DisconnectedType
        value too)."""
        def call(f):
            if isinstance(f, OpFromGraph):
                out = f(*[v for group in args for v in group])
                return list(out) if isinstance(out, (list, tuple)) else [out]
            out = f(*args)
            return list(out) if isinstance(out, (list, tuple)) else [out]
        if callable(override):
            results = call(override)
        elif isinstance(override, (list, tuple)):
            derived = None
            results = []
            for k, entry in enumerate(override):
                if isinstance(entry, str) and entry == "default":
                    derived = default() if derived is None else derived
                    results.append(derived[k])
                elif callable(entry) and not isinstance(entry, B.TensorVariable):
                    got = call(entry)
                    if len(got) != 1:
                        raise ValueError("OpFromGraph: %s entry %d gave %d results, expected 1" % (what, k, len(got)))
                    results.append(got[0])
                else:
                    results.append(entry)
        else:
            raise TypeError("OpFromGraph: %s must be 'default', a callable or a list, got %r" % (what, override))
        if len(results) != n:
            raise ValueError("OpFromGraph: %s gave %d results for %d %s"
                             % (what, len(results), n, "outputs" if what == "rop_overrides" else "inputs"))
        from ..gradient import DisconnectedType, NullType
        like = args[0] if what != "rop_overrides" else None
        out = []
        for k, r in enumerate(results):
            if r is None or isinstance(getattr(r, "type", None), DisconnectedType):
                out.append(None)  # no gradient: disconnected
            elif isinstance(getattr(r, "type", None), NullType):
                if like is None:
                    raise TypeError("OpFromGraph: %s entry %d is a NullType value; give None for no R-op" % (what, k))
                out.append(_core.null_grad(like[k], "the OpFromGraph override says the gradient of input %d does "
                                                    "not exist: %s" % (k, r.type.why_null)))
            else:
                out.append(B.as_tensor_variable(r))
        return out

    def __call__(self, *args):
        if len(args) != len(self.inputs):
            raise TypeError("%s takes %d inputs, got %d" % (self.name, len(self.inputs), len(args)))
        args = [B.as_tensor_variable(a) for a in args]
        if self.inline and not self._grads and not self._rops and self._connection_pattern is None:
            outs = list(_core.clone_replace(self.outputs, list(zip(self.inputs, args))))
        else:
            outs = list(_core.apply_graph_op(self.inputs, self.outputs, self._g, self._grads, self._ev, self._rops,
                                             self.name, args, self._connection_pattern or []))
        return outs[0] if len(outs) == 1 else outs

    @property
    def shared_inputs(self):
        """The shared variables the graph reads (Theano's implicit inputs of
        the op; theon's node reads them as they are, not as inputs)."""
        return [v for v in _core.graph_inputs(self.outputs) if isinstance(v, _core.TensorSharedVariable)]

    def connection_pattern(self, node=None):
        """Per input, then per shared variable the graph reads (Theano's
        implicit inputs), per output: whether the output depends on it
        differentiably (the given pattern for the inputs, else the graph's)."""
        shared = self.shared_inputs
        rows = [list(row) for row in _core.io_connection_pattern(self.inputs + shared, self.outputs)]
        if self._connection_pattern is not None:
            rows[:len(self.inputs)] = [list(row) for row in self._connection_pattern]
        return rows

    def __str__(self):
        return self.name
