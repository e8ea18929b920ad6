"""results.json rows -> report.md (ratios to NumPy and to the best peer)."""
import math


def _fmt_s(s):
    if s is None:
        return "n/a"
    if s < 1e-3:
        return "%.2f µs" % (s * 1e6)
    if s < 1:
        return "%.3f ms" % (s * 1e3)
    return "%.3f s" % s


def _time(r):
    """The time a row is compared by: steady state, or the cold first call for
    compile workloads."""
    return r["steady_median_s"] if r["steady_median_s"] is not None else r["first_call_cold_s"]


def write_report(rows, k0, meta, path):
    lines = ["# theon side-by-side benchmark", ""]
    lines.append("Machine limits measured by K0 in this run: " + ", ".join(
        "%s %.1f" % (k, v) for k, v in sorted(k0.items())) + ".")
    lines.append("Settings: " + ", ".join("%s=%s" % kv for kv in sorted(meta.items())) + ".")
    lines.append("")
    lines.append("Speed-up is NumPy's time over the contestant's (higher is better); vs best peer is the fastest "
                 "other contestant's time over this one's; efficiency is floor / time. Compile workloads (C*) "
                 "compare the cold first call (graph build + compile + first result, in a fresh process).")
    speedups = {}
    for (wid, size) in sorted({(r["workload"], str(r["size"])) for r in rows}):
        group = [r for r in rows if r["workload"] == wid and str(r["size"]) == size]
        lines += ["", "## %s %s (size %s)" % (wid, group[0]["title"], size), "",
                  "| contestant | version | steady median | min | speed-up vs NumPy | vs best peer | efficiency "
                  "| first call cold | warm | peak RSS | status |",
                  "|---|---|---|---|---|---|---|---|---|---|---|"]
        base = next((_time(r) for r in group if r["contestant"] == "numpy" and r["ok"]), None)
        for r in group:
            t = _time(r) if r["ok"] else None
            peers = [_time(p) for p in group if p is not r and p["ok"] and _time(p)]
            su = base / t if base and t else None
            vb = min(peers) / t if peers and t else None
            if su:
                speedups.setdefault(r["contestant"], []).append(su)
            lines.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                r["contestant"], r["version"], _fmt_s(r["steady_median_s"] if r["ok"] else None),
                _fmt_s(r["steady_min_s"] if r["ok"] else None),
                "%.2fx" % su if su else "n/a", "%.2fx" % vb if vb else "n/a",
                "%.2f" % r["efficiency"] if r.get("efficiency") else "n/a",
                _fmt_s(r["first_call_cold_s"]), _fmt_s(r["first_call_warm_s"]),
                "%.0f MB" % (r["peak_rss_bytes"] / 1e6) if r.get("peak_rss_bytes") else "n/a", r["status"]))
    lines += ["", "## Geometric mean of the speed-up over NumPy", "", "| contestant | geomean | workloads |",
              "|---|---|---|"]
    for c, v in sorted(speedups.items()):
        g = math.exp(sum(math.log(x) for x in v) / len(v))
        lines.append("| %s | %.2fx | %d |" % (c, g, len(v)))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
