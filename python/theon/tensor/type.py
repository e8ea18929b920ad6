"""theano.tensor.type: TensorType and the value comparisons Theano code
installs as TensorType.values_eq_approx for outputs where inf or NaN are
expected."""
from .basic import TensorType  # noqa: F401
from .methods import _values_eq as values_eq, _values_eq_approx as values_eq_approx  # noqa: F401


def values_eq_approx_remove_inf(a, b):
    """values_eq_approx, ignoring the positions where a is infinite."""
    return values_eq_approx(a, b, allow_remove_inf=True)


def values_eq_approx_remove_nan(a, b):
    """values_eq_approx, ignoring the positions where a is NaN."""
    return values_eq_approx(a, b, allow_remove_nan=True)


def values_eq_approx_remove_inf_nan(a, b):
    """values_eq_approx, ignoring the positions where a is infinite or NaN."""
    return values_eq_approx(a, b, allow_remove_inf=True, allow_remove_nan=True)


def values_eq_approx_always_true(a, b):
    """Any two values are close enough (outputs whose value does not matter)."""
    return True


# Theano's switch: when true, arguments holding a NaN or an infinity are
# rejected (theon reads it in DebugMode's calls).
TensorType.filter_checks_isfinite = False


def _value_zeros(self, shape):
    """A zero array of this type's dtype and the given shape (Theano's TensorType.value_zeros)."""
    import numpy as np
    return np.zeros(shape, dtype=self.dtype)


TensorType.value_zeros = _value_zeros
