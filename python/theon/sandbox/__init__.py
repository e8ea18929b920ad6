"""Theano's ``theano.sandbox``: the MRG31k3p random streams (``rng_mrg``) and
the multinomial ops built on them (``multinomial``)."""
from . import multinomial, rng_mrg  # noqa: F401
