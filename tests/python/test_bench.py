"""The benchmark harness on tiny sizes with NumPy and theon: every workload
gives a checked row, a missing contestant is n/a, a wrong answer is reported
as wrong, and the JSON and report are written. No timing assertions."""
import importlib
import json
import os

import pytest

BENCH = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "bench")


@pytest.fixture
def harness(monkeypatch):
    monkeypatch.syspath_prepend(BENCH)
    run = importlib.import_module("run")
    contestants = importlib.import_module("harness.contestants")
    workloads = importlib.import_module("harness.workloads")
    return run, contestants, workloads


def _rows(out):
    with open(os.path.join(out, "results.json")) as f:
        return json.load(f)


# What theon cannot run yet, with why; anything else must give a checked row.
THEON_NOT_YET = {
    "T4": "no scan yet",
    "T6 ['rop', 64, 8]": "no Rop yet (issue 5)",
    "O1 ['exp-trust', 10]": "no trust_input",
}


def test_every_workload_gives_a_checked_row(harness, tmp_path):
    run, _, workloads = harness
    out = str(tmp_path / "b")
    assert run.main(["--suite", "tiny", "--contestants", "numpy,theon", "--out", out]) == 0
    data = _rows(out)
    assert {"stream_copy_GBs", "stream_triad_GBs", "sgemm_GFLOPs", "dgemm_GFLOPs"} <= set(data["k0"])
    assert all(v > 0 for v in data["k0"].values())
    if data["meta"]["k0_source"] == "native":  # a C compiler was found: both thread counts and the FMA peak
        assert {"stream_copy_GBs_1t", "stream_copy_GBs_2t", "fma_f32_GFLOPs", "fma_f64_GFLOPs"} <= set(data["k0"])
    for wid, sizes in workloads.SUITES["tiny"].items():
        for c in ("numpy", "theon"):
            rows = [r for r in data["rows"] if r["workload"] == wid and r["contestant"] == c]
            assert len(rows) == len(sizes), (wid, c)
            for r in rows:
                if c == "theon" and not r["ok"] and (wid in THEON_NOT_YET or
                                                      "%s %s" % (wid, r["size"]) in THEON_NOT_YET):
                    assert r["status"].startswith("n/a"), r["status"]
                    continue
                assert r["ok"] and r["status"] == "ok", (wid, c, r["size"], r["status"])
                if workloads.WORKLOADS[wid].first_call:
                    assert r["first_call_cold_s"] > 0 and r["first_call_warm_s"] > 0 and r["peak_rss_bytes"] > 0
                else:
                    assert r["steady_median_s"] > 0 and r["steady_min_s"] <= r["steady_median_s"]
                    assert r["steady_min_s"] <= r["steady_mean_s"]
    report = open(os.path.join(out, "report.md")).read()
    for wid in workloads.SUITES["tiny"]:
        assert "## %s" % wid in report
    assert "Geometric mean" in report


def test_missing_contestant_is_na(harness, tmp_path, monkeypatch):
    run, contestants, _ = harness

    def broken():
        raise ImportError("no such peer here")
    monkeypatch.setitem(contestants.CONTESTANTS, "jax", (broken, "jax"))
    out = str(tmp_path / "b")
    assert run.main(["--suite", "tiny", "--only", "E1,O1", "--contestants", "numpy,jax", "--out", out, "--in-process"]) == 0
    rows = [r for r in _rows(out)["rows"] if r["contestant"] == "jax"]
    assert rows and all(r["status"].startswith("n/a") and not r["ok"] for r in rows)
    assert "no such peer here" in rows[0]["status"]


def test_workload_without_a_builder_is_na(harness, tmp_path):
    run, _, _ = harness
    out = str(tmp_path / "b")
    run.main(["--suite", "tiny", "--only", "T2", "--contestants", "numpy,numexpr", "--out", out])
    row = [r for r in _rows(out)["rows"] if r["contestant"] == "numexpr"][0]
    assert row["status"].startswith("n/a") and not row["ok"]


def test_wrong_answer_is_reported_not_timed(harness, tmp_path, monkeypatch):
    run, _, workloads = harness
    w = workloads.WORKLOADS["E1"]
    monkeypatch.setattr(type(w), "build_numpy", lambda self, np_, inp: (lambda: np_.zeros_like(inp[0])))
    out = str(tmp_path / "b")
    run.main(["--suite", "tiny", "--only", "E1", "--contestants", "numpy,theon", "--out", out, "--in-process"])
    rows = {r["contestant"]: r for r in _rows(out)["rows"]}
    assert rows["numpy"]["status"].startswith("wrong") and rows["numpy"]["steady_median_s"] is None
    assert rows["theon"]["ok"]


def test_unknown_workload_is_a_clear_error(harness, tmp_path):
    run, _, _ = harness
    with pytest.raises(SystemExit) as e:
        run.main(["--suite", "tiny", "--only", "Z9", "--out", str(tmp_path)])
    assert "unknown workload 'Z9'" in str(e.value)




def test_training_floors_count_only_the_products_a_step_needs(harness):
    # T1 at batch 256: forward and weight gradient of both layers plus the
    # hidden gradient of the second, 0.41 GFLOP (the perf anchors); no
    # gradient for the data x.
    _, _, workloads = harness
    k0 = {"sgemm_GFLOPs": 1.0}
    seconds, limit = workloads.WORKLOADS["T1"].floor((256, 12_800), k0, 2)
    assert seconds == pytest.approx(2 * 256 * (2 * 784 * 500 + 3 * 500 * 10) / 1e9) and limit == "sgemm"
    assert workloads.WORKLOADS["T2"].floor(256, k0, 2)[0] == pytest.approx(2 * 2 * 256 * 784 * 10 / 1e9)
    # An LSTM step (4 gates): gate products forward and for the weights over (input, hidden), plus the hidden gradient.
    seconds, _ = workloads.WORKLOADS["T4"].floor(("lstm", 100, 32, 128, 256), k0, 2)
    assert seconds == pytest.approx(2 * 100 * 32 * 4 * 256 * (2 * (128 + 256) + 256) / 1e9)
