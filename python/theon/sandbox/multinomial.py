"""Theano's ``theano.sandbox.multinomial``: multinomial counts and choices
without replacement computed from uniform samples (the ops behind
MRG_RandomStreams.multinomial and .choice)."""
import warnings

from .. import _core
from .. import tensor as T
from ..tensor.graph_api import Op as _Op, _op_class


def _multinomial_from_uniform(odtype="auto"):
    dtype = "int64" if odtype == "auto" else str(odtype)

    def build(pvals, unis, n=1):
        return _core.multinomial_from_uniform(T.as_tensor_variable(pvals), T.as_tensor_variable(unis),
                                              T.as_tensor_variable(n), dtype)
    return build


def _choice_from_uniform(odtype="auto", replace=False, *args, **kwargs):
    dtype = "int64" if odtype == "auto" else str(odtype)

    def build(pvals, unis, n=1):
        return _core.choice_from_uniform(T.as_tensor_variable(pvals), T.as_tensor_variable(unis),
                                         T.as_tensor_variable(n), dtype, bool(replace))
    return build


def _multinomial_wo_replacement(*args, **kwargs):
    warnings.warn("MultinomialWOReplacementFromUniform is deprecated, use ChoiceFromUniform instead.",
                  DeprecationWarning, stacklevel=3)
    return _choice_from_uniform(*args, **kwargs)


# MultinomialFromUniform(odtype)(pvals, unis, n): counts (m, k) of n draws per row
# of pvals, the uniforms unis (m * n,) read as Theano's op read them.
MultinomialFromUniform = _op_class("MultinomialFromUniform", ["FromUniform"], _Op,
                                   when=lambda op: op.distribution == "multinomial", make=_multinomial_from_uniform)
# ChoiceFromUniform(odtype, replace=False)(pvals, unis, n): indices (m, n).
ChoiceFromUniform = _op_class("ChoiceFromUniform", ["FromUniform"], _Op,
                              when=lambda op: op.distribution == "choice", make=_choice_from_uniform)
MultinomialWOReplacementFromUniform = _op_class("MultinomialWOReplacementFromUniform", ["FromUniform"], _Op,
                                                when=lambda op: op.distribution == "choice",
                                                make=_multinomial_wo_replacement)
