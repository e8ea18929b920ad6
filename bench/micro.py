"""Micro-measurements: call overhead of a compiled identity on a 10-vector,
large dot products, and the training steps' thin products (a batch-1
weight gradient's outer product, a softmax layer's 10-column products)
against NumPy's @, side by side in one run.

    python bench/micro.py                    # theon and NumPy
    /path/to/peer-venv/bin/python bench/micro.py --peer pytensor   # PyTensor's figure

The full side-by-side harness is bench/run.py (a later issue); this script
prints ratios, never asserts on time.
"""
import argparse
import json
import time

import numpy as np


def best_of(fn, repeat=7, number=None):
    if number is None:
        number, t = 1, 0.0
        while t < 0.2:
            number *= 2
            t0 = time.perf_counter()
            for _ in range(number):
                fn()
            t = time.perf_counter() - t0
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number)
    return float(np.median(times)), float(np.min(times))


def call_overhead(lib):
    T = lib.tensor
    x = T.dvector("x")
    f = lib.function([x], x)
    v = np.arange(10.0)
    return best_of(lambda: f(v))


def dot_times(lib, m, k, n, dtype, number=3):
    """Best time of dot((m, k), (k, n)) compiled by `lib`, and of NumPy's @."""
    T = lib.tensor
    a = T.matrix("a", dtype=dtype)
    b = T.matrix("b", dtype=dtype)
    f = lib.function([a, b], T.dot(a, b))
    rng = np.random.RandomState(0)
    A = rng.rand(m, k).astype(dtype)
    B = rng.rand(k, n).astype(dtype)
    np.testing.assert_allclose(f(A, B), A @ B, rtol=1e-3 if dtype == "float32" else 1e-9)
    t_lib = best_of(lambda: f(A, B), repeat=5, number=number)[1]
    t_np = best_of(lambda: A @ B, repeat=5, number=number)[1]
    return t_lib, t_np


# (m, k, n): T2's weight gradient at batch 1 (an outer product), T2's two
# products at batch 256 (10 columns), T1's first-layer gradient at batch 1.
THIN_PRODUCTS = [(784, 1, 10), (256, 784, 10), (784, 256, 10), (784, 1, 500)]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--peer", default="theon", choices=["theon", "pytensor"])
    p.add_argument("--n", type=int, default=2000)
    args = p.parse_args()
    lib = __import__(args.peer)
    out = {"contestant": args.peer}
    med, mn = call_overhead(lib)
    out["identity_call_us"] = {"median": med * 1e6, "min": mn * 1e6}
    for dt in ("float32", "float64"):
        t_lib, t_np = dot_times(lib, args.n, args.n, args.n, dt)
        out["dot_%d_%s" % (args.n, dt)] = {"seconds": t_lib, "numpy_seconds": t_np,
                                           "speed_vs_numpy": t_np / t_lib}
    for m, k, n in THIN_PRODUCTS:
        t_lib, t_np = dot_times(lib, m, k, n, "float32", number=None)
        out["dot_%dx%dx%d_float32" % (m, k, n)] = {"us": t_lib * 1e6, "numpy_us": t_np * 1e6,
                                                    "speed_vs_numpy": t_np / t_lib}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
