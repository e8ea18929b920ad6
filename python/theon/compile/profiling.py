"""Per-node profiles of compiled functions (Theano's ``theano.compile.profiling``).

``function(..., profile=True)`` (or ``config.profile = True``) makes every call
of the function time each node of its schedule; ``f.profile.summary()`` prints
Theano's tables: the function's calls and time, time by op class, by op and by
node, and the bytes each node's outputs take. With ``config.profile`` the
summaries of every profiled function are printed when the process exits.
"""
import atexit
import sys

__all__ = ["ProfileStats"]


def _op_class(node):
    """The op's class as Theano's tables show it: its name without parameters."""
    name = node.op.name
    return name.split("{", 1)[0]


class ProfileStats(object):
    """What a profiled function measured: read live from the function, so a
    summary printed later includes the calls made since.

    Attributes (Theano's): ``fct_callcount``, ``fct_call_time``,
    ``apply_time`` and ``apply_callcount`` (dicts keyed by Apply node),
    ``variable_bytes``: the bytes of each node's outputs on the last call.
    """

    def __init__(self, name=None, fn=None, atexit_print=True, gpu_checks=True, **kwargs):
        # atexit_print: with config.profile, every profile prints its summary at exit (function() registers it);
        # gpu_checks and Theano's other keywords concern its GPU and C linkers.
        self.name = name
        self._fn = fn
        self.atexit_print = atexit_print

    def _stats(self):
        if self._fn is None:
            return 0, 0.0, []
        return self._fn.profile_stats()

    @property
    def fct_callcount(self):
        return self._stats()[0]

    @property
    def fct_call_time(self):
        return self._stats()[1]

    @property
    def apply_time(self):
        return {node: seconds for node, _, seconds, _ in self._stats()[2]}

    @property
    def apply_callcount(self):
        return {node: calls for node, calls, _, _ in self._stats()[2]}

    @property
    def variable_bytes(self):
        return {node: nbytes for node, _, _, nbytes in self._stats()[2]}

    def class_time(self):
        """Seconds by op class (``Gemm``, ``Elemwise``, ``Dot``, ...)."""
        out = {}
        for node, _, seconds, _ in self._stats()[2]:
            out[_op_class(node)] = out.get(_op_class(node), 0.0) + seconds
        return out

    def op_time(self):
        """Seconds by op (an op class with its parameters)."""
        out = {}
        for node, _, seconds, _ in self._stats()[2]:
            out[node.op.name] = out.get(node.op.name, 0.0) + seconds
        return out

    def summary(self, file=sys.stderr, n_ops_to_print=20, n_apply_to_print=20):
        """Prints the function's profile: Theano's summary tables."""
        calls, call_time, nodes = self._stats()
        total = sum(s for _, _, s, _ in nodes)
        w = file.write
        w("Function profiling\n==================\n")
        w("  Message: %s\n" % (self.name,))
        w("  Time in %d calls to Function.__call__: %.6es\n" % (calls, call_time))
        if calls:
            w("  Time in Function.__call__ per call: %.6es\n" % (call_time / calls))
            w("  Time in thunks: %.6es (%.1f%%)\n" % (total, 100.0 * total / call_time if call_time else 0.0))
        w("  Total compiled nodes: %d\n\n" % len(nodes))
        if not calls:
            w("  (no calls yet)\n")
            return

        def table(title, rows, n):
            w("%s\n---\n" % title)
            w("<%% time> <sum %%> <apply time> <time per call> <#call> <%s>\n" % ("name",))
            acc = 0.0
            for label, seconds, ncalls in sorted(rows, key=lambda r: -r[1])[:n]:
                pct = 100.0 * seconds / total if total else 0.0
                acc += pct
                w("  %5.1f%%  %5.1f%%  %.3es  %.3es  %6d  %s\n"
                  % (pct, acc, seconds, seconds / max(ncalls, 1), ncalls, label))
            w("\n")

        by_class, by_op = {}, {}
        for node, ncalls, seconds, _ in nodes:
            for d, key in ((by_class, _op_class(node)), (by_op, node.op.name)):
                s, c = d.get(key, (0.0, 0))
                d[key] = (s + seconds, c + ncalls)
        table("Class", [(k, s, c) for k, (s, c) in by_class.items()], n_ops_to_print)
        table("Ops", [(k, s, c) for k, (s, c) in by_op.items()], n_ops_to_print)
        table("Apply", [("%d  %s" % (i, node), s, c) for i, (node, c, s, _) in enumerate(nodes)], n_apply_to_print)
        mem = sum(b for _, _, _, b in nodes)
        w("Memory profile\n---\n  Bytes of the nodes' outputs on the last call: %d (%.1f KB)\n" % (mem, mem / 1024.0))
        for i, (node, _, _, b) in sorted(enumerate(nodes), key=lambda e: -e[1][3])[:n_apply_to_print]:
            if b:
                w("  %10d  %d  %s\n" % (b, i, node))
        w("\n")


_profiled = []  # the profiles config.profile prints at exit (they keep their functions)


def register_for_exit(stats):
    """Remembers ``stats`` to be printed at exit (config.profile)."""
    _profiled.append(stats)


@atexit.register
def _print_at_exit():
    from ..configparser import config
    if not config.profile:
        return
    for stats in _profiled:
        if stats.fct_callcount:
            stats.summary(file=sys.stderr)
