"""theano.gof.graph: walking and copying graphs of theon variables."""
from .. import _core
from ..tensor import basic as _b


def _as_list(xs):
    return list(xs) if isinstance(xs, (list, tuple)) else [xs]


def inputs(variable_list, blockers=None):
    """The root variables (no owner) the variables depend on, in first-visit
    order; a variable in `blockers` counts as a root."""
    blockers = set(blockers or ())
    return [v for v in ancestors(variable_list, blockers) if v.owner is None or v in blockers]


def ancestors(variable_list, blockers=None):
    """Every variable the variables depend on (themselves included), each once,
    a variable before the inputs of its node; the walk stops at `blockers`."""
    blockers = set(blockers or ())
    seen, out, stack = set(), [], list(reversed(_as_list(variable_list)))
    while stack:
        v = stack.pop()
        if v in seen:
            continue
        seen.add(v)
        out.append(v)
        if v.owner is not None and v not in blockers:
            stack.extend(reversed(v.owner.inputs))
    return out


def io_toposort(inputs, outputs, orderings=None):
    """The nodes between `inputs` and `outputs`, each after the nodes computing its inputs."""
    stop = set(inputs)
    order, done = [], set()

    def visit(v):  # iterative post-order: deep graphs must not hit Python's recursion limit
        stack = [(v, False)]
        while stack:
            var, expanded = stack.pop()
            node = var.owner
            if node is None or var in stop or node in done:
                continue
            if expanded:
                done.add(node)
                order.append(node)
                continue
            stack.append((var, True))
            for i in reversed(node.inputs):
                stack.append((i, False))

    for o in _as_list(outputs):
        visit(o)
    return order


def ops(i, o):
    """The nodes between inputs i and outputs o."""
    return set(io_toposort(i, o))


def variables(i, o):
    """Every variable between inputs i and outputs o (both included)."""
    out = set(i) | set(o)
    for node in io_toposort(i, o):
        out.update(node.inputs)
        out.update(node.outputs)
    return out


def applys_between(i, o):
    return io_toposort(i, o)


def clone(inputs, outputs, copy_inputs=True, copy_orphans=None):
    """(new inputs, new outputs): a copy of the graph from `inputs` to
    `outputs`; with copy_inputs the inputs are fresh variables of the same
    types and names, else they are shared."""
    inputs = list(inputs)
    new_inputs = [_b.TensorType(i.dtype, i.broadcastable)(i.name)
                  if copy_inputs and not isinstance(i, _b.TensorConstant) else i for i in inputs]
    pairs = [(a, b) for a, b in zip(inputs, new_inputs) if a is not b]
    return new_inputs, list(_core.clone_replace(_as_list(outputs), pairs))


def io_connection_pattern(inputs, outputs):
    """Per input, per output: whether the output depends on the input
    differentiably, through each node's own connection pattern."""
    return [list(row) for row in _core.io_connection_pattern(list(inputs), _as_list(outputs))]


def is_same_graph(var1, var2, givens=None):
    """True when var1 and var2 compute the same thing: the same ops on the same
    roots (roots compared by identity, constants by value), after substituting givens."""
    if givens:
        var1, var2 = _core.clone_replace([var1, var2], list(dict(givens).items()))
    memo = {}

    def same(a, b):
        key = (id(a), id(b))
        if key in memo:
            return memo[key]
        if a is b or a == b:
            r = True
        elif a.owner is None or b.owner is None:
            r = (isinstance(a, _b.TensorConstant) and isinstance(b, _b.TensorConstant) and a.type == b.type
                 and a.data.shape == b.data.shape and bool((a.data == b.data).all()))
        else:
            na, nb = a.owner, b.owner
            r = (na.op == nb.op and a.index == b.index and len(na.inputs) == len(nb.inputs)
                 and all(same(x, y) for x, y in zip(na.inputs, nb.inputs)))
        memo[key] = r
        return r

    return same(var1, var2)


def clone_replace(output, replace=None, strict=True, share_inputs=True):
    """theano.clone: a copy of `output` (a variable or a list) with each key of
    `replace` (a dict or pairs) replaced by its value; with share_inputs=False
    the copy's free inputs are fresh variables too. strict=False casts a
    replacement to the replaced variable's dtype."""
    outs = _as_list(output)
    pairs = list(replace.items()) if isinstance(replace, dict) else list(replace or ())
    fixed = []
    for old, new in pairs:
        new = _b.as_tensor_variable(new)
        if new.type != old.type:
            if strict and new.dtype != old.dtype:
                raise TypeError("clone: %s replaces %s of a different type; pass strict=False to cast it"
                                % (new.type, old.type))
            if new.dtype != old.dtype:
                new = _b.cast(new, old.dtype)
        fixed.append((old, new))
    if not share_inputs:
        replaced = {id(old) for old, _ in fixed}
        for v in inputs(outs):
            if id(v) not in replaced and not isinstance(v, (_b.TensorConstant, _b.TensorSharedVariable)):
                fixed.append((v, _b.TensorType(v.dtype, v.broadcastable)(v.name)))
    cloned = list(_core.clone_replace(outs, fixed))
    return cloned if isinstance(output, (list, tuple)) else cloned[0]


def op_str(op):
    """An op as Theano printed it: theon's DimShuffle is always a view, which
    Theano called InplaceDimShuffle; an elementwise op that overwrites
    nothing was Elemwise{add,no_inplace}; Dot printed as dot."""
    s = str(op)
    kind = getattr(op, "kind", None)
    if kind == "DimShuffle" and s.startswith("DimShuffle{"):
        return "Inplace" + s
    if kind == "Dot":
        return "dot"
    if kind == "Elemwise" and s.startswith("Elemwise{") and s.endswith("}") and not s.endswith(",no_inplace}"):
        return s[:-1] + ",no_inplace}"
    return s


def as_string(i, o, leaf_formatter=str, node_formatter=None):
    """One string per output, Theano's format: Op(arg, ...); a node read
    more than once is written "*n -> Op(...)" the first time and "*n" after."""
    node_formatter = node_formatter or (lambda node, args: "%s(%s)" % (op_str(node.op), ", ".join(args)))
    stop = set(i)
    uses = {}
    for out in o:
        if out.owner is not None and out not in stop:
            uses[out.owner] = uses.get(out.owner, 0) + 1
    for node in io_toposort(i, o):
        for inp in node.inputs:
            if inp.owner is not None and inp not in stop:
                uses[inp.owner] = uses.get(inp.owner, 0) + 1
    multi = [n for n in io_toposort(i, o) if uses.get(n, 0) > 1]
    done = set()

    def describe(r):
        if r.owner is None or r in stop:
            return leaf_formatter(r)
        node = r.owner
        idxs = "" if len(node.outputs) == 1 else "::%i" % list(node.outputs).index(r)
        if node in done:
            return "*%i%s" % (multi.index(node) + 1, idxs)
        done.add(node)
        s = node_formatter(node, [describe(x) for x in node.inputs])
        return "*%i -> %s" % (multi.index(node) + 1, s) if node in multi else s
    return [describe(r) for r in o]
