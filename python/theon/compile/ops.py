"""theano.compile.ops: the op classes Theano inserted around a function's
outputs. theon copies an output that would alias an input or another output
outside the graph (docs/dev/pipeline.md), so no node of the graph is a
DeepCopyOp or ViewOp: isinstance checks with them find none."""
from ..tensor.graph_api import Op, _op_class

DeepCopyOp = _op_class("DeepCopyOp", [], Op, hint="theon copies aliasing outputs outside the graph")
ViewOp = _op_class("ViewOp", [], Op, hint="theon.tensor's functions return views where NumPy does")
OutputGuard = _op_class("OutputGuard", [], Op, hint="theon protects outputs outside the graph")
