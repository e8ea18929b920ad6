"""theano.tensor.inplace: Theano's `<name>_inplace` functions.

Each computes what `<name>` computes and, as Theano's, destroys its first
input (destroy_map {0: [0]}): theon.function accepts such a graph only with
accept_inplace=True, and then compiles a destroyed function input as
In(mutable=True), so the inplace phase writes the result into the caller's
array. The graph itself is the plain function's: which buffers are
overwritten is decided when a function is compiled."""
import sys as _sys

from . import basic as _b

# The variables the elementwise <name>_inplace ops made: variable id -> (the
# id of the input it destroys, the op's name). theon.function reads it.
DESTROYERS = {}

_NAMES = ("lt gt le ge eq neq and_ or_ xor invert abs_ exp exp2 expm1 neg inv log log1p log2 log10 sgn ceil floor "
          "trunc round_half_to_even round_half_away_from_zero sqr sqrt deg2rad rad2deg cos arccos sin arcsin tan "
          "arctan arctan2 cosh arccosh sinh arcsinh tanh arctanh erf erfc erfcx gamma gammaln psi tri_gamma chi2sf "
          "j0 j1 jv i0 i1 iv second maximum minimum add sub mul true_div int_div mod pow conj").split()


class _InplaceElemwise(_b._ElemwiseFunction):
    """The `<name>_inplace` op object of an elementwise function."""

    def __init__(self, fn):
        _b._ElemwiseFunction.__init__(self, fn._core_name, fn.scalar_op.name, fn.scalar_op.nin, fn._variadic)
        self._fn = fn
        self.inplace_pattern, self.destroy_map = {0: 0}, {0: [0]}
        self.__name__ = self.__qualname__ = fn.__name__ + "_inplace"
        self.__doc__ = ("%s, destroying its first input (Theano's in-place op: the result is written over it).\n\n"
                        "See theon.tensor.%s." % (fn.__name__, fn.__name__))

    def __call__(self, *xs):
        out = self._fn(*xs)
        first = _b.as_tensor_variable(xs[0])
        if out.dtype != first.dtype:  # written into the first input: its dtype (Theano's transfer_type(0))
            out = _b.cast(out, first.dtype)
        DESTROYERS[out._id] = (first._id, self.__name__)
        return out

    def __str__(self):  # Theano named these ops after their function
        return self.__name__

    def __eq__(self, other):
        return isinstance(other, _InplaceElemwise) and other.scalar_op == self.scalar_op

    def __hash__(self):
        return hash(("Elemwise-inplace", self.scalar_op.name))


def _inplace_of(name):
    import theon.tensor as T
    fn = getattr(T, name)
    if isinstance(fn, _b._ElemwiseFunction):
        return _InplaceElemwise(fn)

    def f(*args, **kwargs):
        return fn(*args, **kwargs)
    f.__name__ = name + "_inplace"
    f.__doc__ = "%s (theon decides which buffers are overwritten)." % name
    return f


def __getattr__(attr):
    """Built on first use: theon.tensor is complete by then."""
    if attr.endswith("_inplace") and attr[:-len("_inplace")] in _NAMES:
        value = _inplace_of(attr[:-len("_inplace")])
    elif attr == "fill_inplace":
        value = __getattr__("second_inplace")
    elif attr == "transpose_inplace":
        value = _inplace_of("transpose")
    else:
        raise AttributeError("theon.tensor.inplace has no attribute %r" % (attr,))
    setattr(_sys.modules[__name__], attr, value)
    return value


def __dir__():
    return sorted([n + "_inplace" for n in _NAMES] + ["fill_inplace", "transpose_inplace"])
