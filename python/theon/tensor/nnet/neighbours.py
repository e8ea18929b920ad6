"""theano.tensor.nnet.neighbours: images2neibs lays each (rows, cols)
patch of every image out as a row; neibs2images puts rows back (the
adjoint: overlapping patches add up, so non-overlapping ones are its
inverse). Both are graphs of strided slices, so their gradients follow."""
import numbers

import numpy as np

from ... import _core
from .. import basic as _b

__all__ = ["images2neibs", "neibs2images", "Images2Neibs"]

MODES = ("valid", "ignore_borders", "half", "full", "wrap_centered")


def _pair(v, what):
    if isinstance(v, _b.TensorVariable):
        from ..graph_api import NotScalarConstantError, get_scalar_constant_value
        try:
            v = [int(get_scalar_constant_value(v[i])) for i in range(2)]
        except NotScalarConstantError:
            raise NotImplementedError("images2neibs: %s must be known when the graph is built" % what)
    v = tuple(v)
    if len(v) != 2 or not all(isinstance(e, (numbers.Integral, np.integer)) for e in v):
        raise ValueError("images2neibs: %s must be 2 ints, got %r" % (what, v))
    if min(v) < 1:
        raise ValueError("images2neibs: %s must be positive, got %r" % (what, v))
    return int(v[0]), int(v[1])


def images2neibs(ten4, neib_shape, neib_step=None, mode="valid", _error="TypeError"):
    """The (rows, cols) patches of a (batch, channels, height, width) tensor
    every `neib_step` (default: the patch shape) as the rows of a matrix,
    image by image, patch positions in row-major order.

    mode: 'valid' (the patches must tile the image exactly), 'ignore_borders'
    (a partial last patch is dropped), 'half' / 'full' (zeros padded on each
    side: rows // 2 and cols // 2, or rows - 1 and cols - 1, first),
    'wrap_centered' (odd patch shapes: one patch centred on every
    `neib_step`-th pixel, the image wrapping around at its borders).
    """
    if mode not in MODES:
        raise ValueError("images2neibs: mode must be one of %s, got %r" % (", ".join(map(repr, MODES)), mode))
    x = _b.as_tensor_variable(ten4)
    if x.ndim != 4:
        raise TypeError("images2neibs: ten4 must be a 4-d tensor, got %s" % (x.type,))
    a, b = _pair(neib_shape, "neib_shape")
    sa, sb = (a, b) if neib_step is None else _pair(neib_step, "neib_step")
    if mode in ("half", "full"):
        pa, pb = (a // 2, b // 2) if mode == "half" else (a - 1, b - 1)
        padded = _b.zeros((x.shape[0], x.shape[1], x.shape[2] + 2 * pa, x.shape[3] + 2 * pb), dtype=x.dtype)
        x = _b.set_subtensor(padded[:, :, pa:pa + x.shape[2], pb:pb + x.shape[3]], x)
    if mode == "wrap_centered":
        x = _wrapped(x, a, b, sa, sb, _error)
    h, w = x.shape[2], x.shape[3]
    nr, nc = (h - a) // sa + 1, (w - b) // sb + 1
    if mode in ("valid", "half", "full"):  # the (padded) images must be tiled exactly
        x = _check(x, "images2neibs: neib_shape (%d, %d) and neib_step (%d, %d) do not tile the%s images exactly; "
                   "use mode='ignore_borders' to drop the rest"
                   % (a, b, sa, sb, "" if mode == "valid" else " padded"), _error,
                   _b.eq((h - a) % sa, 0), _b.eq((w - b) % sb, 0), _b.ge(h, a), _b.ge(w, b))
    patches = [x[:, :, i:i + (nr - 1) * sa + 1:sa, j:j + (nc - 1) * sb + 1:sb] for i in range(a) for j in range(b)]
    return _b.stack(patches, axis=4).reshape((-1, a * b))


def _check(x, message, error, *conditions):
    """x, once the conditions hold at run time; `error` otherwise: TypeError
    from images2neibs (what Theano's Images2Neibs raised for images its
    patches do not fit), ValueError from neibs2images (a shape that cannot be)."""
    return _core.assert_op(x, [_b.as_tensor_variable(c) for c in conditions], message, error=error)


def _wrapped(x, a, b, sa, sb, error):
    """x extended by wrapping around, so that 'valid' patches every (sa, sb)
    are the patches centred on pixels 0, sa, 2 sa, ... (Theano's wrap_centered)."""
    if a % 2 == 0 or b % 2 == 0:
        raise TypeError("images2neibs: mode 'wrap_centered' needs odd patch shapes, got (%d, %d)" % (a, b))
    h, w = x.shape[2], x.shape[3]
    x = _check(x, "images2neibs: mode 'wrap_centered' needs images at least as large as the patch (%d, %d)"
               % (a, b), error, _b.ge(h, a), _b.ge(w, b))
    for axis, k, step, n in ((2, a, sa, h), (3, b, sb, w)):
        centres = (n + step - 1) // step  # one patch per step, the last one wrapping
        idx = (_b.arange((centres - 1) * step + k) - k // 2) % n
        x = x.take(idx, axis=axis)
    return x


def neibs2images(neibs, neib_shape, original_shape, mode="valid"):
    """The images of `original_shape` whose patches images2neibs gives as
    `neibs` (patches that overlap add up; pixels in no patch are zero)."""
    from ...gradient import grad
    neibs = _b.as_tensor_variable(neibs)
    if isinstance(original_shape, _b.TensorVariable):  # a shape vector known when the function runs
        if original_shape.ndim != 1:
            raise ValueError("neibs2images: original_shape must be a vector of 4 sizes, got %s"
                             % (original_shape.type,))
        v = _b.cast(original_shape, "int64")
        v = _core.assert_op(v, [_b.eq(v.shape[0], 4)], "neibs2images: original_shape must have 4 entries",
                            error="ValueError")
        shape = [v[i] for i in range(4)]
    else:
        shape = [_b.cast(s, "int64") if isinstance(s, _b.TensorVariable) else int(s) for s in original_shape]
        if len(shape) != 4:
            raise ValueError("neibs2images: original_shape must have 4 entries, got %r" % (tuple(original_shape),))
    z = _b.zeros(shape, dtype=neibs.dtype)
    patches = images2neibs(z, neib_shape, mode=mode, _error="ValueError")
    return grad(None, z, known_grads={patches: neibs})


class Images2Neibs(object):
    """Theano's op class: ``Images2Neibs(mode)(ten4, neib_shape, neib_step)``."""

    def __init__(self, mode="valid"):
        if mode not in MODES + ("wrap_centered",):
            raise ValueError("Images2Neibs: unknown mode %r" % (mode,))
        self.mode = mode

    def __call__(self, ten4, neib_shape, neib_step=None):
        return images2neibs(ten4, neib_shape, neib_step, self.mode)
