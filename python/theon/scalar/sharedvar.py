"""Theano's ``theano.scalar.sharedvar``: shared scalars (theon's are 0-d
tensor shared variables)."""
from ..compile.sharedvalue import SharedVariable  # noqa: F401


def shared(value, name=None, strict=False, allow_downcast=None):
    """A shared scalar holding the number `value`.

    Parameters
    ----------
    value : number
    name : str, optional
    strict, allow_downcast : optional
        As for theon.shared.

    Returns
    -------
    TensorSharedVariable
        0-d.
    """
    import numpy as np
    from ..compile.sharedvalue import shared as _shared
    if np.ndim(value) != 0:
        raise TypeError("theano.scalar.sharedvar.shared takes a number, got an array of shape %s" % (np.shape(value),))
    return _shared(value, name=name, strict=strict, allow_downcast=allow_downcast)
