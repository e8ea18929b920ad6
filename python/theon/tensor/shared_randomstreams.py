"""Theano's ``theano.tensor.shared_randomstreams``: RandomStreams, NumPy
RandomStates in shared variables advanced by default updates.

Each draw gets its own RandomState, seeded from the streams' seed generator
(``numpy.random.RandomState(seed).randint(2 ** 30)`` per draw, as Theano), so
a RandomStreams made with Theano's seed gives Theano's numbers.
"""
import numpy as np

from . import raw_random
from .raw_random import RandomStreamsBase, random_state_shared

__all__ = ["RandomStreams", "RandomStateSharedVariable", "randomstate_constructor"]


class _RandomStateSharedVariableMeta(type):
    def __instancecheck__(cls, obj):
        return getattr(obj, "__dict__", {}).get("_codec") is raw_random._RandomStateCodec


class RandomStateSharedVariable(metaclass=_RandomStateSharedVariableMeta):
    """``isinstance(v, RandomStateSharedVariable)`` holds for shared variables
    that hold a numpy.random.RandomState (made by randomstate_constructor)."""


def randomstate_constructor(value, name=None, strict=False, allow_downcast=None, borrow=False):
    """A shared variable holding a numpy.random.RandomState (TypeError for other values).

    Parameters
    ----------
    value : numpy.random.RandomState
    name : str, optional
    strict, allow_downcast, borrow : optional
        Accepted for Theano's signature.

    Returns
    -------
    TensorSharedVariable
    """
    if not isinstance(value, np.random.RandomState):
        raise TypeError("randomstate_constructor takes a numpy.random.RandomState, got %s" % type(value).__name__)
    return random_state_shared(value, name=name, borrow=borrow)


class RandomStreams(RandomStreamsBase):
    """Random streams whose draws come from NumPy RandomStates, Theano's ``RandomStreams``.

    Parameters
    ----------
    seed : int or None, optional
        Seeds the generator of the draws' seeds.

    Examples
    --------
    >>> import theon
    >>> from theon.tensor.shared_randomstreams import RandomStreams
    >>> srng = RandomStreams(seed=234)
    >>> rv = srng.normal((2, 2))
    >>> f = theon.function([], rv)
    >>> f().shape
    (2, 2)
    """

    def updates(self):
        """The (state, new state) pairs of every draw made so far.

        Returns
        -------
        list of tuple
        """
        return list(self.state_updates)

    def __init__(self, seed=None):
        self.state_updates = []
        self.default_instance_seed = seed
        self.gen_seedgen = np.random.RandomState(seed)

    def seed(self, seed=None):
        """Reseed every draw made so far, as if made after ``RandomStreams(seed)``.

        Parameters
        ----------
        seed : int or None, optional
            Default: the constructor's seed.
        """
        if seed is None:
            seed = self.default_instance_seed
        self.gen_seedgen.seed(seed)
        for old_r, _ in self.state_updates:
            old_r.set_value(np.random.RandomState(int(self.gen_seedgen.randint(2 ** 30))), borrow=True)

    def __getitem__(self, item):
        """The RandomState of the shared variable `item` (a draw's ``.rng``)."""
        return item.get_value(borrow=True)

    def __setitem__(self, item, val):
        """Set the RandomState of the shared variable `item`."""
        if not isinstance(val, np.random.RandomState):
            raise TypeError("RandomStreams: a stream's value must be a numpy.random.RandomState, got %s"
                            % type(val).__name__)
        item.set_value(val, borrow=True)

    def gen(self, op, *args, **kwargs):
        """Draw with `op` (a raw_random function) from a new RandomState.

        Parameters
        ----------
        op : callable
            ``op(random_state, *args, **kwargs)`` returns (new state, samples).
        *args, **kwargs
            The draw's arguments.

        Returns
        -------
        TensorVariable
            The samples; ``.rng`` is the state's shared variable and ``.update``
            its (state, new state) pair, also its default update.
        """
        seed = int(self.gen_seedgen.randint(2 ** 30))
        random_state_variable = random_state_shared(np.random.RandomState(seed))
        new_r, out = op(random_state_variable, *args, **kwargs)
        out.rng = random_state_variable
        out.update = (random_state_variable, new_r)
        self.state_updates.append(out.update)
        random_state_variable.default_update = new_r
        return out
