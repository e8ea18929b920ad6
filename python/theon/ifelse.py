"""theano.ifelse: a lazy branch. Unlike ``T.switch``, which computes both
sides elementwise, ``ifelse(cond, then, else)`` computes only the branch the
(scalar) condition selects."""
from . import _core
from . import tensor as T
from .tensor.graph_api import Op as _Op, _op_class

__all__ = ["ifelse", "IfElse"]


def ifelse(condition, then_branch, else_branch, name=None):
    """`then_branch` if the scalar `condition` is non-zero, else `else_branch`,
    computing only the branch taken.

    Parameters
    ----------
    condition : scalar
    then_branch, else_branch : variable or list of variables
        One entry per output, of the same dtype and number of dimensions.
    name : str, optional
        Labels the op.

    Returns
    -------
    variable or list of variables
        As then_branch was given.

    Examples
    --------
    >>> import numpy as np
    >>> import theon
    >>> import theon.tensor as T
    >>> from theon.ifelse import ifelse
    >>> a, b = T.dscalars("a", "b")
    >>> f = theon.function([a, b], ifelse(T.lt(a, b), T.exp(a), b * 2))
    >>> float(f(1.0, 2.0)), float(f(3.0, 2.0))
    (2.718281828459045, 4.0)
    """
    single = not isinstance(then_branch, (list, tuple))
    t = [T.as_tensor_variable(v) for v in ([then_branch] if single else then_branch)]
    e = [T.as_tensor_variable(v) for v in ([else_branch] if not isinstance(else_branch, (list, tuple))
                                           else else_branch)]
    if len(t) != len(e):
        raise ValueError("ifelse: the then branch has %d outputs and the else branch %d" % (len(t), len(e)))
    for k, (a, b) in enumerate(zip(t, e)):
        if a.dtype != b.dtype:
            raise TypeError("ifelse: output %d is %s in the then branch and %s in the else branch; cast one of them "
                            "(theon does not upcast silently)" % (k, a.type, b.type))
        if a.ndim != b.ndim:
            raise TypeError("ifelse: output %d has %d dimensions in the then branch and %d in the else branch"
                            % (k, a.ndim, b.ndim))
    out = _core.ifelse(T.as_tensor_variable(condition), t, e, name or "ifelse")
    return out[0] if single else list(out)


def _ifelse_op(n_outs, as_view=False, gpu=False, name=None):
    """Theano's IfElse(n_outs)(cond, *then_outputs, *else_outputs)."""
    def build(cond, *branches):
        if len(branches) != 2 * n_outs:
            raise TypeError("IfElse(%d) takes the condition and %d outputs of each branch, got %d values"
                            % (n_outs, n_outs, len(branches)))
        out = ifelse(cond, list(branches[:n_outs]), list(branches[n_outs:]), name)
        return out[0] if n_outs == 1 else out
    # IfElse(n) == node.op for an ifelse of n outputs (theon's ifelse returns
    # the taken branch's values without copying them: Theano's as_view).
    build.matches = lambda op: op.n_outs == n_outs
    build.attrs = {"n_outs": n_outs, "as_view": as_view, "gpu": gpu}
    return build


# Theano's op class: isinstance(node.op, IfElse), and IfElse(n_outs)(cond, *then, *else).
IfElse = _op_class("IfElse", ["IfElse"], _Op, make=_ifelse_op)
