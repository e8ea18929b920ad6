"""Convolutions (theano.tensor.nnet.conv2d/conv3d and the abstract conv
ops): values against SciPy and a NumPy reference over border modes,
strides, dilations, groups and filter flipping, in float32 and float64;
gradients against numeric ones (to second order); shapes without running
the op; Theano's op classes; errors."""
import itertools

import numpy as np
import pytest
from conftest import numeric_grad
from scipy import signal

import theon
import theon.tensor as T
from theon.tensor.nnet import abstract_conv as AC

RNG = np.random.RandomState(7)


def reference(x, w, pad, stride=None, dilation=None, groups=1, flip=True):
    """NumPy: the cross-correlation of x with (flipped) w, zero padded."""
    nd = x.ndim - 2
    stride = stride or (1,) * nd
    dilation = dilation or (1,) * nd
    if flip:
        w = w[(slice(None), slice(None)) + (slice(None, None, -1),) * nd]
    x = np.pad(x, [(0, 0), (0, 0)] + [(p, p) for p in pad])
    N, C = x.shape[:2]
    O, Cg = w.shape[:2]
    k = w.shape[2:]
    out_sp = [(x.shape[2 + d] - ((k[d] - 1) * dilation[d] + 1)) // stride[d] + 1 for d in range(nd)]
    y = np.zeros((N, O) + tuple(out_sp))
    og = O // groups
    for pos in itertools.product(*[range(s) for s in out_sp]):
        sl = tuple(slice(pos[d] * stride[d], pos[d] * stride[d] + (k[d] - 1) * dilation[d] + 1, dilation[d])
                   for d in range(nd))
        for g in range(groups):
            patch = x[(slice(None), slice(g * Cg, (g + 1) * Cg)) + sl]  # (N, Cg, *k)
            filt = w[g * og:(g + 1) * og]  # (og, Cg, *k)
            y[(slice(None), slice(g * og, (g + 1) * og)) + pos] = np.tensordot(
                patch, filt, axes=(list(range(1, nd + 2)), list(range(1, nd + 2))))
    return y


def pads_of(mode, k, dilation):
    dk = [(kk - 1) * d + 1 for kk, d in zip(k, dilation)]
    if mode == "valid":
        return [0] * len(k)
    if mode == "full":
        return [d - 1 for d in dk]
    if mode == "half":
        return [d // 2 for d in dk]
    return list(mode) if isinstance(mode, tuple) else [mode] * len(k)


@pytest.mark.parametrize("mode", ["valid", "full"])
@pytest.mark.parametrize("flip", [True, False])
def test_matches_scipy(mode, flip):
    x, w = T.dtensor4("x"), T.dtensor4("w")
    xv, wv = RNG.randn(2, 3, 7, 6), RNG.randn(4, 3, 3, 2)
    got = theon.function([x, w], T.nnet.conv2d(x, w, border_mode=mode, filter_flip=flip))(xv, wv)
    want = np.zeros_like(got)
    for n, o, c in itertools.product(range(2), range(4), range(3)):
        k = wv[o, c] if flip else wv[o, c, ::-1, ::-1]
        want[n, o] += signal.convolve2d(xv[n, c], k, mode=mode)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)


CASES = [  # border_mode, subsample, filter_dilation, num_groups, filter_flip
    ("valid", (1, 1), (1, 1), 1, True),
    ("half", (2, 1), (1, 2), 1, True),
    ("full", (1, 2), (2, 1), 1, False),
    ((1, 2), (2, 2), (1, 1), 2, True),
    (1, (1, 1), (2, 2), 3, False),
]


@pytest.mark.parametrize("mode,stride,dil,groups,flip", CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_values_against_numpy(mode, stride, dil, groups, flip, dtype):
    x, w = T.tensor4("x", dtype=dtype), T.tensor4("w", dtype=dtype)
    xv = RNG.randn(2, 6, 9, 8).astype(dtype)
    wv = RNG.randn(6, 6 // groups, 3, 2).astype(dtype)
    y = T.nnet.conv2d(x, w, border_mode=mode, subsample=stride, filter_dilation=dil, num_groups=groups,
                      filter_flip=flip)
    assert y.dtype == dtype
    got = theon.function([x, w], y)(xv, wv)
    want = reference(xv.astype("float64"), wv.astype("float64"), pads_of(mode, (3, 2), dil), stride, dil, groups, flip)
    np.testing.assert_allclose(got, want, rtol=1e-4 if dtype == "float32" else 1e-10, atol=1e-4 if dtype ==
                               "float32" else 1e-10)
    assert got.shape == AC.get_conv_output_shape(xv.shape, wv.shape, mode, stride, dil)


@pytest.mark.parametrize("mode,stride,dil,groups,flip", CASES)
def test_gradients_against_numeric(mode, stride, dil, groups, flip):
    x, w = T.dtensor4("x"), T.dtensor4("w")
    xv, wv = RNG.randn(2, 2 * groups, 6, 5), RNG.randn(2 * groups, 2, 3, 2)
    y = T.nnet.conv2d(x, w, border_mode=mode, subsample=stride, filter_dilation=dil, num_groups=groups,
                      filter_flip=flip)
    cost = (y ** 2).sum() + y.sum()
    f = theon.function([x, w], T.grad(cost, [x, w]))
    c = theon.function([x, w], cost)
    gx, gw = f(xv, wv)
    np.testing.assert_allclose(gx, numeric_grad(c, [xv, wv])[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(gw, numeric_grad(c, [xv, wv])[1], rtol=1e-5, atol=1e-6)


def test_second_order_and_the_gradient_ops_directly():
    x, w = T.dtensor4("x"), T.dtensor4("w")
    xv, wv = RNG.randn(2, 2, 5, 5), RNG.randn(3, 2, 2, 3)
    y = T.nnet.conv2d(x, w, border_mode="full", subsample=(2, 1))
    gx, gw = T.grad((y ** 2).sum(), [x, w])
    kinds = [n.owner.op.kind for n in (gx, gw)]
    assert kinds == ["ConvGradInputs", "ConvGradWeights"]
    assert isinstance(gx.owner.op, AC.AbstractConv2d_gradInputs)
    assert isinstance(gw.owner.op, AC.AbstractConv2d_gradWeights)
    assert isinstance(y.owner.op, AC.AbstractConv2d) and not isinstance(y.owner.op, AC.AbstractConv3d)
    # grad of grad (a Hessian-vector product through both gradient ops)
    s = (gx ** 2).sum() + (gw ** 3).sum()
    h = theon.function([x, w], T.grad(s, [x, w]))
    sf = theon.function([x, w], s)
    hx, hw = h(xv, wv)
    np.testing.assert_allclose(hx, numeric_grad(sf, [xv, wv])[0], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(hw, numeric_grad(sf, [xv, wv])[1], rtol=1e-5, atol=1e-5)
    # the functions of Theano's API give the same as grad
    gy = T.dtensor4("gy")
    di = AC.conv2d_grad_wrt_inputs(gy, w, (2, 2, 5, 5), border_mode="full", subsample=(2, 1))
    dw = AC.conv2d_grad_wrt_weights(x, gy, (3, 2, 2, 3), border_mode="full", subsample=(2, 1))
    gyv = RNG.randn(2, 3, 3, 7)
    via_grad = theon.function([x, w, gy], T.grad(None, [x, w], known_grads={y: gy}))(xv, wv, gyv)
    direct = theon.function([x, w, gy], [di, dw])(xv, wv, gyv)
    for a, b in zip(via_grad, direct):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    # conv2d_transpose is the input gradient
    t = AC.conv2d_transpose(gy, w, (2, 2, 5, 5), border_mode="full", input_dilation=(2, 1))
    np.testing.assert_allclose(theon.function([w, gy], t)(wv, gyv), direct[0], rtol=1e-12)


def test_conv3d_values_and_gradients():
    x, w = T.dtensor5("x"), T.dtensor5("w")
    xv, wv = RNG.randn(2, 2, 4, 5, 3), RNG.randn(3, 2, 2, 3, 2)
    y = T.nnet.conv3d(x, w, border_mode=(1, 0, 1), subsample=(1, 2, 1), filter_dilation=(2, 1, 1))
    got = theon.function([x, w], y)(xv, wv)
    np.testing.assert_allclose(got, reference(xv, wv, [1, 0, 1], (1, 2, 1), (2, 1, 1)), rtol=1e-10)
    cost = (y ** 2).sum()
    gx, gw = theon.function([x, w], T.grad(cost, [x, w]))(xv, wv)
    c = theon.function([x, w], cost)
    np.testing.assert_allclose(gw, numeric_grad(c, [xv, wv])[1], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(gx, numeric_grad(c, [xv, wv])[0], rtol=1e-5, atol=1e-6)
    assert isinstance(y.owner.op, AC.AbstractConv3d)


def test_shapes_without_running_the_convolution():
    x, w = T.dtensor4("x"), T.dtensor4("w")
    for mode in ("valid", "full", "half", (2, 1)):
        y = T.nnet.conv2d(x, w, border_mode=mode, subsample=(2, 3), filter_dilation=(1, 2))
        f = theon.function([x, w], y.shape)
        assert not [n for n in f.maker.fgraph.toposort() if n.op.kind == "Conv"], mode
        xv, wv = np.ones((2, 3, 11, 10)), np.ones((4, 3, 3, 2))
        np.testing.assert_array_equal(f(xv, wv), theon.function([x, w], y)(xv, wv).shape)
    # static shapes when the inputs' are known
    xs = T.TensorType("float64", (False,) * 4)("xs")
    y = T.nnet.conv2d(T.specify_shape(xs, (2, 3, 11, 10)), T.specify_shape(w, (4, 3, 3, 3)), border_mode="half")
    assert tuple(y.type.shape) == (2, 4, 11, 10)


def test_float16_computes_in_float32():
    x, w = T.tensor4("x", dtype="float16"), T.tensor4("w", dtype="float16")
    y = T.nnet.conv2d(x, w)
    assert y.dtype == "float16"
    xv, wv = RNG.randn(1, 2, 5, 5).astype("float16"), RNG.randn(2, 2, 3, 3).astype("float16")
    want = reference(xv.astype("float64"), wv.astype("float64"), [0, 0]).astype("float16")
    np.testing.assert_allclose(theon.function([x, w], y)(xv, wv), want, rtol=2e-2, atol=2e-2)


def test_theano_op_classes_build_graphs():
    x, w = T.dtensor4("x"), T.dtensor4("w")
    op = AC.AbstractConv2d(border_mode="half", subsample=(1, 1), filter_flip=False)
    assert op.border_mode == "half" and op.filter_flip is False
    xv, wv = RNG.randn(1, 2, 5, 5), RNG.randn(3, 2, 3, 3)
    np.testing.assert_allclose(theon.function([x, w], op(x, w))(xv, wv),
                               reference(xv, wv, [1, 1], flip=False), rtol=1e-10)
    y = op(x, w)
    assert y.owner.op.conv == {"nd": 2, "border_mode": "half", "subsample": (1, 1), "filter_dilation": (1, 1),
                               "num_groups": 1, "filter_flip": False}


def test_errors_are_clear():
    x, w = T.dtensor4("x"), T.dtensor4("w")
    with pytest.raises(ValueError, match="border_mode"):
        T.nnet.conv2d(x, w, border_mode="sideways")
    with pytest.raises(ValueError, match="subsample"):
        T.nnet.conv2d(x, w, subsample=(0, 1))
    with pytest.raises(ValueError, match="num_groups"):
        T.nnet.conv2d(x, w, num_groups=0)
    with pytest.raises(TypeError, match="4-d inputs"):
        T.nnet.conv2d(T.dmatrix("m"), w)
    with pytest.raises(TypeError, match="float32 or float64"):
        T.nnet.conv2d(T.itensor4("i"), T.itensor4("j"))
    # hints contradicting the data: at build time when shapes are static ...
    with pytest.raises(ValueError, match="contradicts"):
        T.nnet.conv2d(T.specify_shape(x, (1, 2, 5, 5)), w, input_shape=(1, 3, 5, 5))
    # ... at run time otherwise
    f = theon.function([x, w], T.nnet.conv2d(x, w, input_shape=(1, 2, 5, 5)))
    with pytest.raises(AssertionError, match="input shape hint"):
        f(np.ones((1, 2, 6, 5)), np.ones((3, 2, 3, 3)))
    g = theon.function([x, w], T.nnet.conv2d(x, w, num_groups=2))
    with pytest.raises(ValueError, match="channels"):
        g(np.ones((1, 3, 5, 5)), np.ones((4, 2, 3, 3)))
    h = theon.function([x, w], T.nnet.conv2d(x, w))
    with pytest.raises(ValueError, match="larger than the padded input"):
        h(np.ones((1, 2, 2, 5)), np.ones((3, 2, 3, 3)))
    with pytest.raises(ValueError, match="channels"):
        h(np.ones((1, 2, 5, 5)), np.ones((3, 4, 3, 3)))
    with pytest.raises(TypeError, match="6-d filters"):  # unshared filters have a filter per output position
        T.nnet.conv2d(x, w, unshared=True)
    # sizes that would overflow: rejected when built, or when the columns would not fit
    with pytest.raises(ValueError, match="at most"):
        T.nnet.conv2d(x, w, border_mode=(2 ** 40, 0))
    with pytest.raises(ValueError, match="at most"):
        T.nnet.conv2d(x, w, subsample=(2 ** 62, 1))
    big = theon.function([x, w], T.nnet.conv2d(x, w, border_mode=(2 ** 31, 2 ** 31)))
    with pytest.raises(ValueError, match="too large"):
        big(np.ones((1, 2, 5, 5)), np.ones((3, 2, 3, 3)))


def test_legacy_conv2d_corr_classes_and_bilinear_upsampling():
    from theon.tensor.nnet import conv, corr, corr3d
    x, w = T.dtensor4("x"), T.dtensor4("w")
    xv, wv = RNG.randn(2, 3, 6, 5), RNG.randn(4, 3, 2, 3)
    legacy = theon.function([x, w], conv.conv2d(x, w, image_shape=(2, 3, 6, 5), border_mode="full"))(xv, wv)
    np.testing.assert_allclose(legacy, reference(xv, wv, [1, 2]), rtol=1e-10)
    with pytest.raises(ValueError, match="valid"):
        conv.conv2d(x, w, border_mode="half")
    # Theano's CorrMM classes: cross-correlations, matching theon's conv ops
    y = corr.CorrMM(border_mode=(1, 1), subsample=(2, 1))(x, w)
    assert isinstance(y.owner.op, corr.CorrMM) and not isinstance(y.owner.op, corr3d.Corr3dMM)
    np.testing.assert_allclose(theon.function([x, w], y)(xv, wv), reference(xv, wv, [1, 1], (2, 1), flip=False),
                               rtol=1e-10)
    gw = T.grad(y.sum(), w)
    assert isinstance(gw.owner.op, corr.CorrMM_gradWeights)
    # bilinear upsampling of a linear ramp: exact, the border repeated
    ramp = (np.arange(4)[:, None] * 3.0 + np.arange(5)[None, :]).reshape(1, 1, 4, 5)
    for ratio in (2, 3):
        a, b = theon.function([x], [AC.bilinear_upsampling(x, ratio),
                                    AC.bilinear_upsampling(x, ratio, use_1D_kernel=False)])(ramp)
        assert a.shape == (1, 1, 4 * ratio, 5 * ratio)
        np.testing.assert_allclose(a, b, rtol=1e-12)
        # output pixel p samples the input at (p - (ratio - 1) // 2) / ratio, clipped to the image
        r, c = np.meshgrid(np.arange(4 * ratio), np.arange(5 * ratio), indexing="ij")
        at = [np.clip((p - (ratio - 1) // 2) / ratio, 0, n - 1) for p, n in ((r, 4), (c, 5))]
        np.testing.assert_allclose(a[0, 0], 3.0 * at[0] + at[1], rtol=1e-12, atol=1e-12)
    k = theon.function([], AC.bilinear_kernel_1D(3, normalize=False))()
    np.testing.assert_allclose(k, [1, 2, 3, 2, 1])
    with pytest.raises(ValueError, match="use_1D_kernel"):  # fractional ratios use the 2-d kernel
        AC.bilinear_upsampling(x, frac_ratio=(3, 2))


def test_padding_the_two_sides_of_an_axis_differently():
    x, w = T.dtensor4("x"), T.dtensor4("w")
    xv, wv = RNG.randn(2, 2, 6, 5), RNG.randn(3, 2, 3, 2)
    mode = ((1, 2), (2, 0))
    y = T.nnet.conv2d(x, w, border_mode=mode, subsample=(2, 1), filter_flip=False)
    assert y.owner.op.conv["border_mode"] == mode
    got = theon.function([x, w], y)(xv, wv)
    want = reference(np.pad(xv, [(0, 0), (0, 0), (1, 2), (2, 0)]), wv, [0, 0], (2, 1), flip=False)
    np.testing.assert_allclose(got, want, rtol=1e-10)
    assert got.shape == AC.get_conv_output_shape(xv.shape, wv.shape, mode, (2, 1))
    f = theon.function([x, w], y.shape)
    np.testing.assert_array_equal(f(xv, wv), got.shape)
    cost = (y ** 2).sum()
    gx, gw = theon.function([x, w], T.grad(cost, [x, w]))(xv, wv)
    c = theon.function([x, w], cost)
    np.testing.assert_allclose(gx, numeric_grad(c, [xv, wv])[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(gw, numeric_grad(c, [xv, wv])[1], rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="pair"):
        T.nnet.conv2d(x, w, border_mode=((1, 2, 3), 0))


@pytest.mark.parametrize("xd,wd", [(2, 2), (3, 2), (2, 3), (3, 3)])
@pytest.mark.parametrize("mode", ["valid", "full"])
def test_signal_conv2d_of_plain_images_against_scipy(xd, wd, mode):
    from theon.tensor.signal import conv as sconv
    x = T.TensorType("float64", (False,) * xd)("x")
    w = T.TensorType("float64", (False,) * wd)("w")
    y = sconv.conv2d(x, w, border_mode=mode)
    assert y.ndim == 2 + (xd == 3) + (wd == 3)
    xv = RNG.rand(*(((4,) if xd == 3 else ()) + (7, 6)))
    wv = RNG.rand(*(((3,) if wd == 3 else ()) + (3, 2)))
    got = theon.function([x, w], y)(xv, wv)
    want = np.array([[signal.convolve2d(a, b, mode=mode) for b in wv.reshape(-1, 3, 2)] for a in xv.reshape(-1, 7, 6)])
    np.testing.assert_allclose(got, want.reshape(got.shape), rtol=1e-12, atol=1e-12)
    gx = theon.function([x, w], T.grad((y ** 2).sum(), x))(xv, wv)
    np.testing.assert_allclose(gx, numeric_grad(theon.function([x, w], (y ** 2).sum()), [xv, wv])[0], rtol=1e-5)
    with pytest.raises(TypeError):
        sconv.conv2d(T.dvector(), w)


@pytest.mark.parametrize("mode", ["valid", "full", "half", ("full", "valid", "half")])
def test_conv3d2d_is_a_true_3d_convolution_in_its_layout(mode):
    from theon.tensor.nnet.conv3d2d import conv3d, get_diagonal_subtensor_view
    s = T.TensorType("float64", (False,) * 5)("s")
    f = T.TensorType("float64", (False,) * 5)("f")
    sv, fv = RNG.rand(2, 5, 3, 6, 7), RNG.rand(4, 3, 3, 2, 3)
    y = conv3d(s, f, filters_shape=fv.shape, border_mode=mode)
    got = theon.function([s, f], y)(sv, fv)
    # (batch, time, channels, rows, cols) is conv3d's (batch, channels, time, rows, cols) with two axes swapped.
    modes = (mode,) * 3 if isinstance(mode, str) else mode
    pads = [pads_of(m, (k,), (1,))[0] for m, k in zip(modes, fv.shape[1::2][:1] + fv.shape[3:])]
    x5, w5 = sv.transpose(0, 2, 1, 3, 4), fv.transpose(0, 2, 1, 3, 4)
    want = reference(np.pad(x5, [(0, 0), (0, 0)] + [(p, p) for p in pads]), w5, [0, 0, 0])
    np.testing.assert_allclose(got, want.transpose(0, 2, 1, 3, 4), rtol=1e-10)
    a = np.arange(20).reshape(5, 4)
    np.testing.assert_array_equal(get_diagonal_subtensor_view(a, 0, 1), [[12, 9, 6, 3], [16, 13, 10, 7]])


def test_fractional_bilinear_upsampling():
    up = AC.bilinear_upsampling
    x = T.dtensor4("x")
    xv = RNG.rand(2, 3, 4, 5)
    for r in (2, 3):  # r / 1 is the integer ratio
        a, b = theon.function([x], [up(x, ratio=r, use_1D_kernel=False),
                                    up(x, frac_ratio=(2 * r, 2), use_1D_kernel=False)])(xv)
        np.testing.assert_allclose(a, b, rtol=1e-12)
    y = up(x, frac_ratio=((7, 4), (5, 3)), use_1D_kernel=False)
    got = theon.function([x], y)(xv)
    assert got.shape == (2, 3, 7, 9)  # ceil(n p / q): ceil(4 * 7 / 4) rows, ceil(5 * 5 / 3) cols
    # Constant images stay constant; each value is a convex combination of the image's.
    np.testing.assert_allclose(theon.function([x], y)(np.full((1, 1, 4, 5), 2.5)), 2.5, rtol=1e-12)
    assert got.min() >= xv.min() - 1e-12 and got.max() <= xv.max() + 1e-12
    shape = theon.function([x], up(x, frac_ratio=(24, 20), use_1D_kernel=False).shape)(np.zeros((1, 1, 20, 10)))
    np.testing.assert_array_equal(shape, [1, 1, 24, 12])
    # Theano 1.0.5's values for this case (its test_fractional_bilinear_upsampling), and a large image in little time.
    img = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    want = [[1, 1.2, 1.8, 2], [1.28571429, 1.48571429, 2.08571429, 2.28571429],
            [2.42857143, 2.62857143, 3.22857143, 3.42857143], [3, 3.2, 3.8, 4]]
    np.testing.assert_allclose(theon.function([x], y)(img)[0, 0], want, rtol=1e-8)
    big = theon.function([x], up(x, frac_ratio=(6, 5), use_1D_kernel=False))(RNG.rand(1, 1, 200, 200))
    assert big.shape == (1, 1, 240, 240)
    cost = (y * y).sum()
    np.testing.assert_allclose(theon.function([x], T.grad(cost, x))(xv),
                               numeric_grad(theon.function([x], cost), [xv])[0], rtol=1e-6)
    with pytest.raises(ValueError, match="use_1D_kernel"):
        up(x, frac_ratio=(3, 2))
    with pytest.raises(ValueError, match="frac_ratio"):
        up(x, frac_ratio=[3, 2], use_1D_kernel=False)


def unshared_reference(x, w, pad, stride, groups, flip):
    """NumPy: every output position (i, j) convolved with its own filter w[:, i, j]."""
    if flip:
        w = w[..., ::-1, ::-1]
    x = np.pad(x, [(0, 0), (0, 0), (pad[0], pad[0]), (pad[1], pad[1])])
    n, c = x.shape[:2]
    o, r, s, cg, kh, kw = w.shape
    og = o // groups
    y = np.zeros((n, o, r, s))
    for i in range(r):
        for j in range(s):
            patch = x[:, :, i * stride[0]:i * stride[0] + kh, j * stride[1]:j * stride[1] + kw]
            for g in range(groups):
                y[:, g * og:(g + 1) * og, i, j] = np.tensordot(
                    patch[:, g * cg:(g + 1) * cg], w[g * og:(g + 1) * og, i, j], axes=([1, 2, 3], [1, 2, 3]))
    return y


UNSHARED = [  # image, filters (O, rows, cols, C / groups, kh, kw), border_mode, subsample, groups, flip
    ((2, 2, 4, 4), (2, 2, 2, 2, 3, 3), "valid", (1, 1), 1, True),
    ((3, 2, 4, 2), (2, 4, 2, 2, 4, 2), "full", (2, 2), 1, False),
    ((3, 3, 5, 3), (3, 2, 1, 1, 3, 3), "valid", (2, 1), 3, True),
    ((3, 4, 4, 4), (4, 3, 3, 2, 4, 2), "full", (3, 2), 2, True),
    ((2, 2, 5, 5), (3, 5, 5, 2, 3, 3), "half", (1, 1), 1, True),
]


@pytest.mark.parametrize("imshp,kshp,mode,sub,groups,flip", UNSHARED)
def test_unshared_convolution_values_gradients_and_op_classes(imshp, kshp, mode, sub, groups, flip):
    x = T.dtensor4("x")
    w = T.TensorType("float64", (False,) * 6)("w")
    xv, wv = RNG.rand(*imshp), RNG.rand(*kshp)
    y = T.nnet.conv2d(x, w, border_mode=mode, subsample=sub, num_groups=groups, filter_flip=flip, unshared=True)
    got = theon.function([x, w], y)(xv, wv)
    np.testing.assert_allclose(got, unshared_reference(xv, wv, pads_of(mode, kshp[4:], (1, 1)), sub, groups, flip),
                               rtol=1e-12)
    cost = (y * y).sum()
    gx, gw = theon.function([x, w], T.grad(cost, [x, w]))(xv, wv)
    nx, nw = numeric_grad(theon.function([x, w], cost), [xv, wv])
    np.testing.assert_allclose(gx, nx, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(gw, nw, rtol=1e-5, atol=1e-7)
    # The gradient ops as Theano's op classes build them, and second order through them.
    gy = T.dtensor4("gy")
    gyv = RNG.rand(*got.shape)
    gwop = AC.AbstractConv2d_gradWeights(border_mode=mode, subsample=sub, num_groups=groups, filter_flip=flip,
                                         unshared=True)(x, gy, kshp[-2:])
    giop = AC.AbstractConv2d_gradInputs(border_mode=mode, subsample=sub, num_groups=groups, filter_flip=flip,
                                        unshared=True)(w, gy, imshp[-2:])
    want_w, want_x = theon.function([x, w, gy], T.grad(None, [w, x], known_grads={y: gy}))(xv, wv, gyv)
    got_w, got_x = theon.function([x, w, gy], [gwop, giop])(xv, wv, gyv)
    np.testing.assert_allclose(got_w, want_w, rtol=1e-12)
    np.testing.assert_allclose(got_x, want_x, rtol=1e-12)
    assert "unshared=True" in str(y.owner.op)


def test_unshared_filters_that_do_not_match_the_output_are_errors():
    x = T.dtensor4("x")
    w = T.TensorType("float64", (False,) * 6)("w")
    f = theon.function([x, w], T.nnet.conv2d(x, w, unshared=True))
    with pytest.raises(ValueError, match="positions"):
        f(np.ones((1, 2, 4, 4)), np.ones((2, 3, 3, 2, 3, 3)))  # the output is 2 x 2
    with pytest.raises(TypeError, match="6-d filters"):
        T.nnet.conv2d(x, T.dtensor4("w4"), unshared=True)
    with pytest.raises(ValueError, match="positions"):  # static shapes: when the graph is built
        T.nnet.conv2d(T.constant(np.ones((1, 2, 4, 4))), T.constant(np.ones((2, 3, 3, 2, 3, 3))), unshared=True)


def test_conv3d2d_and_signal_conv_reject_what_they_cannot_do():
    from theon.tensor.nnet.conv3d2d import conv3d
    t5 = T.TensorType("float64", (False,) * 5)
    with pytest.raises(TypeError, match="must be 5-d"):
        conv3d(T.dtensor4("s"), t5("f"))
    with pytest.raises(ValueError, match="border_mode"):
        conv3d(t5("s"), t5("f"), border_mode="same")
    with pytest.raises(NotImplementedError, match="filters_shape"):  # modes per axis need the filter sizes
        conv3d(t5("s"), t5("f"), border_mode=("full", "valid", "half"))
    from theon.tensor.signal import conv as sconv
    with pytest.raises(ValueError, match="image_shape"):
        sconv.conv2d(T.dmatrix("x"), T.dmatrix("w"), image_shape=(1, 5, 5))
