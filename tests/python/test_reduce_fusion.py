"""reduce_fusion: an elementwise program (or one elementwise node) read only
by a sum/prod/max/min becomes one FusedReduce node, reduced block by block as
it is computed; same values as optimizer=None over dtypes, axes, broadcasting
and layouts; not fused when the elementwise result is read elsewhere."""
import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.compile.mode import Mode

NONE = Mode(optimizer=None)


def ops(f):
    return [str(n.op) for n in f.maker.fgraph.toposort()]


def fused_reduces(f):
    return [o for o in ops(f) if "->" in o]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_shifted_exp_sum_fuses_exp_into_the_sum(dtype):
    # (with "+ mx" this is logsumexp, which becomes the one-pass LogSumExp op)
    x = T.matrix(dtype=dtype)
    mx = x.max(axis=1, keepdims=True)
    out = T.log(T.exp(x - mx).sum(axis=1, keepdims=True)) * 2
    f = theon.function([x], out)
    assert fused_reduces(f) == ["Composite{sub,exp}->Sum{axis=[1]}"]
    assert f.maker.rewrite_report["fired"]["reduce_fusion"] == 1
    a = np.random.default_rng(0).standard_normal((300, 1500)).astype(dtype) * 30
    ref = theon.function([x], out, mode=NONE)(a)
    np.testing.assert_allclose(f(a), ref, rtol=1e-6 if dtype == "float32" else 1e-13)


@pytest.mark.parametrize("kind", ["sum", "prod", "max", "min"])
@pytest.mark.parametrize("axis", [0, 1, None, (0, 2)])
def test_every_kind_and_axis_with_broadcasting(kind, axis):
    x = T.tensor3(dtype="float64")
    r = T.tensor("float64", shape=(1, None, 1))  # broadcasts over axes 0 and 2
    expr = getattr(T, kind)(T.tanh(x) * r + 1.5, axis=axis)
    f = theon.function([x, r], expr)
    assert len(fused_reduces(f)) == 1, ops(f)
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((7, 90, 250)), rng.uniform(0.5, 1.0, (1, 90, 1))
    with np.errstate(over="ignore"):  # the prod over every axis overflows to inf, in both
        ref = getattr(np, kind)(np.tanh(a) * b + 1.5, axis=axis)
    got = f(a, b)
    assert got.shape == ref.shape
    np.testing.assert_allclose(got, ref, rtol=1e-12)
    for v in (a.transpose(0, 2, 1).copy().transpose(0, 2, 1), np.repeat(a, 2, axis=1)[:, ::2]):
        np.testing.assert_allclose(f(v, b), ref, rtol=1e-12)


def test_single_elementwise_node_fuses():
    x, y = T.matrix(dtype="float32"), T.matrix(dtype="float32")
    f = theon.function([x, y], (x * y).sum(axis=0))
    assert fused_reduces(f) == ["Composite{mul}->Sum{axis=[0]}"]
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((999, 77)).astype("float32"), rng.standard_normal((999, 77)).astype("float32")
    np.testing.assert_allclose(f(a, b), (a.astype("float64") * b).sum(0), rtol=1e-5, atol=1e-5)


def test_not_fused_when_the_elementwise_value_is_read_elsewhere():
    x = T.matrix(dtype="float64")
    e = T.exp(x)
    f = theon.function([x], [e.sum(axis=1), e])
    assert fused_reduces(f) == []
    g = theon.function([x], [e.sum(axis=1), e.max(axis=0)])
    assert fused_reduces(g) == []
    a = np.random.default_rng(3).standard_normal((20, 30))
    np.testing.assert_allclose(g(a)[0], np.exp(a).sum(1), rtol=1e-13)


def test_excluded_with_fusion_and_by_name():
    x = T.matrix(dtype="float64")
    expr = T.exp(x).sum()
    assert fused_reduces(theon.function([x], expr, mode=Mode().excluding("reduce_fusion"))) == []
    assert fused_reduces(theon.function([x], expr, mode=Mode().excluding("fusion"))) == []
    assert fused_reduces(theon.function([x], expr)) == ["Composite{exp}->Sum{axis=[0, 1]}"]


def test_nan_and_empty_axes():
    x = T.matrix(dtype="float64")
    f = theon.function([x], (x * 2).max(axis=1))
    a = np.ones((5, 2000))
    a[3, 1500] = np.nan
    got = f(a)
    assert np.isnan(got[3]) and (got[[0, 1, 2, 4]] == 2).all()
    with pytest.raises(ValueError, match=r"max of an empty axis"):
        f(np.ones((3, 0)))
    g = theon.function([x], (x * 2).sum(axis=1))
    np.testing.assert_array_equal(g(np.ones((3, 0))), np.zeros(3))


def test_thread_count_does_not_change_bits():
    x = T.matrix(dtype="float32")
    f = theon.function([x], T.exp(x * 0.01).sum(axis=0))
    a = np.random.default_rng(4).standard_normal((3000, 700)).astype("float32")
    old = theon.num_threads()
    try:
        outs = []
        for n in (1, 2, 3):
            theon.set_num_threads(n)
            outs.append(f(a))
    finally:
        theon.set_num_threads(old)
    np.testing.assert_array_equal(outs[0], outs[1])
    np.testing.assert_array_equal(outs[0], outs[2])
