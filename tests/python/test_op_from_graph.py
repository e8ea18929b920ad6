"""OpFromGraph: a graph used as one op, inline or not, with its gradient
derived or overridden, its R-op, shared variables read inside, errors."""
import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.compile.builders import OpFromGraph


@pytest.mark.parametrize("inline", [False, True])
def test_values_and_derived_gradients(inline):
    x, y = T.dvectors("x", "y")
    op = OpFromGraph([x, y], [T.sin(x) * y, (x + y).sum()], inline=inline)
    a, b = T.dvectors("a", "b")
    o1, o2 = op(a, b)
    o3, _ = op(o1, b)  # applied twice, to its own output
    cost = o3.sum() + o2
    f = theon.function([a, b], [o1, o2] + theon.grad(cost, [a, b]))
    av, bv = np.array([0.1, 0.5]), np.array([2.0, -1.0])
    r = f(av, bv)
    assert np.allclose(r[0], np.sin(av) * bv) and np.isclose(r[1], (av + bv).sum())
    c = theon.function([a, b], cost)
    for k, g in enumerate(r[2:]):
        num = np.zeros(2)
        for i in range(2):
            args = [av.copy(), bv.copy()]
            args[k][i] += 1e-6
            p = c(*args)
            args[k][i] -= 2e-6
            num[i] = (p - c(*args)) / 2e-6
        assert np.allclose(g, num, atol=1e-6)
    assert any(isinstance(n.op, OpFromGraph) for n in f.maker.fgraph.toposort()) != inline


def test_gradient_and_rop_overrides():
    x = T.dscalar("x")
    op = OpFromGraph([x], [x ** 2], grad_overrides=lambda inputs, g: [g[0] * 100],
                     rop_overrides=lambda inputs, ev: [ev[0] * 7])
    a, v = T.dscalars("a", "v")
    out = op(a)
    assert np.isclose(theon.function([a], theon.grad(out, a))(3.0), 100)
    assert np.isclose(theon.function([a, v], theon.gradient.Rop(out, a, v))(3.0, 2.0), 14)
    assert np.isclose(theon.function([a], out)(3.0), 9)


def test_shared_variables_inside_the_graph():
    w = theon.shared(np.asarray(2.0), name="w")
    x = T.dscalar("x")
    op = OpFromGraph([x], [x * w])
    a = T.dscalar("a")
    f = theon.function([a], [op(a), theon.grad(op(a), w)])
    assert np.allclose(f(3.0), [6.0, 3.0])
    w.set_value(5.0)
    assert np.isclose(f(3.0)[0], 15.0)


def test_errors():
    x = T.dscalar("x")
    with pytest.raises(TypeError, match="root variables"):
        OpFromGraph([x * 2], [x])
    with pytest.raises(TypeError, match="shared variables cannot be inputs"):
        OpFromGraph([theon.shared(1.0)], [x])
    op = OpFromGraph([x], [x + 1])
    with pytest.raises(TypeError, match="takes 1 inputs, got 2"):
        op(x, x)
    with pytest.raises(TypeError, match="has type"):
        op(T.dvector())
    with pytest.raises(ValueError, match="grad_overrides gave 2"):
        OpFromGraph([x], [x], grad_overrides=lambda i, g: [g[0], g[0]])
