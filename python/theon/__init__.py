"""theon: Theano rebuilt with a C++20 core.

``import theon as theano`` runs Theano 1.0-era code: symbolic tensors with
NumPy's syntax, function() compiling graphs, shared variables, and grad().
"""
import os as _os



def _find_blas():
    """Point the core at $THEON_BLAS ("path[:symbol_prefix]") when set, else at the
    OpenBLAS wheel (resolved at run time, no link-time BLAS)."""
    spec = _os.environ.get("THEON_BLAS")
    if spec:
        path, prefix = spec, ""
        head, sep, tail = spec.rpartition(":")
        if sep and "/" not in tail:
            path, prefix = head, tail
        why = _core.load_blas_library(path, prefix)
        if not why:
            return
        import warnings
        warnings.warn("THEON_BLAS=%r cannot be used (%s); using the default BLAS instead" % (spec, why),
                      RuntimeWarning, stacklevel=3)
    try:
        import scipy_openblas32 as _ob
    except ImportError:
        return
    lib = _os.path.join(_ob.get_lib_dir(), "lib%s.so" % _ob.get_library())
    if _os.path.exists(lib):
        _core.set_blas_library(lib, "scipy_")


def _find_onednn():
    """Point the core at the onednn-cpu-gomp wheel's libdnnl.so.3 (convolutions
    and pooling; resolved at run time, no build-time oneDNN). $THEON_ONEDNN, a
    path or 0, takes precedence and is read by the core."""
    if _os.environ.get("THEON_ONEDNN"):
        return
    try:
        from importlib import metadata
        files = metadata.files("onednn-cpu-gomp") or []
    except Exception:  # the wheel is not installed: the core searches the loader's path
        return
    for f in files:
        if f.name == "libdnnl.so.3":
            why = _core.load_onednn_library(str(f.locate()))
            if why:
                import warnings
                warnings.warn("the onednn-cpu-gomp wheel's libdnnl.so.3 cannot be used (%s); convolutions and "
                              "pooling use theon's own kernels" % why, RuntimeWarning, stacklevel=3)
            return


from . import _core  # noqa: E402

__version__ = _core.__version__

_core._install_site_provider(_os.path.dirname(_os.path.abspath(__file__)))
_find_blas()
_find_onednn()

from .configparser import config, change_flags  # noqa: E402,F401
from . import tensor  # noqa: E402,F401
from .compile import function, function_dump, In, Out, Param, shared, Mode, SharedVariable  # noqa: E402,F401
from .gradient import grad, Rop, Lop  # noqa: E402,F401
from . import compat, gof, updates, configdefaults  # noqa: E402,F401
from .gof import FunctionGraph  # noqa: E402,F401
from .tensor import dot  # noqa: E402,F401  (theano.dot)
from .gof.graph import clone_replace as clone  # noqa: E402,F401
from .gof import Op  # noqa: E402,F401  (ops written in Python subclass it: docs/python-ops.md)
from . import gradient  # noqa: E402,F401
from . import printing  # noqa: E402,F401
from . import sandbox  # noqa: E402,F401  (theano.sandbox.rng_mrg)
from . import scan_module  # noqa: E402,F401
from . import ifelse  # noqa: E402,F401  (theano.ifelse.ifelse)
from .compile.builders import OpFromGraph  # noqa: E402,F401  (theano.OpFromGraph)
from .scan_module import scan, map, reduce, foldl, foldr, scan_checkpoints  # noqa: E402,F401,A004
from .printing import pprint, pp, debugprint  # noqa: E402,F401
from ._errors import MissingInputError, UnusedInputError, DisconnectedInputError  # noqa: E402,F401
from .tensor.basic import Apply  # noqa: E402,F401
from .gof.graph import Variable, Constant  # noqa: E402,F401  (tensors are instances too)
import logging as _logging  # noqa: E402

# Theano's logger for its modules ("theano.printing", "theano.compile.nanguardmode", ...) and its handler.
theano_logger = _logging.getLogger("theano")
logging_default_handler = _logging.StreamHandler()
logging_default_handler.setFormatter(_logging.Formatter(fmt="%(levelname)s (%(name)s): %(message)s"))
theano_logger.addHandler(logging_default_handler)
theano_logger.setLevel(_logging.WARNING)
from . import _pickle  # noqa: E402

_pickle.register()  # pickle and copy know theon's graph objects (docs/pickling.md)



def _asarray(a, dtype, order=None):
    """numpy.asarray with the dtype given (Theano's theano._asarray)."""
    import numpy
    return numpy.asarray(a, dtype=dtype, order=order)


# The machine side: the kernels' thread pool and SIMD path.
num_threads = _core.num_threads
set_num_threads = _core.set_num_threads
simd_info = _core.simd_info


def _apply_thread_flags():
    """config.num_threads (0: the environment's or the CPU count) and
    config.openmp (False: one thread) size the pool and OpenBLAS's;
    theon.set_num_threads() overrides them until a flag changes again."""
    n = config.num_threads or (0 if config.openmp else 1)
    if n:
        _core.set_num_threads(n)
    else:
        _core.reset_num_threads()


config._on_change(("num_threads", "openmp"), _apply_thread_flags)
config._on_change(("compute_test_value",), lambda: _core.set_test_value_mode(config.compute_test_value))


def _break_default_update_cycles():
    """A shared variable's default_update refers back to the variable through
    C++ references that Python's collector cannot see, so such pairs would
    outlive the interpreter (and nanobind would report them as leaks): drop
    the attribute at exit."""
    import gc
    for obj in gc.get_objects():
        if isinstance(obj, _core.TensorSharedVariable) and "default_update" in getattr(obj, "__dict__", {}):
            del obj.__dict__["default_update"]
    gc.collect()


import atexit as _atexit  # noqa: E402

_atexit.register(_break_default_update_cycles)
