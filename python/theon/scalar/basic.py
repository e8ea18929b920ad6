"""theano.scalar.basic: where Theano defined its scalar types and ops; the
same names as theon.scalar, and the NumPy helpers Theano's tests used."""
import numpy as _np

from .. import scalar as _scalar

globals().update({k: v for k, v in vars(_scalar).items() if not k.startswith("__")})


def round_half_away_from_zero_vec(a):
    """NumPy's reference for round_half_away_from_zero: halves go away from zero."""
    a = _np.asarray(a)
    return _np.where(a >= 0, _np.floor(a + 0.5), _np.ceil(a - 0.5)).astype(a.dtype)
