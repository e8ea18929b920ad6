"""theano.tensor.xlogx: x * log(x) and x * log(y), taken as 0 where x == 0."""
from . import basic as _b


def xlogx(x):
    """x * log(x), 0 where x == 0 (its limit)."""
    x = _b.as_tensor_variable(x)
    return _b.switch(_b.eq(x, 0), _b.zeros_like(x * _b.log(x)), x * _b.log(x))


def xlogy0(x, y):
    """x * log(y), 0 where x == 0 (whatever y is)."""
    x, y = _b.as_tensor_variable(x), _b.as_tensor_variable(y)
    r = x * _b.log(y)
    return _b.switch(_b.eq(x, 0), _b.zeros_like(r), r)
