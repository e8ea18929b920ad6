"""Exception classes with Theano's names."""
import numpy as _np


class AxisError(IndexError, ValueError):
    """An axis the array does not have: an IndexError and a ValueError, as
    NumPy's AxisError."""


class LinAlgError(_np.linalg.LinAlgError):
    """A matrix a linear algebra function cannot take (singular, not positive
    definite, not square): numpy.linalg.LinAlgError (so scipy.linalg's too),
    which is a ValueError."""


class LabelError(IndexError, ValueError):
    """A class label out of range for the crossentropy ops: an IndexError like
    an index into the probabilities, and a ValueError as Theano's ops raised."""


class MissingInputError(ValueError):
    """A variable needed by an output was neither an input nor given a value."""


class CachedConstantError(Exception):
    """Theano's error for a cached constant given to a FunctionGraph that
    would own it (clone=False). theon's FunctionGraph never changes the
    variables it is given, so it does not raise it: the name is for imports."""


class UnusedInputError(ValueError):
    """An input of function() is not needed to compute any output."""


class DisconnectedInputError(ValueError):
    """grad() was asked for the gradient of a variable the cost does not depend on."""


class UnknownFlagError(ValueError, AttributeError):
    """A configuration flag that theon does not have."""


class NullTypeGradError(TypeError, NotImplementedError):
    """grad() met a gradient that does not exist (undefined_grad, or an op
    without a gradient) on the way to a variable it was asked about."""


# Theano's tensor exceptions. Each also derives from the builtin that theon
# raises in its place, so `except TypeError` and `except T.AsTensorError` both work.
class AsTensorError(TypeError):
    """A value that cannot become a tensor variable."""


class NotScalarConstantError(Exception):
    """get_scalar_constant_value: the variable is not a constant scalar."""


class EmptyConstantError(NotScalarConstantError):
    """get_scalar_constant_value of an empty constant."""


class ShapeError(Exception):
    """A shape that is not valid for an op."""


class AdvancedIndexingError(TypeError):
    """An index that advanced indexing cannot take."""


class AdvancedBooleanIndexingError(TypeError):
    """A boolean mask that advanced indexing cannot take."""


class MethodNotDefined(Exception):
    """An op method that a subclass must define."""
