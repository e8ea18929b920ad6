"""theon.tensor.nnet: Theano's neural-network ops.

softmax and log_softmax are C++ ops (one pass per row, shifted by the row max);
the rest are small graphs of them and of elementwise ops, so the rewriter sees
through them: log(softmax(x)) becomes log_softmax(x), also when indexed as in
the crossentropy below, and log(sigmoid(x)) becomes -softplus(-x).
"""
from .. import _core
from .basic import (_as, _axis_int, abs_, all as _all, arange, clip, exp, expm1, ge, log, sigmoid,  # noqa: F401
                    softplus, switch, sum as _sum)

__all__ = ["sigmoid", "softplus", "ultra_fast_sigmoid", "hard_sigmoid", "softmax", "log_softmax", "logsoftmax",
           "softmax_op", "softmax_graph", "softmax_with_bias", "relu", "elu", "selu", "softsign",
           "binary_crossentropy", "sigmoid_binary_crossentropy", "categorical_crossentropy",
           "crossentropy_categorical_1hot", "crossentropy_softmax_1hot", "crossentropy_softmax_1hot_with_bias",
           "crossentropy_softmax_argmax_1hot_with_bias"]


def softmax(c, axis=-1):
    """exp(c) / sum(exp(c), axis), computed from c - max(c) (no overflow)."""
    return _core.softmax(_as(c), _axis_int(axis))


def log_softmax(c, axis=-1):
    """log(softmax(c)) computed as c - max - log(sum(exp(c - max))): finite wherever c is."""
    return _core.log_softmax(_as(c), _axis_int(axis))


logsoftmax = log_softmax
softmax_op = softmax


def softmax_graph(c):
    """Softmax spelled as a graph of exp and sum (Theano's softmax_graph); the
    rewriter turns it back into the softmax op."""
    c = _as(c)
    e = exp(c)
    return e / e.sum(axis=-1, keepdims=True)


def softmax_with_bias(x, b):
    """softmax(x + b) with b a vector broadcast over rows."""
    return softmax(_as(x) + _as(b))


def ultra_fast_sigmoid(x):
    """Theano's piecewise approximation of sigmoid; theon computes the exact
    sigmoid, which its SIMD kernel makes as fast."""
    return sigmoid(x)


def hard_sigmoid(x):
    """clip(0.2 * x + 0.5, 0, 1)."""
    x = _as(x)
    return clip(x * 0.2 + 0.5, 0, 1)


def relu(x, alpha=0):
    """Rectified linear unit; with alpha != 0 the leaky one, alpha * x for x < 0.
    Spelled as Theano does (``0.5 * (x + |x|)``), so gradients match Theano's."""
    x = _as(x)
    if isinstance(alpha, (int, float)) and alpha == 0:
        return 0.5 * (x + abs_(x))
    f1 = 0.5 * (1 + alpha)
    f2 = 0.5 * (1 - alpha)
    return f1 * x + f2 * abs_(x)


def elu(x, alpha=1):
    """Exponential linear unit: x for x > 0, alpha * (exp(x) - 1) otherwise."""
    x = _as(x)
    return switch(x > 0, x, alpha * expm1(x))


def selu(x):
    """Scaled ELU of Klambauer et al. (2017)."""
    alpha = 1.6732632423543772848170429916717
    scale = 1.0507009873554804934193349852946
    return scale * elu(x, alpha)


def softsign(x):
    """``x / (1 + |x|)``, elementwise."""
    x = _as(x)
    return x / (1 + abs_(x))


def binary_crossentropy(output, target):
    """-(target * log(output) + (1 - target) * log(1 - output)); stable when
    output is sigmoid(z) (the logs become softplus)."""
    output, target = _as(output), _as(target)
    return -(target * log(output) + (1 - target) * log(1 - output))


def sigmoid_binary_crossentropy(output, target):
    """binary_crossentropy(sigmoid(output), target), from the logits."""
    output, target = _as(output), _as(target)
    return softplus(output) - output * target


def categorical_crossentropy(coding_dist, true_dist):
    """-sum(true_dist * log(coding_dist), axis=-1) for one-hot/probability rows,
    or -log(coding_dist[i, true_dist[i]]) for integer labels."""
    coding_dist, true_dist = _as(coding_dist), _as(true_dist)
    if true_dist.ndim == coding_dist.ndim:
        return -_sum(true_dist * log(coding_dist), axis=coding_dist.ndim - 1)
    if true_dist.ndim == coding_dist.ndim - 1:
        return crossentropy_categorical_1hot(coding_dist, true_dist)
    raise TypeError("categorical_crossentropy: true_dist must have the ndim of coding_dist (%d) or one less, "
                    "got %d" % (coding_dist.ndim, true_dist.ndim))


def crossentropy_categorical_1hot(coding_dist, true_idx):
    """-log(coding_dist[arange(n), true_idx]) for a matrix of rows and integer labels."""
    coding_dist, true_idx = _as(coding_dist), _as(true_idx)
    if coding_dist.ndim != 2 or true_idx.ndim != 1:
        raise TypeError("crossentropy_categorical_1hot: needs a matrix of distributions and a vector of labels, "
                        "got %s and %s" % (coding_dist.type, true_idx.type))
    if "int" not in str(true_idx.dtype):
        raise TypeError("crossentropy_categorical_1hot: labels must be integers, got %s" % (true_idx.dtype,))
    # Indexing would take -1 as the last class; a label is a class number, so
    # negative ones are an IndexError like those past the end.
    true_idx = _core.assert_op(true_idx, [_all(ge(true_idx, 0))],
                               "crossentropy_categorical_1hot: a label in true_idx is negative; labels are class "
                               "numbers, 0 to coding_dist.shape[1] - 1", index_error=True)
    return -log(coding_dist[arange(coding_dist.shape[0]), true_idx])


def crossentropy_softmax_1hot_with_bias(x, b, y_idx):
    """(nll, softmax(x + b)) with nll[i] = -log(softmax(x + b)[i, y_idx[i]])."""
    sm = softmax_with_bias(x, b)
    return crossentropy_categorical_1hot(sm, y_idx), sm


def crossentropy_softmax_1hot(x, y_idx):
    """(nll, softmax(x)) with nll[i] = -log(softmax(x)[i, y_idx[i]])."""
    sm = softmax(x)
    return crossentropy_categorical_1hot(sm, y_idx), sm


def crossentropy_softmax_argmax_1hot_with_bias(x, b, y_idx):
    """(nll, softmax(x + b), argmax(x + b, axis=1))."""
    nll, sm = crossentropy_softmax_1hot_with_bias(x, b, y_idx)
    return nll, sm, (_as(x) + _as(b)).argmax(axis=1)
