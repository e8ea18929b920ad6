"""Graph-level helpers that Theano kept in ``theano.tensor.opt``: the Assert op.

``Assert(msg)(x, *conds)`` returns ``x`` once every scalar condition is true
at run time and raises ``AssertionError(msg)`` otherwise. The rewriter drops
conditions that are constant true (``useless_assert``); including the unsafe
rule ``remove_all_assert`` in a Mode removes every Assert.
"""
from .. import _core
from . import basic as _B

from .graph_api import MakeVector, Shape_i  # noqa: E402,F401  (the op classes Theano kept here)

__all__ = ["Assert", "assert_", "assert_op", "MakeVector", "Shape_i"]


class Assert:
    """Theano's Assert op: ``Assert(msg)(value, *conditions)``."""

    __props__ = ("msg",)

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


assert_ = Assert()
# Theano's alias (unittest's assert_ made 2to3 rename the other one).
assert_op = assert_
