"""theano.gof's linkers: how a FunctionGraph becomes a callable.

theon has one VM and one native tier, chosen by config.native, so every
linker compiles the graph as written (no rewrites, as a Theano linker ran the
graph it was given) on theon's VM: linker.accept(fgraph).make_function()."""


class Linker(object):
    def __init__(self, allow_gc=None, schedule=None):
        self.fgraph = None

    def accept(self, fgraph, no_recycling=None, profile=None):
        """Takes the graph to run; returns self (a copy is the caller's to make)."""
        if self.fgraph is not None and self.fgraph is not fgraph:
            return type(self)().accept(fgraph)
        self.fgraph = fgraph
        return self

    def make_function(self, unpack_single=True, **kwargs):
        """A callable of the graph's inputs returning its outputs (the only one
        when unpack_single and there is one output)."""
        from ..compile import function
        from ..compile.mode import Mode
        if self.fgraph is None:
            raise ValueError("%s.make_function: call accept(fgraph) first" % type(self).__name__)
        outs = list(self.fgraph.outputs)
        fn = function(list(self.fgraph.inputs), outs, mode=Mode(linker=type(self).__name__, optimizer=None),
                      on_unused_input="ignore")
        if unpack_single and len(outs) == 1:
            return lambda *args: fn(*args)[0]
        return fn


class PerformLinker(Linker):
    """Theano's Python-implementation linker."""


class CLinker(Linker):
    """Theano's C linker."""


class OpWiseCLinker(Linker):
    """Theano's per-op C linker."""


class DualLinker(Linker):
    """Theano's linker comparing the Python and C implementations."""


class VM_Linker(Linker):
    """Theano's VM linker."""


class Container(object):
    """One function input's stored value (Theano's gof.link.Container).

    ``storage`` is a one-element list holding the value; ``value`` reads it
    and, when set, checks and converts the new value as a call's argument
    would be. ``f.container[x]`` is input ``x``'s container, and
    ``In(x, value=f.container[x])`` makes another function read and update
    that same value."""

    def __init__(self, type, storage, name=None, filter=None, readonly=False):
        if not isinstance(storage, list) or len(storage) != 1:
            raise TypeError("Container: storage must be a list of one element, got %r" % (storage,))
        self.type = type
        self.storage = storage
        self.name = name
        self.readonly = readonly
        self._filter = filter

    @property
    def value(self):
        return self.storage[0]

    @value.setter
    def value(self, v):
        if self.readonly:
            raise AttributeError("Container %s is read-only" % (self.name,))
        self.storage[0] = None if v is None or self._filter is None else self._filter(v)

    data = value

    def __repr__(self):
        return "<%s>" % (self.storage[0],)
