"""numpy.linalg's functions on symbolic tensors (Theano's theano.tensor.nlinalg).

Every function works on the last two axes; leading axes are a batch, as in
numpy.linalg. Inputs compute in float32 (float16, float32) or float64
(integers, float64). The factorizations run on LAPACK from the BLAS library
theon loads (the scipy-openblas32 wheel); every function has a gradient,
including those Theano 1.0 lacked (svd, qr, pinv, lstsq, eigh's vectors).
See docs/linalg.md."""
import warnings

import numpy as np

from . import basic as _b
from . import extra_ops as _x
from ._linalg_ops import _Builder, linalg, one_or_list, op_class

_as = _b.as_tensor_variable


def matrix_inverse(a):
    """The inverse of a square matrix (numpy.linalg.inv); LinAlgError when singular."""
    return linalg("Inv", a)[0]


inv = matrix_inverse


def pinv(a, rcond=1e-15):
    """The Moore-Penrose pseudo-inverse (numpy.linalg.pinv), from the SVD:
    singular values at most rcond * the largest count as zero."""
    return linalg("Pinv", a, rcond=float(rcond))[0]


def det(a):
    """The determinant (numpy.linalg.det), from the LU factorization."""
    return linalg("Det", a)[0]


def slogdet(a):
    """(sign, log|det|) of a square matrix (numpy.linalg.slogdet): no overflow
    where det would; sign 0 and log -inf when singular."""
    return tuple(linalg("SlogDet", a))


def _eig(a):
    """(w, v): the eigenvalues and right eigenvectors of a square matrix
    (numpy.linalg.eig). Both are complex, whatever the values (as in JAX:
    NumPy's dtype depends on the values, which a graph cannot know). No gradient."""
    return linalg("Eig", a)


def eigh(a, UPLO="L"):
    """(w, v) of a symmetric matrix (numpy.linalg.eigh): ascending eigenvalues
    and orthonormal eigenvectors, reading the lower (UPLO='L') or upper
    triangle. The gradient assumes distinct eigenvalues (it divides by their gaps)."""
    return linalg("Eigh", a, lower=_uplo(UPLO))


def eigvalsh(a, UPLO="L"):
    """The eigenvalues of a symmetric matrix, ascending (numpy.linalg.eigvalsh)."""
    return linalg("Eigh", a, lower=_uplo(UPLO), compute_v=False)[0]


def _uplo(UPLO):
    if UPLO not in ("L", "U"):
        raise ValueError("UPLO must be 'L' or 'U', got %r" % (UPLO,))
    return UPLO == "L"


def svd(a, full_matrices=1, compute_uv=1):
    """numpy.linalg.svd: (u, s, vt) or s. The gradient through u and vt needs
    full_matrices=False (or a square matrix) and distinct singular values."""
    return one_or_list(linalg("SVD", a, full_matrices=bool(full_matrices), compute_uv=bool(compute_uv)))


def qr(a, mode="reduced"):
    """numpy.linalg.qr: (q, r) for 'reduced' and 'complete', r for 'r', (h, tau)
    for 'raw'. Gradients for 'reduced', 'r' and square 'complete' with at
    least as many rows as columns."""
    if mode not in ("reduced", "complete", "r", "raw"):
        raise ValueError("qr: mode must be 'reduced', 'complete', 'r' or 'raw', got %r" % (mode,))
    return one_or_list(linalg("QR", a, mode=mode))


def _lstsq(a, b, rcond=-1):
    return linalg("Lstsq", a, b, rcond)


def matrix_dot(*args):
    """args[0] . args[1] . ... . args[-1]."""
    if not args:
        raise TypeError("matrix_dot: needs at least one matrix")
    r = _as(args[0])
    for a in args[1:]:
        r = _b.dot(r, a)
    return r


def matrix_power(M, n):
    """M raised to the integer power n (numpy.linalg.matrix_power), by
    repeated squaring; a negative n inverts first, n = 0 gives the identity."""
    M = _as(M)
    if int(n) != n:
        raise TypeError("matrix_power: the exponent must be an integer, got %r" % (n,))
    n = int(n)
    if M.ndim < 2:
        raise ValueError("matrix_power: needs a square matrix, got %s" % (M.type,))
    if n == 0:
        return _b.ones_like(M) * _b.eye(M.shape[-1], dtype=M.dtype)
    if n < 0:
        M, n = matrix_inverse(M), -n
    result, base = None, M
    while n:
        if n & 1:
            result = base if result is None else _b.matmul(result, base)
        n >>= 1
        if n:
            base = _b.matmul(base, base)
    return result


def norm(x, ord=None):
    """Theano's norm: vector norms (None, 'inf', '-inf', 0, other numbers) and
    matrix norms (None, 'fro', 'inf', '-inf', 1, -1; theon also takes 2, -2
    and 'nuc' through the singular values)."""
    x = _as(x)
    if x.ndim == 0:
        raise ValueError("norm: 'axis' entry is out of bounds (a scalar has no norm)")
    if isinstance(ord, float) and np.isinf(ord):
        ord = "inf" if ord > 0 else "-inf"
    if x.ndim == 1:
        if ord is None:
            return _b.sqrt(_b.sum(_b.sqr(x)))
        if ord == "inf":
            return _b.max(abs(x))
        if ord == "-inf":
            return _b.min(abs(x))
        if ord == 0:
            return _b.sum(_b.neq(x, 0)).astype(x.dtype if x.dtype.startswith("float") else "float64")
        if isinstance(ord, str):
            raise ValueError("norm: invalid norm order %r for vectors" % (ord,))
        return _b.sum(abs(x) ** ord) ** (1.0 / ord)
    if x.ndim == 2:
        if ord is None or ord == "fro":
            return _b.sqrt(_b.sum(_b.sqr(abs(x))))
        if ord == "inf":
            return _b.max(_b.sum(abs(x), axis=1))
        if ord == "-inf":
            return _b.min(_b.sum(abs(x), axis=1))
        if ord == 1:
            return _b.max(_b.sum(abs(x), axis=0))
        if ord == -1:
            return _b.min(_b.sum(abs(x), axis=0))
        if ord in (2, -2, "nuc"):
            s = svd(x, compute_uv=False)
            return _b.max(s) if ord == 2 else _b.min(s) if ord == -2 else _b.sum(s)
        raise ValueError("norm: invalid norm order %r for matrices" % (ord,))
    raise NotImplementedError("norm: tensors of more than 2 dimensions are not supported (got %s)" % (x.type,))


def _with_rank(x, ndim, needs):
    """x as a tensor of ndim dimensions, else TypeError: `needs`, got x's type."""
    x = _as(x)
    if x.ndim != ndim:
        raise TypeError("%s, got %s" % (needs, x.type))
    return x


def trace(X):
    """The sum of the diagonal of a matrix."""
    return _x.trace(_with_rank(X, 2, "trace: needs a matrix"))


def alloc_diag(x):
    """The square matrix with x on its diagonal."""
    return _x.diag(_with_rank(x, 1, "AllocDiag only works on vectors"))


def extract_diag(x):
    """The diagonal of a matrix (a copy)."""
    return _x.diagonal(_with_rank(x, 2, "ExtractDiag only works on matrices"))


def diag(x):
    """A vector's diagonal matrix, or a matrix's diagonal (numpy.diag without k)."""
    x = _as(x)
    if x.ndim == 1:
        return alloc_diag(x)
    if x.ndim == 2:
        return extract_diag(x)
    raise TypeError("diag requires a vector or matrix argument, got %s" % (x.type,))


def _prod(shape):
    r = _b.constant(1, dtype="int64")
    for s in shape:
        r = r * s
    return r


def tensorinv(a, ind=2):
    """numpy.linalg.tensorinv: the inverse of `a` for tensordot over its first
    `ind` axes; shape a.shape[ind:] + a.shape[:ind]."""
    a = _as(a)
    if not 0 < ind < a.ndim:
        raise ValueError("tensorinv: ind must be a positive integer below a.ndim, got %r" % (ind,))
    head, tail = [a.shape[i] for i in range(ind)], [a.shape[i] for i in range(ind, a.ndim)]
    m = _b.reshape(a, _b.stack([_prod(head), _prod(tail)]), 2)
    return _b.reshape(matrix_inverse(m), _b.stack(tail + head), a.ndim)


def tensorsolve(a, b, axes=None):
    """numpy.linalg.tensorsolve: x with tensordot(a, x, x.ndim) == b."""
    a, b = _as(a), _as(b)
    if axes is not None:
        axes = [ax % a.ndim for ax in axes]
        a = a.dimshuffle([k for k in range(a.ndim) if k not in axes] + axes)
    q = [a.shape[i] for i in range(b.ndim, a.ndim)]
    m = _b.reshape(a, _b.stack([_prod([b.shape[i] for i in range(b.ndim)]), _prod(q)]), 2)
    x = linalg("Solve", m, _b.flatten(b, 1))[0]
    return _b.reshape(x, _b.stack(q), a.ndim - b.ndim)


def _zero_disconnected(outputs, grads):
    """Theano's helper: each None gradient replaced by zeros like its output."""
    return [_b.zeros_like(o) if g is None else g for o, g in zip(outputs, grads)]


# ---- Theano's op classes ------------------------------------------------------------------

def _no_args(fn):
    def make():
        return _Builder(fn)
    return make


def _eig_op():
    return _Builder(_eig)


def _eigh_op(UPLO="L"):
    return _Builder(lambda a: eigh(a, UPLO), UPLO=UPLO)


def _qr_op(mode="reduced"):
    return _Builder(lambda a: qr(a, mode), mode=mode)


def _svd_op(full_matrices=True, compute_uv=True):
    return _Builder(lambda a: svd(a, full_matrices, compute_uv), full_matrices=full_matrices, compute_uv=compute_uv)


def _tensorinv_op(ind=2):
    return _Builder(lambda a: tensorinv(a, ind), ind=ind)


def _tensorsolve_op(axes=None):
    return _Builder(lambda a, b: tensorsolve(a, b, axes), axes=axes)


def _alloc_diag_op():
    def build(x):
        warnings.warn("theano.tensor.nlinalg.AllocDiag is deprecated, use theano.tensor.AllocDiag",
                      DeprecationWarning, stacklevel=3)
        return alloc_diag(x)
    return _Builder(build)


MatrixInverse = op_class("MatrixInverse", "Inv", make=_no_args(matrix_inverse))
MatrixPinv = op_class("MatrixPinv", "Pinv", make=_no_args(pinv))
Det = op_class("Det", "Det", make=_no_args(det))
SlogDet = op_class("SlogDet", "SlogDet", make=_no_args(slogdet))
Eig = op_class("Eig", "Eig", make=_eig_op)
Eigh = op_class("Eigh", "Eigh", make=_eigh_op, when=lambda p: p["compute_v"], base=Eig)
EighGrad = op_class("EighGrad", "", hint="theon's eigh gradient is a graph of products (no node of this class)")
QRFull = op_class("QRFull", "QR", make=_qr_op, when=lambda p: p["mode"] != "raw")
QRIncomplete = op_class("QRIncomplete", "QR", make=_qr_op, when=lambda p: p["mode"] == "r")
SVD = op_class("SVD", "SVD", make=_svd_op)
TensorInv = op_class("TensorInv", "Inv", make=_tensorinv_op)
TensorSolve = op_class("TensorSolve", "Solve", make=_tensorsolve_op)
AllocDiag = op_class("AllocDiag", "", make=_alloc_diag_op, hint="theon builds it from other ops")
ExtractDiag = op_class("ExtractDiag", "", make=_no_args(extract_diag), hint="theon builds it from other ops")


eig = Eig()  # an op instance, as Theano's eig was
eig.__doc__ = _eig.__doc__


class lstsq:
    """Theano's lstsq op class: ``lstsq()(a, b, rcond)`` gives numpy.linalg.lstsq's
    [x, residuals, rank, s]. residuals has one entry per column of b when a has
    full column rank and more rows than columns, none otherwise (its length is
    known only when the function runs); rcond < 0 means machine precision.
    The gradient flows through x (as pinv(a) b)."""

    def __call__(self, a, b, rcond=-1):
        return _lstsq(a, b, rcond)

    def __eq__(self, other):
        return type(other) is type(self)

    def __hash__(self):
        return hash(type(self))

    def make_node(self, a, b, rcond=-1):
        return self(a, b, rcond)[0].owner


__all__ = ["matrix_inverse", "inv", "pinv", "det", "slogdet", "eig", "eigh", "eigvalsh", "svd", "qr", "lstsq",
           "matrix_dot", "matrix_power", "norm", "trace", "alloc_diag", "extract_diag", "diag", "tensorinv",
           "tensorsolve", "MatrixInverse", "MatrixPinv", "Det", "SlogDet", "Eig", "Eigh", "EighGrad", "QRFull",
           "QRIncomplete", "SVD", "TensorInv", "TensorSolve", "AllocDiag", "ExtractDiag"]
