"""Theano's optimizer API over theon's rewriter (theano.tensor.opt, gof.opt,
gof.optdb, Mode._optimizer) and the rules added for Theano's test_opt.py:
each object runs theon's rules or says that theon lacks them."""
import warnings

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon import gof
from theon.compile.mode import Mode
from theon.gof import FunctionGraph
from theon.gof.opt import out2in, in2out, MissingRewrite, TheonRule
from theon.tensor import opt
from theon.tensor.elemwise import DimShuffle

NONE = Mode(optimizer=None)


def ds(x, order):
    return DimShuffle(x.type.broadcastable, order)(x)


def ops(f):
    return [n.op for n in f.maker.fgraph.toposort()]


# ---- rewrite objects ----------------------------------------------------------------

def test_local_names_are_theon_rules():
    assert isinstance(opt.local_useless_alloc, TheonRule)
    assert opt.local_useless_alloc.theon_rules() == ("useless_alloc",)
    assert set(opt.local_dimshuffle_lift.theon_rules()) == {"dimshuffle_lift", "dimshuffle_merge"}
    from theon.tensor.opt import local_merge_alloc  # a `from` import finds them too
    assert local_merge_alloc.theon_rules() == ("merge_alloc",)


def test_a_rewrite_theon_lacks_raises_when_used():
    lopt = opt.local_greedy_distributor
    assert isinstance(lopt, MissingRewrite)
    x = T.dvector("x")
    g = FunctionGraph([x], [x * 2])
    with pytest.raises(NotImplementedError, match="local_greedy_distributor has no counterpart in theon"):
        out2in(lopt).optimize(g)
    with pytest.raises(NotImplementedError, match="local_greedy_distributor"):
        lopt.transform(g.outputs[0].owner)
    with pytest.raises(AttributeError):
        opt.local_no_such_rewrite_anywhere


def test_out2in_rewrites_the_graph_in_place():
    x = T.dmatrix("x")
    g = FunctionGraph([x], [ds(ds(x, (1, 0)), (1, 0))])
    assert str(g) == "[InplaceDimShuffle{1,0}(InplaceDimShuffle{1,0}(x))]"
    fired = out2in(opt.local_dimshuffle_lift).optimize(g)
    assert str(g) == "[x]" and fired
    # Only the named rules run: no merge, no other canonicalization.
    y = T.dvector("y")
    g = FunctionGraph([y], [T.exp(y) + T.exp(y)])
    in2out(opt.local_useless_alloc).optimize(g)
    assert str(g) == "[Elemwise{add,no_inplace}(Elemwise{exp,no_inplace}(y), Elemwise{exp,no_inplace}(y))]"


def test_fgraph_text_marks_shared_nodes():
    x = T.dvector("x")
    e = T.exp(x)
    g = FunctionGraph([x], [e + e], clone=False)
    assert str(g) == "[Elemwise{add,no_inplace}(*1 -> Elemwise{exp,no_inplace}(x), *1)]"


def test_transform_gives_replacements_and_leaves_the_graph():
    v, m = T.dvector("v"), T.dmatrix("m")
    out = ((v + 42) * (m + 84)).T
    g = FunctionGraph([v, m], [out])
    before = str(g)
    new = opt.local_dimshuffle_lift.transform(g.outputs[0].owner)
    assert str(g) == before
    assert str(FunctionGraph(g.inputs, new)).startswith("[Elemwise{mul,no_inplace}(")
    x = T.dvector("x")
    assert opt.local_useless_alloc.transform((x * 2).owner) is False


def test_local_optimizer_in_python_transforms_but_cannot_join_a_phase():
    @gof.local_optimizer([T.Elemwise])
    def local_double(node):
        return [node.outputs[0] * 2]
    x = T.dvector("x")
    assert len(local_double.transform(T.exp(x).owner)) == 1
    with pytest.raises(NotImplementedError, match="local_double"):
        opt.register_specialize(local_double)
    with pytest.raises(NotImplementedError, match="Python local optimizer"):
        out2in(local_double).optimize(FunctionGraph([x], [T.exp(x)]))
    assert opt.register_canonicalize(opt.local_useless_alloc) is opt.local_useless_alloc


def test_mul_canonizer_is_an_optimizer():
    x, y = T.dvector("x"), T.dvector("y")
    g = FunctionGraph([x, y], [x * y / x])
    opt.mul_canonizer.optimize(g)
    assert str(g) == "[y]"


# ---- Query, optdb, Mode._optimizer ------------------------------------------------

def _pow_ops(optimizer):
    x = T.dvector("x")
    g = FunctionGraph([x], [x ** 2])
    optimizer.optimize(g)
    return str(g)


def test_optdb_query_with_position_cutoff():
    stab = gof.Query(include=["fast_run"])
    stab.position_cutoff = 1.51
    assert "pow" in _pow_ops(theon.compile.optdb.query(stab))  # specialize (2) is after the cutoff
    assert "sqr" in _pow_ops(theon.compile.optdb.query(gof.Query(include=["fast_run"])))


def test_mode_optimizer_is_a_query_read_and_written():
    x = T.dvector("x")
    mode = Mode()
    mode._optimizer = gof.Query(["canonicalize"]).excluding("local_elemwise_fusion")
    assert mode.rewrite_options() == ("none", ["canonicalize"], ["fusion"], [])
    f = theon.function([x], x ** 2, mode=mode)
    assert "Elemwise{pow}" in [str(o) for o in ops(f)]
    m2 = Mode().including("canonicalize")
    m2._optimizer.position_cutoff = 1.5  # in place, as Theano's tests do
    assert "specialize" in m2.rewrite_options()[2]
    f = theon.function([x], x ** 2, mode=m2)
    assert "Elemwise{pow}" in [str(o) for o in ops(f)]
    m3 = Mode(linker="vm", optimizer=gof.Query(["fast_run"]))
    assert m3.rewrite_options()[0] == "fast_run"


def test_theano_fusion_names_mean_theon_fusion():
    assert Mode().excluding("local_elemwise_fusion", "FusionOptimizer").rewrite_options()[2] == ["fusion"]


def test_including_a_phase_leaves_unsafe_rules_off():
    x, y = T.dscalar("x"), T.dscalar("y")
    f = theon.function([x, y], opt.assert_op(x, y), mode=Mode().including("canonicalize"))
    assert any(isinstance(o, opt.Assert) for o in ops(f))
    f = theon.function([x, y], opt.assert_op(x, y), mode=Mode().including("unsafe"))
    assert not any(isinstance(o, opt.Assert) for o in ops(f))


# ---- ShapeFeature -------------------------------------------------------------------

def test_shape_feature_same_shape():
    x, y = T.dvector("x"), T.dvector("y")
    o = x + y
    g = FunctionGraph([x, y], [o], clone=False)
    sf = opt.ShapeFeature()
    g.attach_feature(sf)
    assert sf.fgraph is g
    assert sf.same_shape(x, o) and sf.same_shape(x, o, 0, 0)
    assert not sf.same_shape(y, o)  # theon answers o's size from x, as Theano did
    with pytest.raises(IndexError):
        sf.same_shape(x, o, 1, 0)
    s = T.dscalar("s")
    assert sf.same_shape(s, s + T.constant(1).clone())
    assert str(g) == "[Elemwise{add,no_inplace}(x, y)]"  # asking changed nothing


# ---- rules added for Theano's rewrites ----------------------------------------------

def test_merge_alloc():
    x, y, y2, z, w = (T.iscalar(n) for n in "x y y2 z w".split())
    m = T.fscalar("m")
    f = theon.function([m, x, y, z, w], T.alloc(T.alloc(m, 1, y, 1, 1), x, y, z, w))
    assert len(ops(f)) == 1 and isinstance(ops(f)[0], T.Alloc)
    assert f(0., 1, 2, 3, 4).shape == (1, 2, 3, 4)
    f = theon.function([m, x, y, y2, z, w], T.alloc(T.alloc(m, y, 1, 1), x, y2, z, w))
    assert len(ops(f)) == 3 and isinstance(ops(f)[-1], T.Alloc) and isinstance(ops(f)[-2], opt.Assert)
    assert f(0., 1, 2, 2, 3, 4).shape == (1, 2, 3, 4)
    with pytest.raises(AssertionError):  # the inner Alloc's size disagreed: still an error
        f(0., 1, 2, 5, 3, 4)


def test_useless_dimshuffle_in_reshape():
    mat = T.dmatrix("mat")
    g = FunctionGraph([mat], [T.reshape(mat.dimshuffle("x", 0, "x", 1), mat.shape)])
    out2in(opt.local_useless_dimshuffle_in_reshape).optimize(g)
    assert str(g) == "[Reshape{2}(mat, Shape(mat))]"
    h = FunctionGraph([mat], [T.reshape(mat.dimshuffle("x", 1, "x", 0), mat.shape)])
    before = str(h)
    out2in(opt.local_useless_dimshuffle_in_reshape).optimize(h)
    assert str(h) == before  # the order of the axes changed: the DimShuffle stays


def test_dimshuffle_that_only_moves_size_one_axes_goes():
    x = T.TensorType("float64", (0, 1))("x")  # Theano's 0/1 patterns
    y = T.TensorType("float64", (1, 0, 1))("y")
    z = T.TensorType("float64", (0, 0, 1))("z")
    g = FunctionGraph([x, y, z], [ds(x, (0, "x")), ds(y, (2, 1, 0)), ds(z, (2, 1, 0))])
    out2in(opt.local_dimshuffle_lift).optimize(g)
    assert str(g) == "[x, y, InplaceDimShuffle{2,1,0}(z)]"


def test_lift_transpose_through_dot():
    a, b = T.dmatrix("a"), T.dmatrix("b")
    g = FunctionGraph([a, b], [T.dot(a, b).T])
    out2in(opt.local_lift_transpose_through_dot).optimize(g)
    assert str(g) == "[dot(InplaceDimShuffle{1,0}(b), InplaceDimShuffle{1,0}(a))]"
    va, vb = np.random.rand(3, 4), np.random.rand(4, 5)
    f = theon.function([a, b], T.dot(a, b).T)
    np.testing.assert_allclose(f(va, vb), va.dot(vb).T)


def test_subtensor_of_set_subtensor_reads_the_set_value():
    x, v = T.dmatrix("x"), T.dcol("v")
    i1, i2 = T.iscalar("i1"), T.iscalar("i2")
    f = theon.function([x, i1, i2, v], T.set_subtensor(x[:i1, :i2], v)[:i1, :i2])
    assert not any(isinstance(o, T.IncSubtensor) for o in ops(f))
    assert any(isinstance(o, T.Alloc) for o in ops(f))
    xv, vv = np.random.rand(3, 4), np.random.rand(2, 1)
    expect = xv.copy()
    expect[:2, :2] = vv
    np.testing.assert_array_equal(f(xv, 2, 2, vv), expect[:2, :2])
    with pytest.raises(ValueError):  # v that does not fit the region is still an error
        f(xv, 2, 2, np.random.rand(3, 1))


def test_inc_subtensor_that_changes_nothing_goes_and_keeps_its_shape_check():
    x, y = T.dmatrix("x"), T.dmatrix("y")
    for out in [T.inc_subtensor(x[:2], T.zeros_like(y)),
                T.set_subtensor(T.zeros_like(x)[1:], T.zeros_like(y))]:
        f = theon.function([x, y], out)
        assert not any(isinstance(o, T.IncSubtensor) for o in ops(f))
        g = theon.function([x, y], out, mode=NONE)
        xv, yv = np.random.rand(3, 4), np.random.rand(2, 4)
        np.testing.assert_array_equal(f(xv, yv), g(xv, yv))
        with pytest.raises(ValueError):  # y does not fit the region: still an error
            f(xv, np.random.rand(2, 3))
    i = T.iscalar("i")  # an integer index may be out of range: the node stays
    f = theon.function([x, y, i], T.inc_subtensor(x[i], T.zeros_like(y[0])))
    assert any(isinstance(o, T.IncSubtensor) for o in ops(f))
    assert opt.local_incsubtensor_of_zeros.theon_rules() == ("inc_subtensor_no_change",)


@pytest.mark.parametrize("fn", ["sum", "prod", "max", "min", "all", "any"])
def test_reduction_over_size_one_axes_drops_them(fn):
    x = T.TensorType("int64", (True, False, True))("x")
    f = theon.function([x], getattr(T, fn)(x, axis=[0, 1]))
    reds = [n for n in f.maker.fgraph.toposort() if isinstance(n.op, T.CAReduce)]
    assert len(reds) == 1 and reds[0].inputs[0].ndim == 2 and list(reds[0].op.axis) == [0]
    xv = np.array([[[3], [0], [-2]]])
    np.testing.assert_array_equal(f(xv), getattr(np, fn)(xv, axis=(0, 1)))
    y = T.TensorType("float64", (True, True))("y")
    g = theon.function([y], getattr(T, fn)(y))
    assert not any(isinstance(n.op, T.CAReduce) for n in g.maker.fgraph.toposort())
    for v in ([[0.0]], [[np.nan]], [[2.5]]):
        np.testing.assert_array_equal(g(np.array(v)), getattr(np, fn)(np.array(v)))
    s = T.dscalar("s")  # over no axis at all: s itself
    h = theon.function([x, s], getattr(T, fn)(getattr(T, fn)(x.astype("float64")), axis=[]) + s)
    assert sum(isinstance(n.op, T.CAReduce) for n in h.maker.fgraph.toposort()) == 1


def test_useless_switch_broadcasts_without_reading_its_own_output():
    x, y = T.ivector("x"), T.lmatrix("y")
    f = theon.function([x, y], T.switch(1, x, y))
    vx, vy = np.array([4, 5, 6], "int32"), np.arange(6).reshape(2, 3)
    np.testing.assert_array_equal(f(vx, vy), np.where(1, vx, vy))
    m, w = T.imatrix("m"), T.lvector("w")
    f = theon.function([m, w], T.switch(m, w, w))
    vm = np.array([[0, 1], [1, 0]], "int32")
    np.testing.assert_array_equal(f(vm, np.array([7, 8])), np.where(vm, [7, 8], [7, 8]))


def test_gradient_of_a_switch_ignores_the_branch_not_taken():
    x = T.dscalar("x")
    f = theon.function([x], T.grad(T.switch(x < 7, x, T.sqrt(x - 7)), x))
    assert f(5) == 1 and f(11) == 0.25  # the sqrt branch's gradient is NaN at 5
    assert f.maker.rewrite_report["fired"].get("mul_switch_sink", 0) + \
        f.maker.rewrite_report["fired"].get("div_switch_sink", 0) >= 1
    c, a = T.dvector("c"), T.dvector("a")
    g = theon.function([c, a], T.switch(c > 0, 0.0, a) * T.log(a))
    np.testing.assert_allclose(g(np.array([1.0, -1.0]), np.array([-1.0, 2.0])), [0.0, 2 * np.log(2)])


def test_make_vector_sliced_by_constants_is_a_make_vector():
    x, y, z = T.lscalars("xyz")
    v = opt.make_vector(x, y, z)
    for idx, want in [(slice(None, 2), [0, 1]), (slice(None, None, 2), [0, 2]), (slice(None, None, -1), [2, 1, 0]),
                      (slice(-2, None), [1, 2]), (slice(5, 1, -1), [2]), (slice(1, 1), []), ([0, 2, -1], [0, 2, 2])]:
        f = theon.function([x, y, z], v[idx])
        assert [type(o).__name__ for o in ops(f)] in (["Op"], []), (idx, ops(f))
        assert all(isinstance(o, opt.MakeVector) for o in ops(f))
        assert f(10, 11, 12).tolist() == [[10, 11, 12][k] for k in want], idx
    m = T.dmatrix("m")
    f = theon.function([m], m.shape[:1])
    assert not any(isinstance(o, T.Subtensor) for o in ops(f))


# ---- Theano names the file imports ------------------------------------------------

def test_make_vector_and_shape_iteration():
    b, i = T.bscalar("b"), T.iscalar("i")
    mv = opt.MakeVector("int32")(b, i)
    assert mv.dtype == "int32" and isinstance(mv.owner.op, opt.MakeVector)
    assert opt.make_vector(i, i).dtype == "int64"
    with pytest.raises(AssertionError):
        opt.MakeVector("int8")(b, i)
    m = T.dmatrix("m")
    assert len(list(m.shape)) == 2
    with pytest.raises(TypeError, match="not iterable"):
        iter(m)


def test_scalar_basic_and_tensor_type_modules():
    from theon.scalar import basic
    from theon.tensor.type import values_eq_approx_remove_nan
    assert basic.upgrade_to_float is theon.scalar.upgrade_to_float
    with pytest.raises(NotImplementedError, match="scalar table"):
        type("TimesN", (basic.UnaryScalarOp,), {})()
    assert values_eq_approx_remove_nan(np.array([1.0, np.nan]), np.array([1.0, 2.0]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert T.constant(3).clone().value == 3
