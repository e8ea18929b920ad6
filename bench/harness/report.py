"""results.json rows -> report.md (ratios to NumPy and to the best peer)."""
import math


def fmt_s(s):
    if s is None:
        return "n/a"
    if s < 1e-3:
        return "%.2f µs" % (s * 1e6)
    if s < 1:
        return "%.3f ms" % (s * 1e3)
    return "%.3f s" % s


def time_of(r):
    """The time a row is compared by: steady state, or the cold first call for
    compile workloads."""
    return r["steady_median_s"] if r["steady_median_s"] is not None else r["first_call_cold_s"]


def _extra(r):
    parts = []
    for k, v in sorted(r.get("extra", {}).items()):
        parts.append("%s %s" % (k, ("%.3g" % v) if isinstance(v, float) else v))
    if r.get("rss_delta_bytes"):
        parts.append("peak RSS growth %.0f MB" % (r["rss_delta_bytes"] / 1e6))
    return "; ".join(parts)


def _brief(status, limit=200):
    """A status in one short line: compiler logs stay in results.json."""
    status = " ".join(status.split())
    return status if len(status) <= limit else status[:limit - 3] + "..."


def write_report(rows, k0, meta, path):
    lines = ["# theon side-by-side benchmark", ""]
    lines.append("Machine limits measured by K0 in this run (GB/s, GFLOP/s; `_1t`/`_2t` per thread count): " +
                 ", ".join("%s %.1f" % (k, v) for k, v in sorted(k0.items())) + ".")
    lines.append("Settings: " + ", ".join("%s=%s" % kv for kv in sorted(meta.items())) + ".")
    lines.append("")
    lines.append("Speed-up is NumPy's time over the contestant's (higher is better); vs best peer is the fastest "
                 "other contestant's time over this one's; efficiency is floor / time, with the floor's kind in the "
                 "table heading. Compile workloads (C*) compare the cold first call (graph build + compile + first "
                 "result, in a fresh process). Mean is the total time over the calls (the throughput, what an "
                 "epoch takes per step), and mean speed-up compares those: on a busy machine (`--load`) a few "
                 "long stalls can leave a median fast while the run as a whole is slow.")
    speedups, missing = {}, {}
    keys = []
    for r in rows:
        k = (r["workload"], str(r["size"]))
        if k not in keys:
            keys.append(k)
    for (wid, size) in keys:
        group = [r for r in rows if r["workload"] == wid and str(r["size"]) == size]
        g0 = group[0]
        floor = " floor %s (%s)" % (fmt_s(g0["floor_s"]), g0["floor_kind"]) if g0.get("floor_s") else ""
        lines += ["", "## %s %s (size %s, %s)%s" % (wid, g0["title"], size, g0["dtype"], floor), "",
                  "| contestant | version | steady median | min | mean | speed-up vs NumPy | mean speed-up "
                  "| vs best peer | efficiency | first call cold | warm | peak RSS | figures | status |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        base = next((time_of(r) for r in group if r["contestant"] == "numpy" and r["ok"]), None)
        base_mean = next((r.get("steady_mean_s") for r in group if r["contestant"] == "numpy" and r["ok"]), None)
        for r in group:
            t = time_of(r) if r["ok"] else None
            peers = [time_of(p) for p in group if p is not r and p["ok"] and time_of(p)]
            su = base / t if base and t else None
            vb = min(peers) / t if peers and t else None
            if su:
                speedups.setdefault(r["contestant"], []).append(su)
            if not r["ok"]:
                missing.setdefault(r["contestant"], []).append("%s %s: %s" % (wid, size, _brief(r["status"])))
            mean = r.get("steady_mean_s") if r["ok"] else None
            msu = base_mean / mean if base_mean and mean else None
            lines.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                r["contestant"], r["version"], fmt_s(r["steady_median_s"] if r["ok"] else None),
                fmt_s(r["steady_min_s"] if r["ok"] else None), fmt_s(mean),
                "%.2fx" % su if su else "n/a", "%.2fx" % msu if msu else "n/a", "%.2fx" % vb if vb else "n/a",
                "%.2f" % r["efficiency"] if r.get("efficiency") else "n/a",
                fmt_s(r["first_call_cold_s"]), fmt_s(r["first_call_warm_s"]),
                "%.0f MB" % (r["peak_rss_bytes"] / 1e6) if r.get("peak_rss_bytes") else "n/a", _extra(r),
                _brief(r["status"]).replace("|", "/")))
    lines += ["", "## Geometric mean of the speed-up over NumPy", "",
              "Over the workloads each contestant ran; compare contestants on the same workloads with care.", "",
              "| contestant | geomean | workloads |", "|---|---|---|"]
    for c, v in sorted(speedups.items()):
        g = math.exp(sum(math.log(x) for x in v) / len(v))
        lines.append("| %s | %.2fx | %d |" % (c, g, len(v)))
    lines += ["", "## What did not run", ""]
    for c, why in sorted(missing.items()):
        lines.append("- **%s**: %d rows" % (c, len(why)))
        for w in why:
            lines.append("  - " + w.replace("|", "/"))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
