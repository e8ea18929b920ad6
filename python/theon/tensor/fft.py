"""theano.tensor.fft: real-input FFTs over all but the first (batch) axis,
with complex values stored as a last axis of length 2 (real, imaginary), as
Theano's rfft and irfft.

Each axis is transformed by a product with its DFT matrix (cosines and sines
of 2*pi*(f*t mod n)/n, built in float64 from the symbolic lengths), so the
transforms accept any lengths, their gradients are those of the products,
and they cost O(n) per output value along each axis (NumPy's FFT is
O(log n)): suited to the moderate lengths Theano's users transformed."""
import numpy as np

from ..configparser import config
from . import basic as _b
from .graph_api import Op, _op_class, _with_attrs

_as = _b.as_tensor_variable


def _unitary(norm):
    if norm not in (None, "ortho", "no_norm"):
        raise ValueError("fft: invalid value %r for norm, must be None, 'ortho' or 'no_norm'" % (norm,))
    return norm


def _float(x):
    return x if x.dtype.startswith("float") else _b.cast(x, config.floatX)


def _along(x, m, axis):
    """x's axis contracted with the first axis of the matrix m; the result's
    new axis (m's second) takes its place."""
    y = _b.tensordot(x, m, axes=[[axis], [0]])  # the new axis comes last
    order = list(range(x.ndim - 1))
    order.insert(axis, x.ndim - 1)
    return y.dimshuffle(order)


def _dft(rows, n, cols, dtype, limit=None):
    """cos and sin of 2*pi*(r*c mod n)/n for r < rows (zero rows from `limit`,
    default n, on: the input cropped) and c < cols, in `dtype`."""
    r = _b.arange(rows, dtype="int64")
    c = _b.arange(cols, dtype="int64")
    rc = _b.mod(r.dimshuffle(0, "x") * c.dimshuffle("x", 0), _b.maximum(n, 1))
    angle = _b.cast(rc, "float64") * (2 * np.pi / _b.cast(n, "float64"))
    keep = _b.cast(_b.lt(r, n if limit is None else limit), "float64").dimshuffle(0, "x")
    return _b.cast(_b.cos(angle) * keep, dtype), _b.cast(_b.sin(angle) * keep, dtype)


def _lengths(s, k, fn):
    s = _as(s)
    if not _b._is_int(s) or s.ndim != 1:
        raise TypeError("%s: the transform lengths must be an integer vector, got %s" % (fn, s.type))
    return [_b.cast(s[i], "int64") for i in range(k)]


def _rfftn(a, s=None):
    """Unnormalized numpy.fft.rfftn over axes 1.., as (..., 2) real pairs."""
    a = _float(_as(a))
    if a.ndim < 2:
        raise TypeError("rfft: input must have 2 or more dimensions, the first of batches, got %s" % (a.type,))
    k = a.ndim - 1
    n = [a.shape[d] for d in range(1, a.ndim)] if s is None else _lengths(s, k, "rfft")
    last = a.ndim - 1
    cos, sin = _dft(a.shape[last], n[-1], n[-1] // 2 + 1, a.dtype)
    re, im = _along(a, cos, last), -_along(a, sin, last)
    for d in range(1, last):  # then complex DFTs along the other axes: (re + i im)(cos - i sin)
        cos, sin = _dft(a.shape[d], n[d - 1], n[d - 1], a.dtype)
        re, im = _along(re, cos, d) + _along(im, sin, d), _along(im, cos, d) - _along(re, sin, d)
    return _b.stack([re, im], axis=re.ndim)


def _irfftn(a, s=None):
    """numpy.fft.irfftn over axes 1..ndim-2 of the (..., 2) real pairs,
    without its 1/prod(s) normalization."""
    a = _float(_as(a))
    if a.ndim < 3:
        raise TypeError("irfft: input must have 3 or more dimensions, the first of batches and the last of "
                        "(real, imaginary) pairs, got %s" % (a.type,))
    k = a.ndim - 2
    if s is None:
        n = [a.shape[d] for d in range(1, a.ndim - 2)] + [(a.shape[a.ndim - 2] - 1) * 2]
    else:
        n = _lengths(s, k, "irfft")
    re, im = a[..., 0], a[..., 1]
    last = re.ndim - 1
    for d in range(1, last):  # complex inverse DFTs first: (re + i im)(cos + i sin)
        cos, sin = _dft(re.shape[d], n[d - 1], n[d - 1], re.dtype)
        re, im = _along(re, cos, d) - _along(im, sin, d), _along(re, sin, d) + _along(im, cos, d)
    # The real inverse along the last axis uses X[0 .. n//2]: the other half
    # is their conjugate, so the middle terms count twice, and the imaginary
    # parts of X[0] and (n even) X[n/2] do not count.
    m = n[-1]
    cos, sin = _dft(re.shape[last], m, m, re.dtype, limit=m // 2 + 1)
    f = _b.arange(re.shape[last], dtype="int64")
    once = _b.or_(_b.eq(f, 0), _b.eq(f * 2, m))
    w = _b.cast(_b.switch(once, 1, 2), re.dtype).dimshuffle(0, "x")
    return _along(re, cos * w, last) - _along(im, sin * w, last)


def rfft(inp, norm=None):
    """The FFT of the real (m, ..., n) input over all axes but the first:
    an (m, ..., n//2+1, 2) tensor of the non-redundant (real, imaginary)
    parts. norm: None (unnormalized, as NumPy), 'ortho' (divided by the
    square root of the transform size) or 'no_norm'."""
    norm = _unitary(norm)
    inp = _float(_as(inp))
    out = _rfftn(inp)
    if norm == "ortho":
        size = _b.prod(_b.stack([inp.shape[d] for d in range(1, inp.ndim)]))
        out = out / _b.sqrt(_b.cast(size, inp.dtype))
    return out


def irfft(inp, norm=None, is_odd=False):
    """The inverse of rfft: (m, ..., n//2+1, 2) pairs to the real
    (m, ..., n), n = 2*(n//2) or 2*(n//2)+1 when is_odd. norm: None (divided
    by the transform size, as NumPy), 'ortho' (by its square root) or
    'no_norm'."""
    norm = _unitary(norm)
    if is_odd not in (True, False):
        raise ValueError("irfft: invalid value %r for is_odd, must be True or False" % (is_odd,))
    inp = _float(_as(inp))
    if inp.ndim < 3:
        raise TypeError("irfft: input must have 3 or more dimensions, the first of batches and the last of "
                        "(real, imaginary) pairs, got %s" % (inp.type,))
    half = inp.shape[inp.ndim - 2]
    s = [inp.shape[d] for d in range(1, inp.ndim - 2)] + [(half - 1) * 2 + (1 if is_odd else 0)]
    out = _irfftn(inp, _b.stack(s))
    if norm != "no_norm":
        size = _b.cast(_b.prod(_b.stack(s)), inp.dtype)
        out = out / (size if norm is None else _b.sqrt(size))
    return out


# Theano's op classes: RFFTOp()(a, s) is the unnormalized rfftn with
# transform lengths s (default: a's), IRFFTOp()(a, s) the inverse times prod(s).
RFFTOp = _op_class("RFFTOp", [], Op, make=lambda: _with_attrs(_rfftn))
IRFFTOp = _op_class("IRFFTOp", [], Op, make=lambda: _with_attrs(_irfftn))
rfft_op = RFFTOp()
irfft_op = IRFFTOp()

__all__ = ["rfft", "irfft"]
