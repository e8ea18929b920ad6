"""theano.tensor.signal: pooling (``pool``) and 2-d convolution of plain signals (``conv``)."""
from . import conv, pool  # noqa: F401
