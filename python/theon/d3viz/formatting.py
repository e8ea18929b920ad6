"""theano.d3viz.formatting: PyDotFormatter (a pydot graph of a function, as
pydotprint draws it) and Theano's pydot_imported flags."""
from .. import printing as _printing


def __getattr__(name):
    if name in ("pydot_imported", "pydot_imported_msg"):
        return getattr(_printing, name)
    raise AttributeError("module %r has no attribute %r" % (__name__, name))


class PyDotFormatter(object):
    """Makes the ``pydot.Dot`` of a compiled function, a variable or a list
    of variables, with pydotprint's drawing (needs pydot and Graphviz)."""

    def __init__(self, compact=True):
        self.compact = compact

    def __call__(self, fct, graph=None):
        pd, why = _printing._find_pydot()
        if pd is None:
            raise ImportError("PyDotFormatter needs pydot and Graphviz: %s" % (why,))
        return _printing._pydot_graph(pd, _printing._graph_model(fct, compact=self.compact))
