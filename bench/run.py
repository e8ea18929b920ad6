"""theon side-by-side benchmark driver.

    python bench/run.py --suite quick --out bench/out
    python bench/run.py --suite tiny --only E1,O1 --contestants numpy,theon --out /tmp/b

Writes OUT/results.json (one row per workload, size, contestant), OUT/report.md
and, when matplotlib is installed, OUT/speedup.png and OUT/e2_2010_figure.png.
See bench/README.md.
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import tempfile
import sys


def parse(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--suite", default="quick", choices=["tiny", "quick", "full"])
    p.add_argument("--only", default="", help="comma-separated workload ids, e.g. E1,C2")
    p.add_argument("--contestants", default="", help="comma-separated (default: all of them; the quick suite "
                   "leaves out pytensor-numba)")
    p.add_argument("--threads", type=int, default=2, choices=[1, 2])
    p.add_argument("--malloc", default="default", choices=["default", "tuned"],
                   help="tuned: glibc keeps freed memory (MALLOC_MMAP/TRIM_THRESHOLD_=1e9) for every contestant")
    p.add_argument("--out", default="bench/out")
    p.add_argument("--load", type=int, default=0, metavar="N",
                   help="run every contestant beside N CPU-bound processes (a busy machine)")
    p.add_argument("--build-timeout", type=int, default=None,
                   help="seconds a contestant may take to build and check one workload (default: 120 quick, 900 full)")
    p.add_argument("--in-process", action="store_true",
                   help="run every contestant in this process (default: one worker process per contestant)")
    p.add_argument("--child", nargs=3, metavar=("WORKLOAD", "SIZE", "CONTESTANT"), help=argparse.SUPPRESS)
    p.add_argument("--worker", nargs=2, metavar=("K0_JSON", "ROWS_JSON"), help=argparse.SUPPRESS)
    return p.parse_args(argv)


_TUNED_MALLOC = {"MALLOC_MMAP_THRESHOLD_": "1000000000", "MALLOC_TRIM_THRESHOLD_": "1000000000"}


def _openblas_core():
    """The core type NumPy's OpenBLAS picked, from its verbose start-up line."""
    env = dict(os.environ, OPENBLAS_VERBOSE="2")
    p = subprocess.run([sys.executable, "-c", "import numpy"], env=env, capture_output=True, text=True)
    lines = [l for l in (p.stdout + p.stderr).splitlines() if l.startswith("Core:")]
    return lines[0].split(":", 1)[1].strip() if lines else "unknown"


def _row(w, wid, size, c, mod, threads, floor):
    return {"workload": wid, "title": w.title, "size": size, "dtype": w.dtype_of(size), "threads": threads,
            "contestant": c, "version": contestants.version(mod) if mod is not None else "n/a",
            "steady_median_s": None, "steady_min_s": None, "steady_mean_s": None, "first_call_cold_s": None, "first_call_warm_s": None,
            "peak_rss_bytes": None, "rss_delta_bytes": None, "floor_s": floor[0] if floor else None,
            "floor_kind": floor[1] if floor else None, "efficiency": None, "extra": {}, "ok": False, "status": ""}


def _short(e):
    return "%s: %s" % (type(e).__name__, str(e).splitlines()[0][:160] if str(e) else "")


class BuildTimeout(Exception):
    pass


def _on_alarm(signum, frame):
    raise BuildTimeout()


def measure_one(w, size, c, loaded, inp, ref, row, args, min_time, min_calls):
    """Fills one row: build, check against NumPy, then time."""
    mod, api = loaded[c]
    if mod is None:
        row["status"] = "n/a (%s)" % api
        return
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(args.build_timeout)
    try:
        try:
            fn = w.build(api, mod, inp)
        except BuildTimeout:
            raise
        except Exception as e:  # a contestant that cannot build this workload is n/a
            row["status"] = "n/a (%s)" % _short(e)
            return
        if fn is None:
            row["status"] = "n/a (no %s version of %s yet)" % (api, w.id)
            return
        try:
            why = w.check(fn(), ref, row["dtype"])
        except BuildTimeout:
            raise
        except Exception as e:  # a contestant failing at run time is reported, not fatal
            why = "raised " + _short(e)
    except BuildTimeout:
        row["status"] = "n/a (build and first call took over %d s)" % args.build_timeout
        return
    finally:
        signal.alarm(0)
    if why:
        row["status"] = "wrong: " + why
        return
    row["ok"], row["status"] = True, "ok"
    if w.first_call or w.memory:
        cache = measure.scratch_dir()
        for key in ("first_call_cold_s", "first_call_warm_s") if w.first_call else ("first_call_cold_s",):
            res = measure.child_first_call(w.id, size, c, cache, os.environ)
            if isinstance(res, str):
                row["status"] = "first call failed: %s" % res
                row["ok"] = False
                break
            row[key], row["peak_rss_bytes"] = res["first_call_s"], res["peak_rss_bytes"]
            row["rss_delta_bytes"], row["io_bytes"] = res["rss_delta_bytes"], res.get("io_bytes")
        shutil.rmtree(cache, ignore_errors=True)
    if not w.first_call:
        del fn  # the checked callable may hold its output; time a fresh one
        row["steady_median_s"], row["steady_min_s"], row["steady_mean_s"] = measure.steady(w.build(api, mod, inp), min_time,
                                                                      min(min_calls, w.min_calls), w.warmup)
        if row["floor_s"]:
            row["efficiency"] = row["floor_s"] / row["steady_median_s"]
    row["extra"] = w.extra(size, row)


def main(argv=None):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    args = parse(argv)
    if args.child:
        from harness.measure import child_main
        w, size, c = args.child
        return child_main(w, _size(json.loads(size)), c)
    if args.malloc == "tuned" and any(os.environ.get(k) != v for k, v in _TUNED_MALLOC.items()):
        # glibc reads these at start-up: run again in a process that has them
        env = dict(os.environ, **_TUNED_MALLOC)
        return subprocess.run([sys.executable, os.path.abspath(__file__)] + (argv if argv is not None else sys.argv[1:]),
                              env=env).returncode
    # Same thread counts for every contestant, set before any of them loads.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
                "NUMEXPR_MAX_THREADS", "NUMBA_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    os.environ["XLA_FLAGS"] = ("--xla_cpu_multi_thread_eigen=%s intra_op_parallelism_threads=%d"
                               % ("true" if args.threads > 1 else "false", args.threads))
    global contestants, measure
    from harness import calibrate, contestants, measure, report, workloads

    suite = workloads.SUITES[args.suite]
    only = [w for w in args.only.split(",") if w] or list(suite)
    for w in only:
        if w not in workloads.WORKLOADS:
            sys.exit("unknown workload %r; known: %s" % (w, ", ".join(sorted(workloads.WORKLOADS))))
    names = [c for c in (args.contestants or contestants.default_for(args.suite)).split(",") if c]
    for c in names:
        if c not in contestants.CONTESTANTS:
            sys.exit("unknown contestant %r; known: %s" % (c, ", ".join(contestants.CONTESTANTS)))
    tiny = args.suite == "tiny"
    min_time, min_calls = (0.001, 3) if tiny else (0.3, 30)
    if args.build_timeout is None:
        args.build_timeout = 900 if args.suite == "full" else 120
    if args.worker:
        with open(args.worker[0]) as f:
            k0 = json.load(f)
        rows = run_rows(args, names, only, suite, k0, min_time, min_calls)
        with open(args.worker[1], "w") as f:
            json.dump(rows, f, default=str)
        return 0
    os.makedirs(args.out, exist_ok=True)
    k0, k0_source = (calibrate.calibrate(args.threads, n=1 << 16, gemm_n=64) if tiny
                     else calibrate.calibrate(args.threads))
    # One process per contestant: thread pools and OpenMP runtimes of one
    # contestant never compete with another's (they spin or sleep differently).
    hogs = _start_load(args.load)
    try:
        if args.in_process:
            rows = run_rows(args, names, only, suite, k0, min_time, min_calls)
        else:
            rows = _run_workers(args, argv, names, k0)
    finally:
        for h in hogs:
            h.kill()
            h.wait()
    rows.sort(key=lambda r: (r["_order"][0], r["_order"][1], names.index(r["contestant"])))
    for r in rows:
        r.pop("_order")
    meta = {"threads": args.threads, "suite": args.suite, "k0_source": k0_source,
            "malloc": ",".join("%s=%s" % (k, v) for k, v in sorted(os.environ.items())
                               if k.startswith("MALLOC_")) or "default",
            "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE", "default"),
            "openblas_core": _openblas_core(), "load": args.load}
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump({"k0": k0, "meta": meta, "rows": rows}, f, indent=1, default=str)
    report.write_report(rows, k0, meta, os.path.join(args.out, "report.md"))
    from harness import plots
    plots.speedup(rows, os.path.join(args.out, "speedup.png"))
    plots.e2_figure(rows, os.path.join(args.out, "e2_2010_figure.png"))
    print("wrote %s" % os.path.join(args.out, "report.md"))
    return 0


def _start_load(n):
    """N processes that keep a core busy each (`--load N`), started after the
    calibration so that the floors stay the quiet machine's."""
    hog = "import signal; signal.signal(signal.SIGINT, signal.SIG_IGN)\nx = 0\nwhile True: x += 1"
    return [subprocess.Popen([sys.executable, "-c", hog]) for _ in range(max(0, n))]


def _python_for(contestant):
    """The interpreter of a contestant's worker: Theano 1.0.5 needs NumPy < 1.24, so it runs from
    bench/.venv-theano (setup_peers.sh; or $THEON_BENCH_THEANO_PYTHON) when that exists; theon-base
    from $THEON_BENCH_BASE_PYTHON."""
    if contestant == "theon-base":
        py = os.environ.get("THEON_BENCH_BASE_PYTHON")
        if not py or not os.path.exists(py):
            sys.exit("theon-base runs theon from $THEON_BENCH_BASE_PYTHON (a Python with the other build installed)")
        return py
    if contestant == "theano":
        here = os.path.dirname(os.path.abspath(__file__))
        py = os.environ.get("THEON_BENCH_THEANO_PYTHON") or os.path.join(here, ".venv-theano", "bin", "python")
        if os.path.exists(py):
            return py
    return sys.executable


def _run_workers(args, argv, names, k0):
    rows = []
    tmp = tempfile.mkdtemp(prefix="theon-bench-")
    k0_path = os.path.join(tmp, "k0.json")
    with open(k0_path, "w") as f:
        json.dump(k0, f)
    base_argv = [a for a in (argv if argv is not None else sys.argv[1:])]
    for c in names:
        rows_path = os.path.join(tmp, "rows-%s.json" % c)
        cmd = [_python_for(c), os.path.abspath(__file__)] + _without(base_argv, "--contestants") + [
            "--contestants", c, "--worker", k0_path, rows_path, "--build-timeout", str(args.build_timeout)]
        p = subprocess.run(cmd)
        if p.returncode != 0 or not os.path.exists(rows_path):
            sys.exit("the benchmark worker for %s failed (exit %d)" % (c, p.returncode))
        with open(rows_path) as f:
            rows += json.load(f)
    shutil.rmtree(tmp, ignore_errors=True)
    return rows


def _without(argv, flag):
    out, skip = [], False
    for a in argv:
        if skip:
            skip = False
        elif a == flag:
            skip = True
        elif not a.startswith(flag + "="):
            out.append(a)
    return out


def run_rows(args, names, only, suite, k0, min_time, min_calls):
    """Measures every (workload, size, contestant) of this process's share."""
    import numpy as np
    from harness import report, workloads
    loaded = {c: contestants.load(c) for c in names}
    giving_up = {}  # contestant -> (last build failure, how many times in a row)
    rows = []
    for wi, wid in enumerate(only):
        w = workloads.WORKLOADS[wid]
        for si, size in enumerate(suite.get(wid, [])):
            inp = w.inputs(size, np.random.RandomState(0))
            ref = w.reference(inp)
            floor = w.floor(size, k0, args.threads)
            allowed = workloads.SUITE_CONTESTANTS.get(args.suite, {}).get(wid)
            for c in names:
                if allowed is not None and c not in allowed:
                    continue
                row = _row(w, wid, size, c, loaded[c][0], args.threads, floor)
                row["_order"] = [wi, si]
                rows.append(row)
                print("%-3s %-34s %-15s" % (wid, str(size)[:34], c), end=" ", flush=True)
                if giving_up.get(c, ("", 0))[1] >= 3:  # the same build failure three times: stop trying
                    row["status"] = giving_up[c][0]
                else:
                    measure_one(w, size, c, loaded, inp, ref, row, args, min_time, min_calls)
                    last, n = giving_up.get(c, ("", 0))
                    failed = row["status"].startswith("n/a (") and not row["status"].startswith("n/a (no ")
                    giving_up[c] = (row["status"], n + 1 if failed and row["status"][:60] == last[:60] else int(failed))
                print(report.fmt_s(report.time_of(row)) if row["ok"] else row["status"][:100], flush=True)
    return rows


def _size(s):
    return tuple(s) if isinstance(s, list) else s


if __name__ == "__main__":
    sys.exit(main())
