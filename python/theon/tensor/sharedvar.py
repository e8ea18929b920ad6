"""Theano's ``theano.tensor.sharedvar``: the shared variable classes and
their constructors (theon's shared variables are tensors)."""
from ..compile.sharedvalue import SharedVariable, shared  # noqa: F401
from .basic import TensorSharedVariable  # noqa: F401


def tensor_constructor(value, name=None, strict=False, allow_downcast=None, borrow=False, broadcastable=None,
                       target="cpu"):
    """A tensor shared variable of `value` (an array).

    Parameters
    ----------
    value : array_like
    name, strict, allow_downcast, borrow, broadcastable : optional
        As for theon.shared.
    target : str, optional
        Only 'cpu'.

    Returns
    -------
    TensorSharedVariable
    """
    return shared(value, name=name, strict=strict, allow_downcast=allow_downcast, borrow=borrow,
                  broadcastable=broadcastable)


def scalar_constructor(value, name=None, strict=False, allow_downcast=None, borrow=False, target="cpu"):
    """A 0-d shared variable of a number.

    Parameters
    ----------
    value : number
    name, strict, allow_downcast, borrow, target : optional

    Returns
    -------
    TensorSharedVariable
    """
    return shared(value, name=name, strict=strict, allow_downcast=allow_downcast, borrow=borrow)
