"""Theano's module layout (issue 21): theano.compat, the compile module's mode
helpers, theano.tensor.basic's testing helpers and theano.tests.unittest_tools
work as Theano-era code and tests use them."""
import numpy as np
import pytest

import theon
import theon.tensor as T
from theon import compat
from theon.tests import unittest_tools as utt


def test_compat_names():
    assert compat.PY3 and list(compat.izip([1, 2], "ab")) == [(1, "a"), (2, "b")]
    assert list(compat.imap(abs, [-1])) == [1] and compat.operator_div(1, 2) == 0.5
    assert compat.exc_message(ValueError("boom", 3)) == "boom" and compat.exc_message(ValueError()) == ""
    assert isinstance(compat.BytesIO(), compat.BytesIO) and compat.cmp(2, 1) == 1
    d = compat.DefaultOrderedDict(list)
    d["b"].append(1)
    d["a"].append(2)
    assert list(d) == ["b", "a"] and d.copy()["b"] == [1]
    with pytest.raises(TypeError):
        compat.DefaultOrderedDict(3)


def test_default_mode_follows_the_flags():
    assert theon.compile.get_default_mode().optimizer == "fast_run"
    with theon.change_flags(mode="FAST_COMPILE"):
        assert theon.compile.mode.get_default_mode().optimizer == "fast_compile"
    assert theon.compile.mode.predefined_modes["FAST_COMPILE"] is theon.compile.FAST_COMPILE


@pytest.mark.parametrize("dtype,ok", [("float64", False), ("float32", True), ("float16", True)])
def test_allclose_tolerances_follow_the_narrowest_dtype(dtype, ok):
    a = np.zeros(3, dtype=dtype)
    b = np.float64(5e-6)
    assert T.basic._allclose(a, b) == ok
    assert T.basic._allclose(a, b, atol=1e-5)


@pytest.mark.parametrize("dtype", ["int8", "int64", "uint16"])
def test_ceil_intdiv_matches_exact_ceil(dtype):
    a, b = T.scalar(dtype=dtype), T.scalar(dtype=dtype)
    f = theon.function([a, b], T.ceil_intdiv(a, b))
    lo = 0 if dtype.startswith("u") else -9
    for x in range(lo, 10):
        for y in [d for d in range(lo, 10) if d]:
            want = -((-x) // y)
            assert f(np.asarray(x, dtype), np.asarray(y, dtype)) == want, (x, y)


def test_tensor_shared_constructor():
    s = T._shared(np.arange(3.0), name="s")
    assert isinstance(s, T.TensorSharedVariable) and s.name == "s"


def test_assert_allclose_raises_wrong_value_with_both_values():
    utt.assert_allclose(np.float32([1, 2]), np.float32([1, 2 + 1e-6]))
    with pytest.raises(utt.WrongValue, match="max abs diff: 1"):
        utt.assert_allclose(np.ones(2), np.zeros(2))
    assert issubclass(utt.WrongValue, AssertionError) and utt.SkipTest is __import__("unittest").SkipTest


def test_attr_and_mock_random_state():
    @utt.attr("slow")
    def f():
        return 1
    assert f() == 1 and f.slow is True
    assert utt.MockRandomState(0).randint(3, 7, 2).tolist() == [3, 3]
    assert utt.MockRandomState(1).randint(5).tolist() == [4] and utt.MockRandomState(2).rand(2).tolist() == [2, 2]


class _Shapes(utt.InferShapeTester):
    def runTest(self):
        pass


def test_infer_shape_tester_checks_the_shape_graph():
    t = _Shapes()
    t.setUp()
    x = T.dmatrix()
    t._compile_and_check([x], [T.sum(x, axis=0)], [np.ones((3, 4))], T.Sum)
    # exp's shape comes from x: the tester sees Elemwise gone from the shape graph
    t._compile_and_check([x], [T.exp(x)], [np.ones((3, 4))], T.Elemwise)
    with pytest.raises(AssertionError, match="do not use"):
        t._compile_and_check([x], [T.exp(x)], [np.ones((3, 4))], T.Dot)


def test_optimization_mixin_counts_ops():
    x = T.dvector()
    f = theon.function([x], T.sum(x))
    m = utt.TestOptimizationMixin()
    m.assertFunctionContainsClass(f, T.CAReduce)
    m.assertFunctionContainsClassN(f, T.Dot, 0)
    with pytest.raises(AssertionError):
        m.assertFunctionContainsClassN(f, T.CAReduce, 2)


def test_attempt_many_times_retries_with_the_next_seed():
    seeds = []

    @utt.AttemptManyTimes(n_attempts=3, n_req_successes=1)
    def flaky():
        seeds.append(theon.config.unittests.rseed)
        assert len(seeds) == 2

    flaky()
    assert seeds == ["666", "667"] and theon.config.unittests.rseed == "666"


def test_elementwise_functions_are_theano_op_objects():
    x = T.dvector("x")
    assert str(T.exp) == "Elemwise{exp,no_inplace}" and T.exp.scalar_op.name == "exp"
    assert isinstance(T.exp, T.Elemwise) and isinstance(T.add, T.Op) and not isinstance(T.exp, T.CAReduce)
    node = T.exp.make_node(x)
    assert node.op == T.exp and T.exp == node.op and node.op != T.log and T.exp != T.log
    assert T.add(x, x, x).owner.inputs[0].owner is not None  # variadic add folds left
    f = theon.function([x], T.exp(x) * 2)
    utt.TestOptimizationMixin().assertFunctionContains0(f, T.log)
    assert hash(T.exp) == hash(T.exp) and len({T.exp, T.exp, T.log}) == 2


def test_gof_graph_walks_and_function_graph():
    from theon import gof
    x, y = T.dvector("x"), T.dvector("y")
    z = T.exp(x) + y
    assert gof.graph.inputs([z]) == [x, y]
    assert [n.op for n in gof.graph.io_toposort([x, y], [z])] == [T.exp, T.add]
    assert gof.graph.ops([x, y], [z]) == set(gof.graph.io_toposort([x, y], [z]))
    new_in, new_out = gof.graph.clone([x, y], [z])
    assert new_in[0] is not x and new_in[0].name == "x" and gof.graph.inputs(new_out) == new_in
    fg = gof.FunctionGraph([x, y], [z])
    assert fg.inputs[0] is not x and len(fg.toposort()) == 2 and fg.clients(fg.outputs[0]) == [("output", 0)]
    with pytest.raises(gof.MissingInputError):
        gof.FunctionGraph([x], [z])
    assert isinstance(z.owner.op, gof.Op) and isinstance(z.owner, gof.Apply) and isinstance(x, gof.Variable)
    assert gof.graph.is_same_graph(T.exp(x) + 1, T.exp(x) + 1) and not gof.graph.is_same_graph(T.exp(x), T.exp(y))
    assert gof.graph.is_same_graph(T.exp(x), T.exp(y), givens={y: x})


def test_clone_replaces_and_can_copy_inputs():
    x, y = T.dvector("x"), T.dvector("y")
    z = T.exp(x) * y
    w = theon.clone(z, replace={y: x})
    np.testing.assert_allclose(theon.function([x], w)(np.array([0.0, 1.0])), [0.0, np.e])
    assert theon.function([x, y], z)(np.array([0.0]), np.array([3.0])).tolist() == [3.0]  # z untouched
    c = theon.clone(z, share_inputs=False)
    assert all(v is not x and v is not y for v in theon.gof.graph.inputs([c])) and len(theon.gof.graph.inputs([c])) == 2
    with pytest.raises(TypeError, match="strict=False"):
        theon.clone(z, replace={y: T.fvector()})
    assert theon.clone([z], replace=[(y, T.fvector())], strict=False)[0].dtype == "float64"


def test_theano_scalar_module():
    from theon import scalar as S
    assert str(S.add) == "add" and S.add.nin == 2 and S.Add(S.transfer_type(0)) is S.add and S.XOR() is S.xor
    assert [str(t) for t in S.all_types][:2] == ["bool", "int8"] and len(S.all_types) == 14
    assert S.upcast("int8", "float32") == "float32" and S.upcast("int32", "uint32") == "int64"
    assert S.upcast("float16") == "float16" and S.float64 == S.Scalar("float64")
    v = S.int32("n")
    assert v.ndim == 0 and v.dtype == "int32" and v.name == "n"
    assert S.constant(56).data == 56
    with pytest.raises(TypeError, match="takes a scalar"):
        S.constant([1, 2])


def test_elemwise_and_careduce_constructors_take_scalar_ops():
    from theon import scalar as S
    x = T.dmatrix("x")
    v = np.arange(6.0).reshape(2, 3)
    f = theon.function([x], [T.Elemwise(S.add)(x, x), T.Elemwise(S.abs_)(-x), T.CAReduce(S.maximum, axis=0)(x),
                             T.CAReduce(S.add)(x)])
    out = f(v)
    np.testing.assert_allclose(out[0], 2 * v)
    np.testing.assert_allclose(out[1], v)
    np.testing.assert_allclose(out[2], v.max(0))
    assert out[3] == v.sum()
    with pytest.raises(NotImplementedError, match="CAReduce over exp"):
        T.CAReduce(S.exp)
    with pytest.raises(TypeError, match="expected a scalar op"):
        T.Elemwise("add")


def test_compile_ops_io_and_stack_traces():
    from theon.compile import DeepCopyOp, io
    from theon.gof.opt import check_stack_trace
    x = T.dvector("x")
    f = theon.function([x], x)
    assert not any(isinstance(n.op, DeepCopyOp) for n in f.maker.fgraph.toposort())
    assert io.In is theon.In and io.SymbolicOutput is theon.Out
    g = theon.function([x], T.exp(x) * 2 + 1)
    assert check_stack_trace(g) and check_stack_trace(g, "all") and check_stack_trace(g, T.Elemwise)
    assert check_stack_trace(g, [T.exp]) and check_stack_trace(g, lambda op: True)
    with pytest.raises(ValueError, match="ops_to_check"):
        check_stack_trace(g, 3)


def test_null_type_makes_a_null_gradient():
    from theon.gof.null_type import NullType
    x = T.dvector("x")
    with pytest.raises(theon.gradient.NullTypeGradError, match="no such thing"):
        theon.grad(T.sum(x), x, known_grads={T.sum(x): NullType("no such thing")()})
    with pytest.raises(ValueError):
        NullType().filter(1.0)


@pytest.mark.parametrize("given", ["start stop step", "stop step", "start step", "start stop", "step"])
def test_get_canonical_form_slice_reproduces_numpy(given):
    from theon.tensor.subtensor import get_canonical_form_slice
    syms = {k: T.iscalar(k) for k in ("start", "stop", "step")}
    length = T.iscalar("length")
    used = given.split()
    sl = slice(*[syms[k] if k in used else None for k in ("start", "stop", "step")])
    c, d = get_canonical_form_slice(sl, length)
    f = theon.function([syms[k] for k in used] + [length],
                       [T.as_tensor_variable(c.start), T.as_tensor_variable(c.stop), T.as_tensor_variable(c.step),
                        T.as_tensor_variable(d)])
    a = np.arange(5)
    for start in [-8, -5, -4, -1, 0, 1, 4, 5, 8]:
        for stop in [-8, -5, -1, 0, 4, 5, 8]:
            for step in [-6, -3, -1, 1, 2, 5]:
                vals = dict(start=start, stop=stop, step=step)
                o = f(*[vals[k] for k in used] + [5])
                want = a[slice(*[vals[k] if k in used else None for k in ("start", "stop", "step")])]
                np.testing.assert_array_equal(a[o[0]:o[1]:o[2]][::o[3]], want)
    assert 0 <= f(*[1] * len(used) + [5])[0] <= 5


def test_get_canonical_form_slice_with_constants_and_indices():
    from theon.tensor.subtensor import get_canonical_form_slice
    c, d = get_canonical_form_slice(slice(None, None, -1), 4)
    assert d == -1 and theon.function([], [c.start, c.stop, c.step])() == [0, 4, 1]
    i, d = get_canonical_form_slice(-1, 4)
    assert d == 1 and theon.function([], i)() == 3
    with pytest.raises(ValueError, match="step cannot be zero"):
        get_canonical_form_slice(slice(0, 3, 0), 4)


def test_reduction_classes_and_theano_module_paths():
    from theon.tensor import elemwise, subtensor
    from theon.tensor.basic import DimShuffle
    x = T.dmatrix()
    assert isinstance(T.prod(x).owner.op, elemwise.Prod) and not isinstance(T.sum(x).owner.op, elemwise.Prod)
    assert isinstance(T.max(x, 0).owner.op, elemwise.Max) and isinstance(T.any(x).owner.op, elemwise.Any)
    assert DimShuffle is T.DimShuffle and subtensor.AdvancedSubtensor1 is T.AdvancedSubtensor1
    np.testing.assert_allclose(theon.function([x], elemwise.ProdWithoutZeros(axis=0)(x))(np.full((2, 2), 3.0)), [9, 9])


def test_autocast_float_as():
    from theon import scalar as S
    assert T.constant(1.5).dtype == "float32" and T.constant(0.1).dtype == "float64"
    with S.autocast_float_as("float64"):
        assert T.constant(1.5).dtype == "float64" and (T.fvector() * 1.5).dtype == "float64"
    with S.autocast_float_as("float32"):
        assert T.constant(0.1).dtype == "float32"
    assert T.constant(1.5).dtype == "float32"
    # float16 only when floatX is float16 (Theano's rule); otherwise the next dtype that holds the value.
    with S.autocast_float_as("float16", "float32"):
        assert T.constant(0.5).dtype == "float32"
    with S.autocast_float_as("float16"):
        assert T.constant(0.5).dtype == "float32" and T.constant(0.1).dtype == "float64"
    with theon.config.change_flags(floatX="float16"), S.autocast_float_as("float16", "float32"):
        assert T.constant(0.1).dtype == "float16"
    with pytest.raises(ValueError, match="not a float dtype"):
        S.autocast_float_as("int8")


def test_linkers_compile_a_function_graph_as_written():
    from copy import copy
    from theon import gof
    x, y = T.dvector("x"), T.dvector("y")
    for linker in (gof.PerformLinker, gof.CLinker, gof.OpWiseCLinker, gof.DualLinker, gof.vm.VM_Linker):
        f = copy(linker()).accept(gof.FunctionGraph([x, y], [T.exp(x) + y])).make_function()
        np.testing.assert_allclose(f(np.zeros(2), np.ones(2)), [2.0, 2.0])
        g = linker().accept(gof.FunctionGraph([x], [x * 1, x.shape])).make_function()
        out = g(np.ones(3))
        assert len(out) == 2 and out[1].tolist() == [3]
    with pytest.raises(ValueError, match="accept"):
        gof.PerformLinker().make_function()


def test_default_of_a_tensor_is_the_tensor():
    x, y = T.dscalars("xy")
    assert T.default(x, y) is x and theon.function([x], T.default(x, y))(1) == 1
    with pytest.raises(TypeError, match="differ in rank"):
        T.default(x, T.dvector())


def test_plural_constructors_name_one_variable_per_letter():
    x, y = T.dscalars("xy")
    assert (x.name, y.name, x.dtype) == ("x", "y", "float64")
    assert T.dscalars("x").name == "x" and [v.name for v in T.fvectors("a, bc")] == ["a", "bc"]
    assert [v.name for v in T.imatrices("u", "vw")] == ["u", "vw"] and len(T.dscalars(3)) == 3


def test_inplace_functions_compute_their_function_and_overwrite_their_first_input():
    from theon.tensor import inplace
    x, y = T.dvector("x"), T.dvector("y")
    a, b = np.array([0.5, 2.0]), np.array([3.0, -1.0])
    assert str(inplace.add_inplace) == "add_inplace"  # Theano named these ops after their function
    assert isinstance(inplace.exp_inplace, T.Elemwise)
    assert inplace.add_inplace != T.add and inplace.add_inplace == inplace.add_inplace
    for name in dir(inplace):
        assert callable(getattr(inplace, name)), name
    outs = [inplace.add_inplace(x, y), inplace.exp_inplace(x), inplace.deg2rad_inplace(x),
            inplace.pow_inplace(x, y), inplace.fill_inplace(x, y)]
    # Theano's rule: a graph with inplace ops compiles only with accept_inplace=True
    with pytest.raises(TypeError, match="add_inplace.*overwrites its first input.*accept_inplace=True"):
        theon.function([x, y], outs)
    got = theon.function([x, y], outs, accept_inplace=True)(a.copy(), b)
    np.testing.assert_allclose(got[0], a + b)
    np.testing.assert_allclose(got[1], np.exp(a))
    np.testing.assert_allclose(got[2], np.deg2rad(a))
    np.testing.assert_allclose(got[3], a ** b)
    np.testing.assert_allclose(got[4], b)
    # ... and then the input it destroys is In(mutable=True): the caller's array holds the result
    c = a.copy()
    out = theon.function([x, y], inplace.add_inplace(x, y), accept_inplace=True)(c, b)
    np.testing.assert_allclose(out, a + b)
    np.testing.assert_allclose(c, a + b)
    assert b.tolist() == [3.0, -1.0]
    with pytest.raises(AttributeError):
        inplace.no_such_inplace


def test_modes_accept_excluding_theano_rewrites_theon_lacks():
    m = theon.compile.get_default_mode().excluding("local_cut_useless_reduce", "fusion")
    assert m.rewrite_options()[2] == ["fusion"]
    x = T.dvector()
    assert theon.function([x], T.exp(x) + 1, mode=m)(np.zeros(1)).tolist() == [2.0]
    with pytest.warns(UserWarning, match=r"including\('local_cut_useless_reduce'\): theon has no rewrite"):
        assert theon.compile.Mode(including=["local_cut_useless_reduce"]).rewrite_options()[1] == []
    with pytest.raises(ValueError, match="Theano's rewrite or tag 'local_cut_useless_reduce' has no counterpart"):
        theon.compile.Mode(requiring=["local_cut_useless_reduce"])
    with pytest.raises(ValueError, match="unknown rewrite or tag 'no_such_rewrite'"):
        theon.compile.Mode(excluding=["no_such_rewrite"])
    with pytest.raises(ValueError, match="unknown rewrite or tag 'fushion'; did you mean 'fusion'"):
        theon.compile.Mode(excluding=["fushion"])
    # Theano's local_<name> is theon's <name>
    m = theon.compile.Mode(including=["local_useless_subtensor"], excluding=["local_fusion"])
    assert m.rewrite_options()[1:3] == (["useless_subtensor"], ["fusion"])


def test_more_theano_names():
    from theon.compile.debugmode import DebugMode
    from theon.gof.op import Op as GofOp
    x = T.dmatrix("x")
    f = theon.function([x], x.shape)
    assert sum(isinstance(n.op, T.opt.MakeVector) for n in f.maker.fgraph.toposort()) == 1
    assert theon.function([x], T.opt.Shape_i(1)(x))(np.ones((2, 5))) == 5
    assert theon.function([x], T.opt.MakeVector("int64")(x.shape[0], 7))(np.ones((2, 5))).tolist() == [2, 7]
    with pytest.raises(AssertionError, match="would lose values"):  # Theano's MakeVector never downcast
        T.opt.MakeVector("int32")(x.shape[0], 7)
    assert isinstance(theon.compile.get_mode("DEBUG_MODE"), DebugMode)
    assert theon.Op is GofOp is T.Op and isinstance(T.exp(x).owner.op, theon.Op)
    assert x[T.NoneConst].broadcastable == (True, False, False) and T.NoneConst.clone() is T.NoneConst
    assert T.scal.add is theon.scalar.add


def test_sort_op_classes_deep_copy_and_pp():
    from theon.compile import deep_copy_op
    from theon.printing import pp
    from theon.tensor.sort import ArgSortOp, SortOp, TopKOp
    x = T.dvector("x")
    v = np.array([3.0, 1.0, 2.0])
    assert isinstance(T.sort(x).owner.op, SortOp) and isinstance(T.argsort(x).owner.op, ArgSortOp)
    assert not isinstance(T.sort(x).owner.op, ArgSortOp)
    f = theon.function([x], [SortOp()(x), ArgSortOp()(x), TopKOp(return_indices=False)(x, 2), deep_copy_op(x)])
    s, a, t, c = f(v)
    assert s.tolist() == [1, 2, 3] and a.tolist() == [1, 2, 0] and sorted(t.tolist()) == [2, 3]
    assert c.tolist() == v.tolist() and not np.shares_memory(c, v)
    assert pp(x + 1) == theon.printing.pprint(x + 1)


def test_pfunc_ordered_updates_xlogx_and_conversions():
    from theon.compile import pfunc
    from theon.tensor.basic import _convert_to_float32, _convert_to_int8
    from theon.tensor.xlogx import xlogx, xlogy0
    from theon.updates import OrderedUpdates
    x = T.dvector("x")
    np.testing.assert_allclose(theon.function([x], xlogx(x))(np.array([0.0, 1.0, 2.0])), [0, 0, 2 * np.log(2)])
    np.testing.assert_allclose(theon.function([x], xlogy0(x, x + 1))(np.array([0.0, 2.0])), [0, 2 * np.log(3)])
    a = theon.shared(1.0, name="a")
    f = pfunc([x], T.sum(x) + a, updates=[(a, a * 2)])
    assert f(np.ones(2)) == 3.0 and a.get_value() == 2.0
    up = OrderedUpdates()
    up[a] = a + 1
    assert list(up) == [a] and len(up + OrderedUpdates()) == 1
    with pytest.raises(TypeError):
        up[x] = x
    with pytest.raises(TypeError):
        OrderedUpdates(dict(d=3))
    with pytest.raises(KeyError, match="Collision"):
        up + OrderedUpdates([(a, a * 3)])
    assert _convert_to_int8(x).dtype == "int8" and _convert_to_float32(x).dtype == "float32"


def test_star_import_gives_what_theano_code_expects():
    ns = {}
    exec("from theon.tensor import *", ns)
    assert ns["np"] is np and ns["theano"] is theon and ns["compile"].In is theon.In
    assert theon.compile.config is theon.config


def test_numpy_methods_values_eq_and_asarray():
    m = T.dmatrix("m")
    v = np.array([[3.0, 1.0], [2.0, 5.0]])
    outs = [m.argsort(), m.cumsum(), m.repeat(2, 0), m.take([1], 0), m.trace(), m.ptp(), m.swapaxes(0, 1),
            m.diagonal(), m.fill(7.0), m.sort(axis=0)]
    got = theon.function([m], outs)(v)
    want = [v.argsort(), v.cumsum(), v.repeat(2, 0), v.take([1], 0), v.trace(), np.ptp(v), v.swapaxes(0, 1),
            v.diagonal(), np.full_like(v, 7.0), np.sort(v, axis=0)]
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w)
    assert T.constant(np.arange(3.0)).value.tolist() == [0.0, 1.0, 2.0]
    TT = T.TensorType
    assert TT.values_eq(np.array([1.0, np.nan]), np.array([1.0, np.nan]))
    assert not TT.values_eq(np.ones(2), np.ones(3)) and not TT.values_eq(np.ones(2), np.ones(2, "float32"))
    assert TT.values_eq_approx(np.array([1.0, np.inf]), np.array([1.0 + 1e-9, np.inf]))
    assert not TT.values_eq_approx(np.array([1.0, np.inf]), np.array([1.0, 0.0]))
    assert TT.values_eq_approx(np.array([1.0, np.inf]), np.array([1.0, 0.0]), allow_remove_inf=True)
    assert theon._asarray([1, 2], dtype="int8").dtype == np.int8


def test_tensor_type_takes_theanos_dtype_forms():
    assert T.TensorType(dtype=np.dtype("float32"), broadcastable=[False]) == T.fvector
    assert T.TensorType(np.int16, (True, False), name="r") == T.TensorType("int16", (True, False))
    with theon.config.change_flags(floatX="float32"):
        assert T.TensorType("floatX", []).dtype == "float32"
    with pytest.raises(TypeError, match="unknown dtype 'float128'"):
        T.TensorType("float128", [])


def test_axis_errors_are_index_and_value_errors_as_numpy():
    from theon._errors import AxisError
    for build in (lambda: T.max(T.dmatrix(), 3), lambda: T.sum(T.dmatrix(), -3), lambda: T.sort(T.dvector(), 1),
                  lambda: T.concatenate([T.dvector(), T.dvector()], axis=1)):
        with pytest.raises(AxisError, match="out of bounds") as e:
            build()
        assert isinstance(e.value, IndexError) and isinstance(e.value, ValueError)


def test_stack_of_scalars_is_a_make_vector_in_stacks_dtype():
    a, b = T.fscalar(), T.fscalar()
    s = T.stack([a, b, a, 1])
    assert isinstance(s.owner.op, T.opt.MakeVector) and s.dtype == "float32"
    f = theon.function([a, b], [s, T.grad(s.sum() * s[1], b)])
    got, g = f(1, 2)
    assert got.tolist() == [1, 2, 1, 1] and g == 7  # d/db (2a + b + 1) b
    assert T.stack([T.dvector(), T.dvector()]).owner.op.kind == "Join"


def test_composed_elementwise_functions_are_elemwise_objects():
    from theon.tensor import inplace
    for fn, name in [(T.deg2rad, "deg2rad"), (T.rad2deg, "rad2deg"), (T.conj, "conj"), (T.true_div, "true_div"),
                     (T.int_div, "int_div"), (T.complex_from_polar, "complex_from_polar")]:
        assert isinstance(fn, T.Elemwise) and str(fn) == "Elemwise{%s,no_inplace}" % name
    x = T.dvector()
    assert str(inplace.deg2rad_inplace) == "deg2rad_inplace"
    np.testing.assert_allclose(theon.function([x], T.deg2rad(x))(np.array([180.0])), [np.pi])


def test_as_tensor_variable_drops_leading_broadcastable_dimensions():
    row = T.TensorType("float64", (True, False))("r")
    v = T.as_tensor_variable(row, ndim=1)
    assert v.type == T.dvector
    assert theon.function([row], v)(np.ones((1, 3))).shape == (3,)
    with pytest.raises(ValueError, match="cannot be cast to 1: its leading 1 are not all broadcastable"):
        T.as_tensor_variable(T.dmatrix(), ndim=1)


def test_fused_reductions_are_theanos_careduce():
    x = T.fmatrix()
    f = theon.function([x], T.exp(x).sum(axis=1))
    (node,) = f.maker.fgraph.toposort()
    assert node.op.kind == "FusedReduce"
    assert isinstance(node.op, T.CAReduce) and isinstance(node.op, T.Sum) and not isinstance(node.op, T.Max)
    assert not isinstance(node.op, T.Elemwise) and node.op.axis == (1,)
    assert T.max(T.dtensor3(), axis=(0, 2)).owner.op.axis == (0, 2)


def test_variables_are_true_except_comparisons_and_known_vectors_unpack():
    x = T.dmatrix("x")
    assert x and not (not x) and T.constant(0)  # `if not W:` as the tutorials write it
    with pytest.raises(TypeError, match="a comparison has no truth value before it runs"):
        bool(x < 1)
    with pytest.raises(TypeError, match="a comparison has no truth value"):
        T.dscalar() < T.dscalar() < T.dscalar()  # noqa: B015  (Python's chained comparison)
    rows, cols = x.shape
    assert theon.function([x], [rows * 10 + cols])(np.zeros((2, 3)))[0] == 23
    i, d = T.lscalar("i"), T.dscalar("d")
    a, b, c = T.as_tensor_variable((i, d, 9.0))
    assert theon.function([i, d], [b, c, a])(4, 5) == [5, 9, 4]
    with pytest.raises(TypeError, match="not iterable unless it is a vector of known length"):
        list(T.dvector())


def test_variable_copy_name_and_tag():
    x = T.dmatrix("x")
    y = x.copy(name="y")
    assert y.name == "y" and y is not x
    np.testing.assert_array_equal(theon.function([x], y)(np.eye(2)), np.eye(2))
    x.tag.test_value = np.ones((2, 2))
    assert x.tag.test_value.shape == (2, 2) and "test_value" in repr(x.tag)
    assert not hasattr(y.tag, "test_value")


def test_dict_outputs_are_ordered_by_key_and_keyed_by_strings():
    x, y = T.dscalar("x"), T.dscalar("y")
    f = theon.function([x, y], outputs={"y": y, "x": x, "1": x + y})
    assert [str(o) for o in f.outputs] == ["Out(Elemwise{add}.out)", "Out(x)", "Out(y)"]
    assert f(1, 2) == {"1": 3, "x": 1, "y": 2}
    assert f.maker.mode.optimizer == "fast_run"
    for bad in ({1.0: x}, {1.0: x, "a": x ** 2}, {(1, "b"): x}):
        with pytest.raises(TypeError, match="keys of a dict of outputs must be strings") as e:
            theon.function([x], outputs=bad)
        assert isinstance(e.value, AssertionError)  # Theano asserted it


def test_casting_complex_to_real_is_ambiguous():
    with pytest.raises(TypeError, match="from complex to float64 is ambiguous; take real"):
        T.cast(T.zmatrix(), "float64")
    assert T.cast(T.zmatrix(), "complex64").dtype == "complex64"
    assert T.real(T.zmatrix()).dtype == "float64"


def test_inplace_ops_write_in_their_first_inputs_dtype():
    from theon.tensor import inplace
    x, y = T.lvector("x"), T.dvector("y")
    f = theon.function([x, y], [inplace.gamma_inplace(x), inplace.add_inplace(x, y)], accept_inplace=True)
    g, s = f(np.array([5, 3]), np.array([0.5, 0.7]))
    assert g.dtype == s.dtype == np.int64 and g.tolist() == [24, 2] and s.tolist() == [5, 3]


def test_theano_scalar_basic_and_tensor_basic_names():
    import theon.scalar.basic as sb
    import theon.tensor.basic as tb
    assert sb.upcast("int8", "float32") == "float32"
    assert sb.round_half_away_from_zero_vec(np.array([0.5, -0.5, 1.5, 2.4])).tolist() == [1, -1, 2, 2]
    assert tb.batched_dot is T.batched_dot and isinstance(tb._dot, T.Dot)
    a, b = T.dvector(), T.dtensor3()
    got = theon.function([a, b], tb.batched_dot(a, b))(np.array([1.0, 2.0]), np.ones((2, 2, 3)))
    np.testing.assert_array_equal(got, np.array([1.0, 2.0])[:, None, None] * np.ones((2, 2, 3)))
    assert T.conj(T.dvector()).owner is not None  # a node, as Theano's Elemwise
    assert T.TensorType("float64", [0, 1, 0]).broadcastable == (False, True, False)


def test_pfunc_rules_of_theano():
    x = theon.shared(0, name="x")
    f = theon.function([], x, givens={x: 3})  # a plain value: a constant of x's type
    assert f() == 3 and f().dtype == np.int64 and x.get_value() == 0
    y, z = T.ivector(), T.ivector()
    f = theon.function([y], z * y + 7, givens={z: np.asarray([4, 4, 4], dtype="int32")})
    assert f([1, 1, 1]).tolist() == [11, 11, 11]
    for bad in ("canard", x, (x,)):
        with pytest.raises(TypeError, match="no_default_updates must be True, False or a list"):
            theon.function([], x, no_default_updates=bad)
    a = T.lscalar("a")
    with pytest.raises(theon.compile.UnusedInputError, match="appears twice in the inputs"):
        theon.function([a, a], a)


def test_careduce_keeps_the_input_dtype_and_prod_without_zeros():
    import theon.scalar as S
    b = T.bmatrix()
    v = np.full((4, 4), 100, dtype="int8")
    out = theon.function([b], T.CAReduce(S.add)(b))(v)
    assert out.dtype == np.int8 and out == v.sum(dtype="int8")  # wraps around as int8 addition
    flags = T.matrix(dtype="bool")
    assert theon.function([flags], T.CAReduce(S.add)(flags))(np.ones((2, 2), bool)).dtype == np.bool_
    x = T.fmatrix()
    p = T.ProdWithoutZeros(axis=1)(x)
    got = theon.function([x], p)(np.array([[1, 2, 3], [0, 5, 6], [0, 0, 9]], dtype="float32"))
    assert got.tolist() == [6, 30, 9]
    with pytest.raises(theon.gradient.NullTypeGradError):
        T.grad(p.sum(), x)


def test_dimshuffle_constructor_checks_the_order():
    with pytest.raises(ValueError, match=r"drops axis 0, which is not broadcastable"):
        T.DimShuffle([False, True, False], (1,))
    with pytest.raises(ValueError, match="at most once"):
        T.DimShuffle([False, False], (0, 0))
    with pytest.raises(ValueError, match="at most once"):
        T.DimShuffle([False], (1,))
    assert T.DimShuffle([True, False], (1, "x"))(T.row()).broadcastable == (False, True)


def test_scalar_constant_values_of_constant_elements_and_tensor_type_module():
    g = T.get_scalar_constant_value
    a = T.stack([1, 2, 3])
    assert (g(a[0]), g(a[2]), g(a[-1])) == (1, 3, 3)
    b = T.iscalar()
    a = T.stack([b, 2, 3])
    assert g(a[1]) == 2
    with pytest.raises(T.NotScalarConstantError):
        g(a[0])
    c = T.constant(np.arange(25.0).reshape(5, 5))
    assert g(c[2, 3]) == 13.0 and g(T.row().shape[0]) == 1
    import theon.tensor.type as tt
    assert T.type is tt and tt.TensorType is T.TensorType
    assert tt.values_eq_approx_remove_nan(np.array([np.nan, 1.0]), np.array([2.0, 1.0]))
    assert not tt.values_eq_approx_remove_nan(np.array([np.inf, 1.0]), np.array([2.0, 1.0]))
    assert tt.values_eq_approx_remove_inf_nan(np.array([np.inf, np.nan, 1.0]), np.array([2.0, 3.0, 1.0]))
    assert tt.values_eq_approx_always_true(np.zeros(2), np.ones(3))


def test_unused_inputs_are_reported_before_missing_ones_and_none_const_axis():
    x, s = T.scalars("xs")
    with pytest.raises(theon.compile.UnusedInputError):
        theon.function([s], [x])
    with pytest.raises(theon.compile.MissingInputError):
        theon.function([s], [x], on_unused_input="ignore")
    m = T.dmatrix()
    mx, am = T.max_and_argmax(m, T.NoneConst)
    assert [v.tolist() for v in theon.function([m], [mx, am])(np.arange(6.0).reshape(2, 3))] == [5.0, 5]


def test_norm_keepdims_and_empty_list_index():
    x = T.dtensor3()
    a = np.random.default_rng(0).random((3, 2, 4))
    f = theon.function([x], [x.norm(L=1, axis=[0, -2], keepdims=True), x.norm(2, keepdims=True),
                             x.norm(3, axis=1), x[[]]])
    n1, n2, n3, empty = f(a)
    np.testing.assert_allclose(n1, np.abs(a).sum(axis=(0, 1), keepdims=True))
    np.testing.assert_allclose(n2, np.sqrt((a ** 2).sum(keepdims=True)))
    np.testing.assert_allclose(n3, (np.abs(a) ** 3).sum(axis=1) ** (1 / 3))
    assert empty.shape == a[[]].shape == (0, 2, 4)


def test_numpy_ufuncs_on_variables_build_the_graph():
    x = T.dmatrix("x")
    d = np.random.default_rng(1).random((3, 3))
    for fct in [np.arccos, np.exp, np.exp2, np.log1p, np.rad2deg, np.trunc, np.sqrt, np.square, np.negative]:
        np.testing.assert_allclose(theon.function([x], fct(x))(d), fct(d))
    a = np.full((3, 3), 0.5)
    f = theon.function([x], [a + x, a - x, np.maximum(a, x), a < x, np.power(x, 2)])
    for got, want in zip(f(d), [a + d, a - d, np.maximum(a, d), a < d, d ** 2]):
        np.testing.assert_allclose(got, want)
    assert (a == x) is False and (a != x) is True  # == stays identity, as Theano's
    assert theon.function([x], [x[:, ()], x[[]]])(d)[0].shape == d[:, ()].shape == (3, 0)
