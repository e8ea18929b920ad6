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
    "device": ("cpu", ("cpu",), "where computations run (only `cpu` exists yet)"),
    "mode": ("FAST_RUN", ("FAST_RUN", "FAST_COMPILE", "DebugMode", "DEBUG_MODE", "Mode", "ProfileMode"), "default function mode"),
    "optimizer": ("fast_run", ("fast_run", "fast_compile", "merge", "None", "o1", "o2", "o3", "o4"), "rewrite level"),
    "optimizer_including": ("", str, "rewrites or tags to add, separated by ':'"),
    "optimizer_excluding": ("", str, "rewrites or tags to remove, separated by ':'"),
    "optimizer_requiring": ("", str, "tags every rewrite must carry, separated by ':'"),
    "optimizer_verbose": (False, bool, "print which rewrites fired and each phase's time when compiling"),
    "on_unused_input": ("raise", ("raise", "warn", "ignore"), "default of function(on_unused_input=...)"),
    "compute_test_value": ("off", ("off", "ignore", "warn", "raise", "pdb"), "test values: every node built runs on its inputs' tag.test_value (docs/test-values.md)"),
    "exception_verbosity": ("low", ("low", "high", "accepted; every error already names the op, the shapes, dtypes and small input values, and the user's line"), "detail of error messages"),
    "allow_gc": (True, bool, "accepted; the VM always frees an intermediate buffer after its last use"),
    "warn_float64": ("ignore", ("ignore", "warn", "raise", "accepted, not acted on yet"), "report float64 variables when floatX is float32"),
    "int_division": ("floatX", ("int", "raise", "floatX"), "what int / int gives"),
    "profile": (False, bool, "profile functions: per-node times (f.profile.summary()), printed at exit"),
    "deterministic": ("default", ("default", "accepted; theon's kernels are deterministic (work is split by shape, never by thread timing)"), "prefer deterministic kernels"),
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
    "warn__round": (False, bool, "accepted; round() gives NumPy's half-to-even result without a warning"),
    "openmp": (True, bool, "run large kernels on several threads (False: one thread, as in Theano)"),
    "num_threads": (0, int, "threads of the kernels' pool (0: $THEON_NUM_THREADS, else $OMP_NUM_THREADS, "
                    "else every CPU this process may run on)"),
    "unittests__rseed": ("666", str, "seed of theon.tests.unittest_tools ('random' for a fresh one)"),
}

# Theano 1.0's other flags (GPU, C compilation, DebugMode, profiling, old-bug
# warnings, ...): accepted with Theano's defaults so that Theano code and
# configuration files keep working, but they change nothing in theon
# (docs/config.md says why for each group).
_THEANO_FLAGS_NO_EFFECT = {
    "pickle_test_value": (True, bool), "init_gpu_device": ('', str), "force_device": (False, bool),
    "conv__assert_shape": (False, bool), "contexts": ('', str), "print_active_device": (True, bool),
    "gpuarray__sync": (False, bool), "gpuarray__preallocate": (0, float), "gpuarray__sched": ('default', str),
    "gpuarray__single_stream": (True, bool), "cuda__root": ('', str), "cuda__include_path": ('', str),
    "dnn__conv__workmem": ('', str), "dnn__conv__workmem_bwd": ('', str), "dnn__conv__algo_bwd": ('', str),
    "dnn__conv__algo_fwd": ('', str), "dnn__conv__algo_bwd_data": ('', str), "dnn__conv__algo_bwd_filter": ('', str),
    "dnn__conv__precision": ('', str), "dnn__base_path": ('', str), "dnn__include_path": ('', str),
    "dnn__library_path": ('', str), "dnn__bin_path": ('', str), "dnn__enabled": ('auto', str),
    "magma__include_path": ('', str), "magma__library_path": ('', str), "magma__enabled": (False, bool),
    "assert_no_cpu_op": ('ignore', str), "linker": ('cvm', str), "on_opt_error": ('warn', str),
    "nocleanup": (False, bool), "tensor__cmp_sloppy": (0, int), "tensor__local_elemwise_fusion": (True, bool),
    "gpu__local_elemwise_fusion": (True, bool), "lib__amdlibm": (False, bool), "gpuelemwise__sync": (True, bool),
    "traceback__limit": (8, int), "traceback__compile_limit": (0, int),
    "experimental__unpickle_gpu_on_cpu": (False, bool), "numpy__seterr_all": ('ignore', str),
    "numpy__seterr_divide": ('None', str), "numpy__seterr_over": ('None', str), "numpy__seterr_under": ('None', str),
    "numpy__seterr_invalid": ('None', str), "warn__ignore_bug_before": ('0.9', str),
    "warn__argmax_pushdown_bug": (False, bool), "warn__gpusum_01_011_0111_bug": (False, bool),
    "warn__sum_sum_bug": (False, bool), "warn__sum_div_dimshuffle_bug": (False, bool),
    "warn__subtensor_merge_bug": (False, bool), "warn__gpu_set_subtensor1": (False, bool),
    "warn__vm_gc_bug": (False, bool), "warn__signal_conv2d_interface": (False, bool),
    "warn__reduce_join": (False, bool), "warn__inc_set_subtensor1": (False, bool),
    "warn__inc_subtensor1_opt": (False, bool), "print_test_value": (False, bool),
    "compute_test_value_opt": ('off', str), "unpickle_function": (True, bool),
    "reoptimize_unpickled_function": (False, bool), "openmp_elemwise_minsize": (200000, int),
    "check_input": (True, bool), "cache_optimizations": (False, bool), "NanGuardMode__nan_is_error": (True, bool),
    "NanGuardMode__inf_is_error": (True, bool), "NanGuardMode__big_is_error": (True, bool),
    "NanGuardMode__action": ('raise', str), "DebugMode__patience": (10, int), "DebugMode__check_c": (False, bool),
    "DebugMode__check_py": (True, bool), "DebugMode__check_finite": (True, bool),
    "DebugMode__check_strides": (0, int), "DebugMode__warn_input_not_reused": (True, bool),
    "DebugMode__check_preallocated_output": ('', str), "DebugMode__check_preallocated_output_ndim": (4, int),
    "profiling__time_thunks": (True, bool), "profiling__n_apply": (20, int), "profiling__n_ops": (20, int),
    "profiling__output_line_width": (512, int), "profiling__min_memory_size": (1024, int),
    "profiling__min_peak_memory": (False, bool), "profiling__destination": ('stderr', str),
    "profiling__debugprint": (False, bool), "profiling__ignore_first_call": (False, bool),
    "optdb__position_cutoff": (float("inf"), float), "optdb__max_use_ratio": (8, float), "gcc__cxxflags": ('', str),
    "cmodule__warn_no_version": (False, bool), "cmodule__remove_gxx_opt": (False, bool),
    "cmodule__compilation_warning": (False, bool), "cmodule__preload_cache": (False, bool),
    "cmodule__age_thresh_use": (60, int), "cmodule__debug": (False, bool), "blas__check_openmp": (True, bool),
    "metaopt__verbose": (0, int), "metaopt__optimizer_excluding": ('', str),
    "metaopt__optimizer_including": ('', str), "profile_optimizer": (False, bool), "profile_memory": (False, bool),
    "vm__lazy": ('None', str), "warn__identify_1pexp_bug": (False, bool), "on_shape_error": ('warn', str),
    "tensor__insert_inplace_optimizer_validate_nb": (-1, int), "experimental__local_alloc_elemwise": (True, bool),
    "experimental__local_alloc_elemwise_assert": (True, bool), "scan__allow_gc": (False, bool),
    "scan__allow_output_prealloc": (True, bool), "scan__debug": (False, bool), "compile__wait": (5, int),
    "cycle_detection": ('regular', str), "check_stack_trace": ('off', str), "compile__timeout": (0, int),
    "compiledir_format": ('', str), "base_compiledir": ('', str), "gpuarray__cache_path": ('', str),
    "ctc__root": ('', str),
}
for _name, (_default, _type) in _THEANO_FLAGS_NO_EFFECT.items():
    _FLAGS.setdefault(_name, (_default, _type, "Theano 1.0 flag, accepted; no effect in theon"))


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
            v = None
        if v is not None and v < 0 and name in _THEANO_FLAGS_NO_EFFECT:
            return v
        if v is None or v < 0:
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


def _dotted(key):
    return key.replace("__", ".")


def _unknown(what, name):
    """The error for an unknown flag: its dotted name and the closest known ones."""
    import difflib
    known = sorted(_dotted(k) for k in _FLAGS)
    close = difflib.get_close_matches(_dotted(_key(name)), known, n=3, cutoff=0.6)
    hint = "; did you mean %s?" % " or ".join(repr(c) for c in close) if close else \
        "; theon.config lists them (dir(theon.config))"
    return UnknownFlagError("%s %r%s" % (what, _dotted(_key(name)), hint))


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
        raise _unknown("theon.config has no flag", name)

    def __setattr__(self, name, value):
        key = _key(name)
        if key not in self._values:
            raise _unknown("theon.config has no flag", name)
        self._set(key, _convert(key, value))

    def __dir__(self):
        return sorted(k.replace("__", ".") for k in self._values)

    def _parse(self, text, source):
        for item in filter(None, (s.strip() for s in text.split(","))):
            if "=" not in item:
                raise ValueError("%s: expected name=value, got %r" % (source, item))
            name, value = (s.strip() for s in item.split("=", 1))
            if _key(name) not in self._values:
                raise _unknown("%s sets unknown flag" % source, name)
            self._values[_key(name)] = _convert(_key(name), value)

    def change_flags(self, *args, **kwargs):
        return change_flags(*args, **kwargs)

    def __str__(self, print_doc=True):
        """Every flag as Theano prints ``theano.config``: its name and kind,
        its doc, its current value, then a blank line."""
        lines = []
        for key, (_, allowed, doc) in _FLAGS.items():
            kind = allowed if isinstance(allowed, tuple) else "<class '%s'>" % allowed.__name__
            lines.append("%s (%s) " % (_dotted(key), kind))
            if print_doc:
                lines.append("    Doc:  %s" % (doc,))
            lines.append("    Value:  %s" % (self._values[key],))
            lines.append("")
        return "\n".join(lines) + "\n"


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
                raise _unknown("change_flags: theon.config has no flag", k)

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


