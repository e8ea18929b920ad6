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
        self._features = []
        for f in features or ():
            self.attach_feature(f)
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

    def attach_feature(self, feature):
        """Adds a feature (Theano's toolbox.Feature): it is told on_attach(fgraph)."""
        if feature in self._features:
            return
        self._features.append(feature)
        if hasattr(feature, "on_attach"):
            feature.on_attach(self)

    def remove_feature(self, feature):
        if feature in self._features:
            self._features.remove(feature)
            if hasattr(feature, "on_detach"):
                feature.on_detach(self)

    def __str__(self):
        """Theano's text: "[Elemwise{add,no_inplace}(x, y)]"."""
        return "[%s]" % ", ".join(_graph.as_string(self.inputs, self.outputs))

    __repr__ = __str__


def _is_value(v):
    from ..tensor import basic as _b
    return isinstance(v, (_b.TensorConstant, _b.TensorSharedVariable))
