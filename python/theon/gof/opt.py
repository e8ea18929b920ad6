"""theano.gof.opt: Theano's optimizer objects over theon's rewriter.

theon's rewrites are C++ rules chosen by name or tag (docs/rewrites.md). A
Theano local optimizer here names the theon rules it stands for
(`TheonRule`), or says that theon has none (`MissingRewrite`, which raises
NotImplementedError when used). `out2in(...)`, `in2out(...)` and
`TopoOptimizer(...)` apply those rules to a FunctionGraph with theon's engine,
which runs them to a fixed point (Theano's navigators made one sweep; a rule
that still applies after one sweep would have fired again on Theano's next
phase). check_stack_trace checks that rewritten nodes still name the user's
line, which theon records on every node (Apply.site)."""
from .. import _core


class LocalOptimizer(object):
    """Theano's local optimizer: a rewrite that looks at one node at a time."""

    name = None

    def theon_rules(self):
        """The names of theon's rules this rewrite stands for."""
        raise NotImplementedError

    def transform(self, node):
        """The replacements for node's outputs, or False when it does not apply."""
        raise NotImplementedError

    def __str__(self):
        return self.name or type(self).__name__

    __repr__ = __str__


class TheonRule(LocalOptimizer):
    """Theano's local rewrite `name`, done by theon's rules `rules`."""

    def __init__(self, name, *rules):
        self.name = name
        self.__name__ = name
        self.rules = tuple(rules)

    def theon_rules(self):
        return self.rules

    def transform(self, node):
        """Runs the rules on a copy of the graph above `node`; the
        replacements read node's own inputs, the graph is left unchanged."""
        from . import graph as _graph
        from ..tensor.basic import TensorConstant
        outputs = list(node.outputs)
        roots = [v for v in _graph.inputs(outputs) if not isinstance(v, TensorConstant) and v.owner is None]
        fresh, copies = _graph.clone(roots, outputs)
        new, fired = _core.rewrite_fgraph(fresh, copies, "none", list(self.rules), [], [])
        if not fired:
            return False
        return list(_core.clone_replace(list(new), list(zip(fresh, roots))))


class MissingRewrite(LocalOptimizer):
    """A Theano rewrite theon has no counterpart for: using it raises."""

    def __init__(self, name, why):
        self.name = name
        self.__name__ = name
        self.why = why

    def _missing(self):
        raise NotImplementedError("Theano's rewrite %s has no counterpart in theon: %s "
                                  "(theon.compile.mode.list_rewrites() lists theon's rules)" % (self.name, self.why))

    def theon_rules(self):
        self._missing()

    def transform(self, node):
        self._missing()


class FromFunctionOptimizer(LocalOptimizer):
    """A local optimizer written in Python (gof.local_optimizer): `transform`
    calls the function; theon's C++ engine cannot run it inside a graph."""

    def __init__(self, fn, tracks=None):
        self.fn = fn
        self.name = self.__name__ = getattr(fn, "__name__", "local_optimizer")
        self._tracks = tracks

    def tracks(self):
        return self._tracks

    def theon_rules(self):
        raise NotImplementedError("%s is a Python local optimizer; theon's rewriter runs only its C++ rules, so "
                                  "it cannot apply %s to a graph (call its transform(node) instead)"
                                  % (self.name, self.name))

    def transform(self, node):
        return self.fn(node)

    def __call__(self, node):
        return self.fn(node)


def local_optimizer(tracks, inplace=False, requirements=()):
    """Decorator: a Python function of a node becomes a local optimizer."""
    def wrap(fn):
        return FromFunctionOptimizer(fn, tracks)
    return wrap


class LocalOptGroup(LocalOptimizer):
    """Several local rewrites tried together."""

    def __init__(self, *optimizers, **kwargs):
        if len(optimizers) == 1 and isinstance(optimizers[0], (list, tuple)):
            optimizers = tuple(optimizers[0])
        self.opts = optimizers
        self.name = kwargs.get("name") or "LocalOptGroup(%s)" % ",".join(str(o) for o in optimizers)

    def theon_rules(self):
        return tuple(r for o in self.opts for r in o.theon_rules())

    def transform(self, node):
        for o in self.opts:
            repl = o.transform(node)
            if repl:
                return repl
        return False


class Optimizer(object):
    """Theano's global optimizer: optimize(fgraph) rewrites it in place."""

    def optimize(self, fgraph, *args, **kwargs):
        return self.apply(fgraph)

    def apply(self, fgraph):
        raise NotImplementedError


class TopoOptimizer(Optimizer):
    """Applies a local rewrite (or group) over a whole FunctionGraph."""

    def __init__(self, local_opt, order="in_to_out", ignore_newtrees=False, failure_callback=None, name=None):
        if order not in ("in_to_out", "out_to_in"):
            raise ValueError("TopoOptimizer: order must be 'in_to_out' or 'out_to_in', got %r" % (order,))
        self.local_opt, self.order = local_opt, order
        self.name = name or str(local_opt)

    def theon_rules(self):
        return self.local_opt.theon_rules()

    def apply(self, fgraph):
        return rewrite_fgraph(fgraph, "none", including=self.theon_rules())

    def __str__(self):
        return self.name


def _group(local_opts, kwargs):
    name = kwargs.pop("name", None)
    opt = local_opts[0] if len(local_opts) == 1 else LocalOptGroup(*local_opts)
    return opt, name


def out2in(*local_opts, **kwargs):
    """Theano's out2in: the rewrites applied over a graph (outputs first)."""
    opt, name = _group(local_opts, kwargs)
    return TopoOptimizer(opt, order="out_to_in", name=name)


def in2out(*local_opts, **kwargs):
    """Theano's in2out: the rewrites applied over a graph (inputs first)."""
    opt, name = _group(local_opts, kwargs)
    return TopoOptimizer(opt, order="in_to_out", name=name)


def rewrite_fgraph(fgraph, level, including=(), excluding=(), requiring=()):
    """Runs theon's rewriter over `fgraph` (a gof.FunctionGraph) in place and
    returns the rules that fired ({name: times})."""
    outputs, fired = _core.rewrite_fgraph(list(fgraph.inputs), list(fgraph.outputs), level, list(including),
                                          list(excluding), list(requiring))
    fgraph.outputs[:] = list(outputs)
    return fired


def check_stack_trace(f_or_fgraph, ops_to_check="last", bug_print="raise"):
    """True when every node selected by `ops_to_check` knows the user's line
    it came from: 'last' (the nodes computing the outputs), 'all', an op class
    or tuple of classes (isinstance), a list of op instances, or a predicate."""
    fgraph = f_or_fgraph.maker.fgraph if hasattr(f_or_fgraph, "maker") else f_or_fgraph
    nodes = list(fgraph.toposort())
    if ops_to_check == "last":
        owners = {id(o.owner) for o in fgraph.outputs if o.owner is not None}
        chosen = [n for n in nodes if id(n) in owners]
    elif ops_to_check == "all":
        chosen = nodes
    elif isinstance(ops_to_check, type) or (isinstance(ops_to_check, tuple)
                                             and all(isinstance(c, type) for c in ops_to_check)):
        chosen = [n for n in nodes if isinstance(n.op, ops_to_check)]
    elif isinstance(ops_to_check, list):
        chosen = [n for n in nodes if any(n.op == op for op in ops_to_check)]
    elif callable(ops_to_check):
        chosen = [n for n in nodes if ops_to_check(n.op)]
    else:
        raise ValueError("check_stack_trace: ops_to_check must be 'last', 'all', op classes, ops or a function, "
                         "got %r" % (ops_to_check,))
    return all(n.site[0] for n in chosen)
