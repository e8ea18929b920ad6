"""Theano's non-tensor types (theano.gof.type.Type, Generic), the Python-side
Variable/Constant/Apply of Python ops on them, and the Op helpers Theano's
gof/tests/test_op.py uses (make_thunk, itypes/otypes, test values)."""
import numpy as np
import pytest

import theon
import theon.tensor as T
from theon import gof, scalar
from theon.gof import op as gof_op
from theon.gof.graph import Apply, Constant, Variable
from theon.gof.type import Generic, Type, generic


class Prefixed(Type):
    """Strings starting with `prefix`."""

    def __init__(self, prefix):
        self.prefix = prefix

    def __eq__(self, other):
        return type(other) is type(self) and other.prefix == self.prefix

    def __hash__(self):
        return hash((type(self), self.prefix))

    def __str__(self):
        return "Prefixed(%s)" % self.prefix

    def filter(self, x, strict=False, allow_downcast=None):
        if not isinstance(x, str):
            raise TypeError("not a string")
        if not x.startswith(self.prefix):
            raise ValueError("wrong prefix")
        return x


class Concat(gof.Op):
    __props__ = ("sep",)

    def __init__(self, sep=""):
        self.sep = sep

    def make_node(self, *inputs):
        for i in inputs:
            if not isinstance(i, Variable) or not isinstance(i.type, Prefixed):
                raise TypeError("Concat takes Prefixed variables")
        return Apply(self, list(inputs), [Prefixed(inputs[0].type.prefix)()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = self.sep.join(inputs)


class Describe(gof.Op):
    """A tensor in, a generic (Python dict) out."""
    __props__ = ()

    def make_node(self, x):
        return Apply(self, [T.as_tensor_variable(x)], [generic()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = {"shape": inputs[0].shape, "sum": float(inputs[0].sum())}


def test_type_makes_python_side_variables_and_constants():
    t = Prefixed("a")
    v = t("v")
    assert isinstance(v, Variable) and v.type == t and v.owner is None and v.name == "v"
    assert str(v) == "v" and str(t()) == "<Prefixed(a)>"
    c = t.make_constant("abc")
    assert isinstance(c, Constant) and c.data == "abc" and c.value == "abc"
    with pytest.raises(ValueError):
        t.make_constant("xyz")
    with pytest.raises(ValueError):
        c.owner = Concat()(v).owner
    assert t.is_valid_value("ab") and not t.is_valid_value(3)
    assert t.filter_variable("ab").data == "ab"
    with pytest.raises(TypeError):
        t.filter_variable(Prefixed("b")())
    with pytest.raises(gof.MethodNotDefined):
        Type().filter(1)


def test_tensors_count_as_variables_constants_and_types():
    x = T.dmatrix("x")
    assert isinstance(x, Variable) and not isinstance(x, Constant)
    assert isinstance(T.constant(1.0), Constant) and isinstance(T.constant(1.0), Variable)
    assert issubclass(T.TensorVariable, Variable) and isinstance(x.type, Type)
    assert isinstance(theon.shared(object()), Variable)
    # Theano's constructors given a tensor type give theon's tensors
    assert isinstance(Variable(T.dvector, name="w"), T.TensorVariable)
    k = Constant(T.dvector, [1.0, 2.0])
    assert isinstance(k, T.TensorConstant) and k.data.tolist() == [1.0, 2.0]


def test_generic_is_a_singleton_type():
    assert Generic() is generic and Generic() == generic and str(generic) == "generic"
    assert isinstance(generic, Type) and generic.filter([1, "a"]) == [1, "a"]
    g = generic("g")
    assert isinstance(g, Variable) and g.type is generic


def test_python_op_on_non_tensor_types_builds_nodes():
    a, b = Prefixed("a")("a"), Prefixed("a")("b")
    op = Concat("-")
    node = op.make_node(a, b)
    assert isinstance(node, Apply) and isinstance(node, gof.Apply)
    assert node.inputs == [a, b] and [o.type for o in node.outputs] == [Prefixed("a")]
    assert node.outputs[0].owner is node and node.outputs[0].index == 0
    assert node.nin == 2 and node.nout == 1 and node.out is node.outputs[0]
    assert str(node) == "Concat{-}(a, b)" and str(node.outputs[0]) == "Concat{-}.0"
    y = op(a, b)
    assert isinstance(y.owner.op, Concat) and y.owner.op == Concat("-") and hash(y.owner.op) == hash(Concat("-"))
    assert op(a, b, return_list=True)[0].type == Prefixed("a")
    assert gof.graph.inputs([y]) == [a, b]
    assert len(gof.graph.io_toposort([a, b], [op(y, a)])) == 2
    cl = node.clone()
    assert cl.inputs == node.inputs and cl.outputs[0] is not node.outputs[0]
    with pytest.raises(TypeError, match="Prefixed"):
        op(generic(), a)
    with pytest.raises(ValueError, match="belongs to another node"):
        Apply(op, [a], [y])


def test_python_side_graphs_evaluate_in_python():
    a, b = Prefixed("a")("a"), Prefixed("a")("b")
    y = Concat("-")(Concat()(a, b), Constant(Prefixed("a"), "az"))
    assert y.eval({a: "a1", b: "a2"}) == "a1a2-az"
    with pytest.raises(ValueError):
        y.eval({a: "x", b: "b"})  # the type filters given values
    with pytest.raises(gof.MissingInputError):
        y.eval({a: "a1"})
    # a tensor sub-expression feeds the Python op: computed by a compiled function
    x = T.dvector("x")
    d = Describe()(T.exp(x) * 0 + x)
    assert d.type is generic
    assert gof.graph.evaluate([d], {x: np.arange(3.0)})[0] == {"shape": (3,), "sum": 3.0}


def test_function_of_non_tensor_outputs_evaluates_and_mixing_is_a_clear_type_error():
    a = Prefixed("a")("a")
    y = Concat()(a)
    f = theon.function([a], y)
    assert f("ab") == Concat()(a).eval({a: "ab"})
    assert theon.function([a], [y, y])("ab") == [f("ab")] * 2
    with pytest.raises(TypeError, match="updates and givens need tensor outputs"):
        theon.function([a], y, updates=[(theon.shared(0.0), 1.0)])
    with pytest.raises(TypeError, match="not a tensor.*compute tensors only"):
        T.exp(y)
    with pytest.raises(TypeError, match="tensor outputs and an input of the non-tensor type"):
        Apply(Concat(), [y], [T.dscalar()])
    with pytest.raises(TypeError, match="mixes tensor output"):
        Apply(Concat(), [y], [generic(), T.dscalar()])


def test_make_thunk_runs_perform_on_storage():
    class IncOne(gof.Op):
        __props__ = ()

        def make_node(self, x):
            x = scalar.as_scalar(x)
            return Apply(self, [x], [x.type()])

        def perform(self, node, inputs, outputs):
            outputs[0][0] = inputs[0] + 1

    i = scalar.int32("i")
    o = IncOne()(i)
    with pytest.raises(gof.MethodNotDefined):
        o.owner.op.c_code(o.owner, "o", ["x"], "z", {"fail": ""})
    storage, computed = {i: [np.int32(3)], o: [None]}, {i: [True], o: [False]}
    thunk = o.owner.op.make_thunk(o.owner, storage, computed, no_recycling=[])
    assert not thunk() and computed[o][0] and storage[o][0] == 4
    assert thunk.lazy is False and thunk.inputs == [storage[i]]


def test_c_code_only_op_says_theon_runs_perform():
    class IncOneC(gof.Op):
        __props__ = ()

        def make_node(self, x):
            x = T.as_tensor_variable(x)
            return Apply(self, [x], [x.type()])

        def c_code(self, node, name, inputs, outputs, sub):
            return "%s = %s + 1;" % (outputs[0], inputs[0])

    x = T.dscalar("x")
    with pytest.raises(gof.MethodNotDefined, match="only a C implementation"):
        IncOneC().perform(None, [1.0], [[None]])
    with pytest.raises(ValueError, match="only a C implementation"):
        theon.function([x], IncOneC()(x))(1.0)


def test_itypes_otypes_give_make_node():
    class Double(gof.Op):
        __props__ = ()
        itypes = [T.dmatrix]
        otypes = [T.dmatrix]

        def perform(self, node, inputs, outputs):
            outputs[0][0] = inputs[0] * 2

    x = T.dmatrix("x")
    f = theon.function([x], Double()(x))
    assert np.allclose(f(np.ones((2, 3))), 2.0)
    with pytest.raises(TypeError, match="expected inputs of types"):
        Double()(T.fmatrix())
    with pytest.raises(ValueError, match="expected 1 inputs"):
        Double()(x, x)


def test_test_value_helpers():
    assert (gof_op.get_test_value([0, 1, 2]) == [0, 1, 2]).all()
    assert (gof_op.get_test_value(theon.shared(np.zeros(3))) == 0).all()
    v = generic("v")
    with pytest.raises(AttributeError, match="no test value"):
        gof_op.get_test_value(v)
    v.tag.test_value = {"k": 1}
    assert gof_op.get_test_value(v) == {"k": 1}
    old = theon.config.compute_test_value
    try:
        theon.config.compute_test_value = "off"
        assert gof_op.get_debug_values(v) == []
        theon.config.compute_test_value = "ignore"
        assert gof_op.get_debug_values(v, np.zeros(2))[0][0] == {"k": 1}
        assert gof_op.get_debug_values(generic()) == []
        with pytest.raises(ValueError):
            gof_op.debug_error_message("msg")
        theon.config.compute_test_value = "raise"
        with pytest.raises(AttributeError):
            gof_op.get_debug_values(generic())
    finally:
        theon.config.compute_test_value = old


def test_python_side_nodes_get_test_values():
    x = T.dvector("x")
    x.tag.test_value = np.arange(3.0)
    old = theon.config.compute_test_value
    try:
        theon.config.compute_test_value = "raise"
        d = Describe()(x)
        assert d.tag.test_value == {"shape": (3,), "sum": 3.0}
        with pytest.raises(AttributeError, match="no test value"):
            Describe()(T.dvector())
        theon.config.compute_test_value = "off"
        assert not hasattr(Describe()(x).tag, "test_value")
    finally:
        theon.config.compute_test_value = old


def test_general_toposort_orders_any_nodes_as_theano_does_and_rejects_cycles():
    a, b, c = Prefixed("a")("a"), Prefixed("a")("b"), Prefixed("a")("c")
    n1 = Concat().make_node(a, b)
    n2 = Concat().make_node(n1.outputs[0], c)

    def deps(obj):  # variables depend on their node, nodes on their inputs
        if isinstance(obj, Apply):
            return obj.inputs
        return [obj.owner] if obj.owner is not None else []

    clients = {}
    order = gof.graph.general_toposort(n2.outputs, deps, clients=clients)
    assert order == [c, b, a, n1, n1.outputs[0], n2, n2.outputs[0]]  # dependency-free ones in the order found
    assert clients[n1.outputs[0]] == [n2]
    # a repeated input counts once; a tensor graph works the same way
    x = T.dvector("x")
    y = x * x
    assert gof.graph.general_toposort([y], deps) == [x, y.owner, y]
    edges = {1: [2], 2: [3], 3: [1]}
    with pytest.raises(ValueError, match="cycle"):
        gof.graph.general_toposort([1], lambda k: edges[k])
    # a long chain needs no recursion
    chain = {k: [k + 1] for k in range(20000)}
    chain[20000] = []
    assert gof.graph.general_toposort([0], lambda k: chain[k]) == list(range(20000, -1, -1))


def test_clone_copies_python_side_nodes_and_the_tensors_they_read():
    a, b, c = Prefixed("a")("a"), Prefixed("a")("b"), Prefixed("a")("c")
    y = Concat("-")(Concat()(a, b), c)
    ins, outs = gof.graph.clone([a, b, c], [y], copy_inputs=False)
    assert ins == [a, b, c] and outs[0] is not y and outs[0].type == y.type
    inner = outs[0].owner.inputs[0]
    assert inner is not y.owner.inputs[0] and inner.owner.inputs == [a, b] and outs[0].owner.inputs[1] is c
    assert outs[0].eval({a: "a1", b: "a2", c: "a3"}) == "a1a2-a3"
    outs[0].owner.inputs = [c, c]  # changing the copy leaves the original as it was
    assert y.owner.inputs[1] is c and y.owner.inputs[0].owner.inputs == [a, b]
    ins, outs = gof.graph.clone([a, b, c], [y])  # copy_inputs: fresh roots of the same types and names
    assert all(n is not o and n.type == o.type and n.name == o.name for n, o in zip(ins, [a, b, c]))
    assert gof.graph.inputs(outs) == ins
    # a tensor graph read by a Python-side node is copied with it, its inputs replaced
    x = T.dvector("x")
    d = Describe()(T.exp(x))
    (x2,), (d2,) = gof.graph.clone([x], [d])
    assert x2 is not x and d2.owner.inputs[0] is not d.owner.inputs[0]
    assert gof.graph.inputs([d2]) == [x2]
    assert gof.graph.evaluate([d2], {x2: np.zeros(2)})[0] == {"shape": (2,), "sum": 2.0}
    # constants given as inputs are copied too (Theano), unless copy_inputs=False
    k = T.constant(1.5)
    assert gof.graph.clone([k], [k])[1][0] is not k and gof.graph.clone([k], [k], False)[1][0] is k
