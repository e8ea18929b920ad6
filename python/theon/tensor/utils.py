"""theano.tensor.utils: hash_from_ndarray and shape_of_variables."""
import hashlib

import numpy as np


def hash_from_ndarray(data):
    """A hex digest of an array's values, shape and dtype: equal for an
    array and its copies (whatever their strides), different when any of
    the three differs."""
    data = np.ascontiguousarray(data)
    h = hashlib.sha256()
    h.update(str(data.shape).encode())
    h.update(data.dtype.str.encode())
    h.update(data.tobytes())
    return h.hexdigest()


def shape_of_variables(fgraph, input_shapes):
    """The shape (a tuple of ints) of every variable of fgraph, given the
    shapes of its inputs ({input: shape}). The shapes come from a function of
    the inputs computing only shapes, called with zeros of the given shapes:
    a shape that depends on the values (nonzero's) is the one for zeros."""
    from ..compile import function
    from ..gof import graph
    if not set(input_shapes).issubset(set(fgraph.inputs)):
        raise ValueError("shape_of_variables: the keys of input_shapes are not inputs of the FunctionGraph; "
                         "FunctionGraph clones its graph unless made with clone=False")
    missing = [v for v in fgraph.inputs if v not in input_shapes]
    if missing:
        raise ValueError("shape_of_variables: no shape given for the input %s" % (missing[0],))
    variables = [v for v in graph.variables(fgraph.inputs, fgraph.outputs) if hasattr(v, "ndim")]
    fn = function(list(fgraph.inputs), [v.shape for v in variables], on_unused_input="ignore")
    values = fn(*[np.zeros(input_shapes[v], dtype=v.dtype) for v in fgraph.inputs])
    return {v: tuple(int(n) for n in s) for v, s in zip(variables, values)}
