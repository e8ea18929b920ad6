"""theano.gof.fg: FunctionGraph, a graph between given inputs and outputs."""
from .._errors import MissingInputError  # noqa: F401
from . import graph as _graph


class FunctionGraph(object):
    """The graph from `inputs` to `outputs` (a copy unless clone=False), with
    Theano's queries: toposort(), apply_nodes, variables, clients(v).
    A root the outputs need that is neither an input nor a constant or shared
    variable is a MissingInputError."""

    def __init__(self, inputs, outputs, features=None, clone=True, update_mapping=None):
        inputs, outputs = list(inputs), list(outputs)
        if clone:
            inputs, outputs = _graph.clone(inputs, outputs)
        self.inputs, self.outputs = inputs, outputs
        self.update_mapping = update_mapping
        given = set(inputs)
        for v in _graph.inputs(outputs):
            if v not in given and not _is_value(v):
                raise MissingInputError("FunctionGraph: the outputs need %s, which is not among the inputs" % (v,))

    def toposort(self):
        return _graph.io_toposort(self.inputs, self.outputs)

    @property
    def apply_nodes(self):
        return set(self.toposort())

    @property
    def variables(self):
        return _graph.variables(self.inputs, self.outputs)

    def clients(self, var):
        """(node, input index) for every node reading `var`; ('output', k) for the outputs."""
        out = [(n, k) for n in self.toposort() for k, i in enumerate(n.inputs) if i is var or i == var]
        out += [("output", k) for k, o in enumerate(self.outputs) if o is var]
        return out

    def __str__(self):
        return "FunctionGraph(%s)" % ", ".join(str(o) for o in self.outputs)


def _is_value(v):
    from ..tensor import basic as _b
    return isinstance(v, (_b.TensorConstant, _b.TensorSharedVariable))
