"""theon.shared: variables whose value lives across function calls."""
import numpy as np

from .. import _core
from ..configparser import config
from ..tensor import basic as B

SharedVariable = _core.TensorSharedVariable


def _filter_value(var, value, strict, allow_downcast):
    """Theano's TensorType.filter: exact dtype if strict, else safe (or allowed) casts."""
    dtype = var.dtype
    if isinstance(value, np.ndarray) and value.dtype == dtype:
        arr = value
    elif strict:
        raise TypeError("shared variable %s is strict: expected a numpy.ndarray of dtype %s, got %r"
                        % (var.name or "<unnamed>", dtype, type(value).__name__ if not hasattr(value, "dtype")
                           else value.dtype))
    else:
        if value is None or isinstance(value, (str, bytes, dict, set)):
            raise TypeError("shared variable %s of type %s cannot hold a value of type %s (%r)"
                            % (var.name or "<unnamed>", var.type, type(value).__name__, value))
        try:
            arr = np.asarray(value)
        except (TypeError, ValueError) as e:
            raise TypeError("shared variable %s of type %s cannot hold %r: %s"
                            % (var.name or "<unnamed>", var.type, value, e)) from None
        if arr.dtype == object or arr.dtype.kind in "USVM":
            raise TypeError("shared variable %s of type %s cannot hold a value of type %s (%r)"
                            % (var.name or "<unnamed>", var.type, type(value).__name__, value))
        if arr.dtype != dtype:
            converted = arr.astype(dtype)
            python_float = isinstance(value, float) and dtype == config.floatX
            safe = np.can_cast(arr.dtype, dtype, "safe") or (
                not isinstance(value, np.ndarray) and np.array_equal(converted, arr))
            if not (allow_downcast or python_float or safe):
                raise TypeError(
                    "shared variable %s of type %s cannot store a value of dtype %s without risking loss of "
                    "precision; cast the value to %s first, or create the shared variable with "
                    "allow_downcast=True" % (var.name or "<unnamed>", var.type, arr.dtype, dtype))
            arr = converted
    if arr.ndim != var.ndim:
        raise TypeError("shared variable %s of type %s expects %d dimensions, got a value of shape %s"
                        % (var.name or "<unnamed>", var.type, var.ndim, arr.shape))
    return arr


def _get_value(self, borrow=False, return_internal_type=False):
    v = self._get_value()
    return v if borrow else v.copy()


def _set_value(self, value, borrow=False):
    strict, allow_downcast = self.__dict__.get("_filter_flags", (False, None))
    arr = _filter_value(self, value, strict, allow_downcast)
    # Borrowed memory that NumPy marks read-only (a bytes buffer, a read-only
    # memmap) is copied: updates may be written into a shared value in place.
    if not borrow or arr is not value or not arr.flags.writeable:
        arr = np.array(arr, copy=True)
    self._set_value(arr)


SharedVariable.get_value = _get_value
SharedVariable.set_value = _set_value
SharedVariable.clone = lambda self: shared(self.get_value(), name=self.name)


def shared(value, name=None, strict=False, allow_downcast=None, borrow=False, broadcastable=None, **kwargs):
    """A shared variable holding `value` (copied unless borrow=True)."""
    if kwargs:
        raise TypeError("shared() got unexpected keyword arguments %s" % sorted(kwargs))
    if isinstance(value, B.TensorVariable):
        raise TypeError("shared() takes a value, not a symbolic variable; to give a symbolic variable a value, "
                        "use function(..., givens=...)")
    if isinstance(value, np.ndarray):
        arr = value
    else:
        arr = np.asarray(value)
        if arr.dtype == object or arr.dtype.kind in "US":
            raise TypeError("shared() cannot hold a value of type %s" % type(value).__name__)
    if arr.dtype == np.float16:
        arr = arr.astype("float32")
    if broadcastable is None:
        broadcastable = (False,) * arr.ndim
    if len(broadcastable) != arr.ndim:
        raise ValueError("shared(): broadcastable %s does not match a value of %d dimensions"
                         % (broadcastable, arr.ndim))
    for b, s in zip(broadcastable, arr.shape):
        if b and s != 1:
            raise ValueError("shared(): a broadcastable dimension must have size 1, value shape is %s" % (arr.shape,))
    if borrow and not arr.flags.writeable:
        borrow = False  # read-only memory is copied (see _set_value)
    v = _core.shared(arr, name, list(broadcastable), bool(borrow))
    v._filter_flags = (strict, allow_downcast)
    return v
