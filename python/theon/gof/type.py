"""theano.gof.type: Theano's Type base class and Generic, the type of
arbitrary Python objects.

A user's non-tensor type subclasses Type (filter, values_eq, __eq__, ...)
and makes variables with ``MyType(...)()``: Python-side variables
(theon.gof.graph.Variable) that Python ops take and return. theon's compiled
graphs hold tensors only, so such graphs are built, inspected and evaluated
in Python (``var.eval()``), not compiled by theano.function. theon's
TensorType (a C++ class) counts as a Type in isinstance checks."""
from .. import _core
from .._errors import MethodNotDefined
from . import graph


class _TypeClass(type):
    """isinstance(t, Type) holds for theon's TensorType too."""

    def __instancecheck__(cls, obj):
        return type.__instancecheck__(cls, obj) or (cls is Type and isinstance(obj, _core.TensorType))

    def __subclasscheck__(cls, sub):
        return type.__subclasscheck__(cls, sub) or (cls is Type and issubclass(sub, _core.TensorType))


class Type(metaclass=_TypeClass):
    """The base class of Theano's types: a type checks and converts values
    (``filter``), compares them (``values_eq``) and makes variables
    (``type()``, ``make_variable``, ``make_constant``). A subclass defines
    at least ``filter``, and ``__eq__``/``__hash__`` when its instances
    with equal parameters are the same type (the default is identity)."""

    #: the classes of the variables and constants this type makes
    Variable = graph.Variable
    Constant = graph.Constant

    def filter(self, data, strict=False, allow_downcast=None):
        """data as a value of this type (converted unless strict), or
        TypeError / ValueError."""
        raise MethodNotDefined("%s.filter is not defined: a Type subclass must define it" % type(self).__name__)

    def filter_variable(self, other, allow_convert=True):
        """other as a variable of this type: a value becomes a constant; a
        variable of another type is converted (convert_variable) or TypeError."""
        if not isinstance(other, graph.Variable):
            other = self.Constant(self, other)
        if other.type != self and allow_convert:
            converted = self.convert_variable(other)
            if converted is not None:
                return converted
        if other.type != self:
            raise TypeError("cannot convert type %s of variable %s into type %s; you can try to manually convert "
                            "it" % (other.type, other, self))
        return other

    def convert_variable(self, var):
        """var as a variable of this type when it can be (else None)."""
        return var if var.type == self else None

    def is_valid_value(self, a):
        """Whether filter(a, strict=True) accepts a."""
        try:
            self.filter(a, strict=True)
            return True
        except (TypeError, ValueError):
            return False

    def value_validity_msg(self, a):
        return "none"

    def make_variable(self, name=None):
        """A new variable of this type (an instance of self.Variable)."""
        return self.Variable(self, name=name)

    def make_constant(self, value, name=None):
        """A constant of this type holding filter(value)."""
        return self.Constant(self, value, name=name)

    def __call__(self, name=None):
        return self.make_variable(name)

    def values_eq(self, a, b):
        """Whether two values of this type are equal."""
        return a == b

    def values_eq_approx(self, a, b):
        """Whether two values are close enough (by default: values_eq)."""
        return self.values_eq(a, b)

    @staticmethod
    def may_share_memory(a, b):
        return a is b


PureType = Type


class SingletonType(Type):
    """A type with one instance per class (Generic)."""
    __instance = None

    def __new__(cls):
        if cls.__dict__.get("_SingletonType__instance") is None:
            cls.__instance = object.__new__(cls)
        return cls.__instance

    def __eq__(self, other):
        return type(self) is type(other)

    def __hash__(self):
        return hash(type(self))

    def __str__(self):
        return type(self).__name__

    __repr__ = __str__


class Generic(SingletonType):
    """The type of arbitrary Python objects: filter() accepts any value.
    A generic shared variable (theon.shared of a non-numeric value) has this
    type; Python ops may take and return generic variables."""

    def filter(self, data, strict=False, allow_downcast=None):
        return data

    def is_valid_value(self, a):
        return True

    def values_eq(self, a, b):
        return a == b

    def values_eq_approx(self, a, b):
        return a == b

    def __str__(self):
        return "generic"

    __repr__ = __str__


generic = Generic()
