"""theano.tensor.nnet.corr: Theano's CPU correlation ops (CorrMM), to which
it lowered 2-d convolutions. theon's convolution ops run them directly, so
these classes match theon's conv ops (``isinstance(node.op, CorrMM)``) and
build cross-correlations (no filter flip) from Theano's arguments."""
from . import abstract_conv as _ac
from ..graph_api import _op_class

__all__ = ["CorrMM", "CorrMM_gradInputs", "CorrMM_gradWeights"]


def _maker(nd, role):
    def make(border_mode="valid", subsample=None, filter_dilation=None, num_groups=1, unshared=False):
        p = _ac._Params(nd, border_mode, subsample, False, filter_dilation, num_groups, unshared)

        def apply(a, b, shape=None):
            if role == "forward":
                return p.apply(role, a, b)
            return p.apply(role, a, b, _ac._spatial(shape, nd, "input" if role == "grad_inputs" else "filter"))
        apply.attrs = {"border_mode": p.border_mode, "subsample": p.subsample, "filter_dilation": p.filter_dilation,
                       "num_groups": p.num_groups, "unshared": False}
        return apply
    return make


def _when(nd):
    return lambda op: op.conv is not None and op.conv["nd"] == nd


CorrMM = _op_class("CorrMM", ["Conv"], when=_when(2), make=_maker(2, "forward"))
CorrMM_gradInputs = _op_class("CorrMM_gradInputs", ["ConvGradInputs"], when=_when(2), make=_maker(2, "grad_inputs"))
CorrMM_gradWeights = _op_class("CorrMM_gradWeights", ["ConvGradWeights"], when=_when(2),
                               make=_maker(2, "grad_weights"))
