"""K0: measured machine limits that every floor is computed from."""
import time

import numpy as np


def _best(fn, repeat=5):
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def calibrate(n=1 << 24, gemm_n=1024):
    """STREAM-style copy and triad bandwidth (NumPy, counting no write-allocate)
    and sgemm/dgemm throughput. Returns a dict of GB/s and GFLOP/s."""
    a = np.ones(n, dtype=np.float32)
    b = np.ones(n, dtype=np.float32)
    c = np.empty(n, dtype=np.float32)
    t_copy = _best(lambda: np.copyto(c, a))
    t_triad = _best(lambda: (np.multiply(b, 3.0, out=c), np.add(a, c, out=c)))
    out = {
        "stream_copy_GBs": 2 * n * 4 / t_copy / 1e9,
        # NumPy's triad takes two passes (3 reads + 2 writes of n floats).
        "stream_triad_GBs": 5 * n * 4 / t_triad / 1e9,
    }
    for dt, key in (("float32", "sgemm_GFLOPs"), ("float64", "dgemm_GFLOPs")):
        x = np.random.rand(gemm_n, gemm_n).astype(dt)
        t = _best(lambda: x @ x, repeat=3)
        out[key] = 2 * gemm_n ** 3 / t / 1e9
    return out
