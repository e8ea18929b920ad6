"""K0: measured machine limits that every floor is computed from.

STREAM copy/triad and the FMA peak come from a small C program (k0.c) built
with the host compiler and OpenMP and run for 1 and 2 threads; sgemm/dgemm come
from NumPy's BLAS. Without a C compiler the bandwidth falls back to NumPy
(single-threaded, so it understates the 2-thread figure) and the FMA peak is
left out; `meta["k0_source"]` says which happened."""
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time

import numpy as np

_HERE = os.path.dirname(os.path.abspath(__file__))


def _best(fn, repeat=5):
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def _build_native():
    """Path of the compiled k0 program, or None with no usable compiler."""
    cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if not cc:
        return None
    src = os.path.join(_HERE, "k0.c")
    inc = os.path.join(_HERE, "..", "..", "src", "theon", "backend", "cpu", "simd_math.inc")  # included by k0.c
    key = hashlib.sha256(open(src, "rb").read() + open(inc, "rb").read() + cc.encode() + b"mvec").hexdigest()[:16]
    exe = os.path.join(tempfile.gettempdir(), "theon-bench-k0-%s" % key)
    if os.path.exists(exe):
        return exe
    tmp = exe + ".%d.tmp" % os.getpid()
    # With libmvec first (the transcendental rates), then without, then portable.
    for flags in (["-march=native", "-DK0_MVEC", "-lmvec", "-lm"], ["-march=native"], []):
        p = subprocess.run([cc, "-O2", "-fopenmp", src, "-o", tmp] + flags, capture_output=True)
        if p.returncode == 0:
            os.replace(tmp, exe)  # atomic: a concurrent run never sees half a binary
            return exe
    return None


def _native(exe, threads, n):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OMP_PROC_BIND="spread")
    p = subprocess.run([exe, str(n)], capture_output=True, text=True, env=env, timeout=300)
    if p.returncode != 0:
        return None
    return json.loads(p.stdout.strip().splitlines()[-1])


def _numpy_stream(n):
    a = np.ones(n, dtype=np.float32)
    b = np.ones(n, dtype=np.float32)
    c = np.empty(n, dtype=np.float32)
    t_copy = _best(lambda: np.copyto(c, a))
    t_triad = _best(lambda: (np.multiply(b, 3.0, out=c), np.add(a, c, out=c)))
    # NumPy's triad takes two passes (3 reads + 2 writes of n floats).
    return {"stream_copy_GBs": 2 * n * 4 / t_copy / 1e9, "stream_triad_GBs": 5 * n * 4 / t_triad / 1e9}


# expf_Gps / tanhf_Gps: billions of float32 exp / tanh per second (the faster of libmvec's and, for exp on
# AVX-512, theon's own; each also reported), 0 when unavailable.
_NATIVE_KEYS = ("stream_copy_GBs", "stream_triad_GBs", "fma_f32_GFLOPs", "fma_f64_GFLOPs", "expf_Gps", "tanhf_Gps",
                "expf_libmvec_Gps", "expf_theon_Gps")


def calibrate(threads=2, n=1 << 25, gemm_n=2048):
    """Returns (k0, source): k0 maps names to GB/s or GFLOP/s. Keys without a
    suffix are for `threads`; `_1t`/`_2t` keys hold both thread counts."""
    k0, source = {}, "numpy"
    exe = _build_native()
    for t in (1, 2):
        res = _native(exe, t, n) if exe else None
        if res is None:
            continue
        source = "native"
        for key in _NATIVE_KEYS:
            if res.get(key):
                k0["%s_%dt" % (key, t)] = res[key]
    if source == "native":
        for key in _NATIVE_KEYS:
            if "%s_%dt" % (key, threads) in k0:
                k0[key] = k0["%s_%dt" % (key, threads)]
    else:
        k0.update(_numpy_stream(n))
    for dt, key in (("float32", "sgemm_GFLOPs"), ("float64", "dgemm_GFLOPs")):
        x = np.random.rand(gemm_n, gemm_n).astype(dt)
        t = _best(lambda: x @ x, repeat=7)  # ~0.1 s each; the best of a few rides out a neighbour's burst
        k0[key] = 2 * gemm_n ** 3 / t / 1e9
    return k0, source
