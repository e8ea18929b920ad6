"""theano.tensor.signal.conv: 2-d convolution of plain 2-d signals.

``conv2d(input, filters)`` takes one image (rows, cols) or a stack of them
(images, rows, cols), and one filter or a stack (filters, rows, cols); the
result is (images, filters, out rows, out cols) with the axes of a single
image or a single filter dropped. Filters are flipped (a true convolution),
'valid' or 'full', as scipy.signal.convolve2d."""
from .. import basic as _b
from ..nnet import conv as _conv

__all__ = ["conv2d"]


def conv2d(input, filters, image_shape=None, filter_shape=None, border_mode="valid", subsample=(1, 1), **kargs):
    """Convolves 2-d or 3-d `input` with 2-d or 3-d `filters` (see the module).

    image_shape, filter_shape : optional hints ([images,] rows, cols) and
        ([filters,] rows, cols), checked against the data.
    Other keywords tuned Theano's C code and are ignored."""
    x, w = _b.as_tensor_variable(input), _b.as_tensor_variable(filters)
    if x.ndim not in (2, 3) or w.ndim not in (2, 3):
        raise TypeError("signal.conv2d: the input and the filters must be 2-d or 3-d, got %d-d and %d-d"
                        % (x.ndim, w.ndim))
    for hint, v, what in ((image_shape, x, "image_shape"), (filter_shape, w, "filter_shape")):
        if hint is not None and len(tuple(hint)) != v.ndim:
            raise ValueError("signal.conv2d: %s %r does not match a %d-d %s"
                             % (what, tuple(hint), v.ndim, "input" if v is x else "filter"))
    # (images, 1, rows, cols) and (filters, 1, rows, cols): one channel each.
    x4 = x.dimshuffle("x", "x", 0, 1) if x.ndim == 2 else x.dimshuffle(0, "x", 1, 2)
    w4 = w.dimshuffle("x", "x", 0, 1) if w.ndim == 2 else w.dimshuffle(0, "x", 1, 2)
    ishp = None if image_shape is None else (1 if x.ndim == 2 else image_shape[0], 1) + tuple(image_shape[-2:])
    fshp = None if filter_shape is None else (1 if w.ndim == 2 else filter_shape[0], 1) + tuple(filter_shape[-2:])
    y = _conv.conv2d(x4, w4, image_shape=ishp, filter_shape=fshp, border_mode=border_mode, subsample=subsample)
    # Drop the axis of a single image and of a single filter.
    keep = [a for a, single in ((0, x.ndim == 2), (1, w.ndim == 2)) if not single] + [2, 3]
    drop = [a for a in (0, 1) if a not in keep]
    return y.dimshuffle(*keep) if drop and all(y.broadcastable[a] for a in drop) else _squeeze(y, drop)


def _squeeze(y, axes):
    """y without its size-1 `axes` (known to be 1 from the inputs' ranks)."""
    from ..extra_ops import squeeze
    return squeeze(y, axis=tuple(axes)) if axes else y
