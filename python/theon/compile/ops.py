"""theano.compile.ops: the op classes Theano inserted around a function's
outputs. theon copies an output that would alias an input or another output
outside the graph (docs/dev/pipeline.md), so no node of the graph is a
DeepCopyOp or ViewOp: isinstance checks with them find none."""
from ..tensor.graph_api import Op, _op_class

def _deep_copy():
    def copy(x):  # theon.tensor is complete by the time a copy is built
        from ..tensor.extra_ops import tensor_copy
        return tensor_copy(x)
    return copy


# DeepCopyOp()(x) is a copy of x (tensor_copy); no node of a compiled graph is one.
DeepCopyOp = _op_class("DeepCopyOp", [], Op, make=_deep_copy)
deep_copy_op = DeepCopyOp()
ViewOp = _op_class("ViewOp", [], Op, hint="theon.tensor's functions return views where NumPy does")
OutputGuard = _op_class("OutputGuard", [], Op, hint="theon protects outputs outside the graph")


class FromFunctionOp(Op):
    """The op as_op makes: fn computes the outputs from the inputs' arrays."""
    __props__ = ("fn", "itypes", "otypes")

    def __init__(self, fn, itypes, otypes, infer_shape):
        self.fn, self.itypes, self.otypes, self._shape_fn = fn, tuple(itypes), tuple(otypes), infer_shape
        self.__name__ = getattr(fn, "__name__", "FromFunctionOp")

    def infer_shape(self, node, input_shapes):
        if self._shape_fn is None:
            raise NotImplementedError("no infer_shape given to as_op: the shape comes from running the op")
        return self._shape_fn(node, input_shapes)

    def __str__(self):
        return "FromFunctionOp{%s}" % self.__name__

    def make_node(self, *inputs):
        from ..tensor.basic import Apply, as_tensor_variable
        if len(inputs) != len(self.itypes):
            raise TypeError("%s takes %d inputs, got %d" % (self, len(self.itypes), len(inputs)))
        inputs = [as_tensor_variable(x) for x in inputs]
        for i, (x, t) in enumerate(zip(inputs, self.itypes)):
            if x.type != t:
                raise TypeError("%s: input %d is %s where %s was declared" % (self, i, x.type, t))
        return Apply(self, inputs, [t() for t in self.otypes])

    def perform(self, node, inputs, outputs):
        results = self.fn(*inputs)
        if len(self.otypes) == 1:
            results = [results]
        if len(results) != len(self.otypes):
            raise ValueError("%s returned %d outputs where %d were declared" % (self, len(results), len(self.otypes)))
        for cell, r in zip(outputs, results):
            cell[0] = r


def as_op(itypes, otypes, infer_shape=None):
    """Theano's decorator: a Python function of NumPy arrays as an op.

    ``@as_op(itypes=[T.dmatrix], otypes=[T.dvector])`` over ``def f(a): ...``
    makes ``f(x)`` a graph node that calls ``f`` when the function runs.
    ``infer_shape(node, input_shapes)`` gives the output shapes without
    running it. The op has no gradient (grad() raises if one is needed)."""
    itypes, otypes = list(itypes), list(otypes)
    if infer_shape is not None and not callable(infer_shape):
        raise TypeError("as_op: infer_shape must be callable")

    def decorate(fn):
        op = FromFunctionOp(fn, itypes, otypes, infer_shape)
        try:
            op.__doc__ = fn.__doc__
        except AttributeError:
            pass
        return op
    return decorate
