"""Ops written in Python (a subclass of theano.Op with make_node and perform,
and as_op): values, gradients, shapes without running them, merging by
__props__, never folded or fused, errors from perform, and printing.Print."""
import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.compile.mode import Mode
from theon.compile.ops import as_op
from theon.gof import Apply, Op
from theon.printing import Print


class Scale(Op):
    __props__ = ("factor",)

    def __init__(self, factor):
        self.factor = factor
        self.calls = 0

    def make_node(self, x):
        x = T.as_tensor_variable(x)
        return Apply(self, [x], [x.type()])

    def perform(self, node, inputs, output_storage):
        self.calls += 1
        output_storage[0][0] = inputs[0] * self.factor

    def infer_shape(self, node, shapes):
        return shapes

    def grad(self, inputs, output_grads):
        return [output_grads[0] * self.factor]


class SumAndMax(Op):  # two outputs, an L_op, no infer_shape
    __props__ = ()

    def make_node(self, x):
        x = T.as_tensor_variable(x)
        return Apply(self, [x], [T.dscalar(), T.dscalar()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = np.asarray(inputs[0].sum())
        output_storage[1][0] = np.asarray(inputs[0].max())

    def L_op(self, inputs, outputs, output_grads):
        x = inputs[0]
        return [output_grads[0] * T.ones_like(x) + output_grads[1] * T.eq(x, outputs[1])]


class Broken(Op):
    __props__ = ("how",)

    def __init__(self, how):
        self.how = how

    def make_node(self, x):
        x = T.as_tensor_variable(x)
        return Apply(self, [x], [x.type()])

    def perform(self, node, inputs, output_storage):
        if self.how == "raise":
            raise KeyError("no such key")
        if self.how == "dtype":
            output_storage[0][0] = inputs[0].astype("complex128")
        if self.how == "ndim":
            output_storage[0][0] = inputs[0].ravel()
        if self.how == "write":
            inputs[0][...] = 0


@pytest.mark.parametrize("mode", [Mode(), Mode(optimizer=None)], ids=["rewritten", "as_built"])
def test_values_gradients_and_shapes(mode):
    x = T.dmatrix("x")
    op = Scale(3.0)
    y = op(x)
    assert isinstance(y.owner.op, Scale) and y.owner.op is op and str(op) == "Scale{3.0}"
    cost = (T.exp(y) * 2).sum()
    f = theon.function([x], [y, cost, T.grad(cost, x)], mode=mode)
    a = np.arange(6.0).reshape(2, 3) / 10
    out, c, g = f(a)
    np.testing.assert_allclose(out, 3 * a)
    np.testing.assert_allclose(c, (np.exp(3 * a) * 2).sum())
    np.testing.assert_allclose(g, 6 * np.exp(3 * a))
    T.verify_grad(op, [a], rng=np.random.RandomState(0))
    shape_f = theon.function([x], y.shape)  # infer_shape: the op never runs
    before = op.calls
    assert tuple(shape_f(a)) == (2, 3) and op.calls == before


def test_two_outputs_l_op_and_no_infer_shape():
    x = T.dvector("x")
    s, m = SumAndMax()(x)
    f = theon.function([x], [s, m, T.grad(s + 2 * m, x), m.shape])
    v = np.array([1.0, 5.0, 2.0])
    out = f(v)
    assert out[0] == 8.0 and out[1] == 5.0 and tuple(out[3]) == ()
    np.testing.assert_allclose(out[2], [1.0, 3.0, 1.0])


def test_equal_props_merge_and_python_ops_are_never_fused_or_folded():
    x = T.dvector("x")
    f = theon.function([x], Scale(2.0)(x) + Scale(2.0)(x))
    names = [str(n.op) for n in f.maker.fgraph.toposort()]
    assert names.count("Scale{2.0}") == 1, names  # merged: equal __props__
    assert Scale(2.0) == Scale(2.0) and Scale(2.0) != Scale(3.0) and hash(Scale(2.0)) == hash(Scale(2.0))
    op = Scale(4.0)
    g = theon.function([], op(T.constant(np.ones(2))))
    assert any(isinstance(n.op, Scale) for n in g.maker.fgraph.toposort())  # not constant-folded
    np.testing.assert_allclose(g(), [4.0, 4.0])
    calls = op.calls
    g()
    assert op.calls == calls + 1


def test_perform_errors_name_the_op_and_change_nothing():
    x = T.dvector("x")
    w = theon.shared(np.ones(2))
    for how, cls, text in [("raise", ValueError, "KeyError: 'no such key'"),
                           ("none", ValueError, "was not set"),
                           ("dtype", TypeError, "complex128"),
                           ("ndim", TypeError, "dimensions"),
                           ("write", ValueError, "read-only")]:
        xm = T.dmatrix("xm") if how == "ndim" else x
        f = theon.function([xm], [], updates=[(w, w + Broken(how)(xm).sum())])
        with pytest.raises(cls, match=text) as e:
            f(np.ones((2, 2)) if how == "ndim" else np.ones(2))
        assert "Broken" in str(e.value) and "test_python_ops.py" in str(e.value)
        np.testing.assert_array_equal(w.get_value(), np.ones(2))


def test_an_op_without_grad_reports_it():
    x = T.dvector("x")
    with pytest.raises(theon.gradient.NullTypeGradError, match="defines no grad"):
        T.grad(Broken("raise")(x).sum(), x)


def test_as_op():
    @as_op(itypes=[T.dmatrix], otypes=[T.dvector], infer_shape=lambda node, shapes: [(shapes[0][0],)])
    def row_norms(a):
        return np.sqrt((a ** 2).sum(axis=1))

    x = T.dmatrix("x")
    y = row_norms(x)
    f = theon.function([x], [y * 2, y.shape])
    a = np.array([[3.0, 4.0], [0.0, 1.0]])
    out, shape = f(a)
    np.testing.assert_allclose(out, [10.0, 2.0])
    assert tuple(shape) == (2,)
    with pytest.raises(TypeError, match="declared"):
        row_norms(T.fmatrix())


def test_print_prints_at_run_time(capsys):
    x = T.dvector("x")
    p = Print("x is", attrs=("shape", "sum"))(x)
    f = theon.function([x], [p * 2, T.grad(p.sum(), x)])
    out, g = f(np.array([1.0, 2.0]))
    np.testing.assert_allclose(out, [2.0, 4.0])
    np.testing.assert_allclose(g, [1.0, 1.0])
    printed = capsys.readouterr().out
    assert "x is shape = (2,)" in printed and "x is sum = 3.0" in printed
    seen = []
    q = Print("q", global_fn=lambda op, v: seen.append((op.message, v.copy())))(x)
    theon.function([x], q)(np.array([7.0]))
    assert seen[0][0] == "q" and seen[0][1].tolist() == [7.0]


def test_apply_rejects_theons_own_ops_and_checks_inputs():
    x = T.dvector("x")
    with pytest.raises(TypeError, match="theon's own ops"):
        Apply(T.exp(x).owner.op, [x], [x.type()])
    assert isinstance(T.exp(x).owner, Apply)
    with pytest.raises(TypeError, match="output 0 of Scale.* must be a tensor variable"):
        Apply(Scale(1.0), [x], [object()])
    with pytest.raises(TypeError):
        Apply(Scale(1.0), ["not a tensor"], [x.type()])


def test_node_out_is_the_default_output_for_every_node():
    x = T.dvector("x")
    node = (x * 2).owner
    assert node.out is node.outputs[0] or node.out == node.outputs[0]
    assert node.default_output() == node.outputs[0]
