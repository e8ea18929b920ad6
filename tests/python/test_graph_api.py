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
