"""theon.function: compile symbolic graphs into callables (Theano's API)."""
import copy as _copy
import functools
import os
import sys

import numpy as np

from .. import _core
from ..configparser import config
from ..tensor import basic as B
from .mode import get_mode
from .sharedvalue import _filter_value as _filter_update_value


class In(object):
    """A function input with options: default value, name, update, mutable, borrow."""

    def __init__(self, variable, name=None, value=None, update=None, mutable=None, strict=False,
                 allow_downcast=None, autoname=True, implicit=None, borrow=False, shared=False):
        if not isinstance(variable, B.TensorVariable):
            raise TypeError("In: expected a symbolic variable, got %r" % (variable,))
        self.variable = variable
        self.name = name if name is not None else (variable.name if autoname else None)
        self.value = value
        self.update = update
        self.mutable = bool(mutable)
        self.strict = strict
        self.allow_downcast = allow_downcast
        self.borrow = borrow


def Param(variable, default=None, name=None, mutable=False, strict=False, allow_downcast=None, implicit=None,
          borrow=None):
    """Theano's deprecated spelling of In: ``Param(x, default=1.0)`` is
    ``In(x, value=1.0)`` (with a DeprecationWarning, as Theano gave)."""
    import warnings
    warnings.warn("theano.Param is deprecated: use theano.In (default= is In's value=)", DeprecationWarning,
                  stacklevel=2)
    return In(variable, name=name, value=default, mutable=mutable, strict=strict, allow_downcast=allow_downcast,
              implicit=implicit, borrow=bool(borrow))


class Out(object):
    """A function output; borrow=True allows returning internal storage."""

    def __init__(self, variable, borrow=False):
        self.variable = variable
        self.borrow = borrow

    def __str__(self):
        return "Out(%s)" % (self.variable,)

    __repr__ = __str__


class OutputKeyError(TypeError, AssertionError):
    """A dict of outputs whose keys are not all strings (Theano asserted it)."""


def _caller_name():
    f = sys._getframe(1)
    import os
    pkg = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    while f is not None and os.path.abspath(f.f_code.co_filename).startswith(pkg):
        f = f.f_back
    return "%s:%d" % (f.f_code.co_filename, f.f_lineno) if f is not None else "<unknown>"


class Function(object):
    """A compiled function. Call it with positional or keyword arguments."""

    def __init__(self, inputs, outputs, updates, givens, no_default_updates, allow_input_downcast,
                 on_unused_input, name, mode=None, accept_inplace=False, profile=None):
        self.name = name
        # What the function was compiled from: pickling and copy() compile it again.
        self._args = dict(inputs=list(inputs), outputs=outputs, updates=_pairs(updates, "updates"),
                          givens=_pairs(givens, "givens"), no_default_updates=no_default_updates,
                          allow_input_downcast=allow_input_downcast, on_unused_input=on_unused_input, name=name,
                          mode=mode, accept_inplace=accept_inplace, profile=profile is not None and profile is not False)
        updates, givens = self._args["updates"], self._args["givens"]
        self._ins = [i if isinstance(i, In) else In(i) for i in inputs]
        for i in self._ins:
            if i.allow_downcast is None:
                i.allow_downcast = allow_input_downcast
        # Inputs whose values are objects stored as tensors (a RandomState's words).
        self._codecs = {k: c for k, c in ((k, i.variable.__dict__.get("_codec")) for k, i in enumerate(self._ins))
                        if c is not None}
        # Each input's stored value (its default, and where In(update=...) writes), in a container that
        # another function given In(x, value=f.container[x]) shares.
        from ..gof.link import Container
        self._containers = []
        for k, i in enumerate(self._ins):
            if isinstance(i.value, Container):
                if i.value.type != i.variable.type:
                    raise TypeError("%s: input %d (%s) is given a container of type %s as its value; the input "
                                    "is of type %s" % (self._where(), k, self._argname(k), i.value.type,
                                                       i.variable.type))
                self._containers.append(i.value)
                continue
            value = None if i.value is None else self._filter_value(k, self._encode(k, i.value))
            self._containers.append(Container(i.variable.type, [value], i.name, functools.partial(_Filter(self._ins, name), k)))
        # Output structure: single, list or dict.
        self._kind, out_vars, self._keys = "list", outputs, None
        if outputs is None:
            out_vars = []
        elif isinstance(outputs, dict):
            bad = [k for k in outputs if not isinstance(k, str)]
            if bad:
                raise OutputKeyError("function: the keys of a dict of outputs must be strings, got %r" % (bad[0],))
            # in the order of their keys, as Theano (f.outputs, f.maker.outputs)
            self._kind, self._keys = "dict", sorted(outputs)
            out_vars = [outputs[k] for k in self._keys]
        elif not isinstance(outputs, (list, tuple)):
            self._kind, out_vars = "single", [outputs]
        out_vars = [o.variable if isinstance(o, Out) else o for o in out_vars]
        out_vars = [B.as_tensor_variable(o) for o in out_vars]
        self._n_out = len(out_vars)
        self._out_codecs = {j: c for j, c in ((j, getattr(v, "__dict__", {}).get("_codec"))
                                              for j, v in enumerate(out_vars)) if c is not None}
        # In(update=...) values are recomputed as extra outputs.
        in_updates = [(k, B.as_tensor_variable(i.update)) for k, i in enumerate(self._ins) if i.update is not None]
        self._in_update_idx = [k for k, _ in in_updates]
        all_outs = out_vars + [u for _, u in in_updates]
        self._names = {}
        for k, i in enumerate(self._ins):
            if i.name is not None:
                if i.name in self._names:
                    self._names[i.name] = None  # ambiguous name
                else:
                    self._names[i.name] = k
        upd = _pairs(updates, "updates")
        checked = []
        for sv, expr in upd:
            if not isinstance(sv, _core.TensorSharedVariable):
                raise TypeError("updates: %r is not a shared variable; only shared variables can be updated" % (sv,))
            if not isinstance(expr, B.TensorVariable):
                # A plain value becomes a constant of the shared variable's type (Theano's filter_variable).
                expr = B.constant(_filter_update_value(sv, expr, False, None))
            checked.append((sv, B.as_tensor_variable(expr)))
        checked += _default_updates(all_outs + [e for _, e in checked], {sv._id for sv, _ in checked},
                                    no_default_updates)
        # A plain value given for a variable becomes a constant of its type (Theano's filter_variable).
        giv = [(a, B.as_tensor_variable(b) if isinstance(b, B.TensorVariable) or not isinstance(a, B.TensorVariable)
                else B.constant(_filter_update_value(a, b, False, None)))
               for a, b in _pairs(givens, "givens")]
        inputs_by_id = {i.variable._id: i.variable for i in self._ins if isinstance(i.variable, B.TensorVariable)}
        for a, _ in giv:
            if not isinstance(a, B.TensorVariable):
                raise TypeError("givens: keys must be symbolic variables, got %r" % (a,))
            if a._id in inputs_by_id:  # Theano's rule: the input's value would be computed, never read
                raise RuntimeError(
                    "givens replaces %s, which is an input of the function: an input cannot be replaced. To "
                    "compute f(g(y)) from an input y, make y the input: function([y], f(x), givens={x: g(y)}); "
                    "or replace in the graph: function([x], clone(f(x), replace={x: g(x)}))" % (a,))
        # An input computed from other variables cuts the graph there (Theano):
        # the function reads its value, given, in place of computing it.
        in_vars = []
        for i in self._ins:
            v = i.variable
            if v.owner is not None and not isinstance(v, _core.TensorSharedVariable):
                root = v.type(v.name)
                giv.append((v, root))
                v = root
            in_vars.append(v)
        destroyed = _destroyed_inputs(all_outs + [e for _, e in checked], accept_inplace)
        # The filter is a separate object: a bound method here would make a
        # reference cycle through the C++ object, which Python's GC cannot see.
        the_mode = mode or get_mode(None)
        level, including, excluding, requiring = the_mode.rewrite_options()
        verbose = bool(config.optimizer_verbose)
        mutable = [i.mutable or i.variable._id in destroyed for i in self._ins]

        def compile_graph(level, including, excluding, requiring, outputs=all_outs, updates=checked,
                          mutable=mutable):
            # A mode that checks functions (DebugMode) compiles the same graph again with other options.
            return _core.CompiledFunction(in_vars, outputs, updates, giv, on_unused_input, name,
                                          _Filter(self._ins, name), level, including, excluding, requiring,
                                          verbose, mutable, _native_mode(the_mode, level),
                                          config.cxx, config.compiledir, _INCLUDE_DIR, config.compiledir_max_mb)
        self._fn = compile_graph(level, including, excluding, requiring)  # a missing input is reported first
        for i in self._ins:
            if i.update is not None and i.value is None:
                raise ValueError("%s: In(%s, update=...) needs an initial value (value=...): the update is the "
                                 "value of the next call's default" % (self._where(), i.variable))
        if verbose:
            rep = self._fn.rewrite_report
            print("theon: rewrites of %s\n%s" % (name, rep["text"]))
            for phase, _, _, graph in rep["phases"]:
                print("after %s:\n%s" % (phase, graph))
        self.maker = _Maker(self._fn, [i.variable for i in self._ins], out_vars, the_mode, checked)
        self.outputs = [o if isinstance(o, Out) else Out(o) for o in out_vars]
        self.input_storage = None
        self.profile = None
        if profile is None:
            profile = bool(config.profile)
        if profile is not False:
            from .profiling import ProfileStats, register_for_exit
            self.profile = profile if isinstance(profile, ProfileStats) else ProfileStats(
                name if profile is True else str(profile))
            self.profile._fn = self._fn
            self._fn.profiling = True
            if config.profile and getattr(self.profile, "atexit_print", True):
                register_for_exit(self.profile)
        # A mode that watches the calls (NanGuardMode, MonitorMode, DebugMode) sets them up here.
        self._mode = the_mode
        if the_mode._attach(self, compile_graph, all_outs, checked):
            self.__class__ = _CheckedFunction

    def _encode(self, k, value):
        codec = self._codecs.get(k)
        return codec.encode(value) if codec is not None and not isinstance(value, np.ndarray) else value

    def _filter_value(self, k, value):
        return _Filter(self._ins, self.name)(k, value)

    def _argname(self, k):
        return _Filter(self._ins, self.name).argname(k)

    def _where(self):
        return _Filter(self._ins, self.name).where()

    #: PyTensor's ``trust_input``: when True, calls take NumPy arrays of the
    #: inputs' exact dtypes and ranks, positionally, with no conversion (a
    #: wrong array still raises TypeError, it is never misread).
    trust_input = False

    def __call__(self, *args, **kwargs):
        if self.trust_input and not kwargs and not self._in_update_idx:
            res = self._fn.call_trusted(*args)
            if self._kind == "single" or self._kind == "list" and self._n_out != 1:
                return res
            return [res] if self._kind == "list" else dict(zip(self._keys, [res] if self._n_out == 1 else res))
        n = len(self._ins)
        if self._codecs:
            args = [self._encode(k, v) for k, v in enumerate(args)]
            kwargs = {key: self._encode(self._names.get(key, -1), v) for key, v in kwargs.items()}
        if not kwargs and len(args) == n and not self._in_update_idx:
            res = self._fn(*args)
        else:
            if len(args) > n:
                raise TypeError("%s takes at most %d arguments, got %d" % (self._where(), n, len(args)))
            vals = list(args) + [None] * (n - len(args))
            given = [True] * len(args) + [False] * (n - len(args))
            for key, v in kwargs.items():
                k = self._names.get(key, -1)
                if k == -1:
                    raise TypeError("%s got an unexpected keyword argument %r; its named inputs are %s"
                                    % (self._where(), key, sorted(x for x in self._names if self._names[x] is not None)))
                if k is None:
                    raise TypeError("%s: keyword %r names several inputs" % (self._where(), key))
                if given[k]:
                    raise TypeError("%s got multiple values for argument %r" % (self._where(), key))
                vals[k], given[k] = v, True
            for k in range(n):
                if not given[k]:
                    vals[k] = self._containers[k].storage[0]
                    if vals[k] is None:
                        raise TypeError("%s: missing argument %d (%s) and it has no default value"
                                        % (self._where(), k, self._argname(k)))
            res = self._fn(*vals)
            for j, k in enumerate(self._in_update_idx):
                self._containers[k].storage[0] = res[self._n_out + j]
            res = res[:self._n_out]
        if self._out_codecs:
            res = [self._out_codecs[j].decode(r) if j in self._out_codecs else r for j, r in enumerate(res)]
        if self._kind == "single":
            return res[0]
        if self._kind == "dict":
            return dict(zip(self._keys, res))
        return res

    def _input_index(self, key):
        if isinstance(key, (int, np.integer)) and not isinstance(key, bool):
            if 0 <= key < len(self._ins):
                return int(key)
            raise KeyError("%s has no input %d (it has %d)" % (self._where(), key, len(self._ins)))
        for k, i in enumerate(self._ins):
            if i.variable is key or (isinstance(key, str) and i.name == key):
                return k
        raise KeyError("%s has no input %r" % (self._where(), key))

    def __getitem__(self, key):
        """The current default value of an input (by variable, name or
        position): Theano's ``f[x]``."""
        k = self._input_index(key)
        v = self._containers[k].storage[0]
        codec = self._codecs.get(k)
        return codec.decode(v) if codec is not None and v is not None else v

    def __setitem__(self, key, value):
        """Set an input's default value: Theano's ``f[x] = value``."""
        k = self._input_index(key)
        self._containers[k].storage[0] = self._filter_value(k, self._encode(k, value))

    @property
    def container(self):
        """The inputs' containers, by variable, name or position (Theano's
        ``f.container[x]``; ``x in f.container``)."""
        return _InputMap(self, lambda k: self._containers[k])

    @property
    def value(self):
        """The inputs' current default values, by variable, name or position
        (Theano's ``f.value[x]``, the same as ``f[x]``)."""
        return _InputMap(self, self.__getitem__, self.__setitem__)

    @property
    def _defaults(self):
        return [c.storage[0] for c in self._containers]

    @property
    def native_ready(self):
        """True once every fused kernel of this function runs native code."""
        return self._fn.native_ready

    def wait_native(self):
        """Blocks until the background compile of the native tier is over
        (it warns once if native code could not be had)."""
        self._fn.wait_native()
        return self.native_ready

    def native_source(self):
        """The C++ source the native tier compiles for this function."""
        return self._fn.native_source()

    # ---- pickling and copying -------------------------------------------------------------

    def __reduce__(self):
        from .._pickle import _reduce_function
        return _reduce_function(self)

    def _pickle_args(self):
        a = dict(self._args)
        if a["profile"]:
            a["profile"] = True
        # Each input with its container as its value: a pickle (or deepcopy) of several functions
        # sharing a container restores them sharing one.
        ins = []
        for i, c in zip(self._ins, self._containers):
            i = _copy.copy(i)
            i.value = c
            ins.append(i)
        a["inputs"] = ins
        return tuple(a[k] for k in _FUNCTION_ARGS)

    def _pickle_state(self):
        return {"defaults": list(self._defaults), "trust_input": self.__dict__.get("trust_input")}

    def _restore(self, state):
        if len(state["defaults"]) != len(self._containers):
            raise ValueError("a pickled function's input defaults do not match its inputs")
        for c, v in zip(self._containers, state["defaults"]):
            c.storage[0] = v
        if state.get("trust_input") is not None:
            self.trust_input = state["trust_input"]

    def __copy__(self):
        return self.copy(share_memory=True)

    def __deepcopy__(self, memo):
        import copy as _copy
        fn, args = self.__reduce__()
        return fn(*_copy.deepcopy(args, memo))  # its own shared variables, as a pickle round trip gives

    def copy(self, share_memory=False, swap=None, delete_updates=False, name=None, profile=None):
        """A new function computing the same outputs (Theano's Function.copy),
        compiled again from this one's arguments. It reads and updates the
        same shared variables, except those `swap` replaces.

        Parameters
        ----------
        share_memory : bool
            Accepted for Theano's signature: Theano's copies could share
            their intermediate buffers; theon's functions each own theirs.
        swap : dict, optional
            {shared variable of this function: shared variable of the same
            type} to read and update in the copy instead.
        delete_updates : bool
            The copy updates no shared variable (default updates included).
        name : str, optional
            The copy's name (this one's + " copy" by default, as Theano).
        profile : bool or ProfileStats, optional
            Profile the copy.
        """
        from ..gof.graph import clone_replace
        a = dict(self._args)
        swap = dict(swap or {})
        used = {v._id: v for v in _core.graph_inputs(self._graph_values()) if isinstance(v, _core.TensorSharedVariable)}
        for sv, _ in self.maker.updates:
            used[sv._id] = sv
        for old, new in swap.items():
            if not isinstance(old, _core.TensorSharedVariable) or old._id not in used:
                raise ValueError("Function.copy: swap key %r is not a shared variable of this function" % (old,))
            if not isinstance(new, _core.TensorSharedVariable) or new.type != old.type:
                raise TypeError("Function.copy: swap %r for %r: a shared variable of type %s is needed, got %s"
                                % (old, new, old.type, getattr(new, "type", type(new).__name__)))
        replace = list(swap.items())

        def rebuild(v):
            if v is None or not replace or not isinstance(v, B.TensorVariable):
                return v
            return clone_replace(v, replace=replace, strict=False)
        outs = a["outputs"]
        if isinstance(outs, dict):
            outs = {k: rebuild(v) for k, v in outs.items()}
        elif isinstance(outs, (list, tuple)):
            outs = [Out(rebuild(o.variable), o.borrow) if isinstance(o, Out) else rebuild(o) for o in outs]
        elif isinstance(outs, Out):
            outs = Out(rebuild(outs.variable), outs.borrow)
        else:
            outs = rebuild(outs)
        ins = []
        for i in a["inputs"]:
            if isinstance(i, In) and i.update is not None:
                import copy as _copy
                i = _copy.copy(i)
                i.update = rebuild(i.update)
            ins.append(i)
        if delete_updates:
            updates, no_default = [], True
        else:
            # Default updates become explicit: a swapped variable is updated by its original's rule.
            updates = [(swap.get(sv, sv), rebuild(e)) for sv, e in self.maker.updates]
            no_default = True
        givens = [(swap.get(k, k), rebuild(v)) for k, v in a["givens"]]
        if name is None:
            name = self.name + " copy" if self.name else None
        # Inputs only the deleted updates read stay the copy's arguments (Theano's rule).
        unused = "ignore" if delete_updates else a["on_unused_input"]
        f = Function(ins, outs, updates, givens, no_default, a["allow_input_downcast"], unused,
                     name, a["mode"], a["accept_inplace"], profile)
        for k, (mine, theirs) in enumerate(zip(self._containers, f._containers)):
            if theirs is not mine:  # the copy's own value; a mutable one is copied, as Theano's copy did
                v = mine.storage[0]
                theirs.storage[0] = np.array(v, copy=True) if self._ins[k].mutable and v is not None else v
        if "trust_input" in self.__dict__:
            f.trust_input = self.trust_input
        return f

    def _graph_values(self):
        outs = self._args["outputs"]
        if outs is None:
            vals = []
        elif isinstance(outs, dict):
            vals = list(outs.values())
        elif isinstance(outs, (list, tuple)):
            vals = list(outs)
        else:
            vals = [outs]
        vals = [o.variable if isinstance(o, Out) else o for o in vals]
        vals += [e for _, e in self.maker.updates] + [v for _, v in self._args["givens"]]
        return [v for v in vals if isinstance(v, B.TensorVariable)]


# Function's constructor arguments in order (what a pickle holds).
_FUNCTION_ARGS = ("inputs", "outputs", "updates", "givens", "no_default_updates", "allow_input_downcast",
                  "on_unused_input", "name", "mode", "accept_inplace", "profile")


class _CheckedFunction(Function):
    """A Function whose mode checks each call (NanGuardMode, DebugMode):
    the mode's _call runs it through _unchecked_call."""

    def __call__(self, *args, **kwargs):
        return self._mode._call(self, args, kwargs)

    def _unchecked_call(self, *args, **kwargs):
        return Function.__call__(self, *args, **kwargs)


class _InputMap(object):
    """A function's per-input view (f.container, f.value): keys are input
    variables, names or positions."""

    def __init__(self, fn, get, set=None):
        self._fn, self._get, self._set = fn, get, set

    def __getitem__(self, key):
        return self._get(self._fn._input_index(key))

    def __setitem__(self, key, value):
        if self._set is None:
            raise TypeError("%s: a container cannot be replaced; set its value instead" % (self._fn._where(),))
        self._set(self._fn._input_index(key), value)

    def __contains__(self, key):
        try:
            self._fn._input_index(key)
        except KeyError:
            return False
        return True

    def __len__(self):
        return len(self._fn._ins)


class _Filter(object):
    """Theano's TensorType.filter for function arguments: exact dtype, safe
    upcasts, Python floats into floatX, or anything with allow_downcast."""

    def __init__(self, ins, name):
        self._ins = ins
        self.name = name

    def __call__(self, k, value):
        var = self._ins[k].variable
        dtype = var.dtype
        allow = self._ins[k].allow_downcast
        if isinstance(value, B.TensorVariable):
            raise TypeError("%s: argument %d is a symbolic variable (%s); functions take values. Use givens to "
                            "substitute one variable for another" % (self.where(), k, value))
        arr = value if isinstance(value, np.ndarray) else np.asarray(value)
        if arr.dtype == object or arr.dtype.kind in "USV":
            raise TypeError("%s: argument %d (%s) cannot be converted to %s: got %r"
                            % (self.where(), k, self.argname(k), var.type, value))
        if arr.dtype != dtype:
            converted = arr.astype(dtype)
            if allow:
                arr = converted
            elif allow is None and isinstance(value, float) and dtype == config.floatX:
                arr = converted
            elif np.can_cast(arr.dtype, dtype, "safe") or (
                    not isinstance(value, np.ndarray) and not isinstance(value, np.generic)
                    and np.array_equal(converted, arr)):
                arr = converted
            else:
                raise TypeError(
                    "%s: bad input argument %d (%s): %s cannot store a value of dtype %s without risking loss "
                    "of precision. If you do not mind this loss, you can: 1) explicitly cast your data to %s, "
                    "or 2) set allow_input_downcast=True when calling function()."
                    % (self.where(), k, self.argname(k), var.type, arr.dtype, dtype))
        if arr.ndim != var.ndim:
            raise TypeError("%s: bad input argument %d (%s): wrong number of dimensions: expected %d, got %d "
                            "with shape %s" % (self.where(), k, self.argname(k), var.ndim, arr.ndim, arr.shape))
        for d, (b, s) in enumerate(zip(var.broadcastable, arr.shape)):
            if b and s != 1:
                raise TypeError("%s: bad input argument %d (%s): dimension %d is broadcastable and must have size "
                                "1, got shape %s" % (self.where(), k, self.argname(k), d, arr.shape))
        return arr

    def argname(self, k):
        i = self._ins[k]
        return "'%s'" % i.name if i.name else str(i.variable.type)

    def where(self):
        return "theon function %s" % (self.name,) if self.name else "theon function"


# Headers that generated kernels include, shipped inside the package.
_INCLUDE_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "include")
if not os.path.isdir(_INCLUDE_DIR):
    _INCLUDE_DIR = ""  # a build from the source tree: the library knows its sources


def _native_mode(mode, level):
    """The native tier runs FAST_RUN functions; FAST_COMPILE and the Python
    linker 'py' stay on the VM tier."""
    if level == "fast_compile" or getattr(mode, "linker", None) == "py":
        return "off"
    return config.native


class _Maker(object):
    """f.maker.fgraph, f.maker.inputs: what Theano code inspects."""

    def __init__(self, fn, inputs, outputs, mode, updates):
        self._fn = fn
        self.inputs = inputs
        self.outputs = outputs
        self.mode = mode
        #: (shared variable, new value) for every update, default updates included.
        self.updates = list(updates)

    @property
    def fgraph(self):
        return self._fn.fgraph

    @property
    def rewrite_report(self):
        """What the rewriter did: {'fired': {rule: count}, 'phases': [(name,
        seconds, nodes after, graph text)], 'seconds': total, 'text': summary}."""
        return self._fn.rewrite_report


def _destroyed_inputs(exprs, accept_inplace):
    """The ids of the variables that Theano's inplace ops in the graph destroy
    (theon.tensor.inplace); without accept_inplace such a graph is an error,
    as in Theano."""
    inplace = sys.modules.get("theon.tensor.inplace")
    if inplace is None or not inplace.DESTROYERS:
        return set()
    destroyed = set()
    for node in _core.toposort(exprs):
        for out in node.outputs:
            hit = inplace.DESTROYERS.get(out._id)
            if hit is None:
                continue
            if not accept_inplace:
                raise TypeError("theon.function: the graph contains an inplace operation (%s), which overwrites its "
                                "first input; pass accept_inplace=True to allow it (Theano's rule)" % hit[1])
            destroyed.add(hit[0])
    return destroyed


def _default_updates(exprs, explicit, no_default_updates):
    """(shared, default_update) for the shared variables the graph uses, unless
    updated explicitly or excluded (no_default_updates: True or a list)."""
    if no_default_updates is True:
        return []
    if not isinstance(no_default_updates, (bool, list)):
        raise TypeError("function: no_default_updates must be True, False or a list of shared variables, got %r"
                        % (no_default_updates,))
    excluded = {v._id for v in (no_default_updates or [])}
    out = []
    for root in _core.graph_inputs(exprs):
        upd = getattr(root, "default_update", None) if isinstance(root, _core.TensorSharedVariable) else None
        if upd is not None and root._id not in explicit and root._id not in excluded:
            out.append((root, B.as_tensor_variable(upd)))
    return out


def _pairs(x, what):
    if x is None:
        return []
    if isinstance(x, dict):
        return list(x.items())
    if isinstance(x, (str, bytes)) or not hasattr(x, "__iter__"):
        raise TypeError("%s must be a dict or a list of (variable, value) pairs, got %r (%s)"
                        % (what, x, type(x).__name__))
    out = []
    for p in x:
        if not isinstance(p, (list, tuple)) or len(p) != 2:
            raise TypeError("%s must be a dict or a list of (variable, value) pairs, got an item %r" % (what, p))
        out.append(tuple(p))
    return out


def _python_graph_function(inputs, outputs, updates, givens):
    """A callable for a graph whose outputs include variables of non-tensor
    types (Python ops on theano.gof.Type), evaluated by the ops' perform
    (theon.gof.graph.evaluate); None for graphs theon compiles."""
    from ..gof import graph as G
    outs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    if outputs is None or not any(isinstance(o, G.Variable) and not isinstance(o, _core.TensorVariable)
                                  for o in outs):
        return None
    if updates or givens:
        raise TypeError("function: updates and givens need tensor outputs; the outputs include a variable of a "
                        "non-tensor type (%s)" % ([o for o in outs if not isinstance(o, _core.TensorVariable)][0],))
    ins = [i.variable if isinstance(i, In) else i for i in inputs]

    def call(*args):
        if len(args) != len(ins):
            raise TypeError("function expects %d arguments, got %d" % (len(ins), len(args)))
        values = G.evaluate(list(outs), dict(zip(ins, args)))
        return values if isinstance(outputs, (list, tuple)) else values[0]
    return call


def function_dump(filename, inputs, outputs=None, mode=None, updates=None, givens=None, no_default_updates=False,
                  accept_inplace=False, name=None, rebuild_strict=True, allow_input_downcast=None, profile=None,
                  on_unused_input=None, extra_tag_to_remove=None):
    """Pickles function()'s arguments to `filename` (Theano's function_dump),
    to share a reproducible case: ``theon.function(**pickle.load(f))``
    compiles the same function. Tags' debugging data (trace, test values and
    the names in extra_tag_to_remove) are left out."""
    import pickle
    from ..misc.pkl_utils import StripPickler
    d = dict(inputs=inputs, outputs=outputs, mode=mode, updates=updates, givens=givens,
             no_default_updates=no_default_updates, accept_inplace=accept_inplace, name=name,
             rebuild_strict=rebuild_strict, allow_input_downcast=allow_input_downcast, profile=profile,
             on_unused_input=on_unused_input)
    with open(filename, "wb") as f:
        StripPickler(f, protocol=pickle.HIGHEST_PROTOCOL, extra_tag_to_remove=extra_tag_to_remove).dump(d)


def function(inputs, outputs=None, mode=None, updates=None, givens=None, no_default_updates=False,
             accept_inplace=False, name=None, rebuild_strict=True, allow_input_downcast=None, profile=None,
             on_unused_input=None):
    """Compile a callable that computes outputs from inputs (Theano 1.0's ``theano.function``).

    The graph is rewritten (stabilized, fused, made in place where safe) and run
    by theon's virtual machine, with native code for fused kernels.

    Parameters
    ----------
    inputs : list of TensorVariable or In
        The function's parameters, in call order. An ``In`` gives a default
        value, a name, or an update.
    outputs : TensorVariable, list or dict of them, or Out, optional
        What it returns: one value, a list, or a dict keyed by name.
    mode : str or Mode, optional
        ``'FAST_RUN'``, ``'FAST_COMPILE'`` or a Mode; config.mode by default.
    updates : dict or list of (SharedVariable, expression) pairs, optional
        New values for shared variables, stored after each call.
    givens : dict or list of (variable, replacement) pairs, optional
        Variables of the graph replaced by other variables or values.
    no_default_updates : bool or list, optional
        Skip the ``default_update`` of all (True) or the listed shared variables.
    accept_inplace : bool, optional
        Accept a graph that already holds in-place ops (``T.inplace``).
    name : str, optional
        Shown in errors and profiles; the caller's name by default.
    rebuild_strict : bool, optional
        Accepted for Theano's signature.
    allow_input_downcast : bool, optional
        Let arguments lose precision when converted to the inputs' dtypes
        (by default only Python floats may, for floatX inputs).
    profile : bool, str or ProfileStats, optional
        Time every node of each call (``config.profile`` by default);
        ``f.profile.summary()`` prints the tables (see
        ``theon.compile.profiling``). A string names the profile.
    on_unused_input : {'raise', 'warn', 'ignore'}, optional
        What an input no output needs gives; config.on_unused_input by default.

    Returns
    -------
    Function
        Called with the inputs' values (positionally or by name), it returns
        NumPy arrays.

    Examples
    --------
    >>> import theon
    >>> import theon.tensor as T
    >>> x = T.dvector('x')
    >>> f = theon.function([x], (x ** 2).sum())
    >>> float(f([1.0, 2.0]))
    5.0
    """
    if not isinstance(inputs, (list, tuple)):
        raise TypeError("function: inputs must be a list or tuple of variables, got %r" % (inputs,))
    mode = get_mode(mode)
    if on_unused_input is None:
        on_unused_input = config.on_unused_input
    if name is None:
        name = _caller_name()
    python_graph = _python_graph_function(inputs, outputs, updates, givens)
    if python_graph is not None:
        return python_graph
    return Function(inputs, outputs, updates, givens, no_default_updates, allow_input_downcast,
                    on_unused_input, name, mode, accept_inplace, profile)


