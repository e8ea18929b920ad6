"""theano.tests.unittest_tools for theon: seeded RNGs and verify_grad, so
that Theano-era test files run unchanged against ``import theon as theano``."""
import numpy as np

from .. import gradient
from ..configparser import config


def fetch_seed(pseed=None):
    """The seed of this test run: `pseed`, else config.unittests.rseed
    ('random' gives None, i.e. a fresh seed)."""
    seed = pseed if pseed is not None else config.unittests.rseed
    if seed == "random":
        return None
    try:
        return int(seed)
    except ValueError:
        raise ValueError("unittests.rseed must be an integer or 'random', got %r" % (seed,))


def seed_rng(pseed=None):
    """Seeds NumPy's global RNG with fetch_seed(pseed); returns the seed."""
    seed = fetch_seed(pseed)
    np.random.seed(seed)
    return seed


def verify_grad(op, pt, n_tests=2, rng=None, *args, **kwargs):
    """theon.gradient.verify_grad with a seeded RNG when none is given."""
    if rng is None:
        seed_rng()
        rng = np.random
    return gradient.verify_grad(op, pt, n_tests, rng, *args, **kwargs)


verify_grad.E_grad = gradient.GradientError
