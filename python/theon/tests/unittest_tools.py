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


# ---- the rest of Theano's unittest_tools ----------------------------------------

import functools as _functools  # noqa: E402
import logging as _logging  # noqa: E402
import sys as _sys  # noqa: E402
import unittest as _unittest  # noqa: E402

SkipTest = _unittest.SkipTest
_log = _logging.getLogger("theon.tests.unittest_tools")


def attr(*tags, **kwargs):
    """nose's attribute decorator (@attr('slow')): sets the attributes, runs the test as usual."""
    def mark(f):
        for t in tags:
            setattr(f, t, True)
        for k, v in kwargs.items():
            setattr(f, k, v)
        return f
    return mark


def __getattr__(name):
    if name == "parameterized":  # the `parameterized` package, when installed
        from parameterized import parameterized
        return parameterized
    raise AttributeError("theon.tests.unittest_tools has no attribute %r" % (name,))


def custom_name_func(testcase_func, param_num, param):
    """A parameterized test's name: the function's, then the parameters'."""
    return "%s_%s" % (testcase_func.__name__, "_".join(str(x) for x in param.args))


class MockRandomState(object):
    """A stand-in RNG whose draws are all `val` (rand) or an end of the range (randint)."""

    def __init__(self, val):
        self.val = val

    def rand(self, *shape):
        return np.full(shape, float(self.val))

    def randint(self, minval, maxval=None, size=1):
        lo, hi = (0, minval) if maxval is None else (minval, maxval)
        return np.full(size, lo if self.val == 0 else hi - 1, dtype="int64")


class WrongValue(AssertionError):
    """assert_allclose's failure: both values and the tolerances used."""

    def __init__(self, expected, value, rtol, atol):
        AssertionError.__init__(self)
        self.val1, self.val2, self.rtol, self.atol = expected, value, rtol, atol

    def __str__(self):
        from ..tensor.basic import _get_atol_rtol
        e, v = np.asarray(self.val1), np.asarray(self.val2)
        atol, rtol = _get_atol_rtol(e, v)
        lines = ["WrongValue", "  expected: %s %s %r" % (e.shape, e.dtype, e), "  value:    %s %s %r" % (v.shape, v.dtype, v)]
        try:
            diff = np.abs(v - e)
            lines.append("  max abs diff: %g, max rel diff: %g" % (diff.max(), (diff / np.abs(e)).max()))
        except (ValueError, TypeError):
            pass
        lines.append("  rtol, atol: %s, %s" % (self.rtol if self.rtol is not None else rtol,
                                               self.atol if self.atol is not None else atol))
        return "\n".join(lines)


def assert_allclose(expected, value, rtol=None, atol=None):
    """Raises WrongValue unless value is close to expected at the dtype's tolerances
    (theon.tensor.basic._allclose)."""
    from ..tensor.basic import _allclose
    if not _allclose(expected, value, rtol, atol):
        raise WrongValue(expected, value, rtol, atol)


class TestOptimizationMixin(object):
    """Assertions about the ops of a compiled function's graph."""

    def assertFunctionContains(self, f, op, min=1, max=_sys.maxsize):
        nodes = f.maker.fgraph.toposort()
        found = [n for n in nodes if n.op == op]
        assert min <= len(found) <= max, (nodes, found, str(op), len(found), min, max)

    def assertFunctionContains0(self, f, op):
        return self.assertFunctionContains(f, op, min=0, max=0)

    def assertFunctionContains1(self, f, op):
        return self.assertFunctionContains(f, op, min=1, max=1)

    def assertFunctionContainsN(self, f, op, N):
        return self.assertFunctionContains(f, op, min=N, max=N)

    def assertFunctionContainsClass(self, f, op, min=1, max=_sys.maxsize):
        nodes = f.maker.fgraph.toposort()
        found = [n for n in nodes if isinstance(n.op, op)]
        assert min <= len(found) <= max, (nodes, found, str(op), len(found), min, max)

    def assertFunctionContainsClassN(self, f, op, N):
        return self.assertFunctionContainsClass(f, op, min=N, max=N)

    def SkipTest(self, msg="Skip this test"):
        raise SkipTest(msg)


class InferShapeTester(_unittest.TestCase):
    """Checks an op's shape inference: x.shape of its outputs compiles to a
    graph without the op (check_topo) and agrees with the computed outputs."""

    def setUp(self):
        seed_rng()
        from ..compile import get_default_mode
        mode = getattr(self, "mode", None) or get_default_mode()
        self.mode = mode.including("canonicalize")

    def _compile_and_check(self, inputs, outputs, numeric_inputs, cls, excluding=None, warn=True,
                           check_topo=True):
        from ..compile import function
        mode = self.mode.excluding(*excluding) if excluding else self.mode
        if warn:
            for var, value in zip(inputs, numeric_inputs):
                shape = [s for s, b in zip(np.shape(value), getattr(var, "broadcastable", ())) if not b]
                if len(set(shape)) != len(shape):
                    _log.warning("testing the shape inference of %r with an input of shape %s: equal sizes "
                                 "cannot show whether dimensions were mixed up", cls, np.shape(value))
                    break
        out_f = function(inputs, outputs, mode=mode)
        shape_f = function(inputs, [o.shape for o in outputs], mode=mode)
        if check_topo:
            assert not any(isinstance(n.op, cls) for n in shape_f.maker.fgraph.toposort()), \
                "the shape graph still computes %r" % (cls,)
        assert any(isinstance(n.op, cls) for n in out_f.maker.fgraph.toposort()), \
            "the compiled outputs do not use %r" % (cls,)
        for out, shape in zip(out_f(*numeric_inputs), shape_f(*numeric_inputs)):
            assert np.all(np.shape(out) == np.asarray(shape)), (np.shape(out), shape)


def assertFailure_fast(f):
    """Theano marked tests failing under cycle_detection='fast'; theon has one
    cycle detection, so the test runs as written."""
    return f


class AttemptManyTimes(object):
    """Runs a flaky test up to n_attempts times (each with the next seed) and
    passes once it passed n_req_successes times."""

    def __init__(self, n_attempts, n_req_successes=1):
        if n_attempts < n_req_successes:
            raise ValueError("AttemptManyTimes: n_attempts < n_req_successes")
        self.n_attempts, self.n_req_successes = n_attempts, n_req_successes

    def __call__(self, fct):
        @_functools.wraps(fct)
        def attempts(*args, **kwargs):
            seed0 = config.unittests.rseed
            seed, ok, failed = seed0, 0, 0
            try:
                for _ in range(self.n_attempts):
                    config.unittests.rseed = seed
                    try:
                        if len(args) == 1 and hasattr(args[0], "setUp"):
                            args[0].setUp()
                        fct(*args, **kwargs)
                        ok += 1
                        if ok == self.n_req_successes:
                            return
                    except Exception:
                        failed += 1
                        if failed + self.n_req_successes > self.n_attempts:
                            raise
                    if seed not in (None, "random"):
                        seed = str(int(seed) + 1)
            finally:
                config.unittests.rseed = seed0
        return attempts
