"""Theano's ``theano.tensor.io`` (load, LoadFromDisk) and the ``transfer``
hook: arrays read from .npy files when a function runs, and the registry of
functions that move a variable to a named target."""
import os

from .. import _core
from . import basic as _b

__all__ = ["load", "LoadFromDisk", "transfer", "register_transfer"]


class LoadFromDisk:
    """Theano's LoadFromDisk(dtype, broadcastable, mmap_mode=None): called
    with a path, gives a variable whose value is read from that .npy file at
    each call of the compiled function. mmap_mode "c" maps the file
    copy-on-write instead of reading it (writes never reach the file)."""

    def __init__(self, dtype, broadcastable, mmap_mode=None):
        if mmap_mode not in (None, "c"):
            raise ValueError("LoadFromDisk: the only supported values for mmap_mode are None and 'c', got %r"
                             % (mmap_mode,))
        self.dtype = _b._floatx(dtype)
        self.broadcastable = tuple(bool(b) for b in broadcastable)
        self.mmap_mode = mmap_mode

    def __call__(self, path):
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError("LoadFromDisk: the path must be a str or os.PathLike (theon reads the file named when "
                            "the graph is built, at each call), got %s" % type(path).__name__)
        return _core.load_npy(os.fspath(path), _core.TensorType(self.dtype, list(self.broadcastable)),
                              self.mmap_mode == "c")

    def __repr__(self):
        return "LoadFromDisk{%s, %s, %s}" % (self.dtype, self.broadcastable, self.mmap_mode)


def load(path, dtype, broadcastable, mmap_mode=None):
    """A variable read from the .npy file `path` when the function runs (Theano's
    tensor.io.load): its dtype must be `dtype` and its rank len(broadcastable).

    >>> x = T.load("weights.npy", "float32", (False, False))
    >>> f = theano.function([], x.sum())
    """
    return LoadFromDisk(dtype, broadcastable, mmap_mode)(path)


_transfer_fns = []


def register_transfer(fn):
    """Adds fn(var, target) to the functions transfer() tries: it returns the
    variable moved to `target`, or None when it does not handle that target."""
    if not callable(fn):
        raise TypeError("register_transfer: expected a function fn(var, target), got %r" % (fn,))
    _transfer_fns.append(fn)


def transfer(var, target):
    """var on `target` (Theano's transfer): "cpu" gives var itself as a
    tensor; other targets go to the functions given to register_transfer."""
    if target == "cpu":
        return _b.as_tensor_variable(var)
    for fn in _transfer_fns:
        out = fn(var, target)
        if out is not None:
            return out
    raise ValueError("transfer: can't transfer to target %r (theon runs on 'cpu'; no function given to "
                     "register_transfer handles %r)" % (target, target))
