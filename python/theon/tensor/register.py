"""Theano's register_canonicalize / register_specialize / ... decorators.

theon's phases hold only its C++ rules (src/theon/rewrite/): registering a
rewrite that is one of theon's rules keeps it where theon runs it; a
rewrite written in Python cannot join a phase, so registering it raises
NotImplementedError rather than being silently ignored."""
from ..gof import opt as _opt


def _register(phase):
    def register(lopt=None, *tags, **kwargs):
        if isinstance(lopt, str):  # @register_x('tag', ...): a decorator
            return lambda inner: register(inner, lopt, *tags, **kwargs)
        if isinstance(lopt, _opt.TheonRule):
            return lopt  # already one of theon's rules, run in its own phase
        raise NotImplementedError(
            "register_%s(%s): theon's %s phase runs only its C++ rules (src/theon/rewrite/), so a rewrite "
            "written in Python cannot join it" % (phase, getattr(lopt, "__name__", lopt), phase))
    register.__name__ = "register_" + phase
    return register


register_canonicalize = _register("canonicalize")
register_stabilize = _register("stabilize")
register_specialize = _register("specialize")
register_uncanonicalize = _register("uncanonicalize")
register_specialize_device = _register("specialize_device")
register_useless = _register("useless")
