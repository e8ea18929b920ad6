"""theano.tensor.nnet.conv3d2d: Theano's 3-d convolution of image sequences.

Signals are (batch, time, channels, rows, cols) and filters (out channels,
time, channels, rows, cols), the layout of video models written for it; the
result is (batch, time, out channels, rows, cols). Theano computed it as 2-d
convolutions summed along a diagonal; theon runs one 3-d convolution
(flipped filters, a true convolution along all three axes) on the same
values, so the gradient is the 3-d convolution's."""
import numbers

import numpy as np

from .. import basic as _b
from . import abstract_conv as _ac

__all__ = ["conv3d", "get_diagonal_subtensor_view"]

_PADS = {"valid": lambda k: 0, "full": lambda k: k - 1, "half": lambda k: k // 2}


def get_diagonal_subtensor_view(x, i0, i1):
    """A NumPy view of `x` whose axis i0 is shortened by x.shape[i1] - 1 and
    slanted along i1: view[..., a, ..., b, ...] = x[..., a + n1 - 1 - b, ..., b, ...]
    with n1 = x.shape[i1] (Theano's helper; x.shape[i0] >= n1)."""
    x = np.asarray(x)
    i0, i1 = int(i0), int(i1)
    n0, n1 = x.shape[i0], x.shape[i1]
    if n0 < n1:
        raise ValueError("get_diagonal_subtensor_view: axis %d (%d) is shorter than axis %d (%d)" % (i0, n0, i1, n1))
    shape = list(x.shape)
    shape[i0] = n0 - n1 + 1
    strides = list(x.strides)
    strides[i1] -= strides[i0]  # one step along i1 goes one step back along i0
    start = [0] * x.ndim
    start[i0] = n1 - 1
    base = x[tuple(slice(s, None) for s in start)]
    return np.lib.stride_tricks.as_strided(base, shape=shape, strides=strides, writeable=False)


def conv3d(signals, filters, signals_shape=None, filters_shape=None, border_mode="valid"):
    """3-d convolution of (batch, time, channels, rows, cols) signals with
    (out channels, time, channels, rows, cols) filters.

    border_mode : 'valid', 'full' or 'half', or a tuple of three (time, rows,
        cols); different modes per axis need the filters' sizes (static or
        `filters_shape`).
    signals_shape, filters_shape : optional 5-entry hints, checked against the data.
    """
    s, f = _b.as_tensor_variable(signals), _b.as_tensor_variable(filters)
    if s.ndim != 5 or f.ndim != 5:
        raise TypeError("conv3d2d.conv3d: signals and filters must be 5-d (batch, time, channels, rows, cols), "
                        "got %d-d and %d-d" % (s.ndim, f.ndim))
    modes = (border_mode,) * 3 if isinstance(border_mode, str) else tuple(border_mode)
    if len(modes) != 3 or any(m not in _PADS for m in modes):
        raise ValueError("conv3d2d.conv3d: border_mode must be 'valid', 'full', 'half' or three of them, got %r"
                         % (border_mode,))
    to_ncdhw = (0, 2, 1, 3, 4)  # (batch, channels, time, rows, cols); its own inverse
    x, w = s.dimshuffle(*to_ncdhw), f.dimshuffle(*to_ncdhw)
    ishp = None if signals_shape is None else tuple(signals_shape[a] for a in to_ncdhw)
    fshp = None if filters_shape is None else tuple(filters_shape[a] for a in to_ncdhw)
    if len(set(modes)) == 1:
        mode = modes[0]
    else:
        sizes = fshp[2:] if fshp is not None else tuple(w.type.shape[2:]) if hasattr(w.type, "shape") else (None,) * 3
        if any(not isinstance(k, numbers.Integral) for k in sizes):
            raise NotImplementedError("conv3d2d.conv3d: border modes %r that differ per axis need the filters' "
                                      "sizes (give filters_shape)" % (modes,))
        mode = tuple(_PADS[m](int(k)) for m, k in zip(modes, sizes))
    y = _ac.conv3d(x, w, input_shape=ishp, filter_shape=fshp, border_mode=mode, filter_flip=True)
    return y.dimshuffle(*to_ncdhw)
