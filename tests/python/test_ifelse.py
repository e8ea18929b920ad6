"""ifelse: lazy (the branch not taken costs nothing), several outputs,
gradients and R-op against numeric ones, errors."""

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.ifelse import IfElse, ifelse


def test_values_and_several_outputs():
    a, b = T.dscalars("a", "b")
    x, y = T.dvectors("x", "y")
    o1, o2 = ifelse(T.lt(a, b), [x * 2, a + b], [y - 1, a * b])
    f = theon.function([a, b, x, y], [o1, o2])
    xv, yv = np.arange(3.0), np.ones(3)
    r = f(1.0, 2.0, xv, yv)
    assert np.allclose(r[0], xv * 2) and r[1] == 3
    r = f(2.0, 1.0, xv, yv)
    assert np.allclose(r[0], yv - 1) and r[1] == 2
    assert any(isinstance(n.op, IfElse) for n in f.maker.fgraph.toposort())


def test_only_the_branch_taken_is_computed():
    # The else branch fails whenever it runs (an Assert that never holds), so
    # a call that takes the then branch shows the else branch did not run.
    c = T.lscalar("c")
    x = T.dmatrix("x")
    never = T.opt.assert_op(T.dot(T.dot(x, x), x).sum(), T.lt(x.sum(), -1.0))
    f = theon.function([c, x], ifelse(c, T.constant(0.0, dtype="float64"), never))
    xv = np.random.RandomState(0).rand(7, 7)
    assert f(1, xv) == 0.0
    with pytest.raises(AssertionError):
        f(0, xv)
    assert f(1, xv) == 0.0  # and again, after the else branch was compiled


def test_work_both_branches_share_runs_once_before_the_branch():
    c, x, W = T.lscalar("c"), T.dvector("x"), T.dmatrix("W")
    h = T.tanh(T.dot(W, x))
    never = T.opt.assert_op(T.exp(h).sum(), T.lt(x.sum(), -1.0))
    z, same = ifelse(c, [h * 2, h], [never + h, h])
    f = theon.function([c, x, W], [z, same])
    assert f.maker.rewrite_report["fired"].get("ifelse_lift_common", 0) >= 1
    # h is computed outside (one Dot in the outer graph); the output both branches give is h itself
    outer = [n.op.kind for n in f.maker.fgraph.toposort()]
    assert outer.count("Dot") == 1 and outer.count("IfElse") == 1
    xv, Wv = np.random.RandomState(1).rand(3), np.random.RandomState(2).rand(3, 3)
    hv = np.tanh(Wv @ xv)
    got = f(1, xv, Wv)
    assert np.allclose(got[0], hv * 2) and np.allclose(got[1], hv)
    with pytest.raises(AssertionError):  # the else branch's own work stays lazy
        f(0, xv, Wv)
    g = theon.function([c, x, W], [z, same], mode=theon.compile.mode.Mode(optimizer=None))
    assert np.allclose(g(1, xv, Wv)[0], got[0])


def test_a_known_condition_picks_its_branch():
    x = T.dvector("x")
    f = theon.function([x], ifelse(T.constant(1), T.sin(x), T.opt.assert_op(x, T.lt(x.sum(), -1.0))))
    assert not any(n.op.kind == "IfElse" for n in f.maker.fgraph.toposort())
    assert np.allclose(f(np.ones(2)), np.sin(np.ones(2)))


def test_gradient_and_rop():
    a, b = T.dscalars("a", "b")
    x = T.dvector("x")
    z = ifelse(T.lt(a, b), T.sin(x * a).sum(), (x ** 2 * b).sum())
    g = theon.function([a, b, x], theon.grad(z, [a, b, x]))
    xv = np.array([0.3, -0.2, 0.5])
    ga, gb, gx = g(1.0, 2.0, xv)
    assert np.isclose(ga, (np.cos(xv * 1.0) * xv).sum()) and gb == 0 and np.allclose(gx, np.cos(xv) * 1.0)
    ga, gb, gx = g(3.0, 2.0, xv)
    assert ga == 0 and np.isclose(gb, (xv ** 2).sum()) and np.allclose(gx, 2 * xv * 2.0)
    v = T.dvector("v")
    r = theon.function([a, b, x, v], theon.gradient.Rop(z, x, v))
    vv = np.array([1.0, 2.0, 3.0])
    assert np.isclose(r(1.0, 2.0, xv, vv), (np.cos(xv) * vv).sum())
    assert np.isclose(r(3.0, 2.0, xv, vv), (2 * xv * 2.0 * vv).sum())


def test_errors():
    a = T.dscalar()
    with pytest.raises(TypeError, match="then branch and"):
        ifelse(a, T.dvector(), T.fvector())
    with pytest.raises(TypeError, match="dimensions"):
        ifelse(a, T.dvector(), T.dmatrix())
    with pytest.raises(ValueError, match="outputs"):
        ifelse(a, [a, a], [a])
    with pytest.raises(TypeError, match="scalar"):
        ifelse(T.dvector(), a, a)


def test_theano_ifelse_op_objects_and_a_condition_reached_by_a_parameter():
    c, x, y = T.iscalar("c"), T.dvector("x"), T.dvector("y")
    f = theon.function([c, x, y], ifelse(c, x, y))
    ops = [n.op for n in f.maker.fgraph.toposort()]
    assert IfElse(1, as_view=True) in ops and IfElse(2) not in ops
    assert IfElse(2).n_outs == 2
    # A parameter that reaches the cost only through the condition gets a zero gradient (Theano).
    w = theon.shared(np.ones(3))
    loss = ifelse(T.dot(w, x) > 0, T.constant(0.0), T.constant(1.0))
    gw = theon.grad(loss, w)
    assert np.allclose(theon.function([x], gw, on_unused_input="ignore")(np.ones(3)), 0)
