"""scipy.linalg's functions on symbolic tensors (Theano's theano.tensor.slinalg).

Cholesky factors, solves (general, symmetric, positive definite,
triangular, from a Cholesky factor), generalized symmetric eigenvalues,
the matrix exponential, Kronecker products, block diagonals and Lyapunov
equations; each with a gradient. Batched over leading axes like
theon.tensor.nlinalg. See docs/linalg.md."""
from ..scalar import upcast as _upcast
from . import basic as _b
from ._linalg_ops import _Builder, linalg, op_class

_as = _b.as_tensor_variable

MATRIX_STRUCTURES = ("general", "symmetric", "lower_triangular", "upper_triangular", "hermitian", "positive_definite")
_ASSUME_A = {"gen": "general", "general": "general", "sym": "symmetric", "symmetric": "symmetric",
             "her": "symmetric", "hermitian": "symmetric", "pos": "pos", "positive_definite": "pos",
             "lower_triangular": "lower_triangular", "upper_triangular": "upper_triangular"}


def cholesky(a, lower=True, on_error="raise"):
    """The Cholesky factor of a symmetric positive definite matrix: lower L
    with a = L L^T (lower=True) or upper U with a = U^T U. Reads that
    triangle of a. A matrix that is not positive definite raises LinAlgError
    (on_error='raise') or gives NaNs (on_error='nan')."""
    if on_error not in ("raise", "nan"):
        raise ValueError("cholesky: on_error must be 'raise' or 'nan', got %r" % (on_error,))
    return linalg("Cholesky", a, lower=bool(lower), nan_on_error=on_error == "nan")[0]


def solve(a, b, assume_a="gen", lower=False, transposed=False):
    """x with a x = b (scipy.linalg.solve). b is one vector when b.ndim == 1,
    else (..., n, k). assume_a: 'gen', 'sym', 'pos' (LAPACK reads the lower or
    upper triangle) or Theano's 'lower_triangular'/'upper_triangular';
    transposed=True solves a^T x = b. A singular a raises LinAlgError."""
    if assume_a not in _ASSUME_A:
        raise ValueError("solve: assume_a must be one of %s, got %r" % (", ".join(sorted(_ASSUME_A)), assume_a))
    return linalg("Solve", a, b, structure=_ASSUME_A[assume_a], lower=bool(lower), trans=bool(transposed))[0]


def solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False):
    """x with a x = b for triangular a (scipy.linalg.solve_triangular): trans
    0/'N' solves a x = b, 1/'T' (or 2/'C') a^T x = b."""
    if trans not in (0, 1, 2, "N", "T", "C"):
        raise ValueError("solve_triangular: trans must be 0, 1, 2, 'N', 'T' or 'C', got %r" % (trans,))
    t = trans in (1, 2, "T", "C")
    return linalg("Solve", a, b, structure="lower_triangular" if lower else "upper_triangular", trans=t,
                  unit_diagonal=bool(unit_diagonal))[0]


def solve_lower_triangular(a, b):
    """x with a x = b for lower triangular a (Theano's name)."""
    return solve_triangular(a, b, lower=True)


def solve_upper_triangular(a, b):
    """x with a x = b for upper triangular a (Theano's name)."""
    return solve_triangular(a, b, lower=False)


def solve_symmetric(a, b):
    """x with a x = b for symmetric a, reading its lower triangle (Theano's name)."""
    return solve(a, b, assume_a="sym")


def cho_solve(c_and_lower, b):
    """x with a x = b given a's Cholesky factor: c_and_lower = (c, lower) as
    scipy.linalg.cho_factor returns it."""
    c, lower = c_and_lower
    return linalg("ChoSolve", c, b, lower=bool(lower))[0]


def cho_factor(a, lower=False):
    """(c, lower) for cho_solve: the Cholesky factor (the other triangle zeroed)."""
    return cholesky(a, lower=lower), lower


def eigvalsh(a, b=None, lower=True):
    """The eigenvalues of symmetric a, ascending; with b (symmetric positive
    definite) those of the generalized problem a v = w b v
    (scipy.linalg.eigvalsh)."""
    if b is not None and getattr(b, "data", 0) is None:  # Theano's NoneConst
        b = None
    if b is None:
        return linalg("Eigh", a, lower=bool(lower), compute_v=False)[0]
    return linalg("Eigh", a, b, lower=bool(lower), compute_v=False)[0]


def expm(a):
    """The matrix exponential (scipy.linalg.expm): Higham's scaling and squaring
    with a degree-13 Pade approximant, in float64. Its gradient is a block of
    the exponential of a 2n x 2n matrix."""
    return linalg("Expm", a)[0]


def kron(a, b):
    """The Kronecker product, as scipy.linalg.kron (which differs from numpy.kron
    when the inputs are not both matrices): a.ndim + b.ndim - 2 dimensions."""
    a, b = _as(a), _as(b)
    if a.ndim + b.ndim <= 2:
        raise TypeError("kron: the inputs' dimensions must sum to 3 or more, got %d and %d" % (a.ndim, b.ndim))
    o = _b.outer(a, b)
    o = _b.reshape(o, _b.concatenate([a.shape, b.shape]), a.ndim + b.ndim)
    if o.ndim == 3:
        return _b.flatten(o.dimshuffle(1, 0, 2), 1)
    shf = o.dimshuffle(0, 2, 1, *range(3, o.ndim))
    shape = [shf.shape[0] * shf.shape[1], shf.shape[2] * shf.shape[3]] + [shf.shape[i] for i in range(4, o.ndim)]
    return _b.reshape(shf, _b.stack(shape), len(shape))


def block_diag(*arrs):
    """The block diagonal matrix of the given matrices (scipy.linalg.block_diag)."""
    if not arrs:
        raise TypeError("block_diag: needs at least one matrix")
    arrs = [_as(x) for x in arrs]
    for x in arrs:
        if x.ndim != 2:
            raise TypeError("block_diag: every input must be a matrix, got %s" % (x.type,))
    dtype = _upcast(*[x.dtype for x in arrs])
    cols = [x.shape[1] for x in arrs]
    rows = []
    for i, x in enumerate(arrs):
        parts = [_b.zeros([x.shape[0], c], dtype) if j != i else _b.cast(x, dtype) for j, c in enumerate(cols)]
        rows.append(_b.concatenate(parts, axis=1))
    return _b.concatenate(rows, axis=0)


def solve_continuous_lyapunov(a, q):
    """x with a x + x a^H = q (scipy.linalg.solve_continuous_lyapunov), as one
    n^2 x n^2 solve: for small n (the cost grows as n^6)."""
    a, q = _as(a), _as(q)
    n = a.shape[0]
    eye = _b.eye(n, dtype=a.dtype)
    m = kron(eye, a) + kron(a, eye)
    x = solve(m, _b.flatten(q, 1))
    return _b.reshape(x, _b.stack([n, n]), 2)


def solve_discrete_lyapunov(a, q):
    """x with a x a^H - x + q = 0 (scipy.linalg.solve_discrete_lyapunov,
    method='direct'): one n^2 x n^2 solve, for small n."""
    a, q = _as(a), _as(q)
    n = a.shape[0]
    m = _b.eye(n * n, dtype=a.dtype) - kron(a, a)
    x = solve(m, _b.flatten(q, 1))
    return _b.reshape(x, _b.stack([n, n]), 2)


# ---- Theano's op classes ------------------------------------------------------------------

def _cholesky_op(lower=True, on_error="raise"):
    build = lambda a: cholesky(a, lower, on_error)  # noqa: E731 (checked now, as Theano's __init__ did)
    if on_error not in ("raise", "nan"):
        raise ValueError("Cholesky: on_error must be 'raise' or 'nan', got %r" % (on_error,))
    return _Builder(build, lower=lower, on_error=on_error, destructive=False)


def _solve_op(A_structure="general", lower=False, overwrite_A=False, overwrite_b=False):
    if A_structure not in MATRIX_STRUCTURES:
        raise ValueError("Invalid matrix structure argument", A_structure)
    assume = {"hermitian": "sym", "positive_definite": "pos"}.get(A_structure, A_structure)
    return _Builder(lambda a, b: solve(a, b, assume, lower), A_structure=A_structure, lower=lower,
                    overwrite_A=overwrite_A, overwrite_b=overwrite_b)


def _eigvalsh_op(lower=True):
    return _Builder(lambda a, b=None: eigvalsh(a, b, lower), lower=lower)


def _no_args(fn):
    def make():
        return _Builder(fn)
    return make


_GRAPH = "theon's gradient is a graph of linalg nodes and products (no node of this class)"
Cholesky = op_class("Cholesky", "Cholesky", make=_cholesky_op)
CholeskyGrad = op_class("CholeskyGrad", "", hint=_GRAPH)
Solve = op_class("Solve", "Solve", make=_solve_op)
CholeskySolve = op_class("CholeskySolve", "ChoSolve", make=lambda lower=True: _Builder(
    lambda c, b: cho_solve((c, lower), b), lower=lower))
Eigvalsh = op_class("Eigvalsh", "Eigh", make=_eigvalsh_op, when=lambda p: not p["compute_v"])
EigvalshGrad = op_class("EigvalshGrad", "", hint=_GRAPH)
Expm = op_class("Expm", "Expm", make=_no_args(expm))
ExpmGrad = op_class("ExpmGrad", "", hint=_GRAPH)

__all__ = ["cholesky", "solve", "solve_triangular", "solve_lower_triangular", "solve_upper_triangular",
           "solve_symmetric", "cho_solve", "cho_factor", "eigvalsh", "expm", "kron", "block_diag",
           "solve_continuous_lyapunov", "solve_discrete_lyapunov", "MATRIX_STRUCTURES", "Cholesky", "CholeskyGrad",
           "Solve", "CholeskySolve", "Eigvalsh", "EigvalshGrad", "Expm", "ExpmGrad"]
