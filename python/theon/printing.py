"""Graph printing (Theano's theano.printing): pprint gives an expression as
one line of math; debugprint gives the graph as an indented tree, one node
per line, with ids for values used more than once; pydotprint draws it with
Graphviz (optional: pydot and Graphviz); min_informative_str and
var_descriptor describe a variable by its named ancestors."""
import hashlib
import io
import logging
import os
import re
import sys

import numpy as np

from .tensor.graph_api import Op as _Op

_INFIX = {"add": ("+", 1), "sub": ("-", 1), "mul": ("*", 2), "true_div": ("/", 2), "int_div": ("//", 2),
          "mod": ("%", 2), "pow": ("**", 3), "lt": ("<", 0), "gt": (">", 0), "le": ("<=", 0), "ge": (">=", 0),
          "eq": ("==", 0), "neq": ("!=", 0), "and_": ("&", 0), "or_": ("|", 0), "xor": ("^", 0)}




def _leaf(v):
    from .tensor.basic import TensorConstant
    if isinstance(v, TensorConstant):
        import numpy as np
        d = np.asarray(v.data)
        return repr(d.item()) if d.ndim == 0 else "TensorConstant{%s}" % (d.tolist() if d.size <= 6 else d.shape,)
    return v.name or "<%s>" % (v.type,)


def _pp(v, prec=-1):
    owner = v.owner
    if owner is None:
        return _leaf(v)
    op = owner.op
    fn = op.scalar_op  # the elementwise function ('add'), None for other ops
    args = owner.inputs
    if fn in _INFIX and len(args) == 2:
        sym, p = _INFIX[fn]
        # parentheses only where precedence or associativity needs them
        left, right = (p + 1, p) if fn == "pow" else (p, p + 1 if fn in ("sub", "true_div", "int_div", "mod") else p)
        s = "%s %s %s" % (_pp(args[0], left), sym, _pp(args[1], right))
        return "(%s)" % s if p < prec else s
    if fn == "neg":
        return "-%s" % _pp(args[0], 4)
    if op.kind == "DimShuffle":
        order = op.new_order
        kept = [o for o in order if o != "x"]
        if kept == sorted(kept) and len(kept) == args[0].ndim:  # only broadcast axes added: implicit in math
            return _pp(args[0], prec)
        return "%s.dimshuffle(%s)" % (_pp(args[0], 5), ",".join(str(o) for o in order))
    if op.kind == "Subtensor":  # x[1, ::2] as it was written (a constant index as Theano printed it)
        def part(i):
            if i is None:
                return ""
            return "Constant{%s}" % _leaf(i) if _is_constant(i) and i.ndim == 0 else _pp(i)
        idx = [":".join(part(i) for i in e[1:]).rstrip(":") or ":" if e[0] == "slice" else part(e[1])
               for e in owner.index_entries]
        while len(idx) > 1 and idx[-1] == ":":  # the axes a shorter index leaves whole
            idx.pop()
        return "%s[%s]" % (_pp(args[0], 6), ", ".join(idx))
    name = fn or str(op)
    if len(owner.outputs) > 1:
        name += ".%d" % owner.outputs.index(v) if v in owner.outputs else ""
    return "%s(%s)" % (name, ", ".join(_pp(a) for a in args))


def _is_constant(v):
    from .tensor.basic import TensorConstant
    return isinstance(v, TensorConstant)


def pprint(obj):
    """The expression of a variable (or of each of a list) as one line."""
    if isinstance(obj, (list, tuple)):
        return "\n".join(pprint(o) for o in obj)
    return _pp(obj)


_logger = logging.getLogger("theano.printing")


def _nkey(node):
    return ("node", node.outputs[0]._id)


def _vkey(v):
    return ("var", v._id)


def char_from_number(number):
    """0 -> 'A', 25 -> 'Z', 26 -> 'BA': Theano's ids (base 26 in capitals)."""
    out = ""
    while True:
        out = chr(65 + number % 26) + out
        number //= 26
        if number == 0:
            return out


def _op_str(op):
    from .gof.graph import op_str
    return op_str(op)


def _is_function(obj):
    return getattr(obj, "maker", None) is not None and hasattr(obj.maker, "fgraph")


def _is_apply(obj):
    return hasattr(obj, "op") and hasattr(obj, "inputs") and hasattr(obj, "outputs")


def _is_fgraph(obj):
    return hasattr(obj, "toposort") and hasattr(obj, "outputs") and not _is_apply(obj)


def _is_variable(obj):
    return hasattr(obj, "owner") and hasattr(obj, "type")


def _total_times(topo, apply_time):
    """Theano's ProfileStats.compute_total_times: a node's time plus the total
    times of the nodes computing its inputs (an upper bound: shared ancestors
    count once per path)."""
    total = {}
    for node in topo:
        k = _nkey(node)
        if k not in apply_time:
            continue
        t = apply_time[k]
        for i in node.inputs:
            if i.owner is not None and _nkey(i.owner) in total:
                t += total[_nkey(i.owner)]
        total[k] = t
    return total


def _profile_times(profile, topo):
    """{node key: seconds}, {node key: total seconds} and the function's call
    time of a profile that has been called, else None."""
    if profile is None or not getattr(profile, "fct_callcount", 0):
        return None
    own = {_nkey(n): s for n, s in profile.apply_time.items()}
    calls = {_nkey(n): c for n, c in getattr(profile, "apply_callcount", {}).items()}
    return own, _total_times(topo, own), profile.fct_call_time, calls


_TIMING_HEADER = """
Timing Info
-----------
--> <time> <% time> - <total time> <% total time>'

<time>         computation time for this node
<% time>       fraction of total computation time for this node
<total time>   time for this node + total times for this node's ancestors
<% total time> total time for this node over total computation time

N.B.:
* Times include the node time and the function overhead.
* <total time> and <% total time> may over-count computation times
  if inputs to a node share a common ancestor and should be viewed as a
  loose upper bound. Their intended use is to help rule out potential nodes
  to remove when optimizing a graph because their <total time> is very low.
"""


def debugprint(obj, depth=-1, print_type=False, file=None, ids="CHAR", stop_on_name=False,
               done=None, print_storage=False, print_clients=False, used_ids=None):
    """Prints a graph as an indented tree, Theano's format.

    ``obj`` is a variable, an Apply node, a compiled function (its optimized
    graph), a FunctionGraph, or a list of them. Each line is a node's op (or
    an input's name) with an id; a node met again is shown with the same id
    and not expanded again. Lines of a compiled function also give the
    node's position in the run order. ``ids`` is ``'CHAR'`` (A, B, ...),
    ``'int'``, ``'id'`` or ``''``; ``depth`` limits the levels printed;
    ``stop_on_name`` does not expand named variables; ``print_clients``
    lists who reads a node that has several readers; ``print_storage``
    shows each value's storage cell (theon keeps none between calls:
    ``[None]``). A profiled function that has been called shows each node's
    time. ``file='str'`` returns the text, otherwise it is written to
    ``file`` (default stdout) and ``file`` is returned.
    """
    if not isinstance(depth, int):
        raise TypeError("debugprint: depth must be an int, got %r" % (depth,))
    out = io.StringIO() if file == "str" else (sys.stdout if file is None else file)
    if done is None:
        done = {}
    used_ids = {}  # as in Theano: ids start afresh at each call
    entries = []  # (variable, profile, run order or None)
    notes = {}  # entry index -> what its line adds (a compiled function's update outputs: 'update of w')
    for o in (obj if isinstance(obj, (list, tuple, set)) else [obj]):
        if _is_function(o):
            fg = o.maker.fgraph
            topo = list(fg.toposort())
            outs = list(fg.outputs)
            first_update = len(entries) + len(outs) - len(_updates_of(o, fg, outs))
            for k, (_, target) in enumerate(_updates_of(o, fg, outs)):
                notes[first_update + k] = "update of %s" % (target.name or target)
            entries += [(v, o.profile, topo, fg) for v in outs]
        elif _is_apply(o):
            entries += [(v, None, None, None) for v in o.outputs]
        elif _is_variable(o):
            entries.append((o, None, None, None))
        elif _is_fgraph(o):
            topo = list(o.toposort())
            entries += [(v, getattr(o, "profile", None), topo, o) for v in o.outputs]
        elif isinstance(o, (int, float, np.ndarray)):
            print(o, file=out)
        elif hasattr(o, "variable"):  # In, Out
            entries.append((o.variable, None, None, None))
        else:
            raise TypeError("debugprint cannot print an object of type %s: %r" % (type(o).__name__, o))

    profiles = {}
    for _, p, topo, _ in entries:
        if p is not None and id(p) not in profiles:
            profiles[id(p)] = _profile_times(p, topo)
    if any(t is not None for t in profiles.values()):
        print(_TIMING_HEADER, file=out)

    def id_of(key, printed=True):
        if key in used_ids:
            s = used_ids[key]
        elif key == "output":
            s = "output"
        elif ids == "int":
            s = "[id %d]" % len(used_ids)
        elif ids == "CHAR":
            s = "[id %s]" % char_from_number(len(used_ids))
        elif ids == "id":
            s = "[id %d]" % (key[1],)
        else:
            s = ""
        if printed:
            done[key] = s
        used_ids[key] = s
        return s

    scan_nodes = []
    clients_cache = {}

    def clients(fg, topo):
        if id(fg) not in clients_cache:
            c = {}
            for k, v in enumerate(fg.outputs):
                c.setdefault(_vkey(v), []).append(("output", k))
            for node in topo:
                for k, v in enumerate(node.inputs):
                    c.setdefault(_vkey(v), []).append((node, k))
            clients_cache[id(fg)] = c
        return clients_cache[id(fg)]

    def visit(r, prefix, prefix_child, depth, times, topo, fg, note=None):
        if depth == 0:
            return
        typ = " <%s>" % (r.type,) if print_type else ""
        tail = " -> %s" % note if note else ""
        if r.owner is None:
            data = " [None]" if print_storage and topo is not None else ""
            print("%s%s %s%s%s%s" % (prefix, r, id_of(_vkey(r)), typ, data, tail), file=out)
            return
        node = r.owner
        key = _nkey(node)
        seen = key in done
        ident = id_of(key)
        idx = "" if len(node.outputs) == 1 else ".%d" % [o == r for o in node.outputs].index(True)
        order = str(topo.index(node)) if topo else ""
        data = " [None]" if print_storage and topo is not None else ""
        cl = ""
        if print_clients and topo is not None:
            readers = clients(fg, topo).get(_vkey(r), [])
            if len(readers) > 1:
                cl = " clients:" + str([(id_of("output" if c == "output" else _nkey(c), False),
                                         "" if c == "output" else topo.index(c)) for c, _ in readers])
        line = "%s%s%s %s%s '%s' %s %s %s%s%s" % (prefix, _op_str(node.op), idx, ident, typ, r.name or "",
                                                  "", "", order, data, cl)
        if times is not None and key in times[0]:
            own, tot, call = times[0][key], times[1][key], times[2] or 1.0
            line += " --> %8.2es %4.1f%% %8.2es %4.1f%%" % (own, 100.0 * own / call, tot, 100.0 * tot / call)
        print(line + tail, file=out)
        if seen or (stop_on_name and r.name is not None):
            return
        for k, i in enumerate(node.inputs):
            if i.owner is not None and i.owner.op.kind == "Scan" and all(_nkey(i.owner) != _nkey(s.owner)
                                                                        for s in scan_nodes):
                scan_nodes.append(i)
            last = k == len(node.inputs) - 1
            visit(i, prefix_child + " |", prefix_child + ("  " if last else " |"), depth - 1, times, topo, fg)

    for k, (r, p, topo, fg) in enumerate(entries):
        if r.owner is not None and r.owner.op.kind == "Scan":
            scan_nodes.append(r)
        visit(r, "", "", depth, profiles.get(id(p)) if p is not None else None, topo, fg, notes.get(k))

    if scan_nodes:
        print("", file=out)
        print("Inner graphs of the scan ops:", file=out)
        k = 0
        while k < len(scan_nodes):  # inner scans join the list as they are met
            s = scan_nodes[k]
            k += 1
            print("", file=out)
            visit(s, "", "", depth, None, None, None)
            inner = s.owner.op.inner_graph
            for o in (inner[1] if inner else []):
                if o.owner is not None and o.owner.op.kind == "Scan":
                    scan_nodes.append(o)
                visit(o, " >", " >", depth, None, None, None)

    if file == "str":
        return out.getvalue()
    if file is None:
        out.flush()
        return None
    return file


def min_informative_str(obj, indent_level=0, _prev_obs=None, _tag_generator=None):
    """The graph of ``obj`` written only down to named variables and
    constants, one line per variable tagged A., B., ... (Theano's): a
    variable met again is written ``<tag>``; nested levels are indented by one
    space more."""
    if _prev_obs is None:
        _prev_obs = {}
    if _tag_generator is None:
        _tag_generator = [0]
    indent = " " * indent_level
    key = _vkey(obj) if _is_variable(obj) else ("obj", id(obj))
    if key in _prev_obs:
        return indent + "<" + _prev_obs[key] + ">"
    tag = char_from_number(_tag_generator[0])
    _tag_generator[0] += 1
    _prev_obs[key] = tag
    if hasattr(obj, "__array__") and not _is_variable(obj):
        name = "<ndarray>"
    elif getattr(obj, "name", None) is not None:
        name = obj.name
    elif getattr(obj, "owner", None) is not None:
        name = _op_str(obj.owner.op)
        for i in obj.owner.inputs:
            name += "\n" + min_informative_str(i, indent_level + 1, _prev_obs, _tag_generator)
    else:
        name = str(obj)
    return indent + tag + ". " + name


def var_descriptor(obj, _prev_obs=None, _tag_generator=None):
    """One line fully describing how ``obj`` is computed, without memory
    addresses (Theano's): ``A=Elemwise{add,no_inplace}(B=x,C=y)``."""
    if _prev_obs is None:
        _prev_obs = {}
    if _tag_generator is None:
        _tag_generator = [0]
    key = _vkey(obj) if _is_variable(obj) else ("obj", id(obj))
    if key in _prev_obs:
        return "<" + _prev_obs[key] + ">"
    tag = char_from_number(_tag_generator[0])
    _tag_generator[0] += 1
    _prev_obs[key] = tag
    if isinstance(obj, np.ndarray):
        name = "<ndarray:strides=[%s],digest=%s>" % (",".join(str(s) for s in obj.strides),
                                                     hashlib.sha256(np.ascontiguousarray(obj)).hexdigest())
    elif getattr(obj, "owner", None) is not None:
        name = "%s(%s)" % (_op_str(obj.owner.op), ",".join(var_descriptor(i, _prev_obs, _tag_generator)
                                                           for i in obj.owner.inputs))
    elif getattr(obj, "name", None) is not None:
        name = obj.name
    else:
        name = str(obj)
        if " at 0x" in name:
            name = position_independent_str(obj)
    return tag + "=" + name


def position_independent_str(obj):
    """A variable's description without its address: ``theano_var{type=...}``."""
    if _is_variable(obj):
        return "theano_var{type=%s}" % (obj.type,)
    raise NotImplementedError("position_independent_str: only variables, got %r" % (obj,))


def hex_digest(x):
    """A short hash of an ndarray's data, strides and shape."""
    if not isinstance(x, np.ndarray):
        raise TypeError("hex_digest: expected an ndarray, got %r" % (type(x).__name__,))
    return "%s|strides=[%s]|shape=[%s]" % (hashlib.sha256(np.ascontiguousarray(x).tobytes()).hexdigest(),
                                            ",".join(str(s) for s in x.strides), ",".join(str(s) for s in x.shape))


# ---------------------------------------------------------------- pydotprint

_PYDOT = None  # (module or None, why not): found on first use, not at import


def _find_pydot():
    """pydot (or pydot-ng) and Graphviz, looked for once: (module, '') or
    (None, the reason)."""
    global _PYDOT
    if _PYDOT is None:
        pd, why = None, ""
        try:
            try:
                import pydot_ng as pd
            except ImportError:
                import pydot as pd
        except ImportError:
            why = ("the Python package pydot is not installed (pip install pydot) and Graphviz's dot "
                   "program is needed too (apt-get install graphviz, or your system's graphviz package)")
        if pd is not None:
            try:
                if hasattr(pd, "find_graphviz"):
                    if not pd.find_graphviz():
                        raise OSError("Graphviz's dot program was not found")
                else:
                    pd.Dot.create(pd.Dot())
            except Exception as e:  # dot missing or broken
                why = ("pydot is installed but cannot run Graphviz's dot program (%s); install Graphviz "
                       "(apt-get install graphviz, or your system's graphviz package)" % (e,))
                pd = None
        _PYDOT = (pd, why)
    return _PYDOT


def __getattr__(name):
    # pydot_imported / pydot_imported_msg are Theano's flags; computing them
    # runs dot, so it happens on first access rather than at `import theon`.
    if name == "pydot_imported":
        return _find_pydot()[0] is not None
    if name == "pydot_imported_msg":
        return _find_pydot()[1]
    raise AttributeError("module %r has no attribute %r" % (__name__, name))


default_colorCodes = {"GpuFromHost": "red", "HostFromGpu": "red", "Scan": "yellow", "Shape": "brown",
                      "IfElse": "magenta", "Elemwise": "#FFAABB", "Subtensor": "#FFAAFF", "Alloc": "#FFAA22",
                      "Output": "blue"}


def _parts(fct):
    """What a graph-drawing function draws: (outputs, nodes in run order,
    profile, [(update output, the variable it updates)])."""
    from .gof.graph import inputs, io_toposort
    if _is_function(fct):
        fg = fct.maker.fgraph
        outs = list(fg.outputs)
        return outs, list(fg.toposort()), getattr(fct, "profile", None), _updates_of(fct, fg, outs)
    if _is_fgraph(fct):
        return list(fct.outputs), list(fct.toposort()), getattr(fct, "profile", None), []
    if _is_apply(fct):
        outs = list(fct.outputs)
    elif isinstance(fct, (list, tuple)):
        outs = list(fct)
    else:
        outs = [fct]
    if not all(_is_variable(v) for v in outs):
        raise TypeError("expected a compiled function, a variable, an Apply node or a list of variables, got %r"
                        % (fct,))
    return outs, list(io_toposort(inputs(outs), outs)), None, []


def _updates_of(fct, fg, outs):
    """The function's update outputs (after its own outputs: In(update=...)
    values, then shared variables' updates, in f.maker.updates' order) with
    the variable each updates."""
    n = len(fct.maker.outputs)
    ins = fct._ins
    fg_inputs = list(fg.inputs)
    targets = [fg_inputs[k] if len(fg_inputs) == len(ins) else ins[k].variable for k in fct._in_update_idx]
    targets += [sv for sv, _ in fct.maker.updates]
    return list(zip(outs[n:], targets))


def _ancestor_nodes(v):
    stack, seen = [v], set()
    while stack:
        x = stack.pop()
        if x.owner is None or _nkey(x.owner) in seen:
            continue
        seen.add(_nkey(x.owner))
        stack.extend(x.owner.inputs)
    return seen


def _graph_model(fct, compact=True, with_ids=False, high_contrast=True, cond_highlight=None, colorCodes=None,
                 max_label_size=70, var_with_name_simple=False):
    """The drawing of a graph, independent of the renderer: {'nodes': [...],
    'edges': [...]} with Theano's pydotprint conventions (ellipses are
    Apply nodes, boxes variables; green inputs, cyan shared variables, blue
    outputs, grey unused outputs; blue edges for views, red for destroyed
    inputs; update edges labelled UPDATE)."""
    colors = default_colorCodes if colorCodes is None else colorCodes
    outputs, topo, profile, updates = _parts(fct)
    out_keys = {_vkey(v) for v in outputs}
    update_target = {_vkey(v): t for v, t in updates}
    times = _profile_times(profile, topo)
    clusters = {}
    if cond_highlight is not None:
        cond = None
        for node in topo:
            if node.op.kind == "IfElse" and (cond_highlight is True or cond_highlight in (node.op.name, node)):
                cond = node
                break
        if cond is None:
            _logger.warning("pydotprint: cond_highlight is set but there is no IfElse node in the graph")
        else:
            left, right = _ancestor_nodes(cond.inputs[1]), _ancestor_nodes(cond.inputs[2])
            for k in left & right:
                clusters[k] = "Middle"
            for k in left - right:
                clusters[k] = "Left"
            for k in right - left:
                clusters[k] = "Right"
    n_clients = {}
    for node in topo:
        for i in node.inputs:
            n_clients[_vkey(i)] = n_clients.get(_vkey(i), 0) + 1
    for v in outputs:
        n_clients[_vkey(v)] = n_clients.get(_vkey(v), 0) + 1

    labels, used = {}, set()
    nodes, node_index, edges = [], {}, []

    def cut(s):
        return s if len(s) <= max_label_size else s[:max_label_size - 3] + "..."

    def var_label(v):
        k = _vkey(v)
        if k in labels:
            return labels[k]
        target = update_target.get(k)
        if v.name is not None:
            s = v.name if var_with_name_simple else "name=%s %s" % (v.name, v.type)
        elif hasattr(v, "data") and v.owner is None:
            s = "val=%s" % (str(np.asarray(v.data)).split("\n")[0],) + " %s" % (v.type,)
        elif k in update_target:
            if target.name is not None:
                s = target.name if var_with_name_simple else "%s %s" % (target.name, v.type)
            else:
                s = "update %s" % (v.type,)
        else:
            s = str(v.type)
        s = cut(s)
        labels[k] = s
        used.add(s)
        return s

    def var_info(v):
        shape = getattr(v, "static_shape", None)
        info = {"type": str(v.type), "dtype": getattr(v.type, "dtype", None),
                "shape": None if shape is None else ["?" if d is None else int(d) for d in shape]}
        if v.name is not None:
            info["name"] = v.name
        if hasattr(v, "data") and v.owner is None:
            d = np.asarray(v.data)
            info["value"] = str(d) if d.size <= 16 else "%s array of shape %s" % (d.dtype, d.shape)
        return info

    def add_var(v, role):
        k = _vkey(v)
        vid = "v%d" % v._id
        color = {"input": "green", "shared": "cyan", "output": colors.get("Output", "blue"),
                 "unused": "grey"}.get(role)
        if vid in node_index:
            return vid
        info = var_info(v)
        info["role"] = role
        if k in update_target:
            t = update_target[k]
            info["updates"] = t.name or str(t)
        node_index[vid] = len(nodes)
        nodes.append({"id": vid, "label": var_label(v), "shape": "box", "color": color, "kind": "variable",
                      "role": role, "filled": bool(high_contrast and color), "info": info})
        return vid

    apply_labels = {}

    def apply_label(node):
        k = _nkey(node)
        if k in apply_labels:
            return apply_labels[k]
        s = _op_str(node.op).replace(":", "_")
        if times is not None:
            t = times[0].get(k, 0.0)
            s += "   (%.3fs,%.3f%%)" % (t, 100.0 * t / times[2] if times[2] else 0.0)
        if s in used or with_ids:
            idx = " id=%d" % topo.index(node)
            s = s[:max_label_size - 3 - len(idx)] + idx + "..." if len(s) + len(idx) > max_label_size else s + idx
        elif len(s) > max_label_size:
            s = s[:max_label_size - 3] + "..."
            n = 1
            while s in used:
                n += 1
                suffix = " id=%d" % n
                s = s[:max_label_size - 3 - len(suffix)] + "..." + suffix
        used.add(s)
        apply_labels[k] = s
        return s

    def aid_of(node):
        return "n%d" % node.outputs[0]._id

    for pos, node in enumerate(topo):
        aid = aid_of(node)
        label = apply_label(node)
        color = None
        cls = node.op.kind or ""
        name = _op_str(node.op)
        for op_name, c in colors.items():
            if op_name in cls or name.startswith(op_name):
                color = c
        info = {"op": name, "kind": cls, "position": pos,
                "inputs": [var_info(i) for i in node.inputs], "outputs": [var_info(o) for o in node.outputs]}
        if times is not None and _nkey(node) in times[0]:
            t = times[0][_nkey(node)]
            info["time"] = {"seconds": t, "percent": 100.0 * t / times[2] if times[2] else 0.0,
                            "total_seconds": times[1][_nkey(node)], "calls": times[3].get(_nkey(node), 0),
                            "function_seconds": times[2]}
        node_index[aid] = len(nodes)
        nodes.append({"id": aid, "label": label, "shape": "ellipse", "color": color, "kind": "apply",
                      "filled": bool(high_contrast and color), "cluster": clusters.get(_nkey(node)), "info": info})
        views = {i for vs in getattr(node.op, "view_map", {}).values() for i in vs}
        destroys = {i for vs in getattr(node.op, "destroy_map", {}).values() for i in vs}
        for idx, v in enumerate(node.inputs):
            e = {"label": str(idx) if len(node.inputs) > 1 else ""}
            if idx in views:
                e["color"] = colors.get("Output", "blue")
            elif idx in destroys:
                e["color"] = "red"
            if v.owner is None:
                shared = type(v).__name__ == "TensorSharedVariable"
                e.update(src=add_var(v, "shared" if shared else "input"), dst=aid)
            elif v.name is not None or not compact or _vkey(v) in out_keys:
                e.update(src="v%d" % v._id, dst=aid)
            else:
                lab = (e["label"] + " " if e["label"] else "") + str(v.type)
                e.update(src=aid_of(v.owner), dst=aid, label=cut(lab))
            edges.append(e)
        for idx, v in enumerate(node.outputs):
            lab = str(idx) if len(node.outputs) > 1 else ""
            k = _vkey(v)
            if k in out_keys or k in update_target:
                edges.append({"src": aid, "dst": add_var(v, "output"), "label": lab})
            elif n_clients.get(k, 0) == 0:
                edges.append({"src": aid, "dst": add_var(v, "unused"), "label": lab})
            elif v.name is not None or not compact:
                if compact:
                    lab = cut((lab + " " if lab else "") + str(v.type))
                edges.append({"src": aid, "dst": add_var(v, "named"), "label": lab})
    for v, target in updates:
        shared = type(target).__name__ == "TensorSharedVariable"
        src = add_var(target, "shared" if shared else "input")
        edges.append({"src": src, "dst": "v%d" % v._id, "label": "UPDATE",
                      "color": colors.get("Output", "blue"), "update": True})
    return {"nodes": nodes, "edges": edges, "topo": topo}


def _pydot_graph(pd, model):
    """A pydot.Dot of a _graph_model."""
    g = pd.Dot()
    clusters = {}
    for n in model["nodes"]:
        attrs = {"label": n["label"], "shape": n["shape"]}
        if n["color"]:
            if n["filled"]:
                attrs.update(style="filled", fillcolor=n["color"])
            else:
                attrs["color"] = n["color"]
        node = pd.Node(n["id"], **attrs)
        g.add_node(node)
        if n.get("cluster"):
            if n["cluster"] not in clusters:
                clusters[n["cluster"]] = pd.Cluster(n["cluster"])
            clusters[n["cluster"]].add_node(node)
    for e in model["edges"]:
        attrs = {k: e[k] for k in ("label", "color") if e.get(k)}
        g.add_edge(pd.Edge(e["src"], e["dst"], **attrs))
    for name in ("Left", "Right", "Middle"):
        if name in clusters:
            g.add_subgraph(clusters[name])
    return g


def _dot_quote(s):
    return '"%s"' % str(s).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _dot_text(model):
    """The DOT text of a _graph_model, written without pydot or Graphviz."""
    lines = ["digraph G {"]
    for n in model["nodes"]:
        attrs = [("label", n["label"]), ("shape", n["shape"])]
        if n["color"]:
            attrs += [("style", "filled"), ("fillcolor", n["color"])] if n["filled"] else [("color", n["color"])]
        lines.append("%s [%s];" % (n["id"], ", ".join("%s=%s" % (k, _dot_quote(v)) for k, v in attrs)))
    for e in model["edges"]:
        attrs = [(k, e[k]) for k in ("label", "color") if e.get(k)]
        lines.append("%s -> %s%s;" % (e["src"], e["dst"], " [%s]" % ", ".join(
            "%s=%s" % (k, _dot_quote(v)) for k, v in attrs) if attrs else ""))
    lines.append("}")
    return "\n".join(lines) + "\n"


def pydotprint(fct, outfile=None, compact=True, format="png", with_ids=False, high_contrast=True,
               cond_highlight=None, colorCodes=None, max_label_size=70, scan_graphs=False,
               var_with_name_simple=False, print_output_file=True, return_image=False):
    """Draws a graph with Graphviz (through the ``pydot`` package), Theano's.

    ``fct`` is a compiled function (its optimized graph), a variable, an
    Apply node or a list of variables. Ellipses are Apply nodes, boxes
    variables: green inputs, cyan shared variables, blue outputs (and
    updates, with an UPDATE edge from the shared variable), grey outputs
    nobody reads. Blue edges mark inputs a node views, red ones inputs it
    overwrites; an edge of a node with several inputs is labelled with the
    input's position. With ``compact`` unnamed intermediate values are
    edges, not boxes. A profiled function that has been called shows each
    node's time.

    ``outfile`` (default ``<compiledir>/theano.pydotprint.cpu.<format>``)
    gets ``format`` (any Graphviz format: png, svg, pdf, dot, ...);
    ``return_image=True`` returns the image's bytes instead.
    ``scan_graphs`` also draws each Scan's inner graph to
    ``<outfile>_<scan>_<position>.<format>``. ``cond_highlight`` (True or an
    IfElse's name) groups the nodes of the IfElse's branches.

    Needs the ``pydot`` package and Graphviz (``pip install pydot``;
    ``apt-get install graphviz``): without them it raises ImportError
    saying what to install (``theon.printing.pydot_imported`` tells).
    """
    from .configparser import config
    if outfile is None:
        outfile = os.path.join(config.compiledir, "theano.pydotprint.%s.%s" % (config.device, format))
    model = _graph_model(fct, compact, with_ids, high_contrast, cond_highlight, colorCodes, max_label_size,
                         var_with_name_simple)
    pd, why = _find_pydot()
    if pd is None:
        raise ImportError("pydotprint needs the Python package pydot and Graphviz: %s. Install them with "
                          "`pip install pydot` and `apt-get install graphviz` (theon does not require them; "
                          "debugprint and theon.d3viz work without them)." % (why,))
    g = _pydot_graph(pd, model)
    if not outfile.endswith("." + format):
        outfile += "." + format
    if scan_graphs:
        path, fn = os.path.split(outfile)
        base, ext = fn[:-len(format) - 1], "." + format
        for idx, node in enumerate(model["topo"]):
            if node.op.kind != "Scan" or not node.op.inner_graph:
                continue
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", _op_str(node.op)).strip("_")
            pydotprint(list(node.op.inner_graph[1]), os.path.join(path, "%s_%s_%d%s" % (base, name, idx, ext)),
                       compact, format, with_ids, high_contrast, cond_highlight, colorCodes, max_label_size,
                       scan_graphs, var_with_name_simple, print_output_file)
    if return_image:
        return g.create(prog="dot", format=format)
    folder = os.path.dirname(outfile)
    if folder:
        os.makedirs(folder, exist_ok=True)
    g.write(outfile, prog="dot", format=format)
    if print_output_file:
        print("The output file is available at", outfile)
    return None


__all__ = ["pprint", "pp", "debugprint", "pydotprint", "min_informative_str", "var_descriptor", "Print"]

pp = pprint  # Theano's theano.printing.pp


class Print(_Op):
    """Theano's Print: an identity op that prints ``message`` and the listed
    attributes of its value each time the function computes it
    (``Print('x', attrs=('shape', 'sum'))(x)``); callable attributes are
    called. ``global_fn(op, value)`` replaces the printing. Its gradient
    passes through unchanged."""
    __props__ = ("message", "attrs", "global_fn")

    def __init__(self, message="", attrs=("__str__",), global_fn=None):
        self.message, self.attrs = message, tuple(attrs)
        self.global_fn = global_fn if global_fn is not None else _print_value

    def make_node(self, x):
        from .tensor.basic import Apply, as_tensor_variable
        x = as_tensor_variable(x)
        return Apply(self, [x], [x.type()])

    def perform(self, node, inputs, outputs):
        self.global_fn(self, inputs[0])
        outputs[0][0] = inputs[0]

    def grad(self, inputs, output_grads):
        return [output_grads[0]]

    def infer_shape(self, node, input_shapes):
        return input_shapes


def _print_value(op, x):
    for attr in op.attrs:
        v = getattr(x, attr)
        print(op.message, attr, "=", v() if callable(v) else v)
