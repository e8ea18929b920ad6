"""Shared variables: values, borrow, strict, dtype filtering, default_update."""
import numpy as np
import pytest

import theon
import theon.tensor as T


def test_shared_types_follow_value():
    assert theon.shared(np.zeros((2, 3), dtype="float32")).type == T.TensorType("float32", (False, False))
    assert theon.shared(np.zeros(3, dtype="int8")).dtype == "int8"
    assert theon.shared(1.5).dtype == "float64" and theon.shared(1.5).ndim == 0
    s = theon.shared(np.zeros((1, 3)), broadcastable=(True, False))
    assert s.broadcastable == (True, False)
    assert theon.shared(np.zeros(3), name="w").name == "w"
    assert isinstance(theon.shared(np.zeros(2)), theon.SharedVariable)
    assert isinstance(theon.shared(np.zeros(2)), T.TensorVariable)


def test_get_value_copies_unless_borrow():
    v = np.arange(4.0)
    s = theon.shared(v)
    v[0] = 100.0  # shared() copied the value
    assert s.get_value()[0] == 0.0
    got = s.get_value()
    got[1] = 50.0
    assert s.get_value()[1] == 1.0
    inner = s.get_value(borrow=True)
    assert inner[1] == 1.0


def test_shared_borrow_true_aliases():
    v = np.arange(4.0)
    s = theon.shared(v, borrow=True)
    v[0] = 7.0
    assert s.get_value(borrow=True)[0] == 7.0


def test_set_value_copy_and_borrow():
    s = theon.shared(np.zeros(3))
    new = np.ones(3)
    s.set_value(new)
    new[0] = 5.0
    np.testing.assert_array_equal(s.get_value(), np.ones(3))
    b = np.full(3, 2.0)
    s.set_value(b, borrow=True)
    np.testing.assert_array_equal(s.get_value(), b)


def test_set_value_shape_may_change():
    s = theon.shared(np.zeros((2, 2)), name="s")
    s.set_value(np.ones((5, 3)))
    f = theon.function([], s.sum())
    assert float(f()) == 15.0


def test_set_value_wrong_dtype_raises_type_error():
    s = theon.shared(np.zeros(3, dtype="float32"), name="weights")
    with pytest.raises(TypeError) as e:
        s.set_value(np.zeros(3, dtype="float64"))
    assert "weights" in str(e.value) and "float64" in str(e.value)
    i = theon.shared(np.zeros(3, dtype="int32"), name="counts")
    with pytest.raises(TypeError):
        i.set_value(np.array([1.5, 2.5, 3.5]))
    # a safe upcast is fine
    s.set_value(np.zeros(3, dtype="int8"))
    assert s.get_value().dtype == np.float32


def test_set_value_wrong_ndim_raises():
    s = theon.shared(np.zeros(3), name="v")
    with pytest.raises(TypeError):
        s.set_value(np.zeros((3, 1)))


def test_strict_shared():
    s = theon.shared(np.zeros(3, dtype="float64"), strict=True, name="st")
    with pytest.raises(TypeError):
        s.set_value([1.0, 2.0, 3.0])  # not an ndarray
    with pytest.raises(TypeError):
        s.set_value(np.zeros(3, dtype="float32"))  # even a safe upcast
    s.set_value(np.ones(3))
    np.testing.assert_array_equal(s.get_value(), np.ones(3))


def test_allow_downcast_shared():
    s = theon.shared(np.zeros(2, dtype="float32"), allow_downcast=True)
    s.set_value(np.array([1.5, 2.5]))
    assert s.get_value().dtype == np.float32
    np.testing.assert_array_equal(s.get_value(), [1.5, 2.5])


def test_value_used_by_function_is_current():
    s = theon.shared(np.array([1.0, 2.0]), name="s")
    f = theon.function([], s * 2)
    np.testing.assert_array_equal(f(), [2.0, 4.0])
    s.set_value(np.array([3.0, 4.0]))
    np.testing.assert_array_equal(f(), [6.0, 8.0])


def test_update_result_does_not_alias_user_array():
    s = theon.shared(np.zeros(2), name="s")
    f = theon.function([], s, updates=[(s, s + 1)])
    first = f()
    np.testing.assert_array_equal(first, [0.0, 0.0])
    f()
    np.testing.assert_array_equal(first, [0.0, 0.0])  # returned arrays are not overwritten later
    np.testing.assert_array_equal(s.get_value(), [2.0, 2.0])


def test_default_update():
    rng_state = theon.shared(np.float64(1.0), name="rng_state")
    rng_state.default_update = rng_state * 2
    assert rng_state.default_update is not None
    f = theon.function([], rng_state + 0)
    assert float(f()) == 1.0
    assert float(f()) == 2.0
    assert float(rng_state.get_value()) == 4.0
    rng_state.default_update = None
    g = theon.function([], rng_state + 0)
    g()
    assert float(rng_state.get_value()) == 4.0


def test_shared_of_symbolic_rejected():
    with pytest.raises(TypeError):
        theon.shared(T.vector())


def test_shared_int_and_bool_values():
    s = theon.shared(np.array([True, False]))
    assert s.dtype == "bool"
    i = theon.shared(3)
    assert i.dtype.startswith("int")
    f = theon.function([], [s, i * 2])
    a, b = f()
    np.testing.assert_array_equal(a, [True, False])
    assert int(b) == 6


def test_update_wrong_type_names_shared_variable():
    w = theon.shared(np.zeros(3, dtype="float32"), name="my_weights")
    with pytest.raises(TypeError) as e:
        theon.function([], [], updates=[(w, w * 1.1)])  # float64 update
    assert "my_weights" in str(e.value)
    with pytest.raises(TypeError) as e2:
        theon.function([], [], updates=[(w, T.zeros((3, 1), dtype="float32"))])
    assert "my_weights" in str(e2.value)
