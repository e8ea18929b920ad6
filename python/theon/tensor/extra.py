"""Theano tensor functions built from theon's ops: their gradients and R-ops
come from the ops they are made of. Each has a row in the conformance table
(tests/python/conformance.py)."""
import builtins

import numpy as np

from . import basic as _b

_as = _b.as_tensor_variable

# ---- dtype lists and scalar-type tuples (theano.tensor.basic) -----------------------

int_dtypes = ["int8", "int16", "int32", "int64"]
uint_dtypes = ["uint8", "uint16", "uint32", "uint64"]
integer_dtypes = int_dtypes + uint_dtypes
float_dtypes = ["float16", "float32", "float64"]
complex_dtypes = ["complex64", "complex128"]
continuous_dtypes = float_dtypes + complex_dtypes
discrete_dtypes = ["bool"] + integer_dtypes
all_dtypes = discrete_dtypes + continuous_dtypes

int_types = (_b.bscalar, _b.wscalar, _b.iscalar, _b.lscalar)
float_types = (_b.fscalar, _b.dscalar)
complex_types = (_b.cscalar, _b.zscalar)
int_scalar_types, float_scalar_types, complex_scalar_types = int_types, float_types, complex_types
int_vector_types = (_b.bvector, _b.wvector, _b.ivector, _b.lvector)
float_vector_types = (_b.fvector, _b.dvector)
complex_vector_types = (_b.cvector, _b.zvector)
int_matrix_types = (_b.bmatrix, _b.wmatrix, _b.imatrix, _b.lmatrix)
float_matrix_types = (_b.fmatrix, _b.dmatrix)
complex_matrix_types = (_b.cmatrix, _b.zmatrix)

# Theano's default comparison tolerances (config.tensor.cmp_sloppy=0).
float16_atol, float16_rtol = 1e-3, 1e-3
float32_atol, float32_rtol = 1e-5, 1e-5
float64_atol, float64_rtol = 1e-8, 1.0000000000000001e-05

python_all, python_any, python_complex = builtins.all, builtins.any, builtins.complex


# ---- elementwise -------------------------------------------------------------------

def square(x):
    """x * x (Theano's alias of sqr)."""
    return _b.sqr(x)


def power(x, y):
    """x ** y (Theano's alias of pow)."""
    return _b.pow(x, y)


def deg2rad(x):
    """Degrees to radians, in x's float dtype (float64 for integers)."""
    x = _as(x)
    return x * np.asarray(np.pi / 180, dtype=_float_of(x))


def rad2deg(x):
    """Radians to degrees."""
    x = _as(x)
    return x * np.asarray(180 / np.pi, dtype=_float_of(x))


def _float_of(x):
    return x.dtype if x.dtype in ("float32", "float64") else "float64"


def round_half_away_from_zero(x):
    """Round to nearest, halves away from zero (C's round): trunc(x) plus
    sign(x) where ``|x - trunc(x)| >= 0.5``; x - trunc(x) is exact, so no value
    just below a half rounds up."""
    x = _as(x)
    if x.dtype not in ("float32", "float64"):
        return x
    t = _b.trunc(x)
    return t + _b.sgn(x) * _b.cast(_b.ge(_b.abs_(x - t), 0.5), x.dtype)


def iround(x, mode=None):
    """round(x, mode) as int64."""
    return _b.cast(_b.round(x, mode), "int64")


isinf_, isnan_ = _b.isinf, _b.isnan


def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """``|a - b| <= atol + rtol * |b|`` elementwise (NumPy's isclose): infinities
    are close only to themselves; NaNs only when equal_nan."""
    a, b = _as(a), _as(b)
    finite = _b.and_(_b.invert(_b.isinf(a)), _b.invert(_b.isinf(b)))
    close = _b.and_(finite, _b.le(_b.abs_(a - b), atol + rtol * _b.abs_(b)))
    close = _b.or_(close, _b.and_(_b.invert(finite), _b.eq(a, b)))
    if equal_nan:
        close = _b.or_(close, _b.and_(_b.isnan(a), _b.isnan(b)))
    return close


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True when every element of a is close to b (see isclose)."""
    return _b.all(isclose(a, b, rtol, atol, equal_nan))


def where(condition, x=None, y=None):
    """switch(condition, x, y) with broadcasting; where(condition) alone is nonzero()."""
    if x is None and y is None:
        raise NotImplementedError("where(condition) with one argument (nonzero) is not available yet")
    if x is None or y is None:
        raise TypeError("where: give both x and y, or neither")
    return _b.switch(condition, x, y)


def _fold(name, op, args):
    if not args:
        raise TypeError("%s: needs at least one argument" % name)
    out = _as(args[0])
    for a in args[1:]:
        out = op(out, a)
    return out


def largest(*args):
    """The elementwise maximum of the arguments."""
    return _fold("largest", _b.maximum, args)


def smallest(*args):
    """The elementwise minimum of the arguments."""
    return _fold("smallest", _b.minimum, args)


# ---- reductions --------------------------------------------------------------------

def ptp(a, axis=None, keepdims=False):
    """max - min along axis (peak to peak)."""
    return _b.max(a, axis, keepdims) - _b.min(a, axis, keepdims)


# ---- shape ---------------------------------------------------------------------------

def _check_axis(name, axis, ndim):
    if not isinstance(axis, (int, np.integer)) or not -ndim <= axis < ndim:
        raise ValueError("%s: axis %r is out of range for %d dimensions" % (name, axis, ndim))
    return int(axis) % ndim


def shape_padleft(t, n_ones=1):
    """t with n_ones broadcastable dimensions in front."""
    t = _as(t)
    return _b.dimshuffle(t, *(["x"] * n_ones + list(range(t.ndim))))


def shape_padright(t, n_ones=1):
    """t with n_ones broadcastable dimensions at the end."""
    t = _as(t)
    return _b.dimshuffle(t, *(list(range(t.ndim)) + ["x"] * n_ones))


def shape_padaxis(t, axis):
    """t with one broadcastable dimension inserted at axis (negative counts from the end)."""
    t = _as(t)
    axis = _check_axis("shape_padaxis", axis, t.ndim + 1)
    pattern = list(range(t.ndim))
    pattern.insert(axis, "x")
    return _b.dimshuffle(t, *pattern)


def swapaxes(y, axis1, axis2):
    """y with axes axis1 and axis2 exchanged."""
    y = _as(y)
    a1, a2 = _check_axis("swapaxes", axis1, y.ndim), _check_axis("swapaxes", axis2, y.ndim)
    order = list(range(y.ndim))
    order[a1], order[a2] = order[a2], order[a1]
    return _b.transpose(y, order)


def horizontal_stack(*args):
    """Concatenation along the last axis of 1-d, or axis 1 of 2-d, tensors (NumPy's hstack for those)."""
    args = [_as(a) for a in args]
    if any(a.ndim not in (1, 2) for a in args) or len({a.ndim for a in args}) != 1:
        raise TypeError("horizontal_stack: needs tensors that are all 1-d or all 2-d, got %s dimensions"
                        % [a.ndim for a in args])
    return _b.concatenate(args, axis=args[0].ndim - 1)


def vertical_stack(*args):
    """Concatenation of 2-d tensors along axis 0."""
    args = [_as(a) for a in args]
    if any(a.ndim != 2 for a in args):
        raise TypeError("vertical_stack: needs 2-d tensors, got %s dimensions" % [a.ndim for a in args])
    return _b.concatenate(args, axis=0)


def stacklists(arg):
    """A tensor from nested lists of tensors: stacklists([[a, b], [c, d]]) is
    a new leading 2x2 grid of a's shape."""
    if isinstance(arg, (tuple, list)):
        return _b.stack([stacklists(a) for a in arg])
    return _as(arg)


# ---- triangles -----------------------------------------------------------------------

def tri(N, M=None, k=0, dtype=None):
    """An N x M array with ones at and below the k-th diagonal (NumPy's tri)."""
    dtype = _b._floatx(dtype or "floatX")
    M = N if M is None else M
    rows = _b.dimshuffle(_b.arange(N), 0, "x")
    cols = _b.dimshuffle(_b.arange(M), "x", 0)
    return _b.cast(_b.ge(rows + k, cols), dtype)


def _triangle(name, m, k, lower):
    m = _as(m)
    if m.ndim < 2:
        raise ValueError("%s: needs at least 2 dimensions, got %s" % (name, m.type))
    shape = _b.shape(m)
    rows = _b.dimshuffle(_b.arange(shape[m.ndim - 2]), 0, "x")
    cols = _b.dimshuffle(_b.arange(shape[m.ndim - 1]), "x", 0)
    keep = _b.ge(rows + k, cols) if lower else _b.le(rows + k, cols)
    return _b.switch(keep, m, _b.zeros_like(m))


def tril(m, k=0):
    """m with the elements above the k-th diagonal zeroed (last two axes)."""
    return _triangle("tril", m, k, True)


def triu(m, k=0):
    """m with the elements below the k-th diagonal zeroed (last two axes)."""
    return _triangle("triu", m, k, False)



# ---- complex numbers ------------------------------------------------------------------------
# The scalar table's real/imag/conj/angle take complex tensors; for real ones
# these give NumPy's answers without a node where none is needed.

def _is_complex(z):
    return z.dtype.startswith("complex")


def real(z):
    """The real part (z itself for a real tensor)."""
    z = _as(z)
    return _b._core.elemwise("real", [z]) if _is_complex(z) else z


def imag(z):
    """The imaginary part (zeros for a real tensor)."""
    z = _as(z)
    return _b._core.elemwise("imag", [z]) if _is_complex(z) else _b.zeros_like(z)


def conj(z):
    """The complex conjugate (z itself for a real tensor)."""
    z = _as(z)
    return _b._core.elemwise("conj", [z]) if _is_complex(z) else _b.identity(z)  # a node, as Theano's


def angle(z):
    """The argument of z in radians (0 or pi for real z, as NumPy)."""
    z = _as(z)
    if _is_complex(z):
        return _b._core.elemwise("angle", [z])
    return _b.arctan2(_b.zeros_like(z, dtype=_b.true_div(z, 1).dtype), z)


def complex(real, imag):
    """real + 1j * imag: complex64 from float32 (and small ints), else complex128."""
    return _b._core.elemwise("complex", [_as(real), _as(imag)])


def complex_from_polar(abs, angle):
    """abs * exp(1j * angle)."""
    abs, angle = _as(abs), _as(angle)
    return complex(abs * _b.cos(angle), abs * _b.sin(angle))


# Theano's Elemwise op objects (str(T.deg2rad) == 'Elemwise{deg2rad,no_inplace}').
deg2rad, rad2deg, round_half_away_from_zero, conj = (_b._ComposedElemwise(f, 1) for f in (
    deg2rad, rad2deg, round_half_away_from_zero, conj))
complex_from_polar = _b._ComposedElemwise(complex_from_polar, 2)

__all__ = [n for n in dir() if not n.startswith("_") and n not in ("builtins", "np")]
