"""theano.compile.io: function()'s input and output specifications."""
from .function import In, Out  # noqa: F401

SymbolicInput, SymbolicOutput = In, Out
