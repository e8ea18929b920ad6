"""theano.gof.optdb: Theano's Query and optimizer database over theon's phases.

`compile.optdb.query(Query(include=['fast_run'], position_cutoff=1.51))`
gives an optimizer that runs theon's phases up to that position in Theano's
order (compile.mode.PHASE_POSITIONS)."""
import math

from . import opt as _opt


class Query(object):
    """Which rewrites to take: tags to include, require and exclude, and the
    position in Theano's phase order after which nothing runs."""

    def __init__(self, include, require=None, exclude=None, subquery=None, position_cutoff=math.inf,
                 extra_optimizations=None):
        self.include = set(include)
        self.require = set(require or ())
        self.exclude = set(exclude or ())
        self.subquery = subquery or {}
        self.position_cutoff = position_cutoff
        self.extra_optimizations = list(extra_optimizations or ())

    def including(self, *tags):
        return Query(self.include | set(tags), self.require, self.exclude, self.subquery, self.position_cutoff)

    def excluding(self, *tags):
        return Query(self.include, self.require, self.exclude | set(tags), self.subquery, self.position_cutoff)

    def requiring(self, *tags):
        return Query(self.include, self.require | set(tags), self.exclude, self.subquery, self.position_cutoff)

    def __str__(self):
        return "Query{inc=%s,ex=%s,require=%s,position_cutoff=%s}" % (
            sorted(self.include), sorted(self.exclude), sorted(self.require), self.position_cutoff)


class PhaseOptimizer(_opt.Optimizer):
    """theon's rewriter restricted as a Query says: optimize(fgraph) rewrites it in place."""

    def __init__(self, level, including, excluding, requiring):
        self.level, self.including, self.excluding, self.requiring = level, including, excluding, requiring

    def apply(self, fgraph):
        return _opt.rewrite_fgraph(fgraph, self.level, self.including, self.excluding, self.requiring)

    def __str__(self):
        return "PhaseOptimizer(%s, including=%s, excluding=%s)" % (self.level, self.including, self.excluding)


class SequenceDB(object):
    """Theano's optdb: query(Query) gives the optimizer that runs theon's phases as asked."""

    def query(self, *tags, **kwtags):
        q = tags[0] if len(tags) == 1 and isinstance(tags[0], Query) else Query(
            include=[t[1:] for t in tags if t.startswith("+")] or [t for t in tags if t[0] not in "+-"],
            exclude=[t[1:] for t in tags if t.startswith("-")])
        from ..compile.mode import query_options
        return PhaseOptimizer(*query_options(q))


optdb = SequenceDB()
