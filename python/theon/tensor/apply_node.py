"""theano.gof.Apply (theon.Apply): a node of the graph. Nodes of theon's own
ops and of Python ops with tensor outputs are C++ nodes (theon._core.Apply);
a Python op with outputs of other types (gof.Type) makes a Python-side node
of this class."""
import builtins

from .. import _core


def _default_output(node):
    """The output op(*inputs) returns: op.default_output, else the only one."""
    outs = node.outputs
    do = getattr(node.op, "default_output", None)
    if do is None:
        if len(outs) == 1:
            return outs[0]
        raise AttributeError("%s.default_output should be an output index" % (node.op,))
    if not isinstance(do, int) or not 0 <= do < len(outs):
        raise AttributeError("%s.default_output is not an output index" % (node.op,))
    return outs[do]


class _ApplyType(type):
    """isinstance(node, Apply) for theon's nodes (theon._core.Apply) and the
    Python-side nodes of Python ops on non-tensor types."""

    def __instancecheck__(cls, obj):
        return isinstance(obj, _core.Apply) or type.__instancecheck__(cls, obj)

    def __subclasscheck__(cls, sub):
        return issubclass(sub, _core.Apply) or type.__subclasscheck__(cls, sub)


class Apply(metaclass=_ApplyType):
    """A node of the graph: one application of an op to input variables
    (``node.op``, ``node.inputs``, ``node.outputs``, as in Theano).

    ``Apply(op, inputs, outputs)``, as a Python op's ``make_node`` returns it,
    makes the node of that op (a subclass of theano.Op): the outputs give
    their types, and the node has output variables of its own.

    When an output is of a non-tensor type (``Generic``, a user's
    ``theano.gof.type.Type``), the node is a Python object of this class:
    it takes the given output variables (setting their ``owner`` and
    ``index``), and its graph is evaluated in Python (``var.eval()``), not by
    theano.function. A node with tensor outputs takes tensor inputs only."""

    def __new__(cls, op, inputs, outputs):
        if isinstance(op, _core.Op):
            raise TypeError("Apply: theon's own ops make their nodes through theon.tensor's functions")
        if not isinstance(inputs, (list, tuple)) or not isinstance(outputs, (list, tuple)):
            raise TypeError("Apply: inputs and outputs must be lists or tuples")
        from ..gof import graph as _graph
        outputs = list(outputs)
        for i, o in enumerate(outputs):
            if not isinstance(o, _graph.Variable):
                raise TypeError("Apply: output %d of %s must be a tensor variable or a variable of another Type "
                                "(for example x.type()), got %r" % (i, op, o))
        if builtins.all(isinstance(o, _core.TensorVariable) for o in outputs):
            for i in inputs:
                if isinstance(i, _graph.Variable) and not isinstance(i, _core.TensorVariable):
                    raise TypeError("Apply: %s has tensor outputs and an input of the non-tensor type %s (%s): "
                                    "theon's compiled graphs hold tensors only, so a node with tensor outputs "
                                    "takes tensor inputs" % (op, i.type, i))
            from .basic import as_tensor_variable
            return _core.python_apply(op, [as_tensor_variable(i) for i in inputs], outputs)
        # a Python-side node (non-tensor outputs)
        node = object.__new__(cls)
        node.op, node.inputs, node.outputs = op, [], []
        from .methods import Scratchpad
        node.tag = Scratchpad()
        for i in inputs:
            if not isinstance(i, _graph.Variable):
                raise TypeError("Apply: the inputs of %s must be variables, got %r" % (op, i))
            node.inputs.append(i)
        for k, o in enumerate(outputs):
            if isinstance(o, _core.TensorVariable):
                raise TypeError("Apply: %s mixes tensor output %d (%s) with non-tensor outputs: a node's outputs "
                                "are all tensors (a compiled node) or none (a Python-side node)" % (op, k, o.type))
            if o.owner is None:
                o.owner, o.index = node, k
            elif o.owner is not node or o.index != k:
                raise ValueError("Apply: output %d (%s) already belongs to another node" % (k, o))
            node.outputs.append(o)
        return node

    def default_output(self):
        return _default_output(self)

    out = property(_default_output)
    nin = property(lambda self: len(self.inputs))
    nout = property(lambda self: len(self.outputs))

    def get_parents(self):
        return list(self.inputs)

    def clone(self):
        """A copy of the node on the same inputs, with new outputs (the tag copied)."""
        import copy
        cp = Apply(self.op, self.inputs, [o.clone() for o in self.outputs])
        cp.tag = copy.copy(self.tag)
        return cp

    def clone_with_new_inputs(self, inputs, strict=True):
        """The node of the same op on `inputs` (rebuilt by make_node when a type differs)."""
        inputs = list(inputs)
        if strict:
            inputs = [b if a.type == b.type or not hasattr(a.type, "filter_variable") else a.type.filter_variable(b)
                      for a, b in zip(self.inputs, inputs)]
        if builtins.all(a.type == b.type for a, b in zip(self.inputs, inputs)):
            cp = self.clone()
            cp.inputs = inputs
            return cp
        return self.op.make_node(*inputs)

    def __str__(self):
        return "%s(%s)" % (self.op, ", ".join(str(i) for i in self.inputs))

    __repr__ = __str__


# theon's C++ nodes answer the same (node.out, as Theano's tests read it)
_core.Apply.default_output = _default_output
_core.Apply.out = property(_default_output)
