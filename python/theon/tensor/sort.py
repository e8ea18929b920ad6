"""Sorting (theano.tensor.sort): sort and argsort are C++ ops (stable, NaN
last as NumPy); topk and argtopk are built on them."""
from .. import _core
from . import basic as _b
from .opt import Assert as _Assert

_as = _b.as_tensor_variable


def _axis(axis):
    return None if axis is None else _b._axis_int(axis)


def _no_order(fn, order):
    if order is not None:
        raise ValueError("%s: order= sorts structured arrays by field; tensors have no fields" % fn)


def sort(a, axis=-1, kind="quicksort", order=None):
    """a sorted along axis (None: the flattened array). Every kind is a
    stable merge sort: equal values keep their order; NaN sorts last."""
    _no_order("sort", order)
    return _core.sort(_as(a), _axis(axis))


def argsort(a, axis=-1, kind="quicksort", order=None):
    """The int64 positions that sort a along axis (stable, NaN last)."""
    _no_order("argsort", order)
    return _core.argsort(_as(a), _axis(axis))


def _topk_positions(x, kth, axis):
    """(x, positions of the top |kth| along axis, the axis made non-negative)."""
    x = _as(x)
    if x.ndim == 0:
        raise ValueError("topk: needs at least one dimension, got %s" % (x.type,))
    kth = _as(kth)
    if kth.ndim != 0 or not _b._is_int(kth):
        raise TypeError("topk: kth must be an integer scalar, got %s" % (kth.type,))
    k = int(kth.data) if isinstance(kth, _b.TensorConstant) else None
    if k == 0:
        raise ValueError("topk: kth must not be 0")
    axis = _b._axis_int(axis) + x.ndim if _b._axis_int(axis) < 0 else _b._axis_int(axis)
    if not 0 <= axis < x.ndim:
        raise ValueError("topk: axis %d is out of range for %s" % (axis, x.type))
    n = _b.shape_i(x, axis)
    order = argsort(x, axis)
    lead = (slice(None),) * axis
    # kth > 0: the largest |kth|, largest first; kth < 0: the smallest, smallest first.
    absk = abs(k) if k is not None else _b.abs_(kth)
    checked = _Assert("topk: |kth| must not exceed the length of axis %d" % axis)(order, _b.le(absk, n))
    if k is not None:
        pos = checked[lead + (slice(None, -k - 1, -1),)] if k > 0 else checked[lead + (slice(None, -k),)]
        return x, pos, axis
    largest = checked[lead + (slice(None, None, -1),)][lead + (slice(None, absk),)]
    smallest = checked[lead + (slice(None, absk),)]
    return x, _b.switch(_b.gt(kth, 0), largest, smallest), axis


def argtopk(x, kth, axis=-1, sorted=True, idx_dtype="int64"):
    """Positions of the |kth| largest (kth > 0) or smallest (kth < 0) values
    along axis, ordered from the most extreme."""
    return _b.cast(_topk_positions(x, kth, axis)[1], idx_dtype)


def topk(x, kth, axis=-1, sorted=True, idx_dtype="int64"):
    """The |kth| largest (kth > 0) or smallest (kth < 0) values along axis."""
    x, pos, axis = _topk_positions(x, kth, axis)
    return _core.take_along_axis(x, pos, axis)


def topk_and_argtopk(x, kth, axis=-1, sorted=True, idx_dtype="int64"):
    x, pos, axis = _topk_positions(x, kth, axis)
    return _core.take_along_axis(x, pos, axis), _b.cast(pos, idx_dtype)


__all__ = ["sort", "argsort", "topk", "argtopk", "topk_and_argtopk"]

from .graph_api import SortOp, ArgSortOp, TopKOp  # noqa: E402,F401  (Theano kept the classes here)
