"""LogSumExp: log(sum(exp(x), axis)) in one pass over x. Values against
SciPy over dtypes, axes, layouts and special values; gradients, second
derivatives and R-ops against finite differences; the stabilize phase makes
it from the written-out forms (plain and hand-shifted); bad inputs."""
import numpy as np
import pytest
import scipy.special as sp

import theon
import theon.tensor as T
from theon.compile.mode import Mode
from theon.gradient import verify_grad

NONE = Mode(optimizer=None)


def ops(f):
    return [str(n.op) for n in f.maker.fgraph.toposort()]


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32"])
@pytest.mark.parametrize("axis", [0, 1, 2, -1])
@pytest.mark.parametrize("keepdims", [False, True])
def test_values_against_scipy(dtype, axis, keepdims):
    rng = np.random.default_rng(1)
    x = T.tensor3("x", dtype=dtype)
    f = theon.function([x], T.logsumexp(x, axis=axis, keepdims=keepdims))
    assert any("LogSumExp" in o for o in ops(f))
    xv = (rng.standard_normal((3, 5, 70)) * 20).astype(dtype)
    out = f(xv)
    want = sp.logsumexp(xv.astype(np.float64), axis=axis, keepdims=keepdims)
    assert out.dtype == (np.float32 if dtype == "float32" else np.float64)
    # m + log(s) cancels near zero: the error is relative to the inputs' size (~20 here)
    rtol = 2e-6 if dtype == "float32" else 1e-13
    np.testing.assert_allclose(out, want, rtol=rtol, atol=rtol * 100)


def test_strided_and_transposed_inputs():
    rng = np.random.default_rng(2)
    x = T.matrix("x")
    f = theon.function([x], T.logsumexp(x, axis=1))
    big = rng.standard_normal((40, 50)) * 30
    for xv in (big[::3, 1::2], big.T, big[:, ::-1]):
        np.testing.assert_allclose(f(xv), sp.logsumexp(xv, axis=1), rtol=1e-13)


def test_special_values():
    x = T.matrix("x")
    f = theon.function([x], T.logsumexp(x, axis=1))
    inf, nan = np.inf, np.nan
    xv = np.array([[1e4, 1e4, 0.0], [-inf, -inf, -inf], [inf, 1.0, 2.0], [nan, 1.0, 2.0], [-1e4, -1e4, -1e4]])
    out = f(xv)
    np.testing.assert_allclose(out[0], 1e4 + np.log(2), rtol=1e-15)
    assert out[1] == -inf and out[2] == inf and np.isnan(out[3])
    np.testing.assert_allclose(out[4], -1e4 + np.log(3), rtol=1e-15)
    g = theon.function([x], T.logsumexp(x, axis=1), mode=NONE)  # the op exists without rewriting
    np.testing.assert_allclose(g(xv[[0, 4]]), out[[0, 4]], rtol=1e-15)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("n", [1, 7, 15, 16, 17, 33, 63, 64, 65, 100, 1029])
def test_row_lengths_and_nan_positions_of_the_simd_rows(dtype, n):
    """The SIMD row kernels (max, then exp-and-sum) take whole vectors, four
    at a time, and a ragged tail: every length around those widths, with a
    NaN, +inf or -inf placed in the vector part and in the tail, for
    logsumexp, softmax and log_softmax."""
    rng = np.random.default_rng(n)
    base = (rng.standard_normal((1, n)) * 10).astype(dtype)
    rows = [base[0]]
    for pos in {0, n // 2, n - 1}:
        for v in (np.nan, np.inf, -np.inf):
            r = base[0].copy()
            r[pos] = v
            rows.append(r)
    xv = np.stack(rows)
    x = T.matrix("x", dtype=dtype)
    f = theon.function([x], [T.logsumexp(x, axis=1), T.nnet.softmax(x), T.nnet.logsoftmax(x)])
    lse, sm, lsm = f(xv)
    x64 = xv.astype(np.float64)
    with np.errstate(all="ignore"):
        m = x64.max(axis=1, keepdims=True)
        want_lse = sp.logsumexp(x64, axis=1)
        e = np.exp(x64 - m)
        want_sm = e / e.sum(axis=1, keepdims=True)
        want_lsm = (x64 - m) - np.log(e.sum(axis=1, keepdims=True))
    rtol = 3e-6 if dtype == "float32" else 1e-13
    for got, want in ((lse, want_lse), (sm, want_sm), (lsm, want_lsm)):
        assert got.dtype == dtype
        np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
        np.testing.assert_allclose(got, want.astype(dtype), rtol=rtol, atol=rtol * 30)


def test_one_and_two_threads_agree_to_the_bit():
    rng = np.random.default_rng(3)
    x = T.fmatrix("x")
    f = theon.function([x], T.logsumexp(x, axis=1))
    xv = rng.standard_normal((2000, 300)).astype("float32")
    saved = theon._core.num_threads()
    try:
        theon._core.set_num_threads(1)
        a = f(xv)
        theon._core.set_num_threads(2)
        b = f(xv)
    finally:
        theon._core.set_num_threads(saved)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("axis", [0, 1])
def test_gradient_second_derivative_and_rop(axis):
    rng = np.random.default_rng(4)
    pt = [rng.standard_normal((3, 4))]
    verify_grad(lambda x: T.logsumexp(x, axis=axis) * np.arange(1.0, 5.0 - axis), pt, rng=np.random.RandomState(0))
    v = T.vector("v")
    h = theon.function([v], T.hessian(T.logsumexp(v, axis=0), v))
    vv = rng.standard_normal(4)
    sm = sp.softmax(vv)
    np.testing.assert_allclose(h(vv), np.diag(sm) - np.outer(sm, sm), rtol=1e-12, atol=1e-15)
    x, t = T.matrix("x"), T.matrix("t")
    r = theon.function([x, t], T.Rop(T.logsumexp(x, axis=axis), x, t))
    xv, tv = rng.standard_normal((3, 5)), rng.standard_normal((3, 5))
    eps = 1e-6
    fd = (sp.logsumexp(xv + eps * tv, axis=axis) - sp.logsumexp(xv - eps * tv, axis=axis)) / (2 * eps)
    np.testing.assert_allclose(r(xv, tv), fd, rtol=1e-6, atol=1e-9)


def test_written_out_forms_become_the_op():
    rng = np.random.default_rng(5)
    x = T.fmatrix("x")
    plain = T.log(T.sum(T.exp(x), axis=1))
    mx = x.max(axis=1, keepdims=True)
    shifted = T.log(T.exp(x - mx).sum(axis=1, keepdims=True)) + mx  # bench E3's spelling
    xv = (rng.standard_normal((64, 33)) * 4).astype("float32")
    for y in (plain, shifted):
        f = theon.function([x], y)
        g = theon.function([x], y, mode=NONE)
        assert ops(f)[0] == "LogSumExp{axis=1}", ops(f)
        assert f.maker.rewrite_report["fired"].get("logsumexp", 0) >= 1
        np.testing.assert_allclose(f(xv), g(xv), rtol=3e-6)
    # plain: no overflow where the written-out form overflows
    big = np.full((2, 3), 100.0, dtype="float32")
    f = theon.function([x], plain)
    np.testing.assert_allclose(f(big), 100 + np.log(3), rtol=1e-6)
    # over two axes the max-shifted graph stays (no one-axis op)
    t = T.tensor3("t")
    f = theon.function([t], T.log(T.sum(T.exp(t), axis=(1, 2))))
    assert not any("LogSumExp" in o for o in ops(f))
    tv = rng.standard_normal((2, 3, 4)) * 300
    np.testing.assert_allclose(f(tv), sp.logsumexp(tv, axis=(1, 2)), rtol=1e-13)


def test_hand_shifted_form_needs_the_same_max():
    x, y = T.matrix("x"), T.matrix("y")
    my = y.max(axis=1, keepdims=True)
    other = T.log(T.exp(x - my).sum(axis=1, keepdims=True)) + my  # shifted by another tensor's max
    f = theon.function([x, y], other)
    # not folded into logsumexp(x): the op reads x - max(y), and max(y) is added back
    nodes = f.maker.fgraph.toposort()
    lse = [n for n in nodes if "LogSumExp" in str(n.op)]
    assert len(lse) == 1 and lse[0].inputs[0].owner is not None and "sub" in str(lse[0].inputs[0].owner.op)
    rng = np.random.default_rng(6)
    xv, yv = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    want = np.log(np.exp(xv - yv.max(1, keepdims=True)).sum(1, keepdims=True)) + yv.max(1, keepdims=True)
    np.testing.assert_allclose(f(xv, yv), want, rtol=1e-13)


def test_bad_inputs():
    with pytest.raises(IndexError, match="logsumexp"):
        T.logsumexp(T.matrix(), axis=2)
    with pytest.raises(TypeError, match="at least one dimension"):
        theon._core.logsumexp(T.scalar(), 0)
    with pytest.raises(TypeError, match="LogSumExp.*real"):
        T.logsumexp(T.matrix(dtype="complex128"), axis=1)


@pytest.mark.parametrize("isa", ["avx2", "0"])
def test_rows_on_the_avx2_and_scalar_kernels(isa):
    """A CPU with AVX-512 runs the 512-bit rows; the AVX2 and scalar ones
    (THEON_SIMD_MATH=avx2 / 0) are checked in a child process."""
    import os
    import subprocess
    import sys
    env = dict(os.environ, THEON_SIMD_MATH=isa)
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", __file__,
                        "-k", "row_lengths or special_values"], env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
