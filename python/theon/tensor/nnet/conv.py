"""theano.tensor.nnet.conv: Theano's legacy 2-d convolution signature
(``conv.conv2d(input, filters, image_shape, filter_shape, border_mode,
subsample)``), built on the abstract convolution: 'valid' or 'full',
filters flipped."""
from .. import basic as _b
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
    # Theano's ConvOp raised ValueError for data that contradicts the shapes it was given.
    from ..extra_ops import specify_shape
    x, w = _b.as_tensor_variable(input), _b.as_tensor_variable(filters)
    for v, hint, what in ((x, image_shape, "image_shape"), (w, filter_shape, "filter_shape")):
        if hint is not None and len(tuple(hint)) != 4:
            raise ValueError("conv.conv2d: %s needs 4 entries, got %r" % (what, hint))
    if image_shape is not None:
        x = specify_shape(x, [x.shape[d] if h is None else _size(h) for d, h in enumerate(image_shape)])
    if filter_shape is not None:
        w = specify_shape(w, [w.shape[d] if h is None else _size(h) for d, h in enumerate(filter_shape)])
    return _ac.conv2d(x, w, border_mode=border_mode, subsample=subsample, filter_flip=True)


def _size(h):
    """A shape entry: an int, or a constant or symbolic scalar."""
    from ..graph_api import NotScalarConstantError, get_scalar_constant_value
    if isinstance(h, _b.TensorVariable):
        try:
            return int(get_scalar_constant_value(h))
        except NotScalarConstantError:
            return h
    return int(h)
