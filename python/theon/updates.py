"""theano.updates: OrderedUpdates, an ordered dict of shared-variable updates."""
import warnings
from collections import OrderedDict

from .compile.sharedvalue import SharedVariable


class OrderedUpdates(OrderedDict):
    """Updates for function(updates=...): keys are shared variables, in the
    order given; adding two merges them (a variable updated twice is a KeyError)."""

    def __init__(self, *key, **kwargs):
        if len(key) >= 1 and isinstance(key[0], dict) and not isinstance(key[0], OrderedDict) and len(key[0]) > 1:
            warnings.warn("Initializing an OrderedUpdates from a non-ordered dictionary with more than one element: "
                          "the order of the updates is arbitrary")
        OrderedDict.__init__(self)
        for k, v in OrderedDict(*key, **kwargs).items():
            self[k] = v

    def __setitem__(self, key, value):
        if not isinstance(key, SharedVariable):
            raise TypeError("OrderedUpdates keys must be shared variables, got %r" % (key,))
        OrderedDict.__setitem__(self, key, value)

    def update(self, other=None):
        if other is None:
            return
        if isinstance(other, dict) and not isinstance(other, OrderedDict) and len(other) > 1:
            warnings.warn("Updating an OrderedUpdates with a non-ordered dictionary with more than one element")
        for key, val in OrderedDict(other).items():
            if key in self:
                if self[key] is val:
                    continue
                raise KeyError("Collision", key)
            self[key] = val

    def __add__(self, other):
        rval = OrderedUpdates()
        rval.update(self)
        rval.update(other)
        return rval

    def __radd__(self, other):
        rval = OrderedUpdates()
        rval.update(other)
        rval.update(self)
        return rval
