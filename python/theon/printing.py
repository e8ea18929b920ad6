"""Graph printing (Theano's theano.printing): pprint gives an expression as
one line of math; debugprint gives the graph as an indented tree, one node
per line, with ids for values used more than once."""
import sys

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
    name = fn or str(op)
    if len(owner.outputs) > 1:
        name += ".%d" % owner.outputs.index(v) if v in owner.outputs else ""
    return "%s(%s)" % (name, ", ".join(_pp(a) for a in args))


def pprint(obj):
    """The expression of a variable (or of each of a list) as one line."""
    if isinstance(obj, (list, tuple)):
        return "\n".join(pprint(o) for o in obj)
    return _pp(obj)


def _outputs_of(obj):
    if isinstance(obj, (list, tuple)):
        out = []
        for o in obj:
            out += _outputs_of(o)
        return out
    maker = getattr(obj, "maker", None)
    if maker is not None:  # a compiled function: its optimized graph
        return list(maker.fgraph.outputs)
    if hasattr(obj, "outputs") and hasattr(obj, "op"):  # an Apply node
        return list(obj.outputs)
    return [obj]


def debugprint(obj, file=None, print_type=False, ids="CHAR", stop_on_name=False, depth=-1):
    """The graph of obj (variables, an Apply node or a compiled function) as
    an indented tree: each line a node's op (or an input's name) with an id;
    a value used twice is expanded once. file='str' returns the text;
    otherwise it is written to file (default stdout), which is returned."""
    names, lines, done = {}, [], set()

    def ident(v):
        if ids == "":
            return ""
        key = _key(v)
        if key not in names:
            n = len(names)
            names[key] = ("".join(chr(65 + d) for d in _digits(n)) if ids == "CHAR" else str(n))
        return " [id %s]" % names[key]

    def visit(v, prefix, level):
        typ = " %s" % (v.type,) if print_type else ""
        label = "" if v.name is None else " '%s'" % v.name
        if v.owner is None:
            lines.append("%s%s%s%s" % (prefix, _leaf(v), ident(v), typ))
            return
        owner = v.owner
        out = ""
        if len(owner.outputs) > 1:
            out = ".%d" % [o is v or o == v for o in owner.outputs].index(True)
        key = _key(v)
        lines.append("%s%s%s%s%s%s" % (prefix, owner.op, out, ident(v), typ, label))
        if key in done or (stop_on_name and v.name and level > 0) or depth == level:
            return
        done.add(key)
        for a in owner.inputs:
            visit(a, " |" * (level + 1), level + 1)

    for o in _outputs_of(obj):
        visit(o, "", 0)
    text = "\n".join(lines)
    if file == "str":
        return text
    f = file or sys.stdout
    f.write(text + "\n")
    return f


def _key(v):
    """A node's identity (Python wrappers of the same node are not the same
    object): its first output's creation number, or the variable's own."""
    if v.owner is not None:
        return ("node", v.owner.outputs[0]._id)
    return ("var", v._id)


def _digits(n):
    """0 -> [0] (A), 25 -> Z, 26 -> BA, as Theano's ids."""
    out = []
    while True:
        out.append(n % 26)
        n //= 26
        if n == 0:
            return out[::-1]


__all__ = ["pprint", "debugprint"]

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
