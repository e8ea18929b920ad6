"""PNG plots (when matplotlib is installed): speed-up over NumPy per workload,
and the 2010 paper's elementwise figure (E2) redrawn."""
from .report import time_of


def _plt():
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        return plt
    except ImportError:
        return None


def _numpy_time(rows, r):
    return next((time_of(b) for b in rows if b["workload"] == r["workload"] and str(b["size"]) == str(r["size"])
                 and b["contestant"] == "numpy" and b["ok"]), None)


def speedup(rows, path):
    plt = _plt()
    if plt is None:
        return
    rows = [r for r in rows if r["workload"] != "E2"]  # E2 has its own figure
    labels = []
    for r in rows:
        key = "%s %s" % (r["workload"], r["size"])
        if key not in labels:
            labels.append(key)
    series = {}
    for r in rows:
        base, mine = _numpy_time(rows, r), time_of(r) if r["ok"] else None
        series.setdefault(r["contestant"], {})["%s %s" % (r["workload"], r["size"])] = \
            base / mine if base and mine else 0
    fig, ax = plt.subplots(figsize=(max(6, len(labels) * 0.9), 4.5))
    width = 0.8 / max(len(series), 1)
    for i, (c, vals) in enumerate(sorted(series.items())):
        ax.bar([j + i * width for j in range(len(labels))], [vals.get(k, 0) for k in labels], width, label=c)
    ax.set_xticks([j + 0.4 - width / 2 for j in range(len(labels))])
    ax.set_xticklabels(labels, rotation=40, ha="right", fontsize=7)
    ax.set_ylabel("speed-up over NumPy")
    ax.set_yscale("log")
    ax.axhline(1, color="k", lw=0.5)
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def e2_figure(rows, path):
    """One panel per expression: speed-up over NumPy against the array size,
    log-x from 1e3 to 1e7, one line per contestant (the 2010 figure "multi")."""
    plt = _plt()
    rows = [r for r in rows if r["workload"] == "E2"]
    if plt is None or not rows:
        return
    panels = []
    for r in rows:
        key = (r["size"][0], r["size"][2])
        if key not in panels:
            panels.append(key)
    fig, axes = plt.subplots(1, len(panels), figsize=(3.2 * len(panels), 3.2), squeeze=False)
    for ax, (expr, dt) in zip(axes[0], panels):
        for c in sorted({r["contestant"] for r in rows}):
            pts = []
            for r in rows:
                if r["contestant"] == c and r["size"][0] == expr and r["size"][2] == dt and r["ok"]:
                    base = _numpy_time(rows, r)
                    if base:
                        pts.append((r["size"][1], base / time_of(r)))
            if pts:
                pts.sort()
                ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", ms=3, label=c)
        ax.set_xscale("log")
        ax.axhline(1, color="k", lw=0.5)
        ax.set_title("%s (%s)" % (expr, dt), fontsize=8)
        ax.set_xlabel("array size")
    axes[0][0].set_ylabel("speed-up over NumPy")
    axes[0][-1].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
