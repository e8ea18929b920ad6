"""Compilation modes: which graph rewrites run (Theano's Mode, with
including / excluding / requiring by rule name or tag). Every mode runs on the
VM tier; `optimizer=None` compiles the graph exactly as written."""
from .. import _core

_KNOWN = ("FAST_RUN", "FAST_COMPILE", "DebugMode", "DEBUG_MODE", "Mode", "ProfileMode")
# optimizer value -> (level, rules switched on besides the level's)
_LEVELS = {"fast_run": ("fast_run", ()), "o4": ("fast_run", ()), "o3": ("fast_run", ()), "o2": ("fast_run", ()),
           "fast_compile": ("fast_compile", ()), "o1": ("fast_compile", ()), "merge": ("none", ("merge",)),
           "None": ("none", ()), None: ("none", ())}


class Mode(object):
    """Mode(linker=None, optimizer='fast_run'). `optimizer` is 'fast_run',
    'fast_compile', 'merge' or None; including/excluding/requiring return a new
    Mode with rewrites (by name or tag) switched on, off, or required."""

    def __init__(self, linker=None, optimizer="fast_run", including=(), excluding=(), requiring=()):
        if optimizer == "default":
            optimizer = "fast_run"
        if optimizer not in _LEVELS:
            raise ValueError("Mode: unknown optimizer %r; expected one of 'fast_run', 'fast_compile', 'merge', None"
                             % (optimizer,))
        self.linker = linker
        self.optimizer = optimizer
        self._including, self._excluding, self._requiring = tuple(including), tuple(excluding), tuple(requiring)
        known = _known_names()
        self._including = tuple(_resolve(t, known, "including") for t in self._including)
        self._requiring = tuple(_resolve(t, known, "requiring") for t in self._requiring)
        self._excluding = tuple(_resolve(t, known, "excluding") for t in self._excluding)
        # Only theon's own names reach the compiler.
        self._including = tuple(t for t in self._including if t is not None)
        self._excluding = tuple(t for t in self._excluding if t is not None)

    def _with(self, **kw):
        args = dict(linker=self.linker, optimizer=self.optimizer, including=self._including,
                    excluding=self._excluding, requiring=self._requiring)
        for k, v in kw.items():
            args[k] = args[k] + tuple(v)
        return Mode(**args)

    def including(self, *tags):
        return self._with(including=tags)

    def excluding(self, *tags):
        return self._with(excluding=tags)

    def requiring(self, *tags):
        return self._with(requiring=tags)

    def rewrite_options(self):
        """(level, including, excluding, requiring) as the compiler takes them."""
        level, extra = _LEVELS[self.optimizer]
        return level, list(extra + self._including), list(self._excluding), list(self._requiring)

    def __repr__(self):
        return "Mode(linker=%r, optimizer=%r, including=%r, excluding=%r, requiring=%r)" % (
            self.linker, self.optimizer, self._including, self._excluding, self._requiring)


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


def _resolve(t, known, how):
    """A rewrite or tag name as theon knows it: theon's own, or Theano's
    local_<name> for theon's <name>; None for a Theano name theon lacks
    (excluding it does nothing; including it warns once: theon's own rewrites
    run instead; requiring it is an error)."""
    if t in known:
        return t
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
                          "run instead (theon.compile.mode.list_rewrites() lists them)" % (t,), stacklevel=4)
        return None
    close = __import__("difflib").get_close_matches(t, sorted(known), 1)
    raise ValueError("Mode: unknown rewrite or tag %r%s; theon.compile.mode.list_rewrites() lists them"
                     % (t, "; did you mean %r?" % close[0] if close else ""))


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
        optimizer = config.optimizer
        if name == "FAST_COMPILE" and optimizer == "fast_run":
            optimizer = "fast_compile"
        return Mode("vm", optimizer, _split(config.optimizer_including), _split(config.optimizer_excluding),
                    _split(config.optimizer_requiring))
    return FAST_COMPILE if mode == "FAST_COMPILE" else FAST_RUN


# Theano's names for the modes a string selects.
predefined_modes = {"FAST_RUN": FAST_RUN, "FAST_COMPILE": FAST_COMPILE}
