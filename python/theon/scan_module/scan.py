"""theano.scan: loops whose step is a graph, with Theano 1.0's signature.

The step function `fn` is called once, with placeholders, to build the step
graph; theon's Scan op (C++) then runs it once per step. Sequences are read
row by row (with taps: several rows around the current one), outputs with
``outputs_info`` are fed back (with taps: several earlier values), the others
are stacked. Shared variables that the step updates (its ``updates``, and the
default updates of random streams drawn in it) are states of the loop whose
last values come back in the returned updates.
"""
import numbers
from collections import OrderedDict

import numpy as np

from .. import _core
from .. import tensor as T
from ..updates import OrderedUpdates


class until(object):
    """The stop condition of a scan step: return ``until(cond)`` beside the
    outputs (and updates), and the loop stops after the step where cond holds.

    Parameters
    ----------
    condition : scalar
        A boolean (or integer) scalar of the step.
    """

    def __init__(self, condition):
        c = T.as_tensor_variable(condition)
        if c.ndim != 0:
            raise TypeError("until: the condition must be a scalar, got %s" % (c.type,))
        self.condition = c


def _is_var(x):
    return isinstance(x, T.Variable)


def _is_updates(x):
    if isinstance(x, dict):
        return True
    return (isinstance(x, (list, tuple)) and len(x) > 0 and
            all(isinstance(e, (list, tuple)) and len(e) == 2 and _is_var(e[0]) for e in x))


def _is_outputs(x):
    if _is_var(x) or x is None:
        return True
    return isinstance(x, (list, tuple)) and all(_is_var(e) or isinstance(e, (numbers.Number, np.ndarray)) for e in x)


def _as_list(x):
    if x is None:
        return []
    if isinstance(x, (list, tuple)):
        return list(x)
    return [x]


def get_updates_and_outputs(ls):
    """(condition, outputs, updates) from what a scan step returned, in any of
    the orders Theano accepted.

    Parameters
    ----------
    ls : object
        The step's return value.

    Returns
    -------
    tuple
    """
    if isinstance(ls, until):
        return ls.condition, [], OrderedDict()
    if _is_updates(ls) and not _is_outputs(ls):
        return None, [], OrderedDict(ls)
    if _is_outputs(ls):
        return None, _as_list(ls), OrderedDict()
    if isinstance(ls, (list, tuple)):
        cond, outs, upds = None, None, None
        for e in ls:
            if isinstance(e, until) and cond is None:
                cond = e.condition
            elif upds is None and ((_is_updates(e) and not _is_outputs(e)) or
                                   (outs is not None and isinstance(e, (list, tuple, dict)) and len(e) == 0)):
                upds = OrderedDict(e)
            elif _is_outputs(e) and outs is None:
                outs = _as_list(e)
            else:
                break
        else:
            return cond, outs or [], upds or OrderedDict()
    raise ValueError("scan: the step function must return outputs (a variable or a list of them), optionally with an "
                     "updates dictionary and an until(condition), in any order; got %r" % (ls,))


def _first_step_test_value(inner, outer, row):
    """With config.compute_test_value, the step's graph is built on the
    values of its first step: row `row` of the outer value's test value."""
    tv = outer._test_value
    if tv is not None and 0 <= row < len(tv):
        inner._test_value = tv[row]


def _placeholder(ttype, name):
    return ttype(name)


def _row_type(v):
    return T.TensorType(v.dtype, v.broadcastable[1:])


def _shared_default_updates(exprs, skip):
    """(shared variable, default update) pairs the step graph reads (random streams' states)."""
    from ..compile.function import _default_updates
    return [(sv, upd) for sv, upd in _default_updates(exprs, skip, False)]


def scan(fn, sequences=None, outputs_info=None, non_sequences=None, n_steps=None, truncate_gradient=-1,
         go_backwards=False, mode=None, name=None, profile=False, allow_gc=None, strict=False, return_list=False):
    """Theano's scan: iterate `fn` over sequences, feeding back outputs.

    Parameters
    ----------
    fn : callable
        Called once with placeholders: the sequences' rows (per tap), the
        fed-back outputs' earlier values (per tap), then the non-sequences.
        Returns outputs, and optionally an updates dictionary and
        ``until(condition)``.
    sequences : variable, dict or list of them, optional
        Iterated along the first axis; a dict ``{'input': x, 'taps': [-1, 0, 2]}``
        reads several rows around the current one.
    outputs_info : list, optional
        Per output: None (not fed back), the initial value (fed back as tap
        -1), or ``{'initial': x0, 'taps': [-2, -1]}`` (x0's first rows are the
        values before step 0).
    non_sequences : list, optional
        Passed unchanged to every step.
    n_steps : int or integer scalar, optional
        The number of steps (needed without sequences); at most the
        sequences' length.
    truncate_gradient : int, optional
        Backpropagate through the last this many steps only (-1: all).
    go_backwards : bool, optional
        Iterate the sequences from their end.
    mode, name, profile, allow_gc, strict : optional
        Accepted for Theano's signature; `name` labels the op.
    return_list : bool, optional
        Return a list even for one output.

    Returns
    -------
    (outputs, updates)
        outputs: per output the values of every step (n_steps rows); updates:
        an OrderedUpdates to pass to ``function`` (shared variables updated
        in the step).

    Examples
    --------
    >>> import numpy as np
    >>> import theon
    >>> import theon.tensor as T
    >>> x = T.dvector("x")
    >>> cumsum, _ = theon.scan(lambda v, acc: acc + v, sequences=x, outputs_info=np.asarray(0.0))
    >>> theon.function([x], cumsum)(np.array([1.0, 2.0, 3.0])).tolist()
    [1.0, 3.0, 6.0]
    """
    label = name or "scan"
    seqs = _as_list(sequences)
    outs_info = _as_list(outputs_info) if not isinstance(outputs_info, dict) else [outputs_info]
    non_seqs = _as_list(non_sequences)

    # Sequences: one outer slice and one step placeholder per tap.
    seq_pairs, step_args, lengths = [], [], []
    for i, s in enumerate(seqs):
        if isinstance(s, dict):
            if "input" not in s:
                raise ValueError("%s: a sequence dict needs 'input'" % label)
            taps = s.get("taps", [0])
            x, taps = T.as_tensor_variable(s["input"]), list(taps) if isinstance(taps, (list, tuple)) else [taps]
        else:
            x, taps = T.as_tensor_variable(s), [0]
        if len(set(taps)) != len(taps):
            raise ValueError("%s: sequence %d repeats a tap: %s" % (label, i, taps))
        if x.ndim < 1:
            raise ValueError("%s: sequence %d must have at least one dimension, got %s" % (label, i, x.type))
        if not taps:
            continue
        if go_backwards:
            x = x[::-1]
        # Rows are cut as if tap 0 were read too (Theano's rule): taps all below
        # or all above 0 do not shorten the sequence twice.
        lo, hi = min(min(taps), 0), max(max(taps), 0)
        n_x = x.shape[0] - (hi - lo)
        lengths.append(n_x)
        for k in taps:
            outer = x[k - lo:x.shape[0] - (hi - k)]
            inner = _placeholder(_row_type(x), "%s[t%+d]" % (x.name or "seq%d" % i, k) if k else x.name)
            _first_step_test_value(inner, outer, 0)
            seq_pairs.append((outer, inner))
            step_args.append(inner)

    if n_steps is None:
        if not lengths:
            raise ValueError("%s: without sequences, n_steps must be given" % label)
        n = lengths[0]
        for ln in lengths[1:]:
            n = T.minimum(n, ln)
    else:
        n = T.as_tensor_variable(n_steps)
        if n.ndim != 0 or not str(n.dtype).startswith(("int", "uint")):
            raise TypeError("%s: n_steps must be an integer scalar, got %s" % (label, n.type))
        if isinstance(n_steps, numbers.Integral) and n_steps < 0:
            raise ValueError("%s: n_steps must be >= 0, got %d" % (label, n_steps))
        # With sequences too, each must have n_steps rows (checked when it runs).
    n = T.cast(n, "int64")

    # Fed-back outputs: initial rows and one placeholder per tap.
    kinds = []  # per output: ("state", taps, init) or ("out",)
    for i, info in enumerate(outs_info):
        if info is None:
            kinds.append(("out",))
            continue
        if isinstance(info, dict):
            if info.get("initial") is None:
                if info.get("taps"):
                    raise ValueError("%s: output %d has taps but no initial value" % (label, i))
                kinds.append(("out",))
                continue
            taps = info.get("taps", [-1])
            init, taps = T.as_tensor_variable(info["initial"]), list(taps) if isinstance(taps, (list, tuple)) else [taps]
        else:
            init, taps = T.as_tensor_variable(info), [-1]
        if not taps or any(t >= 0 for t in taps) or len(set(taps)) != len(taps):
            raise ValueError("%s: the taps of output %d must be distinct and negative, got %s" % (label, i, taps))
        L = -min(taps)
        if taps == [-1]:  # the initial value is the state itself
            outer_init = T.shape_padleft(init)
            row = init
        else:
            if init.ndim < 1:
                raise ValueError("%s: output %d reads %d steps back: its initial value needs a first axis of at "
                                 "least %d rows, got %s" % (label, i, L, L, init.type))
            outer_init = init[:L]
            row = init[0]
        by_tap = {}
        for t in taps:  # the step gets them in the order given
            p = _placeholder(T.TensorType(row.dtype, row.broadcastable), "%s[t%d]" % (init.name or "out%d" % i, t))
            _first_step_test_value(p, outer_init, L + t)
            by_tap[t] = p
            step_args.append(p)
        kinds.append(("state", sorted(taps), outer_init, [by_tap[t] for t in sorted(taps)]))

    # Non-sequences: placeholders for symbolic ones; shared variables and constants as they are.
    # Non-sequences: the step gets the variables themselves (a gradient taken in
    # the step with respect to one is the true one); afterwards each symbolic
    # one becomes a parameter of the loop, computed once outside it.
    non_seqs = [v if isinstance(v, T.Variable) else T.as_tensor_variable(v) for v in non_seqs]
    step_args.extend(non_seqs)

    cond, outs, updates = get_updates_and_outputs(fn(*step_args))
    if not outs_info:
        kinds = [("out",)] * len(outs)
    if len(outs) != len(kinds):
        raise ValueError("%s: the step returns %d outputs but outputs_info describes %d; give None in outputs_info "
                         "for each output that is not fed back" % (label, len(outs), len(kinds)))
    outs = [T.as_tensor_variable(o) for o in outs]

    # A step that widens a state (an int8 initial value from a Python 0, say)
    # starts from the wider dtype: its placeholders are retyped and the step
    # graph rebuilt on them, until the dtypes agree.
    for _ in range(3):
        subs = []
        for i, (kind, o) in enumerate(zip(kinds, outs)):
            if kind[0] != "state" or o.dtype == kind[2].dtype or not np.can_cast(kind[2].dtype, o.dtype, "safe"):
                continue
            wide = [_placeholder(T.TensorType(o.dtype, p.broadcastable), p.name) for p in kind[3]]
            subs += list(zip(kind[3], wide))
            kinds[i] = ("state", kind[1], T.cast(kind[2], o.dtype), wide)
        if not subs:
            break
        exprs = outs + list(updates.values()) + ([cond] if cond is not None else [])
        new = [T.as_tensor_variable(v) for v in _core.clone_replace(exprs, subs)]
        outs, rest = new[:len(outs)], new[len(outs):]
        updates = OrderedDict(zip(updates.keys(), rest[:len(updates)]))
        if cond is not None:
            cond = rest[-1]

    states, nit, where = [], [], []
    for i, (kind, o) in enumerate(zip(kinds, outs)):
        if kind[0] == "state":
            _, taps, outer_init, placeholders = kind
            if o.dtype != outer_init.dtype:
                raise TypeError("%s: output %d of the step has dtype %s but its initial value (outputs_info) has "
                                "dtype %s; a fed-back output keeps its dtype (cast one of them)"
                                % (label, i, o.dtype, outer_init.dtype))
            if o.ndim != outer_init.ndim - 1:
                raise ValueError("%s: output %d of the step has %d dimensions but its initial value has %d"
                                 % (label, i, o.ndim, outer_init.ndim - 1))
            where.append(("state", len(states)))
            states.append((outer_init, taps, placeholders, o, True))
        else:
            where.append(("out", len(nit)))
            nit.append(o)

    # Shared variables the step updates: explicit updates, then the default
    # updates (random streams) of shared variables the step reads.
    upd = OrderedDict((sv, T.as_tensor_variable(e)) for sv, e in updates.items())
    skip = {sv._id for sv in upd}
    exprs = list(outs) + list(upd.values()) + ([cond] if cond is not None else [])
    for sv, e in _shared_default_updates(exprs, skip):
        upd[sv] = e
    upd_order = []
    for sv, e in upd.items():
        if not _is_shared(sv):
            raise TypeError("%s: updates must be of shared variables, got %r" % (label, sv))
        if e.dtype != sv.dtype:
            e = T.cast(e, sv.dtype)
        states.append((T.shape_padleft(sv), [-1], [sv], e, False))
        upd_order.append(sv)

    if truncate_gradient is None or truncate_gradient < -1:
        raise ValueError("%s: truncate_gradient must be -1 or >= 0, got %r" % (label, truncate_gradient))
    if strict:
        given = {id(v) for v in non_seqs} | {id(p) for st in states for p in st[2]} | {id(p) for _, p in seq_pairs}
        exprs = [st[3] for st in states] + nit + ([cond] if cond is not None else [])
        from ..gof.graph import inputs as _graph_inputs
        from .._errors import MissingInputError
        for v in _graph_inputs(exprs):
            if id(v) not in given and not isinstance(v, T.TensorConstant) and not _is_shared(v):
                raise MissingInputError("%s (strict=True): the step reads %s, which is neither a sequence, an output "
                                        "nor a non-sequence" % (label, v))
            if _is_shared(v) and id(v) not in given and v not in upd:
                raise MissingInputError("%s (strict=True): the step reads the shared variable %s; pass it in "
                                        "non_sequences" % (label, v))
    param_pairs = []
    hoisted = [v for v in non_seqs if not isinstance(v, T.TensorConstant) and not _is_shared(v)]
    if hoisted:
        pairs = [(v, _placeholder(v.type, v.name)) for v in dict.fromkeys(hoisted)]
        exprs = ([st[3] for st in states] + nit + ([cond] if cond is not None else []))
        new = _core.clone_replace(exprs, pairs)
        k = 0
        for j, st in enumerate(states):
            states[j] = st[:3] + (new[k],) + st[4:]
            k += 1
        nit = new[k:k + len(nit)]
        k += len(nit)
        if cond is not None:
            cond = new[k]
        param_pairs = pairs
    results = _core.scan(n, seq_pairs, states, nit, param_pairs, cond, label, int(truncate_gradient))
    n_states = len(states)
    outputs = [results[k] if w == "state" else results[n_states + k] for w, k in where]
    out_updates = OrderedUpdates()
    n_kept = n_states - len(upd_order)
    for j, sv in enumerate(upd_order):
        out_updates[sv] = results[n_kept + j]
    if len(outputs) == 1 and not return_list:
        return outputs[0], out_updates
    return outputs, out_updates


def _is_shared(v):
    from ..compile.sharedvalue import SharedVariable
    return isinstance(v, SharedVariable)
