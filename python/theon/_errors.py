"""Exception classes with Theano's names."""


class MissingInputError(ValueError):
    """A variable needed by an output was neither an input nor given a value."""


class UnusedInputError(ValueError):
    """An input of function() is not needed to compute any output."""


class DisconnectedInputError(ValueError):
    """grad() was asked for the gradient of a variable the cost does not depend on."""


class UnknownFlagError(ValueError, AttributeError):
    """A configuration flag that theon does not have."""


class NullTypeGradError(TypeError, NotImplementedError):
    """grad() met a gradient that does not exist (undefined_grad, or an op
    without a gradient) on the way to a variable it was asked about."""
