"""theon.tensor.nnet: the elementwise members of Theano's nnet module."""
from .basic import sigmoid, softplus  # noqa: F401
