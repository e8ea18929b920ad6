"""theon.d3viz: a self-contained interactive HTML page of a graph (SVG drawn
by the page's own script from a layout computed in Python), and d3write's
DOT text; the page is opened in headless Chromium when it is installed."""
import json
import re
import shutil
import subprocess

import numpy as np
import pytest

import theon
import theon.d3viz as d3v
import theon.tensor as T


def _mlp(profile=False):
    x = T.dmatrix("x")
    W = theon.shared(np.ones((3, 2)), name="W")
    b = T.dvector("b")
    h = T.tanh(T.dot(x, W) + b)
    f = theon.function([x, b], [h, h.sum()], updates=[(W, W - 0.1)], profile=profile)
    return f


def _page_data(path):
    text = path.read_text()
    m = re.search(r'<script id="graph-data" type="application/json">(.*?)</script>', text, re.S)
    return text, json.loads(m.group(1))


def test_page_is_self_contained_with_nodes_edges_and_details(tmp_path):
    f = _mlp()
    out = tmp_path / "sub" / "index.html"
    d3v.d3viz(f, str(out))
    text, data = _page_data(out)
    # no network: no external scripts, stylesheets or URLs to fetch
    assert not re.search(r'<(script|link|img)[^>]+(src|href)=', text) and "http://" not in text.replace(
        'xmlns="http://www.w3.org/2000/svg"', "").replace('"http://www.w3.org/2000/svg"', "")
    labels = {n["label"] for n in data["nodes"]}
    assert "name=x TensorType(float64, matrix)" in labels and "name=W TensorType(float64, matrix)" in labels
    dot = [n for n in data["nodes"] if n["kind"] == "apply" and n["info"]["op"] == "dot"]
    assert len(dot) == 1
    info = dot[0]["info"]
    assert [i["dtype"] for i in info["inputs"]] == ["float64", "float64"]
    assert info["outputs"][0]["type"] == "TensorType(float64, matrix)" and len(info["outputs"][0]["shape"]) == 2
    assert "time" not in info and data["profiled"] is False
    ids = {n["id"] for n in data["nodes"]}
    assert all(e["src"] in ids and e["dst"] in ids for e in data["edges"])
    assert any(e["label"] == "UPDATE" for e in data["edges"])
    # the layout: every node has coordinates; a node sits below the nodes it reads
    pos = {n["id"]: n for n in data["nodes"]}
    for e in data["edges"]:
        if e["label"] != "UPDATE":
            assert pos[e["src"]]["y"] < pos[e["dst"]]["y"]
    # nodes of one layer do not overlap
    for a in data["nodes"]:
        for b in data["nodes"]:
            if a["id"] < b["id"] and a["y"] == b["y"]:
                assert abs(a["x"] - b["x"]) >= (a["w"] + b["w"]) / 2


def test_static_shapes_and_profile_times(tmp_path):
    x = T.dmatrix("x")
    c = T.constant(np.ones((2, 3)))
    f = theon.function([x], T.exp(x) + c, profile=True)
    out = tmp_path / "p.html"
    d3v.d3viz(f, str(out))
    _, data = _page_data(out)
    assert not data["profiled"]
    f(np.ones((2, 3)))
    d3v.d3viz(f, str(out))
    _, data = _page_data(out)
    apply = [n for n in data["nodes"] if n["kind"] == "apply"]
    assert data["profiled"] and all("time" in n["info"] for n in apply)
    t = apply[0]["info"]["time"]
    assert t["calls"] == 1 and t["seconds"] >= 0 and 0 <= t["percent"] <= 100
    shapes = [i["shape"] for n in apply for i in n["info"]["inputs"]]
    assert [2, 3] in shapes  # the constant's static shape


def test_variables_and_lists_and_escaping(tmp_path):
    x = T.dvector("</script><b>")
    out = tmp_path / "v.html"
    d3v.d3viz([x * 2, T.exp(x)], str(out))
    text, data = _page_data(out)
    assert "</script><b>" not in text.split('<script id="graph-data"')[1].split("</script>")[0]
    assert {n["label"] for n in data["nodes"]} >= {"Elemwise{mul,no_inplace}", "Elemwise{exp,no_inplace}"}


def test_d3write_writes_dot_text(tmp_path):
    x, y = T.dvector("x"), T.dvector("y")
    z = T.exp(x) + y
    z.name = "z"
    path = tmp_path / "g.dot"
    d3v.d3write(z, str(path))
    text = path.read_text()
    assert text.startswith("digraph G {") and text.rstrip().endswith("}")
    names = dict(re.findall(r'^(\w+) \[label="([^"]*)"', text, re.M))
    by = {v: k for k, v in names.items()}
    edges = re.findall(r"^(\w+) -> (\w+)", text, re.M)
    exp, add = by["Elemwise{exp,no_inplace}"], by["Elemwise{add,no_inplace}"]
    assert sorted(edges) == sorted([(by["name=x TensorType(float64, vector)"], exp), (exp, add),
                                    (by["name=y TensorType(float64, vector)"], add),
                                    (add, by["name=z TensorType(float64, vector)"])])


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.mark.skipif(_chromium() is None, reason="Chromium is not installed (apt-get install chromium): "
                                                "the page cannot be rendered headless")
def test_page_renders_in_headless_chromium(tmp_path):
    f = _mlp(profile=True)
    f(np.ones((4, 3)), np.ones(2))
    out = tmp_path / "index.html"
    d3v.d3viz(f, str(out))
    _, data = _page_data(out)
    assert '<g class="node' not in out.read_text()  # the page's script draws the nodes, not the file
    run = subprocess.run([_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                          "--dump-dom", out.as_uri()], capture_output=True, text=True, timeout=120)
    dom = run.stdout
    assert 'data-rendered="%d"' % len(data["nodes"]) in dom, run.stderr[-2000:]
    groups = re.findall(r'<g class="node (apply|variable)" id="node-(\w+)" data-label="([^"]*)"', dom)
    assert len(groups) == len(data["nodes"])
    labels = {g[2] for g in groups if g[0] == "apply"}
    assert any(lab.startswith("dot ") for lab in labels)  # with its profile time: "dot   (0.000s,...%)"
    assert len(re.findall(r'<path class="edge"', dom)) == len(data["edges"])
    assert re.search(r'<g id="viewport" transform="translate\([^)]*\) scale\([^)]*\)"', dom)  # fitted to the window
