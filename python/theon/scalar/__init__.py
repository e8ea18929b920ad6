"""theano.scalar: Theano's scalar types and scalar ops, as theon has them.

theon's graphs hold tensors only: a scalar type makes 0-d tensor variables,
and a scalar op is the scalar function of the table that theon.tensor's
elementwise function of the same name applies (T.Elemwise(scalar.add) is
T.add). upcast gives the dtype NumPy's promotion gives."""
import functools

import numpy as np

from .. import _core
from ..tensor.basic import _ScalarOp as ScalarOp, autocast_float, autocast_float_as  # noqa: F401


class ComplexError(NotImplementedError):
    """A scalar function that has no complex form."""


class IntegerDivisionError(ArithmeticError):
    """Integer / integer where config.int_division forbids it."""


class Scalar(object):
    """The scalar type of `dtype`; calling it makes a 0-d tensor variable."""

    def __init__(self, dtype):
        self.dtype = str(np.dtype(dtype)) if dtype != "floatX" else dtype

    def __call__(self, name=None):
        from ..tensor.basic import tensor
        return tensor(self.dtype, (), name)

    make_variable = __call__

    def __eq__(self, other):
        return isinstance(other, Scalar) and other.dtype == self.dtype

    def __hash__(self):
        return hash(("Scalar", self.dtype))

    def __str__(self):
        return self.dtype

    def __repr__(self):
        return "Scalar(%s)" % self.dtype


ScalarType = Scalar

bool = Scalar("bool")  # noqa: A001 (Theano's name)
int8, int16, int32, int64 = (Scalar(d) for d in ("int8", "int16", "int32", "int64"))
uint8, uint16, uint32, uint64 = (Scalar(d) for d in ("uint8", "uint16", "uint32", "uint64"))
float16, float32, float64 = (Scalar(d) for d in ("float16", "float32", "float64"))
complex64, complex128 = Scalar("complex64"), Scalar("complex128")

bool_types = (bool,)
int_types = (int8, int16, int32, int64)
uint_types = (uint8, uint16, uint32, uint64)
float_types = (float16, float32, float64)
complex_types = (complex64, complex128)
discrete_types = bool_types + int_types + uint_types
continuous_types = float_types + complex_types
all_types = discrete_types + continuous_types


def upcast(dtype, *dtypes):
    """The dtype the given dtypes promote to (NumPy's promotion)."""
    return str(functools.reduce(np.promote_types, [np.dtype(str(d)) for d in (dtype,) + dtypes]))


# Output-type rules of Theano's scalar op constructors: theon's scalar table
# fixes each function's rule, so these are accepted and recorded.
def transfer_type(*indices):
    return ("transfer_type", indices)


def upgrade_to_float(*types):
    return tuple(Scalar(upcast("float32" if t.dtype in ("int8", "uint8", "int16", "uint16", "bool") else t.dtype,
                               "float32")) for t in types)


same_out = upcast_out = upcast_out_nobool = float_out = int_out = ("rule",)


def constant(x, name=None):
    """A 0-d constant."""
    from ..tensor.basic import constant as tensor_constant
    value = np.asarray(x)
    if value.ndim != 0:
        raise TypeError("theano.scalar.constant takes a scalar, got an array of shape %s" % (value.shape,))
    return tensor_constant(value, name=name)


def as_scalar(x, name=None):
    from ..tensor.basic import as_tensor_variable
    v = as_tensor_variable(x, name)
    if v.ndim != 0:
        raise TypeError("as_scalar: %s is not 0-d" % (v.type,))
    return v


_ns = globals()
for _name, _arity in _core.scalar_ops():
    _ns[_name] = ScalarOp(_name, _arity)


class _ScalarOpClass(type):
    """Theano's scalar op classes (Add, IntDiv, EQ, ...): constructing one with
    an output-type rule gives the table's scalar function; isinstance(op, cls)
    holds for that function, also as a compiled node's op.scalar_op (its name)."""

    def __call__(cls, output_types_preference=None, name=None):
        return _ns[cls._fn_name]

    def __instancecheck__(cls, op):
        return isinstance(op, (str, ScalarOp)) and str(op) == cls._fn_name


def _op_class(name, fn_name):
    return _ScalarOpClass(name, (object,), {"_fn_name": fn_name, "__doc__": "Theano's scalar op class %s: the "
                                            "table's scalar function %s." % (name, fn_name)})


# Theano's class name -> the table's function.
_CLASSES = {"Add": "add", "Sub": "sub", "Mul": "mul", "TrueDiv": "true_div", "IntDiv": "int_div", "Mod": "mod",
            "Pow": "pow", "Maximum": "maximum", "Minimum": "minimum", "Second": "second", "AND": "and_",
            "OR": "or_", "XOR": "xor", "EQ": "eq", "NEQ": "neq", "LT": "lt", "GT": "gt", "LE": "le", "GE": "ge",
            "Switch": "switch", "Abs": "abs", "Neg": "neg", "Inv": "inv", "Exp": "exp", "Expm1": "expm1",
            "Log": "log", "Log1p": "log1p", "Sqr": "sqr", "Sqrt": "sqrt", "Erf": "erf", "Erfc": "erfc",
            "Sigmoid": "sigmoid", "Softplus": "softplus", "Tanh": "tanh"}
for _cls, _fn in _CLASSES.items():
    if _fn in _ns:
        _ns[_cls] = _op_class(_cls, _fn)
abs_ = _ns["abs"]
from . import basic  # noqa: E402,F401  (theano.scalar.basic, the module Theano kept them in)

from . import sharedvar  # noqa: F401,E402  (theano.scalar.sharedvar.shared)
