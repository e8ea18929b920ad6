"""The useless_* family, cast chains, constant upcasting, reduction chains,
scalars pulled out of sums and indexing rules: each rule fires (the final
graph shows it) and values equal optimizer=None."""
import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.compile.mode import Mode

NONE = Mode(optimizer=None)
UNFUSED = Mode().excluding("fusion", "inplace")


def ops(f):
    return [str(n.op) for n in f.maker.fgraph.toposort()]


def fired(f, name):
    return f.maker.rewrite_report["fired"].get(name, 0)


def both(inputs, outputs, mode=UNFUSED):
    return theon.function(inputs, outputs, mode=mode), theon.function(inputs, outputs, mode=NONE)


def same(f, g, *args, rtol=1e-12):
    a, b = f(*args), g(*args)
    for x, y in zip(a if isinstance(a, list) else [a], b if isinstance(b, list) else [b]):
        assert x.dtype == y.dtype and x.shape == y.shape
        np.testing.assert_allclose(x, y, rtol=rtol, atol=0)


@pytest.fixture
def rng():
    return np.random.default_rng(11)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_upcast_constants_lets_int_constants_fuse(dtype, rng):
    x = T.vector(dtype=dtype)
    y = T.exp(x) * 2 + 3  # int8 constants
    f, g = both([x], y, mode=None)
    assert len(ops(f)) == 1 and ops(f)[0].startswith("Composite"), ops(f)
    assert fired(f, "upcast_constants") >= 1
    same(f, g, rng.standard_normal(50).astype(dtype), rtol=1e-6)


def test_upcast_constants_keeps_inexact_constants(rng):
    x = T.fvector()
    y = x * 0.1  # 0.1 is not exact in float32: Theano's rule makes this float64
    f, g = both([x], y)
    assert f(np.ones(3, "float32")).dtype == "float64"
    same(f, g, rng.standard_normal(4).astype("float32"))


def test_cast_cast(rng):
    x = T.bvector()
    y = T.cast(T.cast(x, "int64"), "float32")
    f, g = both([x], y)
    assert ops(f) == ["Elemwise{Cast{float32}}"], ops(f)
    same(f, g, rng.integers(-100, 100, 7).astype("int8"))
    # a lossy inner cast stays
    z = T.cast(T.cast(T.dvector(), "int8"), "float64")
    h = theon.function(z.owner.inputs[0].owner.inputs, z, mode=UNFUSED)
    assert len(ops(h)) == 2
    np.testing.assert_array_equal(h(np.array([300.7, -1.5])), np.array([300.7, -1.5]).astype("int8").astype("float64"))


def test_useless_cast_to_own_dtype():
    x = T.dvector()
    f = theon.function([x], T.cast(x, "float64") * 2, mode=UNFUSED)
    assert not any("Cast" in o for o in ops(f))


def test_useless_alloc(rng):
    x = T.dmatrix()
    y = T.alloc(x, x.shape[0], x.shape[1]) + 1
    f, g = both([x], y)
    assert "Alloc" not in ops(f), ops(f)
    same(f, g, rng.standard_normal((3, 4)))


def test_useless_reshape_and_reshape_chain(rng):
    x = T.dmatrix()
    f, g = both([x], T.reshape(x, x.shape) * 2)
    assert "Reshape" not in " ".join(ops(f)), ops(f)
    same(f, g, rng.standard_normal((3, 4)))
    f2, g2 = both([x], T.reshape(T.reshape(x, (-1,)), (2, -1)))
    assert sum("Reshape" in o for o in ops(f2)) == 1, ops(f2)
    same(f2, g2, rng.standard_normal((3, 4)))


def test_useless_subtensor(rng):
    x = T.dmatrix()
    f, g = both([x], x[:, 0:] * 2)
    assert not any("Subtensor" in o for o in ops(f)), ops(f)
    same(f, g, rng.standard_normal((3, 4)))
    h = theon.function([x], x[:, 1:] * 2, mode=UNFUSED)  # a real slice stays
    assert any("Subtensor" in o for o in ops(h))


def test_useless_switch(rng):
    x, y = T.dvector(), T.dvector()
    f, g = both([x, y], [T.switch(1, x, y), T.switch(0, x, y), T.switch(T.gt(x, 0), y, y)])
    assert not any("switch" in o for o in ops(f)), ops(f)
    same(f, g, rng.standard_normal(5), rng.standard_normal(5))


def test_useless_reduce_over_broadcastable_axes(rng):
    x = T.row()
    f, g = both([x], [T.sum(x, axis=0), T.max(x, axis=0)])
    assert not any(o.startswith(("Sum", "Max", "Reduce")) for o in ops(f)), ops(f)
    same(f, g, rng.standard_normal((1, 6)))


@pytest.mark.parametrize("red", [T.sum, T.max, T.prod])
def test_reduce_chain(red, rng):
    x = T.tensor3()
    f, g = both([x], red(red(x, axis=2), axis=0))
    assert fired(f, "reduce_chain") == 1
    assert len(ops(f)) == 1, ops(f)
    same(f, g, rng.uniform(0.5, 1.5, (3, 4, 5)))


def test_reduce_chain_int8_sum(rng):
    x = T.btensor3()
    f, g = both([x], T.sum(T.sum(x, axis=1), axis=0))
    assert fired(f, "reduce_chain") == 1
    same(f, g, rng.integers(-128, 127, (4, 5, 6)).astype("int8"))


def test_sum_scalar_mul(rng):
    x, a = T.dmatrix(), T.dscalar()
    f, g = both([x, a], [T.sum(a * x, axis=1), T.sum(-x), T.sum(x * a)])
    assert fired(f, "sum_scalar_mul") == 3
    same(f, g, rng.standard_normal((4, 5)), 1.7, rtol=1e-13)


def test_prod_scalar_mul(rng):
    x, y, a = T.dmatrix(), T.dmatrix(), T.dscalar()
    f, g = both([x, y, a], [T.prod(a * x, axis=1), T.prod(x * a), T.prod(a * y, axis=0)])
    assert fired(f, "sum_scalar_mul") == 3
    same(f, g, rng.uniform(0.5, 1.5, (4, 5)), rng.uniform(0.5, 1.5, (3, 2)), 1.3, rtol=1e-13)
    same(f, g, rng.uniform(0.5, 1.5, (0, 3)), rng.uniform(0.5, 1.5, (0, 2)), 1.3, rtol=1e-13)  # empty: 1


def test_subtensor_lift(rng):
    x = T.dmatrix()
    f, g = both([x], T.exp(x)[1:3, 0])
    order = ops(f)
    assert order.index("Subtensor") < order.index("Elemwise{exp}"), order
    same(f, g, rng.standard_normal((4, 5)))


def test_inc_subtensor_of_zeros_becomes_set(rng):
    y = T.dvector()
    z = T.zeros((5,))
    f, g = both([y], T.inc_subtensor(z[1:4], y))
    assert fired(f, "inc_subtensor_of_zeros") == 1
    assert "{set}" in str(f.maker.fgraph.toposort()) or any("IncSubtensor" in o for o in ops(f))
    same(f, g, rng.standard_normal(3))
    # array indexing with repeats accumulates: not rewritten
    h = theon.function([y], T.inc_subtensor(z[np.array([1, 1, 2])], y), mode=UNFUSED)
    np.testing.assert_allclose(h(np.array([1.0, 2.0, 3.0])), [0, 3, 3, 0, 0])


SLICE_CHAINS = [
    lambda x: x[1:][2:], lambda x: x[1:8][2:4], lambda x: x[::2][1::3], lambda x: x[2:, 1:][1:, :3],
    lambda x: x[0][2:][1:], lambda x: x[1:][:, 2:5], lambda x: x[3:50][:2], lambda x: x[8:][5:],
    lambda x: x[2:9:2][1:7:2], lambda x: x[:][1:3], lambda x: x[1:3][:],
]


@pytest.mark.parametrize("k", range(len(SLICE_CHAINS)))
def test_subtensor_merge(k, rng):
    x = T.dmatrix("x")
    f, g = both([x], SLICE_CHAINS[k](x))
    assert len(ops(f)) == 1 and ops(f)[0].startswith("Subtensor"), ops(f)
    for shape in ((10, 20), (3, 7), (0, 4), (12, 1)):
        a = rng.standard_normal(shape)
        try:
            g(a)
        except IndexError:  # x[0] of an empty x: both raise
            with pytest.raises(IndexError):
                f(a)
            continue
        same(f, g, a)


def test_subtensor_merge_keeps_bounds_checks_and_symbolic_slices(rng):
    x, i = T.dmatrix("x"), T.lscalar("i")
    f, g = both([x], x[2:5][1])  # an integer into a slice: x[2:5][5] must still raise
    assert len(ops(f)) == 2
    same(f, g, rng.standard_normal((10, 3)))
    with pytest.raises(IndexError):
        f(rng.standard_normal((3, 3)))
    f2, g2 = both([x, i], x[i:][1:])  # a symbolic (maybe negative) start stays
    assert len(ops(f2)) == 2
    for iv in (-3, 0, 2):
        same(f2, g2, rng.standard_normal((6, 2)), iv)


def test_inc_subtensor_serialize(rng):
    """The gradient of several reads of w is a sum of increments of zeros;
    serialized, the increments apply one after the other to one buffer."""
    w, i, j = T.dmatrix("w"), T.lvector("i"), T.lvector("j")
    cost = w[i].sum() + (w[j] ** 2).sum() + w[3:5].sum()
    gw = T.grad(cost, w)
    f, g = both([w, i, j], gw)
    assert fired(f, "inc_subtensor_serialize") == 2
    names = ops(f)
    assert not any(n.startswith("Elemwise{add}") for n in names), names
    assert sum("IncSubtensor" in n for n in names) == 3
    W = rng.standard_normal((6, 3))
    same(f, g, W, np.array([0, 1, 1]), np.array([2, 2, 5]))
    full = theon.function([w, i, j], gw)  # with inplace: one buffer written three times
    np.testing.assert_allclose(full(W, np.array([0, 1, 1]), np.array([2, 2, 5])),
                               g(W, np.array([0, 1, 1]), np.array([2, 2, 5])), rtol=1e-15)
    assert sum("IncSubtensor{inplace}" in n for n in ops(full)) == 3


def test_inc_subtensor_serialize_needs_matching_types(rng):
    x, r, y = T.dmatrix("x"), T.drow("r"), T.dvector("y")
    z = T.zeros_like(r)
    out = x + T.inc_subtensor(z[0, 1:3], y[:2])  # the zeros broadcast in the add: not serializable
    f, g = both([x, r, y], out)
    assert fired(f, "inc_subtensor_serialize") == 0
    same(f, g, rng.standard_normal((4, 5)), rng.standard_normal((1, 5)), rng.standard_normal(3))


def test_dimshuffle_lift(rng):
    x, y = T.dmatrix("x"), T.dmatrix("y")
    f, g = both([x, y], T.exp(x + y).T)
    assert fired(f, "dimshuffle_lift") >= 1
    names = ops(f)
    assert names[-1].startswith("Elemwise{exp}"), names  # the transposes moved to the inputs
    assert sum(n.startswith("DimShuffle") for n in names) == 2, names
    same(f, g, rng.standard_normal((3, 4)), rng.standard_normal((3, 4)))
    h = theon.function([x, y], T.exp(x + y).T)  # then fused into one Composite over transposed views
    assert [n for n in ops(h) if not n.startswith("DimShuffle")] == ["Composite{add,exp}"], ops(h)
    np.testing.assert_allclose(h(np.ones((2, 3)), np.zeros((2, 3))), np.full((3, 2), np.e), rtol=1e-15)


def test_dimshuffle_lift_leaves_shared_values_and_scalars():
    x = T.dmatrix("x")
    e = T.exp(x)
    f = theon.function([x], [e.T, e], mode=UNFUSED)  # exp(x) is read twice: no lift
    assert fired(f, "dimshuffle_lift") == 0
    s = T.dscalar("s")
    g = theon.function([x, s], x * T.exp(s), mode=UNFUSED)  # a broadcast scalar stays a scalar op
    assert fired(g, "dimshuffle_lift") == 0


def test_logsumexp_through_keepdims_and_hand_shifted_forms():
    x = T.dmatrix("x")
    lse = T.log(T.exp(x).sum(axis=1, keepdims=True))
    f = theon.function([x], lse, mode=UNFUSED)
    assert fired(f, "logsumexp") == 1
    np.testing.assert_allclose(f(np.array([[1000.0, 0], [-1000, -1001]])),
                               [[1000.0], [-1000 + np.log1p(np.exp(-1))]], rtol=1e-15)
    assert ops(f) == ["LogSumExp{axis=1}", "DimShuffle{0,x}"]
    m = x.max(axis=1, keepdims=True)
    # the hand-shifted form is stable already; it becomes the one-pass op too
    shifted = T.log(T.exp(x - m).sum(axis=1, keepdims=True)) + m
    g = theon.function([x], shifted, mode=UNFUSED)
    assert fired(g, "logsumexp") == 1
    assert ops(g) == ["LogSumExp{axis=1}", "DimShuffle{0,x}"]
    xv = np.random.default_rng(0).standard_normal((5, 7)) * 50
    np.testing.assert_allclose(g(xv), theon.function([x], shifted, mode=NONE)(xv), rtol=1e-14)
    # the shifted sum alone (no "+ m") is not a logsumexp: left as written
    h = theon.function([x], T.log(T.exp(x - m).sum(axis=1, keepdims=True)), mode=UNFUSED)
    assert fired(h, "logsumexp") == 0 and sum(n.startswith("Max") for n in ops(h)) == 1
