"""Theano's graph-level names in theon.tensor: exception classes, constant
helpers, index helpers and the op classes that isinstance checks use."""
import numpy as np
import pytest

import theon
import theon.tensor as T


def test_exception_classes_derive_from_what_theon_raises():
    assert issubclass(T.AsTensorError, TypeError) and issubclass(T.EmptyConstantError, T.NotScalarConstantError)
    with pytest.raises(T.AsTensorError, match="cannot convert"):
        T.as_tensor_variable(object())
    with pytest.raises(TypeError):  # code that catches the builtin still does
        T.as_tensor_variable("abc")


def test_get_scalar_constant_value_folds_what_is_known():
    x = T.matrix()
    assert T.get_scalar_constant_value(T.constant(3) * 2 + 1) == 7
    assert T.get_scalar_constant_value(T.specify_shape(x, (3, 4)).shape[1]) == 4
    assert T.get_scalar_constant_value(T.cast(T.constant(2.7), "int32")) == 2
    assert T.get_scalar_constant_value(np.array([5, 5])) == 5
    with pytest.raises(T.NotScalarConstantError):
        T.get_scalar_constant_value(x.shape[0])
    with pytest.raises(T.NotScalarConstantError):
        T.get_scalar_constant_value(T.constant(3) * 2, only_process_constants=True)
    with pytest.raises(T.EmptyConstantError):
        T.get_scalar_constant_value(np.zeros(0))
    assert T.extract_constant(x) is x and T.extract_constant(T.constant(2.5)) == 2.5
    assert T.numpy_scalar(T.constant(4)) == 4


def test_get_vector_length():
    x = T.tensor3()
    assert T.get_vector_length(T.shape(x)) == 3
    assert T.get_vector_length(T.constant(np.arange(5))) == 5
    assert T.get_vector_length(T.stack([x.shape[0], x.shape[1]])) == 2
    with pytest.raises(ValueError, match="not known before it runs"):
        T.get_vector_length(T.vector())


def test_axes_and_flatness():
    x = T.tensor3()
    assert T.check_and_normalize_axes(x, -1) == [2] and T.check_and_normalize_axes(x, [0, -2]) == [0, 1]
    assert T.check_and_normalize_axes(x, None) == []
    with pytest.raises(ValueError, match="axis 3 is out of range"):
        T.check_and_normalize_axes(x, 3)
    assert T.is_flat(T.vector()) and not T.is_flat(x) and T.is_flat(x, 3)


def test_index_helpers():
    assert T.make_slice(1, None, 2) == slice(1, None, 2)
    assert T.as_index_variable(None) is None
    with pytest.raises(T.AdvancedIndexingError, match="index must be integers"):
        T.as_index_variable(T.vector())


def test_op_classes_match_theons_ops():
    x = T.matrix()
    s = T.sum(T.exp(x), axis=0)
    assert isinstance(s.owner.op, T.Sum) and isinstance(s.owner.op, T.CAReduce) and isinstance(s.owner.op, T.Op)
    assert not isinstance(s.owner.op, T.Elemwise) and not isinstance(3, T.Op)
    assert isinstance(T.exp(x).owner.op, T.Elemwise) and isinstance(x.T.owner.op, T.DimShuffle)
    assert isinstance(x[1:].owner.op, T.Subtensor) and isinstance(x[[0, 1]].owner.op, T.AdvancedSubtensor)
    assert isinstance(x[[0, 1]].owner.op, T.BaseAdvancedSubtensor)
    assert isinstance(T.inc_subtensor(x[[0]], 1.0).owner.op, T.AdvancedIncSubtensor)
    assert isinstance(T.dot(x, x).owner.op, T.Dot) and isinstance(T.join(0, x, x).owner.op, T.Join)
    assert isinstance(T.alloc(1.0, 2, 3).owner.op, T.Alloc) and isinstance(T.reshape(x, (-1,)).owner.op, T.Reshape)
    assert isinstance(T.argmax(x, 0).owner.op, T.Argmax) and isinstance(T.nonzero(x)[0].owner.op, T.Nonzero)
    f = theon.function([x], T.exp(x) * 2 + 1)
    assert [isinstance(n.op, T.Elemwise) for n in f.maker.fgraph.toposort()] == [True]  # a fused Composite
    assert T.Tensor is T.TensorType


def test_op_classes_match_by_kind_and_parameters():
    from theon import _core
    from theon.tensor import graph_api
    kinds = set(_core.op_kinds())
    for cls in graph_api._ALL_CLASSES:  # every class names real op kinds
        assert cls._kinds <= kinds, (cls.__name__, cls._kinds - kinds)
    x = T.matrix()
    assert not isinstance(T.max(x, axis=0).owner.op, T.Sum) and isinstance(T.max(x, axis=0).owner.op, T.CAReduce)
    assert not isinstance(T.argmin(x, 0).owner.op, T.Argmax)
    assert not isinstance(x[1:].owner.op, T.AdvancedSubtensor) and not isinstance(x[[0, 1]].owner.op, T.Subtensor)
    assert isinstance(T.inc_subtensor(x[1:], 1.0).owner.op, T.IncSubtensor)
    assert not isinstance(T.inc_subtensor(x[1:], 1.0).owner.op, T.AdvancedIncSubtensor)
    assert not isinstance(T.inc_subtensor(x[[0]], 1.0).owner.op, T.IncSubtensor)
    r = T.addbroadcast(T.matrix(), 0).owner.op
    assert isinstance(r, T.Rebroadcast) and not isinstance(r, T.SpecifyShape)
    s = T.specify_shape(x, (2, 3)).owner.op
    assert isinstance(s, T.SpecifyShape) and not isinstance(s, T.Rebroadcast)
    assert (s.symbolic_shape, r.symbolic_shape, T.sum(x).owner.op.reduce_kind) == (True, False, "sum")
    assert T.argmin(x, 0).owner.op.reduce_kind == "argmin" and T.exp(x).owner.op.reduce_kind is None


# Theano's op constructors: (class, constructor args, inputs (numpy), the NumPy result)
_A = np.arange(12.0).reshape(3, 4)
_V = np.array([3.0, 1.0, 2.0])
OP_CONSTRUCTORS = [
    (T.DimShuffle, ((False, False), (1, 0)), (_A,), _A.T),
    (T.DimShuffle, ((False,), ("x", 0)), (_V,), _V[None]),
    (T.Sum, (), (_A,), _A.sum()),
    (T.Sum, (1,), (_A,), _A.sum(1)),
    (T.Mean, (0,), (_A,), _A.mean(0)),
    (T.Argmax, (1,), (_A,), _A.argmax(1)),
    (T.MaxAndArgmax, (0,), (_A,), [_A.max(0), _A.argmax(0)]),
    (T.Dot, (), (_A, _A.T), _A @ _A.T),
    (T.Reshape, (2,), (_A, np.array([2, 6])), _A.reshape(2, 6)),
    (T.Flatten, (), (_A,), _A.ravel()),
    (T.Flatten, (2,), (_A[None],), _A.reshape(1, 12)),
    (T.Shape, (), (_A,), np.array([3, 4])),
    (T.Alloc, (), (_V, 2, 3), np.broadcast_to(_V, (2, 3))),
    (T.ARange, ("int64",), (1, 7, 2), np.arange(1, 7, 2)),
    (T.Eye, ("float64",), (3, 4, 1), np.eye(3, 4, 1)),
    (T.Tri, ("float64",), (3, 4, 0), np.tri(3, 4, 0)),
    (T.Join, (), (1, _A, _A), np.concatenate([_A, _A], 1)),
    (T.Split, (2,), (_V, 0, np.array([1, 2])), [_V[:1], _V[1:]]),
    (T.Tile, (2,), (_A, (2, 1)), np.tile(_A, (2, 1))),
    (T.Choose, (), (np.array([0, 1, 0]), [_V, -_V]), np.choose([0, 1, 0], [_V, -_V])),
    (T.Nonzero, (), (_A - 5,), np.array(np.nonzero(_A - 5))),
    (T.DiffOp, (2, 1), (_A ** 2,), np.diff(_A ** 2, 2, 1)),
    (T.AllocDiag, (1,), (_V,), np.diag(_V, 1)),
    (T.ExtractDiag, (1,), (_A,), np.diagonal(_A, 1)),
    (T.PermuteRowElements, (), (_V, np.array([2, 0, 1]), False), _V[[2, 0, 1]]),
    (T.SpecifyShape, (), (_V, np.array([3])), _V),
    (T.Rebroadcast, ((0, False),), (_V[None],), _V[None]),
    (T.AdvancedSubtensor1, (), (_V, np.array([2, 2, 0])), _V[[2, 2, 0]]),
    (T.AdvancedSubtensor, (), (_A, np.array([0, 2]), np.array([1, 3])), _A[[0, 2], [1, 3]]),
    (T.AdvancedBooleanSubtensor, (), (_V, _V > 1.5), _V[_V > 1.5]),
    (T.AdvancedIncSubtensor1, (), (_V, 1.0, np.array([0, 0])), _V + [2, 0, 0]),
    (T.AdvancedIncSubtensor1, (False, True), (_V, 7.0, np.array([0, 0])), [7, 1, 2]),
    (T.AdvancedIncSubtensor, (), (_A, 1.0, np.array([0, 0]), np.array([1, 1])),
     _A + np.pad([[0, 2]], ((0, 2), (0, 2)))),
    (T.AdvancedBooleanIncSubtensor, (False, True), (_V, 0.0, _V > 1.5), [0, 1, 0]),
]


@pytest.mark.parametrize("cls,args,inputs,expected", OP_CONSTRUCTORS,
                         ids=["%s-%d" % (r[0].__name__, i) for i, r in enumerate(OP_CONSTRUCTORS)])
def test_op_constructors_build_theanos_graph(cls, args, inputs, expected):
    op = cls(*args)
    assert isinstance(op, cls) and op == cls(*args) and hash(op) == hash(cls(*args))
    out = op(*[T.constant(i) if isinstance(i, np.ndarray) else i for i in inputs])
    got = theon.function([], out)()
    if isinstance(expected, list):
        assert len(got) == len(expected)
        for g, e in zip(got, expected):
            np.testing.assert_allclose(g, e)
    else:
        np.testing.assert_allclose(got, expected)
    node = op.make_node(*[T.constant(i) if isinstance(i, np.ndarray) else i for i in inputs])
    assert node is not None and node.outputs


def test_op_constructors_reject_bad_arguments():
    v = T.dvector()
    for cls in (T.Elemwise, T.CAReduce):  # they take a scalar op of theon.scalar
        with pytest.raises(TypeError, match=r"T.%s\(\) missing 1 required positional argument: 'scalar_op'"
                           % cls.__name__):
            cls()
    for cls, why in [(T.Subtensor, "index the variable"), (T.IncSubtensor, "index the variable"),
                     (T.Op, "subclass it")]:
        with pytest.raises(TypeError, match=r"T.%s has no constructor in theon: .*%s" % (cls.__name__, why)):
            cls()

    class UserOp(T.Op):  # a Python op without make_node: made, but not applied
        __props__ = ()

    op = UserOp()
    with pytest.raises(TypeError, match="UserOp: a Python op needs a make_node method"):
        op(v)
    with pytest.raises(TypeError, match=r"T.DimShuffle\(\) missing 1 required positional argument: 'new_order'"):
        T.DimShuffle((False,))
    with pytest.raises(TypeError, match=r"DimShuffle: made for inputs with broadcast pattern \(True,\), got "
                                        r"\(False,\)"):
        T.DimShuffle((True,), (0,))(v)
    with pytest.raises(TypeError, match="DimShuffle: made for inputs"):
        T.DimShuffle((False, False), (0, 1))(v)
    with pytest.raises(TypeError, match="AllocDiag: expected a vector"):
        T.AllocDiag()(T.dmatrix())
    assert T.Dot() != T.Sum() and T.Sum(0) != T.Sum(1) and repr(T.Sum(axis=1)) == "Sum{axis=1}"
