"""theano.tensor.elemwise: the elementwise, broadcast and reduction op classes."""
from .graph_api import (Elemwise, DimShuffle, CAReduce, CAReduceDtype, Sum, Prod, ProdWithoutZeros,  # noqa: F401
                        Max, Min, All, Any)
