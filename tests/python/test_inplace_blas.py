"""The BLAS phase (Gemm, Gemv, Ger from Z + a * dot(X, Y)) and the inplace
phase with its destroy handler: rules fire, values equal optimizer=None, and
nothing the caller can see is ever overwritten: not an input (unless
In(mutable=True)), not a shared value, not a result still referenced."""
import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st, HealthCheck

import theon
import theon.tensor as T
from theon import In
from theon.compile.mode import Mode

NONE = Mode(optimizer=None)
NO_INPLACE = Mode().excluding("inplace")
NO_FUSION = Mode().excluding("fusion")


def ops(f):
    return [str(n.op) for n in f.maker.fgraph.toposort()]


@pytest.fixture
def rng():
    return np.random.default_rng(5)


# ---- BLAS --------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", ["sgd", "sub_rev", "plus", "neg", "const_alpha"])
def test_gemm_from_add(dtype, case, rng):
    W, x, g = T.matrix(dtype=dtype), T.matrix(dtype=dtype), T.matrix(dtype=dtype)
    lr = T.scalar(dtype=dtype)
    d = T.dot(x.T, g)
    expr = {"sgd": W - lr * d, "sub_rev": lr * d - W, "plus": W + d, "neg": W + (-d),
            "const_alpha": W - d * np.asarray(0.5, dtype)}[case]
    f = theon.function([W, x, g, lr], expr, mode=NO_INPLACE, on_unused_input="ignore")
    h = theon.function([W, x, g, lr], expr, mode=NONE, on_unused_input="ignore")
    assert ops(f) .count("Gemm{no_inplace}") == 1, ops(f)
    assert "Dot" not in ops(f)
    args = [rng.standard_normal((4, 3)).astype(dtype), rng.standard_normal((5, 4)).astype(dtype),
            rng.standard_normal((5, 3)).astype(dtype), np.asarray(0.3, dtype)]
    tol = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(f(*args), h(*args), rtol=tol, atol=tol)


def test_gemv_and_ger(rng):
    A, u, v = T.dmatrix(), T.dvector(), T.dvector()
    f = theon.function([A, u, v], [u + 2.0 * T.dot(A, v), A + 0.5 * T.outer(u, v)], mode=NO_INPLACE)
    h = theon.function([A, u, v], [u + 2.0 * T.dot(A, v), A + 0.5 * T.outer(u, v)], mode=NONE)
    assert "Gemv{no_inplace}" in ops(f) and "Ger{no_inplace}" in ops(f), ops(f)
    args = rng.standard_normal((3, 4)), rng.standard_normal(3), rng.standard_normal(4)
    for a, b in zip(f(*args), h(*args)):
        np.testing.assert_allclose(a, b, rtol=1e-13)


def test_gemm_not_formed_when_z_broadcasts_or_dot_is_reused(rng):
    x, W, b = T.dmatrix(), T.dmatrix(), T.drow()
    f = theon.function([x, W, b], T.dot(x, W) + b, mode=NO_INPLACE)  # bias row: stays an add
    assert not any(o.startswith("Gemm") for o in ops(f)), ops(f)
    d = T.dot(x, W)
    f2 = theon.function([x, W], [d + x, d * 2], mode=NO_INPLACE)  # the product is read twice
    assert not any(o.startswith("Gemm") for o in ops(f2)), ops(f2)


def test_gemm_shape_error_names_the_op(rng):
    W, x, g = T.dmatrix(), T.dmatrix(), T.dmatrix()
    f = theon.function([W, x, g], W - 0.1 * T.dot(x, g), mode=NO_INPLACE)
    with pytest.raises(ValueError, match="Gemm"):
        f(np.ones((2, 2)), np.ones((3, 4)), np.ones((4, 5)))


def test_sgd_update_on_a_shared_variable(rng):
    W0 = rng.standard_normal((4, 3))
    W = theon.shared(W0.copy(), name="W")
    x, g = T.dmatrix(), T.dmatrix()
    step = theon.function([x, g], [], updates=[(W, W - 0.1 * T.dot(x.T, g))])
    assert any(o.startswith("Gemm") for o in ops(step)), ops(step)
    held = W.get_value(borrow=True)
    X, G = rng.standard_normal((5, 4)), rng.standard_normal((5, 3))
    step(X, G)
    np.testing.assert_allclose(W.get_value(), W0 - 0.1 * X.T @ G, rtol=1e-13)
    np.testing.assert_array_equal(held, W0)  # the old value was not overwritten


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("n_out", [1, 3, 10, 16, 17, 40])
def test_batch_one_updates_run_the_rank1_kernel(dtype, n_out, rng):
    # A batch of one makes the weight gradient's product K = 1 (theon's rank-1
    # kernel, not BLAS): an in-place Gemm on a shared W, a Dot of (m, 1) and
    # (1, n) with row panels and column panels, strided operands included.
    W0 = rng.standard_normal((37, n_out)).astype(dtype)
    W = theon.shared(W0.copy(), name="W")
    x, g = T.matrix(dtype=dtype), T.matrix(dtype=dtype)
    step = theon.function([x, g], [], updates=[(W, W - np.asarray(0.25, dtype) * T.dot(x.T, g))])
    assert "Gemm{inplace}" in ops(step), ops(step)
    X, G = rng.standard_normal((1, 37)).astype(dtype), rng.standard_normal((1, n_out)).astype(dtype)
    step(X, G)
    tol = 2e-6 if dtype == "float32" else 1e-14
    np.testing.assert_allclose(W.get_value(), W0 - np.asarray(0.25, dtype) * (X.T @ G), rtol=tol, atol=tol)
    a, b = T.matrix(dtype=dtype), T.matrix(dtype=dtype)
    outer = theon.function([a, b], T.dot(a, b))
    for m, n in [(n_out, 37), (1500, n_out), (n_out, 1500)]:
        A = rng.standard_normal((2, m)).astype(dtype)[:1].T  # (m, 1), a column of a row-major array
        B = rng.standard_normal((n, 2)).astype(dtype)[:, :1].T  # (1, n), strided
        np.testing.assert_allclose(outer(A, B), A @ B, rtol=tol, atol=tol)


# ---- inplace -------------------------------------------------------------------------

def test_elementwise_inplace_on_intermediates(rng):
    x = T.dvector()
    y = T.exp(x) + 1
    f = theon.function([x], T.sqrt(y) * 3, mode=NO_FUSION)
    assert any("[(0, 0)]" in o for o in ops(f)), ops(f)
    a = rng.standard_normal(10)
    a0 = a.copy()
    np.testing.assert_allclose(f(a), np.sqrt(np.exp(a0) + 1) * 3, rtol=1e-14)
    np.testing.assert_array_equal(a, a0)  # the caller's input is untouched


def test_user_inputs_are_never_destroyed_without_mutable(rng):
    x = T.dvector()
    f = theon.function([x], T.exp(x) * 2)
    assert not any("[(0" in o for o in ops(f)), ops(f)
    a = rng.standard_normal(100)
    a0 = a.copy()
    f(a)
    np.testing.assert_array_equal(a, a0)


def test_mutable_input_may_be_overwritten(rng):
    x = T.dvector()
    f = theon.function([In(x, mutable=True)], T.exp(x) * 2)
    assert any("[(0, 0)]" in o for o in ops(f)), ops(f)
    a = rng.standard_normal(100)
    want = np.exp(a) * 2
    np.testing.assert_allclose(f(a), want, rtol=1e-14)
    # the same array passed for two inputs: the runtime refuses to overwrite it
    y = T.dvector()
    g = theon.function([In(x, mutable=True), y], T.exp(x) * 2 + y[::-1].sum())
    b = rng.standard_normal(50)
    b0 = b.copy()
    np.testing.assert_allclose(g(b, b), np.exp(b0) * 2 + b0.sum(), rtol=1e-13)
    np.testing.assert_array_equal(b, b0)


def test_a_view_of_a_value_read_elsewhere_is_not_destroyed(rng):
    """exp(b.T) is b.T's only reader, but b.T is a view of b, which is also an
    output: the destroy handler follows the view chain and refuses."""
    a = T.dmatrix()
    b = a * 2
    f = theon.function([a], [b, T.exp(b.T)], mode=NO_FUSION)
    assert "Elemwise{exp}" in ops(f), ops(f)
    A = rng.standard_normal((3, 4))
    rb, re = f(A)
    np.testing.assert_allclose(rb, A * 2, rtol=1e-15)
    np.testing.assert_allclose(re, np.exp(A.T * 2), rtol=1e-14)
    g = theon.function([a], T.exp((a * 2).T), mode=NO_FUSION)  # the base has no other reader
    assert "Elemwise{exp}[(0, 0)]" in ops(g), ops(g)
    np.testing.assert_allclose(g(A), np.exp(A.T * 2), rtol=1e-14)
    h = theon.function([a], T.exp(a.T), mode=NO_FUSION)  # a view of the caller's input
    assert "Elemwise{exp}" in ops(h), ops(h)


def test_gemm_and_inc_subtensor_inplace(rng):
    x, a, b, y = T.dmatrix(), T.dmatrix(), T.dmatrix(), T.dvector()
    z = (x * 2) - 0.1 * T.dot(a, b)
    s = T.set_subtensor((x + 1)[1:3, 0], y)
    i = T.inc_subtensor((x - 1)[0], 5.0)
    f = theon.function([x, a, b, y], [z, s, i], mode=NO_FUSION)
    h = theon.function([x, a, b, y], [z, s, i], mode=NONE)
    names = ops(f)
    assert "Gemm{inplace}" in names and names.count("IncSubtensor{inplace}") == 2, names
    args = rng.standard_normal((3, 4)), rng.standard_normal((3, 5)), rng.standard_normal((5, 4)), rng.standard_normal(2)
    x0 = args[0].copy()
    for p, q in zip(f(*args), h(*args)):
        np.testing.assert_allclose(p, q, rtol=1e-13)
    np.testing.assert_array_equal(args[0], x0)


def test_results_held_across_calls_stay_intact(rng):
    x = T.dvector()
    f = theon.function([x], [T.exp(x) + 1, T.sqrt(T.exp(x) + 1)], mode=NO_FUSION)
    a, b = rng.standard_normal(20), rng.standard_normal(20)
    r1 = f(a)
    keep = [r.copy() for r in r1]
    f(b)
    for r, k in zip(r1, keep):
        np.testing.assert_array_equal(r, k)


# ---- hypothesis: random graphs with shared variables and updates ----------------------

UNARY = [T.exp, T.tanh, T.sin, lambda v: v * 1.5, lambda v: -v, T.sqr]
BINARY = [lambda p, q: p + q, lambda p, q: p * q, lambda p, q: p - q, T.maximum]


def _build(ops_list, leaves):
    vals = list(leaves)
    for kind, i, j, k in ops_list:
        if kind == 0:
            vals.append(UNARY[k % len(UNARY)](vals[i % len(vals)]))
        elif kind == 1:
            vals.append(BINARY[k % len(BINARY)](vals[i % len(vals)], vals[j % len(vals)]))
        elif kind == 2:
            vals.append(T.set_subtensor(vals[i % len(vals)][1:3], vals[j % len(vals)][:2]))
        else:  # z + 0.5 * (outer(v, v) . z): a Gemv into an intermediate
            z, v = vals[i % len(vals)], vals[j % len(vals)]
            vals.append(z + 0.5 * T.dot(T.outer(v, v), z))
    return vals


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 50), st.integers(0, 50), st.integers(0, 50)),
                min_size=1, max_size=12),
       st.integers(0, 2 ** 31 - 1), st.integers(1, 3))
def test_random_graphs_same_with_and_without_inplace(ops_list, seed, n_out):
    rng = np.random.default_rng(seed)
    x, y = T.dvector("x"), T.dvector("y")
    s0 = rng.uniform(-1, 1, 6)
    results = []
    for mode in (Mode(), Mode().excluding("inplace"), NONE):
        s = theon.shared(s0.copy(), name="s")
        vals = _build(ops_list, [x, y, s])
        outs = vals[-n_out:]
        upd = vals[-1] * 0.5 + s
        f = theon.function([x, y], outs, updates=[(s, upd)], mode=mode, on_unused_input="ignore")
        X, Y = rng.uniform(-1, 1, 6), rng.uniform(-1, 1, 6)
        X0, Y0 = X.copy(), Y.copy()
        r = [f(X, Y) for _ in range(2)]
        np.testing.assert_array_equal(X, X0)
        np.testing.assert_array_equal(Y, Y0)
        results.append(([np.array(v) for call in r for v in call], s.get_value()))
        rng = np.random.default_rng(seed)
        rng.uniform(-1, 1, 6)
    for other in results[1:]:
        for p, q in zip(results[0][0] + [results[0][1]], other[0] + [other[1]]):
            np.testing.assert_allclose(p, q, rtol=1e-9, atol=1e-12, equal_nan=True)


PEAK_SCRIPT = """
import numpy as np, theon, theon.tensor as T
theon.config.native = "off"
x = T.matrix("x")
y = T.sin(x) * 0.9
for i in range(6):
    y = T.tanh(y) + 0.1
    y = y - y.mean(axis=1, keepdims=True)  # the chain's input is read by the mean first
f = theon.function([x], y)
assert sum("[(0, 0)]" in str(n.op) and "Composite" in str(n.op) for n in f.maker.fgraph.toposort()) >= 5
f(np.ones((2, 3)))  # one-time setup (threads) out of the measure
b = np.random.default_rng(1).uniform(-1, 1, (4000, 1000))
status = lambda key: int(open("/proc/self/status").read().split(key + ":")[1].split()[0]) * 1024
open("/proc/self/clear_refs", "w").write("5")
base = status("VmRSS")
out = f(b)  # the first call at this size: the pool holds nothing yet
print(status("VmHWM") - base)
"""


@pytest.mark.skipif(not os.path.exists("/proc/self/clear_refs"), reason="needs Linux's peak-RSS reset")
def test_chain_with_interleaved_means_reuses_one_buffer():
    """x - mean(x) chains run in place at run time: the mean reads the buffer
    first, then the chain overwrites it, so a call needs about one
    intermediate buffer (32 MB here), not one per step."""
    r = subprocess.run([sys.executable, "-c", PEAK_SCRIPT], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    growth = int(r.stdout.strip().splitlines()[-1])
    buf = 4000 * 1000 * 8
    assert growth < 1.5 * buf, "peak growth %.1f MB for %.1f MB buffers" % (growth / 2**20, buf / 2**20)
