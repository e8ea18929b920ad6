"""theano.compile.debugmode: DebugMode arrives with issue 28. Until then the
class exists so that Theano code can test `isinstance(mode, DebugMode)`, and
constructing one says where it stands."""
from .mode import Mode


class DebugModeError(Exception):
    """An inconsistency DebugMode found."""


class InvalidValueError(DebugModeError):
    """A value that does not fit its type."""


class DebugMode(Mode):
    """Theano's self-checking mode (not implemented yet: constructing one raises)."""

    def __init__(self, *args, **kwargs):
        raise NotImplementedError("DebugMode is not implemented yet (issue 28); use Mode() or FAST_COMPILE")
