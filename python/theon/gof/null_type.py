"""theano.gof.null_type: the type of a gradient that does not exist."""
import numpy as np

from .. import _core


class NullType(object):
    """NullType(why_null)(): a variable standing for an undefined gradient
    (theon's null gradient: grad() raises NullTypeGradError naming `why_null`
    when it reaches a variable asked about)."""

    def __init__(self, why_null="(no explanation given)"):
        self.why_null = why_null

    def __call__(self, name=None):
        from ..tensor.basic import constant
        v = _core.null_grad(constant(np.zeros((), dtype="float64")), self.why_null)
        if name is not None:
            v.name = name
        return v

    def filter(self, data, strict=False, allow_downcast=None):
        raise ValueError("No values may be assigned to a NullType")

    def __eq__(self, other):
        return type(self) is type(other)

    def __hash__(self):
        return hash(type(self))

    def __str__(self):
        return "NullType"
