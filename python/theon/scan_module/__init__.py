"""Theano's ``theano.scan_module``: scan, until, and the loops built on scan
(map, reduce, foldl, foldr)."""
from .scan import scan, until, get_updates_and_outputs  # noqa: F401
from .scan_utils import map, reduce, foldl, foldr  # noqa: F401,A004
from . import scan_op  # noqa: F401,E402
from .scan_checkpoints import scan_checkpoints  # noqa: F401,E402
