"""theano.tensor.nnet.bn: batch normalization, for training (the batch's
statistics, with running averages) and for inference (given statistics).
The graphs are elementwise ops and reductions, which fusion turns into a few
passes over the data; their gradients follow from them."""
import numpy as np

from ... import config
from .. import basic as _b
from ..graph_api import _op_class

__all__ = ["batch_normalization", "batch_normalization_train", "batch_normalization_test",
           "AbstractBatchNormTrain", "AbstractBatchNormInference", "AbstractBatchNormTrainGrad"]


def batch_normalization(inputs, gamma, beta, mean, std, mode="low_mem"):
    """(inputs - mean) * (gamma / std) + beta, all broadcast against inputs.
    `mode` ('low_mem' or 'high_mem') is accepted: both give one fused pass."""
    if mode not in ("low_mem", "high_mem"):
        raise ValueError('mode must be "low_mem" or "high_mem", got %r' % (mode,))
    inputs, gamma, beta, mean, std = [_b.as_tensor_variable(v) for v in (inputs, gamma, beta, mean, std)]
    return (inputs - mean) * (gamma / std) + beta


def _axes(axes, ndim):
    if isinstance(axes, str) and axes == "per-activation":
        axes = (0,)
    elif isinstance(axes, str) and axes == "spatial":
        axes = (0,) + tuple(range(2, ndim))
    elif isinstance(axes, (tuple, list, np.ndarray)):
        axes = tuple(int(a) for a in axes)
    else:
        raise ValueError("invalid axes: %s" % (axes,))
    axes = tuple(sorted(axes))
    if not axes:
        raise ValueError("there should be at least one normalization axis")
    if min(axes) < 0 or max(axes) >= ndim:
        raise ValueError("axes should be less than ndim (<%d), but %s given" % (ndim, axes))
    return axes, tuple(i for i in range(ndim) if i not in axes)


def _params(ndim, axes, kept, names, values):
    """The parameters broadcast against the inputs: either of the inputs'
    rank (broadcastable on the normalized axes) or of the kept axes only."""
    pnd = values[0].ndim if values else ndim
    pnd = ndim if pnd == ndim else len(kept)
    out = []
    for name, v in zip(names, values):
        v = _b.as_tensor_variable(v)
        if v.ndim != pnd:
            raise ValueError("%s must have %d dimensions (the inputs' %d, or the %d kept axes), got %d"
                             % (name, pnd, ndim, len(kept), v.ndim))
        if pnd == ndim:
            from ..extra_ops import addbroadcast
            out.append(addbroadcast(v, *axes))
        else:
            pattern = ["x"] * ndim
            for i, a in enumerate(kept):
                pattern[a] = i
            out.append(v.dimshuffle(pattern))
    return pnd, out


def _epsilon(epsilon, dtype):
    """epsilon as a constant of the inputs' dtype: a Python float would make
    a float32 normalization compute in float64 (Theano's op kept float32)."""
    eps = np.asarray(epsilon, dtype=config.floatX)
    if eps < 1e-5:
        raise ValueError("epsilon must be at least 1e-5, got %s" % (epsilon,))
    return _b.constant(np.asarray(eps, dtype=dtype if dtype.startswith("float") else config.floatX))


def batch_normalization_train(inputs, gamma, beta, axes="per-activation", epsilon=1e-4,
                              running_average_factor=0.1, running_mean=None, running_var=None):
    """Normalizes `inputs` with the batch's mean and variance over `axes`
    ('per-activation': axis 0; 'spatial': 0 and 2, 3, ...; or a tuple).

    Returns
    -------
    (out, mean, invstd) and, when `running_mean` and `running_var` are given,
    their new values ``running * (1 - factor) + batch statistic * factor``
    (the variance unbiased by m / (m - 1), m the values averaged).
    Statistics have the parameters' shape.
    """
    inputs = _b.as_tensor_variable(inputs)
    ndim = inputs.ndim
    axes, kept = _axes(axes, ndim)
    if (running_mean is None) != (running_var is None):
        raise ValueError("running_mean and running_var must either both be given or both be None")
    eps = _epsilon(epsilon, inputs.dtype)
    names, values = ["gamma", "beta"], [gamma, beta]
    if running_mean is not None:
        names += ["running_mean", "running_var"]
        values += [running_mean, running_var]
    pnd, ps = _params(ndim, axes, kept, names, values)
    gamma, beta = ps[:2]
    mean = inputs.mean(axis=axes, keepdims=True)
    var = inputs.var(axis=axes, keepdims=True)
    invstd = _b.inv(_b.sqrt(var + eps))
    out = (inputs - mean) * gamma * invstd + beta
    results = [out, mean, invstd]
    if running_mean is not None:
        rm, rv = ps[2:]
        f = _b.constant(np.asarray(running_average_factor, dtype=var.dtype))
        m = _b.cast(_b.prod(inputs.shape) // _b.prod(mean.shape), var.dtype)
        results.append(rm * (1 - f) + mean * f)
        results.append(rv * (1 - f) + (m / (m - 1)) * var * f)
    results = [_b.cast(r, inputs.dtype) if r.dtype != inputs.dtype else r for r in results]
    if pnd != ndim:
        results = [results[0]] + [r.dimshuffle(kept) for r in results[1:]]
    return tuple(results)


def batch_normalization_test(inputs, gamma, beta, mean, var, axes="per-activation", epsilon=1e-4):
    """(inputs - mean) * gamma / sqrt(var + epsilon) + beta with given
    statistics, shaped as for batch_normalization_train."""
    inputs = _b.as_tensor_variable(inputs)
    ndim = inputs.ndim
    axes, kept = _axes(axes, ndim)
    eps = _epsilon(epsilon, inputs.dtype)
    _, (gamma, beta, mean, var) = _params(ndim, axes, kept, ["gamma", "beta", "mean", "var"],
                                          [gamma, beta, mean, var])
    out = (inputs - mean) * gamma / _b.sqrt(var + eps) + beta
    return _b.cast(out, inputs.dtype) if out.dtype != inputs.dtype else out


_HINT = "theon builds batch normalization from elementwise ops and reductions; use the bn functions"
AbstractBatchNormTrain = _op_class("AbstractBatchNormTrain", [], hint=_HINT)
AbstractBatchNormInference = _op_class("AbstractBatchNormInference", [], hint=_HINT)
AbstractBatchNormTrainGrad = _op_class("AbstractBatchNormTrainGrad", [], hint=_HINT)
