"""Updates written into their shared variables' buffers (Theano's in-place
updates: gemm_inplace, elementwise inplace, inc_subtensor inplace on W), and
the guarantee that goes with them: a call that raises leaves every shared
value bit for bit as it was."""
import io

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.compile.mode import Mode
from theon.configparser import change_flags

NO_INPLACE = Mode().excluding("inplace")


def address(sv):
    return sv.get_value(borrow=True).__array_interface__["data"][0]


def ops(f):
    return [str(n.op) for n in f.maker.fgraph.toposort()]


def destroyed_shared(f):
    """Names of the shared variables some node of f overwrites."""
    names = []
    for n in f.maker.fgraph.toposort():
        s = str(n.op)
        if "inplace" in s or "[(0, " in s:
            k = 0 if "inplace" in s else int(s.rsplit("[(0, ", 1)[1].split(")")[0])
            if isinstance(n.inputs[k], theon.compile.SharedVariable) or hasattr(n.inputs[k], "get_value"):
                names.append(n.inputs[k].name)
    return sorted(names)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_sgd_step_writes_every_parameter_in_place(dtype, tier):
    rng = np.random.default_rng(0)
    W0, b0 = rng.standard_normal((6, 4)).astype(dtype), rng.standard_normal(4).astype(dtype)
    W, b = theon.shared(W0.copy(), name="W"), theon.shared(b0.copy(), name="b")
    x, y = T.matrix("x", dtype=dtype), T.matrix("y", dtype=dtype)
    cost = T.sum((T.tanh(T.dot(x, W) + b) - y) ** 2)
    gW, gb = T.grad(cost, [W, b])
    lr = np.asarray(0.05, dtype)
    f = theon.function([x, y], cost, updates=[(W, W - lr * gW), (b, b - lr * gb)])
    assert destroyed_shared(f) == ["W", "b"], ops(f)
    assert any(o == "Gemm{inplace}" for o in ops(f)), ops(f)
    pW, pb = address(W), address(b)
    Wn, bn = W0.astype("float64"), b0.astype("float64")
    for _ in range(3):
        X, Y = rng.standard_normal((5, 6)).astype(dtype), rng.standard_normal((5, 4)).astype(dtype)
        h = np.tanh(X @ Wn + bn)
        d = 2 * (h - Y) * (1 - h * h)
        Wn, bn = Wn - 0.05 * X.T @ d, bn - 0.05 * d.sum(0)
        f(X, Y)
    tol = 1e-4 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(W.get_value(), Wn, rtol=tol, atol=tol)
    np.testing.assert_allclose(b.get_value(), bn, rtol=tol, atol=tol)
    assert (address(W), address(b)) == (pW, pb)  # the same buffers: no allocation, no copy


def test_a_failing_call_leaves_every_shared_value_bit_identical(tier):
    # A's update is ready to be written first; B's fails on its shapes: the
    # preflight of the whole tail sees it before A's buffer is touched.
    rng = np.random.default_rng(1)
    A0, B0 = rng.standard_normal((2, 3)).astype("f"), rng.standard_normal((2, 3)).astype("f")
    A, B = theon.shared(A0.copy(), name="A"), theon.shared(B0.copy(), name="B")
    x, y = T.fmatrix("x"), T.fmatrix("y")
    f = theon.function([x, y], [], updates=[(A, A + x), (B, B * y)])
    assert destroyed_shared(f) == ["A", "B"], ops(f)
    with pytest.raises(ValueError, match="dimensions mismatch"):
        f(np.ones((2, 3), "f"), np.ones((4, 3), "f"))
    assert A.get_value().tobytes() == A0.tobytes() and B.get_value().tobytes() == B0.tobytes()
    f(np.ones((2, 3), "f"), np.full((2, 3), 2, "f"))  # then it works, in place
    np.testing.assert_array_equal(A.get_value(), A0 + 1)
    np.testing.assert_array_equal(B.get_value(), B0 * 2)


def test_a_failing_gemm_update_leaves_the_other_updates_unwritten(tier):
    rng = np.random.default_rng(2)
    W0, V0 = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    W, V = theon.shared(W0.copy(), name="W"), theon.shared(V0.copy(), name="V")
    x, g, u = T.dmatrix("x"), T.dmatrix("g"), T.dmatrix("u")
    f = theon.function([x, g, u], [], updates=[(V, V - 0.5 * u), (W, W - 0.1 * T.dot(x.T, g))])
    assert "Gemm{inplace}" in ops(f) and destroyed_shared(f) == ["V", "W"], ops(f)
    with pytest.raises(ValueError):
        f(np.ones((5, 3)), np.ones((6, 4)), np.ones((3, 4)))  # x.T . g does not align
    assert W.get_value().tobytes() == W0.tobytes() and V.get_value().tobytes() == V0.tobytes()


def test_inc_subtensor_update_in_place_and_its_failing_index(tier):
    E = theon.shared(np.zeros((5, 2), "float32"), name="E")
    i = T.lvector("i")
    f = theon.function([i], [], updates=[(E, T.inc_subtensor(E[i], np.float32(1)))])
    assert destroyed_shared(f) == ["E"], ops(f)
    p = address(E)
    f([0, 0, 4])
    np.testing.assert_array_equal(E.get_value()[:, 0], [2, 0, 0, 0, 1])
    assert address(E) == p
    before = E.get_value().tobytes()
    with pytest.raises(IndexError, match="out of bounds"):
        f([1, 7])
    assert E.get_value().tobytes() == before


def test_a_value_the_caller_holds_is_never_overwritten():
    W = theon.shared(np.ones((2, 2)), name="W")
    f = theon.function([], [], updates=[(W, W * 3)])
    held = W.get_value(borrow=True)
    f()
    np.testing.assert_array_equal(held, np.ones((2, 2)))  # a fresh buffer this time
    np.testing.assert_array_equal(W.get_value(), np.full((2, 2), 3.0))
    del held
    p = address(W)
    f()
    np.testing.assert_array_equal(W.get_value(), np.full((2, 2), 9.0))
    assert address(W) == p  # nobody holds it now: written in place


@pytest.mark.parametrize("case", ["own_transpose", "cross", "swap", "read_after"])
def test_updates_that_read_other_shared_values_are_right(case, tier):
    rng = np.random.default_rng(3)
    A0, B0 = rng.standard_normal((3, 3)), rng.standard_normal((3, 3))
    results = []
    for mode in (Mode(), NO_INPLACE):
        A, B = theon.shared(A0.copy(), name="A"), theon.shared(B0.copy(), name="B")
        upd = {"own_transpose": [(A, A + A.T)],  # reads a view of itself: never in place
               "cross": [(A, A + B), (B, B * A)],
               "swap": [(A, B), (B, A)],
               "read_after": [(A, A * 2), (B, A + 1)]}[case]
        out = {"own_transpose": A.sum(), "cross": (A * B).sum(), "swap": A[0, 0], "read_after": B.sum()}[case]
        f = theon.function([], out, updates=upd, mode=mode)
        r = [f() for _ in range(3)]
        results.append((r, A.get_value(), B.get_value()))
    (r1, a1, b1), (r2, a2, b2) = results
    np.testing.assert_array_equal(np.array(r1), np.array(r2))
    np.testing.assert_array_equal(a1, a2)
    np.testing.assert_array_equal(b1, b2)


def test_the_output_that_is_also_the_update_is_not_the_shared_buffer():
    W = theon.shared(np.ones(3), name="W")
    new = W + 1
    f = theon.function([], new, updates=[(W, new)])
    r = f()
    f()
    np.testing.assert_array_equal(r, np.full(3, 2.0))  # the first result did not change with W
    np.testing.assert_array_equal(W.get_value(), np.full(3, 3.0))


# ---- profile=True ---------------------------------------------------------------------

def test_profile_counts_calls_and_times_every_node():
    W = theon.shared(np.ones((4, 3)), name="W")
    x = T.dmatrix("x")
    f = theon.function([x], T.tanh(T.dot(x, W)).sum(), updates=[(W, W - 0.1 * T.dot(x.T, T.ones_like(T.dot(x, W))))],
                       profile=True)
    for _ in range(4):
        f(np.ones((2, 4)))
    p = f.profile
    assert p.fct_callcount == 4 and p.fct_call_time > 0
    nodes = f.maker.fgraph.toposort()
    assert set(p.apply_callcount) == set(nodes) and all(c == 4 for c in p.apply_callcount.values())
    assert all(t >= 0 for t in p.apply_time.values()) and sum(p.apply_time.values()) <= p.fct_call_time
    assert "Gemm" in p.class_time() and "Dot" in p.class_time()
    out = io.StringIO()
    p.summary(file=out)
    text = out.getvalue()
    for needle in ("Function profiling", "Time in 4 calls", "Class", "Ops", "Apply", "Gemm{inplace}", "Memory profile"):
        assert needle in text, text


def test_profile_is_off_by_default_and_config_profile_switches_it_on():
    x = T.dvector("x")
    assert theon.function([x], x * 2).profile is None
    with change_flags(profile=True):
        f = theon.function([x], x * 2)
    f(np.ones(3))
    assert f.profile.fct_callcount == 1
    g = theon.function([x], x * 2, profile="named")
    assert g.profile.name == "named"


# ---- trust_input --------------------------------------------------------------------------

def test_trust_input_takes_exact_arrays_and_rejects_everything_else():
    x = T.dvector("x")
    f = theon.function([x], T.exp(x))
    f.trust_input = True
    np.testing.assert_allclose(f(np.zeros(3)), np.ones(3))
    for bad, why in [(np.zeros(3, "float32"), "expected dtype float64"), (np.zeros((2, 2)), "dimension"),
                     ([0.0, 1.0], "not an aligned NumPy array")]:
        with pytest.raises(TypeError, match="trust_input=True") as e:
            f(bad)
        assert why in str(e.value), str(e.value)
    with pytest.raises(TypeError, match="expects 1 arguments, got 2"):
        f(np.zeros(3), np.zeros(3))
    g = theon.function([x], [T.exp(x), x + 1])
    g.trust_input = True
    a, b = g(np.zeros(2))
    np.testing.assert_allclose(b, np.ones(2))


def test_dot22scalar_shape_errors_name_the_op_and_the_line():
    x, y = T.dmatrix(), T.dmatrix()
    f = theon.function([x, y], 0.5 * T.dot(x, y))
    assert any(str(n.op) == "Dot22Scalar" for n in f.maker.fgraph.toposort())
    with pytest.raises(ValueError, match=r"Dot22Scalar: shapes \(2, 3\) and \(4, 5\) not aligned") as e:
        f(np.ones((2, 3)), np.ones((4, 5)))
    assert "test_inplace_updates.py" in str(e.value)
