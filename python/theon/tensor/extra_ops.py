"""Theano's extra_ops and NumPy-style construction, built on theon's ops
(cumsum/cumprod, nonzero and specify_shape are C++ ops; the rest are
compositions whose gradients come from the ops they are made of). Each
function has a row in tests/python/test_conformance.py."""
import builtins
import numbers

import numpy as np

from .. import _core
from ..configparser import config
from . import basic as _b

_as = _b.as_tensor_variable


def _axis(x, axis, fn):
    a = _b._axis_int(axis)
    if not -x.ndim <= a < x.ndim:
        raise ValueError("%s: axis %d is out of range for %s" % (fn, a, x.type))
    return a % x.ndim


def _int_vector(v, fn, what):
    v = _as(v)
    if not _b._is_int(v) or v.ndim != 1:
        raise TypeError("%s: %s must be an integer vector, got %s" % (fn, what, v.type))
    return v


def _check(value, cond, msg, error="AssertionError"):
    """value, once cond holds when the function runs; else `error` with msg
    (ValueError for a size out of range, as NumPy)."""
    return _core.assert_op(_as(value), [_as(cond)], msg, error=error)


# ---- scans ----------------------------------------------------------------------------------

def _scan(fn, x, axis):
    """fn over x along axis; an axis out of range is NumPy's AxisError (both
    the ValueError Theano raised and an IndexError), with theon's message."""
    try:
        return fn(_as(x), None if axis is None else _b._axis_int(axis))
    except IndexError as e:
        raise np.exceptions.AxisError(str(e)) from None


def cumsum(x, axis=None):
    """Running sum along axis (None: the flattened array), in x's dtype."""
    return _scan(_core.cumsum, x, axis)


def cumprod(x, axis=None):
    """Running product along axis (None: the flattened array), in x's dtype."""
    return _scan(_core.cumprod, x, axis)


def diff(x, n=1, axis=-1):
    """The n-th discrete difference along axis, as numpy.diff."""
    x = _as(x)
    axis = _axis(x, axis, "diff")
    if int(n) < 0:
        raise ValueError("diff: order n must be non-negative, got %d" % n)
    lead = (slice(None),) * axis
    for _ in range(int(n)):
        x = x[lead + (slice(1, None),)] - x[lead + (slice(None, -1),)]
    return x


def median(x, axis=None, keepdims=False):
    """The median along axis (None: of all values), as numpy.median: the
    mean of the two middle values of an even count; NaN propagates."""
    x = _as(x)
    if axis is None:
        flat = median(_b.flatten(x), 0)
        return flat.dimshuffle(["x"] * x.ndim) if keepdims else flat
    axis = _axis(x, axis, "median")
    s = _core.sort(x, axis)
    n = _b.shape_i(x, axis)
    lead = (slice(None),) * axis
    lo, hi = s[lead + ((n - 1) // 2,)], s[lead + (n // 2,)]
    mid = (lo + hi) / 2
    # a NaN sorts last: the median of a lane with one is NaN (NumPy)
    mid = _b.switch(_b.isnan(s[lead + (-1,)]), s[lead + (-1,)], mid) if x.dtype.startswith("float") else mid
    return expand_dims(mid, axis) if keepdims else mid


# ---- static shape ---------------------------------------------------------------------------

def specify_shape(x, shape):
    """x, checked at run time to have `shape` (constant lengths become static)."""
    x = _as(x)
    if isinstance(shape, (list, tuple)):
        if len(shape) != x.ndim:
            raise ValueError("specify_shape: %d lengths given for %s" % (len(shape), x.type))
        if builtins.all(isinstance(s, (numbers.Integral, np.integer)) for s in shape):
            shape = _b.constant(np.array(shape, "int64").reshape(len(shape)))  # static lengths
        else:
            shape = _b.stack(*[_b.cast(s, "int64") for s in shape])
    return _core.specify_shape(x, _b.cast(_as(shape), "int64"))


def _rebroadcast(x, axes, length, fn):
    x = _as(x)
    pattern = [-2] * x.ndim
    for a in axes:
        pattern[_axis(x, a, fn)] = length
    return _core.specify_static_shape(x, pattern)


def addbroadcast(x, *axes):
    """x with `axes` declared of length 1 (broadcastable), checked at run time."""
    return _rebroadcast(x, axes, 1, "addbroadcast")


def unbroadcast(x, *axes):
    """x with `axes` no longer broadcastable (their length becomes unknown)."""
    x = _as(x)
    return _rebroadcast(x, [a for a in axes if x.broadcastable[_axis(x, a, "unbroadcast")]], -1, "unbroadcast")


def patternbroadcast(x, broadcastable):
    """x with the given broadcastable pattern (True: length 1, checked)."""
    x = _as(x)
    if len(broadcastable) != x.ndim:
        raise ValueError("patternbroadcast: a pattern of %d for %s" % (len(broadcastable), x.type))
    x = addbroadcast(x, *[i for i, b in enumerate(broadcastable) if b])
    return unbroadcast(x, *[i for i, b in enumerate(broadcastable) if not b])


def squeeze(x, axis=None):
    """x without its broadcastable axes (axis=None) or the given ones, which
    are checked at run time to have length 1."""
    x = _as(x)
    if axis is None:
        axes = [i for i, b in enumerate(x.broadcastable) if b]
    else:
        axes = sorted({_axis(x, a, "squeeze") for a in (axis if isinstance(axis, (list, tuple)) else [axis])})
        x = addbroadcast(x, *axes)
    return x.dimshuffle([i for i in range(x.ndim) if i not in axes])


def tensor_copy(x):
    """A copy of x (a new buffer in the graph)."""
    x = _as(x)
    return _b.alloc(x, *[x.shape[d] for d in range(x.ndim)]) if x.ndim else x + _b.zeros_like(x)


def expand_dims(a, axis):
    """a with new length-1 axes at `axis` (an int or a sequence), as NumPy."""
    a = _as(a)
    axes = list(axis) if isinstance(axis, (list, tuple)) else [axis]
    nd = a.ndim + len(axes)
    for x in axes:
        if not -nd <= int(x) < nd:
            raise ValueError("expand_dims: axis %d is out of range for %d dimensions" % (x, nd))
    axes = sorted(int(x) % nd for x in axes)
    order, k = [], 0
    for i in range(nd):
        if i in axes:
            order.append("x")
        else:
            order.append(k)
            k += 1
    return a.dimshuffle(order)


def moveaxis(a, source, destination):
    """a with axes moved from `source` to `destination`, as numpy.moveaxis."""
    a = _as(a)
    src = [_axis(a, s, "moveaxis") for s in (source if isinstance(source, (list, tuple)) else [source])]
    dst = [_axis(a, d, "moveaxis") for d in (destination if isinstance(destination, (list, tuple)) else [destination])]
    if len(src) != len(dst):
        raise ValueError("moveaxis: source and destination need the same number of axes")
    order = [i for i in range(a.ndim) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return a.dimshuffle(order)


def broadcast_to(x, shape):
    """x broadcast to `shape` (a new buffer)."""
    x = _as(x)
    if not isinstance(shape, (list, tuple)):
        shape = _as(shape)
        if shape.ndim != 1 or shape.static_shape[0] is None:
            raise TypeError("broadcast_to: shape must be a list, or a vector of static length, got %s" % (shape.type,))
        shape = [shape[i] for i in range(shape.static_shape[0])]
    if len(shape) < x.ndim:
        raise ValueError("broadcast_to: cannot broadcast %s to %d dimensions" % (x.type, len(shape)))
    return _b.alloc(x, *shape)


# ---- construction ---------------------------------------------------------------------------

def full(shape, fill_value, dtype=None):
    """A tensor of the given shape filled with fill_value (NumPy's full).

    Parameters
    ----------
    shape : int or sequence of int or integer scalars
    fill_value : tensor-like
        A scalar, or a tensor broadcast against the trailing lengths.
    dtype : str, optional
        fill_value's dtype by default.

    Returns
    -------
    TensorVariable
    """
    v = _as(fill_value) if dtype is None else _b.cast(fill_value, dtype)
    return _b.alloc(v, *(shape if isinstance(shape, (list, tuple)) else [shape]))


def empty(shape, dtype=None):
    """A tensor of the given shape (zeros: a graph value is never left uninitialised)."""
    return _b.zeros(shape, dtype)


def linspace(start, stop, num=50, endpoint=True, dtype=None):
    """num evenly spaced values from start to stop, as numpy.linspace."""
    dtype = dtype or config.floatX
    start, stop = _b.cast(start, "float64"), _b.cast(stop, "float64")
    num = _b.cast(num, "int64")
    div = (num - 1) if endpoint else num
    step = (stop - start) / _b.maximum(div, 1)
    r = start + _b.arange(num, dtype="float64") * step
    if endpoint:  # the last value is stop exactly, as NumPy
        r = _b.set_subtensor(r[-1:], stop.dimshuffle("x")[:_b.minimum(num, 1)])
    return _b.cast(r, dtype)


class _Grid(object):
    """mgrid[a:b:c, ...] (dense) and ogrid[...] (open): arange per slice; a
    complex step n*1j asks for n points, stop included."""

    def __init__(self, sparse):
        self.sparse = sparse

    def __getitem__(self, key):
        key = key if isinstance(key, tuple) else (key,)
        axes = []
        for k in key:
            if not isinstance(k, slice):
                raise TypeError("%s: index with slices, got %r" % ("ogrid" if self.sparse else "mgrid", k))
            start = 0 if k.start is None else k.start
            step = 1 if k.step is None else k.step
            if isinstance(step, complex):
                axes.append(linspace(start, k.stop, int(abs(step)), dtype=config.floatX))
            else:
                axes.append(_b.arange(start, k.stop, step))
        if len(axes) > 1:
            dtype = np.result_type(*[a.dtype for a in axes]).name
            axes = [_b.cast(a, dtype) for a in axes]
        nd = len(axes)
        opened = [a.dimshuffle(["x"] * i + [0] + ["x"] * (nd - i - 1)) for i, a in enumerate(axes)]
        if self.sparse:
            return opened if nd > 1 else axes[0]
        shape = [a.shape[0] for a in axes]
        grids = [_b.alloc(o, *shape) for o in opened]
        return _b.stack(*grids) if nd > 1 else axes[0]


mgrid = _Grid(False)
ogrid = _Grid(True)


def bartlett(M):
    """The Bartlett (triangular) window of M points, as numpy.bartlett."""
    M = _as(M)
    if M.ndim != 0 or not _b._is_int(M):
        raise TypeError("bartlett: M must be an integer scalar, got %s" % (M.type,))
    n = _b.arange(_b.maximum(M, 0), dtype="float64")
    half = _b.cast(M - 1, "float64") / 2
    w = 1 - _b.abs_(n - half) / _b.maximum(half, 0.5)
    return _b.switch(_b.eq(M, 1), _b.ones_like(w), w)


# ---- indexing -------------------------------------------------------------------------------

def nonzero(a, return_matrix=False):
    """The positions of a's nonzero values: a tuple of int64 vectors, one per
    dimension (return_matrix: one matrix, a row per dimension)."""
    a = _as(a)
    out = _core.nonzero(a)
    if return_matrix:
        return _b.stack(*out)
    return tuple(out)


def flatnonzero(a):
    """Positions of the nonzero values of the flattened a."""
    return _core.nonzero(_b.flatten(_as(a)))[0]


def nonzero_values(a):
    """The nonzero values of a, in C order."""
    flat = _b.flatten(_as(a))
    return flat[flatnonzero(flat)]


def take(a, indices, axis=None, mode="raise"):
    """numpy.take: a's values at integer `indices` along axis (None: of the
    flattened a). mode 'raise' rejects out-of-range indices at run time;
    'wrap' wraps them; 'clip' clips them."""
    a = _as(a)
    if axis is None:
        a, axis = _b.flatten(a), 0
    axis = _axis(a, axis, "take")
    indices = _as(indices)
    if not _b._is_int(indices):
        raise TypeError("take: indices must be integers, got %s" % (indices.type,))
    n = _b.shape_i(a, axis)
    if mode == "wrap":
        indices = _b.mod(indices, n)
    elif mode == "clip":
        indices = _b.clip(indices, 0, n - 1)
    elif mode != "raise":
        raise ValueError("take: mode must be 'raise', 'wrap' or 'clip', got %r" % (mode,))
    return a[(slice(None),) * axis + (indices,)]


def compress(condition, x, axis=None):
    """numpy.compress: x's slices along axis (None: of the flattened x) where
    condition is nonzero; condition may be shorter than the axis."""
    return take(x, flatnonzero(condition), axis)


def cpu_contiguous(x):
    """x as a C-contiguous array: theon always returns C-contiguous arrays
    and its kernels accept any strides, so this is x itself."""
    return _as(x)


_TOO_MANY_REPEATS = "repeat: array is too big: the repeated axis would have more than 2**63-1 elements"


def _max_count(n):
    """The largest count c for which n * c fits in int64 (n >= 0)."""
    return _b.int_div(_b.constant(np.int64(2 ** 63 - 1)), _b.maximum(n, 1))


def repeat(x, repeats, axis=None):
    """numpy.repeat: each element of x repeated `repeats` times along axis
    (None: of the flattened x); repeats is a scalar or one count per element."""
    x = _as(x)
    if axis is None:
        x, axis = _b.flatten(x), 0
    axis = _axis(x, axis, "repeat")
    r = _as(repeats)
    if not _b._is_int(r) or r.ndim > 1:
        raise TypeError("repeat: repeats must be an integer scalar or vector, got %s" % (r.type,))
    if r.dtype == "uint64":
        raise TypeError("repeat: uint64 repeats cannot be converted to int64 safely; cast them to int64")
    if r.ndim == 1 and r.broadcastable[0]:
        r = r[0]  # one count for every element (NumPy broadcasts a one-element repeats)
    if r.ndim == 0 and isinstance(r, _b.TensorConstant) and int(np.asarray(r.data)) == 1:
        return x  # the same array: an axis of length 1 stays broadcastable
    n = _b.shape_i(x, axis)
    if r.ndim == 0:
        r = _check(r, _b.ge(r, 0), "repeat: repeats must not be negative", error="ValueError")
        # n * r must not wrap around in int64 (a wrapped count would be a silently short result).
        r = _check(r, _b.le(r, _max_count(n)), _TOO_MANY_REPEATS, error="ValueError")
        idx = _b.int_div(_b.arange(n * r, dtype="int64"), _b.maximum(r, 1))
    else:
        r = _check(r, _b.and_(_b.eq(r.shape[0], n), _b.all(_b.ge(r, 0))),
                   "repeat: repeats needs one non-negative count per element of axis %d" % axis)
        # The running total must not wrap around in int64: n * max(r) bounds it.
        r = _check(r, _b.le(_b.max(_b.concatenate([_b.cast(r, "int64"), _b.zeros([1], "int64")])), _max_count(n)),
                   _TOO_MANY_REPEATS, error="ValueError")
        ends = cumsum(_b.cast(r, "int64"))
        total = _b.sum(ends[-1:])  # 0 when x is empty
        # A mark at each element's first position, counted up: the source element of every output position.
        marks = _b.inc_subtensor(_b.zeros([total + 1], "int64")[ends[:-1]], 1)
        idx = cumsum(marks)[:-1]
    return take(x, idx, axis)


def roll(x, shift, axis=None):
    """x rolled by `shift` positions along axis (None: of the flattened x)."""
    x = _as(x)
    if axis is None:
        return _b.reshape(roll(_b.flatten(x), shift, 0), x.shape, x.ndim)
    axis = _axis(x, axis, "roll")
    n = _b.shape_i(x, axis)
    s = _b.mod(_as(shift), _b.maximum(n, 1))
    lead = (slice(None),) * axis
    return _b.concatenate([x[lead + (slice(n - s, None),)], x[lead + (slice(None, n - s),)]], axis=axis)


def tile(x, reps, ndim=None):
    """numpy.tile: x repeated reps[d] times along each axis d."""
    x = _as(x)
    if isinstance(reps, (numbers.Integral, np.integer)) or (hasattr(reps, "ndim") and reps.ndim == 0):
        reps = [reps]
    reps = list(reps)
    for r in reps:
        if not isinstance(r, (numbers.Integral, np.integer)) and not (hasattr(r, "dtype") and _b._is_int(_as(r))):
            raise TypeError("tile: reps must be integers, got %r" % (r,))
    nd = builtins.max(len(reps), x.ndim, ndim or 0)
    reps = [1] * (nd - len(reps)) + reps
    x = x.dimshuffle(["x"] * (nd - x.ndim) + list(range(x.ndim)))
    # (r0, s0, r1, s1, ...) by broadcasting x's (1, s0, 1, s1, ...), then merged pairwise.
    order = []
    for d in range(nd):
        order += ["x", d]
    spread = _b.alloc(x.dimshuffle(order), *[v for d in range(nd) for v in (reps[d], x.shape[d])])
    return _b.reshape(spread, _b.stack(*[_b.cast(reps[d], "int64") * x.shape[d] for d in range(nd)]), nd)


def split(x, splits_size, n_splits, axis=0):
    """x cut along axis into n_splits pieces of the given lengths (a list or
    an int vector); the lengths must add up to the axis length."""
    x = _as(x)
    axis = _axis(x, axis, "split")
    n_splits = int(n_splits)
    if isinstance(splits_size, (list, tuple)) and len(splits_size) != n_splits:
        raise ValueError("split: %d sizes given for n_splits=%d" % (len(splits_size), n_splits))
    sizes = _b.cast(_as(list(splits_size) if isinstance(splits_size, (list, tuple)) else splits_size), "int64")
    if sizes.ndim != 1:
        raise TypeError("split: splits_size must be a vector, got %s" % (sizes.type,))
    n = _b.shape_i(x, axis)
    sizes = _check(sizes, _b.and_(_b.and_(_b.eq(sizes.shape[0], n_splits), _b.eq(_b.sum(sizes), n)),
                                  _b.all(_b.ge(sizes, 0))),
                   "split: %d sizes along axis %d of %s must be non-negative and add up to the axis length"
                   % (n_splits, axis, x.type))
    ends = cumsum(sizes)
    lead = (slice(None),) * axis
    out = []
    for i in range(n_splits):
        start = ends[i] - sizes[i]
        out.append(x[lead + (slice(start, ends[i]),)])
    return out


def searchsorted(a, v, side="left", sorter=None):
    """numpy.searchsorted: where each value of v goes in the sorted vector a
    (side 'right': after equal values; sorter: the positions that sort a).
    a binary search per value; NaN sorts last, as in sort."""
    a, v = _as(a), _as(v)
    if side not in ("left", "right"):
        raise ValueError("searchsorted: side must be 'left' or 'right', got %r" % (side,))
    if a.ndim != 1:
        raise ValueError("searchsorted: a must be a vector, got %s" % (a.type,))
    if sorter is not None:
        sorter = _as(sorter)
        if sorter.ndim != 1:
            raise ValueError("searchsorted: sorter must be a vector, got %s" % (sorter.type,))
        if not _b._is_int(sorter):
            raise TypeError("searchsorted: sorter must be integers, got %s" % (sorter.type,))
        a = a[sorter]
    return _core.searchsorted(a, v, side == "right")


# NumPy 2 gives the inverse of unique(axis=None) the input's shape; NumPy 1 a vector.
_INVERSE_KEEPS_SHAPE = np.unique(np.zeros((2, 1)), return_inverse=True)[1].ndim == 2


def _row_ranks(rows):
    """For each row of the matrix `rows`, how many rows are lexicographically
    smaller (equal rows share a rank): each pair of rows is compared at its
    first differing column, so this costs n * n * m comparisons."""
    a, b = rows.dimshuffle(0, "x", 1), rows.dimshuffle("x", 0, 1)
    sign = _b.cast(_b.gt(a, b), "int8") - _b.cast(_b.lt(a, b), "int8")  # (n, n, m)
    first = _b.argmax(_b.abs_(sign), axis=2)  # the first column that differs (0 when none does)
    cmp = _core.take_along_axis(sign, first.dimshuffle(0, 1, "x"), 2)[:, :, 0]
    return _b.sum(_b.cast(_b.gt(cmp, 0), "int64"), axis=1)


def unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None):
    """numpy.unique: the sorted distinct values of the flattened ar (NaNs
    count as one, as NumPy 2), or with axis the distinct slices along it
    (sorted lexicographically); optionally the first index of each, the
    inverse positions and the counts."""
    ar = _as(ar)
    if axis is None or ar.ndim <= 1:
        if axis is not None:
            _axis(ar, axis, "unique")
        flat = _b.flatten(ar)
        order = _core.argsort(flat, 0)
        s = flat[order]
        differs = _b.neq(s[1:], s[:-1])
        if flat.dtype.startswith("float") or flat.dtype.startswith("complex"):
            differs = _b.and_(differs, _b.invert(_b.and_(_b.isnan(s[1:]), _b.isnan(s[:-1]))))
        finish = lambda v: v  # noqa: E731
        inverse_shape = ar.shape if axis is None and _INVERSE_KEEPS_SHAPE and ar.ndim > 1 else None
    else:
        axis = _axis(ar, axis, "unique")
        moved = moveaxis(ar, axis, 0)
        flat = _b.reshape(moved, _b.stack([moved.shape[0], -1]), 2)  # one row per slice
        rank = _row_ranks(flat)
        order = _core.argsort(rank, 0)  # stable: equal slices keep their order
        s = flat[order]
        ranked = rank[order]
        differs = _b.neq(ranked[1:], ranked[:-1])

        def finish(v):
            v = _b.reshape(v, _b.concatenate([v.shape[:1], moved.shape[1:]]), ar.ndim)
            return moveaxis(v, 0, axis)
        inverse_shape = None
    n = flat.shape[0]
    first = _b.concatenate([_b.ones([_b.minimum(n, 1)], "bool"), differs])  # a new value starts here
    starts = _core.nonzero(first)[0]
    out = [finish(s[starts])]
    if return_index:
        out.append(order[starts])  # the sort is stable: the first occurrence
    if return_inverse:
        ids = cumsum(_b.cast(first, "int64")) - 1
        inverse = _b.set_subtensor(_b.zeros([n], "int64")[order], ids)
        out.append(inverse if inverse_shape is None else _b.reshape(inverse, inverse_shape, ar.ndim))
    if return_counts:
        out.append(diff(_b.concatenate([starts, _b.stack([n])])))
    return out[0] if len(out) == 1 else tuple(out)


def bincount(x, weights=None, minlength=None, assert_nonneg=False):
    """Counts of each value of the non-negative int vector x (summed weights
    if given), of length max(x) + 1 or minlength."""
    x = _int_vector(x, "bincount", "x")
    x = _check(x, _b.all(_b.ge(x, 0)), "bincount: x must not have negative values")
    n = _b.max(_b.concatenate([_b.cast(x, "int64"), _b.constant(np.array([-1], "int64"))])) + 1
    if minlength is not None:
        n = _b.maximum(n, minlength)
    if weights is None:
        return _b.inc_subtensor(_b.zeros([n], "int64")[x], 1)
    weights = _as(weights)
    return _b.inc_subtensor(_b.zeros([n], weights.dtype)[x], weights)


def diagonal(a, offset=0, axis1=0, axis2=1):
    """numpy.diagonal: the diagonal of the (axis1, axis2) planes, as the last axis."""
    a = _as(a)
    if a.ndim < 2:
        raise ValueError("diagonal: needs at least 2 dimensions, got %s" % (a.type,))
    a1, a2 = _axis(a, axis1, "diagonal"), _axis(a, axis2, "diagonal")
    if a1 == a2:
        raise ValueError("diagonal: axis1 and axis2 must differ")
    a = a.dimshuffle([d for d in range(a.ndim) if d not in (a1, a2)] + [a1, a2])
    n1, n2 = a.shape[-2], a.shape[-1]
    k = _b.clip(_b.cast(_as(offset), "int64"), -n1, n2)  # -k and n - k cannot overflow after this
    # rows max(0, -k) .. , columns max(0, k) .., as many as fit
    r0, c0 = _b.maximum(-k, 0), _b.maximum(k, 0)
    m = _b.maximum(_b.minimum(n1 - r0, n2 - c0), 0)
    i = _b.arange(m, dtype="int64")
    return a[(Ellipsis, i + r0, i + c0)]


def diag(v, k=0):
    """numpy.diag: a 1-d v on the k-th diagonal of a square matrix; the k-th
    diagonal of a 2-d v."""
    v = _as(v)
    if v.ndim == 2:
        return diagonal(v, k)
    if v.ndim != 1:
        raise ValueError("diag: needs a 1-d or 2-d input, got %s" % (v.type,))
    n = v.shape[0] + _b.abs_(_as(k))
    i = _b.arange(v.shape[0], dtype="int64")
    z = _b.zeros([n, n], v.dtype)
    return _b.set_subtensor(z[i + _b.maximum(-_as(k), 0), i + _b.maximum(_as(k), 0)], v)


def trace(a, offset=0, axis1=0, axis2=1):
    """Sum of the diagonal (numpy.trace)."""
    return _b.sum(diagonal(a, offset, axis1, axis2), axis=-1)


def fill_diagonal(a, val):
    """A copy of a with its main diagonal set to val (a 2-d a, or one whose
    dimensions are all equal)."""
    a = _as(a)
    if a.ndim < 2:
        raise ValueError("fill_diagonal: needs at least 2 dimensions, got %s" % (a.type,))
    m = a.shape[0]
    for d in range(1, a.ndim):
        m = _b.minimum(m, a.shape[d])
    if a.ndim > 2:
        a = _check(a, _b.all(_b.eq(a.shape, a.shape[0])),
                   "fill_diagonal: a %d-d array needs all dimensions equal" % a.ndim)
    i = _b.arange(m, dtype="int64")
    return _b.set_subtensor(a[(i,) * a.ndim], _b.cast(val, a.dtype))


def fill_diagonal_offset(a, val, offset):
    """A copy of the matrix a with its offset-th diagonal set to val."""
    a = _as(a)
    if a.ndim != 2:
        raise TypeError("fill_diagonal_offset: needs a matrix, got %s" % (a.type,))
    k = _b.clip(_b.cast(_as(offset), "int64"), -a.shape[0], a.shape[1])  # no overflow in -k below
    r0, c0 = _b.maximum(-k, 0), _b.maximum(k, 0)
    m = _b.maximum(_b.minimum(a.shape[0] - r0, a.shape[1] - c0), 0)
    i = _b.arange(m, dtype="int64")
    return _b.set_subtensor(a[i + r0, i + c0], _b.cast(val, a.dtype))


def to_one_hot(y, nb_class, dtype=None):
    """Rows of one-hot vectors for the int vector y (nb_class columns)."""
    y = _int_vector(y, "to_one_hot", "y")
    # A label outside [0, nb_class) would give a row of zeros: an IndexError, as Theano.
    n = _b.cast(_as(nb_class), "int64")
    y = _core.assert_op(y, [_b.all(_b.and_(_b.ge(y, 0), _b.lt(y, n)))],
                        "to_one_hot: a label of y is outside [0, nb_class) with nb_class = %s" % (
                            nb_class if isinstance(nb_class, (int, np.integer)) else "the given count"),
                        index_error=True)
    hot = _b.eq(y.dimshuffle(0, "x"), _b.arange(nb_class, dtype="int64").dimshuffle("x", 0))
    return _b.cast(hot, dtype or config.floatX)


def _dims_list(dims, fn, ndim=None, count=None):
    """dims (a list or tuple of integers, an integer array, or an integer
    vector whose length is known, given by ndim or count) as one int64
    scalar per dimension."""
    if ndim is not None:
        if not isinstance(ndim, (numbers.Integral, np.integer)):
            raise ValueError("%s: ndim must be an integer, got %r" % (fn, ndim))
        ndim = int(ndim)
    if isinstance(dims, (list, tuple)):
        out = []
        for d in dims:
            d = _as(d)
            if d.ndim != 0 or not _b._is_int(d):
                raise TypeError("%s: dims must be a list or tuple of integers, or an integer vector, got %r"
                                % (fn, dims))
            out.append(_b.cast(d, "int64"))
        return out
    d = _as(dims)
    if d.ndim != 1 or not _b._is_int(d):
        raise TypeError("%s: dims must be a list or tuple of integers, or an integer vector, got %s"
                        % (fn, d.type))
    n = ndim if ndim is not None else count
    if n is None:
        from .graph_api import get_vector_length
        try:
            n = get_vector_length(d)
        except ValueError:
            raise ValueError("%s: the length of dims is not known before it runs; give ndim" % fn) from None
    return [_b.cast(d[i], "int64") for i in range(n)]


def unravel_index(indices, dims, order="C", ndim=None):
    """The coordinates, one array per dimension, of flat positions in an
    array of shape dims (numpy.unravel_index); dims may be a symbolic vector
    when ndim gives its length."""
    if order not in ("C", "F"):
        raise ValueError("unravel_index: order must be 'C' or 'F', got %r" % (order,))
    indices = _as(indices)
    if not _b._is_int(indices):
        raise TypeError("unravel_index: indices must be integers, got %s" % (indices.type,))
    dims = _dims_list(dims, "unravel_index", ndim)
    indices = _check(_b.cast(indices, "int64"),
                     _b.all(_b.and_(_b.ge(indices, 0), _b.lt(indices, _b.prod(_b.stack(*dims))))),
                     "unravel_index: an index is out of range for the shape")
    out = [None] * len(dims)
    rest = indices
    axes = range(len(dims) - 1, -1, -1) if order == "C" else range(len(dims))
    for d in axes:
        out[d] = _b.mod(rest, dims[d])
        rest = _b.int_div(rest, dims[d])
    return tuple(out)


def ravel_multi_index(multi_index, dims, mode="raise", order="C"):
    """Flat positions of coordinate arrays in an array of shape dims
    (numpy.ravel_multi_index; mode 'raise', 'wrap' or 'clip')."""
    if order not in ("C", "F"):
        raise ValueError("ravel_multi_index: order must be 'C' or 'F', got %r" % (order,))
    if mode not in ("raise", "wrap", "clip"):
        raise ValueError("ravel_multi_index: mode must be 'raise', 'wrap' or 'clip', got %r" % (mode,))
    if not isinstance(multi_index, (list, tuple)):
        raise TypeError("ravel_multi_index: multi_index must be a tuple of coordinate arrays")
    dims = _dims_list(dims, "ravel_multi_index", count=len(multi_index))
    if len(multi_index) != len(dims):
        raise ValueError("ravel_multi_index: one coordinate array per dimension of dims is needed")
    coords = []
    for c, n in zip(multi_index, dims):
        c = _as(c)
        if not _b._is_int(c):
            raise TypeError("ravel_multi_index: coordinates must be integers, got %s" % (c.type,))
        c = _b.cast(c, "int64")
        if mode == "wrap":
            c = _b.mod(c, n)
        elif mode == "clip":
            c = _b.clip(c, 0, n - 1)
        else:
            c = _check(c, _b.all(_b.and_(_b.ge(c, 0), _b.lt(c, n))),
                       "ravel_multi_index: a coordinate is out of range for its dimension")
        coords.append(c)
    axes = range(len(dims)) if order == "C" else range(len(dims) - 1, -1, -1)
    flat = None
    for d in axes:
        flat = coords[d] if flat is None else flat * dims[d] + coords[d]
    return flat


def inverse_permutation(perm):
    """The inverse of each permutation in the last axis of the int perm."""
    perm = _as(perm)
    if not _b._is_int(perm):
        raise TypeError("inverse_permutation: needs integers, got %s" % (perm.type,))
    return _b.cast(_core.argsort(perm, -1), perm.dtype)


def choose(a, choices, mode="raise"):
    """numpy.choose: per position, the value of choices[a] (broadcast)."""
    a = _as(a)
    if not _b._is_int(a):
        raise TypeError("choose: a must be integers, got %s" % (a.type,))
    if not isinstance(choices, (list, tuple)):
        choices = _as(choices)
        if choices.ndim == 0 or choices.static_shape[0] is None:
            raise TypeError("choose: choices must be a list, or a tensor whose first length is static, got %s"
                            % (choices.type,))
        choices = [choices[i] for i in range(choices.static_shape[0])]
    choices = [_as(c) for c in choices]
    n = len(choices)
    if mode == "wrap":
        a = _b.mod(a, n)
    elif mode == "clip":
        a = _b.clip(a, 0, n - 1)
    elif mode == "raise":
        a = _check(a, _b.all(_b.and_(_b.ge(a, 0), _b.lt(a, n))), "choose: an index is out of range for %d choices" % n)
    else:
        raise ValueError("choose: mode must be 'raise', 'wrap' or 'clip', got %r" % (mode,))
    out = choices[0] + _b.zeros_like(a, dtype=choices[0].dtype)
    for k in range(1, n):
        out = _b.switch(_b.eq(a, k), choices[k], out)
    return out


def cov(m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None):
    """numpy.cov of the rows (rowvar) or columns of m (and y), in m's float
    dtype (NumPy computes in float64); a 0-d result for one variable, as NumPy."""
    if fweights is not None or aweights is not None:
        raise NotImplementedError("cov: fweights and aweights are not supported")
    m = _as(m)
    one = m.ndim == 1 and y is None
    if m.ndim == 1:
        m = m.dimshuffle("x", 0)
    if not rowvar:
        m = m.T
    if y is not None:
        y = _as(y)
        y = y.dimshuffle("x", 0) if y.ndim == 1 else y
        m = _b.concatenate([m, y if rowvar else y.T], axis=0)
    if ddof is None:
        ddof = 0 if bias else 1
    n = _b.cast(m.shape[1], m.dtype if m.dtype.startswith("float") else "float64") - ddof
    c = m - m.mean(axis=1, keepdims=True)
    out = _b.dot(c, c.T) / n
    return out[0, 0] if one else out


def batched_dot(a, b):
    """Per-row products of the batches a and b: matrix products for 3-d
    operands, dot products for 2-d ones, scaling for a 1-d one (a batch of
    scalars) (Theano's batched_dot)."""
    a, b = _as(a), _as(b)
    if a.ndim == 0 or b.ndim == 0:
        raise TypeError("batched_dot: needs a batch axis, got %s and %s" % (a.type, b.type))
    if a.ndim == 1:  # a batch of scalars scales each item of b
        return a.dimshuffle(*([0] + ["x"] * (b.ndim - 1))) * b
    if b.ndim == 1:
        return a * b.dimshuffle(*([0] + ["x"] * (a.ndim - 1)))
    if a.ndim == 2 and b.ndim == 2:
        return _b.sum(a * b, axis=1)
    if a.ndim == 2:
        return _b.matmul(a.dimshuffle(0, "x", 1), b).dimshuffle(0, *range(2, b.ndim))
    if b.ndim == 2:
        return _b.matmul(a, b.dimshuffle(0, 1, "x")).dimshuffle(*range(a.ndim - 1))
    return _b.matmul(a, b)


__all__ = ["cumsum", "cumprod", "diff", "median", "specify_shape", "addbroadcast", "unbroadcast", "patternbroadcast",
           "squeeze", "tensor_copy", "expand_dims", "moveaxis", "broadcast_to", "full", "empty", "linspace",
           "mgrid", "ogrid", "bartlett", "nonzero", "flatnonzero", "nonzero_values", "take", "repeat", "roll",
           "tile", "split", "searchsorted", "unique", "bincount", "diagonal", "diag", "trace", "fill_diagonal", "fill_diagonal_offset",
           "to_one_hot", "unravel_index", "ravel_multi_index", "inverse_permutation", "choose", "cov",
           "batched_dot"]


# Theano's op classes of extra_ops: constructing one and calling it builds the graph.
from .graph_api import DiffOp, _EXTRA_OPS_CLASSES  # noqa: E402,F401  (DiffOp: Theano's name here)

for _cls in _EXTRA_OPS_CLASSES:
    globals()[_cls.__name__] = _cls
del _cls
