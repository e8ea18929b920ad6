"""The conformance table: one row per tensor function, with the NumPy
reference, the dtypes and broadcasting patterns it is checked on, whether
its gradient is checked against finite differences, and bad inputs with the
error they must raise. Every name of theon.tensor.extra, extra_ops and sort has a row."""
import numpy as np
import pytest
import scipy.special as sp
import scipy.stats

import theon
from theon.configparser import change_flags
import theon.tensor as T
import importlib
sort_mod = importlib.import_module("theon.tensor.sort")  # T.sort (the function) shadows the module
from conftest import check_grad

FLOATS = ("float64", "float32")


class Row(object):
    def __init__(self, name, build, ref, shapes, dtypes=FLOATS, grad=True, domain=(-3, 3), bad=(), rtol=None,
                 same_dtype=True):
        self.name, self.build, self.ref, self.shapes = name, build, ref, shapes
        self.dtypes, self.grad, self.domain, self.bad, self.rtol = dtypes, grad, domain, bad, rtol
        self.same_dtype = same_dtype  # the output dtype is NumPy's for these inputs


def _isclose(T_, a, b):
    return T_.isclose(a, b, rtol=1e-3, atol=1e-2)


ROWS = [
    Row("square", lambda T_, x: T_.square(x), lambda x: np.square(x), [[(3, 4)], [()]]),
    Row("power", lambda T_, x, y: T_.power(T_.abs_(x) + 0.5, y), lambda x, y: np.power(np.abs(x) + 0.5, y),
        [[(3, 4), (3, 4)], [(3, 4), (1, 4)], [(2, 3, 4), (4,)]], same_dtype=False),
    Row("deg2rad", lambda T_, x: T_.deg2rad(x), np.deg2rad, [[(5,)], [(2, 3)]], domain=(-360, 360)),
    Row("rad2deg", lambda T_, x: T_.rad2deg(x), np.rad2deg, [[(5,)], [(2, 3)]]),
    Row("round_half_away_from_zero", lambda T_, x: T_.round_half_away_from_zero(x),
        lambda x: np.where(np.abs(x - np.trunc(x)) >= 0.5, np.trunc(x) + np.sign(x), np.trunc(x)).astype(x.dtype),
        [[(50,)]], grad=False, domain=(-4, 4)),
    Row("iround", lambda T_, x: T_.iround(x), lambda x: np.round(x).astype("int64"), [[(20,)]], grad=False,
        same_dtype=False),
    Row("isinf_", lambda T_, x: T_.isinf_(T_.log(x)), lambda x: np.isinf(np.log(x)), [[(9,)]], grad=False,
        domain=(0, 2)),
    Row("isnan_", lambda T_, x: T_.isnan_(T_.log(x)), lambda x: np.isnan(np.log(x)), [[(9,)]], grad=False),
    Row("isclose", _isclose, lambda a, b: np.isclose(a, b, rtol=1e-3, atol=1e-2),
        [[(30,), (30,)], [(3, 4), (1, 4)]], grad=False),
    Row("allclose", lambda T_, a, b: T_.allclose(a, a + b * 1e-9), lambda a, b: np.allclose(a, a + b * 1e-9),
        [[(3, 4), (3, 4)]], grad=False, same_dtype=False),
    Row("where", lambda T_, c, x, y: T_.where(T_.gt(c, 0), x, y), lambda c, x, y: np.where(c > 0, x, y),
        [[(3, 4), (3, 4), (3, 4)], [(3, 1), (1, 4), ()], [(4,), (2, 4), (2, 1)]]),
    Row("largest", lambda T_, a, b, c: T_.largest(a, b, c), lambda a, b, c: np.maximum(np.maximum(a, b), c),
        [[(3, 4), (3, 4), (3, 4)], [(3, 4), (1, 4), (3, 1)]]),
    Row("smallest", lambda T_, a, b: T_.smallest(a, b), np.minimum, [[(3, 4), (3, 4)], [(3, 4), ()]]),
    Row("ptp", lambda T_, x: T_.ptp(x, axis=1), lambda x: np.ptp(x, axis=1), [[(3, 5)], [(2, 3, 4)]]),
    Row("shape_padleft", lambda T_, x: T_.shape_padleft(x, 2), lambda x: x[None, None], [[(3, 4)]]),
    Row("shape_padright", lambda T_, x: T_.shape_padright(x), lambda x: x[..., None], [[(3, 4)]]),
    Row("shape_padaxis", lambda T_, x: T_.shape_padaxis(x, -2), lambda x: np.expand_dims(x, -2), [[(3, 4)]],
        bad=[(lambda T_: T_.shape_padaxis(T_.matrix(), 3), ValueError, "shape_padaxis: axis 3 is out of range")]),
    Row("swapaxes", lambda T_, x: T_.swapaxes(x, 0, -1), lambda x: np.swapaxes(x, 0, -1), [[(2, 3, 4)]],
        bad=[(lambda T_: T_.swapaxes(T_.matrix(), 0, 2), ValueError, "swapaxes: axis 2 is out of range")]),
    Row("horizontal_stack", lambda T_, a, b: T_.horizontal_stack(a, b), lambda a, b: np.hstack([a, b]),
        [[(3, 4), (3, 2)], [(4,), (5,)]],
        bad=[(lambda T_: T_.horizontal_stack(T_.tensor3(), T_.tensor3()), TypeError, "all 1-d or all 2-d")]),
    Row("vertical_stack", lambda T_, a, b: T_.vertical_stack(a, b), lambda a, b: np.vstack([a, b]),
        [[(3, 4), (2, 4)]], bad=[(lambda T_: T_.vertical_stack(T_.vector()), TypeError, "needs 2-d tensors")]),
    Row("stacklists", lambda T_, a, b, c, d: T_.stacklists([[a, b], [c, d]]),
        lambda a, b, c, d: np.array([[a, b], [c, d]]), [[(3,), (3,), (3,), (3,)]]),
    Row("tril", lambda T_, x: T_.tril(x, -1), lambda x: np.tril(x, -1), [[(4, 5)], [(2, 3, 3)]],
        bad=[(lambda T_: T_.tril(T_.vector()), ValueError, "tril: needs at least 2 dimensions")]),
    Row("triu", lambda T_, x: T_.triu(x, 1), lambda x: np.triu(x, 1), [[(4, 5)], [(5, 3)]]),
    Row("tri", lambda T_, x: T_.tri(3, 4, 1, dtype=x.dtype) * x, lambda x: np.tri(3, 4, 1, dtype=x.dtype) * x,
        [[(3, 4)]]),
]


def _fill_diag(a, v):
    a = a.copy()
    np.fill_diagonal(a, v)
    return a


def _fill_diag_offset(a, v, k):
    a = a.copy()
    i = np.arange(max(0, min(a.shape[0] - max(-k, 0), a.shape[1] - max(k, 0))))
    a[i + max(-k, 0), i + max(k, 0)] = v
    return a


def _idx(T_, x, n):
    """An int64 vector of positions in [0, n) derived from the float vector x."""
    return T_.cast(T_.floor(T_.abs_(x) * 100), "int64") % n


def _np_idx(x, n):
    return np.floor(np.abs(x) * 100).astype("int64") % n


ROWS += [
    Row("sort", lambda T_, x: T_.sort(x), np.sort, [[(7,)], [(3, 5)], [(2, 3, 4)]]),
    Row("argsort", lambda T_, x: T_.argsort(x, axis=0), lambda x: np.argsort(x, axis=0, kind="stable"),
        [[(7,)], [(3, 5)]], grad=False,
        bad=[(lambda T_: T_.argsort(T_.matrix(), axis=2), IndexError, "argsort: axis 2 is out of bounds"),
             (lambda T_: T_.sort(T_.matrix(), order="f"), ValueError, "sort: order= sorts structured")]),
    Row("topk", lambda T_, x: T_.topk(x, 2), lambda x: -np.sort(-x)[..., :2], [[(6,)], [(3, 5)]],
        bad=[(lambda T_: T_.topk(T_.matrix(), 0), ValueError, "k must not be 0"),
             (lambda T_: T_.topk(T_.matrix(), 1.5), TypeError, "topk: kth must be an integer scalar")]),
    Row("argtopk", lambda T_, x: T_.argtopk(x, -3, axis=0), lambda x: np.argsort(x, axis=0, kind="stable")[:3],
        [[(6,)], [(5, 4)]], grad=False),
    Row("topk_and_argtopk", lambda T_, x: T_.topk_and_argtopk(x, 2)[0] + T_.topk_and_argtopk(x, 2)[1],
        lambda x: -np.sort(-x)[..., :2] + np.argsort(-x, kind="stable")[..., :2], [[(3, 5)]]),
    Row("cumsum", lambda T_, x: T_.cumsum(x, axis=1), lambda x: np.cumsum(x, axis=1), [[(3, 5)], [(2, 3, 4)]],
        bad=[(lambda T_: T_.cumsum(T_.matrix(), axis=-3), IndexError, "cumsum: axis -3 is out of bounds")]),
    Row("cumprod", lambda T_, x: T_.cumprod(x), np.cumprod, [[(7,)], [(3, 4)]], domain=(0.5, 1.5)),
    Row("diff", lambda T_, x: T_.diff(x, 2, axis=0), lambda x: np.diff(x, 2, axis=0), [[(6,)], [(5, 3)]],
        bad=[(lambda T_: T_.diff(T_.vector(), -1), ValueError, "diff: order n must be non-negative")]),
    Row("specify_shape", lambda T_, x: T_.specify_shape(x, (3, 4)) * 2, lambda x: x * 2, [[(3, 4)]],
        bad=[(lambda T_: T_.specify_shape(T_.matrix(), (3,)), ValueError, "specify_shape: 1 lengths given")]),
    Row("addbroadcast", lambda T_, x: T_.addbroadcast(x[:1], 0) + x, lambda x: x[:1] + x, [[(3, 4)]]),
    Row("unbroadcast", lambda T_, x: T_.unbroadcast(x.dimshuffle("x", 0), 0)[0], lambda x: x, [[(5,)]]),
    Row("patternbroadcast", lambda T_, x: T_.patternbroadcast(x[:, :1], (False, True)) * x,
        lambda x: x[:, :1] * x, [[(3, 4)]]),
    Row("squeeze", lambda T_, x: T_.squeeze(x[:, :1], axis=1), lambda x: x[:, 0], [[(3, 4)]],
        bad=[(lambda T_: T_.squeeze(T_.matrix(), axis=2), ValueError, "squeeze: axis 2 is out of range")]),
    Row("tensor_copy", lambda T_, x: T_.tensor_copy(x), lambda x: x.copy(), [[(3, 4)], [()]]),
    Row("expand_dims", lambda T_, x: T_.expand_dims(x, (0, -1)), lambda x: np.expand_dims(x, (0, -1)), [[(3, 4)]]),
    Row("moveaxis", lambda T_, x: T_.moveaxis(x, 0, -1), lambda x: np.moveaxis(x, 0, -1), [[(2, 3, 4)]]),
    Row("broadcast_to", lambda T_, x: T_.broadcast_to(x, (2, 3, 4)), lambda x: np.broadcast_to(x, (2, 3, 4)),
        [[(3, 1)], [(4,)]]),
    Row("full", lambda T_, x: T_.full((2, 3), 1.5, dtype=x.dtype) * T_.sum(x),
        lambda x: np.full((2, 3), 1.5, dtype=x.dtype) * np.sum(x), [[(4,)]]),
    Row("empty", lambda T_, x: T_.empty((2, 3), dtype=x.dtype) + x, lambda x: np.zeros((2, 3), x.dtype) + x,
        [[(3,)]]),
    Row("linspace", lambda T_, x: T_.linspace(-1, 2, 7, dtype=x.dtype) * T_.sum(x),
        lambda x: np.linspace(-1, 2, 7).astype(x.dtype) * np.sum(x), [[(3,)]]),
    Row("mgrid", lambda T_, x: T_.mgrid[0:3, 1:x.shape[0]] * T_.sum(x), lambda x: np.mgrid[0:3, 1:len(x)] * np.sum(x),
        [[(5,)]], same_dtype=False),
    Row("ogrid", lambda T_, x: T_.ogrid[0:3, 0:4][1] * x, lambda x: np.ogrid[0:3, 0:4][1] * x, [[(3, 4)]],
        same_dtype=False),
    Row("bartlett", lambda T_, x: T_.bartlett(x.shape[0] + 1) * T_.sum(x),
        lambda x: np.bartlett(len(x) + 1) * np.sum(x), [[(5,)], [(1,)], [(0,)]], same_dtype=False),
    Row("nonzero", lambda T_, x: T_.nonzero(T_.gt(x, 0), return_matrix=True),
        lambda x: np.array(np.nonzero(x > 0)), [[(9,)], [(3, 4)]], grad=False, same_dtype=False),
    Row("flatnonzero", lambda T_, x: T_.flatnonzero(T_.gt(x, 0)), lambda x: np.flatnonzero(x > 0),
        [[(3, 4)]], grad=False, same_dtype=False),
    Row("nonzero_values", lambda T_, x: T_.nonzero_values(x * T_.gt(x, 0)), lambda x: x[x > 0], [[(3, 4)]]),
    Row("take", lambda T_, x: T_.take(x, [[0, 2], [1, 1]], axis=1), lambda x: np.take(x, [[0, 2], [1, 1]], axis=1),
        [[(3, 4)], [(2, 3, 2)]],
        bad=[(lambda T_: T_.take(T_.matrix(), [0], mode="up"), ValueError, "take: mode must be"),
             (lambda T_: T_.take(T_.matrix(), [0.5]), TypeError, "take: indices must be integers")]),
    Row("repeat", lambda T_, x: T_.repeat(x, [2, 0, 1], axis=0), lambda x: np.repeat(x, [2, 0, 1], axis=0),
        [[(3,)], [(3, 4)]],
        bad=[(lambda T_: T_.repeat(T_.matrix(), 1.5), TypeError, "repeat: repeats must be an integer")]),
    Row("roll", lambda T_, x: T_.roll(x, -4, axis=-1), lambda x: np.roll(x, -4, axis=-1), [[(5,)], [(3, 4)]]),
    Row("tile", lambda T_, x: T_.tile(x, (2, 1, 3)), lambda x: np.tile(x, (2, 1, 3)), [[(3, 4)], [(2,)]]),
    Row("split", lambda T_, x: T_.split(x, [1, 2, 0, 1], 4, axis=0)[1] * 2 + T_.split(x, [3, 1], 2)[1].sum(),
        lambda x: np.split(x, [1, 3, 3], axis=0)[1] * 2 + x[3:].sum(), [[(4,)], [(4, 3)]]),
    Row("bincount", lambda T_, x: T_.bincount(_idx(T_, x, 6), x, minlength=8),
        lambda x: np.bincount(_np_idx(x, 6), x, minlength=8), [[(20,)]], same_dtype=False,
        bad=[(lambda T_: T_.bincount(T_.vector()), TypeError, "bincount: x must be an integer vector")]),
    Row("diagonal", lambda T_, x: T_.diagonal(x, -1, 2, 0), lambda x: np.diagonal(x, -1, 2, 0), [[(3, 2, 4)]],
        bad=[(lambda T_: T_.diagonal(T_.vector()), ValueError, "diagonal: needs at least 2 dimensions")]),
    Row("diag", lambda T_, x: T_.diag(x, 1), lambda x: np.diag(x, 1), [[(4,)], [(3, 5)]]),
    Row("trace", lambda T_, x: T_.trace(x, 1), lambda x: np.trace(x, 1), [[(4, 5)], [(3, 2)]]),
    Row("fill_diagonal", lambda T_, x, y: T_.fill_diagonal(x, T_.sum(y)), lambda x, y: _fill_diag(x, np.sum(y)),
        [[(3, 5), (2,)], [(4, 2), ()]]),
    Row("fill_diagonal_offset", lambda T_, x, y: T_.fill_diagonal_offset(x, T_.sum(y), -1),
        lambda x, y: _fill_diag_offset(x, np.sum(y), -1), [[(4, 3), (2,)], [(3, 5), ()]]),
    Row("to_one_hot", lambda T_, x: T_.to_one_hot(_idx(T_, x, 4), 5, dtype=x.dtype),
        lambda x: np.eye(5, dtype=x.dtype)[_np_idx(x, 4)], [[(6,)]], grad=False),
    Row("unravel_index", lambda T_, x: T_.stack(T_.unravel_index(_idx(T_, x, 24), (2, 3, 4))),
        lambda x: np.array(np.unravel_index(_np_idx(x, 24), (2, 3, 4))), [[(7,)]], grad=False, same_dtype=False),
    Row("ravel_multi_index", lambda T_, x: T_.ravel_multi_index([_idx(T_, x, 2), _idx(T_, x, 5)], (2, 5)),
        lambda x: np.ravel_multi_index([_np_idx(x, 2), _np_idx(x, 5)], (2, 5)), [[(7,)]], grad=False,
        same_dtype=False),
    Row("inverse_permutation", lambda T_, x: T_.inverse_permutation(T_.argsort(x)),
        lambda x: np.argsort(np.argsort(x, kind="stable"), kind="stable"), [[(7,)], [(3, 5)]], grad=False),
    Row("choose", lambda T_, x, y: T_.choose(_idx(T_, x, 3), [x, y, 0.5]),
        lambda x, y: np.choose(_np_idx(x, 3), [x, y, 0.5]), [[(6,), (6,)], [(3, 4), (1, 4)]], same_dtype=False),
    Row("cov", lambda T_, x: T_.cov(x), np.cov, [[(3, 6)], [(5,)]], same_dtype=False, rtol=1e-5),
    Row("batched_dot", lambda T_, a, b: T_.batched_dot(a, b), lambda a, b: np.matmul(a, b),
        [[(2, 3, 4), (2, 4, 5)]]),
]

ROWS += [
    # complex numbers, built from real inputs so that values and gradients are checked through them
    Row("complex", lambda T_, a, b: T_.complex(a, b) * T_.complex(b, a), lambda a, b: (a + 1j * b) * (b + 1j * a),
        [[(3, 4), (3, 4)], [(3, 4), (1, 4)]], grad=False),
    Row("real", lambda T_, a, b: T_.real(T_.complex(a, b) * T_.complex(b, a * a)),
        lambda a, b: np.real((a + 1j * b) * (b + 1j * a * a)), [[(5,), (5,)], [(2, 3), ()]]),
    Row("imag", lambda T_, a, b: T_.imag(T_.complex(a, b) * T_.complex(b, 0.5)) + T_.imag(a),
        lambda a, b: np.imag((a + 1j * b) * (b + 0.5j)) + np.imag(a), [[(5,), (5,)]]),
    Row("conj", lambda T_, a, b: T_.real(T_.conj(T_.complex(a, b)) * T_.complex(b, a)) + T_.conj(a),
        lambda a, b: np.real(np.conj(a + 1j * b) * (b + 1j * a)) + np.conj(a), [[(5,), (5,)]]),
    Row("angle", lambda T_, a, b: T_.angle(T_.complex(a, b)) + T_.angle(a),
        lambda a, b: np.angle(a + 1j * b) + np.angle(a), [[(6,), (6,)], [(2, 3), (3,)]], same_dtype=False),
    Row("complex_from_polar", lambda T_, r, t: T_.real(T_.complex_from_polar(r, t) * T_.complex(t, r)),
        lambda r, t: np.real(r * np.exp(1j * t) * (t + 1j * r)), [[(5,), (5,)]]),
    # special functions against SciPy (derivatives in x; none in orders or shape parameters)
    Row("erfinv", lambda T_, x: T_.erfinv(x), sp.erfinv, [[(30,)], [(3, 4)]], domain=(-0.999, 0.999)),
    Row("erfcinv", lambda T_, x: T_.erfcinv(x), sp.erfcinv, [[(30,)]], domain=(0.001, 1.999)),
    Row("erfcx", lambda T_, x: T_.erfcx(x), sp.erfcx, [[(30,)], [(2, 3)]], domain=(-3, 10)),
    Row("j0", lambda T_, x: T_.j0(x), sp.j0, [[(30,)]], domain=(-15, 15), rtol=1e-10),
    Row("j1", lambda T_, x: T_.j1(x), sp.j1, [[(30,)]], domain=(-15, 15), rtol=1e-10),
    Row("i0", lambda T_, x: T_.i0(x), sp.i0, [[(30,)]], domain=(-8, 8)),
    Row("i1", lambda T_, x: T_.i1(x), sp.i1, [[(30,)]], domain=(-8, 8)),
    Row("jv", lambda T_, v, x: T_.jv(v, x), sp.jv, [[(20,), (20,)], [(3, 1), (1, 4)]], domain=(-2.5, 2.5),
        grad=False, rtol=1e-10),
    Row("iv", lambda T_, v, x: T_.iv(v, x), sp.iv, [[(20,), (20,)], [(3, 1), (1, 4)]], domain=(-2.5, 2.5),
        grad=False, rtol=1e-10),
    Row("gammainc", lambda T_, k, x: T_.gammainc(k, x), sp.gammainc, [[(20,), (20,)], [(3, 1), (4,)]],
        domain=(0.05, 30), grad=False, rtol=1e-10),
    Row("gammaincc", lambda T_, k, x: T_.gammaincc(k, x), sp.gammaincc, [[(20,), (20,)]], domain=(0.05, 30),
        grad=False, rtol=1e-10),
    Row("gammal", lambda T_, k, x: T_.gammal(k, x), lambda k, x: sp.gammainc(k, x) * sp.gamma(k),
        [[(20,), (20,)]], domain=(0.05, 20), grad=False, rtol=1e-10),
    Row("gammau", lambda T_, k, x: T_.gammau(k, x), lambda k, x: sp.gammaincc(k, x) * sp.gamma(k),
        [[(20,), (20,)]], domain=(0.05, 20), grad=False, rtol=1e-10),
    Row("chi2sf", lambda T_, x, k: T_.chi2sf(x, k), lambda x, k: scipy.stats.chi2.sf(x, k).astype(x.dtype),
        [[(20,), (20,)]], domain=(0.05, 30), grad=False, rtol=1e-10),
    # gradients in x with the parameter fixed (k, v constants)
    Row("gammainc(2.5, x)", lambda T_, x: T_.gammainc(2.5, x) + T_.gammaincc(0.7, x) + T_.gammal(1.5, x) +
        T_.gammau(3.0, x) + T_.chi2sf(x, 3.0), lambda x: sp.gammainc(2.5, x) + sp.gammaincc(0.7, x) +
        sp.gammainc(1.5, x) * sp.gamma(1.5) + sp.gammaincc(3.0, x) * sp.gamma(3.0) + scipy.stats.chi2.sf(x, 3.0),
        [[(9,)]], domain=(0.1, 8), same_dtype=False, rtol=1e-5),
    Row("jv(1.5, x)", lambda T_, x: T_.jv(1.5, x) + T_.iv(-0.5, x) + T_.jv(-2, x),
        lambda x: sp.jv(1.5, x) + sp.iv(-0.5, x) + sp.jv(-2, x), [[(9,)]], domain=(0.2, 6), same_dtype=False,
        rtol=1e-5),
]

ROWS += [
    Row("median", lambda T_, x: T_.median(x, axis=1) + T_.median(x), lambda x: np.median(x, axis=1) + np.median(x),
        [[(3, 5)], [(2, 4)], [(3, 1)]], same_dtype=False, rtol=1e-6),
    # the functions that were there before the table (their elementwise rows live in test_elemwise.py)
    Row("sum", lambda T_, x: T_.sum(x, axis=(0, 2), keepdims=True), lambda x: np.sum(x, axis=(0, 2), keepdims=True),
        [[(2, 3, 4)], [(1, 3, 1)]],
        bad=[(lambda T_: T_.sum(T_.matrix(), axis=2), IndexError, "sum: axis 2 is out of bounds")]),
    Row("prod", lambda T_, x: T_.prod(x, axis=-1), lambda x: np.prod(x, axis=-1), [[(3, 4)], [(2, 3, 2)]]),
    Row("max", lambda T_, x: T_.max(x, axis=0), lambda x: np.max(x, axis=0), [[(5, 3)], [(4,)]]),
    Row("min", lambda T_, x: T_.min(x, axis=1, keepdims=True), lambda x: np.min(x, axis=1, keepdims=True),
        [[(5, 3)]]),
    Row("mean", lambda T_, x: T_.mean(x, axis=(1,)), lambda x: np.mean(x, axis=1), [[(3, 4)], [(2, 3, 4)]]),
    Row("var", lambda T_, x: T_.var(x, axis=0, ddof=1) + T_.var(x, keepdims=True),
        lambda x: np.var(x, axis=0, ddof=1) + np.var(x, keepdims=True), [[(4, 3)], [(5, 1)]], rtol=1e-5),
    Row("std", lambda T_, x: T_.std(x, axis=1, ddof=1, corrected=True) + T_.std(x),
        lambda x: np.std(x, axis=1, ddof=1) + np.std(x), [[(3, 5)]], rtol=1e-5),
    Row("argmax", lambda T_, x: T_.argmax(x, axis=1), lambda x: np.argmax(x, axis=1), [[(3, 5)]], grad=False,
        same_dtype=False),
    Row("argmin", lambda T_, x: T_.argmin(x, axis=0, keepdims=True), lambda x: np.argmin(x, axis=0, keepdims=True),
        [[(3, 5)]], grad=False, same_dtype=False),
    Row("max_and_argmax", lambda T_, x: T_.max_and_argmax(x, axis=1)[0] * T_.max_and_argmax(x, axis=1)[1],
        lambda x: np.max(x, axis=1) * np.argmax(x, axis=1), [[(3, 5)]]),
    Row("logsumexp", lambda T_, x: T_.logsumexp(x, axis=1), lambda x: np.log(np.sum(np.exp(x), axis=1)),
        [[(3, 5)], [(2, 3, 4)]]),
    Row("all", lambda T_, x: T_.all(T_.gt(x, -2), axis=1), lambda x: np.all(x > -2, axis=1), [[(4, 6)]],
        grad=False),
    Row("any", lambda T_, x: T_.any(T_.gt(x, 2), axis=0), lambda x: np.any(x > 2, axis=0), [[(4, 6)]], grad=False),
    Row("dot", lambda T_, a, b: T_.dot(a, b), np.dot, [[(3, 4), (4, 5)], [(4,), (4, 2)], [(3, 4), (4,)], [(4,), (4,)]],
        bad=[(lambda T_: T_.dot(T_.specify_shape(T_.matrix(), (2, 3)), T_.specify_shape(T_.matrix(), (4, 2))),
              ValueError, "3.*4|4.*3")]),
    Row("matmul", lambda T_, a, b: T_.matmul(a, b), np.matmul, [[(2, 3, 4), (2, 4, 5)], [(3, 4), (4, 2)]]),
    Row("outer", lambda T_, a, b: T_.outer(a, b), np.outer, [[(3,), (4,)]]),
    Row("tensordot", lambda T_, a, b: T_.tensordot(a, b, [[1, 2], [0, 1]]),
        lambda a, b: np.tensordot(a, b, [[1, 2], [0, 1]]), [[(2, 3, 4), (3, 4, 5)]]),
    Row("reshape", lambda T_, x: T_.reshape(x, (4, -1)), lambda x: np.reshape(x, (4, -1)), [[(2, 6)], [(8,)]]),
    Row("flatten", lambda T_, x: T_.flatten(x, 2), lambda x: x.reshape(x.shape[0], -1), [[(2, 3, 4)]]),
    Row("transpose", lambda T_, x: T_.transpose(x, (1, 2, 0)), lambda x: np.transpose(x, (1, 2, 0)), [[(2, 3, 4)]]),
    Row("dimshuffle", lambda T_, x: T_.dimshuffle(x, 1, "x", 0), lambda x: x.T[:, None, :], [[(2, 3)]]),
    Row("concatenate", lambda T_, a, b: T_.concatenate([a, b], axis=1), lambda a, b: np.concatenate([a, b], axis=1),
        [[(2, 3), (2, 4)]]),
    Row("join", lambda T_, a, b: T_.join(0, a, b, a), lambda a, b: np.concatenate([a, b, a]), [[(2, 3), (1, 3)]]),
    Row("stack", lambda T_, a, b: T_.stack([a, b], axis=1), lambda a, b: np.stack([a, b], axis=1),
        [[(2, 3), (2, 3)]]),
    Row("alloc", lambda T_, x: T_.alloc(x, 2, 3, 4), lambda x: np.broadcast_to(x, (2, 3, 4)), [[(4,)], [(3, 1)]]),
    Row("zeros", lambda T_, x: T_.zeros((2, 3), x.dtype) + x, lambda x: np.zeros((2, 3), x.dtype) + x, [[(3,)]]),
    Row("ones", lambda T_, x: T_.ones((2, 3), x.dtype) * x, lambda x: np.ones((2, 3), x.dtype) * x, [[(3,)]]),
    Row("zeros_like", lambda T_, x: T_.zeros_like(x) + 1, lambda x: np.zeros_like(x) + 1, [[(2, 3)]], grad=False),
    Row("ones_like", lambda T_, x: T_.ones_like(x) * 2, lambda x: np.ones_like(x) * 2, [[(2, 3)]], grad=False),
    Row("fill", lambda T_, x, v: T_.fill(x, T_.sum(v)), lambda x, v: np.full_like(x, np.sum(v)), [[(2, 3), (2,)]]),
    Row("arange", lambda T_, x: T_.arange(1, 7, 2, dtype=x.dtype) * x, lambda x: np.arange(1, 7, 2, dtype=x.dtype) * x,
        [[(3,)]], bad=[(lambda T_: T_.arange(0, 5, 0), ValueError, "step must not be zero")]),
    Row("eye", lambda T_, x: T_.eye(3, 4, 1, dtype=x.dtype) * x, lambda x: np.eye(3, 4, 1, dtype=x.dtype) * x,
        [[(3, 4)]]),
    Row("identity_like", lambda T_, x: T_.identity_like(x) * x, lambda x: np.eye(*x.shape, dtype=x.dtype) * x,
        [[(3, 4)]]),
    Row("cast", lambda T_, x: T_.cast(x * 10, "int16"), lambda x: (x * 10).astype("int16"), [[(5,)]], grad=False),
    Row("shape", lambda T_, x: T_.shape(x), lambda x: np.array(x.shape), [[(2, 3)]], grad=False, same_dtype=False),
    Row("shape_i", lambda T_, x: T_.shape_i(x, 1), lambda x: np.array(x.shape[1]), [[(2, 3)]], grad=False,
        same_dtype=False),
    Row("subtensor", lambda T_, x: T_.subtensor(x, (slice(1, None), [0, 2, 2])), lambda x: x[1:, [0, 2, 2]],
        [[(3, 4)]]),
    Row("set_subtensor", lambda T_, x, y: T_.set_subtensor(x[1:, [0, 2]], y), lambda x, y: _set(x, y),
        [[(3, 4), (2, 2)], [(3, 4), (2,)]]),
    Row("inc_subtensor", lambda T_, x, y: T_.inc_subtensor(x[[0, 0, 2]], y), lambda x, y: _inc(x, y),
        [[(3, 4), (3, 4)], [(3, 4), (4,)]]),
    Row("divide", lambda T_, a, b: T_.divide(a, b + 4), lambda a, b: np.divide(a, b + 4), [[(3,), (3,)]]),
    Row("floor_div", lambda T_, a, b: T_.floor_div(a, b + 4), lambda a, b: np.floor_divide(a, b + 4), [[(3,), (3,)]],
        grad=False),
    Row("ceil_intdiv", lambda T_, a, b: T_.ceil_intdiv(a, b * 0 + 3), lambda a, b: -np.floor_divide(-a, b * 0 + 3),
        [[(7,), (7,)], [(2, 3), (3,)]], dtypes=("int8", "int32", "int64"), grad=False, domain=(-9, 9)),
    Row("switch_", lambda T_, c, a: T_.switch_(T_.gt(c, 0), a, -a), lambda c, a: np.where(c > 0, a, -a),
        [[(3, 4), (1, 4)]]),
    Row("constant", lambda T_, x: T_.constant(np.arange(3.0), dtype=x.dtype) * x,
        lambda x: np.arange(3.0).astype(x.dtype) * x, [[(3,)]]),
    Row("as_tensor_variable", lambda T_, x: T_.as_tensor_variable([x, x * 2]),
        lambda x: np.stack([x, x * 2]), [[(3,)]]),
    Row("as_tensor", lambda T_, x: T_.as_tensor(np.ones(3, x.dtype)) + x, lambda x: np.ones(3, x.dtype) + x, [[(3,)]]),
]
ROWS += [
    Row("searchsorted", lambda T_, a, v: T_.searchsorted(T_.sort(a), v) + T_.searchsorted(a, v, "right", T_.argsort(a)),
        lambda a, v: np.searchsorted(np.sort(a), v) + np.searchsorted(a, v, "right", np.argsort(a)),
        [[(9,), (4,)], [(9,), (2, 3)]], grad=False, same_dtype=False,
        bad=[(lambda T_: T_.searchsorted(T_.matrix(), T_.vector()), ValueError, "searchsorted: a must be a vector"),
             (lambda T_: T_.searchsorted(T_.vector(), T_.vector(), side="up"), ValueError, "side must be")]),
    Row("unique", lambda T_, x: T_.unique(T_.round(x), True, True, True)[0] * 1000 +
        T_.sum(T_.unique(T_.round(x), True, True, True)[1]) + T_.sum(T_.unique(T_.round(x), True, True, True)[2] * 7)
        + T_.sum(T_.unique(T_.round(x), True, True, True)[3] * 100),
        lambda x: (lambda u, i, inv, c: u * 1000 + i.sum() + (inv * 7).sum() + (c * 100).sum())(
            *np.unique(np.round(x), True, True, True)), [[(12,)], [(3, 4)]], grad=False, same_dtype=False),
    Row("permute_row_elements", lambda T_, x: T_.permute_row_elements(x, T_.argsort(x[0] if x.ndim == 2 else x)),
        lambda x: x[..., np.argsort(x[0] if x.ndim == 2 else x, kind="stable")], [[(3, 5)], [(5,)]]),
    Row("permute_row_elements(inverse)", lambda T_, x: T_.permute_row_elements(x, T_.argsort(x), inverse=True),
        lambda x: np.take_along_axis(x, np.argsort(np.argsort(x, kind="stable"), kind="stable"), -1), [[(3, 5)]]),
    Row("batched_tensordot", lambda T_, a, b: T_.batched_tensordot(a, b, [[2, 1], [1, 3]]),
        lambda a, b: np.einsum("bijk,bjmi->bkm", a, b), [[(2, 3, 4, 5), (2, 4, 6, 3)]],
        bad=[(lambda T_: T_.batched_tensordot(T_.tensor3(), T_.tensor3(), [[0], [1]]), ValueError,
              "batched_tensordot: contract the same number of non-batch axes")]),
    Row("advanced_subtensor1", lambda T_, x: T_.advanced_subtensor1(x, [2, 0, 2]), lambda x: x[[2, 0, 2]],
        [[(3, 4)]]),
    Row("advanced_set_subtensor1", lambda T_, x, y: T_.advanced_set_subtensor1(x, y, [2, 0]),
        lambda x, y: _set_at(x, y, [2, 0]), [[(3, 4), (2, 4)], [(3, 4), (4,)]]),
    Row("advanced_inc_subtensor1", lambda T_, x, y: T_.advanced_inc_subtensor1(x, y, [2, 0, 2]),
        lambda x, y: _inc_at(x, y, [2, 0, 2]), [[(3, 4), (3, 4)]]),
    Row("advanced_subtensor", lambda T_, x: T_.advanced_subtensor(x, [0, 2], slice(1, None)),
        lambda x: x[[0, 2], 1:], [[(3, 4)]]),
    Row("advanced_set_subtensor", lambda T_, x, y: T_.advanced_set_subtensor(x, y, [0, 2], [1, 3]),
        lambda x, y: _set_at(x, y, ([0, 2], [1, 3])), [[(3, 4), (2,)]]),
    Row("advanced_inc_subtensor", lambda T_, x, y: T_.advanced_inc_subtensor(x, y, [0, 0], [1, 1]),
        lambda x, y: _inc_at(x, y, ([0, 0], [1, 1])), [[(3, 4), (2,)]]),
    Row("advanced_boolean_subtensor", lambda T_, x: T_.advanced_boolean_subtensor(x, T_.gt(x, 0)),
        lambda x: x[x > 0], [[(3, 4)]]),
    Row("advanced_boolean_set_subtensor", lambda T_, x: T_.advanced_boolean_set_subtensor(x, 0.5, T_.gt(x, 0)),
        lambda x: np.where(x > 0, 0.5, x).astype(x.dtype), [[(3, 4)]]),
    Row("advanced_boolean_inc_subtensor", lambda T_, x: T_.advanced_boolean_inc_subtensor(x, 1.5, T_.lt(x, 0)),
        lambda x: np.where(x < 0, x + 1.5, x).astype(x.dtype), [[(3, 4)]]),
    Row("divmod", lambda T_, a, b: T_.divmod(a, b + 4)[0] + T_.divmod(a, b + 4)[1],
        lambda a, b: np.floor_divide(a, b + 4) + np.mod(a, b + 4), [[(5,), (5,)]], grad=False),
    Row("scalar_from_tensor", lambda T_, x: T_.scalar_from_tensor(T_.sum(x)), np.sum, [[(3,)]]),
    Row("tensor_from_scalar", lambda T_, x: T_.tensor_from_scalar(x[0]), lambda x: x[0], [[(3,)]],
        bad=[(lambda T_: T_.tensor_from_scalar(T_.vector()), TypeError, "needs a 0-d tensor")]),
    Row("join_", lambda T_, a, b: T_.join_(1, a, b), lambda a, b: np.concatenate([a, b], 1), [[(2, 3), (2, 1)]]),
]


def _set_at(x, y, idx):
    x = x.copy()
    x[idx] = y
    return x


def _inc_at(x, y, idx):
    x = x.copy()
    np.add.at(x, idx, y)
    return x


for _alias, _of in (("bitwise_and", "and_"), ("bitwise_or", "or_"), ("bitwise_xor", "xor"), ("xor_", "xor"),
                    ("bitwise_not", "invert")):
    ROWS.append(Row(_alias, lambda T_, x, _a=_alias: (getattr(T_, _a)(T_.gt(x, 0), T_.lt(x, 1))
                                                       if _a != "bitwise_not" else T_.bitwise_not(T_.gt(x, 0))),
                    lambda x, _a=_alias: ({"bitwise_and": np.bitwise_and, "bitwise_or": np.bitwise_or}.get(
                        _a, np.bitwise_xor)(x > 0, x < 1) if _a != "bitwise_not" else ~(x > 0)),
                    [[(5,)]], grad=False))


def _set(x, y):
    x = x.copy()
    x[1:, [0, 2]] = y
    return x


def _inc(x, y):
    x = x.copy()
    np.add.at(x, [0, 0, 2], y if np.ndim(y) < 2 else y[:3])
    return x


# Public names that are not tensor functions, and the file that tests each kind.
NOT_FUNCTIONS = {
    "graph and gradient API (test_grad.py, test_gradient_api.py, test_rop.py)":
        "grad Lop Rop jacobian hessian verify_grad numeric_grad consider_constant grad_not_implemented grad_undefined",
    "graph helpers (test_graph_api.py)": "get_scalar_constant_value extract_constant numpy_scalar get_vector_length "
                                         "check_and_normalize_axes is_flat as_index_variable make_slice pprint",
    "files and targets (test_io.py)": "load transfer register_transfer",
    "slice arithmetic and Theano's None defaults (test_theano_modules.py)": "get_canonical_form_slice default",
    "type constructors (test_type_constructors below)": "scalar vector matrix row col tensor scalars vectors "
                                                        "matrices rows cols",
}
_TYPE_NAME = __import__("re").compile(r"^[bwilfdcz]?(scalar|vector|matri|row|col|tensor[3-7])(x|ces|s)?$")


# Names that are data rather than functions: checked by test_dtype_lists.
DATA = {"int_dtypes", "uint_dtypes", "integer_dtypes", "float_dtypes", "complex_dtypes", "continuous_dtypes",
        "discrete_dtypes", "all_dtypes", "int_types", "float_types", "complex_types", "int_scalar_types",
        "float_scalar_types", "complex_scalar_types", "int_vector_types", "float_vector_types",
        "complex_vector_types", "int_matrix_types", "float_matrix_types", "complex_matrix_types",
        "float16_atol", "float16_rtol", "float32_atol", "float32_rtol", "float64_atol", "float64_rtol",
        "python_all", "python_any", "python_complex"}


def test_every_function_has_a_row():
    """Every public function of theon.tensor has a row here or in test_elemwise's
    table (or is graph API / a type constructor, tested in their own files)."""
    import inspect
    from test_elemwise import ELEMWISE_TABLE
    rows = {r.name.split("(")[0] for r in ROWS} | {r[0] for r in ELEMWISE_TABLE} | {"abs_", "xor", "round"}
    other = set(" ".join(NOT_FUNCTIONS.values()).split())
    names = [n for n in dir(T) if not n.startswith("_") and callable(getattr(T, n))
             and not inspect.isclass(getattr(T, n)) and not inspect.ismodule(getattr(T, n))]
    missing = sorted(n for n in names if n not in rows and n not in DATA and n not in other
                     and not _TYPE_NAME.match(n))
    assert not missing, "no conformance row for %s" % missing


@pytest.mark.parametrize("name", [n for n in dir(T) if _TYPE_NAME.match(n)])
def test_type_constructors(name):
    kind = _TYPE_NAME.match(name).group(1).replace("matri", "matrix")
    prefix = name[0] if name[0] in "bwilfdcz" and not name.startswith(kind) else ""
    dtype = {"b": "int8", "w": "int16", "i": "int32", "l": "int64", "f": "float32", "d": "float64",
             "c": "complex64", "z": "complex128", "": theon.config.floatX}[prefix]
    ndim, bcast = {"scalar": (0, ()), "vector": (1, (False,)), "matrix": (2, (False, False)),
                   "row": (2, (True, False)), "col": (2, (False, True))}.get(kind, (None, None))
    if kind.startswith("tensor"):
        ndim, bcast = int(kind[-1]), (False,) * int(kind[-1])
    fn = getattr(T, name)
    if name.endswith("s"):
        vs = fn(2) if name != "tensor" else None
        vs = vs if isinstance(vs, (list, tuple)) else fn("a", "b")
        assert len(vs) == 2
        v = vs[0]
    else:
        v = fn("x")
    assert (v.dtype, v.ndim, tuple(v.broadcastable)) == (dtype, ndim, bcast), name


def _inputs(row, shapes, dtype, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.uniform(*row.domain, s).astype(dtype) for s in shapes]


def _cases():
    for row in ROWS:
        for dtype in row.dtypes:
            for k, shapes in enumerate(row.shapes):
                yield pytest.param(row, dtype, shapes, id="%s-%s-%d" % (row.name, dtype, k))


def _compile(tier, xs, out):
    """The function on one execution path: the VM after FAST_RUN's rewrites, the graph exactly as written
    (optimizer=None), or generated native code (FAST_RUN, native=wait): a kernel or rewrite that differs
    between them fails here."""
    if tier == "native":
        with change_flags(native="wait"):
            f = theon.function(xs, out)
        # a function with fused kernels runs them as native code wherever a compiler is
        assert not (f.native_source() and theon.config.cxx) or f.native_ready, f.native_source()[:2000]
        return f
    if tier == "no-rewrites":
        return theon.function(xs, out, mode=theon.compile.mode.Mode(optimizer=None))
    return theon.function(xs, out)


@pytest.mark.parametrize("tier", ["vm", "no-rewrites", "native"])
@pytest.mark.parametrize("row,dtype,shapes", list(_cases()))
def test_values_against_numpy(row, dtype, shapes, tier):
    vals = _inputs(row, shapes, dtype)
    xs = [T.tensor(dtype, [d == 1 for d in v.shape]) for v in vals]
    f = _compile(tier, xs, row.build(T, *xs))
    got = np.asarray(f(*vals))
    with np.errstate(all="ignore"):
        want = np.asarray(row.ref(*vals))
    assert got.shape == want.shape, (got.shape, want.shape)
    if row.same_dtype:
        assert got.dtype == want.dtype, (got.dtype, want.dtype)
    rtol = max(row.rtol or 0, 2e-6) if dtype == "float32" else (row.rtol or 1e-13)
    if got.dtype.kind in "biu":
        np.testing.assert_array_equal(got, want)
    else:
        np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol)


@pytest.mark.parametrize("row", [r for r in ROWS if r.grad], ids=lambda r: r.name)
def test_gradient_against_finite_differences(row):
    shapes = row.shapes[-1]
    vals = _inputs(row, shapes, "float64", seed=1)
    xs = [T.tensor("float64", [d == 1 for d in v.shape]) for v in vals]
    check_grad(lambda *a: row.build(T, *a), xs, vals)


@pytest.mark.parametrize("row,case", [(r, b) for r in ROWS for b in r.bad], ids=lambda v: getattr(v, "name", ""))
def test_bad_inputs(row, case):
    build, exc, match = case
    with pytest.raises(exc, match=match):
        build(T)


# Wrong dtypes, ranks, argument counts and options for the entry points without a row's `bad` list.
BAD_CALLS = [
    (lambda: T.erfinv(T.zvector()), TypeError, r"Elemwise\{erfinv\} is not defined for inputs of dtype complex128"),
    (lambda: T.jv(T.matrix()), TypeError, r"Elemwise\{jv\} takes 2 inputs, got 1"),
    (lambda: T.complex(T.zvector(), T.zvector()), TypeError, r"Elemwise\{complex\} is not defined"),
    (lambda: T.searchsorted(T.zvector(), T.zvector()), TypeError, "SearchSorted.*complex values have no order"),
    (lambda: T.moveaxis(T.matrix(), [0, 1], [0]), ValueError, "moveaxis: source and destination need the same"),
    (lambda: T.choose(T.lvector(), [T.vector()], mode="x"), ValueError, "choose: mode must be"),
    (lambda: T.choose(T.vector(), [T.vector()]), TypeError, "choose: a must be integers"),
    (lambda: T.median(T.matrix(), 4), ValueError, "median: axis 4 is out of range"),
    (lambda: T.expand_dims(T.matrix(), 5), ValueError, "expand_dims: axis 5 is out of range for 3 dimensions"),
    (lambda: T.tile(T.matrix(), (1.5, 2)), TypeError, "tile: reps must be integers"),
    (lambda: T.split(T.matrix(), [1, 2], 3), ValueError, "split: 2 sizes given for n_splits=3"),
    (lambda: T.bartlett(2.5), TypeError, "bartlett: M must be an integer scalar"),
    (lambda: T.sort(T.matrix(), axis=-3), IndexError, "sort: axis -3 is out of bounds"),
    (lambda: T.cumprod(T.scalar(), axis=0), IndexError, r"CumProd\{axis=0\}: axis 0 is out of bounds"),
    (lambda: T.unravel_index(T.lvector(), 5), TypeError, "unravel_index: dims must be a list or tuple"),
    (lambda: T.unravel_index(T.lvector(), (2,), order="X"), ValueError, "unravel_index: order must be"),
    (lambda: T.ravel_multi_index([T.lvector()], (3,), mode="zz"), ValueError, "ravel_multi_index: mode must be"),
    (lambda: T.diag(T.tensor3()), ValueError, "diag: needs a 1-d or 2-d input"),
    (lambda: T.fill_diagonal_offset(T.tensor3(), 1.0, 0), TypeError, "fill_diagonal_offset: needs a matrix"),
    (lambda: T.inverse_permutation(T.vector()), TypeError, "inverse_permutation: needs integers"),
    (lambda: T.permute_row_elements(T.matrix(), T.vector()), TypeError, "permute_row_elements: y must be integers"),
    (lambda: T.batched_dot(T.scalar(), T.matrix()), TypeError, "batched_dot: needs a batch axis"),
    (lambda: T.cov(T.matrix(), fweights=T.vector()), NotImplementedError, "cov: fweights and aweights"),
    (lambda: T.patternbroadcast(T.matrix(), (True,)), ValueError, "patternbroadcast: a pattern of 1"),
    (lambda: T.specify_shape(T.matrix(), (-1, 2)), ValueError, "specify_shape: negative length -1"),
    (lambda: T.specify_shape(T.specify_shape(T.matrix(), (2, 3)), (2, 4)), ValueError, "has length 3, not 4"),
    (lambda: T.repeat(T.matrix(), 2, axis=3), ValueError, "repeat: axis 3 is out of range"),
    (lambda: T.roll(T.matrix(), 1, axis=2), ValueError, "roll: axis 2 is out of range"),
    (lambda: T.get_vector_length(T.matrix()), TypeError, "get_vector_length: .* is not a vector"),
    (lambda: T.scalar_from_tensor(T.vector()), TypeError, "scalar_from_tensor: needs a 0-d tensor"),
]


@pytest.mark.parametrize("case", BAD_CALLS, ids=lambda c: c[2][:40])
def test_bad_calls(case):
    build, exc, match = case
    with pytest.raises(exc, match=match):
        build()


def test_dtype_lists():
    assert T.all_dtypes == T.discrete_dtypes + T.continuous_dtypes
    assert set(T.integer_dtypes) == {np.dtype(c).name for c in np.typecodes["AllInteger"] if c not in "pP"}
    assert [t().dtype for t in T.float_types] == ["float32", "float64"]
    assert [t().ndim for t in T.int_matrix_types] == [2] * 4
    assert T.python_all is all and T.float64_atol == 1e-8
    assert T.dtensor7("x").ndim == 7 and len(T.ftensor6s("a", "b")) == 2


def test_round_modes():
    x = T.dvector()
    v = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.49999999999999994, -0.49999999999999994])
    f = theon.function([x], [T.round(x, "half_away_from_zero"), T.round(x, "half_to_even"), T.round(x)])
    away, even, default = f(v)
    np.testing.assert_array_equal(away, [-3, -2, -1, 1, 2, 3, 0, -0.0])
    np.testing.assert_array_equal(even, np.round(v))
    np.testing.assert_array_equal(default, np.round(v))
    with pytest.raises(ValueError, match="round: mode must be"):
        T.round(x, "up")
