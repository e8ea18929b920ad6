"""Pickling and copying of theon's graph objects (pickle, copy.copy,
copy.deepcopy): types, variables, constants, shared variables, compiled
functions.

- A root variable pickles as its type and name; a constant as its value.
- A shared variable pickles as its value and settings; what it carries
  in Python (``default_update``, ``tag``) follows as its state.
- A computed variable pickles as the bytes of its graph (theon/serialize.hpp:
  every node's op with its parameters, constants inline), with the graph's
  leaves (root and shared variables) as Python objects next to them, so one
  pickle that holds a function and its shared variables loads them as the
  same objects.
- A compiled function pickles as the arguments it was compiled from, and
  is compiled again when loaded (its native code then comes from the cache).

Every pickle starts its arguments with FORMAT; a pickle of another format
gives a clear error, never a wrong object."""
import copyreg

import numpy as np

from . import _core

# The layout of what this module writes; loading checks it.
FORMAT = 1


class UnpicklingError(ValueError):
    """A pickle of theon objects this theon cannot read."""


def _check(fmt):
    if fmt != FORMAT:
        raise UnpicklingError("this pickle holds theon objects in format %r; this theon reads format %d (pickled by "
                              "another theon version: load it there and save the values, e.g. shared variables' "
                              "get_value())" % (fmt, FORMAT))


def _state(v):
    """What a variable carries in Python (tag, default_update, ...)."""
    d = getattr(v, "__dict__", None)
    return dict(d) if d else None


# ---- types and variables -------------------------------------------------------------------


def _tensor_type(fmt, dtype, shape):
    _check(fmt)
    return _core.TensorType.from_shape(dtype, [-1 if s is None else s for s in shape])


def _reduce_type(t):
    return _tensor_type, (FORMAT, t.dtype, list(t.shape))


def _root(fmt, type_, name):
    _check(fmt)
    return type_(name)


def _constant(fmt, value, name):
    _check(fmt)
    return _core.constant(np.asarray(value), name)


def _graph_outputs(fmt, blob, leaves, python_ops):
    _check(fmt)
    return _core.load_graph(blob, list(leaves), list(python_ops))


def _graph_output(fmt, blob, leaves, python_ops, index):
    return _graph_outputs(fmt, blob, leaves, python_ops)[index]


def save_graph(outputs):
    """(FORMAT, bytes, leaves, python ops): what _graph_outputs rebuilds `outputs` from."""
    blob, leaves, ops = _core.save_graph(list(outputs))
    return FORMAT, blob, leaves, ops


def _reduce_variable(v):
    if v.owner is None:
        return _root, (FORMAT, v.type, v.name), _state(v)
    return _graph_output, save_graph([v]) + (0,), _state(v)


def _reduce_constant(v):
    return _constant, (FORMAT, np.array(v.data, copy=True), v.name), _state(v)


# ---- shared variables --------------------------------------------------------------------


def _shared(fmt, value, name, broadcastable, strict, allow_downcast):
    _check(fmt)
    from .compile.sharedvalue import shared
    if isinstance(value, np.ndarray):
        return shared(value, name=name, strict=strict, allow_downcast=allow_downcast, broadcastable=broadcastable,
                      borrow=True)
    return shared(value, name=name, strict=strict, allow_downcast=allow_downcast, borrow=True)


def _reduce_shared(v):
    state = _state(v) or {}
    strict, allow_downcast = state.pop("_filter_flags", (False, None))
    codec = state.get("_codec")
    value = v.get_value(borrow=False)
    if codec is not None:
        state.pop("_codec")  # the value (a RandomState) makes its own codec again
    return (_shared, (FORMAT, value, v.name, tuple(v.broadcastable) if isinstance(value, np.ndarray) else None,
                      strict, allow_downcast), state or None)


# ---- compiled functions ------------------------------------------------------------------


def _function(fmt, args, state):
    _check(fmt)
    from .compile.function import Function
    f = Function(*args)
    f._restore(state)
    return f


def _reduce_function(f):
    return _function, (FORMAT, f._pickle_args(), f._pickle_state())


def register():
    """Teaches pickle and copy theon's C++ classes (Python classes pickle by their own __reduce__)."""
    copyreg.pickle(_core.TensorType, _reduce_type)
    copyreg.pickle(_core.TensorVariable, _reduce_variable)
    copyreg.pickle(_core.TensorConstant, _reduce_constant)
    copyreg.pickle(_core.TensorSharedVariable, _reduce_shared)
