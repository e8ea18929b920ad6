"""theano.gof.opt: what Theano code imports from the optimizer module.

theon's rewrites are C++ rules chosen by Mode(including/excluding/requiring)
(docs/rewrites.md); check_stack_trace checks that rewritten nodes still name
the user's line, which theon records on every node (Apply.site)."""


def check_stack_trace(f_or_fgraph, ops_to_check="last", bug_print="raise"):
    """True when every node selected by `ops_to_check` knows the user's line
    it came from: 'last' (the nodes computing the outputs), 'all', an op class
    or tuple of classes (isinstance), a list of op instances, or a predicate."""
    fgraph = f_or_fgraph.maker.fgraph if hasattr(f_or_fgraph, "maker") else f_or_fgraph
    nodes = list(fgraph.toposort())
    if ops_to_check == "last":
        owners = {id(o.owner) for o in fgraph.outputs if o.owner is not None}
        chosen = [n for n in nodes if id(n) in owners]
    elif ops_to_check == "all":
        chosen = nodes
    elif isinstance(ops_to_check, type) or (isinstance(ops_to_check, tuple)
                                             and all(isinstance(c, type) for c in ops_to_check)):
        chosen = [n for n in nodes if isinstance(n.op, ops_to_check)]
    elif isinstance(ops_to_check, list):
        chosen = [n for n in nodes if any(n.op == op for op in ops_to_check)]
    elif callable(ops_to_check):
        chosen = [n for n in nodes if ops_to_check(n.op)]
    else:
        raise ValueError("check_stack_trace: ops_to_check must be 'last', 'all', op classes, ops or a function, "
                         "got %r" % (ops_to_check,))
    return all(n.site[0] for n in chosen)
