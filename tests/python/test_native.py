"""The native tier: generated C++ for fused kernels, the compiler driver,
the disk cache and theon-cache. Native results equal the VM's (to a few ulp:
the native loop may use wider SIMD variants of the same vector math) for
every float scalar function, over special values, broadcasting, strides and
transposes; the cache survives concurrent and interrupted compiles; a missing
or failing compiler leaves the VM running with one warning."""
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import warnings

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.configparser import change_flags

CXX = theon.config.cxx
pytestmark = pytest.mark.skipif(not CXX, reason="no C++ compiler: the native tier is off (the VM tests cover it)")
GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden")


@pytest.fixture
def cache(tmp_path):
    d = str(tmp_path / "compiledir")
    with change_flags(compiledir=d, native="wait"):
        yield d


def modules(d):
    nd = os.path.join(d, "native")
    return sorted(n for n in os.listdir(nd) if n.endswith(".so") and ".tmp-" not in n) if os.path.isdir(nd) else []


def both(inputs, outputs):
    """The same graph compiled natively (waiting for the module) and on the VM."""
    f = theon.function(inputs, outputs)
    assert f.native_ready, "native code was expected"
    with change_flags(native="off"):
        g = theon.function(inputs, outputs)
    assert not g.native_ready
    return f, g


def assert_ulp(a, b, ulp=4, what=""):
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype and a.shape == b.shape, what
    np.testing.assert_array_equal(np.isnan(a), np.isnan(b), err_msg=what)
    fin = np.isfinite(a) & np.isfinite(b)
    np.testing.assert_array_equal(a[~fin & ~np.isnan(a)], b[~fin & ~np.isnan(b)], err_msg=what)
    a, b = a[fin], b[fin]
    # ulp of the value's own dtype; near zero (cancellation in the multiply-add
    # around the function) an absolute slack of ulp at 1.
    tol = ulp * (np.spacing(np.maximum(np.abs(a), np.abs(b))).astype(np.float64) + np.spacing(a.dtype.type(1)))
    a, b = a.astype(np.float64), b.astype(np.float64)
    bad = np.abs(a - b) > tol
    assert not bad.any(), "%s: %d values differ by more than %d ulp, e.g. %r vs %r" % (
        what, bad.sum(), ulp, a[bad][:3], b[bad][:3])


SPECIAL = [np.nan, np.inf, -np.inf, 0.0, -0.0]
# Unary functions with the input range where they are defined (others see (-2, 2) and the specials).
UNARY = {
    "exp": None, "exp2": None, "expm1": None, "log": (0.01, 4), "log2": (0.01, 4), "log10": (0.01, 4),
    "log1p": (-0.9, 4), "sin": None, "cos": None, "tan": (-1.4, 1.4), "arcsin": (-0.99, 0.99),
    "arccos": (-0.99, 0.99), "arctan": None, "sinh": None, "cosh": None, "tanh": None, "arcsinh": None,
    "arccosh": (1.01, 4), "arctanh": (-0.99, 0.99), "sqrt": (0, 4), "sqr": None, "abs_": None, "neg": None,
    "inv": (0.1, 2), "sgn": None, "floor": None, "ceil": None, "round_half_to_even": None, "trunc": None,
    "erf": None, "erfc": None, "gamma": (0.1, 4), "gammaln": (0.1, 4), "psi": (0.1, 4),
    "erfinv": (-0.99, 0.99), "erfcinv": (0.01, 1.99), "erfcx": None, "j0": None, "j1": None, "i0": None, "i1": None,
}
BINARY = {"add": None, "sub": None, "mul": None, "true_div": (0.2, 2), "pow": (0.1, 2), "maximum": None,
          "minimum": None, "arctan2": None, "mod": (0.2, 2), "floor_div": (0.2, 2), "gammainc": (0.1, 5),
          "gammaincc": (0.1, 5), "gammal": (0.1, 5), "gammau": (0.1, 5), "chi2sf": (0.1, 5), "jv": (0.1, 3),
          "iv": (0.1, 3)}


def values(rng, n, rng_range, dtype):
    lo, hi = rng_range or (-2, 2)
    return np.concatenate([rng.uniform(lo, hi, n), SPECIAL]).astype(dtype)


def op(name):
    if name in ("sigmoid", "softplus"):
        return getattr(T.nnet, name)
    return getattr(T, name)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_every_float_scalar_function_matches_the_vm(cache, dtype):
    rng = np.random.default_rng(3)
    x, y, z = T.vector("x", dtype=dtype), T.vector("y", dtype=dtype), T.vector("z", dtype=dtype)
    names, outs, args = [], [], []
    # Each output is a fused program: the function, then a multiply-add around it.
    for name, r in sorted(UNARY.items()):
        names.append(name)
        outs.append(op(name)(x) * 1.5 + z)
        args.append(r)
    for name in ("sigmoid", "softplus"):
        names.append(name)
        outs.append(op(name)(x) * 1.5 + z)
        args.append(None)
    for name, r in sorted(BINARY.items()):
        names.append(name)
        outs.append(op(name)(x, y) * 1.5 + z)
        args.append(r)
    names += ["clip", "switch"]
    outs += [T.clip(x, -0.5, y) * 1.5 + z, T.switch(T.gt(x, 0), x, y) * 1.5 + z]
    args += [None, None]
    f, g = both([x, y, z], outs)
    src = f.native_source()
    assert src.count('extern "C" void theon_k') == len(outs)
    n = 200
    for k, (name, r) in enumerate(zip(names, args)):
        xv = values(rng, n, r, dtype)
        yv = values(rng, n, r if name in BINARY else None, dtype)[::-1].copy()
        zv = rng.uniform(-1, 1, n + len(SPECIAL)).astype(dtype)
        a = f(xv, yv, zv)[k]
        b = g(xv, yv, zv)[k]
        assert_ulp(a, b, ulp=8 if name in ("gamma", "psi", "pow", "cosh", "sinh", "tan") else 4,
                   what="%s %s" % (name, dtype))


def test_strided_transposed_and_broadcast_inputs(cache):
    rng = np.random.default_rng(4)
    x, r, c = T.matrix("x"), T.row("r"), T.col("c")
    out = T.tanh(x * r + c) * T.exp(-x) - r
    f, g = both([x, r, c], out)
    big = rng.uniform(-1, 1, (9, 14))
    for xv in (big[::2, 1::3], big.T[:5, :4], np.asfortranarray(big[:4, :5])):
        rv = rng.uniform(-1, 1, (1, xv.shape[1]))
        cv = rng.uniform(-1, 1, (xv.shape[0], 1))
        want = np.tanh(xv * rv + cv) * np.exp(-xv) - rv
        np.testing.assert_allclose(f(xv, rv, cv), want, rtol=1e-13)
        assert_ulp(f(xv, rv, cv), g(xv, rv, cv), what="strided")


def test_float32_instructions_in_a_float64_program(cache):
    rng = np.random.default_rng(6)
    x, y = T.fmatrix("x"), T.fmatrix("y")
    out = T.tanh(T.sin(x) * 0.9 + T.exp(x * y)) - T.cos(y) * T.log1p(T.abs_(x))
    f, g = both([x, y], out)
    assert ":f32" in str(f.maker.fgraph.toposort()[0].op)
    xv, yv = rng.uniform(-3, 3, (33, 70)).astype("float32"), rng.uniform(-3, 3, (33, 70)).astype("float32")
    assert f(xv, yv).dtype == np.float64
    # float32 functions may differ by a float32 ulp between the tiers: count ulps in float32
    assert_ulp(f(xv, yv).astype("float32"), g(xv, yv).astype("float32"), ulp=4, what="mixed program")


def test_single_value_inputs_are_read_once_and_follow_each_call(cache):
    # Inputs whose static shape is all ones (constants, scalars, a (1, 1)
    # shared value) are loaded once outside the generated loop; their value
    # must still be the one of each call.
    rng = np.random.default_rng(8)
    x, s = T.fmatrix("x"), T.fscalar("s")
    w = theon.shared(np.full((1, 1), 0.5, "float32"), "w", broadcastable=(True, True))
    out = T.tanh(x * 1.5 + s) * w - s
    red = T.sum(T.exp(x * s) - w, axis=0)
    f, g = both([x, s], [out, red])
    src = f.native_source()
    assert "[0];" in src and "= u" in src, "uniform inputs should be hoisted out of the loop"
    xv = rng.uniform(-1, 1, (37, 41)).astype("float32")
    for sv, wv in ((0.25, 0.5), (-2.0, 3.0), (7.0, -1.0)):
        w.set_value(np.full((1, 1), wv, "float32"))
        a, b = f(xv, np.float32(sv)), g(xv, np.float32(sv))
        assert_ulp(a[0], b[0], what="elementwise, s=%r" % sv)
        np.testing.assert_allclose(a[1], b[1], rtol=2e-6)
        np.testing.assert_allclose(a[0], np.tanh(xv * np.float32(1.5) + np.float32(sv)) * np.float32(wv) - np.float32(sv),
                                   rtol=1e-5, atol=1e-6)


def test_fused_reduction_runs_native(cache):
    rng = np.random.default_rng(5)
    x = T.fmatrix("x")
    out = T.sum(T.exp(x) * 2 - x, axis=1)
    f, g = both([x], out)
    assert any("->Sum" in str(n.op) for n in f.maker.fgraph.toposort())
    xv = rng.uniform(-1, 1, (64, 300)).astype("float32")
    np.testing.assert_allclose(f(xv), g(xv), rtol=2e-6)
    np.testing.assert_allclose(f(xv), (np.exp(xv.astype(np.float64)) * 2 - xv).sum(1), rtol=1e-5)


def test_async_mode_starts_on_the_vm_and_switches(cache):
    rng = np.random.default_rng(6)
    x = T.vector("x")
    with change_flags(native="async"):
        f = theon.function([x], T.exp(x) * 3 + 1)
    xv = rng.uniform(-1, 1, 1000)
    first = f(xv)  # runs whether or not the module is ready
    assert f.wait_native()
    np.testing.assert_allclose(f(xv), first, rtol=1e-15)
    np.testing.assert_allclose(first, np.exp(xv) * 3 + 1, rtol=1e-15)


def test_fast_compile_and_native_off_stay_on_the_vm(cache):
    x = T.vector("x")
    f = theon.function([x], T.exp(x) * 3 + 1, mode="FAST_COMPILE")
    assert not f.native_ready
    with change_flags(native="off"):
        g = theon.function([x], T.exp(x) * 3 + 1)
    assert not g.native_ready and modules(cache) == []


def test_golden_source():
    """The emitted C++ for two graphs; THEON_UPDATE_GOLDEN=1 rewrites the files."""
    x, y = T.fvector("x"), T.fvector("y")
    e1 = theon.function([x, y], T.tanh(x * 1.5 + y) * T.exp(-(x * x)) + y * 0.5 - x)
    m = T.dmatrix("m")
    red = theon.function([m], T.sum(T.nnet.sigmoid(m) * m, axis=0))
    mixed = theon.function([x, y], T.tanh(T.sin(x) * 0.9) + T.cos(y))  # float32 nodes in a float64 program
    for name, f in (("native_e1.cpp", e1), ("native_sum_sigmoid.cpp", red), ("native_mixed.cpp", mixed)):
        path = os.path.join(GOLDEN, name)
        src = f.native_source()
        if os.environ.get("THEON_UPDATE_GOLDEN"):
            os.makedirs(GOLDEN, exist_ok=True)
            with open(path, "w") as fh:
                fh.write(src)
        with open(path) as fh:
            assert src == fh.read(), "generated code changed: review it, then THEON_UPDATE_GOLDEN=1 pytest " + name


SCRIPT = textwrap.dedent("""
    import sys, numpy as np, theon, theon.tensor as T
    theon.config.native = "wait"
    theon.config.compiledir = sys.argv[1]
    x = T.vector("x")
    c = float(sys.argv[2])
    if sys.argv[3] == "a":
        f = theon.function([x], T.tanh(x * 2.5 + 1) * T.exp(-x) + c)
        want = lambda v: np.tanh(v * 2.5 + 1) * np.exp(-v) + c
    else:  # another program, so another module
        f = theon.function([x], T.sqrt(T.abs_(x)) * c - x)
        want = lambda v: np.sqrt(np.abs(v)) * c - v
    v = np.linspace(-1, 1, 50)
    assert np.allclose(f(v), want(v))
    print("native" if f.native_ready else "vm")
""")


def run_script(d, const="0.25", kind="a"):
    return subprocess.run([sys.executable, "-c", SCRIPT, d, const, kind], capture_output=True, text=True)


def test_cache_hit_in_a_new_process_and_corrupt_entries_rebuilt(tmp_path):
    d = str(tmp_path / "c")
    r = run_script(d)
    assert r.returncode == 0 and r.stdout.strip() == "native", r.stderr
    [so] = modules(d)
    path = os.path.join(d, "native", so)
    before = os.stat(path)
    with open(path, "rb") as fh:
        content = fh.read()
    os.utime(path, ns=(before.st_atime_ns - 10**10, before.st_mtime_ns - 10**10))
    r = run_script(d)  # a hit: nothing rewritten, but the module's mtime records the use (for LRU eviction)
    assert r.stdout.strip() == "native" and modules(d) == [so]
    after = os.stat(path)
    assert after.st_ino == before.st_ino and after.st_mtime_ns >= before.st_mtime_ns
    with open(path, "rb") as fh:
        assert fh.read() == content
    with open(path, "r+b") as fh:  # truncated (a crash of the disk, a partial copy)
        fh.truncate(100)
    r = run_script(d)
    assert r.returncode == 0 and r.stdout.strip() == "native", r.stderr
    assert os.path.getsize(path) > 100
    # A foreign module under this key (another graph's code) is detected by its key.
    r = run_script(d, kind="b")
    other = [m for m in modules(d) if m != so]
    assert len(other) == 1
    shutil.copy(os.path.join(d, "native", other[0]), path)
    r = run_script(d)
    assert r.returncode == 0 and r.stdout.strip() == "native", r.stderr


def test_two_processes_compiling_the_same_function_both_succeed(tmp_path):
    d = str(tmp_path / "c")
    procs = [subprocess.Popen([sys.executable, "-c", SCRIPT, d, "0.75", "a"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0 and out.strip() == "native", err
    assert len(modules(d)) == 1
    leftovers = [n for n in os.listdir(os.path.join(d, "native")) if ".tmp-" in n]
    assert leftovers == []


def test_a_compile_killed_midway_leaves_nothing_trusted(tmp_path):
    d = str(tmp_path / "c")
    p = subprocess.Popen([sys.executable, "-c", SCRIPT, d, "1.25", "a"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         start_new_session=True)
    nd = os.path.join(d, "native")
    deadline = time.time() + 60
    while time.time() < deadline and not (os.path.isdir(nd) and any(".tmp-" in n for n in os.listdir(nd))):
        time.sleep(0.005)
    midway = os.path.isdir(nd) and any(".tmp-" in n for n in os.listdir(nd))
    os.killpg(p.pid, signal.SIGKILL)  # the process and its compiler, mid-compile
    p.wait()
    assert midway, "the compile never started"
    # Whatever was left is either absent or a complete module: a later process works.
    r = run_script(d, const="1.25")
    assert r.returncode == 0 and r.stdout.strip() == "native", r.stderr
    out = subprocess.run([sys.executable, "-m", "theon.cache_cli", "--dir", d, "cleanup"], capture_output=True,
                         text=True)
    assert out.returncode == 0 and "removed" in out.stdout
    assert [n for n in os.listdir(nd) if ".tmp-" in n] == []


def test_no_compiler_warns_once_and_runs_on_the_vm(cache):
    x = T.vector("x")
    with change_flags(cxx="/nonexistent/c++"):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            f = theon.function([x], T.exp(x) * 3 + 1)
            g = theon.function([x], T.exp(x) * 4 + 1)
        said = [m for m in w if "native code is not available" in str(m.message)]
        assert len(said) == 1 and "/nonexistent/c++" in str(said[0].message) and "was not found" in str(said[0].message)
        # Said while the function is built (not on a later call), from the user's line.
        assert said[0].filename == __file__, said[0].filename
    assert not f.native_ready and not g.native_ready
    np.testing.assert_allclose(f(np.ones(3)), np.exp(1) * 3 + 1)


@pytest.mark.parametrize("build", [lambda x: T.maximum(x, 0) * T.exp(x), lambda x: T.nnet.sigmoid(x * 2 + 1),
                                   lambda x: T.nnet.softplus(x * 2 + 1) + T.clip(x, -1, 1),
                                   lambda x: T.switch(x > 0, x, 0) * T.tanh(x)],
                         ids=["relu_exp", "sigmoid", "softplus_clip", "switch_tanh"])
def test_selects_next_to_vector_math_still_vectorize(cache, build):
    """A fused loop that selects (maximum, clip, switch, sigmoid's two tails) and calls exp/tanh/log1p must call
    their vector variants: GCC does not if-convert a `?:` in a loop with calls, so the functors blend bits
    instead (select_), and a regression would leave the loop scalar, 10-20x slower."""
    import shutil
    import subprocess
    if not shutil.which("objdump") or "libmvec" not in theon.simd_info():
        pytest.skip("needs objdump and libmvec's vector variants")
    x = T.fvector("x")
    f = theon.function([x], build(x))
    a = np.linspace(-3, 3, 101, dtype="float32")
    with change_flags(native="off"):
        np.testing.assert_allclose(f(a), theon.function([x], build(x))(a), rtol=1e-5, atol=1e-6)
    (so,) = modules(cache)
    asm = subprocess.run(["objdump", "-d", os.path.join(cache, "native", so)], capture_output=True, text=True).stdout
    assert re.search(r"call.*<_ZGV[bcde]N(4|8|16)v_", asm), "the fused loop calls no vector variant"


def test_a_changed_header_means_a_new_module(cache, monkeypatch, tmp_path):
    """The key covers the headers a module includes: modules built from an older scalar_functors.hpp are never
    served for a newer one, even within one theon version."""
    import shutil
    fmod = sys.modules["theon.compile.function"]
    x = T.vector("x")
    keys = []
    for i, comment in enumerate(["", "\n// a changed functor header\n"]):
        inc = str(tmp_path / ("include%d" % i))
        shutil.copytree(fmod._INCLUDE_DIR, inc)
        with open(os.path.join(inc, "ops", "scalar_functors.hpp"), "a") as fh:
            fh.write(comment)
        monkeypatch.setattr(fmod, "_INCLUDE_DIR", inc)
        f = theon.function([x], T.cosh(x) * 3 - 7)
        assert f.native_ready
        np.testing.assert_allclose(f(np.ones(2)), np.cosh(1) * 3 - 7, rtol=1e-6)
        keys.append(set(modules(cache)))
    assert len(keys[0]) == 1 and len(keys[1]) == 2  # the same graph, a second module


def test_failing_compile_warns_and_runs_on_the_vm(cache, monkeypatch):
    fmod = sys.modules["theon.compile.function"]
    monkeypatch.setattr(fmod, "_INCLUDE_DIR", "/nonexistent/include")
    x = T.vector("x")
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        f = theon.function([x], T.cosh(x) * 3 - 7)
    said = [str(m.message) for m in w if "native code is not available" in str(m.message)]
    # the compiler's own message, naming the first header it could not find (an AVX-512 host's
    # source includes theon's own float32 math first)
    assert len(said) == 1 and "compiler failed" in said[0]
    assert re.search(r"(ops|backend/cpu)/\w+\.(hpp|inc).*No such file", said[0], re.S)
    np.testing.assert_allclose(f(np.ones(2)), np.cosh(1) * 3 - 7)
    assert modules(cache) == []


def test_theon_cache_command(tmp_path):
    d = str(tmp_path / "c")
    assert run_script(d).returncode == 0
    assert run_script(d, kind="b").returncode == 0

    def cli(*args):
        r = subprocess.run([sys.executable, "-m", "theon.cache_cli", "--dir", d] + list(args), capture_output=True,
                           text=True)
        assert r.returncode == 0, r.stderr
        return r.stdout

    out = cli("list")
    assert "2 modules" in out and "1 kernel" in out
    assert "in 2 modules" in cli("size")
    assert "removed 2 modules" in cli("clear")
    assert modules(d) == []
    assert run_script(d).returncode == 0 and len(modules(d)) == 1  # rebuilt on use
    cli("purge")
    assert not os.path.exists(d)


def test_identical_programs_share_one_kernel(cache):
    x, y = T.vector("x"), T.vector("y")
    f = theon.function([x, y], [T.exp(x) * 2 + 1, T.exp(y) * 2 + 1, T.tanh(x) - y])
    assert f.native_ready
    assert f.native_source().count('extern "C" void theon_k') == 2
    xv, yv = np.linspace(-1, 1, 7), np.linspace(2, 3, 7)
    a, b, c = f(xv, yv)
    np.testing.assert_allclose(a, np.exp(xv) * 2 + 1, rtol=1e-15)
    np.testing.assert_allclose(b, np.exp(yv) * 2 + 1, rtol=1e-15)
    np.testing.assert_allclose(c, np.tanh(xv) - yv, rtol=1e-15)
