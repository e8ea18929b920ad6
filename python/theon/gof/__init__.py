"""theano.gof: the graph objects and helpers Theano code imports.

Apply, Variable and Constant match theon's graph objects (C++) in isinstance
checks, and make the Python-side nodes and variables of non-tensor types
(Type, Generic: docs/python-ops.md); Op matches every theon op (T.Op) and is
the base class of ops written in Python; graph and fg give Theano's graph
walks and FunctionGraph."""
from ..tensor.basic import Apply  # noqa: F401
from ..tensor.graph_api import Op  # noqa: F401
from .._errors import CachedConstantError, MissingInputError, MethodNotDefined  # noqa: F401
from . import graph, fg, utils, toolbox, null_type, opt, op, type  # noqa: F401,A004
from .graph import Variable, Constant  # noqa: F401
from .type import Type, Generic, generic, SingletonType, PureType  # noqa: F401
from .op import PureOp, get_test_value, get_debug_values, debug_error_message  # noqa: F401
from .fg import FunctionGraph  # noqa: F401
from .toolbox import BadOptimization  # noqa: F401
from . import link  # noqa: F401
from .link import Container, Linker, PerformLinker, CLinker, OpWiseCLinker, DualLinker, VM_Linker  # noqa: F401
vm = link  # theano.gof.vm.VM_Linker
from . import optdb  # noqa: F401,E402
from .optdb import Query, SequenceDB  # noqa: F401,E402
from .opt import (LocalOptimizer, LocalOptGroup, Optimizer, TopoOptimizer, local_optimizer,  # noqa: F401,E402
                  out2in, in2out)
