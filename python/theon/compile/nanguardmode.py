"""theano.compile.nanguardmode: NanGuardMode, a mode whose functions raise
when a value they read or compute holds a NaN, an infinity or a big value
(magnitude above 1e10), naming the first node that produced it."""
import logging

import numpy as np

from .. import _core
from ..configparser import config
from .mode import Mode

_logger = logging.getLogger("theano.compile.nanguardmode")
BIG = 1e10


def _problem(value, nan_is_error, inf_is_error, big_is_error):
    """What is wrong with value ('NaN', 'Inf', 'big value') or None."""
    arr = np.asarray(value)
    if arr.size == 0 or arr.dtype.kind not in "fc":
        return None
    if nan_is_error and np.isnan(arr).any():
        return "NaN"
    if inf_is_error and np.isinf(arr).any():
        return "Inf"
    if big_is_error and np.abs(arr).max() > BIG:
        return "big value"
    return None


def describe_node(node):
    """'Elemwise{log}(x) built at file.py:12': a node as errors name it."""
    try:
        args = ", ".join(i.name or str(i.type) for i in node.inputs)
    except Exception:  # a node of an unusual op: its name is enough
        args = "..."
    f, line = node.site
    return "%s(%s)%s" % (node.op, args, " built at %s:%d" % (f, line) if f else "")


class NanGuardMode(Mode):
    """A Mode (Theano's NanGuardMode): each call of a function compiled with
    it checks its inputs (arguments and the shared values the graph reads),
    the outputs of every node of the compiled graph as it runs, and the
    function's outputs and new shared values, and raises an AssertionError
    naming the first value holding a NaN (nan_is_error), an infinity
    (inf_is_error) or a magnitude above 1e10 (big_is_error): for a node,
    the node, its output and the line that built it. The defaults come from
    config.NanGuardMode. A fused node is one node here: exclude 'fusion'
    to see each elementwise step."""

    def __init__(self, nan_is_error=None, inf_is_error=None, big_is_error=None, optimizer="default", linker=None,
                 **kwargs):
        super().__init__(linker=linker, optimizer=optimizer, **kwargs)
        self.nan_is_error = config.NanGuardMode.nan_is_error if nan_is_error is None else bool(nan_is_error)
        self.inf_is_error = config.NanGuardMode.inf_is_error if inf_is_error is None else bool(inf_is_error)
        self.big_is_error = config.NanGuardMode.big_is_error if big_is_error is None else bool(big_is_error)

    def check(self, what, value):
        problem = _problem(value, self.nan_is_error, self.inf_is_error, self.big_is_error)
        if problem is not None:
            msg = "NanGuardMode found a %s in %s" % (problem, what)
            _logger.error(msg)
            raise AssertionError(msg)

    def _attach(self, fn, compile_graph, outputs, updates):
        fn._guarded_shared = shared_inputs(list(outputs) + [e for _, e in updates] + [sv for sv, _ in updates])

        name = fn.name  # the hook lives in the compiled function: it must not hold fn (a cycle GC cannot see)

        def after_each_node(index, node, inputs, outs, interpreted):
            if outs is not None:
                for j, o in enumerate(outs):
                    self.check("output %d of node %d, %s, in %s" % (j, index, describe_node(node), name), o)
        fn._fn.set_step_hook(after_each_node)
        return True

    def _call(self, fn, args, kwargs):
        for k, a in enumerate(args):
            self.check("input %d (%s) of %s" % (k, fn._argname(k), fn.name), a)
        for key, a in kwargs.items():
            self.check("input %r of %s" % (key, fn.name), a)
        for s in fn._guarded_shared:
            self.check("the shared variable %s read by %s" % (s.name or s, fn.name), s.get_value(borrow=True))
        out = fn._unchecked_call(*args, **kwargs)
        outs = out.values() if isinstance(out, dict) else out if isinstance(out, (list, tuple)) else [out]
        for k, o in enumerate(outs):
            self.check("output %d of %s" % (k, fn.name), o)
        return out

    def __repr__(self):
        return "NanGuardMode(nan_is_error=%r, inf_is_error=%r, big_is_error=%r, optimizer=%r)" % (
            self.nan_is_error, self.inf_is_error, self.big_is_error, self.optimizer)


def shared_inputs(outputs):
    """The shared variables a graph reads."""
    return [v for v in _core.graph_inputs(outputs) if isinstance(v, _core.TensorSharedVariable)]
