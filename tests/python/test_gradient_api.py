"""theon.gradient beyond first-order grad: higher orders, Lop, jacobian,
hessian, subgraph_grad, gradient controls, null and disconnected gradients,
verify_grad and theon.tests.unittest_tools."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import theon
import theon.tensor as T
from theon import gradient as G
from theon.tests import unittest_tools as utt
from conftest import numeric_grad


# ---- higher orders ---------------------------------------------------------------

def _second_derivative_check(build, value, rtol=1e-5, atol=1e-7):
    """Hessian of sum(build(x)) built as grad of grad, against central
    differences of the symbolic gradient."""
    x = T.vector("x")
    cost = T.sum(build(x))
    g = theon.grad(cost, x)
    v = T.vector("v")
    hv = theon.grad(T.sum(g * v), x, disconnected_inputs="ignore")  # linear functions: H = 0
    f_g = theon.function([x], g, on_unused_input="ignore")
    f_hv = theon.function([x, v], hv, on_unused_input="ignore")
    n = value.size
    H_num = np.zeros((n, n))
    eps = 1e-6
    for i in range(n):
        e = np.zeros(n)
        e[i] = eps
        H_num[:, i] = (f_g(value + e) - f_g(value - e)) / (2 * eps)
    H_sym = np.stack([f_hv(value, np.eye(n)[i]) for i in range(n)])
    np.testing.assert_allclose(H_sym, H_num, rtol=rtol, atol=atol)


SECOND_ORDER = [
    ("elemwise_chain", lambda x: T.tanh(x) * T.exp(-x * x) + T.log1p(x * x)),
    ("sigmoid_softplus", lambda x: T.nnet.sigmoid(x) * T.nnet.softplus(2 * x)),
    ("pow_div", lambda x: x ** 3 / (1 + x * x)),
    ("reduction", lambda x: T.sum(x) * T.max(x * x) + T.prod(x + 2)),
    ("dot", lambda x: T.dot(T.dot(T.constant(np.arange(16.).reshape(4, 4) / 10), x), x)),
    ("indexing", lambda x: x[[0, 2, 2]] * x[1:4] ** 2),
    ("reshape_dimshuffle", lambda x: T.sum(x.reshape((2, 2)).dimshuffle(1, 0) * x.reshape((2, 2)) ** 2)),
    ("set_subtensor", lambda x: T.set_subtensor(x[:2], x[2:] ** 3) * x),
]


@pytest.mark.parametrize("name, build", SECOND_ORDER, ids=[s[0] for s in SECOND_ORDER])
def test_second_order(name, build, rng):
    _second_derivative_check(build, rng.uniform(0.3, 1.2, 4))


@pytest.mark.parametrize("fname, d3", [("sin", lambda x: -np.cos(x)), ("exp", np.exp),
                                         ("tanh", lambda x: -2 * (1 - np.tanh(x) ** 2) * (1 - 3 * np.tanh(x) ** 2)),
                                         ("log", lambda x: 2 / x ** 3)])
def test_third_order(fname, d3, rng):
    x = T.vector("x")
    y = T.sum(getattr(T, fname)(x))
    g1 = theon.grad(y, x)
    g2 = theon.grad(T.sum(g1), x)
    g3 = theon.grad(T.sum(g2), x)
    xv = rng.uniform(0.5, 1.5, 5)
    np.testing.assert_allclose(theon.function([x], g3)(xv), d3(xv), rtol=1e-10)


def test_rop_of_grad_of_grad(rng):
    """Forward over reverse over reverse: third derivative along v."""
    x, v = T.vector("x"), T.vector("v")
    g2 = theon.grad(T.sum(theon.grad(T.sum(T.sin(x)), x)), x)
    f = theon.function([x, v], theon.Rop(g2, x, v))
    xv, vv = rng.uniform(0, 1, 4), rng.standard_normal(4)
    np.testing.assert_allclose(f(xv, vv), -np.cos(xv) * vv, rtol=1e-10)


def _count_nodes(outputs):
    return len(theon._core.toposort(outputs if isinstance(outputs, list) else [outputs]))


def test_gradient_of_a_chain_has_linear_size():
    ratios = []
    for n in (10, 100, 1000):
        x = T.vector("x")
        y = x
        for k in range(n):
            y = (T.sin, T.exp, T.tanh, lambda u: u * 1.5)[k % 4](y)
        g = theon.grad(T.sum(y), x)
        ratios.append(_count_nodes(g) / n)
    # A constant number of nodes per forward op, whatever the depth.
    assert max(ratios) < 8 and max(ratios) / min(ratios) < 1.5, ratios


# ---- Lop, jacobian, hessian, subgraph_grad ---------------------------------------

def test_lop_matches_vjp(rng):
    x = T.vector("x")
    A = rng.standard_normal((3, 4))
    y = T.tanh(T.dot(T.constant(A), x))
    u = T.vector("u")
    f = theon.function([x, u], theon.Lop(y, x, u))
    xv, uv = rng.standard_normal(4), rng.standard_normal(3)
    np.testing.assert_allclose(f(xv, uv), A.T @ ((1 - np.tanh(A @ xv) ** 2) * uv), rtol=1e-12)
    assert isinstance(theon.Lop(y, [x], u), list)


def test_jacobian_and_hessian(rng):
    x = T.tensor("float64", shape=(3,), name="x")
    A = rng.standard_normal((4, 3))
    y = T.exp(T.dot(T.constant(A), x))
    J = G.jacobian(y, x)
    xv = rng.standard_normal(3) * 0.3
    np.testing.assert_allclose(theon.function([x], J)(xv), np.exp(A @ xv)[:, None] * A, rtol=1e-12)
    H = G.hessian(T.sum(x ** 3) + x[0] * x[1], x)
    want = np.diag(6 * xv)
    want[0, 1] = want[1, 0] = 1
    np.testing.assert_allclose(theon.function([x], H)(xv), want, rtol=1e-12)
    # Scalar expression: the gradient; several wrt: a list.
    y2 = T.tensor("float64", shape=(3,), name="y2")
    Js = G.jacobian(T.sum(x * y2), [x, y2])
    assert isinstance(Js, list) and len(Js) == 2


def test_jacobian_and_hessian_of_symbolic_length(rng):
    # No static length: the rows come from the Map loop op, as Theano's scan did.
    x = T.vector("x")
    W = theon.shared(rng.standard_normal((5, 4)), name="W")
    y = T.tanh(T.dot(W, x))
    J = G.jacobian(y, x)
    assert J.ndim == 2
    f = theon.function([x], J)
    for n_in in (4,):
        xv = rng.standard_normal(n_in)
        Wv = W.get_value()
        np.testing.assert_allclose(f(xv), (1 - np.tanh(Wv @ xv) ** 2)[:, None] * Wv, rtol=1e-12)
    # The same compiled function follows the shared value.
    W.set_value(rng.standard_normal((2, 4)))
    xv = rng.standard_normal(4)
    Wv = W.get_value()
    np.testing.assert_allclose(f(xv), (1 - np.tanh(Wv @ xv) ** 2)[:, None] * Wv, rtol=1e-12)
    # Hessian of a non-quadratic cost, any length.
    H = theon.function([x], G.hessian(T.sum(T.exp(x)) + T.sum(x) ** 2, x))
    for n in (1, 3, 6):
        xv = rng.standard_normal(n)
        np.testing.assert_allclose(H(xv), np.diag(np.exp(xv)) + 2.0, rtol=1e-12)
    # Empty expression: an empty Jacobian of the right shape.
    assert f(np.zeros(4)).shape == (2, 4)
    Je = theon.function([x], G.jacobian(x[:0] * 2, x))(np.ones(3))
    assert Je.shape == (0, 3)


def test_jacobian_of_matrix_wrt_and_float32(rng):
    x = T.fvector("x")
    M = T.fmatrix("M")
    y = T.dot(M, x) ** 2
    JM, Jx = G.jacobian(y, [M, x])
    f = theon.function([x, M], [JM, Jx])
    xv = rng.standard_normal(3).astype("float32")
    Mv = rng.standard_normal((2, 3)).astype("float32")
    gm, gx = f(xv, Mv)
    assert gm.dtype == np.float32 and gm.shape == (2, 2, 3) and gx.shape == (2, 3)
    u = Mv @ xv
    want_x = 2 * u[:, None] * Mv
    want_M = np.zeros((2, 2, 3), np.float32)
    for i in range(2):
        want_M[i, i] = 2 * u[i] * xv
    np.testing.assert_allclose(gx, want_x, rtol=1e-5)
    np.testing.assert_allclose(gm, want_M, rtol=1e-5)


def test_grad_through_a_jacobian_third_order(rng):
    # Contractive-autoencoder style: the cost reads a Jacobian, so its gradient
    # differentiates the loop op itself (a third derivative of sum(exp(W x))).
    x = T.vector("x")
    W = T.matrix("W")
    h = T.exp(T.dot(W, x))
    penalty = T.sum(G.jacobian(h, x) ** 2)
    gW = theon.function([x, W], theon.grad(penalty, W))
    xv, Wv = rng.standard_normal(2) * 0.5, rng.standard_normal((3, 2)) * 0.5
    # Closed form: J = diag(e) W with e = exp(Wx); penalty = sum_i e_i^2 |W_i|^2.
    e = np.exp(Wv @ xv)
    rownorm = (Wv ** 2).sum(1)
    want = (2 * e ** 2 * rownorm)[:, None] * xv[None, :] + 2 * (e ** 2)[:, None] * Wv
    np.testing.assert_allclose(gW(xv, Wv), want, rtol=1e-10)
    # And numerically with respect to both W and x.
    G.verify_grad(lambda W_, x_: T.sum(G.jacobian(T.exp(T.dot(W_, x_)), x_) ** 2), [Wv, xv], rng=rng)


def test_jacobian_errors():
    x = T.vector("x")
    with pytest.raises(ValueError, match="scalar or a vector"):
        G.jacobian(T.matrix() * 2, x)
    with pytest.raises(TypeError, match="scalar"):
        G.hessian(x * 2, x)
    with pytest.raises(TypeError, match="vector"):
        G.hessian(T.sum(T.matrix("m")), T.matrix("m2"))
    with pytest.raises(theon.gradient.DisconnectedInputError):
        G.jacobian(x * 2, T.vector("z"))
    assert G.jacobian(x * 2, T.vector("z"), disconnected_inputs="ignore").ndim == 2


def test_subgraph_grad_chains_to_the_full_gradient(rng):
    x = T.vector("x")
    w1, w2 = T.vector("w1"), T.vector("w2")
    h = T.tanh(x * w1)
    cost = T.sum(T.sin(h * w2))
    g_w2, g_h = G.subgraph_grad(wrt=[w2], end=[h], cost=cost)
    g_w1, _ = G.subgraph_grad(wrt=[w1], end=[x], start={h: g_h[0]})
    f = theon.function([x, w1, w2], [g_w1[0], g_w2[0]])
    full = theon.function([x, w1, w2], theon.grad(cost, [w1, w2]))
    vals = [rng.standard_normal(3) for _ in range(3)]
    for a, b in zip(f(*vals), full(*vals)):
        np.testing.assert_allclose(a, b, rtol=1e-12)


# ---- gradient controls ------------------------------------------------------------

def test_gradient_controls(rng):
    x = T.vector("x")
    xv = rng.uniform(-2, 2, 5)
    gz = theon.function([x], theon.grad(T.sum(G.zero_grad(x) * x), x))
    np.testing.assert_allclose(gz(xv), xv)  # only the second factor contributes
    gd = theon.grad(T.sum(G.disconnected_grad(x) * x), x)
    np.testing.assert_allclose(theon.function([x], gd)(xv), xv)
    with pytest.raises(theon.DisconnectedInputError):
        theon.grad(T.sum(G.disconnected_grad(x)), x)
    np.testing.assert_allclose(theon.function([x], theon.grad(T.sum(G.zero_grad(x)), x))(xv), np.zeros(5))
    gc = theon.function([x], theon.grad(T.sum(G.grad_clip(x, -1, 0.5) ** 2), x))
    np.testing.assert_allclose(gc(xv), np.clip(2 * xv, -1, 0.5))
    gs = theon.function([x], theon.grad(T.sum(G.grad_scale(T.sin(x), -3.0)), x))
    np.testing.assert_allclose(gs(xv), -3 * np.cos(xv))
    gcc = theon.function([x], theon.grad(T.sum(G.consider_constant(x) * x), x))
    np.testing.assert_allclose(gcc(xv), xv)
    # The forward value is unchanged by every control.
    fwd = theon.function([x], [G.zero_grad(x), G.disconnected_grad(x), G.undefined_grad(x), G.grad_clip(x, 0, 1),
                               G.grad_scale(x, 2)])
    for out in fwd(xv):
        np.testing.assert_array_equal(out, xv)
    with pytest.raises(ValueError, match="lower bound"):
        G.grad_clip(x, 1, 0)


def test_controls_in_forward_mode(rng):
    x, v = T.vector("x"), T.vector("v")
    xv, vv = rng.standard_normal(3), rng.standard_normal(3)
    f = theon.function([x, v], theon.Rop(G.grad_scale(x, 5) * 2 + G.zero_grad(x) * x, x, v))
    np.testing.assert_allclose(f(xv, vv), 2 * vv + xv * vv)
    assert theon.Rop(G.disconnected_grad(x) * 2, x, v, disconnected_outputs="ignore",
                     return_disconnected="None") is None


def test_undefined_and_not_implemented_gradients():
    x = T.vector("x")
    y = G.undefined_grad(x)
    with pytest.raises(G.NullTypeGradError, match="undefined_grad"):
        theon.grad(T.sum(y * 2), x)
    g = theon.grad(T.sum(y), x, null_gradients="return")
    assert G.is_null(g)
    with pytest.raises(ValueError, match="does not exist"):
        theon.function([x], g, on_unused_input="ignore")(np.ones(2))
    # A null gradient is an error only if it reaches a wrt.
    w = T.vector("w")
    gw = theon.grad(T.sum(G.undefined_grad(x) * w), w)
    np.testing.assert_allclose(theon.function([x, w], gw)(np.array([2.0]), np.array([1.0])), [2.0])
    # grad_not_implemented / grad_undefined build null gradients with the op and input named.
    n = G.grad_not_implemented("MyOp", 1, x, "use something else")
    assert G.is_null(n)
    assert "input 1" in theon._core.null_grad_reason(n) and "MyOp" in theon._core.null_grad_reason(n)
    assert G.is_null(G.grad_undefined("MyOp", 0, x))
    # The error class is Theano's (a TypeError) and still a NotImplementedError.
    assert issubclass(G.NullTypeGradError, TypeError) and issubclass(G.NullTypeGradError, NotImplementedError)


def test_return_disconnected_modes():
    x, y = T.vector("x"), T.vector("y")
    cost = T.sum(x * 2)
    assert theon.grad(cost, [x, y], disconnected_inputs="ignore", return_disconnected="None")[1] is None
    d = theon.grad(cost, [x, y], disconnected_inputs="ignore", return_disconnected="Disconnected")[1]
    assert isinstance(d.type, G.DisconnectedType) and G.DisconnectedType() == d.type
    z = theon.grad(cost, [x, y], disconnected_inputs="ignore")[1]
    np.testing.assert_array_equal(theon.function([y], z)(np.ones(2)), np.zeros(2))
    with pytest.raises(ValueError, match="return_disconnected"):
        theon.grad(cost, x, return_disconnected="nope")
    with pytest.raises(ValueError, match="null_gradients"):
        theon.grad(cost, x, null_gradients="nope")


def test_known_grads_checks():
    x = T.vector("x")
    h = T.tanh(x)
    with pytest.raises(TypeError, match="dtype float32"):
        theon.grad(None, x, known_grads={h: T.fvector()})
    hs = T.tensor("float64", shape=(3,))
    with pytest.raises(ValueError, match="shape"):
        theon.grad(None, hs, known_grads={hs * 2: T.tensor("float64", shape=(4,))})
    with pytest.raises(TypeError, match="dimensions"):
        theon.grad(None, x, known_grads={h: T.matrix()})
    with pytest.raises(ValueError, match="nothing to differentiate"):
        theon.grad(None, x)


def test_a_known_gradient_is_the_whole_gradient(rng):
    # Theano's: what the cost sends back through h is not added to h's known gradient.
    x = T.vector("x")
    h = x * 3
    g = theon.grad(T.sum(h), x, known_grads={h: T.ones_like(h) * 2})
    np.testing.assert_allclose(theon.function([x], g)(np.ones(2)), [6.0, 6.0])
    # other paths from the cost still add up
    g2 = theon.grad(T.sum(h) + T.sum(x), x, known_grads={h: T.ones_like(h) * 2})
    np.testing.assert_allclose(theon.function([x], g2)(np.ones(2)), [7.0, 7.0])


# ---- verify_grad, numeric_grad, unittest_tools -------------------------------------

def test_verify_grad_passes_and_catches_a_wrong_gradient(rng):
    G.verify_grad(lambda a, b: T.tanh(a) * T.exp(b), [rng.rand(2, 3), rng.rand(2, 3)], rng=rng)
    G.verify_grad(lambda a: T.sum(a ** 2, axis=0), [rng.rand(3, 4).astype("float32")], rng=rng)
    with pytest.raises(G.GradientError) as e:
        G.verify_grad(lambda a: G.grad_scale(a, 2.0) * a, [rng.rand(3)], rng=rng)
    assert "numeric gradient and analytic gradient exceed tolerance" in str(e.value)
    assert G.verify_grad.E_grad is G.GradientError
    with pytest.raises(TypeError, match="floating point"):
        G.verify_grad(lambda a: a * 2, [np.arange(3)], rng=rng)
    with pytest.raises(TypeError, match="RandomState"):
        G.verify_grad(lambda a: a * 2, [rng.rand(3)])


def test_numeric_grad_and_errors():
    ng = G.numeric_grad(lambda a: float(np.sum(a ** 2)), np.array([1.0, 2.0]))
    np.testing.assert_allclose(ng.gf, [2.0, 4.0], rtol=1e-5)
    ng2 = G.numeric_grad(lambda a, b: float(np.sum(a * b)), [np.array([1.0, 2.0]), np.array([3.0])])
    np.testing.assert_allclose(ng2.gf[0], [3.0, 3.0], rtol=1e-5)
    arg, pos, aerr, rerr = ng2.max_err([np.array([3.0, 3.0]), np.array([3.5])], 1e-4, 1e-4)
    assert arg == 1 and pos == 0 and aerr > 0.4
    with pytest.raises(ValueError, match="wrong number"):
        ng2.abs_rel_errors([np.zeros(2)])


def test_unittest_tools():
    assert utt.fetch_seed() == 666
    assert utt.fetch_seed(42) == 42
    utt.seed_rng()
    a = np.random.rand()
    utt.seed_rng()
    assert np.random.rand() == a
    with theon.change_flags(unittests__rseed="random"):
        assert utt.fetch_seed() is None
    utt.verify_grad(lambda x: T.sin(x) * x, [np.random.rand(4)])
    with pytest.raises(utt.verify_grad.E_grad):
        utt.verify_grad(lambda x: G.grad_scale(x, 0.5) * x, [np.random.rand(4) + 1])


# ---- random chains (hypothesis): first and second order ---------------------------

_UNARY = {"sin": T.sin, "cos": T.cos, "tanh": T.tanh, "sigmoid": T.nnet.sigmoid, "softplus": T.nnet.softplus,
          "sqr": T.sqr, "exp_neg_sqr": lambda u: T.exp(-u * u), "log1p_sqr": lambda u: T.log1p(u * u)}
_BINARY = {"add": T.add, "mul": T.mul, "sub": T.sub, "div": lambda a, b: a / (1 + b * b)}


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(sorted(_UNARY) + sorted(_BINARY)), st.integers(0, 10)),
                min_size=1, max_size=8),
       st.integers(0, 2 ** 31 - 1))
def test_random_chains_first_and_second_order(ops, seed):
    rng = np.random.RandomState(seed)
    x = T.vector("x")
    vals = [x]
    for name, pick in ops:
        a = vals[pick % len(vals)]
        if name in _UNARY:
            vals.append(_UNARY[name](a))
        else:
            vals.append(_BINARY[name](a, vals[(pick * 7 + 3) % len(vals)]))
    cost = T.sum(vals[-1] * T.constant(rng.uniform(0.5, 1.5, 3)))
    xv = rng.uniform(-1, 1, 3)
    f_cost = theon.function([x], cost)
    g = theon.grad(cost, x)
    f_g = theon.function([x], g)
    np.testing.assert_allclose(f_g(xv), numeric_grad(f_cost, [xv])[0], rtol=1e-4, atol=1e-6)
    v = rng.standard_normal(3)
    vv = T.vector("v")
    hv = theon.function([x, vv], theon.grad(T.sum(g * vv), x, disconnected_inputs="ignore"),
                         on_unused_input="ignore")
    num_hv = (f_g(xv + 1e-6 * v) - f_g(xv - 1e-6 * v)) / 2e-6
    np.testing.assert_allclose(hv(xv, v), num_hv, rtol=1e-4, atol=1e-6)
    rop = theon.function([x, vv], theon.Rop(g, x, vv, disconnected_outputs="ignore"),
                          on_unused_input="ignore")
    np.testing.assert_allclose(rop(xv, v), num_hv, rtol=1e-4, atol=1e-6)


# ---- second order through every smooth row of the elementwise table --------------

from test_rop import SMOOTH  # noqa: E402


# psi's derivative is tri_gamma, which has no derivative (as in Theano).
SMOOTH2 = [r for r in SMOOTH if r[0] != "psi"]


@pytest.mark.parametrize("name, fn, domains", [(r[0], r[1], r[3]) for r in SMOOTH2], ids=[r[0] for r in SMOOTH2])
def test_second_order_elementwise_table(name, fn, domains, rng):
    """grad of grad of every smooth elementwise function, each input in turn
    (the others held at fixed values), against differences of the gradient."""
    values = [np.asarray(d(rng, (4,), "float64")) for d in domains]
    for k in range(len(values)):
        others = [T.constant(v) for v in values]

        def build(x, k=k, others=others):
            args = list(others)
            args[k] = x
            return fn(*args)
        _second_derivative_check(build, values[k], rtol=1e-4, atol=1e-6)


def test_consider_constant_stops_the_flow_past_a_variable_not_at_it():
    # Theano: a consider_constant variable that is also a wrt still gets its
    # gradient; what lies behind it (its owner's inputs) gets none through it.
    x, y = T.dscalar("x"), T.dscalar("y")
    z = x * y
    w = z * 3
    gx, gy = theon.function([x, y], theon.grad(w, [x, y], consider_constant=[x]))(2.0, 5.0)
    assert (float(gx), float(gy)) == (15.0, 6.0)
    gz, gx = theon.function([x, y], theon.grad(w, [z, x], consider_constant=[z], disconnected_inputs="ignore"))(
        2.0, 5.0)
    assert (float(gz), float(gx)) == (3.0, 0.0)
    with pytest.raises(theon.DisconnectedInputError):
        theon.grad(w, [x], consider_constant=[z])
