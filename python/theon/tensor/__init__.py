"""theon.tensor (Theano's ``theano.tensor``)."""
from .basic import *  # noqa: F401,F403
from .basic import _shared, _allclose, _get_atol_rtol  # noqa: F401  (Theano's helpers its tests use)
from .basic import (TensorType, TensorVariable, TensorConstant, TensorSharedVariable, Variable,  # noqa: F401
                    as_tensor_variable, as_tensor, constant, tensor, abs_, switch, xor, round, sum, prod,
                    max, min, all, any, cast, fill, zeros_like, ones_like, reshape, flatten, shape, shape_i,
                    dimshuffle, transpose, alloc, zeros, ones, arange, eye, join, concatenate, stack, dot,
                    matmul, outer, tensordot, subtensor, set_subtensor, inc_subtensor, mean, var, std,
                    argmax, argmin, max_and_argmax, true_div, int_div, floor_div, divide, clip, add, mul)
from .extra import *  # noqa: F401,F403
from .extra_ops import *  # noqa: F401,F403
from .sort import *  # noqa: F401,F403
from .graph_api import *  # noqa: F401,F403
from .io import *  # noqa: F401,F403
from . import io  # noqa: F401
from . import methods as _methods  # noqa: F401  (installs operators and methods)
from . import nnet  # noqa: F401
from . import signal  # noqa: F401
from . import nlinalg, slinalg  # noqa: F401  (numpy.linalg and scipy.linalg on LAPACK)
from . import raw_random, shared_randomstreams, random  # noqa: F401  (Theano's random streams)
from . import sharedvar  # noqa: F401
from . import opt  # noqa: F401
from ..gradient import grad, Rop, Lop, jacobian, hessian, consider_constant  # noqa: F401
from ..gradient import verify_grad, numeric_grad, grad_not_implemented, grad_undefined  # noqa: F401
from ..configparser import config  # noqa: F401

from . import elemwise, subtensor, inplace, xlogx, type  # noqa: F401,E402,A004  (type: Theano's tensor.type module)
from .subtensor import get_canonical_form_slice  # noqa: F401,E402
from .. import scalar as scal  # noqa: F401,E402  (Theano's theano.tensor.scal)

# Theano's tensor.basic also held the op classes (theano.tensor.basic.DimShuffle, ...).
for _cls in graph_api._ALL_CLASSES:
    setattr(basic, _cls.__name__, _cls)

# What `from theano.tensor import *` also gave Theano code: numpy as np, the
# theano package and theano.compile (its star import had no __all__).
import numpy as np  # noqa: E402,F401
import theon as theano  # noqa: E402,F401
from .. import compile  # noqa: E402,F401,A004

_basic_names = [n for n in dir() if not n.startswith("_")]
