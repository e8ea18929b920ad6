"""theano.gof: the graph objects and helpers Theano code imports.

Apply, Variable and Constant are theon's own graph classes; Op matches every
theon op in isinstance checks (T.Op); graph and fg give Theano's graph walks
and FunctionGraph. Custom Python ops (subclassing Op with perform) are
issue 28's."""
from ..tensor.basic import Apply, Variable, TensorConstant as Constant  # noqa: F401
from ..tensor.graph_api import Op  # noqa: F401
from .._errors import MissingInputError, MethodNotDefined  # noqa: F401
from . import graph, fg, utils, toolbox, null_type, opt, op, type  # noqa: F401,A004
from .type import Generic, generic  # noqa: F401
from .fg import FunctionGraph  # noqa: F401
from .toolbox import BadOptimization  # noqa: F401
from . import link  # noqa: F401
from .link import Linker, PerformLinker, CLinker, OpWiseCLinker, DualLinker, VM_Linker  # noqa: F401
vm = link  # theano.gof.vm.VM_Linker
from . import optdb  # noqa: F401,E402
from .optdb import Query, SequenceDB  # noqa: F401,E402
from .opt import (LocalOptimizer, LocalOptGroup, Optimizer, TopoOptimizer, local_optimizer,  # noqa: F401,E402
                  out2in, in2out)
