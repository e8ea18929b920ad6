"""theano.tensor.nnet.corr3d: Corr3dMM, the 3-d counterpart of corr.CorrMM
(see there)."""
from ..graph_api import _op_class
from .corr import _maker, _when

__all__ = ["Corr3dMM", "Corr3dMM_gradInputs", "Corr3dMM_gradWeights"]

Corr3dMM = _op_class("Corr3dMM", ["Conv"], when=_when(3), make=_maker(3, "forward"))
Corr3dMM_gradInputs = _op_class("Corr3dMM_gradInputs", ["ConvGradInputs"], when=_when(3),
                                make=_maker(3, "grad_inputs"))
Corr3dMM_gradWeights = _op_class("Corr3dMM_gradWeights", ["ConvGradWeights"], when=_when(3),
                                 make=_maker(3, "grad_weights"))
