"""The softmax crossentropy family as one op (Theano's
CrossentropySoftmaxArgmax1HotWithBias and CrossentropySoftmax1HotWithBiasDx):
values against NumPy, gradients against numeric ones (to second order), the
tutorials' hand-written forms recognised (forward and gradient) with the same
values, on both tiers, and bad labels rejected with clear errors."""
import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.compile.mode import Mode

from conftest import check_grad
from theon._errors import LabelError

NONE = Mode(optimizer=None)


def np_log_softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def ops(f):
    return [str(n.op) for n in f.maker.fgraph.toposort()]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("label_dtype", ["int32", "int64", "uint8"])
def test_values_against_numpy(dtype, bias, label_dtype):
    rng = np.random.default_rng(0)
    X = (rng.standard_normal((7, 5)) * 30).astype(dtype)  # large logits: the log-softmax keeps them finite
    B = rng.standard_normal(5).astype(dtype)
    Y = rng.integers(0, 5, 7).astype(label_dtype)
    x, b, y = T.matrix("x", dtype=dtype), T.vector("b", dtype=dtype), T.vector("y", dtype=label_dtype)
    outs = T.nnet.crossentropy_softmax_argmax_1hot_with_bias(x, b if bias else None, y)
    f = theon.function([x, b, y], list(outs), on_unused_input="ignore")
    nll, sm, am = f(X, B, Y)
    Z = X.astype("float64") + (B if bias else 0)
    lsm = np_log_softmax(Z)
    tol = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(nll, -lsm[np.arange(7), Y], rtol=tol, atol=tol)
    np.testing.assert_allclose(sm, np.exp(lsm), rtol=tol, atol=tol)
    np.testing.assert_array_equal(am, Z.argmax(axis=1))
    assert nll.dtype == sm.dtype == dtype and am.dtype == np.int64
    assert np.isfinite(nll).all()


def test_dx_against_numpy():
    rng = np.random.default_rng(1)
    S = rng.uniform(0, 1, (4, 3))
    D, Y = rng.standard_normal(4), np.array([2, 0, 1, 2])
    dy, sm, y = T.dvector(), T.dmatrix(), T.lvector()
    f = theon.function([dy, sm, y], T.nnet.crossentropy_softmax_1hot_with_bias_dx(dy, sm, y))
    onehot = np.eye(3)[Y]
    np.testing.assert_allclose(f(D, S, Y), D[:, None] * (S - onehot), rtol=1e-14, atol=1e-16)


def test_gradients_against_numeric_to_second_order():
    rng = np.random.default_rng(2)
    Y = np.array([1, 0, 3])
    x, b = T.dmatrix("x"), T.dvector("b")
    y = T.constant(Y)

    def nll(x, b):
        return T.nnet.crossentropy_softmax_1hot_with_bias(x, b, y)[0]

    def sm(x, b):
        return T.nnet.crossentropy_softmax_1hot_with_bias(x, b, y)[1]

    vals = [rng.standard_normal((3, 4)), rng.standard_normal(4)]
    check_grad(nll, [x, b], vals)
    check_grad(sm, [x, b], vals)

    # second order: the gradient of the gradient (through CrossentropySoftmax1HotWithBiasDx)
    def grad_norm(x, b):
        g = T.grad(nll(x, b).sum(), x)
        return (g * g).sum()

    check_grad(grad_norm, [x, b], vals, rtol=1e-4, atol=1e-6)


FORMS = {
    "tutorial": lambda z, y: -T.mean(T.log(T.nnet.softmax(z))[T.arange(y.shape[0]), y]),
    "log_softmax": lambda z, y: -T.mean(T.nnet.logsoftmax(z)[T.arange(y.shape[0]), y]),
    "written_shifted": lambda z, y: -T.mean(
        ((z - z.max(axis=1, keepdims=True)) - T.log(T.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1, keepdims=True)))
        [T.arange(y.shape[0]), y]),
    "written": lambda z, y: -T.mean((z - T.log(T.exp(z).sum(axis=1, keepdims=True)))[T.arange(z.shape[0]), y]),
}


@pytest.mark.parametrize("form", sorted(FORMS))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_tutorial_forms_train_through_the_two_ops(form, dtype, tier):
    rng = np.random.default_rng(3)
    X = rng.standard_normal((6, 4)).astype(dtype)
    W0 = rng.standard_normal((4, 5)).astype(dtype)
    Y = rng.integers(0, 5, 6).astype("int32")
    x, y = T.matrix("x", dtype=dtype), T.ivector("y")
    W = theon.shared(W0, name="W")
    cost = FORMS[form](T.dot(x, W), y)
    gW = T.grad(cost, W)
    f = theon.function([x, y], [cost, gW])
    g = theon.function([x, y], [cost, gW], mode=NONE)
    names = ops(f)
    assert any(n.startswith("CrossentropySoftmaxArgmax1Hot") for n in names), names
    assert "CrossentropySoftmax1HotWithBiasDx" in names, names
    assert not any(n.startswith(("Softmax", "LogSoftmax", "Max", "AdvancedSubtensor", "AdvancedIncSubtensor"))
                   for n in names), names
    (c1, g1), (c2, g2) = f(X, Y), g(X, Y)
    tol = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(c1, c2, rtol=tol)
    np.testing.assert_allclose(g1, g2, rtol=tol, atol=tol)
    Z = X.astype("float64") @ W0
    np.testing.assert_allclose(c1, -np_log_softmax(Z)[np.arange(6), Y].mean(), rtol=tol)


def test_the_mlp_graph_has_one_op_each_way():
    """The bench's T1 graph: the NLL stays two ops, never the five-node log-softmax and its gradient."""
    x, y = T.fmatrix("x"), T.ivector("y")
    W = theon.shared(np.zeros((4, 3), "float32"), name="W")
    b = theon.shared(np.zeros(3, "float32"), name="b")
    z = T.dot(x, W) + b
    z = z - z.max(axis=1, keepdims=True)
    cost = -T.mean((z - T.log(T.exp(z).sum(axis=1, keepdims=True)))[T.arange(y.shape[0]), y])
    gW, gb = T.grad(cost, [W, b])
    f = theon.function([x, y], cost, updates=[(W, W - np.float32(0.1) * gW), (b, b - np.float32(0.1) * gb)])
    names = ops(f)
    assert sum(n.startswith("CrossentropySoftmaxArgmax1Hot") for n in names) == 1, names
    assert names.count("CrossentropySoftmax1HotWithBiasDx") == 1, names
    assert not any(n.startswith(("Elemwise{exp}", "Elemwise{log}", "Max", "LogSoftmax")) for n in names), names
    assert "Gemm{inplace}" in names


def test_a_label_out_of_range_is_a_label_error_naming_the_op():
    # LabelError is an IndexError (an index into the probabilities) and a
    # ValueError (what Theano's ops raised).
    assert issubclass(LabelError, IndexError) and issubclass(LabelError, ValueError)
    x, y = T.dmatrix("x"), T.lvector("y")
    f = theon.function([x, y], T.nnet.crossentropy_softmax_1hot(x, y)[0])
    with pytest.raises(LabelError, match="CrossentropySoftmaxArgmax1Hot: label 4 of row 1 is out of range for 3"):
        f(np.zeros((2, 3)), np.array([0, 4]))
    with pytest.raises(LabelError, match="label -1"):
        f(np.zeros((2, 3)), np.array([0, -1]))
    g = theon.function([x, y], T.nnet.crossentropy_softmax_1hot_with_bias_dx(T.ones_like(y, "float64"),
                                                                            T.nnet.softmax(x), y))
    with pytest.raises(LabelError, match="out of range"):
        g(np.zeros((2, 3)), np.array([3, 0]))


def test_one_label_per_row():
    x, y = T.dmatrix("x"), T.lvector("y")
    f = theon.function([x, y], T.nnet.crossentropy_softmax_1hot(x, y)[0])
    with pytest.raises(ValueError, match="2 rows of logits but 3 labels"):
        f(np.zeros((2, 3)), np.array([0, 1, 2]))
    # the recognised tutorial form checks that arange(n) covers every row
    h = theon.function([x, y], -T.log(T.nnet.softmax(x))[T.arange(y.shape[0]), y])
    with pytest.raises(ValueError):
        h(np.zeros((3, 3)), np.array([0, 1]))


def test_bad_types_are_rejected_when_the_graph_is_built():
    with pytest.raises(TypeError, match="matrix of logits"):
        T.nnet.crossentropy_softmax_1hot(T.dvector(), T.lvector())
    with pytest.raises(TypeError, match="integer labels"):
        T.nnet.crossentropy_softmax_1hot(T.dmatrix(), T.dvector())
    with pytest.raises(TypeError, match="b must be a vector"):
        T.nnet.crossentropy_softmax_1hot_with_bias(T.dmatrix(), T.fvector(), T.lvector())


def test_theano_op_classes_match_the_nodes():
    x, y = T.dmatrix(), T.lvector()
    nll, sm = T.nnet.crossentropy_softmax_1hot(x, y)
    dx = T.nnet.crossentropy_softmax_1hot_with_bias_dx(nll, sm, y)
    assert isinstance(nll.owner.op, T.nnet.CrossentropySoftmaxArgmax1HotWithBias)
    assert isinstance(dx.owner.op, T.nnet.CrossentropySoftmax1HotWithBiasDx)
    assert not isinstance(dx.owner.op, T.nnet.CrossentropySoftmaxArgmax1HotWithBias)
    outs = T.nnet.CrossentropySoftmaxArgmax1HotWithBias()(x, T.dvector(), y)
    assert len(outs) == 3 and outs[2].dtype == "int64"


def test_dx_bad_types_and_run_time_shapes_are_rejected():
    with pytest.raises(TypeError, match="dy must be a vector of sm's dtype"):
        T.nnet.crossentropy_softmax_1hot_with_bias_dx(T.fvector(), T.dmatrix(), T.lvector())
    with pytest.raises(TypeError, match="sm must be a float32 or float64 matrix"):
        T.nnet.crossentropy_softmax_1hot_with_bias_dx(T.dvector(), T.dvector(), T.lvector())
    with pytest.raises(TypeError, match="integer labels"):
        T.nnet.crossentropy_softmax_1hot_with_bias_dx(T.dvector(), T.dmatrix(), T.dvector())
    dy, sm, y = T.dvector(), T.dmatrix(), T.lvector()
    f = theon.function([dy, sm, y], T.nnet.crossentropy_softmax_1hot_with_bias_dx(dy, sm, y))
    with pytest.raises(ValueError, match=r"dy has 3 elements for 2 rows of sm \(2, 4\)") as e:
        f(np.ones(3), np.ones((2, 4)), np.array([0, 1]))
    assert "test_crossentropy.py" in str(e.value)  # the user's line


def test_bias_of_the_wrong_length_names_the_op_and_shapes():
    x, b, y = T.dmatrix(), T.dvector(), T.lvector()
    f = theon.function([x, b, y], T.nnet.crossentropy_softmax_1hot_with_bias(x, b, y)[0])
    with pytest.raises(ValueError, match=r"CrossentropySoftmaxArgmax1HotWithBias: b has 3 elements but x \(2, 4\)"):
        f(np.ones((2, 4)), np.ones(3), np.array([0, 1]))


def test_confusion_matrix_needs_vectors():
    with pytest.raises(ValueError, match="actual must be a 1-d"):
        T.nnet.confusion_matrix(T.lmatrix(), T.lvector())
    with pytest.raises(ValueError, match="pred must be a 1-d"):
        T.nnet.confusion_matrix(T.lvector(), T.lmatrix())
