"""The d3viz page: a layered layout computed here (longest-path layers,
barycentric ordering within a layer) and an HTML template whose small
script draws the nodes and edges as SVG and handles zoom, pan and the
details panel. Everything is in the one file: it opens without a network."""
import json
import os

from .. import printing as _printing

_NODE_H = 36
_LAYER_GAP = 70
_NODE_GAP = 28


def _width(label):
    return max(60, 7 * len(label) + 28)


def layout(model, sweeps=8):
    """Coordinates for a _graph_model's nodes: {id: (x, y, width, height)}.

    Layers are the longest path from a source (inputs on top, outputs
    below); within a layer nodes are ordered by the mean position of their
    neighbours in the layer above, then below, a few times over (fewer
    crossings); each node is then placed under its parents where the
    spacing allows."""
    ids = [n["id"] for n in model["nodes"]]
    width = {n["id"]: _width(n["label"]) for n in model["nodes"]}
    preds = {i: [] for i in ids}
    succs = {i: [] for i in ids}
    for e in model["edges"]:
        if e["src"] in preds and e["dst"] in preds and e["src"] != e["dst"] and not e.get("update"):
            preds[e["dst"]].append(e["src"])
            succs[e["src"]].append(e["dst"])
    # longest-path layering, in a topological order of the drawn edges
    indeg = {i: len(preds[i]) for i in ids}
    order, ready = [], [i for i in ids if indeg[i] == 0]
    while ready:
        i = ready.pop(0)
        order.append(i)
        for s in succs[i]:
            indeg[s] -= 1
            if indeg[s] == 0:
                ready.append(s)
    order += [i for i in ids if i not in set(order)]  # a cycle cannot happen; be safe anyway
    layer = {}
    for i in order:
        layer[i] = 1 + max((layer[p] for p in preds[i] if p in layer), default=-1)
    # a source is placed just above its first reader (inputs sit by their use)
    for i in order:
        if not preds[i] and succs[i]:
            layer[i] = max(0, min(layer[s] for s in succs[i]) - 1)
    n_layers = 1 + max(layer.values(), default=0)
    rows = [[] for _ in range(n_layers)]
    for i in order:
        rows[layer[i]].append(i)
    pos = {}

    def renumber(row):
        for k, i in enumerate(row):
            pos[i] = k

    for row in rows:
        renumber(row)

    def bary(i, nbrs):
        ps = [pos[p] for p in nbrs[i]]
        return sum(ps) / len(ps) if ps else pos[i]

    for _ in range(sweeps):
        for row in rows[1:]:
            row.sort(key=lambda i: bary(i, preds))
            renumber(row)
        for row in reversed(rows[:-1]):
            row.sort(key=lambda i: bary(i, succs))
            renumber(row)
    # x: each node under its parents' mean where the spacing allows
    x = {}
    for row in rows:
        want = []
        nxt = None
        for i in row:
            ps = [x[p] for p in preds[i] if p in x]
            w = sum(ps) / len(ps) if ps else None
            want.append(w)
        for k, i in enumerate(row):
            lo = None if nxt is None else nxt + width[i] / 2.0
            w = want[k] if want[k] is not None else (lo if lo is not None else 0.0)
            x[i] = w if lo is None else max(w, lo)
            nxt = x[i] + width[i] / 2.0 + _NODE_GAP
        placed = [x[i] for i in row if True]
        wanted = [w for w in want if w is not None]
        if row and wanted:  # shift the row so that it sits centred on what it wanted
            shift = sum(wanted) / len(wanted) - sum(placed) / len(placed)
            for i in row:
                x[i] += shift
    xs = [x[i] - width[i] / 2.0 for i in ids] or [0.0]
    left = min(xs)
    return {i: (x[i] - left + 20.0, 20.0 + layer[i] * (_NODE_H + _LAYER_GAP), width[i], _NODE_H) for i in ids}


def _page_data(fct, title, **kwargs):
    model = _printing._graph_model(fct, **kwargs)
    coords = layout(model)
    nodes = []
    for n in model["nodes"]:
        cx, cy, w, h = coords[n["id"]]
        nodes.append({"id": n["id"], "label": n["label"], "shape": n["shape"], "kind": n["kind"],
                      "role": n.get("role"), "color": n["color"], "filled": n["filled"], "x": cx, "y": cy,
                      "w": w, "h": h, "info": n["info"]})
    edges = [{k: e.get(k) for k in ("src", "dst", "label", "color")} for e in model["edges"]]
    profiled = any("time" in n["info"] for n in model["nodes"])
    return {"title": title, "nodes": nodes, "edges": edges, "profiled": profiled}


def _safe_json(obj):
    """JSON that can sit inside a <script> element."""
    return (json.dumps(obj, sort_keys=True).replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("&", "\\u0026"))


def _html_escape(s):
    return str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def d3viz(fct, outfile, copy_deps=True, *args, **kwargs):
    """Writes an interactive HTML page of a graph to ``outfile``.

    ``fct`` is a compiled function (its optimized graph), a variable, an
    Apply node or a list of variables. The page is self-contained (opens
    offline): nodes and edges drawn as SVG with pydotprint's colours, zoom
    with the mouse wheel, pan by dragging, and a click or hover on a node
    shows its op, inputs and outputs (type, dtype, static shape) and, for a
    profiled function that has been called, its time. ``copy_deps`` is
    accepted for Theano's signature (there is nothing to copy); further
    arguments are pydotprint's drawing options (``compact``,
    ``with_ids``, ``max_label_size``, ``var_with_name_simple``, ...).
    """
    title = kwargs.pop("title", None) or getattr(fct, "name", None) or "theon graph"
    names = ("compact", "with_ids", "high_contrast", "cond_highlight", "colorCodes", "max_label_size",
             "var_with_name_simple")
    kwargs.update(zip(names, args))
    data = _page_data(fct, str(title), **kwargs)
    folder = os.path.dirname(outfile)
    if folder:
        os.makedirs(folder, exist_ok=True)
    page = (_TEMPLATE.replace("%%TITLE%%", _html_escape(title))
            .replace("%%GRAPH%%", _safe_json(data)))
    with open(outfile, "w", encoding="utf-8") as f:
        f.write(page)
    return outfile


def d3write(fct, path, *args, **kwargs):
    """Writes a graph as Graphviz DOT text to ``path`` (pydotprint's
    drawing; needs neither pydot nor Graphviz)."""
    names = ("compact", "with_ids", "high_contrast", "cond_highlight", "colorCodes", "max_label_size",
             "var_with_name_simple")
    kwargs.update(zip(names, args))
    text = _printing._dot_text(_printing._graph_model(fct, **kwargs))
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


_TEMPLATE = r"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>%%TITLE%%</title>
<style>
  html, body { margin: 0; height: 100%; font-family: sans-serif; font-size: 13px; }
  #bar { position: fixed; top: 0; left: 0; right: 0; height: 32px; padding: 6px 10px; box-sizing: border-box;
         background: #f4f4f4; border-bottom: 1px solid #ccc; z-index: 2; }
  #bar button { margin-left: 8px; }
  #canvas { position: fixed; top: 32px; left: 0; right: 340px; bottom: 0; width: calc(100% - 340px);
            height: calc(100% - 32px); cursor: grab; background: white; }
  #canvas.dragging { cursor: grabbing; }
  #details { position: fixed; top: 32px; right: 0; width: 340px; bottom: 0; overflow: auto; box-sizing: border-box;
             padding: 8px 10px; border-left: 1px solid #ccc; background: #fafafa; }
  #details table { border-collapse: collapse; width: 100%; }
  #details td { border-top: 1px solid #ddd; padding: 2px 4px; vertical-align: top; word-break: break-all; }
  #details h3 { margin: 4px 0 8px 0; font-size: 14px; word-break: break-all; }
  g.node { cursor: pointer; }
  g.node text { font-size: 12px; pointer-events: none; }
  g.node.selected ellipse, g.node.selected rect { stroke-width: 3px; stroke: #d62728; }
  g.node.hover ellipse, g.node.hover rect { stroke-width: 2.5px; }
  path.edge { fill: none; stroke: black; stroke-width: 1.2px; }
  path.edge.lit { stroke-width: 2.5px; }
  text.elabel { font-size: 10px; fill: #555; }
</style>
</head>
<body>
<div id="bar"><b id="title">%%TITLE%%</b>
  <button id="fit" type="button">Fit</button><button id="reset" type="button">100%</button>
  <span style="color:#666; margin-left: 10px">wheel: zoom, drag: pan, click or hover a node: details</span></div>
<svg id="canvas" xmlns="http://www.w3.org/2000/svg"></svg>
<div id="details"><i>Click or hover a node to see its details.</i></div>
<script id="graph-data" type="application/json">%%GRAPH%%</script>
<script>
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  var svg = document.getElementById("canvas");
  var details = document.getElementById("details");
  // Graphviz's named colours, lightened so that black labels stay readable
  var LIGHT = {green: "#9be39b", blue: "#9cc2ff", cyan: "#b5f4f4", grey: "#d4d4d4", red: "#ff9c9c",
               yellow: "#fff59d", brown: "#dcb98f", magenta: "#f3a6f3"};
  var byId = {}, view = {x: 0, y: 0, k: 1}, selected = null;
  data.nodes.forEach(function (n) { byId[n.id] = n; });

  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    Object.keys(attrs || {}).forEach(function (a) { e.setAttribute(a, attrs[a]); });
    if (parent) parent.appendChild(e);
    return e;
  }
  var defs = el("defs", {}, svg);
  var marker = el("marker", {id: "arrow", viewBox: "0 0 10 10", refX: "10", refY: "5", markerWidth: "8",
                             markerHeight: "8", orient: "auto-start-reverse"}, defs);
  el("path", {d: "M 0 0 L 10 5 L 0 10 z"}, marker);
  var root = el("g", {id: "viewport"}, svg);
  var edgeLayer = el("g", {"class": "edges"}, root), nodeLayer = el("g", {"class": "nodes"}, root);

  function apply() { root.setAttribute("transform", "translate(" + view.x + "," + view.y + ") scale(" + view.k + ")"); }

  data.edges.forEach(function (e, k) {
    var s = byId[e.src], d = byId[e.dst];
    if (!s || !d) return;
    var x1 = s.x, y1 = s.y + s.h / 2, x2 = d.x, y2 = d.y - d.h / 2;
    if (y2 <= y1) { y1 = s.y; y2 = d.y; }
    var my = (y1 + y2) / 2;
    var p = el("path", {"class": "edge", id: "edge-" + k, "data-src": e.src, "data-dst": e.dst,
                        d: "M" + x1 + "," + y1 + " C" + x1 + "," + my + " " + x2 + "," + my + " " + x2 + "," + y2,
                        "marker-end": "url(#arrow)"}, edgeLayer);
    if (e.color) p.style.stroke = e.color;
    if (e.label) {
      var t = el("text", {"class": "elabel", x: (x1 + x2) / 2 + 4, y: my}, edgeLayer);
      t.textContent = e.label;
    }
  });

  data.nodes.forEach(function (n) {
    var g = el("g", {"class": "node " + n.kind, id: "node-" + n.id, "data-label": n.label,
                     transform: "translate(" + n.x + "," + n.y + ")"}, nodeLayer);
    var fill = n.color && n.filled ? (LIGHT[n.color] || n.color) : "white";
    var stroke = n.color && !n.filled ? n.color : "black";
    if (n.shape === "ellipse") el("ellipse", {rx: n.w / 2, ry: n.h / 2, fill: fill, stroke: stroke}, g);
    else el("rect", {x: -n.w / 2, y: -n.h / 2, width: n.w, height: n.h, fill: fill, stroke: stroke}, g);
    var t = el("text", {"text-anchor": "middle", "dominant-baseline": "central"}, g);
    t.textContent = n.label;
    el("title", {}, g).textContent = n.label;
    g.addEventListener("mouseenter", function () { g.classList.add("hover"); light(n.id, true); if (!selected) show(n); });
    g.addEventListener("mouseleave", function () { g.classList.remove("hover"); light(n.id, false); if (selected) show(selected); });
    g.addEventListener("click", function (ev) {
      ev.stopPropagation();
      if (selected) document.getElementById("node-" + selected.id).classList.remove("selected");
      selected = n; g.classList.add("selected"); show(n);
    });
  });

  function light(id, on) {
    Array.prototype.forEach.call(edgeLayer.querySelectorAll("path.edge"), function (p) {
      if (p.getAttribute("data-src") === id || p.getAttribute("data-dst") === id) p.classList.toggle("lit", on);
    });
  }
  function shape(s) { return s ? "(" + s.map(String).join(", ") + (s.length === 1 ? "," : "") + ")" : "?"; }
  function row(table, k, v) {
    var tr = document.createElement("tr"), a = document.createElement("td"), b = document.createElement("td");
    a.textContent = k; b.textContent = v; tr.appendChild(a); tr.appendChild(b); table.appendChild(tr);
  }
  function vars(table, what, list) {
    list.forEach(function (v, k) {
      row(table, what + " " + k, (v.name ? v.name + ": " : "") + v.type + ", dtype " + v.dtype + ", shape " + shape(v.shape));
    });
  }
  function show(n) {
    var i = n.info;
    details.textContent = "";
    var h = document.createElement("h3"); h.textContent = n.label; details.appendChild(h);
    var table = document.createElement("table"); details.appendChild(table);
    if (n.kind === "apply") {
      row(table, "op", i.op); row(table, "class", i.kind); row(table, "run order", String(i.position));
      vars(table, "input", i.inputs); vars(table, "output", i.outputs);
      if (i.time) {
        row(table, "time", i.time.seconds.toExponential(3) + " s (" + i.time.percent.toFixed(1) + "% of the function)");
        row(table, "with ancestors", i.time.total_seconds.toExponential(3) + " s");
        row(table, "calls", String(i.time.calls));
      } else if (data.profiled === false) {
        row(table, "time", "not profiled (compile with profile=True and call the function)");
      }
    } else {
      row(table, "variable", i.role); if (i.name) row(table, "name", i.name);
      row(table, "type", i.type); row(table, "dtype", String(i.dtype)); row(table, "shape", shape(i.shape));
      if (i.value !== undefined) row(table, "value", i.value);
      if (i.updates) row(table, "updates", i.updates);
    }
  }

  function fit() {
    var b = root.getBBox(), w = svg.clientWidth || 800, h = svg.clientHeight || 600;
    if (!b.width || !b.height) { view = {x: 0, y: 0, k: 1}; apply(); return; }
    view.k = Math.min(2, 0.95 * Math.min(w / b.width, h / b.height));
    view.x = (w - b.width * view.k) / 2 - b.x * view.k; view.y = (h - b.height * view.k) / 2 - b.y * view.k;
    apply();
  }
  svg.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    var r = svg.getBoundingClientRect(), px = ev.clientX - r.left, py = ev.clientY - r.top;
    var f = Math.exp(-ev.deltaY * 0.0015), k = Math.max(0.05, Math.min(20, view.k * f));
    view.x = px - (px - view.x) * k / view.k; view.y = py - (py - view.y) * k / view.k; view.k = k; apply();
  }, {passive: false});
  var drag = null;
  svg.addEventListener("mousedown", function (ev) { drag = {x: ev.clientX - view.x, y: ev.clientY - view.y, moved: false}; svg.classList.add("dragging"); });
  window.addEventListener("mousemove", function (ev) {
    if (!drag) return;
    view.x = ev.clientX - drag.x; view.y = ev.clientY - drag.y; drag.moved = true; apply();
  });
  window.addEventListener("mouseup", function () { drag = null; svg.classList.remove("dragging"); });
  svg.addEventListener("click", function () {
    if (selected) { document.getElementById("node-" + selected.id).classList.remove("selected"); selected = null; }
  });
  document.getElementById("fit").addEventListener("click", fit);
  document.getElementById("reset").addEventListener("click", function () { view = {x: 0, y: 0, k: 1}; apply(); });
  fit();
  svg.setAttribute("data-rendered", String(data.nodes.length));
})();
</script>
</body>
</html>
"""
