"""Compilation modes: which graph rewrites run (Theano's Mode, with
including / excluding / requiring by rule name or tag). Every mode runs on the
VM tier; `optimizer=None` compiles the graph exactly as written."""
import copy

from .. import _core

_KNOWN = ("FAST_RUN", "FAST_COMPILE", "DebugMode", "DEBUG_MODE", "Mode", "ProfileMode")
# optimizer value -> (level, rules switched on besides the level's)
_LEVELS = {"fast_run": ("fast_run", ()), "o4": ("fast_run", ()), "o3": ("fast_run", ()), "o2": ("fast_run", ()),
           "fast_compile": ("fast_compile", ()), "o1": ("fast_compile", ()), "merge": ("none", ("merge",)),
           "None": ("none", ()), None: ("none", ())}


class Mode(object):
    """How function() compiles: which graph rewrites run.

    Parameters
    ----------
    linker : str, optional
        Accepted for Theano's signature (theon has one virtual machine).
    optimizer : str or gof.Query, optional
        The rewrite level: 'fast_run' (the default), 'fast_compile', 'merge'
        or None, or a Query.
    including, excluding, requiring : sequence of str, optional
        Rewrites or tags switched on, switched off, or required.

    Notes
    -----
    ``mode.including(...)``, ``mode.excluding(...)`` and ``mode.requiring(...)``
    return a new Mode. ``mode._optimizer`` is the selection as Theano's Query
    (read, replaced or changed in place, as Theano's tests do).
    """

    def __init__(self, linker=None, optimizer="fast_run", including=(), excluding=(), requiring=()):
        from ..gof.optdb import Query
        if optimizer == "default":
            optimizer = "fast_run"
        if isinstance(optimizer, Query):
            query = optimizer.including(*including).excluding(*excluding).requiring(*requiring)
        elif optimizer in _LEVELS:
            level, extra = _LEVELS[optimizer]
            query = Query(include=((level,) if level != "none" else ()) + extra + tuple(including),
                          exclude=excluding, require=requiring)
        else:
            raise ValueError("Mode: unknown optimizer %r; expected one of 'fast_run', 'fast_compile', 'merge', None "
                             "or a gof.Query" % (optimizer,))
        self.linker = linker
        self.optimizer = optimizer
        self._optimizer = query

    @property
    def _optimizer(self):
        return self._query

    @_optimizer.setter
    def _optimizer(self, query):
        query_options(query)  # an unknown name is an error now, not at compile time
        self._query = query

    def _with(self, **kw):
        q = self._query
        out = copy.copy(self)  # a subclass stays one (NanGuardMode().excluding(...))
        out._optimizer = q.including(*kw.get("including", ())).excluding(*kw.get("excluding", ())).requiring(
            *kw.get("requiring", ()))
        return out

    def _attach(self, fn, compile_graph, outputs, updates):
        """Sets up a function compiled with this mode; True when its calls go
        through self._call(fn, args, kwargs). Modes that watch calls override it:
        `compile_graph(level, including, excluding, requiring, outputs=, updates=)`
        compiles the function's graph again, `outputs` and `updates` are its
        outputs and (shared variable, new value) pairs."""
        return False

    def including(self, *tags):
        return self._with(including=tags)

    def excluding(self, *tags):
        return self._with(excluding=tags)

    def requiring(self, *tags):
        return self._with(requiring=tags)

    def rewrite_options(self):
        """(level, including, excluding, requiring) as the compiler takes them."""
        return query_options(self._query)

    def __repr__(self):
        return "Mode(linker=%r, optimizer=%s)" % (self.linker, self._query)


# Theano's level tags -> theon's levels (the first found wins).
_LEVEL_TAGS = (("fast_run", "fast_run"), ("fast_compile", "fast_compile"))
# theon's phases at Theano's positions in its optimizer database (optdb):
# Query.position_cutoff leaves out the phases at or after it.
PHASE_POSITIONS = (("merge", 0), ("canonicalize", 1), ("stabilize", 1.5), ("blas", 1.7), ("specialize", 2),
                   ("uncanonicalize", 3), ("fusion", 49), ("reduce_fusion", 49), ("inplace", 75),
                   ("final_merge", 100))


def query_options(query):
    """(level, including, excluding, requiring) for theon's rewriter from a
    Theano Query: its level tag, the names theon knows (Theano's local_<name>
    as theon's <name>), and the phases its position_cutoff leaves out."""
    known = _known_names()
    level = next((lv for tag, lv in _LEVEL_TAGS if tag in query.include), "none")
    level_tags = {tag for tag, _ in _LEVEL_TAGS}

    def names(tags, how):
        out = []
        for t in sorted(tags):
            n = _resolve(t, known, how)
            if n is not None and n not in out:
                out.append(n)
        return out
    cut = [p for p, pos in PHASE_POSITIONS if pos >= query.position_cutoff and p in known]
    return (level, names(set(query.include) - level_tags, "including"), names(query.exclude, "excluding") + cut,
            names(query.require, "requiring"))


def list_rewrites():
    """Every rewrite: a list of dicts with its name, phase and tags."""
    return [dict(name=n, phase=p, tags=list(t)) for n, p, t in _core.list_rewrites()]


_KNOWN_NAMES = None


def _known_names():
    """Rule names, phases and tags (computed once: the list is fixed at build time)."""
    global _KNOWN_NAMES
    if _KNOWN_NAMES is not None:
        return _KNOWN_NAMES
    names = set()
    for r in list_rewrites():
        names.add(r["name"])
        names.add(r["phase"])
        names.update(r["tags"])
    _KNOWN_NAMES = frozenset(names)
    return _KNOWN_NAMES


_THEANO_NAMES = None
_WARNED = set()


# Theano names of what a theon rule or pass does under another name.
_ALIASES = {"local_elemwise_fusion": "fusion", "composite_elemwise_fusion": "fusion", "elemwise_fusion": "fusion",
            "FusionOptimizer": "fusion", "local_elemwise_fusion_op": "fusion", "merge1": "merge",
            "merge2": "merge", "merge3": "final_merge", "inplace_elemwise_optimizer": "elemwise_inplace",
            "inplace_elemwise_opt": "elemwise_inplace", "local_canonicalize_alloc": "useless_alloc",
            "local_incsubtensor_of_zeros": "inc_subtensor_no_change",
            "local_setsubtensor_of_constants": "inc_subtensor_no_change",
            # scan (Theano's scan_opt.py registrations)
            "scanOp_pushout_nonseqs_ops": "scan_pushout_non_seqs", "scanOp_pushout_seqs_ops": "scan_pushout_seqs",
            "scan_pushout_dot1": "scan_pushout_add", "scanOp_pushout_output": "scan_pushout_add",
            "scanOp_merge": "scan_merge", "scanOp_save_mem": "scan_save_mem",
            "scanOp_remove_constants_and_unused_inputs0": "scan_remove_unused",
            "scanOp_remove_constants_and_unused_inputs1": "scan_remove_unused",
            "scanop_remove_constants_and_unused_inputs2": "scan_remove_unused",
            "scanOp_remove_constants_and_unused_inputs3": "scan_remove_unused",
            "scan_eqopt1": "scan", "scan_eqopt2": "scan", "scan_seqopt1": "scan"}


def _resolve(t, known, how):
    """A rewrite or tag name as theon knows it: theon's own, or Theano's
    local_<name> for theon's <name>; None for a Theano name theon lacks
    (excluding it does nothing; including it warns once: theon's own rewrites
    run instead; requiring it is an error)."""
    if t in known:
        return t
    if _ALIASES.get(t) in known:
        return _ALIASES[t]
    if t.startswith("local_") and t[len("local_"):] in known:
        return t[len("local_"):]
    if t in _theano_names():
        if how == "requiring":
            raise ValueError("Mode: Theano's rewrite or tag %r has no counterpart in theon, so it cannot be "
                             "required; theon.compile.mode.list_rewrites() lists theon's" % (t,))
        if how == "including" and t not in _WARNED:
            import warnings
            _WARNED.add(t)
            warnings.warn("Mode.including(%r): theon has no rewrite of that name (Theano's); theon's own rewrites "
                          "run instead (theon.compile.mode.list_rewrites() lists them)" % (t,),
                          stacklevel=_user_stacklevel())
        return None
    close = __import__("difflib").get_close_matches(t, sorted(known), 1)
    raise ValueError("Mode: unknown rewrite or tag %r%s; theon.compile.mode.list_rewrites() lists them"
                     % (t, "; did you mean %r?" % close[0] if close else ""))


def _user_stacklevel():
    """The stacklevel of the first caller outside theon (for warnings)."""
    import os
    import sys
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    frame, level = sys._getframe(1), 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(here + os.sep):
        frame, level = frame.f_back, level + 1
    return level


def _theano_names():
    """Theano 1.0's rewrite and tag names (theano_rewrite_names.txt)."""
    global _THEANO_NAMES
    if _THEANO_NAMES is None:
        import os
        with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "theano_rewrite_names.txt")) as f:
            _THEANO_NAMES = frozenset(line.strip() for line in f if line.strip() and not line.startswith("#"))
    return _THEANO_NAMES


FAST_RUN = Mode("vm", "fast_run")
FAST_COMPILE = Mode("vm", "fast_compile")


def _split(flag):
    return tuple(t for t in str(flag).split(":") if t) if flag else ()


def get_default_mode():
    """The mode function() uses when given none (config.mode and the optimizer flags)."""
    return get_mode(None)


def get_mode(mode):
    """The Mode for function(mode=...): a Mode, a name, or None for the
    configured default (config.mode with config.optimizer and the
    optimizer_including/excluding/requiring flags, as Theano did)."""
    from ..configparser import config
    if isinstance(mode, Mode):
        return mode
    if mode is not None and not isinstance(mode, str):
        raise TypeError("mode must be a string or a Mode, got %r" % (mode,))
    if mode is not None and mode not in _KNOWN:
        raise ValueError("unknown mode %r; expected one of %s or a Mode instance" % (mode, ", ".join(_KNOWN)))
    if mode is None or mode == config.mode:
        name = config.mode
        if name in ("DebugMode", "DEBUG_MODE"):
            return predefined_modes[name]
        optimizer = config.optimizer
        if name == "FAST_COMPILE" and optimizer == "fast_run":
            optimizer = "fast_compile"
        return Mode("vm", optimizer, _split(config.optimizer_including), _split(config.optimizer_excluding),
                    _split(config.optimizer_requiring))
    if mode in ("DebugMode", "DEBUG_MODE"):
        return predefined_modes[mode]
    return FAST_COMPILE if mode == "FAST_COMPILE" else FAST_RUN


# Theano's names for the modes a string selects.
predefined_modes = {"FAST_RUN": FAST_RUN, "FAST_COMPILE": FAST_COMPILE}


def _add_debug_mode():
    from .debugmode import DebugMode
    predefined_modes["DebugMode"] = predefined_modes["DEBUG_MODE"] = DebugMode()
