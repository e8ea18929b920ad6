"""Contestants: how to import each one and which API family its workloads
build with. A contestant that does not import is reported as n/a, never as an
error. Thread counts come from the environment the driver set up."""
import importlib
import os
import sys


def _threads():
    return int(os.environ.get("OMP_NUM_THREADS", "1"))


# Theano 1.0.5's C code (its lazylinker and op kernels) does not build on
# Python 3.11, the Python of this harness: it runs with no C compiler, on its
# Python linker. Its graph rewriting, the larger part of its compile time,
# is unchanged, so its compile times are a lower bound of the real ones.
# Theano's Python linker (its C runtime does not build for Python 3.11). Without C code its
# fused Composites of more than 32 inputs cannot run (NumPy's ufunc limit: C1's graph), and
# fusion gains nothing in Python, so it is off.
THEANO_NO_C = "cxx=,blas.ldflags=,optimizer_excluding=fusion"


def _theano_api(modname):
    def load():
        if modname == "theano":
            if THEANO_NO_C not in os.environ.get("THEANO_FLAGS", ""):
                flags = os.environ.get("THEANO_FLAGS", "")
                os.environ["THEANO_FLAGS"] = (flags + "," if flags else "") + THEANO_NO_C
            # Theano recurses over the graph; its docs advise a higher limit for deep graphs (C1).
            sys.setrecursionlimit(max(sys.getrecursionlimit(), 100000))
        lib = importlib.import_module(modname)
        importlib.import_module(modname + ".tensor")
        if modname == "theon" and not os.environ.get("THEON_BENCH_CHILD"):
            # Steady-state timings measure the native tier: wait for it once
            # instead of timing a mix of VM and native calls. First-call
            # children keep the default (tiered: the first call runs on the VM).
            return _WaitingForNative(lib)
        return lib
    return load


def _jax_x64():
    """JAX computes float64 workloads in float64 only with x64 on (float32
    inputs stay float32: Python scalars are weakly typed)."""
    jax = importlib.import_module("jax")
    jax.config.update("jax_enable_x64", True)
    return jax


class _WaitingForNative(object):
    """theon whose `function` returns once the function's native code is
    loaded (the process-wide config stays untouched)."""

    def __init__(self, lib):
        self._lib = lib
        self.__version__ = getattr(lib, "__version__", "?")

    def __getattr__(self, name):
        return getattr(self._lib, name)

    def function(self, *args, **kwargs):
        f = self._lib.function(*args, **kwargs)
        f.wait_native()
        return f


class _WithMode(object):
    """A Theano-API module whose `function` compiles with a given mode (e.g.
    PyTensor's NUMBA backend); everything else is the module's own."""

    def __init__(self, lib, mode):
        self._lib, self._mode = lib, mode
        self.__version__ = "%s %s" % (getattr(lib, "__version__", "?"), mode)

    def __getattr__(self, name):
        return getattr(self._lib, name)

    def function(self, *args, **kwargs):
        kwargs.setdefault("mode", self._mode)
        return self._lib.function(*args, **kwargs)


def _pytensor_numba():
    lib = _theano_api("pytensor")()
    importlib.import_module("numba")
    return _WithMode(lib, "NUMBA")


def _torch():
    torch = importlib.import_module("torch")
    torch.set_num_threads(_threads())
    return torch


def _torch_compile():
    torch = _torch()
    import torch._inductor  # noqa: F401,F811  (fails early where inductor cannot run)
    return torch


def _numba():
    numba = importlib.import_module("numba")
    numba.set_num_threads(min(_threads(), numba.config.NUMBA_NUM_THREADS))
    return numba


# name -> (loader returning the module, API family the workloads build with)
CONTESTANTS = {
    "numpy": (lambda: importlib.import_module("numpy"), "numpy"),
    "theon": (_theano_api("theon"), "theano"),
    # Another build of theon (an earlier commit, say), run from the interpreter in
    # $THEON_BENCH_BASE_PYTHON: before/after figures of a change in one run.
    "theon-base": (_theano_api("theon"), "theano"),
    "pytensor": (_theano_api("pytensor"), "theano"),
    "pytensor-numba": (_pytensor_numba, "theano"),
    "theano": (_theano_api("theano"), "theano"),  # Python linker: see THEANO_NO_C
    "numexpr": (lambda: importlib.import_module("numexpr"), "numexpr"),
    "jax": (lambda: _jax_x64(), "jax"),
    "torch": (_torch, "torch"),
    "torch-compile": (_torch_compile, "torch_compile"),
    "numba": (_numba, "numba"),
}
FULL = "numpy,theon,numexpr,pytensor,pytensor-numba,jax,torch,torch-compile,numba,theano"
# PyTensor's Numba backend compiles each graph for minutes: full suite only.
QUICK = FULL.replace("pytensor-numba,", "")


def default_for(suite):
    return FULL if suite == "full" else QUICK


def load(name):
    """(module, api) or (None, reason) when the contestant is not available."""
    loader, api = CONTESTANTS[name]
    try:
        return loader(), api
    except Exception as e:  # any import failure means n/a
        return None, "%s: %s" % (type(e).__name__, str(e).splitlines()[0] if str(e) else "")


def version(mod):
    return getattr(mod, "__version__", "?")
