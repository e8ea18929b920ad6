"""theano.gof.utils."""
from .._errors import MethodNotDefined  # noqa: F401
from ..tensor.methods import Scratchpad as scratchpad  # noqa: F401  (Theano's Variable.tag class)
