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
