from .function import function, function_dump, In, Out, Function, Param  # noqa: F401
from .sharedvalue import shared, SharedVariable  # noqa: F401
from .mode import Mode, get_mode, get_default_mode, predefined_modes, FAST_RUN, FAST_COMPILE  # noqa: F401
from .._errors import UnusedInputError, MissingInputError  # noqa: F401
from .ops import DeepCopyOp, deep_copy_op, ViewOp, OutputGuard  # noqa: F401,E402
from . import io, ops, debugmode, function_module, monitormode, nanguardmode, profiling  # noqa: F401,E402
from .monitormode import MonitorMode  # noqa: F401,E402
from .profiling import ProfileStats  # noqa: F401,E402
from .nanguardmode import NanGuardMode  # noqa: F401,E402
from .debugmode import DebugMode  # noqa: F401,E402
from .mode import _add_debug_mode  # noqa: E402

_add_debug_mode()
from . import pfunc as _pfunc_module  # noqa: F401,E402
from .pfunc import pfunc  # noqa: F401,E402
from ..configparser import config  # noqa: F401,E402  (theano.compile.config)
from ..gof.optdb import optdb  # noqa: F401,E402  (Theano's optimizer database: query(Query) -> optimizer)
from . import builders  # noqa: F401,E402
from .builders import OpFromGraph  # noqa: F401,E402
