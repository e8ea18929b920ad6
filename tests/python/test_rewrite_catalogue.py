"""One row per rewrite that theon.compile.mode.list_rewrites() lists: a graph
on which the rule fires (the report counts it), the final graph's shape where
it says something, and the same values as optimizer=None. A rule added
without a row fails test_every_rewrite_has_a_row."""
import numpy as np
import pytest

import theon
import theon.tensor as T
from theon import _core
from theon.compile.mode import Mode

NONE = Mode(optimizer=None)
R = np.random.default_rng(5)


def vec(n=5, lo=-2.0, hi=2.0):
    return R.uniform(lo, hi, n)


def mat(r=3, c=4, lo=-2.0, hi=2.0):
    return R.uniform(lo, hi, (r, c))


def _row_grad_control():
    x = T.dvector("x")
    return [x], theon.gradient.zero_grad(x) * 2, [vec()]


def _row_useless_elemwise():
    x, y = T.dvector("x"), T.dvector("y")
    return [x, y], T.fill(x, y) * 2, [vec(), vec()]


def _row_dimshuffle_merge():
    x = T.dmatrix("x")
    return [x], T.exp(x.T.T.dimshuffle("x", 0, 1)), [mat()]


def _row_dimshuffle_lift():
    x, y = T.dmatrix("x"), T.dmatrix("y")
    return [x, y], T.exp(x + y).T, [mat(), mat()]


def _row_shape_i_lift():
    x = T.dmatrix("x")
    return [x], T.exp(x).shape[1] + T.zeros_like(x[0, 0]), [mat()]


def _row_shape_to_make_vector():
    x = T.dmatrix("x")
    return [x], T.exp(x).shape, [mat()]


def _row_add_canonizer():
    x, y = T.dvector("x"), T.dvector("y")
    return [x, y], x + y - x, [vec(), vec()]


def _row_mul_canonizer():
    x, y = T.dvector("x"), T.dvector("y")
    return [x, y], x * y / x, [vec(lo=0.5), vec()]


def _row_neg_neg():
    x = T.dvector("x")
    return [x], T.exp(-(-x)), [vec()]


def _row_pow_specialize():
    x = T.dvector("x")
    return [x], x ** 2, [vec()]


def _row_mul_neg_one():
    x = T.dvector("x")
    return [x], T.exp(x) * -1, [vec()]


# The log builder already applies the stable forms; givens hand the rewriter
# the raw log(sigmoid(x)) / log(softmax(x)) graphs.
def _row_log_sigmoid():
    x, s = T.dvector("x"), T.dvector("s")
    return [x], T.log(s), [vec(lo=-30, hi=5)], {s: T.nnet.sigmoid(x)}


def _row_log1p():
    x = T.dvector("x")
    return [x], T.log(1 + x), [np.array([1e-3, 0.5, 3.0])]  # precision at 1e-20: test_rewrites.py


def _row_expm1():
    x = T.dvector("x")
    return [x], T.exp(x) - 1, [np.array([1e-3, 0.5, -3.0])]


def _row_logsumexp():
    x = T.dmatrix("x")
    return [x], T.log(T.sum(T.exp(x), axis=1)), [mat()]


def _row_softmax_simplifier():
    x = T.dmatrix("x")
    e = T.exp(x)
    return [x], e / T.sum(e, axis=1, keepdims=True), [mat()]


def _row_log_softmax():
    x, s = T.dmatrix("x"), T.dmatrix("s")
    return [x], T.log(s), [mat()], {s: T.nnet.softmax(x)}


def _row_log_softmax_written_out():
    x = T.dmatrix("x")
    z = x - x.max(axis=1, keepdims=True)
    return [x], z - T.log(T.exp(z).sum(axis=1, keepdims=True)), [mat()]


def _row_crossentropy_softmax_1hot():
    x, y = T.dmatrix("x"), T.lvector("y")
    return [x, y], -T.log(T.nnet.softmax(x))[T.arange(y.shape[0]), y], [mat(), np.array([0, 3, 1])]


def _row_upcast_constants():
    x = T.fvector("x")
    return [x], T.exp(x) * 2, [vec().astype("float32")]


def _row_cast_cast():
    x = T.fvector("x")
    return [x], T.cast(T.cast(x, "float64"), "float32"), [vec().astype("float32")]


def _row_useless_alloc():
    x = T.dmatrix("x")
    return [x], T.alloc(x, x.shape[0], x.shape[1]) + 1, [mat()]


def _row_useless_reshape():
    x = T.dmatrix("x")
    return [x], T.reshape(x, x.shape) * 2, [mat()]


def _row_useless_subtensor():
    x = T.dmatrix("x")
    return [x], x[:, 0:] * 2, [mat()]


def _row_useless_switch():
    x, y = T.dvector("x"), T.dvector("y")
    return [x, y], T.switch(1, x, y) * 2, [vec(), vec()]


def _row_useless_reduce():
    x = T.dmatrix("x")
    return [x], T.sum(x.dimshuffle(0, "x", 1), axis=1), [mat()]


def _row_reduce_chain():
    x = T.dtensor3("x")
    return [x], T.sum(T.sum(x, axis=2), axis=0), [R.uniform(-1, 1, (2, 3, 4))]


def _row_sum_scalar_mul():
    x, a = T.dvector("x"), T.dscalar("a")
    return [x, a], T.sum(a * x), [vec(), np.float64(3.0)]


def _row_subtensor_lift():
    x = T.dvector("x")
    return [x], T.exp(x)[1:3], [vec()]


def _row_subtensor_of_make_vector():
    x = T.dmatrix("x")
    return [x], T.exp(x).shape[1] * 2, [mat()]


def _row_inc_subtensor_of_zeros():
    y = T.dvector("y")
    return [y], T.inc_subtensor(T.zeros((5,))[1:4], y), [vec(3)]


def _row_subtensor_merge():
    x = T.dvector("x")
    return [x], x[1:][2:4] * 2, [vec(8)]


def _row_inc_subtensor_serialize():
    x = T.dvector("x")
    return [x], T.grad(T.sum(x[1:3] ** 2) + T.sum(x[2:5] ** 3), x), [vec(6)]


def _row_useless_assert():
    x = T.dvector("x")
    return [x], T.opt.assert_op(x, T.constant(1)) * 2, [vec()]


def _row_remove_all_assert():
    x = T.dvector("x")
    return [x], T.opt.assert_op(x, T.all(T.gt(x, -10))) * 2, [vec()]


def _row_merge_alloc():
    m, n = T.dvector("m"), T.iscalar("n")
    return [m, n], T.alloc(T.alloc(m, 1, 4), n, 2, 4) * 2, [vec(4), np.int32(3)]


def _row_useless_dimshuffle_in_reshape():
    x = T.dvector("x")
    return [x], T.exp(T.reshape(x.dimshuffle("x", 0), (2, 3))), [vec(6)]


def _row_subtensor_inc_subtensor():
    x, v, i = T.dmatrix("x"), T.dvector("v"), T.iscalar("i")
    return [x, v, i], T.set_subtensor(x[:i, 1:], v)[:i, 1:] * 2, [mat(), vec(3), np.int32(2)]


def _row_lift_transpose_through_dot():
    x, y = T.dmatrix("x"), T.dmatrix("y")
    return [x, y], T.exp(T.dot(x, y).T), [mat(3, 4), mat(4, 5)]


def _row_mul_switch_sink():
    c, a = T.dvector("c"), T.dvector("a")
    return [c, a], T.switch(c > 0, 0.0, a) * T.exp(a), [vec(), vec()]


def _row_div_switch_sink():
    c, a = T.dvector("c"), T.dvector("a")
    return [c, a], T.switch(c > 0, a, 0.0) / T.exp(a), [vec(), vec()]


def _row_inc_subtensor_no_change():
    x, y = T.dmatrix("x"), T.dmatrix("y")
    return [x, y], T.inc_subtensor(x[:2], T.zeros_like(y)) * 2, [mat(), mat(2, 4)]


def _row_gemm_from_add():
    z, x, y = T.dmatrix("z"), T.dmatrix("x"), T.dmatrix("y")
    return [z, x, y], z - 0.1 * T.dot(x, y), [mat(3, 5), mat(3, 4), mat(4, 5)]


def _row_dot22scalar():
    x, y = T.dmatrix("x"), T.dmatrix("y")
    return [x, y], T.tanh(0.5 * T.dot(x, y)), [mat(3, 4), mat(4, 5)]


def _row_fill_template_lift():
    x = T.dmatrix("x")
    e = T.sqr(T.exp(x))
    return [x], T.grad(e.sum(), x) + e.sum(), [mat()]


def _row_conv_bias():
    x, w, b = T.dtensor4("x"), T.dtensor4("w"), T.dvector("b")
    return ([x, w, b], T.nnet.conv2d(x, w) + b.dimshuffle("x", 0, "x", "x"),
            [R.uniform(-1, 1, (2, 3, 5, 5)), R.uniform(-1, 1, (4, 3, 2, 2)), vec(4)])


def _row_conv_activation():
    x, w, b = T.dtensor4("x"), T.dtensor4("w"), T.dvector("b")
    return ([x, w, b], T.nnet.relu(T.nnet.conv2d(x, w) + b.dimshuffle("x", 0, "x", "x")),
            [R.uniform(-1, 1, (2, 3, 5, 5)), R.uniform(-1, 1, (4, 3, 2, 2)), vec(4)])


def _spd(n=4):
    m = R.uniform(-1, 1, (n, n))
    return m @ m.T + n * np.eye(n)


def _row_inv_to_solve():
    a, b = T.dmatrix("a"), T.dmatrix("b")
    return [a, b], T.dot(T.nlinalg.matrix_inverse(a), b), [_spd(), mat(4, 2)]


def _row_solve_transpose():
    a, b = T.dmatrix("a"), T.dmatrix("b")
    return [a, b], T.slinalg.solve(a.T, b), [_spd() + mat(4, 4), mat(4, 2)]


def _row_solve_cholesky_factor():
    a, b = T.dmatrix("a"), T.dmatrix("b")
    return [a, b], T.slinalg.solve(T.slinalg.cholesky(a), b), [_spd(), mat(4, 2)]


def _row_solve_cholesky_product():
    a, b = T.dmatrix("a"), T.dmatrix("b")
    c = T.slinalg.cholesky(a)
    return [a, b], T.slinalg.solve(T.dot(c, c.T), b), [_spd(), mat(4, 2)]


def _row_det_triangular():
    a = T.dmatrix("a")
    return [a], T.nlinalg.det(T.slinalg.cholesky(a)), [_spd()]


def _row_log_det():
    a = T.dmatrix("a")
    return [a], T.log(T.nlinalg.det(a)), [_spd()]


def _row_elemwise_inplace():
    x, y = T.dmatrix("x"), T.dmatrix("y")
    return [x, y], T.exp(T.dot(x, y)) * 2, [mat(3, 4), mat(4, 5)]  # the product's buffer is reused


def _row_gemm_inplace():
    x, y = T.dmatrix("x"), T.dmatrix("y")
    z = T.exp(T.dot(x, y))  # an intermediate the Gemm may overwrite
    return [x, y], z - 0.1 * T.dot(x, y.T.T), [mat(3, 4), mat(4, 5)]


def _row_inc_subtensor_inplace():
    x, y = T.dvector("x"), T.dvector("y")
    return [x, y], T.inc_subtensor(T.exp(x)[1:3], y), [vec(), vec(2)]


def _row_constant_folding():
    x = T.dvector("x")
    return [x], x * (T.constant(2.0) + 3), [vec()]


def _row_merge():
    x = T.dvector("x")
    return [x], T.exp(x) + T.exp(x), [vec()]


def _row_fusion():
    x = T.dvector("x")
    return [x], T.tanh(T.exp(x) * 2 + 1), [vec()]


def _row_reduce_fusion():
    x = T.dmatrix("x")
    return [x], T.sum(T.exp(x) * 2, axis=1), [mat()]


def _row_topk_pair():
    x = T.dmatrix("x")
    return [x], T.grad((T.topk(x, 2, axis=1) ** 2).sum(), x), [mat()]


# rule -> (graph builder, key counted in the report, mode, ops that must be present, ops that must be gone)
def _row_scan_pushout_non_seqs():
    X, W, h0 = T.dmatrix("X"), T.dmatrix("W"), T.dvector("h0")
    hs, _ = theon.scan(lambda x, h, W: T.tanh(T.dot(T.exp(W), h) + x), sequences=X, outputs_info=h0, non_sequences=W)
    return [X, W, h0], hs, [mat(5, 3), mat(3, 3), vec(3)]


def _row_scan_pushout_seqs():
    X, W, U, h0 = T.dmatrix("X"), T.dmatrix("W"), T.dmatrix("U"), T.dvector("h0")
    hs, _ = theon.scan(lambda x, h: T.tanh(T.dot(x, W) + T.dot(h, U)), sequences=X, outputs_info=h0)
    return [X, W, U, h0], hs, [mat(5, 3), mat(3, 2), mat(2, 2, -0.5, 0.5), vec(2)]


def _row_scan_pushout_add():
    # The weight gradient of backpropagation through time: acc + x_t.T @ delta_t per step.
    X, W, U, h0 = T.dtensor3("X"), T.dmatrix("W"), T.dmatrix("U"), T.dmatrix("h0")
    hs, _ = theon.scan(lambda x, h: T.tanh(T.dot(x, W) + T.dot(h, U)), sequences=X, outputs_info=h0)
    return [X, W, U, h0], T.grad(T.sum(hs[-1] ** 2), W), [R.uniform(-1, 1, (4, 3, 2)), mat(2, 2), mat(2, 2, -0.5, 0.5),
                                                          mat(3, 2)]


def _row_scan_remove_unused():
    X, h0 = T.dvector("X"), T.dscalar("h0")
    (h, _unused), _ = theon.scan(lambda x, h: [h + x, T.exp(h) * x], sequences=X, outputs_info=[h0, None])
    return [X, h0], h, [vec(), np.float64(0.2)]


def _row_scan_merge():
    X, h0 = T.dmatrix("X"), T.dvector("h0")
    a, _ = theon.scan(lambda x, h: T.tanh(h + x), sequences=X, outputs_info=h0)
    b, _ = theon.scan(lambda x, h: h * 0.5 + x, sequences=X, outputs_info=h0)
    return [X, h0], a + b, [mat(5, 3), vec(3)]


def _row_scan_save_mem():
    X, h0 = T.dmatrix("X"), T.dvector("h0")
    hs, _ = theon.scan(lambda x, h: T.tanh(h + x), sequences=X, outputs_info=h0)
    return [X, h0], hs[-1], [mat(5, 3), vec(3)]


def _row_ifelse_constant_condition():
    from theon.ifelse import ifelse
    x = T.dvector("x")
    return [x], ifelse(T.constant(0), T.exp(x), T.sin(x)), [vec()]


def _row_ifelse_lift_common():
    from theon.ifelse import ifelse
    c, x = T.iscalar("c"), T.dvector("x")
    h = T.tanh(x * 2)
    return [c, x], ifelse(c, h + 1, T.exp(h)), [np.int32(1), vec()]


ROWS = {
    "merge": (_row_merge, "merge", None, [], []),
    "final_merge": (_row_merge, "merge", None, [], []),
    "fusion": (_row_fusion, "elemwise_fusion", None, ["Composite"], []),
    "reduce_fusion": (_row_reduce_fusion, "reduce_fusion", None, ["->Sum"], []),
    "constant_folding": (_row_constant_folding, "constant_folding", None, [], []),
    "remove_grad_control": (_row_grad_control, "remove_grad_control", None, [], ["ZeroGrad"]),
    "useless_elemwise": (_row_useless_elemwise, "useless_elemwise", None, [], ["second", "fill"]),
    "dimshuffle_merge": (_row_dimshuffle_merge, "dimshuffle_merge", None, [], []),
    "dimshuffle_lift": (_row_dimshuffle_lift, "dimshuffle_lift", None, [], []),
    "shape_i_lift": (_row_shape_i_lift, "shape_i_lift", None, [], ["exp"]),
    "shape_to_make_vector": (_row_shape_to_make_vector, "shape_to_make_vector", None, [], ["exp"]),
    "add_canonizer": (_row_add_canonizer, "add_canonizer", None, [], ["add", "sub"]),
    "mul_canonizer": (_row_mul_canonizer, "mul_canonizer", None, [], ["mul", "true_div"]),
    "neg_neg": (_row_neg_neg, "neg_neg", None, [], ["neg"]),
    "pow_specialize": (_row_pow_specialize, "pow_specialize", None, ["sqr"], ["pow"]),
    "mul_neg_one": (_row_mul_neg_one, "mul_neg_one", None, ["neg"], ["mul"]),
    "log_sigmoid": (_row_log_sigmoid, "log_sigmoid", None, ["softplus"], ["log"]),
    "log1p": (_row_log1p, "log1p", None, ["log1p"], []),
    "expm1": (_row_expm1, "expm1", None, ["expm1"], []),
    "logsumexp": (_row_logsumexp, "logsumexp", None, ["LogSumExp"], ["exp"]),
    "softmax_simplifier": (_row_softmax_simplifier, "softmax_simplifier", None, ["Softmax"], []),
    "log_softmax": (_row_log_softmax, "log_softmax", None, ["LogSoftmax"], []),
    "log_softmax_written_out": (_row_log_softmax_written_out, "log_softmax_written_out", None, ["LogSoftmax"],
                                ["exp", "Max"]),
    "crossentropy_softmax_1hot": (_row_crossentropy_softmax_1hot, "crossentropy_softmax_1hot", None,
                                  ["CrossentropySoftmaxArgmax1Hot"], ["LogSoftmax", "AdvancedSubtensor"]),
    "upcast_constants": (_row_upcast_constants, "upcast_constants", None, [], []),
    "cast_cast": (_row_cast_cast, "cast_cast", None, [], ["Cast"]),
    "useless_alloc": (_row_useless_alloc, "useless_alloc", None, [], ["Alloc"]),
    "useless_reshape": (_row_useless_reshape, "useless_reshape", None, [], ["Reshape"]),
    "useless_subtensor": (_row_useless_subtensor, "useless_subtensor", None, [], ["Subtensor"]),
    "useless_switch": (_row_useless_switch, "useless_switch", None, [], ["switch"]),
    "useless_reduce": (_row_useless_reduce, "useless_reduce", None, [], ["Sum"]),
    "reduce_chain": (_row_reduce_chain, "reduce_chain", None, [], []),
    "sum_scalar_mul": (_row_sum_scalar_mul, "sum_scalar_mul", None, [], []),
    "subtensor_lift": (_row_subtensor_lift, "subtensor_lift", None, [], []),
    "subtensor_of_make_vector": (_row_subtensor_of_make_vector, "subtensor_of_make_vector", None, [], ["exp"]),
    "inc_subtensor_of_zeros": (_row_inc_subtensor_of_zeros, "inc_subtensor_of_zeros", None, [], []),
    "subtensor_merge": (_row_subtensor_merge, "subtensor_merge", None, [], []),
    "inc_subtensor_serialize": (_row_inc_subtensor_serialize, "inc_subtensor_serialize", None, [], []),
    "useless_assert": (_row_useless_assert, "useless_assert", None, [], ["Assert"]),
    "remove_all_assert": (_row_remove_all_assert, "remove_all_assert", Mode().including("remove_all_assert"), [],
                          ["Assert"]),
    "merge_alloc": (_row_merge_alloc, "merge_alloc", None, [], []),
    "useless_dimshuffle_in_reshape": (_row_useless_dimshuffle_in_reshape, "useless_dimshuffle_in_reshape", None, [],
                                      ["DimShuffle"]),
    "subtensor_inc_subtensor": (_row_subtensor_inc_subtensor, "subtensor_inc_subtensor", None, ["Alloc"],
                                ["IncSubtensor"]),
    "lift_transpose_through_dot": (_row_lift_transpose_through_dot, "lift_transpose_through_dot", None, [], []),
    "mul_switch_sink": (_row_mul_switch_sink, "mul_switch_sink", None, [], []),
    "div_switch_sink": (_row_div_switch_sink, "div_switch_sink", None, [], []),
    "inc_subtensor_no_change": (_row_inc_subtensor_no_change, "inc_subtensor_no_change", None, ["CheckValue"],
                                ["IncSubtensor"]),
    "gemm_from_add": (_row_gemm_from_add, "gemm_from_add", None, ["Gemm"], []),
    "dot22scalar": (_row_dot22scalar, "dot22scalar", None, ["Dot22Scalar"], ["mul"]),
    "fill_template_lift": (_row_fill_template_lift, "fill_template_lift", None, [], []),
    "conv_bias": (_row_conv_bias, "conv_bias", None, ["+bias"], ["add"]),
    "conv_activation": (_row_conv_activation, "conv_activation", None, ["+bias+relu"], ["abs", "Composite"]),
    "inv_to_solve": (_row_inv_to_solve, "inv_to_solve", None, ["Solve"], ["MatrixInverse", "Dot"]),
    "solve_transpose": (_row_solve_transpose, "solve_transpose", None, ["trans"], ["DimShuffle"]),
    "solve_cholesky_factor": (_row_solve_cholesky_factor, "solve_cholesky_factor", None, ["lower_triangular"],
                              ["general"]),
    "det_triangular": (_row_det_triangular, "det_triangular", None, ["Prod"], ["Det"]),
    "solve_cholesky_product": (_row_solve_cholesky_product, "solve_cholesky_product", None, ["CholeskySolve"],
                               ["A_structure", "Dot"]),
    "log_det": (_row_log_det, "log_det", None, ["SlogDet"], ["Elemwise{log}"]),
    "elemwise_inplace": (_row_elemwise_inplace, "elemwise_inplace", None, ["[(0, 0)]"], []),
    "gemm_inplace": (_row_gemm_inplace, "gemm_inplace", None, ["inplace"], []),
    "topk_pair": (_row_topk_pair, "topk_pair", None, ["TopK{axis=1,values,indices:int64}"], ["TopK{axis=1,values}"]),
    "inc_subtensor_inplace": (_row_inc_subtensor_inplace, "inc_subtensor_inplace", None, ["inplace"], []),
    "scan_merge": (_row_scan_merge, "scan_merge", None, [], []),
    "ifelse_constant_condition": (_row_ifelse_constant_condition, "ifelse_constant_condition", None, ["sin"],
                                  ["IfElse", "exp"]),
    "ifelse_lift_common": (_row_ifelse_lift_common, "ifelse_lift_common", None, ["IfElse", "tanh"], []),
    "scan_save_mem": (_row_scan_save_mem, "scan_save_mem", None, [], []),
    "scan_pushout_non_seqs": (_row_scan_pushout_non_seqs, "scan_pushout_non_seqs", None, [], []),
    "scan_pushout_seqs": (_row_scan_pushout_seqs, "scan_pushout_seqs", None, [], []),
    "scan_pushout_add": (_row_scan_pushout_add, "scan_pushout_add", None, [], []),
    "scan_remove_unused": (_row_scan_remove_unused, "scan_remove_unused", None, [], []),
}


def test_every_rewrite_has_a_row():
    listed = {name for name, _, _ in _core.list_rewrites()}
    assert listed - set(ROWS) == set(), "rewrites without a catalogue row"
    assert set(ROWS) - listed == set(), "rows for rewrites that do not exist"


@pytest.mark.parametrize("rule", sorted(ROWS))
def test_rule_fires_and_keeps_values(rule):
    build, key, mode, present, gone = ROWS[rule]
    inputs, out, values, *rest = build()
    givens = rest[0] if rest else None
    f = theon.function(inputs, out, mode=mode or Mode(), givens=givens)
    g = theon.function(inputs, out, mode=NONE, givens=givens)
    fired = f.maker.rewrite_report["fired"]
    assert fired.get(key, 0) >= 1, (rule, fired)
    names = [str(n.op) for n in f.maker.fgraph.toposort()]
    for p in present:
        assert any(p in n for n in names), (rule, p, names)
    for p in gone:
        assert not any(p in n for n in names), (rule, p, names)
    keep = [np.array(v, copy=True) for v in values]
    a, b = f(*values), g(*values)
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-6, atol=1e-300)
    for v, k in zip(values, keep):  # inplace never touched the caller's arrays
        np.testing.assert_array_equal(v, k)


def test_shapes_through_a_join_need_no_join():
    # Join's shape inference: the sizes summed along the axis, the first
    # input's elsewhere; its gradient pieces are shaped as the joined inputs.
    a, b = T.dmatrix("a"), T.dmatrix("b")
    j = T.join(1, a, b)
    ga = theon.grad((j ** 2).sum(), a)
    f = theon.function([a, b], [j.shape, ga.shape])
    kinds = [n.op.kind for n in f.maker.fgraph.toposort()]
    assert "Join" not in kinds and "JoinGrad" not in kinds, kinds
    av, bv = np.ones((2, 3)), np.ones((2, 4))
    np.testing.assert_array_equal(f(av, bv)[0], [2, 7])
    np.testing.assert_array_equal(f(av, bv)[1], [2, 3])
