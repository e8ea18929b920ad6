"""Shared helpers for theon's Python tests: numeric gradients and a checker
that compares theon's symbolic gradient with a central difference."""
import os
import sys

import numpy as np
import pytest

# The examples import each other (logreg_digits imports mlp_digits).
EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples")

# The rewriter checks the IR after every phase in the tests (read when theon loads).
os.environ.setdefault("THEON_VERIFY_IR", "1")

import theon  # noqa: E402
import theon.tensor as T  # noqa: E402

# The suite exercises the VM tier; test_native.py turns the native tier on
# with its own cache directory (a background compile per test function would
# multiply the suite's time).
theon.config.native = "off"


@pytest.fixture
def rng():
    return np.random.RandomState(1234)


@pytest.fixture(params=["off", "wait"], ids=["vm", "native"])
def tier(request):
    """The test runs on both execution tiers: the VM and native code (waiting
    for each compile). A module uses it for all its tests with
    ``pytestmark = pytest.mark.usefixtures("tier")``."""
    with theon.config.change_flags(native=request.param):
        yield request.param


@pytest.fixture(autouse=True)
def _default_float64():
    """Every test starts (and ends) with Theano's default floatX and the VM tier."""
    assert theon.config.floatX == "float64", "a previous test leaked floatX=%s" % theon.config.floatX
    assert theon.config.native == "off", "a previous test leaked native=%s" % theon.config.native
    yield
    assert theon.config.floatX == "float64", "this test leaked floatX=%s" % theon.config.floatX
    assert theon.config.native == "off", "this test leaked native=%s" % theon.config.native


def numeric_grad(f, values, eps=1e-6):
    """Central-difference gradient of the scalar function f(*values) with
    respect to each array in values (float64)."""
    values = [np.array(v, dtype="float64") for v in values]
    grads = []
    for k, v in enumerate(values):
        g = np.zeros_like(v)
        flat = v.reshape(-1)
        gflat = g.reshape(-1)
        for i in range(flat.size):
            old = flat[i]
            flat[i] = old + eps
            fp = float(f(*values))
            flat[i] = old - eps
            fm = float(f(*values))
            flat[i] = old
            gflat[i] = (fp - fm) / (2 * eps)
        grads.append(g)
    return grads


def check_grad(build, inputs, values, rtol=1e-4, atol=1e-6, eps=1e-6, weights_seed=0):
    """build(*inputs) returns a symbolic tensor; its cost is sum(out * W) for a
    fixed random W (so every output element matters differently). Compares
    T.grad of that cost with a central difference, and checks each gradient has
    its input's shape and dtype."""
    out = build(*inputs)
    f_out = theon.function(inputs, out, on_unused_input="ignore")
    out_val = np.asarray(f_out(*values))
    w = np.random.RandomState(weights_seed).uniform(0.5, 1.5, size=out_val.shape)
    W = T.constant(w)
    cost = T.sum(out * W) if out_val.ndim else out * W
    grads = T.grad(cost, list(inputs), disconnected_inputs="ignore")
    f_cost = theon.function(inputs, cost, on_unused_input="ignore")
    f_grads = theon.function(inputs, grads, on_unused_input="ignore")
    sym = f_grads(*values)
    num = numeric_grad(f_cost, values, eps=eps)
    # The central difference loses |cost| * machine eps / eps to rounding:
    # a cost of 5e9 (exp of exp) leaves ~0.1 of absolute noise at eps=1e-6.
    atol = max(atol, 50 * np.finfo(np.float64).eps * abs(float(f_cost(*values))) / eps)
    for k, (s, n, v) in enumerate(zip(sym, num, values)):
        s = np.asarray(s)
        assert s.shape == np.shape(v), "gradient %d has shape %s, input has %s" % (k, s.shape, np.shape(v))
        assert s.dtype == np.asarray(v).dtype, "gradient %d has dtype %s, input %s" % (k, s.dtype, np.asarray(v).dtype)
        np.testing.assert_allclose(s, n, rtol=rtol, atol=atol, err_msg="gradient wrt input %d" % k)
    return sym


@pytest.fixture
def examples_path():
    path = os.path.abspath(EXAMPLES)
    if path not in sys.path:
        sys.path.insert(0, path)
    yield path
