"""Timing: steady state in-process; first call (build included) and peak RSS
in child processes."""
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np


def to_numpy(x):
    if hasattr(x, "detach"):  # torch
        x = x.detach().numpy()
    return np.asarray(x)


def check(out, ref, dtype):
    """None if `out` matches the NumPy reference, else a short reason."""
    out = to_numpy(out)
    ref = np.asarray(ref)
    if out.shape != ref.shape:
        return "shape %s, expected %s" % (out.shape, ref.shape)
    tol = 2e-3 if dtype == "float32" else 1e-7
    if not np.allclose(out, ref, rtol=tol, atol=tol, equal_nan=True):
        return "values differ from NumPy (max abs diff %.3g)" % float(np.max(np.abs(out - ref)))
    return None


def steady(fn, min_time, min_calls, warmup=3):
    """Median, min and mean over at least min_calls calls and min_time
    seconds. The mean is the throughput (total time over calls): on a busy
    machine a few long stalls can leave the median fast and the run slow."""
    for _ in range(warmup):
        fn()
    times = []
    start = time.perf_counter()
    while len(times) < min_calls or time.perf_counter() - start < min_time:
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return float(np.median(times)), float(np.min(times)), float(np.mean(times))


def child_first_call(workload, size, contestant, cache_dir, env):
    """Runs build + first call in a fresh process; returns a dict with
    first_call_s, peak_rss_bytes and rss_delta_bytes, or a string saying why
    the child failed."""
    env = dict(env)
    env["THEON_FLAGS"] = "compiledir=" + os.path.join(cache_dir, "theon")
    env["THEON_BENCH_CHILD"] = "1"
    env["PYTENSOR_FLAGS"] = "compiledir=" + os.path.join(cache_dir, "pytensor")
    env["THEANO_FLAGS"] = "compiledir=" + os.path.join(cache_dir, "theano")
    env["NUMBA_CACHE_DIR"] = os.path.join(cache_dir, "numba")
    env["TORCHINDUCTOR_CACHE_DIR"] = os.path.join(cache_dir, "inductor")
    env["JAX_ENABLE_COMPILATION_CACHE"] = "false"
    cmd = [sys.executable, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "run.py"),
           "--child", workload, json.dumps(size), contestant]
    try:
        p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        return "timed out after 600 s"
    if p.returncode != 0:
        return (p.stderr.strip().splitlines() or ["child failed"])[-1][:200]
    return json.loads(p.stdout.strip().splitlines()[-1])


def _status_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return None


def _reset_peak_rss():
    """Linux: writing 5 to clear_refs resets VmHWM to the current RSS."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def child_main(workload, size, contestant):
    """Entry point of the child: time build + first call; report the peak RSS
    of the process and the peak growth from just before the inputs exist."""
    import gc
    from .contestants import load
    from .workloads import WORKLOADS
    w = WORKLOADS[workload]
    mod, api = load(contestant)
    if mod is None:
        raise SystemExit("contestant %s is not available: %s" % (contestant, api))
    gc.collect()
    exact = _reset_peak_rss()
    base = _status_kib("VmRSS")
    inp = w.inputs(size, np.random.RandomState(0))
    t = time.perf_counter()
    fn = w.build(api, mod, inp)
    out = fn()
    first = time.perf_counter() - t
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    peak = _status_kib("VmHWM") if exact else None
    io_bytes = _nbytes(inp) + _nbytes(out)
    del out
    print(json.dumps({"first_call_s": first, "peak_rss_bytes": rss, "io_bytes": io_bytes,
                      "rss_delta_bytes": peak - base if peak and base else None}))


def _nbytes(v):
    """Bytes of the arrays in v (nested lists/tuples; tensors of any library)."""
    if isinstance(v, (list, tuple)):
        return sum(_nbytes(x) for x in v)
    n = getattr(v, "nbytes", None)
    return int(n) if isinstance(n, (int, np.integer)) else 0


def scratch_dir():
    return tempfile.mkdtemp(prefix="theon-bench-cache-")
