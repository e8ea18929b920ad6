"""theon.config: Theano's flags, read from THEON_FLAGS and THEANO_FLAGS.

Flags are given as ``name=value`` pairs separated by commas, e.g.
``THEON_FLAGS=floatX=float32,on_unused_input=warn``. THEON_FLAGS wins over
THEANO_FLAGS. An unknown flag is an error, never silently ignored.
"""
import functools
import os
import shutil

from ._errors import UnknownFlagError

_FLAGS = {
    # name: (default, allowed values or a converter, doc)
    "floatX": ("float64", ("float64", "float32", "float16"), "default float dtype of constructors and constants"),
    "cast_policy": ("custom", ("custom", "numpy+floatX"), "how Python scalars are typed"),
    "device": ("cpu", ("cpu",), "where computations run"),
    "mode": ("FAST_RUN", ("FAST_RUN", "FAST_COMPILE", "DebugMode", "DEBUG_MODE", "Mode", "ProfileMode"), "default function mode"),
    "optimizer": ("fast_run", ("fast_run", "fast_compile", "merge", "None", "o1", "o2", "o3", "o4"), "rewrite level"),
    "optimizer_including": ("", str, "rewrites or tags to add, separated by ':'"),
    "optimizer_excluding": ("", str, "rewrites or tags to remove, separated by ':'"),
    "optimizer_requiring": ("", str, "tags every rewrite must carry, separated by ':'"),
    "optimizer_verbose": (False, bool, "print which rewrites fired and each phase's time when compiling"),
    "on_unused_input": ("raise", ("raise", "warn", "ignore"), "default of function(on_unused_input=...)"),
    "compute_test_value": ("off", ("off", "ignore", "warn", "raise", "pdb"), "test values (accepted, not used yet)"),
    "exception_verbosity": ("low", ("low", "high"), "detail of error messages"),
    "allow_gc": (True, bool, "free intermediate buffers after their last use"),
    "warn_float64": ("ignore", ("ignore", "warn", "raise", "pdb"), "report float64 variables when floatX is float32"),
    "int_division": ("floatX", ("int", "raise", "floatX"), "what int / int gives"),
    "profile": (False, bool, "profile functions (accepted, not used yet)"),
    "deterministic": ("default", ("default", "more"), "prefer deterministic kernels"),
    "print_global_stats": (False, bool, "accepted for compatibility"),
    "compiledir": (os.environ.get("THEON_COMPILEDIR") or os.path.join(os.path.expanduser("~"), ".theon"), str,
                   "cache directory for generated code (theon-cache manages it)"),
    "compiledir_max_mb": (1024.0, float, "size limit of the native modules in compiledir, in MiB: after a module "
                          "is built, the least recently used others are removed until they fit (0: no limit)"),
    "cxx": (shutil.which("c++") or shutil.which("g++") or shutil.which("clang++") or "", str,
            "the C++ compiler of the native tier ('' = none: the VM tier runs everything)"),
    "native": ("async", ("async", "wait", "off"),
               "native code for fused kernels: compiled in the background while calls run on the VM (async), "
               "before the first call (wait), or never (off)"),
    "blas__ldflags": ("", str, "accepted for compatibility (BLAS is found at run time)"),
    "warn__round": (False, bool, "warn about round()'s default mode"),
    "openmp": (True, bool, "run large kernels on several threads (False: one thread, as in Theano)"),
    "num_threads": (0, int, "threads of the kernels' pool (0: $THEON_NUM_THREADS, else $OMP_NUM_THREADS, "
                    "else every CPU this process may run on)"),
    "unittests__rseed": ("666", str, "seed of theon.tests.unittest_tools ('random' for a fresh one)"),
}


def _to_bool(v):
    if isinstance(v, bool):
        return v
    s = str(v).strip().lower()
    if s in ("1", "true", "yes", "on"):
        return True
    if s in ("0", "false", "no", "off"):
        return False
    raise ValueError("expected a boolean, got %r" % (v,))


def _convert(name, value):
    default, allowed, _ = _FLAGS[name]
    if allowed is bool:
        return _to_bool(value)
    if allowed is str:
        return str(value)
    if allowed is int:
        try:
            v = int(str(value).strip())
        except ValueError:
            v = -1
        if v < 0:
            raise ValueError("config flag %s=%r is not valid: expected an integer >= 0" % (name.replace("__", "."), value))
        return v
    if allowed is float:
        try:
            v = float(str(value).strip())
        except ValueError:
            v = -1.0
        if not v >= 0 or v == float("inf"):
            raise ValueError("config flag %s=%r is not valid: expected a number >= 0"
                             % (name.replace("__", "."), value))
        return v
    if value is None and name == "optimizer":
        value = "None"
    if str(value) not in allowed:
        raise ValueError("config flag %s=%r is not valid; allowed values: %s"
                         % (name.replace("__", "."), value, ", ".join(map(str, allowed))))
    return str(value)


def _key(name):
    return name.replace(".", "__")


class _Section(object):
    """Dotted access to flags such as config.warn.round."""

    def __init__(self, cfg, prefix):
        object.__setattr__(self, "_cfg", cfg)
        object.__setattr__(self, "_prefix", prefix)

    def __getattr__(self, name):
        return getattr(self._cfg, self._prefix + "__" + name)

    def __setattr__(self, name, value):
        setattr(self._cfg, self._prefix + "__" + name, value)


class TheonConfig(object):
    def __init__(self):
        object.__setattr__(self, "_values", {k: v[0] for k, v in _FLAGS.items()})
        object.__setattr__(self, "_hooks", {})  # flag -> callable run after the flag changes

    def _on_change(self, names, fn):
        """Runs fn() now and whenever one of `names` is set (also by change_flags)."""
        for n in names:
            self._hooks.setdefault(_key(n), []).append(fn)
        fn()

    def _set(self, key, value):
        old = self._values[key]
        self._values[key] = value
        if value != old:
            for fn in self._hooks.get(key, ()):
                fn()

    def __getattr__(self, name):
        values = object.__getattribute__(self, "_values")
        key = _key(name)
        if key in values:
            return values[key]
        if any(k.startswith(key + "__") for k in values):
            return _Section(self, key)
        raise UnknownFlagError("theon.config has no flag %r; known flags: %s"
                               % (name, ", ".join(sorted(k.replace("__", ".") for k in values))))

    def __setattr__(self, name, value):
        key = _key(name)
        if key not in self._values:
            raise UnknownFlagError("theon.config has no flag %r" % (name,))
        self._set(key, _convert(key, value))

    def __dir__(self):
        return sorted(k.replace("__", ".") for k in self._values)

    def _parse(self, text, source):
        for item in filter(None, (s.strip() for s in text.split(","))):
            if "=" not in item:
                raise ValueError("%s: expected name=value, got %r" % (source, item))
            name, value = (s.strip() for s in item.split("=", 1))
            if _key(name) not in self._values:
                raise UnknownFlagError("%s sets unknown flag %r; known flags: %s" % (
                    source, name, ", ".join(sorted(k.replace("__", ".") for k in self._values))))
            self._values[_key(name)] = _convert(_key(name), value)

    def change_flags(self, *args, **kwargs):
        return change_flags(*args, **kwargs)


config = TheonConfig()
for _var in ("THEANO_FLAGS", "THEON_FLAGS"):
    if os.environ.get(_var):
        config._parse(os.environ[_var], _var)


class change_flags(object):
    """Context manager and decorator setting flags temporarily:
    ``with change_flags(floatX='float32'): ...``"""

    def __init__(self, args=(), **kwargs):
        self.new = dict(args, **kwargs)
        for k in self.new:
            if _key(k) not in config._values:
                raise UnknownFlagError("change_flags: theon.config has no flag %r" % (k,))

    def __enter__(self):
        self.old = {k: getattr(config, k) for k in self.new}
        try:
            for k, v in self.new.items():
                setattr(config, k, v)
        except Exception:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        for k, v in self.old.items():
            config._set(_key(k), v)

    def __call__(self, f):
        @functools.wraps(f)
        def inner(*a, **kw):
            with change_flags(**self.new):
                return f(*a, **kw)
        return inner


