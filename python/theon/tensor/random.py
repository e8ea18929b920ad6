"""theon's random numbers in one place: ``RandomStreams`` (NumPy's legacy
RandomState, Theano's ``theano.tensor.shared_randomstreams``),
``MRG_RandomStreams`` (MRG31k3p, Theano's ``theano.sandbox.rng_mrg``) and
the raw draws of ``theano.tensor.raw_random``."""
from ..sandbox.rng_mrg import MRG_RandomStreams  # noqa: F401
from .raw_random import (RandomStateType, binomial, choice, multinomial, normal, permutation,  # noqa: F401
                         poisson, random_integers, random_state_type, uniform)
from .shared_randomstreams import RandomStreams, RandomStateSharedVariable  # noqa: F401
