"""theano.gof.utils."""
from .._errors import MethodNotDefined  # noqa: F401
