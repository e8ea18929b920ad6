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


def test_overrides_as_graph_ops_lists_and_lop():
    from theon.gradient import DisconnectedType, NullType
    x, y, w, b = T.dvectors("x", "y", "w", "b")
    dz = T.dvector("dz")
    go = lambda inps, gs: [gs[0] * inps[1] * 2, gs[0] * inps[0] * 1.5]  # noqa: E731
    by_graph = OpFromGraph([x, y, dz], go([x, y], [dz]))  # an OpFromGraph over inputs + output grads
    xx, yy, bb = T.dvector("xx"), T.dvector("yy"), T.dvector("bb")
    xv, yv, bv = np.random.RandomState(0).rand(3, 5)
    for override in (go, by_graph):
        op = OpFromGraph([x, y], [x * y], grad_overrides=override)
        dx, dy = theon.grad(T.sum(op(xx, yy)), [xx, yy])
        gx, gy = theon.function([xx, yy], [dx, dy])(xv, yv)
        assert np.allclose(gx, yv * 2) and np.allclose(gy, xv * 1.5)
    # one entry per input: a callable, 'default' (derived from the graph), Null or Disconnected
    op = OpFromGraph([x, w, b], [x * w + b], grad_overrides=[lambda i, g: g[0] * i[1] * 2, "default", "default"])
    g = theon.function([xx, yy, bb], theon.grad(T.sum(op(xx, yy, bb)), [xx, yy, bb]))(xv, yv, bv)
    assert np.allclose(g[0], yv * 2) and np.allclose(g[1], xv) and np.allclose(g[2], 1)
    op = OpFromGraph([x, w, b], [x * w + b], grad_overrides=[lambda i, g: g[0], NullType()(), DisconnectedType()()])
    cost = T.sum(op(xx, yy, bb))
    with pytest.raises(theon.gradient.NullTypeGradError):
        theon.grad(cost, yy)
    gb = theon.grad(cost, bb, disconnected_inputs="ignore")  # no gradient flows to b
    assert np.allclose(theon.function([xx, yy, bb], gb, on_unused_input="ignore")(xv, yv, bv), 0)
    # lop_overrides reads the outputs too: sigmoid's gradient from its output, doubled
    s = 1.0 / (1.0 + T.exp(-x))
    op = OpFromGraph([x], [s], lop_overrides=lambda i, o, g: [2.0 * o[0] * (1.0 - o[0]) * g[0]])
    got = theon.function([xx], theon.grad(T.sum(op(xx)), xx))(xv)
    sig = 1 / (1 + np.exp(-xv))
    assert np.allclose(got, 2 * sig * (1 - sig))
    # an R-op override given as an OpFromGraph over inputs + eval points
    u, v = T.dvectors("u", "v")
    ro = OpFromGraph([x, y, u, v], [u * y * 2.0 + x * v * 1.5])
    op = OpFromGraph([x, y], [x * y], rop_overrides=ro)
    du, dv = T.dvector("du"), T.dvector("dv")
    vals = np.random.RandomState(1).rand(4, 5)
    r = theon.function([xx, yy, du, dv], theon.Rop(op(xx, yy), [xx, yy], [du, dv]))(*vals)
    assert np.allclose(r, vals[0] * vals[3] * 1.5 + vals[1] * vals[2] * 2.0)


def test_bad_overrides_are_rejected():
    x, y = T.dvectors("x", "y")
    with pytest.raises(ValueError, match="grad_overrides gave 1 results for 2 inputs"):
        OpFromGraph([x, y], [x * y], grad_overrides=lambda i, g: [g[0]])
    with pytest.raises(ValueError, match="grad_overrides entry 0 gave 2 results, expected 1"):
        OpFromGraph([x, y], [x * y], grad_overrides=[lambda i, g: [g[0], g[0]], "default"])
    with pytest.raises(TypeError, match="grad_overrides must be 'default', a callable or a list"):
        OpFromGraph([x, y], [x * y], grad_overrides=3)
    with pytest.raises(ValueError, match="not both"):
        OpFromGraph([x, y], [x * y], grad_overrides=lambda i, g: g * 2, lop_overrides=lambda i, o, g: g * 2)
    with pytest.raises(ValueError, match="rop_overrides gave 2 results for 1 outputs"):
        OpFromGraph([x, y], [x * y], rop_overrides=lambda i, e: [e[0], e[1]])
    from theon.gradient import NullType
    with pytest.raises(TypeError, match="NullType value; give None"):
        OpFromGraph([x, y], [x * y], rop_overrides=[NullType()()])
    g = OpFromGraph([x, y, T.dvector("g")], [x])  # an override graph of the wrong arity
    with pytest.raises(TypeError, match="takes 3 inputs, got 4"):
        OpFromGraph([x, y], [x * y, x + y], grad_overrides=g)


def test_connection_pattern_and_shapes_come_from_the_graph():
    x, y, z = T.dmatrices("x", "y", "z")
    op1 = OpFromGraph([x, y, z], [x * y, y * z])
    assert op1.connection_pattern() == [[True, False], [True, True], [False, True]]
    # through nested ops, output by output (Theano's io_connection_pattern)
    m, n, p, q = T.dmatrices("m", "n", "p", "q")
    o1, o2 = op1(m, n, p)
    out1, out2 = op1(o1, q, o2)
    op2 = OpFromGraph([m, n, p, q], [out1, out2])
    want = [[True, False], [True, True], [False, True], [True, True]]
    assert op2.connection_pattern() == want
    assert theon.gof.graph.io_connection_pattern([m, n, p, q], [out1, out2]) == want
    node = op2(m, n, p, q)[0].owner
    assert node.op.connection_pattern(node) == want
    a = T.dvector("a")
    # a given pattern is kept (and checked)
    op3 = OpFromGraph([x, y], [x + T.round(y)], connection_pattern=[[True], [False]])
    assert op3.connection_pattern() == [[True], [False]]
    with pytest.raises(ValueError, match="connection_pattern"):
        OpFromGraph([x, y], [x + y], connection_pattern=[[True]])
    # the shapes of its outputs need no run of the graph
    f = theon.function([m, n, p, q], [o.shape for o in op2(m, n, p, q)])
    assert not [nd for nd in f.maker.fgraph.toposort() if nd.op.kind == "OpFromGraph"]
    vals = [np.ones((2, 3))] * 4
    assert [list(s) for s in f(*vals)] == [[2, 3], [2, 3]]
    # a shape read from the values keeps the op
    r = OpFromGraph([a], [T.arange(T.cast(a.sum(), "int64"))])(a)
    g = theon.function([a], r.shape)
    assert [nd for nd in g.maker.fgraph.toposort() if nd.op.kind == "OpFromGraph"]
    assert list(g(np.array([1.0, 2.0]))) == [3]


def test_a_disconnected_type_override():
    x, y = T.dvectors("x", "y")
    op = OpFromGraph([x, y], [y + T.round(y)], on_unused_input="ignore",
                     grad_overrides=lambda inputs, g: [g[0], theon.gradient.disconnected_type()],
                     connection_pattern=[[True], [False]])
    g = theon.grad(op(x, y).sum(), x)
    np.testing.assert_allclose(g.eval({x: np.ones(3), y: np.ones(3)}), np.ones(3))


def test_derived_gradient_when_one_output_reads_another():
    x = T.dvector("x")
    h = x * 2
    op = OpFromGraph([x], [h, h * 3 + 1])
    a = T.dvector("a")
    y1, y2 = op(a)
    g = theon.grad(y1.sum() + y2.sum(), a)  # 2 + 6 per element: both paths through h add up
    np.testing.assert_allclose(theon.function([a], g)(np.ones(3)), [8.0, 8.0, 8.0])


def test_connection_pattern_has_rows_for_the_shared_variables_the_graph_reads():
    x, y = T.dmatrices("x", "y")
    w = theon.shared(np.ones((2, 2)), name="w")
    op = theon.OpFromGraph([x, y], [x.dot(w), y + 3])
    assert op.shared_inputs == [w]
    assert op.connection_pattern(None) == [[True, False], [False, True], [True, False]]
    given = theon.OpFromGraph([x, y], [x.dot(w), y + 3], connection_pattern=[[True, True], [False, True]])
    assert given.connection_pattern(None) == [[True, True], [False, True], [True, False]]
