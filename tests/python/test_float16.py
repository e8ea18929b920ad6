"""float16 as a storage dtype: values are stored in 16 bits, every op computes
in float32 and rounds its result once (NumPy's and Theano's semantics), on
both execution tiers; NumPy's promotion rules; shared variables, gradients,
the ops that move and order data."""
import numpy as np
import pytest

import theon
import theon.tensor as T
from theon import config

from test_elemwise import ELEMWISE_TABLE

H = "float16"
# One float16 ulp, relative (2**-10) and at the smallest normal (2**-14): a
# float32 result rounded to float16 may differ from float64's by one.
HALF_TOL = dict(rtol=2.0 ** -10, atol=2.0 ** -14)


def _rounded_reference(ref, values):
    """NumPy's float16 semantics: the op in higher precision, rounded once."""
    with np.errstate(all="ignore"):
        return np.asarray(ref(*[v.astype("float64") if v.dtype != bool else v for v in values])).astype(H)


def _f16_rows():
    for name, fn, ref, domains, dtypes, rule in ELEMWISE_TABLE:
        if "float32" in dtypes and rule in ("upcast", "float", "switch", "second", "real"):
            yield pytest.param(name, fn, ref, domains, id=name)


@pytest.mark.parametrize("name, fn, ref, domains", list(_f16_rows()))
def test_elemwise_on_float16_is_float32_rounded(name, fn, ref, domains, rng):
    dts = [H] * len(domains)
    if name == "switch":
        dts[0] = "bool"
    variables = [T.matrix("in%d" % i, dtype=d) for i, d in enumerate(dts)]
    values = [dom(rng, (5, 7), d) for dom, d in zip(domains, dts)]
    out = fn(*variables)
    assert out.dtype == H, "%s of float16 has dtype %s" % (name, out.dtype)
    got = theon.function(variables, out)(*values)
    assert got.dtype == np.float16
    np.testing.assert_allclose(got.astype("float64"), _rounded_reference(ref, values).astype("float64"),
                               equal_nan=True, **HALF_TOL)


def test_arithmetic_rounds_exactly_as_numpy(rng):
    """+ - * / and sqrt of float16 are exact in float32 before the one rounding:
    bit-for-bit NumPy's results, overflow to inf included."""
    a = (rng.standard_normal(2000) * 300).astype(H)
    b = (rng.standard_normal(2000) * 300).astype(H)
    b[b == 0] = 1
    a[:3] = [65504, 6e4, 1e-7]
    b[:3] = [65504, 6e4, 3e-5]
    x, y = T.vector(dtype=H), T.vector(dtype=H)
    f = theon.function([x, y], [x + y, x - y, x * y, x / y, T.sqrt(abs(x))])
    with np.errstate(all="ignore"):
        want = [a + b, a - b, a * b, a / b, np.sqrt(np.abs(a))]
    for g, w in zip(f(a, b), want):
        assert g.dtype == np.float16
        np.testing.assert_array_equal(g.view(np.uint16), w.view(np.uint16))


@pytest.mark.parametrize("other, want", [
    ("bool", H), ("int8", H), ("uint8", H), ("int16", "float32"), ("uint16", "float32"), ("int32", "float64"),
    ("int64", "float64"), ("float16", H), ("float32", "float32"), ("float64", "float64"),
    ("complex64", "complex64"), ("complex128", "complex128")])
def test_promotion_is_numpys(other, want):
    x, y = T.vector(dtype=H), T.vector(dtype=other)
    assert (x + y).dtype == want == str(np.result_type(np.float16, np.dtype(other)))
    vx, vy = np.array([1.5, -2], H), np.array([1, 0], other)
    np.testing.assert_allclose(theon.function([x, y], x + y)(vx, vy), vx + vy)


def test_unary_float_functions_of_small_ints_stay_float32():
    """Theano's upgrade_to_float sends int8 to float32, not float16."""
    assert T.exp(T.vector(dtype="int8")).dtype == "float32"
    assert T.exp(T.vector(dtype=H)).dtype == H


@pytest.mark.parametrize("src", ["bool", "int8", "uint8", "int32", "int64", "uint64", "float32", "float64"])
def test_casts_to_and_from_float16(src, rng):
    v = (rng.standard_normal(64) * 4000).astype("float64")
    v[:4] = [7e4, -7e4, 0.1, 2049]  # overflow, inexact, ties
    with np.errstate(all="ignore"):
        a = v.astype(src) if src != "bool" else v > 0
    x = T.vector(dtype=src)
    to = theon.function([x], T.cast(x, H))(a)
    with np.errstate(all="ignore"):
        want = a.astype(H)
    np.testing.assert_array_equal(to.view(np.uint16), want.view(np.uint16))
    # back: float16 -> src, NaN and inf as NumPy gives them for the floats
    h = want[np.isfinite(want)]
    y = T.vector(dtype=H)
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(theon.function([y], T.cast(y, src))(h), h.astype(src))


def test_double_to_half_rounds_once():
    """A float64 that lies just above a float16 tie rounds up; via float32 it would tie to even."""
    v = np.array([1 + 2.0 ** -11 + 2.0 ** -40, 2.0 ** -25, 2.0 ** -25 * 1.0000001, 65519.99, 65520.0], "float64")
    x = T.vector()
    got = theon.function([x], T.cast(x, H))(v)
    with np.errstate(over="ignore"):
        np.testing.assert_array_equal(got.view(np.uint16), v.astype(H).view(np.uint16))


def test_reductions_accumulate_in_float32(rng):
    a = rng.uniform(0, 2, (300, 40)).astype(H)
    x = T.matrix(dtype=H)
    outs = [T.sum(x), T.sum(x, axis=0), T.prod(x[:5, :5], axis=1), T.max(x, axis=1), T.min(x), T.mean(x),
            T.mean(x, axis=1), T.argmax(x, axis=0)]
    got = theon.function([x], outs)(a)
    a32 = a.astype("float32")
    want = [a32.sum(), a32.sum(0), a32[:5, :5].prod(1), a.max(1), a.min(), a32.mean(), a32.mean(1), a.argmax(0)]
    for g, w, o in zip(got, want, outs):
        assert str(g.dtype) == o.dtype
        if o.dtype == H:
            np.testing.assert_allclose(g.astype("float64"), w.astype(H).astype("float64"), **HALF_TOL)
        else:
            np.testing.assert_array_equal(g, w)
    assert outs[0].dtype == H and outs[5].dtype == H
    # 12000 values near 2 sum to ~24000: exact enough in float32, where a float16
    # accumulator would stall at 2048 + ...
    big = np.full(12000, 2, H)
    v = T.vector(dtype=H)
    assert float(theon.function([v], T.sum(v))(big)) == 24000
    assert float(theon.function([v], T.mean(v))(big)) == 2


def test_ordering_and_data_movement(rng):
    a = rng.standard_normal((6, 9)).astype(H)
    a[0, 0] = np.nan
    x = T.matrix(dtype=H)
    outs = [T.sort(x, axis=1), T.argsort(x, axis=0), T.topk(x, 3), T.argtopk(x, -2), T.cumsum(x, axis=1),
            T.cumprod(x[1:3], axis=0), x.T[::2, 1:], T.concatenate([x, x[:2]]), T.stack([x[0], x[1]]),
            T.set_subtensor(x[1:3, 2], 7.5), T.inc_subtensor(x[[0, 0, 2]], x[1]), x.reshape((3, 18)),
            T.dot(x, x.T), T.dot(x[0], x[1])]
    f = theon.function([x], outs)
    got = f(a)
    a32 = a.astype("float32")
    inc = a.copy()
    np.add.at(inc, [0, 0, 2], a[1])
    sset = a.copy()
    sset[1:3, 2] = 7.5
    want = [np.sort(a, 1), np.argsort(a, 0, kind="stable"), np.sort(a, 1)[:, ::-1][:, :3], np.argsort(a, 1, kind="stable")[:, :2],
            np.cumsum(a, 1), np.cumprod(a[1:3], 0), a.T[::2, 1:], np.concatenate([a, a[:2]]), np.stack([a[0], a[1]]),
            sset, inc, a.reshape(3, 18), (a32 @ a32.T).astype(H), np.float16(a32[0] @ a32[1])]
    for i, (g, w) in enumerate(zip(got, want)):
        assert g.dtype == w.dtype, (i, g.dtype, w.dtype)
        np.testing.assert_allclose(g.astype("float64"), w.astype("float64"), equal_nan=True, err_msg=str(i),
                                   **HALF_TOL)


def test_shared_variable_keeps_float16_and_updates_in_place(rng):
    w0 = rng.standard_normal((4, 3)).astype(H)
    w = theon.shared(w0, name="w")
    assert w.dtype == H and w.get_value().dtype == np.float16
    x = T.matrix(dtype=H)
    cost = T.sum(T.dot(x, w) ** 2)
    g = T.grad(cost, w)
    assert g.dtype == H
    step = theon.function([x], cost, updates=[(w, w - np.float16(0.01) * g)])
    xv = rng.standard_normal((5, 4)).astype(H)
    c = step(xv)
    assert c.dtype == np.float16
    x32, w32 = xv.astype("float32"), w0.astype("float32")
    want_w = w32 - 0.01 * (2 * x32.T @ (x32 @ w32))
    np.testing.assert_allclose(w.get_value().astype("float64"), want_w, rtol=1e-2, atol=1e-2)
    assert w.get_value().dtype == np.float16


def test_gradient_matches_numeric(rng):
    """The gradient of a float16 cost, against a float64 numeric gradient of the same cost."""
    x = T.vector(dtype=H)
    cost = T.sum(T.tanh(x) * T.exp(x / 4) + x ** 2)
    g = theon.function([x], T.grad(cost, x))
    v = rng.uniform(-1, 1, 16).astype(H)
    v64 = v.astype("float64")
    want = (1 - np.tanh(v64) ** 2) * np.exp(v64 / 4) + np.tanh(v64) * np.exp(v64 / 4) / 4 + 2 * v64
    got = g(v)
    assert got.dtype == np.float16
    np.testing.assert_allclose(got.astype("float64"), want, rtol=5e-3, atol=5e-3)


@pytest.mark.parametrize("mode", ["FAST_RUN", "FAST_COMPILE", "native"])
def test_every_tier_rounds_each_op(mode):
    """Chains are not fused in float16 (fusing would skip the rounding of the
    intermediate results): every tier gives NumPy's op-by-op results."""
    x = T.vector(dtype=H)
    expr = T.exp(x) * 3 + x * x - T.tanh(x)
    kwargs = {"mode": mode} if mode != "native" else {}
    f = theon.function([x], expr, **kwargs)
    v = np.linspace(-4, 4, 301).astype(H)
    v32 = v.astype("float32")
    want = (np.exp(v32).astype(H).astype("float32") * 3).astype(H).astype("float32") + (v32 * v32).astype(H)
    want = (want.astype(H).astype("float32") - np.tanh(v32).astype(H)).astype(H)
    np.testing.assert_allclose(f(v).astype("float64"), want.astype("float64"), **HALF_TOL)
    kinds = {type(n.op).__name__ for n in f.maker.fgraph.toposort()}
    assert not any("Composite" in k or "Fused" in k for k in kinds), kinds


def test_mixed_graph_fuses_the_float32_part(rng):
    """A float16 input read by a float32 chain joins the chain as a converted load."""
    h, y = T.vector(dtype=H), T.vector(dtype="float32")
    expr = T.exp(y) * h + T.tanh(y) - h
    f = theon.function([h, y], expr)
    hv, yv = rng.standard_normal(100).astype(H), rng.standard_normal(100).astype("float32")
    np.testing.assert_allclose(f(hv, yv), np.exp(yv) * hv + np.tanh(yv) - hv, rtol=2e-6, atol=1e-6)


def test_floatx_float16_types_constructors_and_python_floats():
    with config.change_flags(floatX=H):
        assert T.matrix().dtype == H
        assert T.constant(0.1).dtype == H
        x = T.vector()
        assert (x * 0.5).dtype == H
    with theon.tensor.basic.autocast_float_as("float16", "float32"):
        assert T.constant(0.5).dtype == "float32"  # float16 only when floatX is


def test_float16_values_in_and_out():
    x = T.vector(dtype=H)
    f = theon.function([x], x * 2)
    assert f([1.5, 2.5]).dtype == np.float16  # lists convert to the input's dtype
    with pytest.raises(TypeError, match="float16|downcast|lose"):
        f(np.array([1.25], "float64"))
    np.testing.assert_array_equal(f(np.array([1.25], H)), [2.5])


def test_softmax_family_and_statistics(rng):
    """Row kernels (softmax, log-softmax, logsumexp) and var/std load float16 as float32."""
    a = (rng.standard_normal((6, 50)) * 3).astype(H)
    x = T.matrix(dtype=H)
    outs = [T.nnet.softmax(x), T.log(T.nnet.softmax(x)), T.logsumexp(x, axis=1), T.var(x, axis=0), T.std(x)]
    got = theon.function([x], outs)(a)
    a64 = a.astype("float64")
    lse = np.log(np.exp(a64 - a64.max(1, keepdims=True)).sum(1)) + a64.max(1)
    want = [np.exp(a64 - lse[:, None]), a64 - lse[:, None], lse, a64.var(0), a64.std()]
    for g, w, o in zip(got, want, outs):
        assert o.dtype == H and g.dtype == np.float16
        np.testing.assert_allclose(g.astype("float64"), w, rtol=2e-3, atol=2e-3)
