"""theano.compile.debugmode: DebugMode, a mode whose functions check
themselves on every call (slowly), to find a wrong rewrite, kernel or op.

Each call of a function compiled with DebugMode:

- runs the graph as written (no rewrites) on the interpreter, then the
  rewritten graph; outputs or new shared values that differ raise
  BadOptimization, naming the rewrites whose exclusion makes them agree;
- runs every fused node that ran native code a second time on the VM's
  interpreter and compares (BadThunkOutput);
- checks that no node changed an input it does not declare it destroys
  (BadDestroyMap) and that no output shares memory with an input or with
  another output unless the op declares that view (BadViewMap); for an op
  written in Python, its perform runs on writeable copies first, so its
  declarations are checked too;
- checks every node's inputs and outputs are finite (InvalidValueError,
  check_isfinite=True).

Errors name the node, the line that built it and its input values."""
import numpy as np

from .. import _core
from ..configparser import config
from .mode import Mode
from .nanguardmode import describe_node


class DebugModeError(Exception):
    """An inconsistency DebugMode found."""


class BadThunkOutput(DebugModeError):
    """Two implementations of a node (native code and the interpreter) disagree."""

    def __init__(self, node, index, r_val, r_ref, where="", inputs=()):
        super().__init__("node %s: output %d differs between native code and the interpreter%s\n"
                         "  native:      %s\n  interpreter: %s%s" % (
                             describe_node(node), index, where, _short(r_val), _short(r_ref),
                             "".join("\n  input %d:     %s" % (k, _short(a)) for k, a in enumerate(inputs))))
        self.r, self.thunk1, self.val1, self.thunk2, self.val2 = node.outputs[index], "native", r_val, "vm", r_ref


class BadOptimization(DebugModeError):
    """The rewritten graph computes another value than the graph as written."""

    def __init__(self, what, new_r_val, old_r_val, reason):
        super().__init__("%s differs between the rewritten graph and the graph as written; %s\n"
                         "  rewritten: %s\n  as written: %s" % (what, reason, _short(new_r_val),
                                                                _short(old_r_val)))
        self.new_r_val, self.old_r_val, self.reason = new_r_val, old_r_val, reason


class BadDestroyMap(DebugModeError):
    """A node changed an input it does not declare in its destroy_map."""


class BadViewMap(DebugModeError):
    """An output shares memory with an input (or another output) without a view_map entry."""


class StochasticOrder(DebugModeError):
    """Rewriting the same graph twice gave different graphs (theon's rewriter is deterministic)."""


class InvalidValueError(DebugModeError):
    """A value that does not fit its type, or a NaN or infinity (check_isfinite)."""


class DebugModeWarning(UserWarning):
    """Something DebugMode noticed that is not an error."""


def _short(a):
    return np.array2string(np.asarray(a), threshold=20, edgeitems=3)


def _close(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.dtype.kind not in "fc":
        return np.array_equal(a, b)
    tol = 1e-4 if a.dtype in (np.float16, np.float32, np.complex64) else 1e-7
    return bool(np.allclose(a, b, rtol=tol, atol=tol, equal_nan=True))


def _same(a, b):
    """Bit-for-bit the same contents (NaNs too)."""
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.tobytes() == b.tobytes()


def _declared(op, attr, out):
    return set(getattr(op, attr, {}).get(out, ()))


def _user_op(op):
    return not isinstance(op, _core.Op)


class _NodeChecks(object):
    """The step hook of a DebugMode function: the checks of one node, before
    and after it runs. It holds no reference to the function (the hook lives
    in the compiled function, where Python's collector cannot see a cycle)."""

    def __init__(self, mode, name, fgraph):
        self.mode, self.name, self.before = mode, name, None
        # Variables other nodes read: two outputs may share memory when at
        # most one of them is read further (no later node can then destroy
        # one of them under the other), as Theano's DebugMode allowed.
        self.read = {i._id for n in fgraph.toposort() for i in n.inputs}

    def __call__(self, index, node, inputs, outs, interpreted):
        if outs is None:
            self.before = [np.array(a, copy=True) for a in inputs]
            if self.mode.check_isfinite:
                for k, a in enumerate(inputs):
                    self._finite("input %d" % k, node, a)
            if _user_op(node.op) and self.mode.check_py_code:
                self._check_python_op(node, inputs)
            return
        op = node.op
        destroyed = set(i for ins in getattr(op, "destroy_map", {}).values() for i in ins)
        for k, (a, b) in enumerate(zip(inputs, self.before)):
            if k not in destroyed and not _same(a, b):
                raise BadDestroyMap("node %s changed its input %d, which it does not declare in its destroy_map%s"
                                    % (describe_node(node), k, self._in()))
        self._check_views(node, inputs, outs)
        if interpreted is not None:
            for j, (a, b) in enumerate(zip(outs, interpreted)):
                if not _close(a, b):
                    raise BadThunkOutput(node, j, a, b, self._in(), self.before)
        if self.mode.check_isfinite:
            for j, o in enumerate(outs):
                self._finite("output %d" % j, node, o)

    def _in(self):
        return " (in %s)" % self.name if self.name else ""

    def _finite(self, what, node, a):
        a = np.asarray(a)
        if a.dtype.kind in "fc" and a.size and not np.isfinite(a).all():
            raise InvalidValueError("%s of node %s holds a NaN or an infinity%s: %s"
                                    % (what, describe_node(node), self._in(), _short(a)))

    def _check_views(self, node, inputs, outs):
        op = node.op
        for j, o in enumerate(outs):
            o = np.asarray(o)
            allowed = _declared(op, "view_map", j) | _declared(op, "destroy_map", j)
            for k, a in enumerate(inputs):
                if k not in allowed and o.size and np.may_share_memory(o, a):
                    raise BadViewMap("output %d of node %s shares memory with input %d, which its view_map and "
                                     "destroy_map do not declare%s" % (j, describe_node(node), k, self._in()))
            for j2 in range(j):
                o2 = np.asarray(outs[j2])
                both_read = node.outputs[j]._id in self.read and node.outputs[j2]._id in self.read
                if both_read and o.size and np.may_share_memory(o, o2) and not (
                        allowed & (_declared(op, "view_map", j2) | _declared(op, "destroy_map", j2))):
                    raise BadViewMap("outputs %d and %d of node %s share memory and are not views of one input%s"
                                     % (j2, j, describe_node(node), self._in()))

    def _check_python_op(self, node, inputs):
        """Runs a Python op's perform on writeable copies of its inputs and
        checks what it did against its declarations (theon itself hands
        perform read-only inputs and copies its outputs)."""
        op = node.op
        copies = [np.array(a, copy=True) for a in inputs]
        storage = [[None] for _ in node.outputs]
        op.perform(node, copies, storage)
        destroyed = set(i for ins in getattr(op, "destroy_map", {}).values() for i in ins)
        for k, (c, a) in enumerate(zip(copies, inputs)):
            if k not in destroyed and not _same(c, a):
                raise BadDestroyMap("%s.perform changed its input %d, which the op does not declare in its "
                                    "destroy_map (node %s)%s" % (type(op).__name__, k, describe_node(node), self._in()))
        outs = [cell[0] for cell in storage]
        if any(o is None for o in outs):
            return  # perform's own error comes when the node runs
        self._check_views(node, copies, outs)


class DebugMode(Mode):
    """A Mode (Theano's DebugMode) whose functions check every call: see the
    module's description. It is slow: each call runs the graph twice, copies
    every node's inputs and compares.

    Parameters
    ----------
    optimizer : str or gof.Query
        The rewrites (as Mode's), 'fast_run' by default.
    check_isfinite : bool
        Whether a NaN or an infinity in any node's input or output raises
        InvalidValueError (config.DebugMode.check_finite, True).
    check_py_code : bool
        Whether ops written in Python are run on copies to check their
        destroy_map and view_map (config.DebugMode.check_py, True).
    check_c_code : bool
        Whether fused nodes that run native code are compared with the
        interpreter (True).
    stability_patience, check_preallocated_output, require_matching_strides, linker : optional
        Accepted for Theano's signature (theon's rewriter is deterministic
        and its kernels allocate their own outputs).
    """

    def __init__(self, optimizer="fast_run", stability_patience=None, check_c_code=None, check_py_code=None,
                 check_isfinite=None, check_preallocated_output=None, require_matching_strides=None, linker=None):
        super().__init__(linker=linker, optimizer=optimizer)
        self.check_c_code = True if check_c_code is None else bool(check_c_code)
        self.check_py_code = config.DebugMode.check_py if check_py_code is None else bool(check_py_code)
        self.check_isfinite = config.DebugMode.check_finite if check_isfinite is None else bool(check_isfinite)
        self.check_preallocated_output = check_preallocated_output or ""
        self.stability_patience = stability_patience
        self.require_matching_strides = require_matching_strides

    def _attach(self, fn, compile_graph, outputs, updates):
        level, including, excluding, requiring = self.rewrite_options()
        fn._fn.set_step_hook(_NodeChecks(self, fn.name, fn._fn.fgraph), self.check_c_code)
        n = len(outputs)
        all_values = list(outputs) + [e for _, e in updates]

        def compile_reference(excluding=()):
            args = ("none", (), (), ()) if not excluding else (level, including, tuple(excluding), requiring)
            ref = compile_graph(*args, outputs=all_values, updates=[], mutable=[False] * len(fn._ins))
            ref.set_step_hook(_NodeChecks(self, fn.name, ref.fgraph), False)
            return ref

        fn._debug = (compile_reference(), compile_reference, n, [sv for sv, _ in updates],
                     sorted(fn._fn.rewrite_report["fired"]))
        return True

    def _call(self, fn, args, kwargs):
        if getattr(_core.TensorType, "filter_checks_isfinite", False):
            for k, a in enumerate(args):
                arr = np.asarray(a)
                if arr.dtype.kind in "fc" and not np.isfinite(arr).all():
                    raise ValueError("%s: argument %d holds a NaN or an infinity (TensorType.filter_checks_isfinite)"
                                     % (fn._where(), k))
        reference, compile_reference, n, shared, fired = fn._debug
        ref = self._run(fn, reference, args, kwargs)
        out = fn._unchecked_call(*args, **kwargs)
        got = out.values() if isinstance(out, dict) else out if isinstance(out, (list, tuple)) else [out]
        got = list(got) + [sv.get_value(borrow=True) for sv in shared]
        for j, (a, b) in enumerate(zip(got, ref)):
            if not _close(a, b):
                what = ("output %d" % j) if j < n else "the new value of shared variable %s" % (
                    shared[j - n].name or shared[j - n])
                culprits = [r for r in fired if _close(self._run(fn, compile_reference([r]), args, kwargs)[j], b)]
                reason = ("it agrees when the rewrite%s %s %s excluded: the first is the suspect"
                          % ("s" if len(culprits) > 1 else "", ", ".join(culprits), "are" if len(culprits) > 1
                             else "is") if culprits else
                          "no single rewrite's exclusion makes it agree (rewrites that fired: %s)" % ", ".join(fired))
                raise BadOptimization("%s of %s" % (what, fn.name), a, b, culprits[0] if culprits else reason)
        return out

    @staticmethod
    def _run(fn, compiled, args, kwargs):
        """The values of `compiled` (one of fn's graphs without updates) for fn's arguments, on copies."""
        vals = [np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in args]
        for key, a in kwargs.items():
            k = fn._input_index(key)
            vals += [None] * (k + 1 - len(vals))
            vals[k] = a
        vals = [fn._defaults[k] if v is None else v for k, v in enumerate(vals)]
        vals += fn._defaults[len(vals):]
        return list(compiled(*vals))
