"""The parts of Theano's tensor namespace that look at graphs rather than
compute: its exception classes, constant folding helpers, the advanced
indexing functions by name, and Python mirrors of its op classes, so that
``isinstance(node.op, T.Elemwise)`` works on theon's (C++) ops."""
import builtins
import inspect
import numbers
import sys

import numpy as np

from .. import _core
from .._errors import (AdvancedBooleanIndexingError, AdvancedIndexingError, AsTensorError,  # noqa: F401
                       EmptyConstantError, MethodNotDefined, NotScalarConstantError, ShapeError)
from . import basic as _b

_as = _b.as_tensor_variable


# ---- constants ------------------------------------------------------------------------------

def _op_kind(v):
    """What computes v, from theon's op list ("Elemwise", "Shape", ...); "" for a root."""
    return v.owner.op.kind if v.owner is not None else ""


def get_scalar_constant_value(v, elemwise=True, only_process_constants=False, max_recur=10):
    """The value of v when it is a scalar known at build time (a constant, a
    static length, or casts, broadcasts and elementwise functions of those);
    raises NotScalarConstantError otherwise."""
    if isinstance(v, (numbers.Number, np.number, np.bool_)):
        return np.asarray(v)
    if isinstance(v, np.ndarray):
        if v.size == 0:
            raise EmptyConstantError("get_scalar_constant_value: an empty array")
        if (v == v.flat[0]).all():
            return np.asarray(v.flat[0])
        raise NotScalarConstantError("get_scalar_constant_value: the array's values differ")
    v = _as(v)
    if isinstance(v, _b.TensorConstant):
        return get_scalar_constant_value(np.asarray(v.data))
    if only_process_constants or max_recur <= 0 or v.owner is None:
        raise NotScalarConstantError("get_scalar_constant_value: %s is not a constant" % (v,))
    op, kind, inputs = v.owner.op, _op_kind(v), v.owner.inputs
    if kind == "ShapeI":
        n = inputs[0].static_shape[op.axis]
        if n is not None:
            return np.asarray(n, dtype="int64")
    elif kind == "Subtensor" and not op.advanced and _op_kind(inputs[0]) == "Shape" and len(inputs) == 2 \
            and v.ndim == 0:
        # x.shape[i]: a static length of x
        i = int(get_scalar_constant_value(inputs[1], elemwise, False, max_recur - 1))
        n = inputs[0].owner.inputs[0].static_shape[i]
        if n is not None:
            return np.asarray(n, dtype="int64")
    elif (kind == "Subtensor" and not op.advanced and v.ndim == 0 and len(inputs) == inputs[0].ndim + 1
          and (_op_kind(inputs[0]) == "MakeVector" or isinstance(inputs[0], _b.TensorConstant))):
        # an element of a constant or of a MakeVector, at constant integer positions
        pos = tuple(int(get_scalar_constant_value(i, elemwise, False, max_recur - 1)) for i in inputs[1:])
        x = inputs[0]
        if isinstance(x, _b.TensorConstant):
            try:
                return get_scalar_constant_value(np.asarray(x.data)[pos])
            except IndexError:
                pass  # out of bounds: the graph raises when it runs
        if -len(x.owner.inputs) <= pos[0] < len(x.owner.inputs):
            return get_scalar_constant_value(x.owner.inputs[pos[0]], elemwise, False, max_recur - 1)
    elif kind in ("DimShuffle", "SpecifyShape", "Alloc"):
        return get_scalar_constant_value(inputs[0], elemwise, False, max_recur - 1)
    elif kind == "Cast":
        return np.asarray(get_scalar_constant_value(inputs[0], elemwise, False, max_recur - 1)).astype(op.cast_dtype)
    elif elemwise and kind == "Elemwise":
        from ..compile.function import function
        vals = [get_scalar_constant_value(i, elemwise, False, max_recur - 1) for i in inputs]
        return np.asarray(function([], _rebuild(v, vals))())
    raise NotScalarConstantError("get_scalar_constant_value: %s is not a constant" % (v,))


def _rebuild(v, vals):
    """v's elementwise function applied to constant inputs (for folding)."""
    fn = v.owner.op.scalar_op
    fn = _b._CORE_NAME.get(fn, fn)
    return _core.elemwise(fn, [_b.constant(x) for x in vals])


def extract_constant(x, elemwise=True, only_process_constants=False):
    """x's constant value when it has one (as get_scalar_constant_value), else x."""
    try:
        return get_scalar_constant_value(x, elemwise, only_process_constants)
    except NotScalarConstantError:
        return x


def numpy_scalar(data):
    """The NumPy scalar held by a 0-d constant."""
    data = _as(data)
    if not isinstance(data, _b.TensorConstant) or data.ndim != 0:
        raise NotScalarConstantError("numpy_scalar: %s is not a 0-d constant" % (data,))
    return np.asarray(data.data)[()]


def get_vector_length(v):
    """The length of the vector v when it is known at build time."""
    v = _as(v)
    if v.ndim != 1:
        raise TypeError("get_vector_length: %s is not a vector" % (v.type,))
    if v.static_shape[0] is not None:
        return int(v.static_shape[0])
    kind = _op_kind(v)
    if kind == "Shape":
        return v.owner.inputs[0].ndim
    if kind == "MakeVector":
        return len(v.owner.inputs)
    raise ValueError("get_vector_length: the length of %s is not known before it runs" % (v,))


def check_and_normalize_axes(x, axis):
    """axis (None, an int, a list or a constant) as a list of non-negative
    axes of x, each in range."""
    x = _as(x)
    if axis is None:
        return []
    if isinstance(axis, _b.TensorConstant):
        axis = np.asarray(axis.data).tolist()
    axes = [axis] if isinstance(axis, (numbers.Integral, np.integer)) else list(axis)
    out = []
    for a in axes:
        if not isinstance(a, (numbers.Integral, np.integer)):
            raise TypeError("check_and_normalize_axes: axes must be integers, got %r" % (a,))
        if not -x.ndim <= a < x.ndim:
            raise ValueError("check_and_normalize_axes: axis %d is out of range for %s" % (a, x.type))
        out.append(int(a) % x.ndim)
    return out


def is_flat(var, ndim=None, outdim=None):
    """Whether var has `ndim` dimensions (1 by default)."""
    n = ndim if ndim is not None else (outdim if outdim is not None else 1)
    return _as(var).ndim == n


def scalar_from_tensor(x):
    """x itself: theon's scalars are 0-d tensors."""
    x = _as(x)
    if x.ndim != 0:
        raise TypeError("scalar_from_tensor: needs a 0-d tensor, got %s" % (x.type,))
    return x


tensor_from_scalar = scalar_from_tensor


def divmod(x, y):
    """(x // y, x % y), elementwise."""
    return _b.floor_div(x, y), _b.mod(x, y)


join_ = _b.join


def pprint(obj):
    """theon.printing.pprint: the expression as one line of math."""
    from ..printing import pprint as _pprint
    return _pprint(obj)
Tensor = _b.TensorType  # Theano's alias of TensorType
Constant = _b.TensorConstant  # every theon constant is a tensor constant


# ---- indexing by name ---------------------------------------------------------------------

def as_index_variable(idx):
    """An index entry: None and slices as they are, else an integer or bool tensor."""
    if idx is None or isinstance(idx, slice):
        return idx
    v = _as(idx)
    if not (_b._is_int(v) or v.dtype == "bool"):
        raise AdvancedIndexingError("index must be integers or a boolean mask, got %s" % (v.type,))
    return v


def make_slice(start=None, stop=None, step=None):
    """A slice (for indexing with symbolic bounds)."""
    if isinstance(start, slice):
        return start
    return slice(start, stop, step)


def advanced_subtensor1(x, ilist):
    """x[ilist] with an integer vector on the first axis."""
    return _as(x)[as_index_variable(ilist)]


def advanced_set_subtensor1(x, y, ilist):
    """x with rows ilist set to y (``x[ilist] = y`` as a graph)."""
    return _b.set_subtensor(_as(x)[as_index_variable(ilist)], y)


def advanced_inc_subtensor1(x, y, ilist):
    """x with y added at rows ilist (repeated rows accumulate)."""
    return _b.inc_subtensor(_as(x)[as_index_variable(ilist)], y)


def advanced_subtensor(x, *args):
    """x indexed by the given index entries, ``x[args]`` (Theano's advanced_subtensor)."""
    return _as(x)[tuple(as_index_variable(a) for a in args)]


def advanced_set_subtensor(x, y, *args):
    """x with the region ``x[args]`` set to y."""
    return _b.set_subtensor(advanced_subtensor(x, *args), y)


def advanced_inc_subtensor(x, y, *args):
    """x with y added to the region ``x[args]`` (repeated indices accumulate)."""
    return _b.inc_subtensor(advanced_subtensor(x, *args), y)


advanced_boolean_subtensor = advanced_subtensor
advanced_boolean_set_subtensor = advanced_set_subtensor
advanced_boolean_inc_subtensor = advanced_inc_subtensor


def permute_row_elements(x, y, inverse=False):
    """Each row (last axis) of x permuted by the matching row of y:
    out[..., i] = x[..., y[..., i]] (inverse: out[..., y[..., i]] = x[..., i]);
    x and y broadcast against each other."""
    x, y = _as(x), _as(y)
    if not _b._is_int(y):
        raise TypeError("permute_row_elements: y must be integers, got %s" % (y.type,))
    nd = builtins.max(x.ndim, y.ndim)
    x = x.dimshuffle(["x"] * (nd - x.ndim) + list(range(x.ndim)))
    y = y.dimshuffle(["x"] * (nd - y.ndim) + list(range(y.ndim)))
    if inverse:
        y = _core.argsort(y, nd - 1)
    xb = x + _b.zeros_like(y, dtype=x.dtype)
    yb = _b.cast(y, "int64") + _b.zeros_like(x, dtype="int64")
    return _core.take_along_axis(xb, yb, nd - 1)


def batched_tensordot(x, y, axes=2):
    """tensordot of each pair x[i], y[i] along the first (batch) axis; axes
    counts or lists the contracted axes of x and y (batch axis excluded)."""
    x, y = _as(x), _as(y)
    if isinstance(axes, (numbers.Integral, np.integer)):
        ax = list(range(x.ndim - int(axes), x.ndim))
        ay = list(range(1, 1 + int(axes)))
    else:
        ax, ay = [list(a) if isinstance(a, (list, tuple)) else [a] for a in axes]
        ax = [a % x.ndim for a in ax]
        ay = [a % y.ndim for a in ay]
    if 0 in ax or 0 in ay or len(ax) != len(ay):
        raise ValueError("batched_tensordot: contract the same number of non-batch axes of x and y, got %s and %s"
                         % (ax, ay))
    rx = [d for d in range(1, x.ndim) if d not in ax]
    ry = [d for d in range(1, y.ndim) if d not in ay]
    xt, yt = x.dimshuffle([0] + rx + ax), y.dimshuffle([0] + ay + ry)
    b = x.shape[0]

    m, kk, n = _b._reduced_count(x, rx), _b._reduced_count(x, ax), _b._reduced_count(y, ry)
    z = _b.matmul(_b.reshape(xt, _b.stack([b, m, kk]), 3), _b.reshape(yt, _b.stack([b, kk, n]), 3))
    shape = [b] + [x.shape[d] for d in rx] + [y.shape[d] for d in ry]
    return _b.reshape(z, _b.stack(shape), len(shape))


# ---- op classes -----------------------------------------------------------------------------

class _OpClass(type):
    """isinstance(op, cls) for theon's ops (C++ objects): true when the op's
    kind (op.kind, from theon's one op list) and parameters match cls or a
    subclass. Instances made in Python (T.DimShuffle(...)) are ordinary
    instances."""

    @property
    def __signature__(cls):
        """The constructor's parameters: those of Theano's op class (None: no constructor in theon)."""
        make = cls.__dict__.get("_make")
        return inspect.signature(make.__func__) if make is not None else None

    def __instancecheck__(cls, op):
        kind = op.kind if isinstance(op, _core.Op) else getattr(type(op), "_theon_kind", None)
        if kind is None:  # not an op of theon's
            return type.__instancecheck__(cls, op)
        if cls._any:
            return True
        return builtins.any(kind in c._kinds and (c._when is None or c._when(op))
                            for c in _ALL_CLASSES if issubclass(c, cls))


class _OpBase:
    """An op built in Python from Theano's constructor arguments: calling it
    on inputs builds theon's graph for it (what Theano's op(*inputs) gave)."""

    default_output = None  # a Python op's output that op(*inputs) returns (None: all, or the only one)

    def _user_op(self):
        """Whether this is a user's op written in Python (class MyOp(theano.Op) with make_node and perform)."""
        return type(self) not in _ALL_CLASSES

    @property
    def kind(self):
        """A Python op's kind in theon's op list (its nodes run through a callback)."""
        return "HostCallback"

    def __init__(self, *args, **kwargs):
        if self._make is None and self._user_op():
            self._build, self._props = None, (args, tuple(sorted(kwargs.items())))
            return
        if self._make is None:
            raise TypeError("T.%s has no constructor in theon: %s" % (type(self).__name__, self._hint))
        self._build = self._make(*args, **kwargs)  # checks the arguments now, as Theano's __init__ did
        for k, v in getattr(self._build, "attrs", {}).items():  # Theano's op attributes (op.return_inverse)
            setattr(self, k, v)
        self._props = (args, tuple(sorted(kwargs.items())))

    def __call__(self, *inputs, **kwargs):
        if self._user_op() and getattr(self, "_build", None) is None:
            return_list = kwargs.pop("return_list", False)
            if type(self).make_node is _OpBase.make_node and not hasattr(self, "itypes"):
                raise TypeError("%s: a Python op needs a make_node method (returning Apply(self, inputs, outputs)), "
                                "or itypes and otypes, and a perform method" % type(self).__name__)
            node = self.make_node(*inputs, **kwargs)
            if not isinstance(node, _core.Apply) and _b.config.compute_test_value != "off":
                _python_node_test_values(node)
            outs = list(node.outputs)
            if self.default_output is not None and not return_list:
                return outs[self.default_output]
            return outs[0] if len(outs) == 1 and not return_list else outs
        return self._build(*inputs, **kwargs)

    def make_node(self, *inputs):
        """The Apply node that computes the (first) output (None when the op leaves its input as it is).
        A Python op without its own make_node: the node of inputs of the
        types ``self.itypes``, with new outputs of the types ``self.otypes``."""
        if self._user_op() and getattr(self, "_build", None) is None:
            itypes, otypes = getattr(self, "itypes", None), getattr(self, "otypes", None)
            if itypes is None or otypes is None:
                raise MethodNotDefined("%s.make_node: define make_node, or itypes and otypes" % type(self).__name__)
            if len(inputs) != len(itypes):
                raise ValueError("%s: expected %d inputs, got %d" % (type(self).__name__, len(itypes), len(inputs)))
            inputs = [_as(i) if not hasattr(i, "type") and isinstance(t, _b.TensorType) else i
                      for i, t in zip(inputs, itypes)]
            if not builtins.all(i.type == t for i, t in zip(inputs, itypes)):
                raise TypeError("%s: expected inputs of types %s, got %s"
                                % (type(self).__name__, list(itypes), [i.type for i in inputs]))
            return _b.Apply(self, inputs, [t() for t in otypes])
        out = self(*inputs)
        return (out[0] if isinstance(out, (list, tuple)) else out).owner

    def perform(self, node, inputs, output_storage, params=None):
        """Computes the outputs in Python (a Python op defines it)."""
        if type(self).c_code is not _OpBase.c_code:
            raise MethodNotDefined("%s.perform is not defined: the op has only a C implementation (c_code), and "
                                   "theon compiles no op's C code; define perform" % type(self).__name__)
        raise MethodNotDefined("%s.perform is not defined" % type(self).__name__)

    def c_code(self, node, name, inputs, outputs, sub):
        """Theano's C implementation: theon never compiles an op's C code (it runs perform)."""
        raise MethodNotDefined("%s.c_code is not defined (theon runs perform; it compiles no op's C code)"
                               % type(self).__name__)

    def c_code_cache_version(self):
        return ()

    def do_constant_folding(self, node):
        return True

    def prepare_node(self, node, storage_map, compute_map, impl):
        """Called before a thunk of the node is made; nothing by default."""

    def make_thunk(self, node, storage_map, compute_map, no_recycling, impl=None):
        """Theano's thunk of one node: a function of no arguments that runs
        perform on ``storage_map[input][0]``, writes ``storage_map[output][0]``,
        marks ``compute_map[output][0]`` and returns None (nothing more needed).
        theon compiles no op's C code: impl='c' raises MethodNotDefined."""
        if impl == "c":
            raise MethodNotDefined("%s.make_thunk: theon compiles no op's C code (impl='c')" % type(self).__name__)
        self.prepare_node(node, storage_map, compute_map, impl)
        ins = [storage_map[v] for v in node.inputs]
        outs = [storage_map[v] for v in node.outputs]
        perform = node.op.perform

        def thunk():
            r = perform(node, [s[0] for s in ins], outs)
            for v in node.outputs:
                compute_map[v][0] = True
            return r

        thunk.inputs, thunk.outputs, thunk.perform, thunk.lazy = ins, outs, perform, False
        return thunk

    def _props_dict(self):
        """Theano's {prop: value} of __props__."""
        return {p: getattr(self, p) for p in getattr(type(self), "__props__", ())}

    def _prop_values(self):
        return tuple(getattr(self, p) for p in type(self).__props__)

    def __eq__(self, other):
        if self._user_op():  # Theano's rule: equal when of one class with equal __props__ (else the same object)
            if hasattr(type(self), "__props__"):
                return type(self) is type(other) and self._prop_values() == other._prop_values()
            return self is other
        # One of theon's ops equals an argument-less instance of its class
        # (Theano's tests ask `softmax_op in [node.op for node in ...]`), or an
        # instance whose arguments its builder can check on the op (`matches`).
        if isinstance(other, _core.Op) and hasattr(self._build, "matches"):
            return isinstance(other, type(self)) and self._build.matches(other)
        if isinstance(other, _core.Op) and not self._props[0] and not self._props[1]:
            return isinstance(other, type(self))
        return type(self) is type(other) and self._props == other._props

    def __hash__(self):
        if self._user_op():
            return hash((type(self), self._prop_values())) if hasattr(type(self), "__props__") else id(self)
        return hash((type(self).__name__, repr(self._props)))

    def __str__(self):
        if self._user_op():
            props = getattr(type(self), "__props__", ())
            if not props:
                return type(self).__name__
            return "%s{%s}" % (type(self).__name__, ", ".join(str(v) for v in self._prop_values()))
        return self.__repr__()

    def __repr__(self):
        if self._user_op():
            return self.__str__()
        args = [repr(a) for a in self._props[0]] + ["%s=%r" % kv for kv in self._props[1]]
        return "%s{%s}" % (type(self).__name__, ", ".join(args))


def _python_node_test_values(node):
    """Theano's compute_test_value for a Python-side node (non-tensor
    outputs): perform on the inputs' test values sets the outputs'
    tag.test_value; a missing input value is reported by config."""
    from ..gof import op as _gof_op
    vals = []
    for k, i in enumerate(node.inputs):
        try:
            vals.append(_gof_op.get_test_value(i))
        except AttributeError:
            _gof_op.missing_test_message("%s: input %d (%s) has no test value" % (node.op, k, i))
            return
    storage = [[None] for _ in node.outputs]
    node.op.perform(node, vals, storage)
    for o, st in zip(node.outputs, storage):
        o.tag.test_value = st[0]


_ALL_CLASSES = []


def _op_class(name, kinds, base=None, any_op=False, make=None, hint=None, when=None):
    """Theano's op class `name`: matches theon ops of the op kinds `kinds`
    for which `when(op)` holds (reading op parameters such as op.advanced);
    `make` takes Theano's constructor arguments and returns the graph builder."""
    if make is not None:
        make.__qualname__ = "T." + name  # argument errors name the class
    if any_op:
        matches = "It matches every op of theon's graphs."
    elif kinds:
        matches = "``isinstance(node.op, %s)`` is true for theon's ops of kind %s%s." % (
            name, "/".join(kinds), " with matching parameters" if when else "")
    else:
        matches = "No op of theon's graphs is an instance: theon computes this with other ops."
    doc = "Theano's %s class, for isinstance checks on graph nodes.\n\n%s %s" % (
        name if name == "Op" else name + " op", matches, "Constructed with Theano's arguments, ``%s(...)(*inputs)`` builds the graph as Theano's "
        "op did." % name if make else "It has no constructor in theon: %s." % (hint or "build the graph with "
                                                                                     "functions"))
    cls = _OpClass(name, (base,) if base else (_OpBase,),
                   {"_kinds": frozenset(kinds), "_when": staticmethod(when) if when else None, "_any": any_op,
                    "_make": staticmethod(make) if make else None,
                    "_hint": hint or "build the graph with theon.tensor's functions", "__doc__": doc})
    _ALL_CLASSES.append(cls)
    return cls


# ---- Theano's constructor arguments -> graph builders ----

class _Tensor:
    """theon.tensor, looked up when used (this module is part of it)."""

    def __getattr__(self, name):
        return getattr(sys.modules["theon.tensor"], name)


_T = _Tensor()

def _dimshuffle(input_broadcastable, new_order, inplace=True):
    want = tuple(bool(b) for b in input_broadcastable)
    kept = [d for d in new_order if d != "x"]
    for d in kept:
        if not isinstance(d, (numbers.Integral, np.integer)) or not 0 <= d < len(want) or kept.count(d) > 1:
            raise ValueError("DimShuffle: new_order %r must list each input axis (0..%d) at most once, or 'x'"
                             % (tuple(new_order), len(want) - 1))
    dropped = [d for d in range(len(want)) if d not in kept and not want[d]]
    if dropped:
        raise ValueError("DimShuffle: new_order %r drops axis %d, which is not broadcastable (pattern %s)"
                         % (tuple(new_order), dropped[0], want))

    def build(x):
        x = _T.as_tensor_variable(x)
        have = tuple(x.broadcastable)
        if len(have) != len(want) or builtins.any(w and not h for w, h in zip(want, have)):
            raise TypeError("DimShuffle: made for inputs with broadcast pattern %s, got %s (%s)"
                            % (want, have, x.type))
        return x.dimshuffle(*new_order)
    return build


def _rebroadcast(*axis_and_bools):
    def build(x):
        for axis, b in axis_and_bools:
            x = _T.addbroadcast(x, axis) if b else _T.unbroadcast(x, axis)
        return x
    return build


def _alloc_diag(offset=0, axis1=0, axis2=1):
    if (axis1, axis2) != (0, 1):
        raise NotImplementedError("AllocDiag: theon builds a matrix from a vector (axis1=0, axis2=1)")

    def build(x):
        x = _T.as_tensor_variable(x)
        if x.ndim != 1:
            raise TypeError("AllocDiag: expected a vector, got %s" % x.type)
        return _T.diag(x, offset)
    return build


def _incsubtensor(fn_set, fn_inc):
    def make(inplace=False, set_instead_of_inc=False):
        return fn_set if set_instead_of_inc else fn_inc
    return make


def _no_args(fn):
    """A class whose constructor takes nothing; fn (or theon.tensor's function of that name) builds."""
    def make():
        return getattr(_T, fn) if isinstance(fn, str) else fn
    return make


def _adv_set(x, y, *idx):
    return _T.set_subtensor(_T.as_tensor_variable(x)[idx], y)


def _adv_inc(x, y, *idx):
    return _T.inc_subtensor(_T.as_tensor_variable(x)[idx], y)


def _scalar_name(scalar_op):
    name = getattr(scalar_op, "name", None)
    if not isinstance(name, str):
        raise TypeError("expected a scalar op of theano.scalar (theon.scalar.add, ...), got %r" % (scalar_op,))
    return name


def _elemwise_of(scalar_op, inplace_pattern=None, name=None, nfunc_spec=None):
    """T.Elemwise(scalar.add): the elementwise function of the scalar op (T.add).
    An inplace_pattern is accepted: theon's inplace phase decides what overwrites what."""
    n = _scalar_name(scalar_op)
    fn = getattr(_T, n, None) if n not in ("abs", "switch", "xor") else getattr(_T, n + "_")
    if fn is None:
        raise TypeError("Elemwise: theon.tensor has no elementwise %s" % n)
    return fn


# Theano's CAReduce scalar ops and the reductions they are.
_CAREDUCE = {"add": "sum", "mul": "prod", "maximum": "max", "minimum": "min", "and_": "all", "or_": "any"}


def _careduce_of(scalar_op, axis=None):
    """T.CAReduce(scalar.add, axis): the reduction it is (sum, prod, max, min,
    all, any), in the input's dtype as Theano's CAReduce (Sum widens; a plain
    CAReduce wraps around as its scalar op would)."""
    n = _scalar_name(scalar_op)
    if n not in _CAREDUCE:
        raise NotImplementedError("CAReduce over %s: theon reduces with add, mul, maximum, minimum, and_ or or_" % n)
    reduce_fn = getattr(_T, _CAREDUCE[n])

    def build(x):
        x = _as(x)
        out = reduce_fn(x, axis=axis)
        return out if out.dtype == x.dtype else _T.cast(out, x.dtype)
    return build


def _prod_without_zeros(axis=None, dtype=None, acc_dtype=None):
    """The product of the nonzero values; its gradient is undefined, as Theano's."""
    def build(x):
        x = _as(x)
        from ..gradient import undefined_grad
        nonzero = _T.switch(_T.eq(x, 0), _T.ones_like(x), undefined_grad(x))
        return _T.prod(nonzero, axis, dtype=dtype, acc_dtype=acc_dtype)
    return build
_USE_INDEXING = "index the variable (x[...]) and use set_subtensor / inc_subtensor"

Op = _op_class("Op", [], any_op=True, hint="subclass it: an op written in Python defines make_node and perform "
                                            "(docs/python-ops.md)")
Elemwise = _op_class("Elemwise", ["Elemwise", "Cast", "Fused"], Op, make=_elemwise_of)
DimShuffle = _op_class("DimShuffle", ["DimShuffle"], Op, make=_dimshuffle)
# A FusedReduce (an elementwise program reduced as computed) is a reduction, as
# PyTensor's CAReduce over a Composite.
CAReduce = _op_class("CAReduce", ["Reduce", "FusedReduce"], Op, make=_careduce_of)
Sum = _op_class("Sum", ["Reduce", "FusedReduce"], CAReduce, when=lambda op: op.reduce_kind == "sum",
                make=lambda axis=None, dtype=None, acc_dtype=None: lambda x: _T.sum(x, axis, dtype=dtype,
                                                                                    acc_dtype=acc_dtype))
Prod = _op_class("Prod", ["Reduce", "FusedReduce"], CAReduce, when=lambda op: op.reduce_kind == "prod",
                 # no_zeros_in_input was a speed hint for the gradient; theon's handles zeros at the same cost
                 make=lambda axis=None, dtype=None, acc_dtype=None, no_zeros_in_input=False:
                 lambda x: _T.prod(x, axis, dtype=dtype, acc_dtype=acc_dtype))
ProdWithoutZeros = _op_class("ProdWithoutZeros", [], Prod, make=_prod_without_zeros)
Max = _op_class("Max", ["Reduce", "FusedReduce"], CAReduce, when=lambda op: op.reduce_kind == "max",
                make=lambda axis=None: lambda x: _T.max(x, axis))
Min = _op_class("Min", ["Reduce", "FusedReduce"], CAReduce, when=lambda op: op.reduce_kind == "min",
                make=lambda axis=None: lambda x: _T.min(x, axis))
All = _op_class("All", ["Reduce", "FusedReduce"], CAReduce, when=lambda op: op.reduce_kind == "all",
                make=lambda axis=None: lambda x: _T.all(x, axis))
Any = _op_class("Any", ["Reduce", "FusedReduce"], CAReduce, when=lambda op: op.reduce_kind == "any",
                make=lambda axis=None: lambda x: _T.any(x, axis))
CAReduceDtype = CAReduce
def _make_vector(dtype="int64"):
    def build(*xs):
        xs = [_T.as_tensor_variable(x) for x in xs]
        for x in xs:
            # Theano's MakeVector asserted that every entry fits the dtype without loss.
            if str(np.promote_types(x.dtype, dtype)) != str(np.dtype(dtype)):
                raise AssertionError("MakeVector{dtype=%s}: an entry of dtype %s would lose values; cast it "
                                     "explicitly" % (dtype, x.dtype))
        return _core.make_vector([_T.cast(x, dtype) for x in xs], dtype)
    return build


MakeVector = _op_class("MakeVector", ["MakeVector"], Op, make=_make_vector)
Shape_i = _op_class("Shape_i", ["ShapeI"], Op, make=lambda i: lambda x: _T.shape_i(x, i))
SortOp = _op_class("SortOp", ["Sort"], Op, make=lambda kind="quicksort", order=None:
                   lambda a, axis=-1: _T.sort(a, axis, kind, order))
ArgSortOp = _op_class("ArgSortOp", ["ArgSort"], Op, make=lambda kind="quicksort", order=None:
                      lambda a, axis=-1: _T.argsort(a, axis, kind, order))
def _topk_op(axis=-1, sorted=True, idx_dtype="int64", return_values=True, return_indices=True):
    if not (return_values or return_indices):
        raise ValueError("TopKOp: return_values and return_indices cannot both be False")

    def build(x, k):
        out = sys.modules["theon.tensor.sort"]._topk(x, k, axis, return_values, return_indices, idx_dtype)
        return out if len(out) > 1 else out[0]
    return build


TopKOp = _op_class("TopKOp", ["TopK"], Op, make=_topk_op)
Mean = _op_class("Mean", [], Op, make=lambda axis=None: lambda x: _T.mean(x, axis))
Argmax = _op_class("Argmax", ["ArgReduce"], Op, when=lambda op: op.reduce_kind == "argmax",
                   make=lambda axis=None: lambda x: _T.argmax(x, axis))
MaxAndArgmax = _op_class("MaxAndArgmax", [], Op,
                         make=lambda axis=None: lambda x: list(_T.max_and_argmax(x, axis)))
Dot = _op_class("Dot", ["Dot"], Op, make=_no_args("dot"))
Reshape = _op_class("Reshape", ["Reshape"], Op, make=lambda ndim, name=None: lambda x, shp: _T.reshape(x, shp, ndim))
Flatten = _op_class("Flatten", [], Op, make=lambda outdim=1: lambda x: _T.flatten(x, outdim))
Shape = _op_class("Shape", ["Shape"], Op, make=_no_args("shape"))
Alloc = _op_class("Alloc", ["Alloc"], Op, make=_no_args("alloc"))
AllocEmpty = _op_class("AllocEmpty", [], Op, make=lambda dtype: lambda *shape: _T.empty(shape, dtype))
ARange = _op_class("ARange", ["ARange"], Op,
                   make=lambda dtype: lambda start, stop, step: _T.arange(start, stop, step, dtype=dtype))
Eye = _op_class("Eye", ["Eye"], Op, make=lambda dtype=None: lambda n, m, k: _T.eye(n, m, k, dtype=dtype))
Tri = _op_class("Tri", [], Op, make=lambda dtype=None: lambda N, M, k: _T.tri(N, M, k, dtype=dtype))
Join = _op_class("Join", ["Join"], Op, make=lambda view=-1: _T.join)
Split = _op_class("Split", [], Op, make=lambda len_splits: lambda x, axis, splits: _T.split(x, splits, len_splits, axis))
Tile = _op_class("Tile", [], Op, make=lambda ndim: lambda x, reps: _T.tile(x, reps, ndim))
Choose = _op_class("Choose", [], Op, make=lambda mode="raise": lambda a, choices: _T.choose(a, choices, mode=mode))
Nonzero = _op_class("Nonzero", ["Nonzero"], Op, make=_no_args(lambda a: _T.nonzero(a, return_matrix=True)))
DiffOp = _op_class("DiffOp", [], Op, make=lambda n=1, axis=-1: lambda x: _T.diff(x, n, axis))
AllocDiag = _op_class("AllocDiag", [], Op, make=_alloc_diag)
ExtractDiag = _op_class("ExtractDiag", [], Op, make=lambda offset=0, axis1=0, axis2=1, view=False:
                        lambda x: _T.diagonal(x, offset, axis1, axis2))
PermuteRowElements = _op_class("PermuteRowElements", [], Op, make=_no_args(
    lambda x, y, inverse=False: permute_row_elements(x, y, bool(get_scalar_constant_value(inverse))
                                                     if not isinstance(inverse, bool) else inverse)))
SpecifyShape = _op_class("SpecifyShape", ["SpecifyShape"], Op, when=lambda op: op.symbolic_shape, make=_no_args("specify_shape"))
Rebroadcast = _op_class("Rebroadcast", ["SpecifyShape"], Op, when=lambda op: not op.symbolic_shape, make=_rebroadcast)
ScalarFromTensor = _op_class("ScalarFromTensor", [], Op, make=_no_args("scalar_from_tensor"))
TensorFromScalar = _op_class("TensorFromScalar", [], Op, make=_no_args("tensor_from_scalar"))
MakeSlice = _op_class("MakeSlice", [], Op, make=_no_args("make_slice"))
Subtensor = _op_class("Subtensor", ["Subtensor"], Op, when=lambda op: not op.advanced, hint=_USE_INDEXING)
IncSubtensor = _op_class("IncSubtensor", ["IncSubtensor"], Op, when=lambda op: not op.advanced, hint=_USE_INDEXING)
BaseAdvancedSubtensor = _op_class("BaseAdvancedSubtensor", [], Op, hint=_USE_INDEXING)
AdvancedSubtensor = _op_class("AdvancedSubtensor", ["Subtensor"], BaseAdvancedSubtensor, when=lambda op: op.advanced,
                              make=_no_args("advanced_subtensor"))
AdvancedSubtensor1 = _op_class("AdvancedSubtensor1", [], AdvancedSubtensor, make=_no_args("advanced_subtensor1"))
AdvancedBooleanSubtensor = _op_class("AdvancedBooleanSubtensor", [], AdvancedSubtensor,
                                     make=_no_args("advanced_subtensor"))
BaseAdvancedIncSubtensor = _op_class("BaseAdvancedIncSubtensor", [], Op, hint=_USE_INDEXING)
AdvancedIncSubtensor = _op_class("AdvancedIncSubtensor", ["IncSubtensor"], BaseAdvancedIncSubtensor,
                                 when=lambda op: op.advanced,
                                 make=_incsubtensor(_adv_set, _adv_inc))
AdvancedIncSubtensor1 = _op_class("AdvancedIncSubtensor1", [], AdvancedIncSubtensor,
                                  make=_incsubtensor(advanced_set_subtensor1, advanced_inc_subtensor1))
AdvancedBooleanIncSubtensor = _op_class("AdvancedBooleanIncSubtensor", [], AdvancedIncSubtensor,
                                        make=_incsubtensor(_adv_set, _adv_inc))



# ---- theano.tensor.extra_ops's op classes (not in Theano's tensor namespace) ----

def _with_attrs(build, **attrs):
    build.attrs = attrs
    return build


def _searchsorted_op(side="left"):
    if side not in ("left", "right"):
        raise ValueError("SearchsortedOp: side must be 'left' or 'right', got %r" % (side,))
    return _with_attrs(lambda x, v, sorter=None: _T.searchsorted(x, v, side, sorter), side=side)


def _cum_op(axis=None, mode="add"):
    if mode not in ("add", "mul"):
        raise ValueError("CumOp: mode must be 'add' or 'mul', got %r" % (mode,))
    fn = "cumsum" if mode == "add" else "cumprod"
    return _with_attrs(lambda x: getattr(_T, fn)(x, axis), axis=axis, mode=mode)


def _unique_op(return_index=False, return_inverse=False, return_counts=False, axis=None):
    def build(x, return_list=False):
        out = _T.unique(x, return_index, return_inverse, return_counts, axis)
        out = list(out) if isinstance(out, tuple) else [out]
        return out if return_list or len(out) > 1 else out[0]
    return _with_attrs(build, return_index=return_index, return_inverse=return_inverse,
                       return_counts=return_counts, axis=axis)


def _ravel_multi_index_op(mode="raise", order="C"):
    def build(*inputs):
        return _T.ravel_multi_index(tuple(inputs[:-1]), inputs[-1], mode, order)
    return _with_attrs(build, mode=mode, order=order)


_COMPOSED = "theon builds it from other ops (no node of this class in a graph)"
_EXTRA_OPS_CLASSES = [
    _op_class("SearchsortedOp", ["SearchSorted"], Op, make=_searchsorted_op),
    _op_class("CumOp", ["CumOp"], Op, make=_cum_op),
    _op_class("CpuContiguous", [], Op, make=_no_args(lambda x: sys.modules["theon.tensor.extra_ops"]
                                                     .cpu_contiguous(x)), hint=_COMPOSED),
    _op_class("RepeatOp", [], Op, make=lambda axis=None: _with_attrs(lambda x, repeats: _T.repeat(x, repeats, axis),
                                                                     axis=axis)),
    _op_class("BinCountOp", [], Op, make=lambda minlength=None: _with_attrs(
        lambda x, weights=None: _T.bincount(x, weights, minlength), minlength=minlength)),
    _op_class("Bartlett", [], Op, make=_no_args("bartlett")),
    _op_class("FillDiagonal", [], Op, make=_no_args("fill_diagonal")),
    _op_class("FillDiagonalOffset", [], Op, make=_no_args("fill_diagonal_offset")),
    _op_class("Unique", [], Op, make=_unique_op),
    _op_class("UnravelIndex", [], Op, make=lambda order="C": _with_attrs(
        lambda indices, dims, ndim=None: _T.unravel_index(indices, dims, order, ndim), order=order)),
    _op_class("RavelMultiIndex", [], Op, make=_ravel_multi_index_op),
]

__all__ = [n for n in dir() if not n.startswith("_") and n not in ("builtins", "inspect", "numbers", "np", "sys")
           and n not in {c.__name__ for c in _EXTRA_OPS_CLASSES}]
