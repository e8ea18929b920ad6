"""Theano's ``theano.scan_module.scan_op``: the Scan op class, for isinstance
checks on graph nodes (theon's Scan is a C++ op)."""
from ..tensor.graph_api import Op as _Op, _op_class

Scan = _op_class("Scan", ["Scan"], _Op, hint="build loops with theon.scan")
