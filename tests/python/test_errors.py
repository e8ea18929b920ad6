"""User errors: the right exception class and a message that names the op,
the shapes/dtypes and, for graph errors, the user's file."""
import os
import subprocess
import sys

import numpy as np
import pytest

import theon
import theon.tensor as T

HERE = os.path.basename(__file__)


def test_wrong_number_of_arguments():
    x, y = T.scalars("x", "y")
    f = theon.function([x, y], x + y)
    with pytest.raises(TypeError) as e:
        f(1.0)
    assert "y" in str(e.value) or "2" in str(e.value)
    with pytest.raises(TypeError) as e:
        f(1.0, 2.0, 3.0)
    assert "2" in str(e.value) and "3" in str(e.value)


def test_unknown_keyword():
    x = T.scalar("x")
    f = theon.function([x], x * 2)
    with pytest.raises(TypeError) as e:
        f(1.0, bogus=2.0)
    assert "bogus" in str(e.value)


def test_wrong_ndim_argument():
    x = T.matrix("x")
    f = theon.function([x], x * 2)
    with pytest.raises(TypeError) as e:
        f(np.zeros(3))
    msg = str(e.value)
    assert "dimension" in msg and "2" in msg and "1" in msg


def test_broadcastable_argument_must_have_size_one():
    r = T.row("r")
    f = theon.function([r], r * 2)
    with pytest.raises(TypeError) as e:
        f(np.zeros((2, 3)))
    assert "broadcastable" in str(e.value)


def test_downcast_refused():
    x = T.ivector("x")
    f = theon.function([x], x * 2)
    with pytest.raises(TypeError) as e:
        f(np.array([1.0, 2.0]))
    msg = str(e.value)
    assert "int32" in msg and "float64" in msg and "allow_input_downcast" in msg


def test_not_a_number_argument():
    x = T.vector("x")
    f = theon.function([x], x * 2)
    with pytest.raises(TypeError):
        f("hello")
    with pytest.raises(TypeError):
        f([object()])


def test_elemwise_run_time_shape_mismatch_names_op_shapes_and_file():
    x, y = T.vector("x"), T.vector("y")
    z = x + y  # built on this line: the message points here
    f = theon.function([x, y], z)
    with pytest.raises(ValueError) as e:
        f(np.zeros(3), np.zeros(4))
    msg = str(e.value)
    assert "add" in msg
    assert "(3,)" in msg and "(4,)" in msg
    assert HERE in msg


def test_elemwise_static_shape_mismatch_at_build_time():
    a = T.tensor("float64", shape=(2, 3), name="a")
    b = T.tensor("float64", shape=(2, 4), name="b")
    with pytest.raises(ValueError) as e:
        a * b
    msg = str(e.value)
    assert "mul" in msg and "3" in msg and "4" in msg
    assert HERE in msg


def test_dot_static_shape_mismatch_names_file():
    a = T.tensor("float32", shape=(2, 3), name="a")
    b = T.tensor("float32", shape=(4, 5), name="b")
    with pytest.raises(ValueError) as e:
        T.dot(a, b)
    msg = str(e.value)
    assert "dot" in msg.lower() and "3" in msg and "4" in msg
    assert HERE in msg


def test_dot_ndim_mismatch_runtime_and_message(rng):
    a, b = T.matrix("a"), T.vector("b")
    f = theon.function([a, b], T.dot(a, b))
    with pytest.raises(ValueError) as e:
        f(rng.rand(2, 3), rng.rand(5))
    msg = str(e.value)
    assert "3" in msg and "5" in msg
    assert HERE in msg


def test_shape_error_in_reshape_at_run_time():
    x = T.vector("x")
    f = theon.function([x], x.reshape((2, 2)))
    with pytest.raises(ValueError) as e:
        f(np.zeros(5))
    msg = str(e.value)
    assert "reshape" in msg.lower() and "5" in msg
    assert HERE in msg


def test_unknown_config_flag_attribute():
    with pytest.raises(AttributeError) as e:
        theon.config.foo
    assert "foo" in str(e.value)
    with pytest.raises((AttributeError, ValueError)) as e:
        theon.config.foo = 1
    assert "foo" in str(e.value)


def test_unknown_flag_in_change_flags():
    with pytest.raises((AttributeError, ValueError)) as e:
        with theon.config.change_flags(foo=1):
            pass
    assert "foo" in str(e.value)
    with pytest.raises((AttributeError, ValueError)):
        theon.change_flags(foo=1)


def test_bad_flag_value():
    with pytest.raises(ValueError) as e:
        theon.config.floatX = "float128"
    assert "floatX" in str(e.value) and "float128" in str(e.value)
    assert theon.config.floatX == "float64"


def test_unknown_flag_in_environment_fails_clearly():
    env = dict(os.environ, THEON_FLAGS="foo=1")
    env.pop("THEANO_FLAGS", None)
    r = subprocess.run([sys.executable, "-c", "import theon"], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode != 0
    assert "foo" in r.stderr and "THEON_FLAGS" in r.stderr
    env = dict(os.environ, THEANO_FLAGS="floatX=float32,bar=2")
    env.pop("THEON_FLAGS", None)
    r = subprocess.run([sys.executable, "-c", "import theon"], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode != 0
    assert "bar" in r.stderr and "THEANO_FLAGS" in r.stderr


def test_update_type_mismatch_names_shared_variable():
    counter = theon.shared(np.int32(0), name="counter")
    with pytest.raises(TypeError) as e:
        theon.function([], [], updates=[(counter, counter + 1.5)])
    msg = str(e.value)
    assert "counter" in msg and "int32" in msg and "float64" in msg


def test_update_of_non_shared_raises():
    x = T.scalar("x")
    with pytest.raises(TypeError):
        theon.function([x], x, updates=[(x, x + 1)])


def test_missing_input_error():
    x, y = T.scalars("x", "y")
    with pytest.raises(theon.MissingInputError) as e:
        theon.function([x], x + y)
    assert "y" in str(e.value)
    assert issubclass(theon.MissingInputError, Exception)


def test_failed_call_leaves_shared_variables_unchanged():
    a = theon.shared(np.zeros(3), name="a")
    b = theon.shared(np.ones(3), name="b")
    x = T.vector("x")
    # the update of a is computable; the output fails at run time for a bad x
    f = theon.function([x], (b + x).sum(), updates=[(a, a + 1), (b, b * 2)])
    with pytest.raises(ValueError):
        f(np.zeros(4))
    np.testing.assert_array_equal(a.get_value(), np.zeros(3))
    np.testing.assert_array_equal(b.get_value(), np.ones(3))
    f(np.zeros(3))
    np.testing.assert_array_equal(a.get_value(), np.ones(3))
    np.testing.assert_array_equal(b.get_value(), 2 * np.ones(3))


def test_failed_update_leaves_shared_variables_unchanged():
    a = theon.shared(np.zeros(3), name="a")
    b = theon.shared(np.arange(3.0), name="b")
    i = T.lscalar("i")
    # the first update is fine; the second indexes out of range for big i
    f = theon.function([i], [], updates=[(a, a + 1), (b, T.set_subtensor(b[i], 5.0))])
    with pytest.raises(IndexError):
        f(10)
    np.testing.assert_array_equal(a.get_value(), np.zeros(3))
    np.testing.assert_array_equal(b.get_value(), np.arange(3.0))


def test_symbolic_truth_value_and_iteration():
    x = T.scalar("x")
    with pytest.raises(TypeError):
        bool(x > 0)
    with pytest.raises(TypeError):
        list(T.vector())


def test_unknown_dtype():
    with pytest.raises((TypeError, ValueError)) as e:
        T.vector("v", dtype="float17")
    assert "float17" in str(e.value)


def test_wrong_input_list_type():
    x = T.scalar("x")
    with pytest.raises(TypeError):
        theon.function(x, x * 2)


def test_grad_not_implemented_names_op_and_file():
    x = T.vector("x")
    y = T.tri_gamma(x)
    with pytest.raises(NotImplementedError) as e:
        T.grad(T.sum(y), x)
    assert "tri_gamma" in str(e.value)
    assert HERE in str(e.value)


def test_run_time_error_mentions_node_build_site_for_indexing(rng):
    x = T.vector("x")
    i = T.lscalar("i")
    y = x[i] * 2
    f = theon.function([x, i], y)
    with pytest.raises(IndexError) as e:
        f(rng.rand(3), 3)
    msg = str(e.value)
    assert "3" in msg
    assert HERE in msg


def test_python_int_too_large_for_int64_is_a_clear_error():
    """A Python int beyond int64/uint64 cannot be a constant: a user error
    naming the value, not an internal RuntimeError."""
    x = T.ivector("x")
    with pytest.raises((TypeError, ValueError, OverflowError)) as e:
        x + 2 ** 70
    assert str(2 ** 70) in str(e.value) or "too large" in str(e.value) or "int64" in str(e.value)


def test_every_user_error_class_reaches_python_as_listed():
    """include/theon/errors.def names where Python finds each C++ error class; each must exist there and
    derive from the builtin of its C++ base (MissingInputError is a ValueError)."""
    import importlib
    classes = theon._core.user_error_classes()
    assert {c[0] for c in classes} >= {"TypeError", "ValueError", "IndexError", "MemoryError", "MissingInputError",
                                       "NullTypeGradError"}
    for name, where, meaning in classes:
        module, _, attr = where.rpartition(".")
        cls = getattr(importlib.import_module(module), attr)
        assert isinstance(cls, type) and issubclass(cls, Exception), where
        assert meaning
        if module != "builtins":
            assert issubclass(cls, (ValueError, TypeError)), where


def test_errors_keep_their_class_through_the_vm_and_graph_building():
    x = T.dvector("x")
    from theon._errors import MissingInputError
    with pytest.raises(MissingInputError):
        theon.function([], x * 2)
    n = T.lscalar("n")
    f = theon.function([n], T.alloc(1.0, n), mode="FAST_COMPILE")
    with pytest.raises(ValueError):
        f(-1)
    with pytest.raises(FileNotFoundError):
        theon.function([], T.load("/nonexistent/x.npy", "float64", (False,)))()


def test_ops_report_their_kind_from_the_one_list():
    kinds = theon._core.op_kinds()
    assert "Other" not in kinds and len(kinds) == len(set(kinds))
    x = T.dvector("x")
    m = T.dmatrix("m")
    built = {
        "Elemwise": x + 1, "Cast": T.cast(x, "float32"), "Reduce": x.sum(), "ArgReduce": T.argmax(x),
        "DimShuffle": m.T, "Reshape": x.reshape((2, -1)), "Shape": x.shape, "ShapeI": T.shape_i(x, 0), "Alloc": T.alloc(x, 3, x.shape[0]),
        "ARange": T.arange(x.shape[0]), "Join": T.concatenate([x, x]), "Dot": T.dot(m, x),
        "Subtensor": x[1:], "IncSubtensor": T.inc_subtensor(x[1:], 1.0), "Sort": T.sort(x),
        "ArgSort": T.argsort(x), "CumOp": T.cumsum(x), "Nonzero": T.nonzero(x)[0],
        "SearchSorted": T.searchsorted(x, x), "Softmax": T.nnet.softmax(m), "SpecifyShape": T.specify_shape(x, (3,)),
        "LoadFromDisk": T.load("/nonexistent/x.npy", "float64", (False,)),
    }
    for kind, v in built.items():
        node = v.owner
        while node is not None and node.op.kind != kind and node.inputs:
            node = node.inputs[0].owner  # a wrapper (cast, dimshuffle) may sit on top
        assert node is not None and node.op.kind == kind, (kind, v.owner.op.kind)
        assert kind in kinds
    assert (x + 1).owner.op.scalar_op == "add"
    assert T.cast(x, "float32").owner.op.cast_dtype == "float32"
    assert m.dimshuffle(1, "x", 0).owner.op.new_order == (1, "x", 0)
    assert x[1:].owner.op.advanced is False and x[[0, 1]].owner.op.advanced is True


def test_input_values_print_as_numpy_does():
    """Floats show as floats (1., not 1) and a matrix keeps its rows."""
    x, y = T.dmatrix("x"), T.dvector("y")
    f = theon.function([x, y], T.dot(x, y))
    with pytest.raises(ValueError) as e:
        f([[1, 2.5], [3, 4]], [1, 2, 3])
    assert "Inputs values: [[[1., 2.5], [3., 4.]], [1., 2., 3.]]" in str(e.value), str(e.value)
