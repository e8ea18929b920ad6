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
    for _ in range(warmup):
        fn()
    times = []
    start = time.perf_counter()
    while len(times) < min_calls or time.perf_counter() - start < min_time:
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return float(np.median(times)), float(np.min(times))


def child_first_call(workload, size, contestant, cache_dir, env):
    """Runs build + first call in a fresh process; returns (seconds, peak_rss) or
    (None, reason)."""
    env = dict(env)
    env["THEON_FLAGS"] = "compiledir=" + os.path.join(cache_dir, "theon")
    env["PYTENSOR_FLAGS"] = "compiledir=" + os.path.join(cache_dir, "pytensor")
    env["THEANO_FLAGS"] = "compiledir=" + os.path.join(cache_dir, "theano")
    cmd = [sys.executable, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "run.py"),
           "--child", workload, json.dumps(size), contestant]
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        return None, (p.stderr.strip().splitlines() or ["child failed"])[-1]
    res = json.loads(p.stdout.strip().splitlines()[-1])
    return res["first_call_s"], res["peak_rss_bytes"]


def child_main(workload, size, contestant):
    """Entry point of the child: time build + first call, report peak RSS."""
    from .contestants import load
    from .workloads import WORKLOADS
    w = WORKLOADS[workload]
    inp = w.inputs(size, np.random.RandomState(0))
    mod, api = load(contestant)
    t = time.perf_counter()
    fn = w.build(api, mod, inp)
    fn()
    first = time.perf_counter() - t
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"first_call_s": first, "peak_rss_bytes": rss}))


def scratch_dir():
    return tempfile.mkdtemp(prefix="theon-bench-cache-")
