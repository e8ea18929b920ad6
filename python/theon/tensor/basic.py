"""theon.tensor: Theano's tensor namespace over the C++ core.

This module converts arguments and names things; every op, its type rules and
its gradient live in C++.
"""
import builtins
import functools
import inspect
import operator
import numbers

import numpy as np

from .. import _core
from .._errors import AsTensorError
from . import _elemwise_doc
from ..configparser import config

TensorType = _core.TensorType
TensorVariable = _core.TensorVariable
TensorConstant = _core.TensorConstant
TensorSharedVariable = _core.TensorSharedVariable
Variable = TensorVariable


from .apply_node import Apply  # noqa: E402,F401  (Theano's node class: its own module)


_INT_DTYPES = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")
_DISCRETE = _INT_DTYPES + ("bool",)


def _is_int(v):
    """Whether the variable has an integer (not bool) dtype."""
    return v.dtype in _INT_DTYPES


# ---- Python values to constants (Theano's NumpyAutocaster) ---------------------

def _autocast_int(x):
    if config.cast_policy == "numpy+floatX":
        return np.asarray(x)
    for dt in ("int8", "int16", "int32", "int64", "uint64"):
        if np.iinfo(dt).min <= x <= np.iinfo(dt).max:
            return np.asarray(x, dtype=dt)
    raise TypeError("the Python int %d does not fit in any integer dtype (int64 or uint64)" % (x,))


class _AutocastFloat(object):
    """How a Python float becomes a constant (theano.scalar.autocast_float):
    with `dtypes` set (autocast_float_as), the first of them that holds it
    exactly (else the last); otherwise by config.floatX (below)."""
    dtypes = None


autocast_float = _AutocastFloat()


class autocast_float_as(object):
    """with autocast_float_as('float32', 'float64'): Python floats become the
    first of these dtypes that holds them exactly (Theano's context manager)."""

    def __init__(self, *dtypes):
        for d in dtypes:
            if d not in ("float16", "float32", "float64"):
                raise ValueError("autocast_float_as: %r is not a float dtype" % (d,))
        self.dtypes = tuple(dtypes)

    def __enter__(self):
        self.old, autocast_float.dtypes = autocast_float.dtypes, self.dtypes
        return self

    def __exit__(self, *exc):
        autocast_float.dtypes = self.old


def _autocast_float(x):
    if config.cast_policy == "numpy+floatX":
        return np.asarray(x, dtype=config.floatX)
    dtypes = autocast_float.dtypes or ("float16", "float32", "float64")
    if config.floatX in dtypes and config.floatX != "float64":  # Theano's deliberate downcast to floatX
        return np.asarray(x, dtype=config.floatX)
    # Theano: float16 only when floatX is float16 (with none left, the default rule below).
    tries = [d for d in autocast_float.dtypes or () if d != "float16" or config.floatX == "float16"]
    for d in tries:
        a = np.asarray(x, dtype=d)
        if float(a) == x or np.isnan(x) or d == tries[-1]:
            return a
    f32 = np.asarray(x, dtype="float32")
    if float(f32) == x or np.isnan(x):  # compare as Python floats: exact in float32?
        return f32
    return np.asarray(x, dtype="float64")


def _as_array(x, dtype=None):
    if dtype is not None:
        return np.asarray(x, dtype=dtype)
    if isinstance(x, (bool, np.bool_)):
        return np.asarray(x, dtype="bool")
    if isinstance(x, numbers.Integral) and not isinstance(x, np.integer):
        return _autocast_int(x)
    if isinstance(x, float):
        return _autocast_float(x)
    if isinstance(x, complex):
        return np.asarray(x, dtype="complex128")
    a = np.asarray(x)
    if a.dtype == object:
        raise AsTensorError("cannot convert %r to a tensor: it is not numeric" % (x,))
    if a.dtype.kind == "U" or a.dtype.kind == "S":
        raise AsTensorError("cannot convert the string %r to a tensor" % (x,))
    return a


def constant(x, name=None, ndim=None, dtype=None):
    """A symbolic constant holding the value x.

    Parameters
    ----------
    x : array_like
        The value. Python numbers are typed as Theano types them: an int
        gets the smallest int dtype that holds it, a float float32 when
        float32 holds it exactly, else float64 (float32 always when floatX is
        float32). With ``config.cast_policy='numpy+floatX'``, ints are typed
        as NumPy types them and floats as floatX.
    name : str, optional
        The constant's name.
    ndim : int, optional
        Add leading length-1 (broadcastable) axes up to this many dimensions.
    dtype : str, optional
        The dtype to store x in, instead of the inferred one.

    Returns
    -------
    TensorConstant
    """
    a = _as_array(x, dtype)
    if ndim is not None:
        if a.ndim > ndim:
            raise ValueError("constant: value of shape %s cannot have %d dimensions" % (a.shape, ndim))
        a = a.reshape((1,) * (ndim - a.ndim) + a.shape)
    return _core.constant(a, name)


def as_tensor_variable(x, name=None, ndim=None):
    """x as a symbolic variable: x itself if it is one, else a constant holding x.

    Parameters
    ----------
    x : TensorVariable, Apply, array_like or list
        A variable, a node with one output, a value, or a list holding variables
        (stacked into one).
    name : str, optional
        The name of a constant made from a value.
    ndim : int, optional
        The number of dimensions wanted: leading broadcastable axes are added
        or dropped to get it.

    Returns
    -------
    TensorVariable

    Raises
    ------
    AsTensorError
        When x cannot be converted (strings, objects).
    """
    if isinstance(x, TensorVariable):
        if ndim is not None and x.ndim != ndim:
            if x.ndim < ndim:
                return _core.dimshuffle(x, ["x"] * 0 + [-1] * (ndim - x.ndim) + list(range(x.ndim)))
            extra = x.ndim - ndim  # leading broadcastable dimensions are dropped (Theano's rule)
            if not builtins.all(x.broadcastable[:extra]):
                raise ValueError("as_tensor_variable: %s (%s) has %d dimensions and cannot be cast to %d: its "
                                 "leading %d are not all broadcastable" % (x, x.type, x.ndim, ndim, extra))
            return _core.dimshuffle(x, list(range(extra, x.ndim)))
        return x
    if isinstance(x, Apply):
        if len(x.outputs) != 1:
            raise TypeError("as_tensor_variable: Apply node %s has several outputs; pick one" % (x,))
        return x.outputs[0]
    if isinstance(x, (list, tuple)) and builtins.any(isinstance(e, TensorVariable) for e in x):
        return stack([as_tensor_variable(e) for e in x])
    return constant(x, name=name, ndim=ndim)


as_tensor = as_tensor_variable
_as = as_tensor_variable


# ---- constructors ------------------------------------------------------------------

def _floatx(dtype):
    return config.floatX if dtype is None else str(np.dtype(dtype)) if dtype != "floatX" else config.floatX


def tensor(dtype=None, broadcastable=None, name=None, shape=None):
    """A symbolic input of the given dtype and broadcast pattern (or static shape).

    Parameters
    ----------
    dtype : str, optional
        The dtype; config.floatX by default.
    broadcastable : tuple of bool
        One flag per axis, true where the axis has length 1 and broadcasts.
    name : str, optional
        The variable's name.
    shape : tuple of int or None, optional
        Static lengths instead of ``broadcastable`` (None for an unknown length).

    Returns
    -------
    TensorVariable

    Examples
    --------
    >>> x = T.tensor('float32', (False, True), name='x')   # an (n, 1) matrix
    """
    dtype = _floatx(dtype)
    if shape is not None:
        return _core.variable(TensorType.from_shape(dtype, [-1 if s is None else int(s) for s in shape]), name)
    if broadcastable is None:
        raise TypeError("tensor() needs broadcastable (a tuple of bools) or shape")
    return _core.variable(TensorType(dtype, [bool(b) for b in broadcastable]), name)


_CTOR_DOC = """A symbolic %s input: %s.

Parameters
----------
name : str, optional
    The variable's name (shown in printed graphs and error messages).
dtype : str, optional
    Its dtype; config.floatX by default.

Returns
-------
TensorVariable
    A new variable of type ``TensorType(dtype, %r)``.

Examples
--------
>>> x = T.%s('x')
"""


def _make(kind, bcast, what):
    def ctor(name=None, dtype=None):
        return tensor(dtype, bcast, name)
    ctor.__name__ = ctor.__qualname__ = kind
    ctor.__doc__ = _CTOR_DOC % (kind, what, bcast, kind)
    return ctor


scalar = _make("scalar", (), "a 0-d tensor")
vector = _make("vector", (False,), "a 1-d tensor")
matrix = _make("matrix", (False, False), "a 2-d tensor")
row = _make("row", (True, False), "a (1, n) matrix, broadcastable on axis 0")
col = _make("col", (False, True), "an (n, 1) matrix, broadcastable on axis 1")
tensor3 = _make("tensor3", (False,) * 3, "a 3-d tensor")
tensor4 = _make("tensor4", (False,) * 4, "a 4-d tensor")
tensor5 = _make("tensor5", (False,) * 5, "a 5-d tensor")
tensor6 = _make("tensor6", (False,) * 6, "a 6-d tensor")
tensor7 = _make("tensor7", (False,) * 7, "a 7-d tensor")

_PREFIXES = {"b": "int8", "w": "int16", "i": "int32", "l": "int64", "f": "float32",
             "d": "float64", "c": "complex64", "z": "complex128"}
_KINDS = {"scalar": (), "vector": (False,), "matrix": (False, False), "row": (True, False),
          "col": (False, True), "tensor3": (False,) * 3, "tensor4": (False,) * 4, "tensor5": (False,) * 5,
          "tensor6": (False,) * 6, "tensor7": (False,) * 7}


_PLURAL_DOC = """Several symbolic %s inputs%s, one per name.

Parameters
----------
*names : str or int
    The names: several strings, one string of comma-separated names
    (``'x, y'``) or of one-letter names (``'xy'``), or an int n for n
    unnamed variables.

Returns
-------
TensorVariable or list of TensorVariable
    One variable for one name, else a list.

Examples
--------
>>> a, b = T.%s('a', 'b')
"""


def _plural(ctor, kind, plural, dtype=None):
    def many(*names):
        if len(names) == 1 and isinstance(names[0], int):
            return [ctor() for _ in range(names[0])]
        if len(names) == 1 and isinstance(names[0], str):
            # 'a, b' names two variables; otherwise, as in Theano, each letter of 'xy' names one
            names = [s.strip() for s in names[0].split(",")] if "," in names[0] else list(names[0])
        out = [ctor(n) for n in names]
        return out[0] if len(out) == 1 else out
    many.__name__ = many.__qualname__ = plural
    many.__doc__ = _PLURAL_DOC % (kind, " of dtype " + dtype if dtype else "", plural)
    return many


_ns = globals()
for _kind in _KINDS:
    _many = "matrices" if _kind == "matrix" else _kind + "s"
    _ns[_many] = _plural(_ns[_kind], _kind, _many)
    for _p, _dt in _PREFIXES.items():
        # Theano's typed constructors are types: T.dvector('x') makes a variable, x.type == T.dvector
        _ns[_p + _kind] = TensorType(_dt, _KINDS[_kind])
        _ns[_p + _many] = _plural(_ns[_p + _kind], _kind, _p + _many, _dt)


# ---- elementwise ------------------------------------------------------------------

class _ScalarOp(object):
    """A scalar function of the table, named as Theano named it (theano.scalar.add, ...)."""

    def __init__(self, name, nin):
        self.name, self.nin, self.nout = name, nin, 1

    def __eq__(self, other):
        return isinstance(other, _ScalarOp) and other.name == self.name

    def __hash__(self):
        return hash(("scalar", self.name))

    def __str__(self):
        return self.name

    __repr__ = __str__


class _ElemwiseFunction(object):
    """An elementwise function as Theano's op object (T.exp is an
    Elemwise{exp,no_inplace} op): calling it builds the graph; make_node
    gives the Apply node; isinstance(T.exp, T.Elemwise) holds, and it equals
    the op of the nodes it builds."""
    _theon_kind = "Elemwise"
    destroy_map, inplace_pattern = {}, {}

    def __init__(self, core_name, display, nin, variadic=False):
        self._core_name, self._variadic = core_name, variadic
        self.scalar_op = _ScalarOp(display, nin)
        self.nin, self.nout = (-1 if variadic else nin), 1
        self.__name__ = self.__qualname__ = display
        if core_name is not None:  # a row of the scalar table: its docstring and parameters come from the row
            self.__doc__ = _elemwise_doc.docstring(display, variadic, display)
            self.__signature__ = _elemwise_doc.signature(display, nin, variadic)

    def __call__(self, *xs):
        if self._variadic:
            out = _as(xs[0])
            for x in xs[1:]:
                out = _core.elemwise(self._core_name, [out, _as(x)])
            return out
        return _core.elemwise(self._core_name, [_as(x) for x in xs])

    def make_node(self, *inputs):
        """The Apply node computing this function of `inputs` (after the
        builder's own rewrites: log(sigmoid(x)) gives the stable form's node)."""
        return self(*inputs).owner

    def __eq__(self, other):
        if isinstance(other, _ElemwiseFunction):
            return other.scalar_op == self.scalar_op
        if isinstance(other, _core.Op):
            return other.kind == "Elemwise" and other.scalar_op == self.scalar_op.name
        return NotImplemented

    def __hash__(self):
        return hash(("Elemwise", self.scalar_op.name))

    def __str__(self):
        return "Elemwise{%s,no_inplace}" % self.scalar_op.name

    __repr__ = __str__


def _elem(name, display=None, nin=1):
    return _ElemwiseFunction(name, display or name, nin)


# The scalar table's display names whose core (enum) name differs.
_CORE_NAME = {"switch": "switch_", "xor": "xor_", "round_half_to_even": "round"}

for _name, _arity in _core.scalar_ops():
    if _name in ("complex", "real", "imag", "conj", "angle"):
        continue  # theon.tensor.extra wraps these (real inputs); `complex` must stay Python's builtin here
    _ns[_name if _name not in ("switch", "xor", "abs") else _name + "_"] = _elem(_CORE_NAME.get(_name, _name), _name,
                                                                               _arity)
abs_ = _ns["abs_"]
switch = _ns["switch_"]
xor = _ns["xor_"]
bitwise_and, bitwise_or, bitwise_xor, bitwise_not = and_, or_, xor, invert  # noqa: F821
round_half_to_even = _ns["round_half_to_even"]


class _ComposedElemwise(_ElemwiseFunction):
    """An elementwise function theon composes from others (deg2rad is
    x * pi/180) as Theano's Elemwise op object: calling it builds the
    composition."""

    def __init__(self, fn, nin):
        _ElemwiseFunction.__init__(self, None, fn.__name__, nin)
        self._fn, self.__doc__ = fn, fn.__doc__
        self.__signature__ = inspect.signature(fn)

    def __call__(self, *xs, **kwargs):
        return self._fn(*xs, **kwargs)


add = _ElemwiseFunction("add", "add", 2, variadic=True)  # Elementwise sum of any number of tensors.
mul = _ElemwiseFunction("mul", "mul", 2, variadic=True)  # Elementwise product of any number of tensors.


def round(a, mode=None):
    """Round to nearest; mode 'half_to_even' (the default, as NumPy) or
    'half_away_from_zero'."""
    if mode == "half_away_from_zero":
        from .extra import round_half_away_from_zero
        return round_half_away_from_zero(a)
    if mode not in (None, "half_to_even"):
        raise ValueError("round: mode must be 'half_to_even' or 'half_away_from_zero', got %r" % (mode,))
    return round_half_to_even(a)


def cast(x, dtype):
    """x converted to dtype (symbolically).

    Parameters
    ----------
    x : tensor-like
    dtype : str
        The target dtype, or ``'floatX'``.

    Returns
    -------
    TensorVariable
        x itself when it already has that dtype.

    Raises
    ------
    TypeError
        Casting a complex x to a real dtype (take real(), imag() or abs() first).
    """
    dtype = _floatx(dtype)
    x = _as(x)
    if x.dtype.startswith("complex") and not str(dtype).startswith("complex"):
        raise TypeError("cast: casting %s from complex to %s is ambiguous; take real(), imag(), angle() or abs() "
                        "first (Theano's rule)" % (x.type, dtype))
    return _core.cast(x, dtype)


def fill(model, value):
    """value broadcast to the shape of model (Theano's fill; ``second(model, value)``).

    Parameters
    ----------
    model : tensor-like
        Gives the shape only.
    value : tensor-like
        Gives the values and the dtype.

    Returns
    -------
    TensorVariable
    """
    return second(model, value)  # noqa: F821


def zeros_like(model, dtype=None):
    """Zeros of the shape of model, in model's dtype or the one given.

    Parameters
    ----------
    model : tensor-like
    dtype : str, optional

    Returns
    -------
    TensorVariable
    """
    model = _as(model)
    return fill(model, constant(0, dtype=dtype or model.dtype))


def ones_like(model, dtype=None):
    """Ones of the shape of model, in model's dtype or the one given.

    Parameters
    ----------
    model : tensor-like
    dtype : str, optional

    Returns
    -------
    TensorVariable
    """
    model = _as(model)
    return fill(model, constant(1, dtype=dtype or model.dtype))


def floor_div(a, b):
    """Elementwise floor division, ``a // b`` (an alias of int_div).

    Parameters
    ----------
    a, b : tensor-like

    Returns
    -------
    TensorVariable
    """
    return int_div(a, b)


def divide(a, b):
    """Elementwise division, ``a / b``, as the ``/`` operator does it.

    Floats give true division. Two integer (or bool) inputs follow
    ``config.int_division``: ``'floatX'`` (the default) divides as floats,
    ``'int'`` gives ``a // b``, ``'raise'`` is a TypeError.

    Parameters
    ----------
    a, b : tensor-like

    Returns
    -------
    TensorVariable
    """
    a, b = _as(a), _as(b)
    if a.dtype in _DISCRETE and b.dtype in _DISCRETE:
        if config.int_division == "int":
            return int_div(a, b)
        if config.int_division == "raise":
            raise TypeError("int / int: set config.int_division to 'floatX' or 'int', or use // or true_div")
    return true_div(a, b)


def clip(x, min, max):
    """Elementwise x limited to the interval [min, max] (NumPy's clip).

    Parameters
    ----------
    x : tensor-like
    min, max : tensor-like
        The bounds; they broadcast against x.

    Returns
    -------
    TensorVariable
        In the upcast dtype of the three inputs. The gradient flows to x
        where it is inside the bounds, else to the bound that was applied.
    """
    return _core.elemwise("clip", [_as(x), _as(min), _as(max)])


# ---- reductions ---------------------------------------------------------------------

def _axis_int(axis):
    """An axis as a Python int: integers only (an axis of 1.5 is not axis 1)."""
    if isinstance(axis, TensorVariable):
        raise TypeError("axis must be a Python int or tuple of ints, not a symbolic variable")
    try:
        return operator.index(axis)
    except TypeError:
        raise TypeError("axis must be an integer or a tuple of integers, got %r (%s)"
                        % (axis, type(axis).__name__)) from None


def _axes(axis, ndim=None):
    if axis is None or isinstance(axis, _NoneConstant):  # Theano's NoneConst: all axes
        return None
    if isinstance(axis, (list, tuple)):
        return [_axis_int(a) for a in axis]
    return [_axis_int(axis)]


def _reduce_to(kind, x, axis, dtype, keepdims):
    out = _core.reduce(kind, _as(x), _axes(axis), bool(keepdims))
    return cast(out, dtype) if dtype is not None else out


def sum(x, axis=None, dtype=None, keepdims=False, acc_dtype=None):
    """The sum of x over the given axes.

    Parameters
    ----------
    x : tensor-like
    axis : int or tuple of int, optional
        The axes to reduce; all of them by default. Negative axes count from the end.
    keepdims : bool, optional
        Keep the reduced axes, with length 1, so the result broadcasts against x.
    dtype : str, optional
        Cast the result to this dtype.
    acc_dtype : str, optional
        Accepted for Theano's signature; the accumulator is chosen by theon.

    Returns
    -------
    TensorVariable
        int64 for bool and signed integer x, uint64 for unsigned, else x's
        dtype (float16 accumulates in float32).

    Examples
    --------
    >>> x = T.matrix('x')
    >>> row_sums = T.sum(x, axis=1)
    """
    return _reduce_to("sum", x, axis, dtype, keepdims)


def prod(x, axis=None, dtype=None, keepdims=False, acc_dtype=None):
    """The product of x over the given axes.

    Parameters
    ----------
    x : tensor-like
    axis : int or tuple of int, optional
        The axes to reduce; all of them by default. Negative axes count from the end.
    keepdims : bool, optional
        Keep the reduced axes, with length 1, so the result broadcasts against x.
    dtype : str, optional
        Cast the result to this dtype.
    acc_dtype : str, optional
        Accepted for Theano's signature; the accumulator is chosen by theon.

    Returns
    -------
    TensorVariable
        int64 for bool and signed integer x, uint64 for unsigned, else x's
        dtype. The gradient is right where x has zeros.
    """
    return _reduce_to("prod", x, axis, dtype, keepdims)


def max(x, axis=None, keepdims=False):
    """The maximum of x over the given axes.

    Parameters
    ----------
    x : tensor-like
    axis : int or tuple of int, optional
        The axes to reduce; all of them by default. Negative axes count from the end.
    keepdims : bool, optional
        Keep the reduced axes, with length 1, so the result broadcasts against x.

    Returns
    -------
    TensorVariable
        In x's dtype.
    """
    return _core.reduce("max", _as(x), _axes(axis), bool(keepdims))


def min(x, axis=None, keepdims=False):
    """The minimum of x over the given axes.

    Parameters
    ----------
    x : tensor-like
    axis : int or tuple of int, optional
        The axes to reduce; all of them by default. Negative axes count from the end.
    keepdims : bool, optional
        Keep the reduced axes, with length 1, so the result broadcasts against x.

    Returns
    -------
    TensorVariable
        In x's dtype.
    """
    return _core.reduce("min", _as(x), _axes(axis), bool(keepdims))


def all(x, axis=None, keepdims=False):
    """Whether every element of x over the given axes is true (nonzero).

    Parameters
    ----------
    x : tensor-like
    axis : int or tuple of int, optional
        The axes to reduce; all of them by default. Negative axes count from the end.
    keepdims : bool, optional
        Keep the reduced axes, with length 1, so the result broadcasts against x.

    Returns
    -------
    TensorVariable
        Of dtype bool.
    """
    return _core.reduce("all", _as(x), _axes(axis), bool(keepdims))


def any(x, axis=None, keepdims=False):
    """Whether some element of x over the given axes is true (nonzero).

    Parameters
    ----------
    x : tensor-like
    axis : int or tuple of int, optional
        The axes to reduce; all of them by default. Negative axes count from the end.
    keepdims : bool, optional
        Keep the reduced axes, with length 1, so the result broadcasts against x.

    Returns
    -------
    TensorVariable
        Of dtype bool.
    """
    return _core.reduce("any", _as(x), _axes(axis), bool(keepdims))


def logsumexp(x, axis=None, keepdims=False):
    """log(sum(exp(x), axis)) without overflow. Over one axis it is one op
    that reads x once (LogSumExp); over several axes (or all) the rewriter
    stabilizes the written-out form with a max shift."""
    x = _as(x)
    axes = _axes(axis)
    if axes is not None and len(axes) == 1 and x.ndim > 0:
        out = _core.logsumexp(x, axes[0])
        if keepdims:
            a = axes[0] % x.ndim
            out = out.dimshuffle([("x" if d == a else d - (d > a)) for d in range(x.ndim)])
        return out
    return log(sum(exp(x), axis=axis, keepdims=keepdims))


def mean(x, axis=None, dtype=None, keepdims=False, acc_dtype=None):
    """The arithmetic mean of x over the given axes.

    Parameters
    ----------
    x : tensor-like
    axis : int or tuple of int, optional
        The axes to reduce; all of them by default. Negative axes count from the end.
    keepdims : bool, optional
        Keep the reduced axes, with length 1, so the result broadcasts against x.
    dtype : str, optional
        Cast the result to this dtype.
    acc_dtype : str, optional
        Accepted for Theano's signature; theon chooses the accumulator
        (float64 for integers, float32 for float16).

    Returns
    -------
    TensorVariable
        float64 for integer or bool x, else x's dtype.

    Examples
    --------
    >>> m = T.matrix('m')
    >>> col_means = T.mean(m, axis=0)
    """
    out = _core.mean(_as(x), _axes(axis), bool(keepdims))
    return cast(out, dtype) if dtype is not None else out


def var(x, axis=None, ddof=0, keepdims=False, corrected=False):
    """Variance over axis, divided by n - ddof. It is always computed in two
    passes (mean first), so Theano's `corrected` (the two-pass error term)
    changes nothing."""
    x = _as(x)
    out = _core.var(x, _axes(axis), bool(keepdims))
    if ddof:
        n = cast(_reduced_count(x, axis), out.dtype)
        out = out * (n / (n - ddof))
    return out


def _reduced_count(x, axis):
    axes = _axes(axis)
    axes = range(x.ndim) if axes is None else [a % x.ndim for a in axes]
    n = constant(1, dtype="int64")
    for a in axes:
        n = n * shape_i(x, a)
    return n


def std(x, axis=None, ddof=0, keepdims=False, corrected=False):
    """Standard deviation over axis (see var)."""
    if not ddof:
        return _core.std(_as(x), _axes(axis), bool(keepdims))
    return sqrt(var(x, axis, ddof, keepdims, corrected))  # noqa: F821


def argmax(x, axis=None, keepdims=False):
    """The positions of the maxima of x over the given axes.

    Parameters
    ----------
    x : tensor-like
    axis : int or tuple of int, optional
        The axes searched; all by default (positions into x flattened over them).
    keepdims : bool, optional
        Keep the searched axes with length 1.

    Returns
    -------
    TensorVariable
        Of dtype int64. The first position wins among equal values.
    """
    return _core.argmax(_as(x), _axes(axis), bool(keepdims))


def argmin(x, axis=None, keepdims=False):
    """The positions of the minima of x over the given axes.

    Parameters
    ----------
    x : tensor-like
    axis : int or tuple of int, optional
        The axes searched; all by default (positions into x flattened over them).
    keepdims : bool, optional
        Keep the searched axes with length 1.

    Returns
    -------
    TensorVariable
        Of dtype int64. The first position wins among equal values.
    """
    return _core.argmin(_as(x), _axes(axis), bool(keepdims))


def max_and_argmax(x, axis=None, keepdims=False):
    """The maximum of x over the given axes and its position (Theano's max_and_argmax).

    Parameters
    ----------
    x : tensor-like
    axis : int or tuple of int, optional
        The axes to reduce; all of them by default. Negative axes count from the end.
    keepdims : bool, optional
        Keep the reduced axes, with length 1, so the result broadcasts against x.

    Returns
    -------
    tuple of TensorVariable
        ``(max(x, axis, keepdims), argmax(x, axis, keepdims))``.
    """
    return max(x, axis, keepdims), argmax(x, axis, keepdims)


# ---- shape ---------------------------------------------------------------------------

def _int_scalar(v):
    v = _as(v)
    if v.ndim != 0 or v.dtype not in _DISCRETE:
        raise TypeError("expected an integer scalar, got %s" % (v.type,))
    return v


def _shape_vector(shape):
    if isinstance(shape, TensorVariable):
        if shape.ndim != 1:
            raise TypeError("a shape must be a vector of integers, got %s" % (shape.type,))
        return shape
    if isinstance(shape, (numbers.Integral, np.integer)):
        shape = (shape,)
    return _core.make_vector([_int_scalar(s) for s in shape], "int64")


def reshape(x, newshape, ndim=None):
    """x with a new shape (NumPy's reshape of the C-ordered values).

    Parameters
    ----------
    x : tensor-like
    newshape : int, tuple of int or scalars, or TensorVariable
        The new lengths; one of them may be -1 (inferred). A symbolic integer
        vector is allowed.
    ndim : int, optional
        The number of dimensions of the result; needed only when newshape is a
        symbolic vector of unknown length.

    Returns
    -------
    TensorVariable
    """
    x = _as(x)
    if ndim is None:
        if isinstance(newshape, TensorVariable):
            if newshape.broadcastable == () or newshape.static_shape[0] is None:
                raise ValueError("reshape: pass ndim when the new shape is a symbolic vector of unknown length")
            ndim = newshape.static_shape[0]
        else:
            ndim = 1 if isinstance(newshape, (numbers.Integral, np.integer)) else len(newshape)
    return _core.reshape(x, _shape_vector(newshape), int(ndim))


def flatten(x, ndim=1, outdim=None):
    """x with its trailing axes merged so that ndim axes remain.

    Parameters
    ----------
    x : tensor-like
    ndim : int, optional
        The number of dimensions of the result (1, the default, flattens fully).
    outdim : int, optional
        Theano's older name for ndim.

    Returns
    -------
    TensorVariable
    """
    return _core.flatten(_as(x), int(outdim if outdim is not None else ndim))


def shape(x):
    """The shape of x as a symbolic int64 vector (``x.shape``).

    Parameters
    ----------
    x : tensor-like

    Returns
    -------
    TensorVariable
        An int64 vector of length x.ndim.
    """
    return _core.shape(_as(x))


def shape_i(x, i):
    """The length of axis i of x, as a symbolic int64 scalar (``x.shape[i]``).

    Parameters
    ----------
    x : tensor-like
    i : int
        The axis.

    Returns
    -------
    TensorVariable
    """
    return _core.shape_i(_as(x), int(i))


def dimshuffle(x, *pattern):
    """x with its axes reordered, dropped or added (Theano's DimShuffle).

    Parameters
    ----------
    x : tensor-like
    *pattern : int or 'x'
        The input axis for each output axis, or ``'x'`` for a new broadcastable
        axis; a single list or tuple is accepted too. An axis left out must be
        broadcastable.

    Returns
    -------
    TensorVariable

    Examples
    --------
    >>> v = T.vector('v')
    >>> col = T.dimshuffle(v, 0, 'x')   # shape (n, 1)
    """
    if len(pattern) == 1 and isinstance(pattern[0], (list, tuple)):
        pattern = pattern[0]
    return _core.dimshuffle(_as(x), [-1 if p == "x" else int(p) for p in pattern])


def transpose(x, axes=None):
    """x with its axes permuted: reversed by default (NumPy's transpose, ``x.T``).

    Parameters
    ----------
    x : tensor-like
    axes : sequence of int, optional
        The input axis for each output axis.

    Returns
    -------
    TensorVariable
    """
    return _core.transpose(_as(x), None if axes is None else [_axis_int(a) for a in axes])


def _dims(shape):
    if isinstance(shape, TensorVariable):
        return [shape[i] for i in range(shape.static_shape[0])]
    if isinstance(shape, (numbers.Integral, np.integer)):
        shape = (shape,)
    return [_int_scalar(s) for s in shape]


def alloc(value, *shape):
    """value broadcast to the given shape (Theano's alloc).

    Parameters
    ----------
    value : tensor-like
        The value to repeat; its dims align with the trailing lengths.
    *shape : int or integer scalar
        The output lengths (also as one list or tuple).

    Returns
    -------
    TensorVariable
        In value's dtype.
    """
    if len(shape) == 1 and isinstance(shape[0], (list, tuple)):
        shape = shape[0]
    return _core.alloc(_as(value), [_int_scalar(s) for s in shape])


def zeros(shape, dtype=None):
    """A tensor of zeros.

    Parameters
    ----------
    shape : int, sequence of int or integer scalars, or TensorVariable
        The lengths (a symbolic vector of known length is allowed).
    dtype : str, optional
        config.floatX by default.

    Returns
    -------
    TensorVariable
    """
    return alloc(constant(0, dtype=_floatx(dtype)), *_dims(shape))


def ones(shape, dtype=None):
    """A tensor of ones.

    Parameters
    ----------
    shape : int, sequence of int or integer scalars, or TensorVariable
        The lengths (a symbolic vector of known length is allowed).
    dtype : str, optional
        config.floatX by default.

    Returns
    -------
    TensorVariable
    """
    return alloc(constant(1, dtype=_floatx(dtype)), *_dims(shape))


def arange(start, stop=None, step=1, dtype=None):
    """Evenly spaced values in [start, stop) (NumPy's arange).

    Parameters
    ----------
    start : scalar, optional
        The first value (0 when only one bound is given).
    stop : scalar, optional
        The end, excluded.
    step : scalar, optional
        The spacing (1 by default).
    dtype : str, optional
        By default the upcast of the bounds' dtypes (int64 for Python ints).

    Returns
    -------
    TensorVariable
        A vector. The bounds may be symbolic scalars.
    """
    if stop is None:
        start, stop = 0, start
    start, stop, step = _as(start), _as(stop), _as(step)
    if dtype is None:
        dtype = _core_upcast(start.dtype, stop.dtype, step.dtype)
        if config.cast_policy == "custom" and dtype in _INT_DTYPES:
            dtype = "int64"
        elif dtype in ("float32", "float64") and config.floatX == "float32" and dtype == "float64":
            dtype = "float32" if all(v.dtype != "float64" for v in (start, stop, step)) else dtype
    return _core.arange(start, stop, step, str(np.dtype(dtype)) if dtype != "floatX" else config.floatX)


def _core_upcast(*dtypes):
    return str(np.result_type(*[np.zeros((), d) for d in dtypes]))


def eye(n, m=None, k=0, dtype=None):
    """A 2-d tensor with ones on a diagonal and zeros elsewhere (NumPy's eye).

    Parameters
    ----------
    n : int or integer scalar
        The number of rows.
    m : int or integer scalar, optional
        The number of columns; n by default.
    k : int or integer scalar, optional
        The diagonal: 0 the main one, positive above it, negative below.
    dtype : str, optional
        config.floatX by default.

    Returns
    -------
    TensorVariable
    """
    return _core.eye(_as(n), _as(n if m is None else m), _as(k), _floatx(dtype))


def identity_like(x):
    """An identity matrix of the shape and dtype of the matrix x.

    Parameters
    ----------
    x : tensor-like
        A matrix.

    Returns
    -------
    TensorVariable
    """
    x = _as(x)
    return eye(shape_i(x, 0), shape_i(x, 1), 0, x.dtype)


def join(axis, *tensors):
    """The tensors joined along an existing axis (Theano's argument order).

    Parameters
    ----------
    axis : int
        The axis along which to join.
    *tensors : tensor-like
        Tensors of the same rank whose other lengths agree.

    Returns
    -------
    TensorVariable
        In the upcast dtype of the inputs.

    See Also
    --------
    concatenate : The same with NumPy's argument order.
    """
    return _core.join(_axis_int(axis), [_as(t) for t in tensors])


def concatenate(tensor_list, axis=0):
    """The tensors joined along an existing axis (NumPy's concatenate).

    Parameters
    ----------
    tensor_list : sequence of tensor-like
        Tensors of the same rank whose other lengths agree.
    axis : int, optional
        The axis along which to join (0 by default).

    Returns
    -------
    TensorVariable
        In the upcast dtype of the inputs.
    """
    return _core.join(_axis_int(axis), [_as(t) for t in tensor_list])


def stack(*tensors, axis=0):
    """The tensors stacked along a new axis (NumPy's stack).

    Parameters
    ----------
    *tensors : tensor-like
        Tensors of the same shape (or one list of them).
    axis : int, optional
        The position of the new axis (0 by default).

    Returns
    -------
    TensorVariable
        One dimension more than the inputs, in their upcast dtype.
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tensors[0]
    tensors = [_as(t) for t in tensors]
    if tensors and _axis_int(axis) in (0, -1) and builtins.all(t.ndim == 0 for t in tensors):
        # scalars make a vector (MakeVector, as Theano), in their common dtype (NumPy's promotion, as stack's)
        dtype = str(functools.reduce(np.promote_types, [np.dtype(t.dtype) for t in tensors]))
        return _core.make_vector([cast(t, dtype) for t in tensors], dtype)
    return _core.stack(tensors, _axis_int(axis))


# ---- linear algebra -------------------------------------------------------------------

def dot(a, b):
    """The dot product of a and b, as numpy.dot computes it.

    Vectors give their inner product, matrices their matrix product, and for
    more dimensions the sum runs over the last axis of a and the second-to-last
    of b. Float matrices go through BLAS (gemm/gemv).

    Parameters
    ----------
    a, b : tensor-like

    Returns
    -------
    TensorVariable
        Of rank ``a.ndim + b.ndim - 2`` (a 0-d operand multiplies the other),
        in the upcast dtype of a and b.

    See Also
    --------
    matmul : Batched matrix product (the ``@`` operator).
    tensordot : Sum over chosen axes.

    Examples
    --------
    >>> x, W = T.matrix('x'), T.matrix('W')
    >>> y = T.dot(x, W)
    """
    return _core.dot(_as(a), _as(b))


def matmul(a, b):
    """The matrix product of a and b as numpy.matmul computes it (``a @ b``).

    Leading axes are batch axes and broadcast; a vector operand is treated as a
    row (first) or column (second) and its axis removed from the result.

    Parameters
    ----------
    a, b : tensor-like
        Not 0-d.

    Returns
    -------
    TensorVariable
        In the upcast dtype of a and b.
    """
    return _core.matmul(_as(a), _as(b))


def outer(a, b):
    """The outer product of two vectors: ``out[i, j] = a[i] * b[j]``.

    Parameters
    ----------
    a, b : tensor-like
        Vectors (other inputs are flattened, as numpy.outer does).

    Returns
    -------
    TensorVariable
        A matrix.
    """
    return _core.outer(_as(a), _as(b))


def tensordot(a, b, axes=2):
    """The sum of products over the given axes of a and b (NumPy's tensordot).

    Parameters
    ----------
    a, b : tensor-like
    axes : int or pair of sequences, optional
        An int n sums over the last n axes of a and the first n of b (2 by
        default); a pair ``(axes_a, axes_b)`` names the axes to contract.

    Returns
    -------
    TensorVariable
        The remaining axes of a followed by those of b.
    """
    a, b = _as(a), _as(b)
    if isinstance(axes, (numbers.Integral, np.integer)):
        n = int(axes)
        return _core.tensordot(a, b, list(range(a.ndim - n, a.ndim)), list(range(n)))
    aa, ab = axes
    aa = [aa] if isinstance(aa, (numbers.Integral, np.integer)) else list(aa)
    ab = [ab] if isinstance(ab, (numbers.Integral, np.integer)) else list(ab)
    return _core.tensordot(a, b, [int(i) for i in aa], [int(i) for i in ab])


# ---- indexing -----------------------------------------------------------------------------

_INT64_MIN, _INT64_MAX = -2 ** 63, 2 ** 63 - 1


def _index_component(v):
    if v is None:
        return None
    if isinstance(v, TensorVariable):
        return v
    if isinstance(v, (numbers.Integral, np.integer)) and not isinstance(v, (bool, np.bool_)):
        # A bound beyond int64 is past either end, as in NumPy: clip it, never wrap it.
        return constant(builtins.min(builtins.max(int(v), _INT64_MIN), _INT64_MAX), dtype="int64")
    raise TypeError("slice components must be integers or integer scalars, got %r" % (v,))


def _is_mask(k):
    if isinstance(k, TensorVariable):
        return k.dtype == "bool" and k.ndim > 0
    if isinstance(k, (list, np.ndarray)):
        return np.asarray(k).dtype == bool and np.asarray(k).ndim > 0
    return False


def _expand_masks(x, key):
    """Each boolean mask of k dimensions becomes the k index arrays of its
    nonzero positions (NumPy's rule), its shape checked against the k axes it
    covers: at build time when both are static, else at run time."""
    out, axis = [], 0
    for k in key:  # the ellipsis is already expanded
        if not _is_mask(k):
            out.append(k)
            if k is not None:
                axis += 1
            continue
        m = k if isinstance(k, TensorVariable) else constant(np.asarray(k))
        covered = x.static_shape[axis:axis + m.ndim]
        if axis + m.ndim > x.ndim:
            raise IndexError("boolean index of %d dimensions at axis %d is too many for %s" % (m.ndim, axis, x.type))
        for d, (ms, xs) in enumerate(zip(m.static_shape, covered)):
            if ms is not None and xs is not None and ms != xs:
                raise IndexError("boolean index did not match indexed array along axis %d: %s has length %d, the "
                                 "mask %d" % (axis + d, x.type, xs, ms))
        if builtins.any(ms is None or xs is None for ms, xs in zip(m.static_shape, covered)):
            # checked when the function runs (IndexError, as NumPy); the failing node shows the mask's shape
            same = [eq(shape_i(m, d), shape_i(x, axis + d)) for d in range(m.ndim)]
            cond = same[0]
            for c in same[1:]:
                cond = and_(cond, c)
            m = _core.assert_op(m, [cond], "boolean index did not match the indexed array: a mask of %d dimensions "
                                "at axis %d of %s must have the shape of the axes it covers" % (m.ndim, axis, x.type),
                                index_error=True)
        pos = list(_core.nonzero(m))
        out.extend(pos)
        axis += m.ndim
    return tuple(out)


def _key_ndim(k):
    """How many axes of x an index entry consumes."""
    if k is None or k is Ellipsis:
        return 0
    if _is_mask(k):
        return k.ndim if isinstance(k, TensorVariable) else np.asarray(k).ndim
    return 1


def _normalize_key(x, key):
    if not isinstance(key, tuple):
        key = (key,)
    key = tuple(None if k is NoneConst else k for k in key)
    ell = [i for i, k in enumerate(key) if k is Ellipsis and not isinstance(k, (TensorVariable, np.ndarray, list))]
    if len(ell) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    used = builtins.sum(_key_ndim(k) for k in key)
    if used > x.ndim:
        raise IndexError("too many indices for %s: %d indices for %d dimensions" % (x.type, used, x.ndim))
    if ell:
        pos = ell[0]
        key = key[:pos] + (slice(None),) * (x.ndim - used) + key[pos + 1:]
    return _expand_masks(x, key)


def _index_entries(x, key):
    entries = []
    for k in key:
        if isinstance(k, slice):
            entries.append(("slice", _index_component(k.start), _index_component(k.stop), _index_component(k.step)))
        elif isinstance(k, TensorVariable):
            entries.append(("int", k) if k.ndim == 0 else ("array", k))
        elif isinstance(k, (bool, np.bool_)):
            raise NotImplementedError("indexing with a Python bool (x[True]) is not supported; use a boolean array")
        elif isinstance(k, (numbers.Integral, np.integer)):
            if not _INT64_MIN <= int(k) <= _INT64_MAX:  # np.uint64(2**64 - 1) is not -1
                raise IndexError("index %d is out of bounds for axis %d of %s" % (int(k), len(entries), x.type))
            entries.append(("int", constant(int(k), dtype="int64")))
        elif isinstance(k, (list, tuple, np.ndarray)):  # a tuple inside the key is a sequence, as NumPy
            a = np.asarray(k)
            if a.size == 0 and isinstance(k, (list, tuple)):
                a = a.astype("int64")  # x[[]]: NumPy reads an empty list as integer positions
            if a.dtype.kind not in "iu":
                raise TypeError("index arrays must be integers, got dtype %s" % a.dtype)
            if a.dtype == np.uint64 and a.size and a.max() > _INT64_MAX:
                raise IndexError("index %d is out of bounds for axis %d of %s" % (a.max(), len(entries), x.type))
            entries.append(("array", constant(a.astype("int64"))))
        else:
            raise TypeError("cannot index a tensor with %r" % (k,))
    return entries


def _layout(key):
    """The axes of x[key] in NumPy's order, as labels: ('S', i) for the i-th
    slice, ('A', j) for dim j of the broadcast index arrays, ('N', i) for a
    None. Integers count as index arrays when arrays are present; arrays
    that are not next to each other put their dims first."""
    def is_array(k):
        return isinstance(k, (list, np.ndarray)) or (isinstance(k, TensorVariable) and k.ndim > 0)
    arrays = [i for i, k in enumerate(key) if is_array(k)]
    adv = [i for i, k in enumerate(key) if is_array(k) or (arrays and k is not None and not isinstance(k, slice))]
    nb = builtins.max([np.ndim(k) if not isinstance(k, TensorVariable) else k.ndim for k in key if is_array(k)] or [0])
    block = [("A", j) for j in range(nb)]
    adjacent = not adv or adv == list(range(adv[0], adv[-1] + 1))
    out = [] if adjacent or not arrays else list(block)
    for i, k in enumerate(key):
        if isinstance(k, slice):
            out.append(("S", i))
        elif k is None:
            out.append(("N", i))
        elif arrays and adjacent and i == adv[0]:
            out.extend(block)
    return out


def subtensor(x, key):
    """x indexed by key, as ``x[key]`` (NumPy's basic and advanced indexing).

    Parameters
    ----------
    x : tensor-like
    key : index or tuple of indices
        Integers, slices (bounds may be symbolic scalars), None, Ellipsis,
        integer arrays or variables, and boolean masks.

    Returns
    -------
    TensorVariable
    """
    x = _as(x)
    key = _normalize_key(x, key)
    nd_used = builtins.sum(_key_ndim(k) for k in key)
    key = key + (slice(None),) * (x.ndim - nd_used)  # explicit trailing slices: every output axis is labelled
    if not builtins.any(k is None for k in key):
        return _core.subtensor(x, _index_entries(x, key))
    # None (newaxis): index without it, then place the new axes where NumPy
    # puts them (dropping None can change whether the arrays are adjacent).
    plain = tuple(k for k in key if k is not None)
    r = _core.subtensor(x, _index_entries(x, plain))
    old = {}
    ids = [i for i, k in enumerate(key) if k is not None]
    for pos, (kind, i) in enumerate(_layout(plain)):
        old[(kind, ids[i] if kind == "S" else i)] = pos
    order = [-1 if kind == "N" else old[(kind, i)] for kind, i in _layout(key)]
    return _core.dimshuffle(r, order)


def set_subtensor(x, y, inplace=False, tolerate_inplace_aliasing=False):
    """x's base tensor with the indexed region x set to y (``x[key] = y`` as a graph).

    Parameters
    ----------
    x : TensorVariable
        An indexing result, ``a[key]``; the region it selects is written.
    y : tensor-like
        The new values, broadcast to x's shape.
    inplace, tolerate_inplace_aliasing : bool, optional
        Accepted for Theano's signature; theon decides when to write in place.

    Returns
    -------
    TensorVariable
        A new tensor: ``a`` with ``a[key]`` replaced by y.

    Examples
    --------
    >>> a, b = T.vector('a'), T.vector('b')
    >>> c = T.set_subtensor(a[1:3], b)
    """
    return _core.set_subtensor(_as(x), _as(y))


def inc_subtensor(x, y, inplace=False, set_instead_of_inc=False, tolerate_inplace_aliasing=False):
    """x's base tensor with y added to the indexed region x (``x[key] += y`` as a graph).

    Parameters
    ----------
    x : TensorVariable
        An indexing result, ``a[key]``; the region it selects is incremented.
        Repeated integer indices accumulate.
    y : tensor-like
        The increments, broadcast to x's shape.
    set_instead_of_inc : bool, optional
        Set instead of add (as set_subtensor).
    inplace, tolerate_inplace_aliasing : bool, optional
        Accepted for Theano's signature; theon decides when to write in place.

    Returns
    -------
    TensorVariable
        A new tensor: ``a`` with ``a[key]`` incremented by y.
    """
    if set_instead_of_inc:
        return set_subtensor(x, y)
    return _core.inc_subtensor(_as(x), _as(y))


# ---- Theano's testing helpers (theano.tensor.basic._allclose and friends) ----

# The tolerances of _allclose by the narrowest dtype compared (Theano's
# defaults; config.tensor.cmp_sloppy is accepted but not consulted).
float16_atol, float16_rtol = 1e-3, 1e-3
float32_atol, float32_rtol = 1e-5, 1e-5
float64_atol, float64_rtol = 1e-8, 1e-5


def _get_atol_rtol(a, b):
    """(atol, rtol) for comparing arrays a and b: float16 if either is,
    else float32/complex64 if either is, else float64's."""
    dtypes = (str(np.asarray(a).dtype), str(np.asarray(b).dtype))
    if "float16" in dtypes:
        return float16_atol, float16_rtol
    if "float32" in dtypes or "complex64" in dtypes:
        return float32_atol, float32_rtol
    return float64_atol, float64_rtol


def _allclose(a, b, rtol=None, atol=None):
    """np.allclose with tolerances chosen by dtype (_get_atol_rtol)."""
    atol_, rtol_ = _get_atol_rtol(a, b)
    return bool(np.allclose(np.asarray(a), np.asarray(b), atol=atol_ if atol is None else atol,
                            rtol=rtol_ if rtol is None else rtol))


def ceil_intdiv(a, b):
    """ceil(a / b) for integers, exactly (no float round trip): a // b, plus 1
    where the division leaves a remainder."""
    div = int_div(a, b)
    return cast(neq(a % b, 0), div.dtype) + div


def _shared(value, name=None, **kwargs):
    """Theano's tensor shared constructor: a TensorSharedVariable of value."""
    from ..compile import shared
    return shared(value, name, **kwargs)


def _conversion(dtype):
    def convert(x):
        return cast(x, dtype)
    convert.__name__ = "_convert_to_" + dtype
    convert.__doc__ = "Cast to %s (Theano's tensor.basic conversion)." % dtype
    return convert


(_convert_to_bool, _convert_to_int8, _convert_to_int16, _convert_to_int32, _convert_to_int64, _convert_to_uint8,
 _convert_to_uint16, _convert_to_uint32, _convert_to_uint64, _convert_to_float32, _convert_to_float64,
 _convert_to_complex64, _convert_to_complex128) = (_conversion(d) for d in (
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float32", "float64",
    "complex64", "complex128"))


class _NoneConstant(object):
    """Theano's NoneConst: None as a graph constant. theon's variables are
    tensors, so None stays None: NoneConst indexes as None (a new axis) and
    anywhere else stands for "no value given"."""
    data = value = None

    def clone(self):
        return self

    def __eq__(self, other):
        return other is self or other is None

    def __hash__(self):
        return hash(None)

    def __repr__(self):
        return "NoneConst"


NoneConst = _NoneConstant()


def default(x, default):
    """Theano's default(x, default): x, or `default` where x's value is None.
    A theon tensor always has a value, so this is x (with default's type checked)."""
    x, d = as_tensor_variable(x), as_tensor_variable(default)
    if x.ndim != d.ndim:
        raise TypeError("default: %s and its default %s differ in rank" % (x.type, d.type))
    return x


__all__ = [_n for _n in list(globals()) if not _n.startswith("_")
           and _n not in ("np", "builtins", "numbers", "config", "inspect")]



# Theano defined these in tensor/basic.py; theon keeps them with their family
# (read on first use, so the families may import this module).
_ELSEWHERE = {"batched_dot": "extra_ops", "batched_tensordot": "graph_api", "_dot": ("graph_api", "Dot"),
              "NotScalarConstantError": "graph_api"}


def __getattr__(attr):
    where = _ELSEWHERE.get(attr)
    if where is None:
        raise AttributeError("module %r has no attribute %r" % (__name__, attr))
    module, name = where if isinstance(where, tuple) else (where, attr)
    import importlib
    value = getattr(importlib.import_module("theon.tensor." + module), name)
    if name == "Dot":
        value = value()  # Theano's _dot is the Dot op
    globals()[attr] = value
    return value
