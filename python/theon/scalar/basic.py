"""theano.scalar.basic: the module Theano's scalar types and ops lived in;
the same names as theon.scalar, and the NumPy helpers Theano's tests used.

theon's scalar functions are rows of its C++ scalar table. Theano's base
classes for scalar ops written in Python (UnaryScalarOp, BinaryScalarOp)
exist so that code subclassing them imports, but constructing one raises
NotImplementedError: theon's kernels and code generator know only the
table's functions."""
import numpy as _np

from .. import scalar as _scalar

globals().update({k: v for k, v in vars(_scalar).items() if not k.startswith("__")})


def round_half_away_from_zero_vec(a):
    """NumPy's reference for round_half_away_from_zero: halves go away from zero."""
    a = _np.asarray(a)
    return _np.where(a >= 0, _np.floor(a + 0.5), _np.ceil(a - 0.5)).astype(a.dtype)


class _PythonScalarOp(object):
    nin = -1

    def __init__(self, *args, **kwargs):
        raise NotImplementedError(
            "%s: theon's scalar functions are the rows of its C++ scalar table (docs/dev/pipeline.md, "
            "'Adding an elementwise function'); a scalar op written in Python cannot be compiled"
            % type(self).__name__)


class UnaryScalarOp(_PythonScalarOp):
    nin = 1


class BinaryScalarOp(_PythonScalarOp):
    nin = 2
