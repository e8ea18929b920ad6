"""theano.gof.graph: walking and copying graphs of theon variables, and
Theano's Variable and Constant classes for variables of non-tensor types.

theon's compiled graphs hold tensors only (C++ objects). A variable of any
other type (``Generic``, a user's ``theano.gof.type.Type`` subclass) is a
Python object of the classes below; the nodes of Python ops (``Apply``)
that produce such variables are Python objects too. They can be built,
inspected and walked like Theano's, and evaluated in Python
(``var.eval()``, :func:`evaluate`), but ``theano.function`` compiles
tensor graphs only."""
import itertools
import sys
import copy as _copy

from .. import _core
from .._errors import AsTensorError, MissingInputError
from ..tensor import basic as _b
from ..tensor.methods import Scratchpad as _Scratchpad

Apply = _b.Apply
_count = itertools.count()


def _is_generic_shared(obj):
    sv = sys.modules.get("theon.compile.sharedvalue")
    return sv is not None and isinstance(obj, sv.GenericSharedVariable)


class _VariableClass(type):
    """isinstance(v, Variable) holds for theon's tensor variables (C++
    objects) and generic shared variables too; isinstance(c, Constant) for
    tensor constants."""

    def __instancecheck__(cls, obj):
        if type.__instancecheck__(cls, obj):
            return True
        if cls is Variable:
            return isinstance(obj, _core.TensorVariable) or _is_generic_shared(obj)
        if cls is Constant:
            return isinstance(obj, _core.TensorConstant)
        return False

    def __subclasscheck__(cls, sub):
        if type.__subclasscheck__(cls, sub):
            return True
        if cls is Variable:
            return issubclass(sub, _core.TensorVariable)
        if cls is Constant:
            return issubclass(sub, _core.TensorConstant)
        return False


class Variable(metaclass=_VariableClass):
    """A symbolic variable of a non-tensor type (Theano's gof.graph.Variable).

    ``type()`` (``Type.make_variable``) is the usual way to make one; a
    Python op's ``make_node`` returns it among the outputs of an ``Apply``,
    which sets ``owner`` and ``index``. Every theon tensor variable is an
    instance too (``isinstance(T.vector(), Variable)``);
    ``Variable(tensor_type, name=...)`` gives a tensor variable."""

    def __new__(cls, type, owner=None, index=None, name=None):
        if isinstance(type, _core.TensorType) and owner is None:
            return type(name)
        return object.__new__(cls)

    def __init__(self, type, owner=None, index=None, name=None):
        if owner is not None and not isinstance(owner, Apply):
            raise TypeError("Variable: owner must be an Apply node, got %r" % (owner,))
        if index is not None and not isinstance(index, int):
            raise TypeError("Variable: index must be an int, got %r" % (index,))
        if name is not None and not isinstance(name, str):
            raise TypeError("Variable: name must be a string, got %r" % (name,))
        self.type, self.owner, self.index, self.name = type, owner, index, name
        self.tag = _Scratchpad()
        self.auto_name = "auto_%d" % next(_count)

    def __str__(self):
        if self.name is not None:
            return self.name
        if self.owner is not None:
            op = self.owner.op
            if self.index == getattr(op, "default_output", None):
                return "%s.out" % (op,)
            return "%s.%s" % (op, self.index)
        return "<%s>" % (self.type,)

    def __repr__(self):
        return str(self)

    def __array__(self, *args, **kwargs):
        # theano.function / as_tensor_variable reach here through np.asarray
        raise AsTensorError(
            "%s is a variable of type %s, not a tensor: theon's compiled functions (theano.function) compute "
            "tensors only. Evaluate a graph of Python ops on non-tensor types with var.eval() "
            "(theon.gof.graph.evaluate)" % (self, self.type))

    def clone(self):
        """A new variable of the same type and name, without owner (the tag copied)."""
        cp = type(self)(self.type, None, None, self.name)
        cp.tag = _copy.copy(self.tag)
        return cp

    def get_parents(self):
        return [self.owner] if self.owner is not None else []

    def get_test_value(self):
        """tag.test_value (filtered by the type); AttributeError when there is none."""
        if not hasattr(self.tag, "test_value"):
            raise AttributeError("%s has no test value" % (self,))
        return self.type.filter(self.tag.test_value)

    def eval(self, inputs_to_values=None):
        """The variable's value, computed in Python by the ops' perform
        (tensor sub-expressions by a compiled theon function);
        `inputs_to_values` maps root variables to values."""
        return evaluate([self], inputs_to_values)[0]


class Constant(Variable):
    """A constant of a non-tensor type: ``Constant(type, data, name=None)``
    stores ``type.filter(data)``. A tensor type gives theon's TensorConstant,
    and every TensorConstant is an instance."""

    def __new__(cls, type, data, name=None):
        if isinstance(type, _core.TensorType):
            import numpy as np
            data = np.asarray(data, dtype=type.dtype)
            if data.ndim != type.ndim:
                raise TypeError("Constant: %r does not have %d dimensions (%s)" % (data, type.ndim, type))
            return _b.constant(data, name=name)
        return object.__new__(cls)

    def __init__(self, type, data, name=None):
        Variable.__init__(self, type, None, None, name)
        self.data = type.filter(data)

    @property
    def value(self):
        return self.data

    @property
    def owner(self):
        return None

    @owner.setter
    def owner(self, value):
        if value is not None:
            raise ValueError("Constant instances cannot have an owner")

    def equals(self, other):
        return isinstance(other, Constant) and other.type == self.type and self.type.values_eq(self.data, other.data)

    def signature(self):
        return (self.type, self.data)

    def __str__(self):
        if self.name is not None:
            return self.name
        s = str(self.data)
        return s if len(s) <= 20 else s[:10] + "..." + s[-10:]

    def clone(self):
        cp = type(self)(self.type, self.data, self.name)
        cp.tag = _copy.copy(self.tag)
        return cp

    def get_test_value(self):
        return self.data


def _root_value(v, given):
    if id(v) in given:
        return given[id(v)]
    if isinstance(v, Constant):
        return v.data
    if _is_generic_shared(v):
        return v.get_value(borrow=True)
    raise MissingInputError("evaluate: %s has no value: it is a root of the graph and was not given one" % (v,))


def evaluate(outputs, inputs_to_values=None):
    """The values of `outputs` (a list of variables), computed in Python:
    each node of a Python op runs its ``perform``; tensor variables that
    feed such nodes (and tensor outputs) are computed by one compiled theon
    function of the given tensor inputs. `inputs_to_values` maps root
    variables to values (filtered by their types)."""
    given_pairs = list((inputs_to_values or {}).items())
    given = {id(k): (k.type.filter(val) if not isinstance(k, _core.TensorVariable) else val) for k, val in given_pairs}
    values = {}
    tensors = []  # tensor variables computed by theon's compiled function

    def tensor_leaf(v):
        return isinstance(v, _core.TensorVariable) and id(v) not in given

    order, seen, stack = [], set(), [(o, False) for o in reversed(outputs)]
    while stack:  # post-order over the Python-side nodes
        v, expanded = stack.pop()
        if tensor_leaf(v):
            if id(v) not in seen:
                seen.add(id(v))
                tensors.append(v)
            continue
        node = v.owner if id(v) not in given else None
        if node is None:
            continue
        if expanded:
            if id(node) not in seen:
                seen.add(id(node))
                order.append(node)
            continue
        if id(node) in seen:
            continue
        stack.append((v, True))
        stack.extend((i, False) for i in reversed(node.inputs))
    if tensors:
        from ..compile.function import function
        tin = [k for k, _ in given_pairs if isinstance(k, _core.TensorVariable)]
        fn = function(tin, tensors, on_unused_input="ignore")
        for v, val in zip(tensors, fn(*[given[id(k)] for k in tin])):
            values[id(v)] = val

    def value(v):
        if id(v) in values:
            return values[id(v)]
        return _root_value(v, given)

    for node in order:
        storage = [[None] for _ in node.outputs]
        node.op.perform(node, [value(i) for i in node.inputs], storage)
        for out, st in zip(node.outputs, storage):
            values[id(out)] = st[0]
    return [value(o) for o in outputs]


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


def general_toposort(outputs, deps, debug_print=False, compute_deps_cache=None, deps_cache=None, clients=None):
    """Every object reachable from `outputs` through `deps(obj)` (the objects
    `obj` depends on), each after its dependencies, for any kind of node.

    The order is Theano's: objects are found depth first from the outputs
    (the last dependency first), then placed as soon as their dependencies
    are, dependency-free ones in the order found. A cycle is a ValueError.
    `compute_deps_cache` replaces `deps`; `deps_cache` and `clients`, when
    given, are filled with each object's dependencies and dependents."""
    import collections
    deps = compute_deps_cache or deps
    cache = {} if deps_cache is None else deps_cache
    found, seen, stack = [], set(), list(_as_list(outputs))
    while stack:  # iterative: deep graphs must not hit Python's recursion limit
        obj = stack.pop()
        if obj in seen:
            continue
        seen.add(obj)
        found.append(obj)
        if obj not in cache:
            cache[obj] = list(deps(obj) or ())
        stack.extend(cache[obj])
    dependents = {} if clients is None else clients
    waiting = {}
    for obj in found:
        unique = list(dict.fromkeys(cache[obj]))
        waiting[obj] = len(unique)
        for d in unique:
            dependents.setdefault(d, []).append(obj)
    ready = collections.deque(obj for obj in found if not waiting[obj])
    order = []
    while ready:
        obj = ready.popleft()
        order.append(obj)
        for c in dependents.get(obj, ()):
            waiting[c] -= 1
            if not waiting[c]:
                ready.append(c)
    if len(order) != len(found):
        stuck = next(obj for obj in found if waiting[obj])
        raise ValueError("general_toposort: the graph has a cycle through %r" % (stuck,))
    return order


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
    `outputs`; with copy_inputs the inputs (constants too, as in Theano)
    are fresh variables of the same types and names, else they are shared."""
    inputs, outputs = list(inputs), _as_list(outputs)
    new_inputs = [i if not copy_inputs else i.clone() if isinstance(i, Constant) or not isinstance(
        i, _core.TensorVariable) else _b.TensorType(i.dtype, i.broadcastable)(i.name) for i in inputs]
    pairs = [(a, b) for a, b in zip(inputs, new_inputs) if a is not b]
    if all(isinstance(o, _core.TensorVariable) for o in outputs):
        return new_inputs, list(_core.clone_replace(outputs, pairs))
    # Python-side nodes (non-tensor outputs): copied node by node. A tensor
    # never depends on them, so the tensors they read are copied in one go.
    py_nodes = [n for n in io_toposort(inputs, outputs) if not isinstance(n, _core.Apply)]
    tensors = list(dict.fromkeys(v for n in py_nodes for v in n.inputs if isinstance(v, _core.TensorVariable)))
    tensors += [o for o in outputs if isinstance(o, _core.TensorVariable) and o not in tensors]
    tensor_pairs = [(a, b) for a, b in pairs if isinstance(a, _core.TensorVariable)]
    memo = dict(zip(tensors, _core.clone_replace(tensors, tensor_pairs))) if tensors else {}
    memo.update(pairs)
    for node in py_nodes:
        new = node.clone_with_new_inputs([memo.get(v, v) for v in node.inputs], strict=False)
        memo.update(zip(node.outputs, new.outputs))
    return new_inputs, [memo.get(o, o) for o in outputs]


def io_connection_pattern(inputs, outputs):
    """Per input, per output: whether the output depends on the input
    differentiably, through each node's own connection pattern."""
    return [list(row) for row in _core.io_connection_pattern(list(inputs), _as_list(outputs))]


def is_same_graph(var1, var2, givens=None, debug=False):
    """True when var1 and var2 compute the same thing: the same ops on the same
    roots (roots compared by identity, constants by value), after substituting
    givens. `debug` is accepted for Theano's signature."""
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
