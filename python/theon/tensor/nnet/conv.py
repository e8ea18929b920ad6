"""theano.tensor.nnet.conv: Theano's legacy 2-d convolution signature
(``conv.conv2d(input, filters, image_shape, filter_shape, border_mode,
subsample)``), built on the abstract convolution: 'valid' or 'full',
filters flipped."""
from . import abstract_conv as _ac

try:  # Theano's flag: its tests compute references with scipy.signal when it is there
    import scipy.signal  # noqa: F401
    imported_scipy_signal = True
except ImportError:
    imported_scipy_signal = False

__all__ = ["conv2d"]


def conv2d(input, filters, image_shape=None, filter_shape=None, border_mode="valid", subsample=(1, 1), **kargs):
    """Convolves (batch, channels, rows, cols) images with (filters,
    channels, rows, cols) filters; `border_mode` 'valid' or 'full';
    `image_shape`/`filter_shape` are checked hints. Other keywords of
    Theano's ConvOp (unroll_batch, ...) tuned its C code and are ignored."""
    if border_mode not in ("valid", "full"):
        raise ValueError("conv.conv2d: border_mode must be 'valid' or 'full', got %r" % (border_mode,))
    return _ac.conv2d(input, filters, input_shape=image_shape, filter_shape=filter_shape, border_mode=border_mode,
                      subsample=subsample, filter_flip=True)
