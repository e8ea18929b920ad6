"""Theano's ShapeFeature: what a FunctionGraph knows about its variables' shapes.

theon answers shapes with its rewrite rules rather than a feature kept up to
date: `x.shape[i]` becomes its inputs' sizes (shape_i_lift) or a constant,
and equal answers are merged. same_shape(x, y) asks whether those answers are
the same variable (or equal constants), as Theano's compared its shape_of
entries: a size theon cannot prove equal is reported as not the same."""
from .. import _core
from ..gof import graph as _graph
from . import basic as _B

# The rules that turn Shape_i of a variable into its inputs' sizes.
_SHAPE_RULES = ["shape_i_lift", "shape_to_make_vector", "constant_folding", "merge"]


class ShapeFeature(object):
    """Attach to a FunctionGraph (fgraph.attach_feature(ShapeFeature()))."""

    fgraph = None

    def on_attach(self, fgraph):
        self.fgraph = fgraph

    def on_detach(self, fgraph):
        self.fgraph = None

    def _sizes(self, pairs):
        """Each (variable, axis) as the size theon's shape rules answer."""
        sizes = [_B.shape_i(v, d) for v, d in pairs]
        roots = [v for v in _graph.inputs(sizes) if v.owner is None and not isinstance(v, _B.TensorConstant)]
        fresh, copies = _graph.clone(roots, sizes)  # the rules run on a copy: the graph stays as it is
        out, _ = _core.rewrite_fgraph(fresh, copies, "none", _SHAPE_RULES, [], [])
        return list(out)

    def same_shape(self, x, y, dim_x=None, dim_y=None):
        """True when x's size along dim_x is provably y's along dim_y (every
        dimension when both are None)."""
        if dim_x is None and dim_y is None:
            if x.ndim != y.ndim:
                return False
            dims = [(d, d) for d in range(x.ndim)]
        else:
            dims = [(dim_x, dim_y)]
        for dx, dy in dims:
            for v, d in ((x, dx), (y, dy)):
                if not 0 <= d < v.ndim:
                    raise IndexError("ShapeFeature.same_shape: %s has %d dimensions, no dimension %d"
                                     % (v, v.ndim, d))
        if not dims:
            return True
        sizes = self._sizes([(x, dx) for dx, _ in dims] + [(y, dy) for _, dy in dims])
        n = len(dims)
        return all(_same(a, b) for a, b in zip(sizes[:n], sizes[n:]))


def _same(a, b):
    if a is b:
        return True
    if isinstance(a, _B.TensorConstant) and isinstance(b, _B.TensorConstant):
        return a.value == b.value
    return False
