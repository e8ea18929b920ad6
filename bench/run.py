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
import subprocess
import sys


def parse(argv):
    from harness.contestants import DEFAULT
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--suite", default="quick", choices=["tiny", "quick", "full"])
    p.add_argument("--only", default="", help="comma-separated workload ids, e.g. E1,C2")
    p.add_argument("--contestants", default=DEFAULT)
    p.add_argument("--threads", type=int, default=2, choices=[1, 2])
    p.add_argument("--malloc", default="default", choices=["default", "tuned"],
                   help="tuned: glibc keeps freed memory (MALLOC_MMAP/TRIM_THRESHOLD_=1e9) for every contestant")
    p.add_argument("--out", default="bench/out")
    p.add_argument("--child", nargs=3, metavar=("WORKLOAD", "SIZE", "CONTESTANT"), help=argparse.SUPPRESS)
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
            "steady_median_s": None, "steady_min_s": None, "first_call_cold_s": None, "first_call_warm_s": None,
            "peak_rss_bytes": None, "rss_delta_bytes": None, "floor_s": floor[0] if floor else None,
            "floor_kind": floor[1] if floor else None, "efficiency": None, "extra": {}, "ok": False, "status": ""}


def _short(e):
    return "%s: %s" % (type(e).__name__, str(e).splitlines()[0][:160] if str(e) else "")


def measure_one(w, size, c, loaded, inp, ref, row, args, min_time, min_calls):
    """Fills one row: build, check against NumPy, then time."""
    mod, api = loaded[c]
    if mod is None:
        row["status"] = "n/a (%s)" % api
        return
    try:
        fn = w.build(api, mod, inp)
    except Exception as e:  # a contestant that cannot build this workload is n/a
        row["status"] = "n/a (%s)" % _short(e)
        return
    if fn is None:
        row["status"] = "n/a (no %s version of %s yet)" % (api, w.id)
        return
    try:
        why = measure.check(fn(), ref, row["dtype"])
    except Exception as e:  # a contestant failing at run time is reported, not fatal
        why = "raised " + _short(e)
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
            row["rss_delta_bytes"] = res["rss_delta_bytes"]
        shutil.rmtree(cache, ignore_errors=True)
    if not w.first_call:
        del fn  # the checked callable may hold its output; time a fresh one
        row["steady_median_s"], row["steady_min_s"] = measure.steady(w.build(api, mod, inp), min_time, min_calls)
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
    import numpy as np
    global contestants, measure
    from harness import calibrate, contestants, measure, report, workloads

    suite = workloads.SUITES[args.suite]
    only = [w for w in args.only.split(",") if w] or list(suite)
    for w in only:
        if w not in workloads.WORKLOADS:
            sys.exit("unknown workload %r; known: %s" % (w, ", ".join(sorted(workloads.WORKLOADS))))
    names = [c for c in args.contestants.split(",") if c]
    for c in names:
        if c not in contestants.CONTESTANTS:
            sys.exit("unknown contestant %r; known: %s" % (c, ", ".join(contestants.CONTESTANTS)))
    tiny = args.suite == "tiny"
    min_time, min_calls = (0.001, 3) if tiny else (0.3, 30)
    os.makedirs(args.out, exist_ok=True)

    k0, k0_source = (calibrate.calibrate(args.threads, n=1 << 16, gemm_n=64) if tiny
                     else calibrate.calibrate(args.threads))
    loaded = {c: contestants.load(c) for c in names}
    meta = {"threads": args.threads, "suite": args.suite, "k0_source": k0_source,
            "malloc": ",".join("%s=%s" % (k, v) for k, v in sorted(os.environ.items())
                               if k.startswith("MALLOC_")) or "default",
            "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE", "default"),
            "openblas_core": _openblas_core()}
    rows = []
    for wid in only:
        w = workloads.WORKLOADS[wid]
        for size in suite.get(wid, []):
            inp = w.inputs(size, np.random.RandomState(0))
            ref = w.reference(inp)
            floor = w.floor(size, k0, args.threads)
            for c in names:
                row = _row(w, wid, size, c, loaded[c][0], args.threads, floor)
                rows.append(row)
                print("%-3s %-34s %-15s" % (wid, str(size)[:34], c), end=" ", flush=True)
                measure_one(w, size, c, loaded, inp, ref, row, args, min_time, min_calls)
                print(report.fmt_s(report.time_of(row)) if row["ok"] else row["status"][:100], flush=True)
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump({"k0": k0, "meta": meta, "rows": rows}, f, indent=1, default=str)
    report.write_report(rows, k0, meta, os.path.join(args.out, "report.md"))
    from harness import plots
    plots.speedup(rows, os.path.join(args.out, "speedup.png"))
    plots.e2_figure(rows, os.path.join(args.out, "e2_2010_figure.png"))
    print("wrote %s" % os.path.join(args.out, "report.md"))
    return 0


def _size(s):
    return tuple(s) if isinstance(s, list) else s


if __name__ == "__main__":
    sys.exit(main())
