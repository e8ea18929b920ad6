"""theano.gof.op: the op base class (theon's T.Op: isinstance of any theon
op; an op written in Python subclasses it, docs/python-ops.md) and Theano's
test-value helpers (get_test_value, get_debug_values, ...)."""
import warnings

from ..configparser import config
from ..tensor.graph_api import Op  # noqa: F401
from . import graph, utils  # noqa: F401  (test_op reads op.utils.MethodNotDefined)

PureOp = Op


def get_test_value(v):
    """The test value of v: a constant's data, a shared variable's value, else
    v.tag.test_value (AttributeError when there is none). A value that is not
    a variable is made a constant first."""
    if not isinstance(v, graph.Variable):
        from ..tensor.basic import as_tensor_variable
        v = as_tensor_variable(v)
    if isinstance(v, graph.Constant):
        return v.data
    if hasattr(v, "get_value"):  # a shared variable
        return v.get_value(borrow=True)
    getter = getattr(v, "get_test_value", None)
    if getter is not None:
        return getter()
    tag = v.tag
    if not hasattr(tag, "test_value"):
        raise AttributeError("%s has no test value" % (v,))
    return tag.test_value


def missing_test_message(msg):
    """By config.compute_test_value: 'raise' raises AttributeError(msg),
    'warn' warns, 'ignore' and 'off' do nothing."""
    action = config.compute_test_value
    if action == "raise":
        raise AttributeError(msg)
    if action == "warn":
        warnings.warn(msg, stacklevel=2)


def debug_error_message(msg):
    """An error found in test values: ValueError(msg) ('raise' and 'ignore'),
    a warning ('warn')."""
    action = config.compute_test_value
    if action == "warn":
        warnings.warn(msg, stacklevel=2)
    else:
        raise ValueError(msg)


def debug_assert(condition, msg=None):
    """assert on test values: AssertionError, or a warning when compute_test_value is 'warn'."""
    if not condition:
        msg = msg or "debug_assert failed"
        if config.compute_test_value == "warn":
            warnings.warn(msg, stacklevel=2)
        else:
            raise AssertionError(msg)


def get_debug_values(*args):
    """[] when compute_test_value is 'off' or a test value is missing (then
    missing_test_message); else one element: the value (one argument) or the
    tuple of the arguments' test values."""
    if config.compute_test_value == "off":
        return []
    vals = []
    for i, arg in enumerate(args):
        try:
            vals.append(get_test_value(arg))
        except AttributeError:
            name = getattr(arg, "name", None)
            missing_test_message("Argument %d%s has no test value" % (i, "('%s')" % name if name else ""))
            return []
    return vals if len(vals) == 1 else [tuple(vals)]
