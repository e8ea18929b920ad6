"""theon.gradient: symbolic differentiation, forward (Rop) and reverse (grad,
Lop), Jacobians and Hessians, gradient controls, and verify_grad. Theano 1.0's
names and semantics."""
import builtins

import numpy as np

from . import _core
from ._errors import DisconnectedInputError, NullTypeGradError  # noqa: F401
from .tensor import basic as B

__all__ = ["grad", "Rop", "Lop", "jacobian", "hessian", "subgraph_grad", "zero_grad", "disconnected_grad",
           "undefined_grad", "consider_constant", "grad_clip", "grad_scale", "grad_not_implemented",
           "grad_undefined", "DisconnectedType", "NullType", "numeric_grad", "verify_grad", "GradientError",
           "NullTypeGradError", "DisconnectedInputError"]


# ---- Types of the gradients that are not tensors ---------------------------------

class DisconnectedType(object):
    """The type of a gradient that is disconnected: the cost does not depend
    on the variable at all. ``DisconnectedType()()`` makes such a variable."""

    def __call__(self, name=None):
        return _DisconnectedVariable(self, name)

    def __eq__(self, other):
        return type(other) is type(self)

    def __hash__(self):
        return hash(type(self))

    def __str__(self):
        return "DisconnectedType"

    __repr__ = __str__


class _DisconnectedVariable(object):
    def __init__(self, type_, name):
        self.type, self.name, self.owner = type_, name, None

    def __repr__(self):
        return "<DisconnectedType>"


class NullType(object):
    """The type of a gradient that does not exist (undefined, or an op
    without a gradient); `why_null` says why. theon's null gradients are
    tensor variables whose node raises that reason if run; `is_null(v)` and
    `v.type` of a returned null gradient tell them apart."""

    def __init__(self, why_null="(no explanation given)"):
        self.why_null = why_null

    def __call__(self, name=None):
        """A null gradient not yet shaped like a variable: where a gradient is
        expected (an OpFromGraph override) it becomes one for that input."""
        return _NullVariable(self, name)

    def __eq__(self, other):
        return type(other) is type(self)

    def __hash__(self):
        return hash(type(self))

    def __str__(self):
        return "NullType"


class _NullVariable(object):
    def __init__(self, type_, name):
        self.type, self.name, self.owner = type_, name, None

    def __repr__(self):
        return "<NullType>"


def is_null(v):
    """Whether `v` is a null gradient (one that does not exist)."""
    return isinstance(v, B.TensorVariable) and _core.null_grad_reason(v) is not None


def _null_reason(op, x_pos, x, comment, what):
    op_name = op if isinstance(op, str) else getattr(op, "name", None)
    if not isinstance(op_name, str):
        op_name = type(op).__name__
    return "This variable is Null because the grad method for input %d (%s) of the %s op is %s. %s" % (
        x_pos, x, op_name, what, comment)


def grad_not_implemented(op, x_pos, x, comment=""):
    """The gradient of input `x_pos` of `op` is not implemented: a null
    gradient that makes grad() raise if it reaches a wrt."""
    return _core.null_grad(B.as_tensor_variable(x), _null_reason(op, x_pos, x, comment, "not implemented"))


def grad_undefined(op, x_pos, x, comment=""):
    """The gradient of input `x_pos` of `op` is mathematically undefined."""
    return _core.null_grad(B.as_tensor_variable(x), _null_reason(op, x_pos, x, comment, "mathematically undefined"))


# ---- Gradient controls -------------------------------------------------------------

def zero_grad(x):
    """`x` unchanged, but the gradient through it is zero (it stays connected)."""
    return _core.zero_grad(B.as_tensor_variable(x))


def disconnected_grad(x):
    """`x` unchanged, but no gradient flows back through it (disconnected)."""
    return _core.disconnected_grad(B.as_tensor_variable(x))


def undefined_grad(x):
    """`x` unchanged, but its gradient is undefined: grad() raises if asked."""
    return _core.undefined_grad(B.as_tensor_variable(x))


def consider_constant(x):
    """Deprecated in Theano in favour of zero_grad; the same here."""
    return _core.consider_constant(B.as_tensor_variable(x))


def grad_clip(x, lower_bound, upper_bound):
    """`x` unchanged; the gradient flowing back through it is clipped."""
    return _core.grad_clip(B.as_tensor_variable(x), float(lower_bound), float(upper_bound))


def grad_scale(x, multiplier):
    """`x` unchanged; the gradient flowing back through it is scaled."""
    return _core.grad_scale(B.as_tensor_variable(x), float(multiplier))


# ---- grad, Lop, Rop ----------------------------------------------------------------

def _as_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def format_as(use_list, use_tuple, outputs):
    """Theano's output structure: a list, a tuple, or the single element."""
    if use_list:
        return list(outputs)
    if use_tuple:
        return tuple(outputs)
    assert len(outputs) == 1
    return outputs[0]


# Theano's instance: ``disconnected_type()`` makes a disconnected gradient.
disconnected_type = DisconnectedType()


def _disconnected_value(w, mode):
    if mode == "zero":
        return B.zeros_like(w, dtype=w.dtype if w.dtype.startswith(("float", "complex")) else "float64")
    if mode == "None":
        return None
    return DisconnectedType()()


def _check_choice(fn, arg, value, choices):
    if value not in choices:
        raise ValueError("%s: %s must be one of %s, got %r" % (fn, arg, ", ".join(repr(c) for c in choices), value))


def grad(cost, wrt, consider_constant=None, disconnected_inputs="raise", add_names=True,
         known_grads=None, return_disconnected="zero", null_gradients="raise"):
    """The symbolic gradient of a scalar cost with respect to one or more variables.

    Parameters
    ----------
    cost : TensorVariable
        A 0-d variable (or None with ``known_grads``).
    wrt : TensorVariable or list of TensorVariable
        The variables to differentiate with respect to.
    consider_constant : list of TensorVariable, optional
        Variables treated as constants: no gradient flows through them.
    disconnected_inputs : {'raise', 'warn', 'ignore'}, optional
        What a wrt the cost does not depend on gives.
    add_names : bool, optional
        Accepted for Theano's signature.
    known_grads : dict, optional
        Gradients of intermediate variables, given; backpropagation starts
        from them (with or instead of cost). A known gradient is the
        variable's whole gradient: what the cost would send back through the
        variable is not added to it (Theano's rule).
    return_disconnected : {'zero', 'None', 'Disconnected'}, optional
        What is returned for a disconnected wrt.
    null_gradients : {'raise', 'return'}, optional
        Whether a gradient that does not exist (undefined or not implemented)
        raises or is returned as a null variable.

    Returns
    -------
    TensorVariable or list of TensorVariable
        The gradients, each of the shape and type of its wrt, in the structure
        of wrt.

    Examples
    --------
    >>> import theon.tensor as T
    >>> from theon import grad
    >>> x = T.dscalar('x')
    >>> gx = grad(x ** 2, x)
    """
    return _grad(cost, wrt, consider_constant, disconnected_inputs, add_names, known_grads, return_disconnected,
                 null_gradients, known_replace=True)


def _grad(cost, wrt, consider_constant=None, disconnected_inputs="raise", add_names=True, known_grads=None,
          return_disconnected="zero", null_gradients="raise", known_replace=True):
    """grad; with known_replace=False a known gradient adds to what the
    variable's readers send back (an inner graph's vector-Jacobian product,
    where one output may read another)."""
    _check_choice("grad", "return_disconnected", return_disconnected, ("zero", "None", "Disconnected"))
    _check_choice("grad", "null_gradients", null_gradients, ("raise", "return"))
    _check_choice("grad", "disconnected_inputs", disconnected_inputs, ("raise", "warn", "ignore"))
    single = not isinstance(wrt, (list, tuple))
    wrt_list = _as_list(wrt)
    for w in wrt_list:
        if not isinstance(w, B.TensorVariable):
            raise TypeError("grad: wrt must be symbolic variables, got %r" % (w,))
    if cost is not None:
        cost = B.as_tensor_variable(cost)
    known = []
    for k, v in (known_grads or {}).items():
        k = B.as_tensor_variable(k)
        v = B.as_tensor_variable(v)
        if v.dtype != k.dtype and not (k.dtype.startswith("int") or k.dtype.startswith("uint")):
            raise TypeError("grad: the known_grads entry for %s has dtype %s, but the variable has dtype %s"
                            % (k, v.dtype, k.dtype))
        ks, vs = k.static_shape, v.static_shape
        if len(ks) == len(vs) and any(a is not None and b is not None and a != b for a, b in zip(ks, vs)):
            raise ValueError("grad: the known_grads entry for %s has shape %s, but the variable has shape %s"
                             % (k, vs, ks))
        known.append((k, v))
    if cost is None and not known:
        raise ValueError("grad: cost is None and known_grads is empty: nothing to differentiate")
    consider = [B.as_tensor_variable(c) for c in (consider_constant or [])]
    gs = _core.grad(cost, wrt_list, consider, disconnected_inputs, known, null_gradients == "raise",
                    known_replace)
    if return_disconnected != "zero":
        roots = ([cost] if cost is not None else []) + [k for k, _ in known]
        connected = _connected(roots, wrt_list, consider)
        gs = [g if c else _disconnected_value(w, return_disconnected) for g, c, w in zip(gs, connected, wrt_list)]
    if add_names and cost is not None and cost.name:
        for g, w in zip(gs, wrt_list):
            if isinstance(g, B.TensorVariable) and w.name and not g.name:
                g.name = "(d%s/d%s)" % (cost.name, w.name)
    return gs[0] if single else gs


def _connected(roots, wrt, consider):
    """For each wrt: does any root depend on it at all?"""
    nodes = _core.toposort(roots)
    blocked = {c._id for c in consider}
    root_ids = {r._id for r in roots}
    out = []
    for w in wrt:
        reach = {w._id}
        for node in nodes:
            if any(i._id in reach for i in node.inputs):
                reach.update(o._id for o in node.outputs if o._id not in blocked)
        out.append(bool(reach & root_ids))
    return out


def Lop(f, wrt, eval_points, consider_constant=None, disconnected_inputs="raise"):
    """The L-operator: sum_i eval_points[i] . d f[i] / d wrt, i.e. a
    vector-Jacobian product (reverse mode with the given output gradients)."""
    fs, es = _as_list(f), _as_list(eval_points)
    if len(fs) != len(es):
        raise ValueError("Lop: %d outputs but %d eval_points; give one eval point per output" % (len(fs), len(es)))
    known = {}
    for fv, e in zip(fs, es):
        fv = B.as_tensor_variable(fv)
        e = B.as_tensor_variable(e)
        if e.ndim != fv.ndim:
            raise ValueError("Lop: the eval point for %s has %d dimensions, expected %d" % (fv, e.ndim, fv.ndim))
        if e.dtype != fv.dtype and fv.dtype.startswith(("float", "complex")):
            e = B.cast(e, fv.dtype)
        known[fv] = e
    ret = grad(None, _as_list(wrt), consider_constant=consider_constant, known_grads=known,
               disconnected_inputs=disconnected_inputs)
    return format_as(isinstance(wrt, list), isinstance(wrt, tuple), ret)


def Rop(f, wrt, eval_points, disconnected_outputs="raise", return_disconnected="zero"):
    """The R-operator: sum_j d f / d wrt[j] . eval_points[j], i.e. a
    Jacobian-vector product (forward mode). Returns f's structure."""
    _check_choice("Rop", "disconnected_outputs", disconnected_outputs, ("raise", "warn", "ignore"))
    _check_choice("Rop", "return_disconnected", return_disconnected, ("zero", "None", "Disconnected"))
    fs = [B.as_tensor_variable(v) for v in _as_list(f)]
    ws = _as_list(wrt)
    for w in ws:
        if not isinstance(w, B.TensorVariable):
            raise TypeError("Rop: wrt must be symbolic variables, got %r" % (w,))
    es = [B.as_tensor_variable(e) for e in _as_list(eval_points)]
    if len(ws) != len(es):
        raise ValueError("Rop: %d wrt variables but %d eval_points; give one eval point per wrt" % (len(ws), len(es)))
    res = _core.Rop(fs, ws, es, disconnected_outputs)
    out = [r if r is not None else _disconnected_value(fv, return_disconnected) for r, fv in zip(res, fs)]
    out = [_keep_inputs(r, fv) if r is not None else r for r, fv in zip(out, fs)]
    return format_as(isinstance(f, list), isinstance(f, tuple), out)


def _keep_inputs(r, fv):
    """r, depending also on every input of fv's graph: Theano's R-op gave the
    other inputs zero tangents that stayed in the graph, so code such as
    ``function([x, W, V], Rop(dot(x, W), W, V))`` (Theano's tutorial) passes W
    although dot(x, V) does not need it. The dependency is on the inputs'
    shapes only (size * 0, a few scalar ops), so the value is r's."""
    from .gof.graph import inputs as _graph_inputs
    if not isinstance(r, B.TensorVariable):
        return r
    have = {v._id for v in _graph_inputs([r])}
    for v in _graph_inputs([fv]):
        if v._id in have or isinstance(v, (B.TensorConstant, B.TensorSharedVariable)):
            continue
        r = r + B.cast(B.prod(B.shape(v)) * 0, r.dtype)
    return r


def subgraph_grad(wrt, end, start=None, cost=None, details=False):
    """Backpropagates from `end` (and `cost`) to `wrt` through a subgraph:
    `start` maps variables to gradients known for them (Theano's chained
    backpropagation). Returns (wrt gradients, end gradients) and, with
    details, also the gradients of the start and cost parts separately."""
    if cost is None and start is None:
        raise ValueError("subgraph_grad: give a cost, a start dict of known gradients, or both")
    end = list(end)
    wrt = list(wrt)
    params = list(set(wrt + end))
    start_grads, cost_grads = None, None
    if start is not None:
        start_grads = grad(None, params, known_grads=start, disconnected_inputs="ignore")
    if cost is not None:
        cost_grads = grad(cost, params, disconnected_inputs="ignore")
    if start_grads is None:
        grads = cost_grads
    elif cost_grads is None:
        grads = start_grads
    else:
        grads = [a + b for a, b in zip(start_grads, cost_grads)]
    by_param = dict(zip([p._id for p in params], grads))
    wrt_grads = [by_param[w._id] for w in wrt]
    end_grads = [by_param[e._id] for e in end]
    if details:
        return wrt_grads, end_grads, start_grads, cost_grads
    return wrt_grads, end_grads


# ---- Jacobians and Hessians ---------------------------------------------------------

def jacobian(expression, wrt, consider_constant=None, disconnected_inputs="raise"):
    """d expression / d wrt for a vector (or scalar) expression: for each wrt,
    a tensor of shape expression.shape + wrt.shape. The rows are computed by a
    loop op (Theano used scan), so the expression's length may be symbolic."""
    _check_choice("jacobian", "disconnected_inputs", disconnected_inputs, ("raise", "warn", "ignore"))
    expression = B.as_tensor_variable(expression)
    ws = [B.as_tensor_variable(w) for w in _as_list(wrt)]
    consider = [B.as_tensor_variable(c) for c in (consider_constant or [])]
    out = _core.jacobian(expression, ws, consider, disconnected_inputs, False)
    return format_as(isinstance(wrt, list), isinstance(wrt, tuple), out)


def hessian(cost, wrt, consider_constant=None, disconnected_inputs="raise"):
    """The Hessian of the scalar `cost` with respect to each vector in `wrt`
    (the Jacobian of the gradient), without a static length."""
    _check_choice("hessian", "disconnected_inputs", disconnected_inputs, ("raise", "warn", "ignore"))
    cost = B.as_tensor_variable(cost)
    ws = [B.as_tensor_variable(w) for w in _as_list(wrt)]
    consider = [B.as_tensor_variable(c) for c in (consider_constant or [])]
    out = _core.jacobian(cost, ws, consider, disconnected_inputs, True)
    return format_as(isinstance(wrt, list), isinstance(wrt, tuple), out)


# ---- Numeric checks -----------------------------------------------------------------

class numeric_grad(object):
    """One-sided finite-difference gradient of a scalar function at a point,
    with a dtype-dependent step (Theano's numeric_grad)."""
    type_eps = {"float64": 1e-7, "float32": 3e-4, "float16": 1e-1}

    def __init__(self, f, pt, eps=None, out_type=None):
        packed = not isinstance(pt, (list, tuple))
        pts = [np.array(p) for p in ([pt] if packed else pt)]
        dtypes = [str(p.dtype) for p in pts]
        for d in dtypes:
            if d not in self.type_eps:
                raise TypeError("numeric_grad: inputs must be float16/32/64 arrays, got dtype %s" % d)
        working = builtins.min((self.type_eps[d], d) for d in dtypes)[1]
        if eps is None:
            eps = builtins.max(self.type_eps[d] for d in dtypes)
        total = builtins.sum(int(p.size) for p in pts)
        x = np.empty(total, dtype=working)
        gx = np.empty(total, dtype=out_type if out_type and out_type.startswith("complex") else working)
        views, self.gf, pos = [], [], 0
        for p in pts:
            views.append(x[pos:pos + p.size].reshape(p.shape))
            self.gf.append(gx[pos:pos + p.size].reshape(p.shape))
            views[-1][...] = p
            pos += p.size
        f_x = f(*[v.copy() for v in views])
        x0 = x.copy()
        for i in range(total):
            x[:] = x0
            x[i] += eps
            gx[i] = (f(*[v.copy() for v in views]) - f_x) / eps
        if packed:
            self.gf = self.gf[0]

    @staticmethod
    def abs_rel_err(a, b):
        """(``|a - b|``, ``|a - b| / max(|a| + |b|, 1e-8)``)."""
        abs_err = np.abs(a - b)
        return np.asarray(abs_err), np.asarray(abs_err / np.maximum(np.abs(a) + np.abs(b), 1e-8))

    def abs_rel_errors(self, g_pt):
        if len(g_pt) != len(self.gf):
            raise ValueError("argument has wrong number of elements", len(g_pt))
        errs = []
        for i, (a, b) in enumerate(zip(g_pt, self.gf)):
            if np.shape(a) != np.shape(b):
                raise ValueError("argument element %i has wrong shape %s" % (i, (np.shape(a), np.shape(b))))
            errs.append(self.abs_rel_err(a, b))
        return errs

    def max_err(self, g_pt, abs_tol, rel_tol):
        """(argument, flat position, abs error, rel error) where
        min(abs_err / abs_tol, rel_err / rel_tol) is largest."""
        best = None
        for k, (abs_err, rel_err) in enumerate(self.abs_rel_errors(g_pt)):
            if not np.all(np.isfinite(abs_err)):
                raise ValueError("abs_err not finite", repr(abs_err))
            if not np.all(np.isfinite(rel_err)):
                raise ValueError("rel_err not finite", repr(rel_err))
            scaled = np.minimum(abs_err / abs_tol, rel_err / rel_tol).ravel()
            i = int(scaled.argmax()) if scaled.size else 0
            cand = (scaled[i] if scaled.size else 0.0, k, i, abs_err.ravel()[i] if scaled.size else 0.0,
                    rel_err.ravel()[i] if scaled.size else 0.0)
            if best is None or cand[0] > best[0]:
                best = cand
        return best[1:]


class GradientError(Exception):
    """The symbolic gradient and the numeric one differ beyond the tolerances."""

    def __init__(self, arg, err_pos, shape, val1, val2, abs_err, rel_err, abs_tol, rel_tol):
        Exception.__init__(self)
        self.arg, self.err_pos, self.shape, self.val1, self.val2 = arg, err_pos, shape, val1, val2
        self.abs_err, self.rel_err, self.abs_tol, self.rel_tol = abs_err, rel_err, abs_tol, rel_tol

    def __str__(self):
        extra = ", ".join(str(a) for a in self.args)
        return ("GradientError: numeric gradient and analytic gradient exceed tolerance:\n"
                "        At position %i of argument %i with shape %s,\n"
                "            val1 = %f      ,  val2 = %f\n"
                "            abs. error = %f,  abs. tolerance = %f\n"
                "            rel. error = %f,  rel. tolerance = %f\n"
                "Exception args: %s" % (self.err_pos, self.arg, self.shape, self.val1, self.val2, self.abs_err,
                                        self.abs_tol, self.rel_err, self.rel_tol, extra))


_TYPE_TOL = {"float16": 5e-2, "float32": 1e-2, "float64": 1e-4}


def verify_grad(fun, pt, n_tests=2, rng=None, eps=None, out_type=None, abs_tol=None, rel_tol=None, mode=None,
                cast_to_output_type=False, no_debug_ref=True):
    """Checks the symbolic gradient of `fun` (a function from symbolic inputs
    to one symbolic output) at the point `pt` (a list of arrays) against
    finite differences, through a random projection of the output; raises
    GradientError with the worst position if they differ."""
    from . import compile as C
    if not isinstance(pt, (list, tuple)):
        raise TypeError("verify_grad: pt must be a list or tuple of arrays")
    pt = [np.array(p) for p in pt]
    for i, p in enumerate(pt):
        if str(p.dtype) not in _TYPE_TOL:
            raise TypeError("verify_grad can work only with floating point inputs, but input %i has dtype \"%s\"."
                            % (i, p.dtype))
    if abs_tol is None:
        abs_tol = builtins.max(_TYPE_TOL[str(p.dtype)] for p in pt)
    if rel_tol is None:
        rel_tol = builtins.max(_TYPE_TOL[str(p.dtype)] for p in pt)
    if rng is None:
        raise TypeError("verify_grad: rng should be a numpy.random.RandomState; theon.tests.unittest_tools."
                        "verify_grad supplies a seeded one")
    tensor_pt = [B.tensor(str(p.dtype), shape=tuple(1 if s == 1 else None for s in p.shape), name="input %i" % i)
                 for i, p in enumerate(pt)]
    out = fun(*tensor_pt)
    if isinstance(out, (list, tuple)):
        raise NotImplementedError("verify_grad: cannot check the gradient of a function with several outputs")
    out = B.as_tensor_variable(out)

    def function(inputs, outputs, name):
        # accept_inplace as Theano's: checking an inplace op (its inputs are copies) is allowed
        return C.function(inputs, outputs, allow_input_downcast=True, on_unused_input="ignore", name=name,
                          accept_inplace=True)

    out_val = np.asarray(function(tensor_pt, out, "verify_grad forward")(*[p.copy() for p in pt]))

    def projection():
        r = rng.rand(*out_val.shape) + 0.5
        return np.asarray(r, dtype=out.dtype) if cast_to_output_type and out.dtype == "float32" else r
    t_r = C.shared(projection(), name="random_projection", borrow=True)
    cost = B.sum(t_r * out)
    cost_fn = function(tensor_pt, cost, "verify_grad cost")
    grad_fn = function(tensor_pt, grad(cost, tensor_pt, disconnected_inputs="ignore"), "verify_grad symbolic grad")
    for test_num in range(n_tests):
        try:
            num = numeric_grad(lambda *a: float(cost_fn(*a)), [p.copy() for p in pt], eps, out_type)
            analytic = [np.asarray(g) for g in grad_fn(*[p.copy() for p in pt])]
            arg, pos, aerr, rerr = num.max_err(analytic, abs_tol, rel_tol)
            if aerr > abs_tol and rerr > rel_tol:
                raise GradientError(arg, pos, analytic[arg].shape, analytic[arg].ravel()[pos],
                                    num.gf[arg].ravel()[pos], aerr, rerr, abs_tol, rel_tol)
            if test_num < n_tests - 1:
                t_r.set_value(projection(), borrow=True)
        except Exception as e:
            e.args += ("\nThe error happened with the following inputs:", pt, "\nThe value of eps is:", eps,
                       "\nThe out_type is:", out_type)
            raise


verify_grad.E_grad = GradientError
