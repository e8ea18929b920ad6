"""The machine side: SIMD kernels (libmvec transcendentals, AVX2 arithmetic)
against float64 references in ulps, the thread pool's loops against NumPy,
and output buffers reused across calls without ever touching a result the
caller still holds."""
import os
import subprocess
import sys

import numpy as np
import pytest
import scipy.special as sp

import theon
import theon.tensor as T

# (function, reference on float64, domain)
TRANSCENDENTALS = [
    ("exp", np.exp, (-80, 80)), ("exp2", np.exp2, (-120, 120)), ("expm1", np.expm1, (-80, 80)),
    ("log", np.log, (1e-30, 1e30)), ("log2", np.log2, (1e-30, 1e30)), ("log10", np.log10, (1e-30, 1e30)),
    ("log1p", np.log1p, (-0.99, 1e10)), ("sin", np.sin, (-1e4, 1e4)), ("cos", np.cos, (-1e4, 1e4)),
    ("tan", np.tan, (-10, 10)), ("arcsin", np.arcsin, (-1, 1)), ("arccos", np.arccos, (-1, 1)),
    ("arctan", np.arctan, (-1e3, 1e3)), ("sinh", np.sinh, (-80, 80)), ("cosh", np.cosh, (-80, 80)),
    ("tanh", np.tanh, (-20, 20)), ("arcsinh", np.arcsinh, (-1e5, 1e5)), ("arccosh", np.arccosh, (1, 1e5)),
    ("arctanh", np.arctanh, (-1, 1)), ("erf", sp.erf, (-5, 5)),
    ("nnet.sigmoid", sp.expit, (-100, 100)), ("nnet.softplus", lambda x: np.logaddexp(0, x), (-100, 100)),
]
SPECIAL = [0.0, -0.0, np.nan, np.inf, -np.inf]


def _op(name):
    f = T
    for part in name.split("."):
        f = getattr(f, part)
    return f


def _ulps(got, want, dtype):
    want_t = want.astype(dtype)
    return np.abs(got.astype(np.float64) - want) / np.spacing(np.abs(want_t)).astype(np.float64)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,ref,domain", TRANSCENDENTALS, ids=[t[0] for t in TRANSCENDENTALS])
def test_transcendental_accuracy_in_ulps(name, ref, domain, dtype):
    rng = np.random.default_rng(7)
    # 1003 elements: whole vectors, a ragged tail, and a size above one block
    a = np.concatenate([rng.uniform(*domain, 1003), np.array(domain + tuple(SPECIAL))]).astype(dtype)
    x = T.vector(dtype=dtype)
    f = theon.function([x], _op(name)(x))
    with np.errstate(all="ignore"):
        want = ref(a.astype(np.float64))
        got = f(a)
    assert got.dtype == dtype
    fin = np.isfinite(want) & (np.abs(want) > np.finfo(dtype).tiny)
    assert _ulps(got[fin], want[fin], dtype).max() <= 4, name
    # infinities, NaN and signed zeros come out as the reference has them
    nf = ~np.isfinite(want)
    np.testing.assert_array_equal(got[nf], want[nf].astype(dtype))


@pytest.mark.parametrize("native", ["off", "wait"])
def test_float32_exp_over_its_whole_range(native):
    _exp_whole_range(native)


def _exp_whole_range(native):
    """float32 exp (theon's own AVX-512 kernel where the CPU has it, simd_math.inc) on the VM and in native
    code, against float64 over ~1M values spread across every exponent: <= 1.1 ulp with theon's kernel
    (<= 4 with libmvec's), denormal results within one denormal step, inf/NaN/-inf/0 as NumPy."""
    from theon.configparser import change_flags
    bits = np.arange(0, 2 ** 32, 4093, dtype=np.uint64).astype(np.uint32).view(np.float32)
    a = np.concatenate([bits, np.float32([0.0, -0.0, np.inf, -np.inf, np.nan, 88.72, 88.73, -87.33, -103.2,
                                         -103.98, -104.0, 1e-30, -1e-40])])
    x = T.fvector()
    with change_flags(native=native):
        f = theon.function([x], T.exp(x) * np.float32(1))  # a fused program, not the bare exp block kernel
        got = f(a)
    with np.errstate(all="ignore"):
        want = np.exp(a.astype(np.float64))
    own = "theon's" in theon.simd_info()
    normal = np.isfinite(want) & (want >= np.finfo(np.float32).tiny) & (want <= np.finfo(np.float32).max)
    assert _ulps(got[normal], want[normal], "float32").max() <= (1.1 if own else 4)
    tiny = np.isfinite(want) & (want < np.finfo(np.float32).tiny)
    assert np.abs(got[tiny] - want[tiny]).max() <= 1.5 * 2.0 ** -149
    special = ~np.isfinite(want) | (want > np.finfo(np.float32).max)
    with np.errstate(over="ignore"):  # float64 results beyond float32's range are its inf
        np.testing.assert_array_equal(got[special], want[special].astype(np.float32))
    return got


def test_float32_exp_is_the_same_kernel_on_both_tiers():
    """Where theon's exp serves the VM, generated code calls the same kernel (declare-simd variants in the
    module): the two tiers agree to the bit, which libmvec's expf would not."""
    if "theon's" not in theon.simd_info() or not theon.config.cxx:
        pytest.skip("theon's exp kernel needs AVX-512 and a C++ compiler; libmvec serves both tiers here")
    np.testing.assert_array_equal(_exp_whole_range("off"), _exp_whole_range("wait"))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_binary_transcendentals_and_strided_operands(dtype):
    rng = np.random.default_rng(3)
    a = rng.uniform(0.1, 4, (37, 29)).astype(dtype)
    b = rng.uniform(-3, 3, (29, 37)).astype(dtype).T  # Fortran-ordered operand
    x, y = T.matrix(dtype=dtype), T.matrix(dtype=dtype)
    f = theon.function([x, y], [x ** y, T.arctan2(y, x)])
    p, q = f(a, b)
    np.testing.assert_allclose(p, a ** b, rtol=8 * np.finfo(dtype).eps)
    np.testing.assert_allclose(q, np.arctan2(b, a), rtol=8 * np.finfo(dtype).eps)


def test_scalar_kernels_agree_with_simd_ones():
    """THEON_SIMD_MATH=0 gives the scalar libm path: both agree to a few ulps."""
    code = ("import numpy as np, theon, theon.tensor as T\n"
            "x = T.fvector(); a = np.linspace(-30, 30, 4099, dtype='float32')\n"
            "f = theon.function([x], T.tanh(x) * T.exp(-x * x) + T.nnet.sigmoid(x) - x * 0.5)\n"
            "np.save(__import__('sys').argv[1], f(a)); print(theon.simd_info())\n")
    outs = {}
    for flag in ("0", "1"):
        path = os.path.join(os.environ.get("TMPDIR", "/tmp"), "theon_simd_%s_%d.npy" % (flag, os.getpid()))
        env = dict(os.environ, THEON_SIMD_MATH=flag)
        r = subprocess.run([sys.executable, "-c", code, path], env=env, capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        outs[flag] = (np.load(path), r.stdout.strip())
        os.remove(path)
    assert outs["0"][1].startswith("scalar kernels")
    np.testing.assert_allclose(outs["1"][0], outs["0"][0], rtol=1e-6, atol=1e-6)  # values up to 15


@pytest.fixture
def threads():
    saved = theon.num_threads()
    yield
    theon.set_num_threads(saved)


@pytest.mark.parametrize("nthreads", [1, 2, 3])
def test_large_loops_match_numpy_for_any_thread_count(nthreads, threads):
    theon.set_num_threads(nthreads)
    rng = np.random.default_rng(nthreads)
    A = rng.standard_normal((513, 700)).astype("float32")
    row = rng.standard_normal((1, 700)).astype("float32")
    col = rng.standard_normal((513, 1)).astype("float64")
    x, r = T.fmatrix(), T.row(dtype="float32")
    c = T.col(dtype="float64")
    f = theon.function([x, r, c], [T.tanh(x * np.float32(1.5) + r) * T.exp(-(x * x)) + r * np.float32(0.5) - x,
                                   x.T + r.T,  # strided output loop
                                   x * c])     # mixed dtypes: not fused, plain Elemwise
    e1, tr, mixed = f(A, row, col)
    want = np.tanh(A * np.float32(1.5) + row) * np.exp(-(A * A)) + row * np.float32(0.5) - A
    np.testing.assert_allclose(e1, want, rtol=2e-6, atol=2e-6)
    np.testing.assert_array_equal(tr, A.T + row.T)
    np.testing.assert_allclose(mixed, A * col, rtol=1e-15)


def test_set_num_threads_rejects_zero():
    with pytest.raises(ValueError, match="at least 1"):
        theon.set_num_threads(0)


def test_thread_count_from_config():
    default = theon._core.default_num_threads()
    try:
        theon.config.num_threads = 3
        assert theon.num_threads() == 3
        with theon.change_flags(openmp=False, num_threads=0):
            assert theon.num_threads() == 1  # Theano's openmp=False: one thread
        assert theon.num_threads() == 3  # restored with the flags
        theon.config.num_threads = 0
        assert theon.num_threads() == default
        with pytest.raises(ValueError, match="num_threads.*integer >= 0"):
            theon.config.num_threads = -2
        with pytest.raises(ValueError, match="num_threads"):
            theon.config.num_threads = "many"
    finally:
        theon.config.num_threads = 0
        theon.config.openmp = True
    assert theon.num_threads() == default


THREADS_FROM_FLAGS = """
import ctypes, numpy as np, theon, theon.tensor as T
print(theon.num_threads())
x = T.dmatrix()
theon.function([x], T.dot(x, x))(np.ones((4, 4)))  # loads the BLAS
info = theon._core.blas_info()
if "openblas" in info.lower():
    lib = ctypes.CDLL(info.split(" (")[0].split(":")[0])
    prefix = "scipy_" if "symbol prefix 'scipy_'" in info else ""
    print(getattr(lib, prefix + "openblas_get_num_threads")())
else:
    print(theon.num_threads())
"""


def test_num_threads_flag_sizes_the_pool_and_openblas():
    env = dict(os.environ, THEON_FLAGS="num_threads=1", OPENBLAS_NUM_THREADS="2")
    out = subprocess.run([sys.executable, "-c", THREADS_FROM_FLAGS], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["1", "1"], out.stdout


@pytest.mark.parametrize("build", ["sum_all", "sum_rows", "sum_cols", "fused_mean", "softmax", "logsumexp"])
def test_reductions_are_deterministic_for_any_thread_count(build):
    """Partitions depend on the sizes, never on the thread count, and are
    combined in order: bit-identical results on 1, 2 or 3 threads, call after
    call."""
    rng = np.random.default_rng(11)
    a = (rng.standard_normal((1500, 1300)) * 1e3).astype("float32")
    x = T.fmatrix()
    out = {"sum_all": lambda: x.sum(), "sum_rows": lambda: x.sum(axis=1), "sum_cols": lambda: x.sum(axis=0),
           "fused_mean": lambda: T.mean(T.exp(x * 1e-3) * x), "softmax": lambda: T.nnet.softmax(x * 1e-3),
           "logsumexp": lambda: T.logsumexp(x * 1e-3, axis=1)}[build]()
    f = theon.function([x], out)
    saved = theon.num_threads()
    try:
        results = []
        for n in (1, 2, 3, 2):
            theon.set_num_threads(n)
            results += [f(a), f(a)]
    finally:
        theon.set_num_threads(saved)
    for r in results[1:]:
        np.testing.assert_array_equal(r, results[0])


def test_results_held_by_the_caller_are_never_reused():
    x = T.dvector()
    f = theon.function([x], T.exp(x) * 2.0)
    a, b = np.zeros(100_000), np.ones(100_000)
    r1 = f(a)
    r2 = f(b)
    assert not np.shares_memory(r1, r2)
    np.testing.assert_array_equal(r1, 2.0)
    np.testing.assert_allclose(r2, 2 * np.e)
    view = f(a)[10:20]  # a view keeps its storage alive too
    f(b)
    np.testing.assert_array_equal(view, 2.0)


def test_dropped_results_are_recycled():
    x = T.dvector()
    f = theon.function([x], T.exp(x) * 2.0)
    a = np.zeros(100_000)
    seen = set()
    for _ in range(6):
        r = f(a)
        seen.add(r.__array_interface__["data"][0])
        np.testing.assert_array_equal(r, 2.0)
        del r
    assert len(seen) <= 2  # a pool of at most two buffers, not six fresh ones


def test_theon_blas_that_cannot_load_warns_and_falls_back():
    """A THEON_BLAS naming a missing library (or one without CBLAS symbols) is a
    warning that names it and the reason, from the user's import; dot still works."""
    code = "import numpy as np, theon, theon.tensor as T\nx = T.dmatrix()\n" \
           "print(theon.function([x], T.dot(x, x))(np.eye(2) * 2).tolist())"
    for spec, reason in [("/nonexistent/libopenblas.so", "No such file"), ("libm.so.6", "no CBLAS")]:
        env = dict(os.environ, THEON_BLAS=spec)
        out = subprocess.run([sys.executable, "-W", "always", "-c", code], env=env, capture_output=True, text=True,
                             timeout=120)
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == "[[4.0, 0.0], [0.0, 4.0]]"
        assert "THEON_BLAS=" in out.stderr and spec.split(":")[0] in out.stderr and reason in out.stderr, out.stderr
        assert "<string>:1: RuntimeWarning" in out.stderr, out.stderr  # the user's import line
