"""Graph-level helpers that Theano kept in ``theano.tensor.opt``: the Assert op,
Theano's rewrite objects (``local_*``, over theon's rules: rewrite_names.py),
ShapeFeature and the register_* decorators.

``Assert(msg)(x, *conds)`` returns ``x`` once every scalar condition is true
at run time and raises ``AssertionError(msg)`` otherwise. The rewriter drops
conditions that are constant true (``useless_assert``); including the unsafe
rule ``remove_all_assert`` in a Mode removes every Assert.
"""
from .. import _core
from . import basic as _B

from .graph_api import MakeVector, Shape_i  # noqa: E402,F401  (the op classes Theano kept here)
from .graph_api import _OpClass, _ALL_CLASSES  # noqa: E402

from ..gof.opt import out2in, in2out  # noqa: E402,F401
from .rewrite_names import rewrite as _rewrite, optimizer as _optimizer  # noqa: E402
from .shape_feature import ShapeFeature  # noqa: E402,F401
from .register import (register_canonicalize, register_stabilize, register_specialize,  # noqa: E402,F401
                       register_uncanonicalize, register_specialize_device, register_useless)

__all__ = ["Assert", "assert_", "assert_op", "MakeVector", "Shape_i", "make_vector", "ShapeFeature"]

make_vector = MakeVector()
# Theano's graph optimizers built from a local rewrite.
mul_canonizer = _optimizer("mul_canonizer", "local_mul_canonizer")
add_canonizer = _optimizer("add_canonizer", "local_add_canonizer")


def __getattr__(name):
    """Theano's local_* rewrites: theon's counterpart rule, or a
    MissingRewrite that raises NotImplementedError when used."""
    try:
        return _rewrite(name)
    except AttributeError:
        raise AttributeError("module 'theano.tensor.opt' has no attribute %r" % (name,)) from None


class Assert(metaclass=_OpClass):
    """Theano's Assert op: ``Assert(msg)(value, *conditions)``;
    isinstance(node.op, Assert) holds for theon's Assert nodes."""

    __props__ = ("msg",)
    _kinds, _when, _any = frozenset(["Assert"]), None, False

    def __init__(self, msg="Theano Assert failed!"):
        self.msg = str(msg)

    def __call__(self, value, *conds):
        value = _B.as_tensor_variable(value)
        conds = [_B.as_tensor_variable(c) for c in conds]
        return _core.assert_op(value, conds, self.msg)

    def __eq__(self, other):
        return type(other) is Assert and other.msg == self.msg

    def __hash__(self):
        return hash(("Assert", self.msg))

    def __repr__(self):
        return "Assert{msg=%s}" % self.msg


_ALL_CLASSES.append(Assert)
assert_ = Assert()
# Theano's alias (unittest's assert_ made 2to3 rename the other one).
assert_op = assert_
