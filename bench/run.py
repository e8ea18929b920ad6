"""theon side-by-side benchmark driver.

    python bench/run.py --suite quick --out bench/out
    python bench/run.py --suite tiny --only E1,O1 --contestants numpy,theon --out /tmp/b

Writes OUT/results.json (one row per workload, size, contestant), OUT/report.md
and, when matplotlib is installed, OUT/speedup.png. See bench/README.md.
"""
import argparse
import json
import os
import sys


def parse(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--suite", default="quick", choices=["tiny", "quick", "full"])
    p.add_argument("--only", default="", help="comma-separated workload ids, e.g. E1,C2")
    p.add_argument("--contestants", default="numpy,theon,numexpr,pytensor,jax,torch,theano")
    p.add_argument("--threads", type=int, default=2, choices=[1, 2])
    p.add_argument("--out", default="bench/out")
    p.add_argument("--child", nargs=3, metavar=("WORKLOAD", "SIZE", "CONTESTANT"), help=argparse.SUPPRESS)
    return p.parse_args(argv)


def main(argv=None):
    args = parse(argv)
    if args.child:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from harness.measure import child_main
        w, size, c = args.child
        return child_main(w, _size(json.loads(size)), c)
    # Same thread counts for every contestant, set before any of them loads.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
                "NUMBA_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=%s" % ("true" if args.threads > 1 else "false"))
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import numpy as np
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

    k0 = calibrate.calibrate(n=1 << 16, gemm_n=64) if tiny else calibrate.calibrate()
    loaded = {c: contestants.load(c) for c in names}
    meta = {"threads": args.threads, "suite": args.suite,
            "malloc": ",".join("%s=%s" % (k, v) for k, v in os.environ.items() if k.startswith("MALLOC_")) or "default",
            "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE", "default")}
    rows = []
    for wid in only:
        w = workloads.WORKLOADS[wid]
        for size in suite.get(wid, []):
            inp = w.inputs(size, np.random.RandomState(0))
            ref = w.reference(inp)
            floor = w.floor(size, k0, args.threads)
            for c in names:
                mod, api = loaded[c]
                row = {"workload": wid, "title": w.title, "size": size, "dtype": w.dtype, "threads": args.threads,
                       "contestant": c, "version": contestants.version(mod) if mod is not None else "n/a",
                       "steady_median_s": None, "steady_min_s": None, "first_call_cold_s": None,
                       "first_call_warm_s": None, "peak_rss_bytes": None, "floor_s": floor, "efficiency": None,
                       "ok": False, "status": ""}
                rows.append(row)
                if mod is None:
                    row["status"] = "n/a (%s)" % api
                    continue
                try:
                    fn = w.build(api, mod, inp)
                except Exception as e:  # a contestant that cannot build this workload is n/a
                    row["status"] = "n/a (%s: %s)" % (type(e).__name__, str(e).splitlines()[0][:120])
                    continue
                if fn is None:
                    row["status"] = "n/a (no %s version of %s yet)" % (api, wid)
                    continue
                try:
                    why = measure.check(fn(), ref, w.dtype)
                except Exception as e:  # a contestant failing at run time is reported, not fatal
                    why = "raised %s: %s" % (type(e).__name__, str(e).splitlines()[0][:120] if str(e) else "")
                if why:
                    row["status"] = "wrong: " + why
                    continue
                row["ok"], row["status"] = True, "ok"
                if w.first_call:
                    cache = measure.scratch_dir()
                    for key in ("first_call_cold_s", "first_call_warm_s"):
                        t, rss = measure.child_first_call(wid, size, c, cache, os.environ)
                        if t is None:
                            row["status"] = "first call failed: %s" % rss
                            break
                        row[key], row["peak_rss_bytes"] = t, rss
                    continue  # compile workloads have no steady state
                row["steady_median_s"], row["steady_min_s"] = measure.steady(fn, min_time, min_calls)
                if floor:
                    row["efficiency"] = floor / row["steady_median_s"]
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump({"k0": k0, "meta": meta, "rows": rows}, f, indent=1, default=str)
    report.write_report(rows, k0, meta, os.path.join(args.out, "report.md"))
    _plot(rows, os.path.join(args.out, "speedup.png"))
    print("wrote %s" % os.path.join(args.out, "report.md"))
    return 0


def _size(s):
    return tuple(s) if isinstance(s, list) else s


def _plot(rows, path):
    from harness.report import _time
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    labels, series = [], {}
    for r in rows:
        key = "%s %s" % (r["workload"], r["size"])
        if key not in labels:
            labels.append(key)
    for c in sorted({r["contestant"] for r in rows}):
        vals = []
        for key in labels:
            base = next((_time(r) for r in rows if "%s %s" % (r["workload"], r["size"]) == key
                         and r["contestant"] == "numpy" and r["ok"]), None)
            mine = next((_time(r) for r in rows if "%s %s" % (r["workload"], r["size"]) == key
                         and r["contestant"] == c and r["ok"]), None)
            vals.append(base / mine if base and mine else 0)
        series[c] = vals
    fig, ax = plt.subplots(figsize=(max(6, len(labels) * 1.2), 4))
    width = 0.8 / max(len(series), 1)
    for i, (c, vals) in enumerate(series.items()):
        ax.bar([j + i * width for j in range(len(labels))], vals, width, label=c)
    ax.set_xticks([j + 0.4 - width / 2 for j in range(len(labels))])
    ax.set_xticklabels(labels, rotation=30, ha="right")
    ax.set_ylabel("speed-up over NumPy")
    ax.axhline(1, color="k", lw=0.5)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)


if __name__ == "__main__":
    sys.exit(main())
