"""theon.shared: variables whose value lives across function calls."""
import copy
import numbers

import numpy as np

from .. import _core
from ..configparser import config
from ..tensor import basic as B

from ..gof.type import Generic, generic  # noqa: F401  (Theano's compile.sharedvalue.generic)

_TensorShared = _core.TensorSharedVariable


class _SharedVariableClass(type):
    """isinstance(v, SharedVariable) holds for theon's tensor shared variables
    (C++ objects) and for generic ones."""

    def __instancecheck__(cls, obj):
        return (cls is SharedVariable and isinstance(obj, _TensorShared)) or type.__instancecheck__(cls, obj)

    def __subclasscheck__(cls, sub):
        return (cls is SharedVariable and issubclass(sub, _TensorShared)) or type.__subclasscheck__(cls, sub)


class SharedVariable(metaclass=_SharedVariableClass):
    """A shared variable made with Theano's constructor arguments.

    ``SharedVariable(name, type, value, strict, allow_downcast)`` gives a
    TensorSharedVariable when `type` is a TensorType (the value converted to
    it, as set_value would), else a generic shared variable. Every shared
    variable is an instance of this class (``isinstance(theon.shared(v),
    SharedVariable)``); ``theon.shared`` is the usual way to make one.
    """

    def __new__(cls, name, type, value, strict, allow_downcast=None, container=None):
        if cls is SharedVariable and isinstance(type, B.TensorType):
            arr = _filter_value(_Target(name, type), value, strict, allow_downcast)
            v = _core.shared(np.array(arr, copy=True), name, list(type.broadcastable), True)
            v._filter_flags = (strict, allow_downcast)
            return v
        return object.__new__(GenericSharedVariable)


class _Target(object):
    """What _filter_value reads of a shared variable, for one not made yet."""

    def __init__(self, name, type):
        self.name, self.type, self.dtype, self.ndim = name, type, type.dtype, type.ndim


class _Storage(object):
    """container.storage: a one-element list whose element is the value."""

    def __init__(self, var):
        self._var = var

    def __getitem__(self, i):
        if i not in (0, -1):
            raise IndexError("a container's storage holds one value")
        return self._var.get_value(borrow=True, return_internal_type=True)

    def __setitem__(self, i, value):
        if i not in (0, -1):
            raise IndexError("a container's storage holds one value")
        self._var.set_value(value, borrow=True)

    def __len__(self):
        return 1


class Container(object):
    """Theano's container of a shared value: .value (the value itself, set
    through the variable's filter) and .storage ([value])."""

    def __init__(self, var):
        self._var = var
        self.storage = _Storage(var)
        self.name = var.name
        self.type = var.type

    @property
    def value(self):
        return self.storage[0]

    @value.setter
    def value(self, v):
        self.storage[0] = v

    def __repr__(self):
        return "<%r>" % (self.value,)


class _StringValueError(TypeError, ValueError):
    """A string given as a tensor's value: a TypeError as theon's other bad
    values, and the ValueError Theano raised (NumPy cannot convert it)."""


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
        if isinstance(value, (str, bytes)):
            raise _StringValueError("shared variable %s of type %s cannot hold the string %r"
                             % (var.name or "<unnamed>", var.type, value))
        if value is None or isinstance(value, (dict, set)):
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


def _same_array(a, b):
    return (a.__array_interface__["data"][0] == b.__array_interface__["data"][0] and a.shape == b.shape
            and a.strides == b.strides and a.dtype == b.dtype)


def _get_value(self, borrow=False, return_internal_type=False):
    codec = self.__dict__.get("_codec")
    if codec is not None and not return_internal_type:
        # A value stored as a tensor (a RandomState's words) read back as its object.
        return codec.decode(self._get_value())
    v = self._get_value()
    if not borrow:
        return v.copy()
    lent = self.__dict__.get("_lent")
    # The array object given to set_value(borrow=True) while it is still the value (Theano returned it as is).
    return lent if lent is not None and _same_array(lent, v) else v


def _set_value(self, value, borrow=False):
    codec = self.__dict__.get("_codec")
    if codec is not None:  # an object (or its words, validated by a round trip) stored as a tensor
        value = codec.encode(value if not isinstance(value, np.ndarray) else codec.decode(value))
    strict, allow_downcast = self.__dict__.get("_filter_flags", (False, None))
    arr = _filter_value(self, value, strict, allow_downcast)
    # Borrowed memory that NumPy marks read-only (a bytes buffer, a read-only
    # memmap) is copied: updates may be written into a shared value in place.
    if not borrow or arr is not value or not arr.flags.writeable:
        arr = np.array(arr, copy=True)
    self._set_value(arr)
    self.__dict__["_lent"] = arr if borrow and arr is value else None


_TensorShared.get_value = _get_value
_TensorShared.set_value = _set_value
_TensorShared.clone = lambda self: shared(self.get_value(), name=self.name)
_TensorShared.container = property(Container)


class GenericSharedVariable(SharedVariable):
    """A shared variable of any Python object (type generic), as Theano made
    for values that are not arrays or numbers. It keeps a value across
    calls; theon's functions compute on tensors, so it cannot be used in a
    graph."""

    def __init__(self, name, type, value, strict, allow_downcast=None, container=None):
        self.name = name
        self.type = generic
        self._value = value
        self.default_update = None

    def get_value(self, borrow=False, return_internal_type=False):
        return self._value if borrow else copy.deepcopy(self._value)

    def set_value(self, value, borrow=False):
        self._value = value if borrow else copy.deepcopy(value)

    @property
    def container(self):
        return Container(self)

    def clone(self):
        return GenericSharedVariable(self.name, generic, self._value, False)

    def __reduce__(self):  # __new__ takes Theano's constructor arguments
        state = dict(self.__dict__)
        return GenericSharedVariable, (self.name, generic, state.pop("_value"), False), state

    def __array__(self, *args, **kwargs):
        raise TypeError("the shared variable %s holds a Python object (type generic): theon computes on tensors, "
                        "so it cannot be used in an expression" % (self.name or "<unnamed>"))

    def __repr__(self):
        return "GenericSharedVariable(%s)" % (self.name or repr(self._value),)


def shared(value, name=None, strict=False, allow_downcast=None, borrow=False, broadcastable=None, **kwargs):
    """A symbolic variable whose value is stored with it, shared by the functions that use it.

    Parameters
    ----------
    value : array_like or object
        The initial value. Arrays and numbers give a TensorSharedVariable;
        other objects a generic shared variable.
    name : str, optional
        The variable's name.
    strict : bool, optional
        ``set_value`` must then get exactly the variable's dtype.
    allow_downcast : bool, optional
        Let ``set_value`` lose precision when converting.
    borrow : bool, optional
        Use value's memory instead of a copy (the array may then change when
        functions update the variable).
    broadcastable : tuple of bool, optional
        The broadcast pattern; no axis broadcasts by default.

    Returns
    -------
    TensorSharedVariable
        ``get_value()`` and ``set_value()`` read and write its value;
        ``theon.function(..., updates=...)`` changes it.

    Examples
    --------
    >>> import numpy as np
    >>> import theon
    >>> w = theon.shared(np.zeros(3), name='w')
    >>> w.get_value().shape
    (3,)
    """
    if kwargs:
        raise TypeError("shared() got unexpected keyword arguments %s" % sorted(kwargs))
    if isinstance(value, B.TensorVariable):
        raise TypeError("shared() takes a value, not a symbolic variable; to give a symbolic variable a value, "
                        "use function(..., givens=...)")
    if isinstance(value, np.random.RandomState):
        # Theano's randomstate_constructor: a state a RandomFunction draw can take.
        from ..tensor.raw_random import random_state_shared
        return random_state_shared(value, name=name, borrow=borrow)
    if isinstance(value, np.ndarray):
        arr = value
        if arr.dtype == object or arr.dtype.kind in "USV":
            raise TypeError("shared() cannot hold an array of dtype %s" % arr.dtype)
    elif isinstance(value, (numbers.Number, np.number, np.bool_)):
        arr = np.asarray(value)
    else:
        # Not an array or a number (a list, a string, any object): a generic
        # shared variable, as Theano's shared() made.
        if broadcastable is not None:
            raise TypeError("shared(): broadcastable is for arrays, got a value of type %s" % type(value).__name__)
        return GenericSharedVariable(name, generic, value if borrow else copy.deepcopy(value), strict,
                                     allow_downcast)
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
