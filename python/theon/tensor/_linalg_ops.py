"""The Linalg op from Python: one node per call of theon's C++ linalg
functions (the function is a parameter of one op kind, ``op.linalg['fn']``),
and Theano's op classes that match them. theon.tensor.nlinalg and
theon.tensor.slinalg are built on this."""
from .. import _core
from . import basic as _b
from .graph_api import _op_class

_as = _b.as_tensor_variable

# Theano's op classes by the C++ function they stand for (the enum's spelling
# in include/theon/linalg.hpp's THEON_LINALG_FNS), with extra conditions on
# the op's parameters where one function serves several classes.
_CLASS_FNS = {}


def linalg(fn, *inputs, **params):
    """The outputs (a list) of one Linalg node computing `fn` of the inputs."""
    return _core.linalg(fn, [_as(x) for x in inputs], **params)


def linalg_fn(var):
    """The linalg function computing var ("Cholesky", ...), or None."""
    owner = var.owner
    if owner is None or owner.op.kind != "Linalg":
        return None
    return owner.op.linalg["fn"]


def op_class(name, fn, make=None, when=None, hint=None, base=None):
    """Theano's op class `name`, matching theon's Linalg nodes of function `fn`
    (and, through isinstance, those of its subclasses: Theano's Eigh is an Eig)."""
    def matches(op):
        p = op.linalg
        return p is not None and p["fn"] == fn and (when is None or when(p))
    return _op_class(name, ["Linalg"], base=base, make=make, when=matches, hint=hint)


class _Builder:
    """Calls build(*inputs); carries Theano's op attributes (op.lower, ...)."""

    def __init__(self, build, **attrs):
        self._fn = build
        self.attrs = attrs

    def __call__(self, *inputs, **kwargs):
        return self._fn(*inputs, **kwargs)


def one_or_list(outs):
    return outs[0] if len(outs) == 1 else list(outs)
