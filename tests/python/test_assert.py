"""Theano's Assert op (theon.tensor.opt.Assert / assert_op): values pass
through, a false condition raises AssertionError naming the node and the
user's line, gradients and R-ops pass through, useless_assert drops constant
true conditions, and the unsafe remove_all_assert works only when asked for."""
import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.compile.mode import Mode
from theon.tensor.opt import Assert, assert_op

NONE = Mode(optimizer=None)


def ops(f):
    return [str(n.op) for n in f.maker.fgraph.toposort()]


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "int64"])
def test_value_passes_through(dtype):
    x = T.vector("x", dtype=dtype)
    y = assert_op(x, T.all(T.ge(x, 0)))
    f = theon.function([x], y)
    v = np.arange(4).astype(dtype)
    out = f(v)
    assert out.dtype == v.dtype
    np.testing.assert_array_equal(out, v)


def test_false_condition_raises_with_message_node_and_line():
    x = T.matrix("x")
    y = Assert("x must be positive")(x, T.all(T.gt(x, 0))) * 2
    f = theon.function([x], y)
    np.testing.assert_array_equal(f(np.ones((2, 2))), 2 * np.ones((2, 2)))
    with pytest.raises(AssertionError) as e:
        f(-np.ones((2, 3)))
    msg = str(e.value)
    assert "x must be positive" in msg
    assert "Assert{msg=x must be positive}" in msg
    assert "(2, 3)" in msg
    assert "test_assert.py" in msg


def test_several_conditions_name_the_failing_one():
    x = T.vector("x")
    f = theon.function([x], assert_op(x, T.gt(x.shape[0], 1), T.all(T.lt(x, 10))))
    f(np.ones(2))
    with pytest.raises(AssertionError, match="condition 1 is false"):
        f(np.array([1.0, 20.0]))
    with pytest.raises(AssertionError, match="condition 0 is false"):
        f(np.array([1.0]))


def test_conditions_must_be_scalars():
    x = T.vector("x")
    with pytest.raises(TypeError, match="condition 0 must be a scalar"):
        assert_op(x, T.gt(x, 0))


def test_gradient_and_rop_pass_through():
    x = T.vector("x")
    y = assert_op(x, T.all(T.gt(x, 0)))
    c = T.sum(y ** 3)
    g = theon.function([x], T.grad(c, x))
    v = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(g(v), 3 * v ** 2)
    theon.gradient.verify_grad(lambda a: T.sum(assert_op(a, T.all(T.gt(a, 0))) ** 2), [v],
                               rng=np.random.RandomState(0))
    t = T.vector("t")
    r = theon.function([x, t], theon.gradient.Rop(y * y, x, t))
    np.testing.assert_allclose(r(v, np.ones(3)), 2 * v)


def test_input_is_never_overwritten_through_the_assert_view():
    x = T.vector("x")
    y = T.exp(assert_op(x, T.all(T.gt(x, 0)))) + 1
    f = theon.function([x], y)
    v = np.array([1.0, 2.0])
    keep = v.copy()
    np.testing.assert_allclose(f(v), np.exp(keep) + 1)
    np.testing.assert_array_equal(v, keep)


def test_useless_assert_drops_constant_true_conditions():
    x = T.vector("x")
    live = T.all(T.gt(x, 0))
    y = assert_op(x, T.constant(1), live, live, T.constant(True))
    f = theon.function([x], y)
    asserts = [n for n in f.maker.fgraph.toposort() if "Assert" in str(n.op)]
    assert len(asserts) == 1 and len(asserts[0].inputs) == 2  # x and one live condition
    assert f.maker.rewrite_report["fired"].get("useless_assert", 0) >= 1
    with pytest.raises(AssertionError):
        f(np.array([-1.0]))
    only_true = theon.function([x], assert_op(x, T.constant(1)) * 3)
    assert not any("Assert" in o for o in ops(only_true))
    np.testing.assert_allclose(only_true(np.ones(2)), [3.0, 3.0])


def test_constant_false_condition_still_raises_at_run_time():
    x = T.vector("x")
    f = theon.function([x], assert_op(x, T.constant(0)))  # constant folding must not swallow it
    with pytest.raises(AssertionError):
        f(np.ones(2))
    g = theon.function([x], assert_op(x, T.constant(0)), mode=NONE)
    with pytest.raises(AssertionError):
        g(np.ones(2))


def test_remove_all_assert_only_when_included():
    x = T.vector("x")
    y = assert_op(x, T.all(T.gt(x, 0))) * 2
    f = theon.function([x], y)
    assert any("Assert" in o for o in ops(f))
    unsafe = theon.function([x], y, mode=Mode().including("remove_all_assert"))
    assert not any("Assert" in o for o in ops(unsafe))
    np.testing.assert_allclose(unsafe(-np.ones(2)), [-2.0, -2.0])
    by_tag = theon.function([x], y, mode=Mode().including("unsafe"))
    assert not any("Assert" in o for o in ops(by_tag))


def test_assert_props_and_identity():
    assert Assert("a") == Assert("a") and Assert("a") != Assert("b")
    assert T.opt.assert_ is T.opt.assert_op
    assert Assert().msg == "Theano Assert failed!"
