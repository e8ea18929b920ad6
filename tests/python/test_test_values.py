"""config.compute_test_value and tag.test_value: graphs tried on values while
they are built, so that shape errors point at the line that builds the node."""
import warnings

import numpy as np
import pytest

import theon
import theon.tensor as T


@pytest.fixture
def mode(request):
    with theon.config.change_flags(compute_test_value=request.param):
        yield request.param


def _line_of(marker):
    import inspect
    for k, line in enumerate(inspect.getsource(inspect.getmodule(_line_of)).splitlines(), 1):
        if marker in line and "_line_of" not in line:
            return k
    raise AssertionError(marker)


@pytest.mark.parametrize("mode", ["raise"], indirect=True)
def test_outputs_get_values_computed_from_their_inputs(mode):
    rng = np.random.RandomState(0)
    x = T.dmatrix("x")
    x.tag.test_value = rng.rand(4, 3)
    w = theon.shared(rng.rand(3, 2), name="w")
    h = T.tanh(x.dot(w) + 1)
    y = T.nnet.softmax(h)[:, ::-1].sum(axis=1)
    np.testing.assert_allclose(h.tag.test_value, np.tanh(x.tag.test_value.dot(w.get_value()) + 1))
    e = np.exp(h.tag.test_value)
    np.testing.assert_allclose(y.tag.test_value, (e / e.sum(1, keepdims=True)).sum(1))
    g = theon.grad(y.sum() + (h ** 2).sum(), w)  # gradients get values too
    assert g.tag.test_value.shape == (3, 2)
    f = theon.function([x], g)
    np.testing.assert_allclose(g.tag.test_value, f(x.tag.test_value))


@pytest.mark.parametrize("mode", ["raise"], indirect=True)
def test_a_shape_error_is_reported_at_the_line_that_builds_the_node(mode):
    x, v = T.dmatrix("x"), T.dmatrix("v")
    x.tag.test_value = np.ones((5, 3))
    v.tag.test_value = np.ones((2, 2))
    with pytest.raises(ValueError) as e:
        x.dot(v)  # MARK-dot
    msg = str(e.value)
    assert "computing the test value failed" in msg and "(5, 3)" in msg and "(2, 2)" in msg, msg
    assert "test_test_values.py:%d" % _line_of("MARK-dot") in msg, msg
    with pytest.raises(ValueError, match="computing the test value"):
        x + v  # broadcasting mismatch: not visible in the types


@pytest.mark.parametrize("mode", ["raise", "warn", "ignore"], indirect=True)
def test_a_missing_value_raises_warns_or_is_ignored(mode):
    z = T.dvector("z")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if mode == "raise":
            with pytest.raises(ValueError, match="input 0 \\(z\\) has no test value"):
                z * 2
            return
        y = z * 2
    assert (len(caught) > 0) == (mode == "warn")
    with pytest.raises(AttributeError, match="has no test value"):
        y.tag.test_value


@pytest.mark.parametrize("mode", ["off"], indirect=True)
def test_off_computes_nothing_and_setting_a_value_still_checks_it(mode):
    x = T.dmatrix("x")
    x.tag.test_value = [[1, 2, 3]]  # converted to the type, as an argument would be
    assert x.tag.test_value.dtype == np.float64 and x.tag.test_value.shape == (1, 3)
    with pytest.raises(AttributeError):
        (x * 2).tag.test_value
    with pytest.raises(TypeError, match="wrong number of dimensions"):
        x.tag.test_value = np.ones(3)
    f = T.fvector("f")
    with pytest.raises(TypeError):
        f.tag.test_value = np.ones(3)  # float64 into float32 loses precision
    del x.tag.test_value
    with pytest.raises(AttributeError):
        x.tag.test_value


@pytest.mark.parametrize("mode", ["raise"], indirect=True)
def test_scan_steps_are_built_on_the_first_step_values(mode):
    rng = np.random.RandomState(1)
    x = T.dmatrix("x")
    x.tag.test_value = rng.rand(6, 3)
    w = theon.shared(rng.rand(3, 3), name="w")
    h0 = T.dvector("h0")
    h0.tag.test_value = np.zeros(3)
    seen = []

    def step(xt, h):
        seen.append((xt.tag.test_value.copy(), h.tag.test_value.copy()))
        return T.tanh(xt + h.dot(w))
    hs, _ = theon.scan(step, sequences=[x], outputs_info=[h0])
    np.testing.assert_array_equal(seen[0][0], x.tag.test_value[0])
    np.testing.assert_array_equal(seen[0][1], np.zeros(3))
    f = theon.function([x, h0], hs)
    np.testing.assert_allclose(hs.tag.test_value, f(x.tag.test_value, h0.tag.test_value))
    g = theon.grad(hs.sum(), w)
    np.testing.assert_allclose(g.tag.test_value, theon.function([x, h0], g)(x.tag.test_value, np.zeros(3)))


class _Twice(theon.Op):
    __props__ = ()

    def make_node(self, x):
        x = T.as_tensor_variable(x)
        return theon.Apply(self, [x], [x.type()])

    def perform(self, node, inputs, out):
        out[0][0] = inputs[0] * 2


@pytest.mark.parametrize("mode", ["raise"], indirect=True)
def test_python_ops_and_constants_take_part(mode):
    x = T.dvector("x")
    x.tag.test_value = np.array([1.0, 2.0])
    y = _Twice()(x) + T.constant(np.array([10.0, 20.0]))
    np.testing.assert_array_equal(y.tag.test_value, [12.0, 24.0])


@pytest.mark.parametrize("mode", ["raise"], indirect=True)
def test_compiling_builds_no_test_values_and_still_works(mode):
    x = T.dvector("x")
    x.tag.test_value = np.array([1.0, -1.0])
    y = T.exp(x) * 2 + T.log1p(T.exp(x))  # rewrites build nodes of their own while compiling
    f = theon.function([x], y)
    np.testing.assert_allclose(f([0.0]), [2.0 + np.log(2)])
    np.testing.assert_allclose(y.tag.test_value, f(x.tag.test_value))


def test_the_flag_takes_theanos_values():
    for value in ("off", "ignore", "warn", "raise", "pdb"):
        with theon.config.change_flags(compute_test_value=value):
            assert theon.config.compute_test_value == value
    with pytest.raises(ValueError):
        theon.config.compute_test_value = "sometimes"
