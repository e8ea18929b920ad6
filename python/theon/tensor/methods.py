"""Operators and methods of symbolic variables (NumPy's syntax, Theano's names)."""
import numbers

import numpy as np

from .. import _core
from . import basic as B

TV = _core.TensorVariable


def _operand(other):
    """other as a variable; None for types we do not know (-> NotImplemented).
    Numbers and arrays that cannot be converted raise their own clear error."""
    if isinstance(other, (numbers.Number, np.ndarray, np.generic, list, tuple, TV)):
        return B.as_tensor_variable(other)
    try:
        return B.as_tensor_variable(other)
    except TypeError:
        return None


def _binary(name, reflected=False):
    def op(self, other):
        other = _operand(other)
        if other is None:
            return NotImplemented
        a, b = (other, self) if reflected else (self, other)
        return _core.elemwise(name, [a, b])
    return op


def _truediv(self, other, reflected=False):
    other = _operand(other)
    if other is None:
        return NotImplemented
    return B.divide(other, self) if reflected else B.divide(self, other)


def _matmul(self, other, reflected=False):
    other = _operand(other)
    if other is None:
        return NotImplemented
    return B.matmul(other, self) if reflected else B.matmul(self, other)


_COMPARISONS = frozenset(("lt", "gt", "le", "ge", "eq", "neq"))


def _bool(self):
    """Theano's rule: a variable is true (code writes `if not W:`), except a
    comparison's result, whose truth is only known when it runs (so that
    `a < b < c`, which Python evaluates as `(a < b) and (b < c)`, is an error)."""
    op = self.owner.op if self.owner is not None else None
    if op is not None and getattr(op, "kind", None) == "Elemwise" and op.scalar_op in _COMPARISONS:
        raise TypeError("a comparison has no truth value before it runs: %s. Use T.and_/T.or_/T.switch for "
                        "symbolic logic, or compile and call a function to get a value" % (_describe(self),))
    return True


def _iter(self):
    """A vector whose length is known when built (x.shape, a MakeVector, a
    static length) iterates over its elements: `a, b = x.shape`."""
    from .graph_api import get_vector_length
    try:
        n = get_vector_length(self)
    except (TypeError, ValueError):
        raise TypeError("a symbolic variable is not iterable unless it is a vector of known length: %s. Index it "
                        "(x[i]) or use scan" % (_describe(self),)) from None
    return (self[i] for i in range(n))


class Scratchpad(object):
    """Theano's Variable.tag: free attributes user code attaches to a
    variable (tag.test_value, tag.trace, ...)."""

    def __repr__(self):
        return "scratchpad" + str(self.__dict__)


class _VariableTag(Scratchpad):
    """A variable's tag. tag.test_value is kept with the variable in theon's
    core (so that a value given to an input reaches every node built from
    it, docs/test-values.md): setting it converts the value to the
    variable's type as a function argument would, or raises TypeError."""

    def __init__(self, var):
        object.__setattr__(self, "_var", var)

    @property
    def test_value(self):
        v = self._var._test_value
        if v is None:
            raise AttributeError("%s has no test value (tag.test_value); config.compute_test_value gives the "
                                 "outputs of nodes built from variables that have one" % (_describe(self._var),))
        return v

    @test_value.setter
    def test_value(self, value):
        from ..compile.function import In, _Filter
        self._var._test_value = _Filter([In(self._var)], "tag.test_value")(0, value)

    @test_value.deleter
    def test_value(self):
        self._var._test_value = None

    def __repr__(self):
        d = {k: v for k, v in self.__dict__.items() if k != "_var"}
        if self._var._test_value is not None:
            d["test_value"] = self._var._test_value
        return "scratchpad" + str(d)

    def __getstate__(self):
        return {k: v for k, v in self.__dict__.items()}


def _tag(self):
    tag = self.__dict__.get("_theon_tag")
    if tag is None:
        tag = self.__dict__["_theon_tag"] = _VariableTag(self)
    return tag


def _copy(self, name=None):
    out = B.identity(self)
    if name is not None:
        out.name = name
    return out


def _describe(v):
    return v.name if v.name else v._str()


def _reshape(self, shape, ndim=None):
    return B.reshape(self, shape, ndim)


def _dimshuffle(self, *pattern):
    return B.dimshuffle(self, *pattern)


def _transpose(self, *axes):
    if len(axes) == 0:
        return B.transpose(self)
    if len(axes) == 1 and isinstance(axes[0], (list, tuple)):
        axes = axes[0]
    return B.transpose(self, axes)


def _eval(self, inputs_to_values=None):
    """Compile and compute this variable's value (for interactive use: it
    compiles each time, so that no cache keeps the graph alive)."""
    from ..compile.function import function
    inputs_to_values = inputs_to_values or {}
    keys = sorted(inputs_to_values, key=lambda v: v._id)
    fn = function(keys, self, on_unused_input="ignore")
    return fn(*[inputs_to_values[k] for k in keys])


def _repr(self):
    return self._str()


def _getitem(self, key):
    return B.subtensor(self, key)


def _extra():
    from . import extra
    return extra


def _norm(self, L, axis=None, keepdims=False):
    """The L-norm over axis (all axes when None); keepdims keeps them as size 1."""
    if L == 0:
        raise NotImplementedError("norm with L=0 is not defined")
    if L == 1:
        return B.sum(abs(self), axis=axis, keepdims=keepdims)
    if L == 2:
        return B.sqrt(B.sum(B.sqr(self), axis=axis, keepdims=keepdims))
    return B.pow(B.sum(B.pow(abs(self), L), axis=axis, keepdims=keepdims), 1.0 / L)


_METHODS = {
    "__add__": _binary("add"), "__radd__": _binary("add", True),
    "__sub__": _binary("sub"), "__rsub__": _binary("sub", True),
    "__mul__": _binary("mul"), "__rmul__": _binary("mul", True),
    "__truediv__": _truediv, "__rtruediv__": lambda s, o: _truediv(s, o, True),
    "__floordiv__": _binary("int_div"), "__rfloordiv__": _binary("int_div", True),
    "__mod__": _binary("mod"), "__rmod__": _binary("mod", True),
    "__pow__": _binary("pow"), "__rpow__": _binary("pow", True),
    "__lt__": _binary("lt"), "__gt__": _binary("gt"), "__le__": _binary("le"), "__ge__": _binary("ge"),
    "__and__": _binary("and_"), "__rand__": _binary("and_", True),
    "__or__": _binary("or_"), "__ror__": _binary("or_", True),
    "__xor__": _binary("xor_"), "__rxor__": _binary("xor_", True),
    "__matmul__": _matmul, "__rmatmul__": lambda s, o: _matmul(s, o, True),
    "__neg__": lambda s: B.neg(s), "__pos__": lambda s: s, "__abs__": lambda s: B.abs_(s),
    "__invert__": lambda s: B.invert(s),
    "__bool__": _bool, "__iter__": _iter,
    "__getitem__": _getitem,
    "__repr__": _repr, "__str__": _repr,
    "T": property(lambda s: B.transpose(s)),
    "real": property(lambda s: _extra().real(s)),
    "imag": property(lambda s: _extra().imag(s)),
    "conj": lambda s: _extra().conj(s),
    "shape": property(lambda s: B.shape(s)),
    "tag": property(_tag),
    "size": property(lambda s: B.prod(B.shape(s))),
    "dimshuffle": _dimshuffle, "transpose": _transpose, "reshape": _reshape,
    "flatten": lambda s, ndim=1, outdim=None: B.flatten(s, ndim, outdim),
    "ravel": lambda s: B.flatten(s),
    "sum": lambda s, axis=None, dtype=None, keepdims=False, acc_dtype=None: B.sum(s, axis, dtype, keepdims),
    "prod": lambda s, axis=None, dtype=None, keepdims=False, acc_dtype=None: B.prod(s, axis, dtype, keepdims),
    "mean": lambda s, axis=None, dtype=None, keepdims=False, acc_dtype=None: B.mean(s, axis, dtype, keepdims),
    "var": lambda s, axis=None, ddof=0, keepdims=False, corrected=False: B.var(s, axis, ddof, keepdims, corrected),
    "std": lambda s, axis=None, ddof=0, keepdims=False, corrected=False: B.std(s, axis, ddof, keepdims, corrected),
    "max": lambda s, axis=None, keepdims=False: B.max(s, axis, keepdims),
    "min": lambda s, axis=None, keepdims=False: B.min(s, axis, keepdims),
    "argmax": lambda s, axis=None, keepdims=False: B.argmax(s, axis, keepdims),
    "argmin": lambda s, axis=None, keepdims=False: B.argmin(s, axis, keepdims),
    "all": lambda s, axis=None, keepdims=False: B.all(s, axis, keepdims),
    "any": lambda s, axis=None, keepdims=False: B.any(s, axis, keepdims),
    "astype": lambda s, dtype: B.cast(s, dtype),
    "clip": lambda s, a_min, a_max: B.clip(s, a_min, a_max),
    "round": lambda s, mode=None: B.round(s, mode),
    "dot": lambda s, o: B.dot(s, o),
    "norm": _norm,
    "copy": _copy,
    "sqrt": lambda s: B.sqrt(s), "exp": lambda s: B.exp(s), "log": lambda s: B.log(s),
    "eval": _eval,
}

def _T():
    import theon.tensor as T  # complete by the time a method is called
    return T


# NumPy's array methods that Theano's variables also had, built on theon.tensor's functions.
_NUMPY_METHODS = {
    "argsort": lambda s, axis=-1, kind="quicksort", order=None: _T().argsort(s, axis, kind, order),
    "sort": lambda s, axis=-1, kind="quicksort", order=None: _T().sort(s, axis, kind, order),
    "cumsum": lambda s, axis=None: _T().cumsum(s, axis),
    "cumprod": lambda s, axis=None: _T().cumprod(s, axis),
    "repeat": lambda s, repeats, axis=None: _T().repeat(s, repeats, axis),
    "take": lambda s, indices, axis=None, mode="raise": _T().take(s, indices, axis, mode),
    "trace": lambda s: _T().trace(s),
    "ptp": lambda s, axis=None: _T().ptp(s, axis),
    "swapaxes": lambda s, axis1, axis2: _T().swapaxes(s, axis1, axis2),
    "choose": lambda s, choices, out=None, mode="raise": _T().choose(s, choices, out=out, mode=mode),
    "diagonal": lambda s, offset=0, axis1=0, axis2=1: _T().diagonal(s, offset, axis1, axis2),
    "fill": lambda s, value: _T().fill(s, value),
    "nonzero": lambda s, return_matrix=False: _T().nonzero(s, return_matrix),
    "squeeze": lambda s: _T().squeeze(s),
    "searchsorted": lambda s, v, side="left", sorter=None: _T().searchsorted(s, v, side, sorter),
    "compress": lambda s, a, axis=None: _T().extra_ops.compress(s, a, axis),  # s is the condition (Theano)
}
for _k, _v in _NUMPY_METHODS.items():
    if _k not in _METHODS:
        _METHODS[_k] = _v

for _k, _v in _METHODS.items():
    setattr(TV, _k, _v)
# Identity semantics for ==, as in Theano (use T.eq for elementwise equality).
TV.__eq__ = lambda s, o: isinstance(o, TV) and s._id == o._id
TV.__ne__ = lambda s, o: not (isinstance(o, TV) and s._id == o._id)
TV.__hash__ = lambda s: s._id
TV.__array_priority__ = 1000

# NumPy's ufuncs on variables build theon's graph (np.exp(x) is T.exp(x), and
# numpy_array + x is T.add), as PyMC3-style code expects; == keeps Theano's
# identity semantics. Other methods (reduce, out=...) are not symbolic.
_UFUNC_NAMES = {"subtract": "sub", "multiply": "mul", "divide": "true_div", "true_divide": "true_div",
                "floor_divide": "int_div", "power": "pow", "negative": "neg", "absolute": "abs_", "fabs": "abs_",
                "less": "lt", "greater": "gt", "less_equal": "le", "greater_equal": "ge", "sign": "sgn",
                "square": "sqr", "remainder": "mod", "logical_and": "and_", "logical_or": "or_",
                "logical_xor": "xor", "bitwise_and": "and_", "bitwise_or": "or_", "bitwise_xor": "xor",
                "conjugate": "conj"}


def _array_ufunc(self, ufunc, method, *inputs, **kwargs):
    if ufunc is np.equal or ufunc is np.not_equal:
        a, b = inputs
        same = isinstance(a, TV) and isinstance(b, TV) and a._id == b._id
        return same if ufunc is np.equal else not same
    if method != "__call__" or kwargs:
        return NotImplemented
    fn = getattr(_T(), _UFUNC_NAMES.get(ufunc.__name__, ufunc.__name__), None)
    return fn(*inputs) if callable(fn) else NotImplemented


TV.__array_ufunc__ = _array_ufunc


# TensorConstant.value (Theano's alias of .data).
_core.TensorConstant.value = property(lambda s: s.data)
# Theano's Variable.clone: a new variable of the same type and name with no
# owner; a constant's clone holds the same value.
TV.clone = lambda s: s.type(s.name)
_core.TensorConstant.clone = lambda s: B.constant(s.data, name=s.name)


def _values_eq(a, b, force_same_dtype=True):
    """Theano's TensorType.values_eq: same shape (and dtype), equal values, NaN equal to NaN."""
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or (force_same_dtype and a.dtype != b.dtype):
        return False
    both_nan = np.isnan(a) & np.isnan(b) if a.dtype.kind in "fc" and b.dtype.kind in "fc" else False
    return bool(np.all((a == b) | both_nan))


def _values_eq_approx(a, b, allow_remove_inf=False, allow_remove_nan=False, rtol=None, atol=None):
    """Theano's TensorType.values_eq_approx: close at the dtypes' tolerances
    (_allclose), NaN matching NaN; optionally ignoring positions where a is inf or NaN."""
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return False
    if a.dtype.kind not in "fc" or b.dtype.kind not in "fc":
        return _values_eq(a, b, force_same_dtype=False)
    skip = np.isnan(a) & np.isnan(b)
    if allow_remove_nan:
        skip |= np.isnan(a)
    if allow_remove_inf:
        skip |= np.isinf(a)
    skip |= np.isinf(a) & (a == b)
    keep = ~skip
    return bool(B._allclose(a[keep], b[keep], rtol=rtol, atol=atol))


_core.TensorType.values_eq = staticmethod(_values_eq)
_core.TensorType.values_eq_approx = staticmethod(_values_eq_approx)
