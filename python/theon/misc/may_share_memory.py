"""theano.misc.may_share_memory: whether two values may use the same memory
(NumPy arrays, and SciPy sparse matrices through their data arrays)."""
import numpy as np


def _arrays(x):
    """The arrays holding x's values, or None when x is not an array or a sparse matrix."""
    if isinstance(x, np.ndarray):
        return [x]
    try:
        import scipy.sparse as sp
    except ImportError:  # pragma: no cover
        return None
    if sp.issparse(x):
        return [getattr(x, n) for n in ("data", "indices", "indptr", "row", "col", "offsets") if hasattr(x, n)]
    return None


def may_share_memory(a, b, raise_other_type=True):
    """True when a and b (arrays or sparse matrices) may share memory; for
    other values a TypeError, or False when raise_other_type is False."""
    aa, bb = _arrays(a), _arrays(b)
    if aa is None or bb is None:
        if raise_other_type:
            raise TypeError("may_share_memory: expected NumPy arrays or SciPy sparse matrices, got %s and %s"
                            % (type(a).__name__, type(b).__name__))
        return False
    return any(np.may_share_memory(x, y) for x in aa for y in bb)
