"""Theano's rewrite objects (theano.tensor.opt.local_*) as theon's rules.

Theano's `local_<name>` is theon's rule `<name>` where theon has one; a few
Theano rewrites are done by differently named theon rules (_COUNTERPARTS and
compile.mode._ALIASES).
Any other Theano rewrite name gives a MissingRewrite, which raises
NotImplementedError naming what theon lacks when it is used."""
from ..gof import opt as _opt

# Theano's name -> theon's rules doing its work, where one Theano rewrite is
# several theon rules (single renames are compile.mode._ALIASES).
_COUNTERPARTS = {
    # Theano's lift also merged a DimShuffle of a DimShuffle and dropped identities.
    "local_dimshuffle_lift": ("dimshuffle_lift", "dimshuffle_merge"),
}


def _known_rules():
    from ..compile.mode import list_rewrites
    return {r["name"] for r in list_rewrites()}


def _theano_names():
    from ..compile.mode import _theano_names as names
    return names()


_CACHE = {}


def rewrite(name):
    """Theano's rewrite `name` as an object: a TheonRule naming theon's
    counterpart, or a MissingRewrite when theon has none."""
    if name in _CACHE:
        return _CACHE[name]
    from ..compile.mode import _ALIASES
    known = _known_rules()
    rules = _COUNTERPARTS.get(name)
    if rules is None and _ALIASES.get(name) in known:
        rules = (_ALIASES[name],)
    if rules is None and name.startswith("local_") and name[len("local_"):] in known:
        rules = (name[len("local_"):],)
    if rules is None and name in known:  # a name both share (constant_folding)
        rules = (name,)
    if rules is not None:
        obj = _opt.TheonRule(name, *rules)
    elif name in _theano_names():
        obj = _opt.MissingRewrite(name, "theon has no rule that does its work")
    else:
        raise AttributeError(name)
    _CACHE[name] = obj
    return obj


def optimizer(name, local_name, order="in_to_out"):
    """Theano's graph optimizer `name` that applies the local rewrite `local_name` over a graph."""
    make = _opt.in2out if order == "in_to_out" else _opt.out2in
    return make(rewrite(local_name), name=name)
