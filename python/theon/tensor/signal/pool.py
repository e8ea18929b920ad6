"""theano.tensor.signal.pool: max, sum and average pooling over the last 2
(``pool_2d``) or 3 (``pool_3d``) axes, with their gradients and the
gradient of the max-pool gradient (Hessian-vector products through
pooling). Three C++ ops, kinds ``Pool``, ``PoolGrad`` and ``PoolGradGrad``
(Theano's ``Pool``, ``MaxPoolGrad``/``AveragePoolGrad`` and
``DownsampleFactorMaxGradGrad`` classes match them)."""
import numbers
import warnings

import numpy as np

from ... import _core
from .. import basic as _b
from ..graph_api import _op_class

__all__ = ["pool_2d", "pool_3d", "max_pool_2d_same_size", "Pool", "PoolGrad", "MaxPoolGrad", "AveragePoolGrad",
           "DownsampleFactorMaxGradGrad", "MODES"]

MODES = ("max", "sum", "average_inc_pad", "average_exc_pad")


def _symbolic(value):
    """Whether a pooling parameter is a symbolic int vector (or a list holding symbolic scalars)."""
    def symbolic(v):
        return isinstance(v, _b.TensorVariable) and not isinstance(v, _b.TensorConstant)
    return symbolic(value) or (isinstance(value, (tuple, list)) and any(symbolic(v) for v in value))


def _vector(value, nd, what):
    """A pooling parameter as an int64 vector of nd values (a graph input or constant)."""
    if isinstance(value, (numbers.Integral, np.integer)):
        value = (value,) * nd
    if isinstance(value, (tuple, list)):
        if len(value) != nd:
            raise ValueError("pool: %s needs %d values, got %r" % (what, nd, value))
        value = _b.stack(*[_b.cast(v, "int64") for v in value])
    v = _b.as_tensor_variable(value)
    if v.ndim != 1 or not v.dtype.startswith(("int", "uint")):
        raise TypeError("pool: %s must be an int vector, got %s" % (what, v.type))
    return v


def _ints(value, nd, what):
    if isinstance(value, (numbers.Integral, np.integer)):
        value = (value,) * nd
    if isinstance(value, _b.TensorVariable):
        from ..graph_api import NotScalarConstantError, get_scalar_constant_value
        try:  # a constant vector is as good as ints
            value = [int(get_scalar_constant_value(value[i])) for i in range(nd)]
        except (NotScalarConstantError, IndexError, TypeError):
            raise NotImplementedError("pool: %s must be given as %d ints, got %r" % (what, nd, value))
    if not all(isinstance(v, (numbers.Integral, np.integer)) for v in tuple(value)):
        raise NotImplementedError("pool: %s must be given as %d ints, got %r" % (what, nd, value))
    value = tuple(int(v) for v in value)
    if len(value) != nd:
        raise ValueError("pool: %s needs %d ints, got %r" % (what, nd, value))
    return value


class _Params(object):
    def __init__(self, nd, ws, ignore_border, stride, pad, mode):
        if mode == "average":
            mode = "average_inc_pad"
        if mode not in MODES:
            raise ValueError("pool: mode must be one of %s, got %r" % (", ".join(map(repr, MODES)), mode))
        self.ndim, self.mode, self.ignore_border = nd, mode, bool(ignore_border)
        # Symbolic parameters (Theano took ws, stride and pad as graph inputs) are read when the pooling runs.
        self.dynamic = nd <= 3 and any(_symbolic(v) for v in (ws, stride, pad) if v is not None)
        if self.dynamic:
            self.ws = _vector(ws, nd, "ws")
            self.stride = self.ws if stride is None else _vector(stride, nd, "stride")
            self.pad = _vector((0,) * nd if pad is None else pad, nd, "pad")
            return
        self.ws = _ints(ws, nd, "ws")
        self.stride = self.ws if stride is None else _ints(stride, nd, "stride")
        self.pad = (0,) * nd if pad is None else _ints(pad, nd, "pad")

    def apply(self, role, *inputs):
        inputs = [_b.as_tensor_variable(v) for v in inputs]
        if self.ndim > 3:
            if role != "forward":
                raise NotImplementedError("pool: gradient ops over %d axes: differentiate the pooling instead"
                                          % self.ndim)
            return self._by_chunks(inputs[0])
        if self.dynamic:
            return _core.pool(role, inputs + [self.ws, self.stride, self.pad], self.ndim, [], [], [],
                              self.ignore_border, self.mode, dynamic=True)
        return _core.pool(role, inputs, self.ndim, list(self.ws), list(self.stride), list(self.pad),
                          self.ignore_border, self.mode)

    def _by_chunks(self, x):
        """Pooling over more than 3 axes as poolings over at most 3 at a time:
        a window is a box, its maximum, sum and counts (so its averages) are
        those of its axes' windows taken one after the other, and so are the
        gradients (a tap gets a window's gradient when it equals the maximum)."""
        nd, lead = self.ndim, x.ndim - self.ndim
        if lead < 0:
            raise ValueError("pool: %d-d input for pooling over %d axes" % (x.ndim, nd))
        axes = list(range(lead, x.ndim))
        while axes:
            chunk, axes = axes[-3:], axes[:-3]
            rest = [a for a in range(x.ndim) if a not in chunk]
            order = rest + chunk  # the chunk's axes last
            k = [a - lead for a in chunk]
            p = _Params(len(chunk), [self.ws[i] for i in k], self.ignore_border, [self.stride[i] for i in k],
                        [self.pad[i] for i in k], self.mode)
            y = p.apply("forward", x.dimshuffle(*order))
            x = y.dimshuffle(*[order.index(a) for a in range(x.ndim)])
        return x


def _pool(nd, input, ws, ignore_border, stride, pad, mode, ds, st, padding, name):
    def renamed(new, old, old_name, new_name):
        if old is None:
            return new
        if new is not None and new != (0,) * nd:
            raise ValueError("%s: give %s only, not also the deprecated %s" % (name, new_name, old_name))
        warnings.warn("DEPRECATION: %s's '%s' parameter is replaced by '%s'" % (name, old_name, new_name),
                      stacklevel=3)
        return old
    ws = renamed(ws, ds, "ds", "ws")
    stride = renamed(stride, st, "st", "stride")
    pad = renamed(pad, padding, "padding", "pad")
    if ws is None:
        raise ValueError("%s: you must provide a tuple value for the window size" % name)
    input = _b.as_tensor_variable(input)
    if input.ndim < nd:
        raise NotImplementedError("%s requires a dimension >= %d" % (name, nd))
    if ignore_border is None:
        warnings.warn("%s() will have the parameter ignore_border default value changed to True (currently "
                      "False). To have consistent behavior with all Theano version, explicitly add the parameter "
                      "ignore_border=True." % name, stacklevel=3)
        ignore_border = False
    return _Params(nd, ws, ignore_border, stride, pad, mode).apply("forward", input)


def pool_2d(input, ws=None, ignore_border=None, stride=None, pad=(0, 0), mode="max", ds=None, st=None,
            padding=None):
    """Pooling over the last two axes of `input`.

    Parameters
    ----------
    input : tensor with at least 2 dimensions
    ws : (int, int)
        The window.
    ignore_border : bool
        True drops a last partial window; None warns and means False (Theano's default).
    stride : (int, int), optional
        The step between windows (default: ws).
    pad : (int, int)
        Zeros on both sides of each axis (ignore_border=True only).
    mode : {'max', 'sum', 'average_inc_pad', 'average_exc_pad'}
        average_inc_pad counts the padding in the average, average_exc_pad does not.
    """
    return _pool(2, input, ws, ignore_border, stride, pad, mode, ds, st, padding, "pool_2d")


def pool_3d(input, ws=None, ignore_border=None, stride=None, pad=(0, 0, 0), mode="max", ds=None, st=None,
            padding=None):
    """pool_2d over the last three axes."""
    return _pool(3, input, ws, ignore_border, stride, pad, mode, ds, st, padding, "pool_3d")


def max_pool_2d_same_size(input, patch_size):
    """`input` with every element that is not the maximum of its
    (non-overlapping) patch set to zero: the shape is kept."""
    p = _Params(2, patch_size, True, None, None, "max")
    x = _b.as_tensor_variable(input)
    y = p.apply("forward", x)
    return p.apply("grad", x, y, y)


# ---- Theano's op classes ----------------------------------------------------------------------

def _maker(role, fixed_mode=None):
    def make(ignore_border=False, mode="max", ndim=2, openmp=None):
        mode_ = fixed_mode or mode

        if role == "forward":
            def apply(x, ws=None, stride=None, pad=None):
                return _Params(ndim, ws, ignore_border, stride, pad, mode_).apply("forward", x)
        else:
            def apply(x, y, g, ws=None, stride=None, pad=None):
                return _Params(ndim, ws, ignore_border, stride, pad, mode_).apply(role, x, y, g)
        apply.attrs = {"ignore_border": ignore_border, "mode": mode_, "ndim": ndim}
        return apply
    return make


def _avg_grad_make(ignore_border=False, mode="average_inc_pad", ndim=2):
    def apply(x, gz, ws, stride=None, pad=None):
        p = _Params(ndim, ws, ignore_border, stride, pad, mode)
        return p.apply("grad", x, p.apply("forward", x), gz)
    apply.attrs = {"ignore_border": ignore_border, "mode": mode, "ndim": ndim}
    return apply


Pool = _op_class("Pool", ["Pool"], make=_maker("forward"))
PoolGrad = _op_class("PoolGrad", ["PoolGrad"])
MaxPoolGrad = _op_class("MaxPoolGrad", ["PoolGrad"], PoolGrad, when=lambda op: "MaxPoolGrad" in str(op),
                        make=_maker("grad", "max"))
AveragePoolGrad = _op_class("AveragePoolGrad", ["PoolGrad"], PoolGrad, when=lambda op: "AveragePoolGrad" in str(op),
                            make=_avg_grad_make)
DownsampleFactorMaxGradGrad = _op_class("DownsampleFactorMaxGradGrad", ["PoolGradGrad"],
                                        make=_maker("grad_grad", "max"))


def _out_shape(imgshape, ws=None, ignore_border=False, stride=None, pad=None, ndim=2, ds=None, st=None,
               padding=None):
    """Theano's Pool.out_shape: the pooled shape of `imgshape` (ints or
    scalar variables); the last `ndim` entries are pooled."""
    ws = ds if ws is None else ws
    stride = st if stride is None else stride
    pad = padding if pad is None else pad
    if ws is None:
        raise ValueError("You must provide a tuple value for the window size.")
    if len(imgshape) < ndim:
        raise TypeError("imgshape must have at least {} dimensions".format(ndim))
    stride = ws if stride is None else stride
    pad = (0,) * ndim if pad is None else pad
    out = list(imgshape[:-ndim])
    for i in range(ndim):
        v = imgshape[-ndim + i] + pad[i] * 2
        w, s = ws[i], stride[i]
        symbolic = isinstance(v, _b.TensorVariable)
        if ignore_border:
            r = v // s if w == s else (v - w) // s + 1
            r = r if w == s else (_b.maximum(r, 0) if symbolic else max(r, 0))
        elif symbolic:
            r = (v - 1) // s + 1 if s >= w else _b.maximum(0, (v - 1 - w + s) // s) + 1
        else:
            r = (v - 1) // s + 1 if s >= w else max(0, (v - 1 - w + s) // s) + 1
        out.append(r)
    return out


Pool.out_shape = staticmethod(_out_shape)
