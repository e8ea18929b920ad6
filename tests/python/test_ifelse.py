"""ifelse: lazy (the branch not taken costs nothing), several outputs,
gradients and R-op against numeric ones, errors."""
import time

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
    c = T.lscalar("c")
    x = T.dmatrix("x")
    expensive = T.dot(T.dot(x, x), x).sum()
    f = theon.function([c, x], ifelse(c, T.constant(0.0, dtype="float64"), expensive))
    xv = np.random.RandomState(0).rand(700, 700)
    f(1, xv), f(0, xv)  # both branches compiled
    cheap = min(_time(f, 1, xv) for _ in range(3))
    costly = min(_time(f, 0, xv) for _ in range(3))
    assert cheap * 20 < costly, (cheap, costly)


def _time(f, *args):
    t = time.perf_counter()
    f(*args)
    return time.perf_counter() - t


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
