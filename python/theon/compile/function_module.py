"""theano.compile.function_module: where Theano's compiled functions lived."""
from .function import Function, function  # noqa: F401
from .ops import DeepCopyOp, deep_copy_op, ViewOp, OutputGuard  # noqa: F401
from .._errors import UnusedInputError, MissingInputError  # noqa: F401
