"""Sorting (theano.tensor.sort): sort, argsort and topk are C++ ops (stable,
NaN last as NumPy; topk by a partial sort)."""
from .. import _core
from . import basic as _b
import numpy as np
from .opt import Assert as _Assert

_as = _b.as_tensor_variable


def _axis(axis):
    return None if axis is None else _b._axis_int(axis)


def _no_order(fn, order):
    if order is not None:
        raise ValueError("%s: order= sorts structured arrays by field; tensors have no fields" % fn)


def _along(name, fn, a, axis):
    """fn(a, axis); a symbolic axis (Theano allowed one) computes fn along
    every axis and picks the one asked for at run time."""
    a = _as(a)
    if not isinstance(axis, _b.TensorVariable):
        return fn(a, _axis(axis))
    if axis.ndim != 0 or not _b._is_int(axis):
        raise TypeError("%s: axis must be an integer scalar, got %s" % (name, axis.type))
    if isinstance(axis, _b.TensorConstant):
        return fn(a, int(axis.data))
    n = max(a.ndim, 1)
    ax = _b.switch(_b.lt(axis, 0), axis + n, axis)
    ax = _Assert("%s: axis out of range for %s" % (name, a.type))(ax, _b.and_(_b.ge(ax, 0), _b.lt(ax, n)))
    out = fn(a, n - 1)
    for d in range(n - 2, -1, -1):
        out = _b.switch(_b.eq(ax, d), fn(a, d), out)
    return out


def sort(a, axis=-1, kind="quicksort", order=None):
    """a sorted along axis (None: the flattened array; a symbolic axis sorts
    along each axis and picks one at run time). Every kind is a stable merge
    sort: equal values keep their order; NaN sorts last."""
    _no_order("sort", order)
    return _along("sort", _core.sort, a, axis)


def argsort(a, axis=-1, kind="quicksort", order=None):
    """The int64 positions that sort a along axis (stable, NaN last)."""
    _no_order("argsort", order)
    return _along("argsort", _core.argsort, a, axis)


def _topk(x, kth, axis, values, indices, idx_dtype):
    x = _as(x)
    if x.ndim == 0:
        raise ValueError("topk: needs at least one dimension, got %s" % (x.type,))
    kth = _as(kth)
    if kth.ndim != 0 or not _b._is_int(kth):
        raise TypeError("topk: kth must be an integer scalar, got %s" % (kth.type,))
    try:
        idx_dtype = str(np.dtype(idx_dtype))
    except TypeError:
        raise TypeError("topk: unknown idx_dtype %r" % (idx_dtype,)) from None
    return _core.topk(x, kth, _axis(axis), values, indices, idx_dtype)


# sorted is accepted and always honoured: theon's TopK gives its outputs
# ordered from the most extreme (Theano 1.0 only had sorted=False, any order).
def argtopk(x, kth, axis=-1, sorted=True, idx_dtype="int64"):
    """Positions of the ``|kth|`` largest (kth > 0) or smallest (kth < 0) values
    along axis (None: the flattened array), ordered from the most extreme."""
    return _topk(x, kth, axis, False, True, idx_dtype)[0]


def topk(x, kth, axis=-1, sorted=True, idx_dtype="int64"):
    """The ``|kth|`` largest (kth > 0) or smallest (kth < 0) values along axis
    (None: the flattened array), ordered from the most extreme."""
    return _topk(x, kth, axis, True, False, idx_dtype)[0]


def topk_and_argtopk(x, kth, axis=-1, sorted=True, idx_dtype="int64"):
    """(topk(...), argtopk(...)) from one TopK node."""
    return tuple(_topk(x, kth, axis, True, True, idx_dtype))


__all__ = ["sort", "argsort", "topk", "argtopk", "topk_and_argtopk"]

from .graph_api import SortOp, ArgSortOp, TopKOp  # noqa: E402,F401  (Theano kept the classes here)
