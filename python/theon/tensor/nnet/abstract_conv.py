"""theano.tensor.nnet.abstract_conv: convolutions over 2 or 3 spatial
dimensions and their gradients, as Theano's abstract conv ops.

Inputs are (batch, channels, rows, cols[, depth]) and filters (output
channels, input channels / num_groups, rows, cols[, depth]). With
``filter_flip=True`` (the default) the filters are flipped, a true
convolution; ``filter_flip=False`` is a cross-correlation (what most deep
learning libraries call convolution). ``border_mode`` is ``'valid'``,
``'full'``, ``'half'`` (``'same'`` for odd filters), an int or a tuple of
ints (zeros on both sides). The three ops (the convolution, its gradient
with respect to the inputs and with respect to the filters) are C++ ops
(``op.kind`` ``Conv``, ``ConvGradInputs``, ``ConvGradWeights``) whose
gradients are each other.
"""
import numbers

import numpy as np

from ... import _core
from .. import basic as _b
from ..graph_api import _op_class

try:  # Theano's flag: its tests compute references with scipy.signal when it is there
    import scipy.signal  # noqa: F401
    imported_scipy_signal = True
except ImportError:
    imported_scipy_signal = False

__all__ = ["conv2d", "conv3d", "conv2d_grad_wrt_inputs", "conv2d_grad_wrt_weights", "conv3d_grad_wrt_inputs",
           "conv3d_grad_wrt_weights", "conv2d_transpose", "get_conv_output_shape", "get_conv_shape_1axis",
           "AbstractConv", "AbstractConv2d", "AbstractConv3d", "AbstractConv_gradInputs",
           "AbstractConv_gradWeights", "AbstractConv2d_gradInputs", "AbstractConv2d_gradWeights",
           "AbstractConv3d_gradInputs", "AbstractConv3d_gradWeights", "separable_conv2d", "causal_conv1d"]


# ---- parameters -----------------------------------------------------------------------------

def _ints(value, nd, what, least):
    if isinstance(value, (numbers.Integral, np.integer)):
        value = (int(value),) * nd
    value = tuple(value)
    if len(value) != nd or not all(isinstance(v, (numbers.Integral, np.integer)) for v in value):
        raise ValueError("conv: %s needs %d ints, got %r" % (what, nd, value))
    if any(v < least for v in value):
        raise ValueError("conv: %s must be %s, got %r" % (what, "positive" if least else "non-negative", value))
    return tuple(int(v) for v in value)


def _border(border_mode, nd):
    """('explicit', pads before, pads after) or ('full' | 'half', zeros, zeros)."""
    if isinstance(border_mode, str):
        mode = border_mode.lower()
        if mode == "valid":
            return "explicit", (0,) * nd, (0,) * nd
        if mode in ("full", "half"):
            return mode, (0,) * nd, (0,) * nd
        if mode == "same":
            return "half", (0,) * nd, (0,) * nd
        raise ValueError("conv: unknown border_mode %r: use 'valid', 'full', 'half', an int or a tuple of %d ints"
                         % (border_mode, nd))
    if isinstance(border_mode, (tuple, list)) and any(isinstance(b, (tuple, list)) for b in border_mode):
        if len(border_mode) != nd:
            raise ValueError("conv: border_mode %r needs %d entries" % (border_mode, nd))
        pairs = [tuple(b) if isinstance(b, (tuple, list)) else (b, b) for b in border_mode]
        if any(len(p) != 2 for p in pairs):
            raise ValueError("conv: border_mode %r: give an int or a (before, after) pair per axis" % (border_mode,))
        return ("explicit", _ints([p[0] for p in pairs], nd, "border_mode", 0),
                _ints([p[1] for p in pairs], nd, "border_mode", 0))
    pads = _ints(border_mode, nd, "border_mode", 0)
    return "explicit", pads, pads


def _hinted(x, shape, what):
    """x with a shape hint checked: against the static shape now, at run time otherwise."""
    if shape is None:
        return x
    shape = tuple(shape)
    if len(shape) != x.ndim:
        raise ValueError("conv: the %s hint %r has %d entries for a %d-d %s" % (what, shape, len(shape), x.ndim, what))
    static = x.type.shape if hasattr(x.type, "shape") else [None] * x.ndim
    for d, (h, s) in enumerate(zip(shape, static)):
        if h is not None and s is not None and int(h) != int(s):
            raise ValueError("conv: the %s hint %r contradicts the %s's shape %r (axis %d)"
                             % (what, shape, what, tuple(static), d))
    tests = [_b.eq(x.shape[d], int(h)) for d, (h, s) in enumerate(zip(shape, static)) if h is not None and s is None]
    if not tests:
        return x
    from ..opt import Assert
    return Assert("conv: the %s shape hint %r does not match the %s's shape" % (what, shape, what))(x, *tests)


class _Params(object):
    """A convolution's parameters (Theano's AbstractConv attributes)."""

    def __init__(self, nd, border_mode="valid", subsample=None, filter_flip=True, filter_dilation=None,
                 num_groups=1, unshared=False):
        self.nd = nd
        self.unshared = bool(unshared)
        self.border, self.pad, self.pad_after = _border(border_mode, nd)
        self.border_mode = (border_mode if isinstance(border_mode, str) else self.pad if self.pad == self.pad_after
                            else tuple(zip(self.pad, self.pad_after)))
        self.subsample = _ints((1,) * nd if subsample is None else subsample, nd, "subsample", 1)
        self.filter_dilation = _ints((1,) * nd if filter_dilation is None else filter_dilation, nd,
                                     "filter_dilation", 1)
        if not isinstance(num_groups, (numbers.Integral, np.integer)) or num_groups < 1:
            raise ValueError("conv: num_groups must be a positive int, got %r" % (num_groups,))
        self.num_groups = int(num_groups)
        self.filter_flip = bool(filter_flip)

    def apply(self, role, a, b, shape=None):
        if isinstance(shape, (list, tuple)):  # spatial sizes: a constant vector, or one built of scalars
            if all(isinstance(s, (numbers.Integral, np.integer)) for s in shape):
                shape = _b.constant(np.array(shape, "int64").reshape(len(shape)))
            else:
                shape = _b.stack(*[_b.cast(s, "int64") for s in shape])
        elif shape is not None:
            shape = _b.as_tensor_variable(shape)
        return _core.conv(role, _b.as_tensor_variable(a), _b.as_tensor_variable(b), shape, self.nd, self.border,
                          list(self.pad), list(self.subsample), list(self.filter_dilation), self.num_groups,
                          self.filter_flip, list(self.pad_after), unshared=self.unshared)


def _spatial(shape, nd, what):
    """The last nd entries of a full shape hint (or a symbolic shape vector)."""
    if shape is None:
        raise ValueError("conv: the %s shape is needed" % what)
    if isinstance(shape, (list, tuple)):
        if len(shape) not in (nd, nd + 2):
            raise ValueError("conv: the %s shape %r needs %d or %d entries" % (what, shape, nd, nd + 2))
        shape = shape[-nd:]
        if any(s is None for s in shape):
            raise ValueError("conv: the %s shape %r must give the spatial sizes" % (what, shape))
        return list(shape)
    v = _b.as_tensor_variable(shape)
    return v[-nd:] if v.ndim == 1 else v


# ---- the functions ---------------------------------------------------------------------------

def _conv(nd, input, filters, input_shape, filter_shape, border_mode, subsample, filter_flip, filter_dilation,
          num_groups, unshared):
    p = _Params(nd, border_mode, subsample, filter_flip, filter_dilation, num_groups, unshared)
    x = _hinted(_b.as_tensor_variable(input), input_shape, "input")
    w = _hinted(_b.as_tensor_variable(filters), filter_shape, "filters")
    return p.apply("forward", x, w)


def conv2d(input, filters, input_shape=None, filter_shape=None, border_mode="valid", subsample=(1, 1),
           filter_flip=True, filter_dilation=(1, 1), num_groups=1, unshared=False, **kwargs):
    """2-d convolution of a batch of multi-channel images with a bank of filters.

    Parameters
    ----------
    input : 4-d tensor (batch, channels, rows, cols)
    filters : 4-d tensor (output channels, channels / num_groups, rows, cols)
    input_shape, filter_shape : tuples of ints or None, optional
        Shape hints, checked against the data (at build time when the
        shapes are static, at run time otherwise).
    border_mode : 'valid', 'full', 'half', int or (int, int)
    subsample : (int, int)
        The strides.
    filter_flip : bool
        True flips the filters (convolution), False does not (cross-correlation).
    filter_dilation : (int, int)
        Spacing between filter taps (atrous convolution).
    num_groups : int
        Grouped convolution: channels and filters split into this many groups.

    Returns
    -------
    4-d tensor (batch, output channels, output rows, output cols), as
    ``get_conv_output_shape`` gives.
    """
    if kwargs.get("image_shape") is not None:
        input_shape = kwargs.pop("image_shape")
    kwargs.pop("image_shape", None)
    if kwargs:
        raise TypeError("conv2d: unexpected arguments %s" % sorted(kwargs))
    return _conv(2, input, filters, input_shape, filter_shape, border_mode, subsample, filter_flip, filter_dilation,
                 num_groups, unshared)


def conv3d(input, filters, input_shape=None, filter_shape=None, border_mode="valid", subsample=(1, 1, 1),
           filter_flip=True, filter_dilation=(1, 1, 1), num_groups=1):
    """3-d convolution of a batch of multi-channel volumes (batch, channels,
    depth, rows, cols) with filters (output channels, channels / num_groups,
    depth, rows, cols); the parameters are conv2d's with three entries."""
    return _conv(3, input, filters, input_shape, filter_shape, border_mode, subsample, filter_flip, filter_dilation,
                 num_groups, False)


def _grad_inputs(nd, output_grad, filters, input_shape, filter_shape, border_mode, subsample, filter_flip,
                 filter_dilation, num_groups, unshared):
    p = _Params(nd, border_mode, subsample, filter_flip, filter_dilation, num_groups, unshared)
    w = _hinted(_b.as_tensor_variable(filters), filter_shape, "filters")
    return p.apply("grad_inputs", w, _b.as_tensor_variable(output_grad), _spatial(input_shape, nd, "input"))


def _grad_weights(nd, input, output_grad, filter_shape, input_shape, border_mode, subsample, filter_flip,
                  filter_dilation, num_groups, unshared):
    p = _Params(nd, border_mode, subsample, filter_flip, filter_dilation, num_groups, unshared)
    x = _hinted(_b.as_tensor_variable(input), input_shape, "input")
    return p.apply("grad_weights", x, _b.as_tensor_variable(output_grad), _spatial(filter_shape, nd, "filter"))


def conv2d_grad_wrt_inputs(output_grad, filters, input_shape, filter_shape=None, border_mode="valid",
                           subsample=(1, 1), filter_flip=True, filter_dilation=(1, 1), num_groups=1, unshared=False):
    """The gradient of conv2d with respect to its input: the input's shape
    (``input_shape``, its spatial sizes at least) is needed, since strides
    make it ambiguous."""
    return _grad_inputs(2, output_grad, filters, input_shape, filter_shape, border_mode, subsample, filter_flip,
                        filter_dilation, num_groups, unshared)


def conv2d_grad_wrt_weights(input, output_grad, filter_shape, input_shape=None, border_mode="valid",
                            subsample=(1, 1), filter_flip=True, filter_dilation=(1, 1), num_groups=1,
                            unshared=False):
    """The gradient of conv2d with respect to its filters, of ``filter_shape``."""
    return _grad_weights(2, input, output_grad, filter_shape, input_shape, border_mode, subsample, filter_flip,
                         filter_dilation, num_groups, unshared)


def conv3d_grad_wrt_inputs(output_grad, filters, input_shape, filter_shape=None, border_mode="valid",
                           subsample=(1, 1, 1), filter_flip=True, filter_dilation=(1, 1, 1), num_groups=1):
    """conv2d_grad_wrt_inputs for conv3d."""
    return _grad_inputs(3, output_grad, filters, input_shape, filter_shape, border_mode, subsample, filter_flip,
                        filter_dilation, num_groups, False)


def conv3d_grad_wrt_weights(input, output_grad, filter_shape, input_shape=None, border_mode="valid",
                            subsample=(1, 1, 1), filter_flip=True, filter_dilation=(1, 1, 1), num_groups=1):
    """conv2d_grad_wrt_weights for conv3d."""
    return _grad_weights(3, input, output_grad, filter_shape, input_shape, border_mode, subsample, filter_flip,
                         filter_dilation, num_groups, False)


def conv2d_transpose(input, filters, output_shape, filter_shape=None, border_mode="valid", input_dilation=(1, 1),
                     filter_flip=True, filter_dilation=(1, 1), num_groups=1, unshared=False):
    """The transpose of conv2d ("deconvolution"): the gradient of a conv2d of
    ``output_shape`` images with respect to its input, applied to ``input``;
    ``input_dilation`` is that conv2d's subsample."""
    return conv2d_grad_wrt_inputs(input, filters, output_shape, filter_shape, border_mode, input_dilation,
                                  filter_flip, filter_dilation, num_groups, unshared)


def separable_conv2d(input, depthwise_filters, pointwise_filters, num_channels, input_shape=None,
                     depthwise_filter_shape=None, pointwise_filter_shape=None, border_mode="valid",
                     subsample=(1, 1), filter_flip=True, filter_dilation=(1, 1)):
    """A depthwise convolution (one group per input channel) followed by a
    1x1 pointwise one."""
    depth = conv2d(input, depthwise_filters, input_shape, depthwise_filter_shape, border_mode, subsample,
                   filter_flip, filter_dilation, num_groups=num_channels)
    return conv2d(depth, pointwise_filters, None, pointwise_filter_shape, "valid", (1, 1), filter_flip)


def causal_conv1d(input, filters, filter_shape=None, input_shape=None, subsample=1, filter_flip=True,
                  filter_dilation=1, num_groups=1, unshared=False):
    """A 1-d convolution of (batch, channels, time) whose output at t reads
    times <= t only: left padding of (filter length - 1) x dilation."""
    x = _b.as_tensor_variable(input)
    w = _b.as_tensor_variable(filters)
    k = w.shape[2] if filter_shape is None else filter_shape[-1]
    left = (k - 1) * filter_dilation
    padded = _b.concatenate([_b.zeros((x.shape[0], x.shape[1], left), dtype=x.dtype), x], axis=2)
    y = conv2d(padded.dimshuffle(0, 1, 2, "x"), w.dimshuffle(0, 1, 2, "x"), None, None, "valid",
               (subsample, 1), filter_flip, (filter_dilation, 1), num_groups, unshared)
    return y[:, :, :, 0]


# ---- shapes ---------------------------------------------------------------------------------

def get_conv_shape_1axis(image_shape, kernel_shape, border_mode, subsample, dilation=1):
    """The output length along one axis (None when the input's is None)."""
    if None in (image_shape, kernel_shape, border_mode, subsample, dilation):
        return None
    dilated = (kernel_shape - 1) * dilation + 1
    if border_mode == "half":
        pad = dilated // 2
    elif border_mode == "full":
        pad = dilated - 1
    elif border_mode == "valid":
        pad = 0
    else:
        before, after = border_mode if isinstance(border_mode, tuple) else (border_mode, border_mode)
        if before < 0 or after < 0:
            raise ValueError("border_mode must be >= 0")
        return (image_shape + before + after - dilated) // subsample + 1
    return (image_shape + 2 * pad - dilated) // subsample + 1


def get_conv_output_shape(image_shape, kernel_shape, border_mode, subsample, filter_dilation=None):
    """The output shape of a convolution of `image_shape` (batch, channels,
    spatial...) images with `kernel_shape` filters (None entries stay None)."""
    nd = len(image_shape) - 2
    if filter_dilation is None:
        filter_dilation = (1,) * nd
    if isinstance(border_mode, tuple):
        modes = tuple(tuple(m) if isinstance(m, list) else m for m in border_mode)
    else:
        modes = ("same" if border_mode == "same" else border_mode,) * nd
    modes = tuple("half" if m == "same" else m for m in modes)
    out = [image_shape[0], kernel_shape[0]]
    for d in range(nd):
        out.append(get_conv_shape_1axis(image_shape[2 + d], kernel_shape[-nd + d], modes[d], subsample[d],
                                        filter_dilation[d]))
    return tuple(out)


# ---- Theano's op classes ----------------------------------------------------------------------

def _maker(nd, role):
    def make(imshp=None, kshp=None, border_mode="valid", subsample=None, filter_flip=True, filter_dilation=None,
             num_groups=1, unshared=False):
        p = _Params(nd, border_mode, subsample, filter_flip, filter_dilation, num_groups, unshared)

        def apply(a, b, shape=None):
            if role != "forward":
                return p.apply(role, a, b, _spatial(shape, nd, "input" if role == "grad_inputs" else "filter"))
            a = _hinted(_b.as_tensor_variable(a), imshp, "input")
            b = _hinted(_b.as_tensor_variable(b), kshp, "filters")
            return p.apply(role, a, b)
        apply.attrs = {name: getattr(p, name) for name in ("border_mode", "subsample", "filter_flip",
                                                             "filter_dilation", "num_groups")}
        apply.attrs.update(imshp=imshp, kshp=kshp, unshared=p.unshared)
        return apply
    return make


def _conv_when(nd):
    return lambda op: op.conv is not None and op.conv["nd"] == nd


AbstractConv = _op_class("AbstractConv", ["Conv"], make=_maker(2, "forward"))
AbstractConv2d = _op_class("AbstractConv2d", ["Conv"], AbstractConv, when=_conv_when(2), make=_maker(2, "forward"))
AbstractConv3d = _op_class("AbstractConv3d", ["Conv"], AbstractConv, when=_conv_when(3), make=_maker(3, "forward"))
AbstractConv_gradInputs = _op_class("AbstractConv_gradInputs", ["ConvGradInputs"], make=_maker(2, "grad_inputs"))
AbstractConv2d_gradInputs = _op_class("AbstractConv2d_gradInputs", ["ConvGradInputs"], AbstractConv_gradInputs,
                                      when=_conv_when(2), make=_maker(2, "grad_inputs"))
AbstractConv3d_gradInputs = _op_class("AbstractConv3d_gradInputs", ["ConvGradInputs"], AbstractConv_gradInputs,
                                      when=_conv_when(3), make=_maker(3, "grad_inputs"))
AbstractConv_gradWeights = _op_class("AbstractConv_gradWeights", ["ConvGradWeights"], make=_maker(2, "grad_weights"))
AbstractConv2d_gradWeights = _op_class("AbstractConv2d_gradWeights", ["ConvGradWeights"], AbstractConv_gradWeights,
                                       when=_conv_when(2), make=_maker(2, "grad_weights"))
AbstractConv3d_gradWeights = _op_class("AbstractConv3d_gradWeights", ["ConvGradWeights"], AbstractConv_gradWeights,
                                       when=_conv_when(3), make=_maker(3, "grad_weights"))


# ---- bilinear upsampling ----------------------------------------------------------------------

def bilinear_kernel_1D(ratio, normalize=True):
    """The triangle 1, 2, ..., ratio, ..., 2, 1 (divided by ratio when
    normalized): a transposed convolution with it at stride `ratio`
    interpolates linearly."""
    from ... import config
    half = _b.arange(1, ratio + 1, dtype=config.floatX)
    kern = _b.concatenate([half, half[-2::-1]])
    return kern / _b.cast(ratio, config.floatX) if normalize else kern


def bilinear_kernel_2D(ratio, normalize=True):
    """The outer product of the 1-d kernels of the vertical and horizontal
    ratios (`ratio` an int or (rows, cols))."""
    rv, rh = (ratio[0], ratio[1]) if isinstance(ratio, (tuple, list)) else (ratio, ratio)
    return bilinear_kernel_1D(rv, normalize).dimshuffle(0, "x") * bilinear_kernel_1D(rh, normalize).dimshuffle("x", 0)


def _edged(x):
    """(batch * channels, 1, rows + 2, cols + 2): each image with its border rows and columns repeated."""
    flat = x.reshape((-1, 1, x.shape[2], x.shape[3]))
    edged = _b.concatenate((flat[:, :, :1, :], flat, flat[:, :, -1:, :]), axis=2)
    return _b.concatenate((edged[:, :, :, :1], edged, edged[:, :, :, -1:]), axis=3)


def _fraction(frac_ratio):
    """((p_rows, q_rows), (p_cols, q_cols)) in lowest terms from (p, q) or a pair of them."""
    import math
    if not isinstance(frac_ratio, tuple):
        raise ValueError("bilinear_upsampling: frac_ratio must be a tuple (p, q) or ((p, q), (p, q)), got %r"
                         % (frac_ratio,))
    pairs = frac_ratio if isinstance(frac_ratio[0], tuple) else (frac_ratio, frac_ratio)
    if len(pairs) != 2 or any(len(f) != 2 or min(f) < 1 for f in pairs):
        raise ValueError("bilinear_upsampling: frac_ratio needs positive (numerator, denominator) pairs, got %r"
                         % (frac_ratio,))
    return tuple((int(p) // math.gcd(int(p), int(q)), int(q) // math.gcd(int(p), int(q))) for p, q in pairs)


def bilinear_upsampling(input, ratio=None, frac_ratio=None, batch_size=None, num_input_channels=None,
                        use_1D_kernel=True):
    """(batch, channels, rows, cols) images upsampled with bilinear
    interpolation (the border rows and columns repeated first): by an
    integer `ratio`, as transposed convolutions with the fixed bilinear
    kernel, or by a fraction `frac_ratio` = (p, q) or ((p, q), (p, q)) per
    axis: interpolated p times finer, then every q-th value kept."""
    if ratio and frac_ratio:
        raise ValueError("can't use ratio and frac_ratio together")
    if not (ratio or frac_ratio):
        raise ValueError("No ratio (or frac_ratio) provided")
    x = _b.as_tensor_variable(input)
    if frac_ratio:
        if use_1D_kernel:
            raise ValueError("bilinear_upsampling: fractional ratios use the 2-d kernel: pass use_1D_kernel=False")
        return _frac_upsampling(x, _fraction(frac_ratio))
    row, col = x.shape[2], x.shape[3]
    edged = _edged(x)
    pad = 2 * ratio - (ratio - 1) // 2 - 1
    if use_1D_kernel:
        k = bilinear_kernel_1D(ratio)
        rows_up = conv2d_grad_wrt_inputs(edged, k.dimshuffle("x", "x", 0, "x"), [row * ratio, col + 2],
                                         border_mode=(pad, 0), subsample=(ratio, 1))
        up = conv2d_grad_wrt_inputs(rows_up, k.dimshuffle("x", "x", "x", 0), [row * ratio, col * ratio],
                                    border_mode=(0, pad), subsample=(1, ratio))
    else:
        k = bilinear_kernel_2D(ratio)
        up = conv2d_grad_wrt_inputs(edged, k.dimshuffle("x", "x", 0, 1), [row * ratio, col * ratio],
                                    border_mode=(pad, pad), subsample=(ratio, ratio))
    return up.reshape((x.shape[0], x.shape[1], row * ratio, col * ratio))


def _frac_upsampling(x, fraction):
    """Upsampling by p/q per axis, one axis after the other: the edged
    images zero-stuffed p times finer along the axis, convolved with the 1-d
    bilinear kernel of p (the 2-d kernel is their outer product), and every
    q-th value kept, starting where Theano's field of zeros around the kernel
    puts the first one: ((2 n - 1) p + 1) // 2 taps before the kernel, n the
    axis' size. One axis at a time keeps the work at (n p) x (kernel taps)
    per row instead of the whole image's zero-stuffed area per output."""
    out = _edged(x)  # (batch * channels, 1, rows + 2, cols + 2)
    for axis, (p, q) in ((2, fraction[0]), (3, fraction[1])):
        n = x.shape[axis]
        edged_len = out.shape[axis]  # n + 2
        k = _b.cast(bilinear_kernel_1D(p), x.dtype)
        kern = k.dimshuffle("x", "x", 0, "x") if axis == 2 else k.dimshuffle("x", "x", "x", 0)
        shape = [out.shape[a] if a != axis else (edged_len - 1) * p + 1 for a in range(4)]
        stuffed = _b.zeros(shape, dtype=x.dtype)
        index = [slice(None)] * 4
        index[axis] = slice(None, None, p)
        stuffed = _b.set_subtensor(stuffed[tuple(index)], out)
        full = conv2d(stuffed, kern, border_mode="full")  # a true convolution: flipped, every overlap
        first = (edged_len - 1) * p - ((2 * n - 1) * p + 1) // 2
        count = (n * p - 1) // q + 1
        index[axis] = slice(first, first + (count - 1) * q + 1, q)
        out = full[tuple(index)]
    return out.reshape((x.shape[0], x.shape[1], out.shape[2], out.shape[3]))


def separable_conv3d(input, depthwise_filters, pointwise_filters, num_channels, input_shape=None,
                     depthwise_filter_shape=None, pointwise_filter_shape=None, border_mode="valid",
                     subsample=(1, 1, 1), filter_flip=True, filter_dilation=(1, 1, 1)):
    """separable_conv2d in three dimensions."""
    depth = conv3d(input, depthwise_filters, input_shape, depthwise_filter_shape, border_mode, subsample,
                   filter_flip, filter_dilation, num_groups=num_channels)
    return conv3d(depth, pointwise_filters, None, pointwise_filter_shape, "valid", (1, 1, 1), filter_flip)


__all__ += ["bilinear_kernel_1D", "bilinear_kernel_2D", "bilinear_upsampling", "separable_conv3d"]


# ---- Theano's shape helpers -------------------------------------------------------------------

def _pads(border_mode, dil_k):
    """(left, right) padding of one axis for a dilated filter of dil_k taps."""
    if border_mode == "half":
        return dil_k // 2, dil_k // 2
    if border_mode == "full":
        return dil_k - 1, dil_k - 1
    if border_mode == "valid":
        return 0, 0
    left, right = border_mode if isinstance(border_mode, tuple) else (border_mode, border_mode)
    if left < 0 or right < 0:
        raise ValueError("border_mode must be >= 0")
    return left, right


def _per_axis(border_mode, nd):
    if isinstance(border_mode, str):
        return (border_mode,) * nd
    if isinstance(border_mode, (numbers.Integral, np.integer)):
        return (int(border_mode),) * nd
    return tuple(border_mode)


def get_conv_gradweights_shape_1axis(image_shape, top_shape, border_mode, subsample, dilation):
    """The filter length along one axis from the input's and the output's
    (None when it cannot be told: unknown sizes, a stride, or 'half')."""
    if None in (image_shape, top_shape, border_mode, subsample, dilation):
        return None
    if subsample != 1 or border_mode == "half":
        return None
    if border_mode == "full":
        k = top_shape - image_shape
    elif border_mode == "valid":
        k = image_shape - top_shape
    else:
        left, right = _pads(border_mode, 0)
        k = image_shape + left + right - top_shape
    if dilation > 1:
        k = k / dilation
    return k + 1


def get_conv_gradweights_shape(image_shape, top_shape, border_mode, subsample, filter_dilation=None, num_groups=1,
                               unshared=False):
    """The filters' shape from the input's and the output's (None entries
    where it cannot be told)."""
    nd = len(subsample)
    filter_dilation = filter_dilation or (1,) * nd
    modes = _per_axis(border_mode, nd)
    channels = None if image_shape[1] is None else image_shape[1] // num_groups
    spatial = [get_conv_gradweights_shape_1axis(image_shape[2 + d], top_shape[2 + d], modes[d], subsample[d],
                                                filter_dilation[d]) for d in range(nd)]
    if unshared:
        return (top_shape[1],) + tuple(top_shape[2:]) + (channels,) + tuple(spatial)
    return (top_shape[1], channels) + tuple(spatial)


def get_conv_gradinputs_shape_1axis(kernel_shape, top_shape, border_mode, subsample, dilation):
    """The input length along one axis from the filter's and the output's
    (None when it cannot be told: unknown sizes or a stride)."""
    if None in (kernel_shape, top_shape, border_mode, subsample, dilation):
        return None
    if subsample != 1:
        return None
    dil_k = (kernel_shape - 1) * dilation + 1
    left, right = _pads(border_mode, dil_k)
    size = top_shape + dil_k - 1
    if left > 0:
        size -= left
    if right > 0:
        size -= right
    return size


def get_conv_gradinputs_shape(kernel_shape, top_shape, border_mode, subsample, filter_dilation=None, num_groups=1,
                              unshared=False):
    """The input's shape from the filters' and the output's (None entries
    where it cannot be told)."""
    nd = len(subsample)
    filter_dilation = filter_dilation or (1,) * nd
    modes = _per_axis(border_mode, nd)
    kspatial = kernel_shape[-nd:]
    channels = None if kernel_shape[-nd - 1] is None else kernel_shape[-nd - 1] * num_groups
    spatial = [get_conv_gradinputs_shape_1axis(kspatial[d], top_shape[2 + d], modes[d], subsample[d],
                                               filter_dilation[d]) for d in range(nd)]
    return (top_shape[0], channels) + tuple(spatial)


def check_conv_gradinputs_shape(image_shape, kernel_shape, output_shape, border_mode, subsample,
                                filter_dilation=None):
    """False when the shapes are of different ranks or the convolution of
    `image_shape` by `kernel_shape` cannot give `output_shape`; True also
    when a size is unknown or symbolic."""
    from ..graph_api import NotScalarConstantError, get_scalar_constant_value
    image_shape, kernel_shape, output_shape = tuple(image_shape), tuple(kernel_shape), tuple(output_shape)
    if not len(image_shape) == len(kernel_shape) == len(output_shape) or len(image_shape) - 2 != len(subsample):
        return False
    if filter_dilation is not None and len(image_shape) - 2 != len(filter_dilation):
        return False
    computed = get_conv_output_shape(image_shape, kernel_shape, border_mode, subsample, filter_dilation)

    def agrees(given, comp):
        if given is None or comp is None:
            return True
        try:
            return int(get_scalar_constant_value(given)) == int(get_scalar_constant_value(comp))
        except NotScalarConstantError:
            return True
    return all(agrees(g, c) for g, c in zip(output_shape, computed))


def assert_conv_shape(shape):
    """`shape` with each entry checked (batch and channels >= 0, the others
    > 0): now for constants (ValueError), at run time for the rest."""
    from ..graph_api import NotScalarConstantError, get_scalar_constant_value
    from ..opt import Assert
    out = []
    for i, n in enumerate(shape):
        least, sign = (0, "<") if i < 2 else (1, "<=")
        try:
            v = int(get_scalar_constant_value(n))
        except NotScalarConstantError:
            msg = "The convolution would produce an invalid shape (dim[%d] %s 0)." % (i, sign)
            out.append(Assert(msg)(n, _b.ge(n, least)))
            continue
        if v < least:
            raise ValueError("The convolution would produce an invalid shape (dim[%d]: %d %s 0)." % (i, v, sign))
        out.append(n)
    return tuple(out)


def assert_shape(x, expected_shape, msg="Unexpected shape."):
    """x, checked at run time to have `expected_shape` (None entries are not
    checked) when ``config.conv__assert_shape`` is on."""
    from ... import config
    from ..opt import Assert
    if expected_shape is None or not config.conv__assert_shape:
        return x
    tests = [_b.eq(x.shape[i], e) for i, e in enumerate(expected_shape) if e is not None]
    return Assert(msg)(x, *tests) if tests else x


__all__ += ["get_conv_gradweights_shape", "get_conv_gradinputs_shape", "get_conv_gradweights_shape_1axis",
            "get_conv_gradinputs_shape_1axis", "check_conv_gradinputs_shape", "assert_conv_shape", "assert_shape"]
