"""theano.tensor.subtensor: the indexing op classes and functions, and
get_canonical_form_slice. The module is also theon's T.subtensor(x, index)
function: calling it indexes (Theano code reads the module, theon code calls
the function)."""
import sys
import types

from . import basic as _b
from .basic import inc_subtensor, set_subtensor  # noqa: F401
from .graph_api import (advanced_subtensor, advanced_subtensor1, advanced_inc_subtensor,  # noqa: F401
                        advanced_inc_subtensor1, advanced_set_subtensor, advanced_set_subtensor1)
from .graph_api import (Subtensor, IncSubtensor, AdvancedSubtensor, AdvancedSubtensor1,  # noqa: F401
                        AdvancedIncSubtensor, AdvancedIncSubtensor1, AdvancedBooleanSubtensor,
                        AdvancedBooleanIncSubtensor, BaseAdvancedSubtensor, BaseAdvancedIncSubtensor)


def _int64(v):
    return _b.cast(_b.as_tensor_variable(v), "int64")


def get_canonical_form_slice(theslice, length):
    """(canonical, direction) such that x[canonical][::direction] is x[theslice]
    for an axis of `length` (symbolic or not): canonical is a slice with a
    positive step and bounds in [0, length]; direction is 1 or -1. An integer
    index gives (the index wrapped into [0, length), 1)."""
    L = _int64(length)
    if not isinstance(theslice, slice):
        i = _int64(theslice)
        return _b.switch(_b.lt(i, 0), i + L, i), 1
    step = 1 if theslice.step is None else theslice.step
    if isinstance(step, int) and step == 0:
        raise ValueError("get_canonical_form_slice: slice step cannot be zero")
    s = _int64(step)
    zero, one, minus1 = _int64(0), _int64(1), _int64(-1)

    def clip(v, default, lo, hi):
        if v is None:
            return default
        v = _int64(v)
        return _b.switch(_b.lt(v, 0), _b.maximum(v + L, lo), _b.minimum(v, hi))

    # step > 0: NumPy's bounds in [0, L]
    a_pos, b_pos = clip(theslice.start, zero, zero, L), clip(theslice.stop, L, zero, L)
    if isinstance(step, int) and step > 0:
        return slice(a_pos, b_pos, s), 1
    # step < 0: first index a in [-1, L - 1], exclusive end b in [-1, L - 1]
    a_neg, b_neg = clip(theslice.start, L - 1, minus1, L - 1), clip(theslice.stop, minus1, minus1, L - 1)
    n = _b.switch(_b.gt(a_neg, b_neg), (a_neg - b_neg - 1) // (-s) + 1, zero)  # elements taken
    some = _b.gt(n, 0)
    lo = a_neg + s * (n - 1)  # the last element taken: the canonical slice's start
    neg = (_b.switch(some, lo, zero), _b.switch(some, a_neg + 1, zero), _b.switch(some, -s, one))
    if isinstance(step, int):  # step < 0
        return slice(*neg), -1
    pos = _b.gt(s, 0)
    return (slice(_b.switch(pos, a_pos, neg[0]), _b.switch(pos, b_pos, neg[1]), _b.switch(pos, s, neg[2])),
            _b.switch(pos, one, minus1))


class _IndexingModule(types.ModuleType):
    def __call__(self, x, index):
        return _b.subtensor(x, index)


sys.modules[__name__].__class__ = _IndexingModule
