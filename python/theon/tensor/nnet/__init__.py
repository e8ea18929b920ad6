"""theon.tensor.nnet: Theano's neural-network ops.

softmax and log_softmax are C++ ops (one pass per row, shifted by the row max);
the crossentropy of a softmax with integer labels is one op too
(crossentropy_softmax_argmax_1hot_with_bias and its gradient). The rest are
small graphs of them and of elementwise ops, so the rewriter sees through
them: log(softmax(x)) becomes log_softmax(x), the tutorials' -log(softmax(x))
[arange(n), y] (or the same of a log-softmax written out) becomes the
crossentropy op, and log(sigmoid(x)) becomes -softplus(-x).
"""
import sys

from ... import _core
from ..basic import (_as, _axis_int, abs_, all as _all, arange, clip, exp, expm1, ge, log, sigmoid,  # noqa: F401
                    softplus, switch, sum as _sum)

__all__ = ["sigmoid", "softplus", "ultra_fast_sigmoid", "hard_sigmoid", "softmax", "log_softmax", "logsoftmax",
           "softmax_op", "softmax_graph", "softmax_with_bias", "relu", "elu", "selu", "softsign",
           "binary_crossentropy", "sigmoid_binary_crossentropy", "categorical_crossentropy",
           "crossentropy_categorical_1hot", "crossentropy_softmax_1hot", "crossentropy_softmax_1hot_with_bias",
           "crossentropy_softmax_argmax_1hot_with_bias", "crossentropy_softmax_1hot_with_bias_dx",
           "CrossentropySoftmaxArgmax1HotWithBias", "CrossentropySoftmax1HotWithBiasDx", "Softmax", "LogSoftmax",
           "SoftmaxWithBias", "SoftmaxGrad", "softmax_grad", "logsoftmax_op", "CrossentropyCategorical1Hot",
           "CrossentropyCategorical1HotGrad", "Prepend_scalar_constant_to_each_row", "Prepend_scalar_to_each_row",
           "prepend_scalar_to_each_row", "h_softmax", "confusion_matrix"]


def _row_of_vector(c, axis, name):
    """Theano 1.0's softmax of a vector is the softmax of the row (1, n): code
    written for it indexes the result as a matrix (rnnslu's ``s[:, 0, :]``)."""
    c = _as(c)
    if c.ndim == 1 and axis == -1:  # Theano's call (it had no axis); an explicit axis=0 is NumPy's
        import warnings
        warnings.warn("%s of a vector returns a (1, n) row, as Theano 1.0 did; pass a matrix (or index the "
                      "result's row 0) for a vector" % name, DeprecationWarning, stacklevel=3)
        return c.dimshuffle("x", 0), -1
    return c, axis


def softmax(c, axis=-1):
    """exp(c) / sum(exp(c), axis), computed from c - max(c) (no overflow). A
    vector is taken as the row (1, n), as Theano 1.0 did."""
    c, axis = _row_of_vector(c, axis, "softmax")
    return _core.softmax(c, _axis_int(axis))


def log_softmax(c, axis=-1):
    """log(softmax(c)) computed as c - max - log(sum(exp(c - max))): finite
    wherever c is. A vector is taken as the row (1, n), as Theano 1.0 did."""
    c, axis = _row_of_vector(c, axis, "log_softmax")
    return _core.log_softmax(c, _axis_int(axis))


logsoftmax = log_softmax


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


def crossentropy_softmax_argmax_1hot_with_bias(x, b, y_idx):
    """(nll, softmax(x + b), argmax(x + b, axis=1)) in one op, one pass per row.

    Parameters
    ----------
    x : matrix of float32 or float64
        Logits, one row per example.
    b : vector, or None
        A bias added to every row (None: none).
    y_idx : vector of int
        One label per row, 0 to ``x.shape[1] - 1`` (IndexError otherwise).

    Returns
    -------
    nll, sm, am
        ``nll[i] = -log(softmax(x + b)[i, y_idx[i]])``, computed from the
        log-softmax (no log of a rounded probability); the softmax; the
        row argmax (int64). The gradient of ``nll`` is
        ``crossentropy_softmax_1hot_with_bias_dx``.
    """
    x, y_idx = _as(x), _as(y_idx)
    return tuple(_core.crossentropy_softmax_1hot(x, None if b is None else _as(b), y_idx))


def crossentropy_softmax_1hot_with_bias(x, b, y_idx):
    """(nll, softmax(x + b)) with nll[i] = -log(softmax(x + b)[i, y_idx[i]]), one op
    (see crossentropy_softmax_argmax_1hot_with_bias)."""
    nll, sm, _ = crossentropy_softmax_argmax_1hot_with_bias(x, b, y_idx)
    return nll, sm


def crossentropy_softmax_1hot(x, y_idx):
    """(nll, softmax(x)) with nll[i] = -log(softmax(x)[i, y_idx[i]]), one op
    (see crossentropy_softmax_argmax_1hot_with_bias)."""
    nll, sm, _ = crossentropy_softmax_argmax_1hot_with_bias(x, None, y_idx)
    return nll, sm


def crossentropy_softmax_1hot_with_bias_dx(dy, sm, y_idx):
    """The gradient of the nll above: ``dy[:, None] * (sm - onehot(y_idx))``.

    Parameters
    ----------
    dy : vector
        The gradient of the cost with respect to each row's nll.
    sm : matrix
        The softmax the nll came from.
    y_idx : vector of int
        The labels.
    """
    return _core.crossentropy_softmax_1hot_dx(_as(dy), _as(sm), _as(y_idx))


def _xent_op(x, b, y_idx):
    return crossentropy_softmax_argmax_1hot_with_bias(x, b, y_idx)


from ..graph_api import Op as _Op, _op_class  # noqa: E402

#: Theano's op class of crossentropy_softmax_argmax_1hot_with_bias, for
#: ``isinstance(node.op, ...)``; ``CrossentropySoftmaxArgmax1HotWithBias()(x, b, y_idx)`` builds it.
CrossentropySoftmaxArgmax1HotWithBias = _op_class("CrossentropySoftmaxArgmax1HotWithBias", ["CrossentropySoftmax1Hot"],
                                                  _Op, make=lambda: _xent_op)
#: Theano's op class of crossentropy_softmax_1hot_with_bias_dx.
CrossentropySoftmax1HotWithBiasDx = _op_class("CrossentropySoftmax1HotWithBiasDx", ["CrossentropySoftmax1HotDx"], _Op,
                                              make=lambda: crossentropy_softmax_1hot_with_bias_dx)


def _softmax_grad(dy, sm):
    """The gradient of softmax along the last axis: sm * (dy - sum(dy * sm))."""
    dy, sm = _as(dy), _as(sm)
    return sm * (dy - _sum(dy * sm, axis=sm.ndim - 1, keepdims=True))


def _crossentropy_categorical_1hot_grad(g_y, coding_dist, true_one_of_n):
    """The gradient of crossentropy_categorical_1hot with respect to coding_dist."""
    from ..basic import arange as _arange, set_subtensor, zeros_like
    g_y, coding_dist, true_one_of_n = _as(g_y), _as(coding_dist), _as(true_one_of_n)
    rows = _arange(coding_dist.shape[0])
    return set_subtensor(zeros_like(coding_dist)[rows, true_one_of_n],
                         -g_y / coding_dist[rows, true_one_of_n])


def prepend_scalar_to_each_row(val, mat):
    """mat with a first column of val (a scalar), as Theano's Prepend_scalar_to_each_row."""
    from ..basic import alloc, cast, concatenate
    mat = _as(mat)
    col = alloc(cast(_as(val), mat.dtype), mat.shape[0], 1)
    return concatenate([col, mat], axis=1)


#: Theano's Softmax op class (``isinstance`` matches theon's softmax nodes).
Softmax = _op_class("Softmax", ["Softmax"], _Op, when=lambda op: not op.log_form, make=lambda: softmax)
#: Theano's LogSoftmax op class.
LogSoftmax = _op_class("LogSoftmax", ["Softmax"], _Op, when=lambda op: op.log_form, make=lambda: log_softmax)
logsoftmax_op = LogSoftmax()
softmax_op = Softmax()  # Theano's op instance: softmax_op(x) builds softmax(x); `softmax_op in ops` finds it
#: Theano's SoftmaxWithBias: theon computes it as softmax(x + b).
SoftmaxWithBias = _op_class("SoftmaxWithBias", [], _Op, make=lambda: softmax_with_bias)
#: Theano's SoftmaxGrad: theon builds the elementwise graph (it fuses).
SoftmaxGrad = _op_class("SoftmaxGrad", [], _Op, make=lambda: _softmax_grad)
softmax_grad = SoftmaxGrad()
CrossentropyCategorical1Hot = _op_class("CrossentropyCategorical1Hot", [], _Op,
                                        make=lambda: crossentropy_categorical_1hot)
CrossentropyCategorical1HotGrad = _op_class("CrossentropyCategorical1HotGrad", [], _Op,
                                            make=lambda: _crossentropy_categorical_1hot_grad)
Prepend_scalar_constant_to_each_row = _op_class(
    "Prepend_scalar_constant_to_each_row", [], _Op,
    make=lambda val=0: lambda mat: prepend_scalar_to_each_row(val, mat))
Prepend_scalar_to_each_row = _op_class("Prepend_scalar_to_each_row", [], _Op,
                                       make=lambda: prepend_scalar_to_each_row)


def h_softmax(x, batch_size, n_outputs, n_classes, n_outputs_per_class, W1, b1, W2, b2, target=None):
    """Two-level hierarchical softmax (Theano's h_softmax).

    The outputs are split into ``n_classes`` classes of ``n_outputs_per_class``
    each: p(output) = p(class) * p(output | class), with
    p(class) = softmax(dot(x, W1) + b1) and, within class c,
    p(. | c) = softmax(dot(x, W2[c]) + b2[c]).

    Parameters
    ----------
    x : matrix (batch_size, n_in)
    W1, b1 : (n_in, n_classes) and (n_classes,)
    W2, b2 : (n_classes, n_in, n_outputs_per_class) and (n_classes, n_outputs_per_class)
    target : vector of int, optional
        With it, the probability of each example's target (batch_size,);
        without, every output's probability (batch_size, n_outputs).
    """
    from ..basic import arange as _arange, dot, tensordot
    x, W1, b1, W2, b2 = _as(x), _as(W1), _as(b1), _as(W2), _as(b2)
    class_probs = softmax(dot(x, W1) + b1)
    if target is None:
        act = tensordot(x, W2, [[1], [1]]) + b2.dimshuffle("x", 0, 1)  # (batch, classes, per class)
        flat = act.reshape((x.shape[0] * n_classes, n_outputs_per_class))
        within = softmax(flat).reshape((x.shape[0], n_classes, n_outputs_per_class))
        probs = (class_probs.dimshuffle(0, 1, "x") * within).reshape((x.shape[0], n_classes * n_outputs_per_class))
        return probs[:, :n_outputs]
    target = _as(target)
    cls = target // n_outputs_per_class
    idx = target % n_outputs_per_class
    rows = _arange(x.shape[0])
    act = _sum(x.dimshuffle(0, 1, "x") * W2[cls], axis=1) + b2[cls]  # (batch, per class)
    within = softmax(act)
    return class_probs[rows, cls] * within[rows, idx]


def confusion_matrix(actual, pred):
    """[conf_mat, order]: conf_mat[i, j] counts examples of actual class
    order[i] predicted as order[j]; order holds the classes that occur, sorted."""
    from ..basic import concatenate, dot, eq
    from ..extra_ops import unique
    actual, pred = _as(actual), _as(pred)
    if actual.ndim != 1:
        raise ValueError("confusion_matrix: actual must be a 1-d tensor variable, got %s" % (actual.type,))
    if pred.ndim != 1:
        raise ValueError("confusion_matrix: pred must be a 1-d tensor variable, got %s" % (pred.type,))
    order = unique(concatenate([actual, pred]))
    one_a = eq(actual.dimshuffle(0, "x"), order).astype("int64")
    one_p = eq(pred.dimshuffle(0, "x"), order).astype("int64")
    return [dot(one_a.T, one_p), order]


# Theano's module path theano.tensor.nnet.nnet (the op definitions lived there).
nnet = sys.modules[__name__]
sys.modules[__name__ + ".nnet"] = nnet

# Convolutions (theano.tensor.nnet.conv2d is the abstract one).
from . import abstract_conv  # noqa: E402
from .abstract_conv import (conv2d, conv2d_grad_wrt_inputs, conv2d_grad_wrt_weights, conv2d_transpose,  # noqa: E402
                            conv3d, separable_conv2d, causal_conv1d)

__all__ += ["conv2d", "conv3d", "conv2d_transpose", "separable_conv2d", "causal_conv1d", "abstract_conv"]
from . import bn, conv, corr, corr3d, neighbours  # noqa: E402,F401
from .neighbours import images2neibs, neibs2images  # noqa: E402,F401

__all__ += ["bn", "conv", "corr", "corr3d", "neighbours", "images2neibs", "neibs2images"]
