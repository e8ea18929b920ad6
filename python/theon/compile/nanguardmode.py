"""theano.compile.nanguardmode: NanGuardMode, a mode whose functions raise
when a value they read or compute holds a NaN, an infinity or a big value
(magnitude above 1e10)."""
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


class NanGuardMode(Mode):
    """A Mode (Theano's NanGuardMode): each call of a function compiled with
    it checks its inputs (arguments and the shared values the graph reads)
    before running, and its outputs and new shared values after, and raises
    an AssertionError naming the first one holding a NaN (nan_is_error), an
    infinity (inf_is_error) or a magnitude above 1e10 (big_is_error). The
    defaults come from config.NanGuardMode. Values inside the graph are not
    checked: theon's fused kernels never store most of them."""

    def __init__(self, nan_is_error=None, inf_is_error=None, big_is_error=None, optimizer="default", linker=None,
                 **kwargs):
        super().__init__(linker=linker, optimizer=optimizer, **kwargs)
        self.nan_is_error = config.NanGuardMode.nan_is_error if nan_is_error is None else bool(nan_is_error)
        self.inf_is_error = config.NanGuardMode.inf_is_error if inf_is_error is None else bool(inf_is_error)
        self.big_is_error = config.NanGuardMode.big_is_error if big_is_error is None else bool(big_is_error)

    def _with(self, **kw):
        m = super()._with(**kw)
        out = NanGuardMode(self.nan_is_error, self.inf_is_error, self.big_is_error, m.optimizer, m.linker)
        out._including, out._excluding, out._requiring = m._including, m._excluding, m._requiring
        return out

    def check(self, what, value):
        problem = _problem(value, self.nan_is_error, self.inf_is_error, self.big_is_error)
        if problem is not None:
            msg = "NanGuardMode found a %s in %s" % (problem, what)
            _logger.error(msg)
            raise AssertionError(msg)

    def __repr__(self):
        return "NanGuardMode(nan_is_error=%r, inf_is_error=%r, big_is_error=%r, optimizer=%r)" % (
            self.nan_is_error, self.inf_is_error, self.big_is_error, self.optimizer)


def guarded_call(fn, mode, args, kwargs):
    """fn(*args, **kwargs) with mode's checks before and after."""
    for k, a in enumerate(args):
        mode.check("input %d (%s) of %s" % (k, fn._argname(k), fn.name), a)
    for key, a in kwargs.items():
        mode.check("input %r of %s" % (key, fn.name), a)
    for s in fn._guarded_shared:
        mode.check("the shared variable %s read by %s" % (s.name or s, fn.name), s.get_value(borrow=True))
    out = fn._unguarded_call(*args, **kwargs)
    outs = out.values() if isinstance(out, dict) else out if isinstance(out, (list, tuple)) else [out]
    for k, o in enumerate(outs):
        mode.check("output %d of %s" % (k, fn.name), o)
    for s in fn._guarded_shared:
        mode.check("the new value of the shared variable %s after %s" % (s.name or s, fn.name),
                   s.get_value(borrow=True))
    return out


def shared_inputs(outputs):
    """The shared variables a graph reads."""
    return [v for v in _core.graph_inputs(outputs) if isinstance(v, _core.TensorSharedVariable)]
