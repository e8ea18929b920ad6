"""theano.gof.op: the op base class (theon's T.Op: isinstance of any theon op;
custom Python ops subclassing it arrive with issue 28)."""
from ..tensor.graph_api import Op  # noqa: F401

PureOp = Op
