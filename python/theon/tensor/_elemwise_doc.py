"""Docstrings and signatures of theon.tensor's elementwise functions, written
from the C++ scalar table (arity, dtype rule, kernel dtypes, gradient) plus
the one-line summaries and reference functions below.

The table lives in C++ (src/theon/ops/scalar_table.cpp); `_core.scalar_op_details()`
gives each row as (name, arity, rule, kernel dtypes, has a gradient)."""
import inspect

from .. import _core

# name -> (what it computes, its NumPy/SciPy counterpart or None, parameter names).
# Parameter names default to (x,) for one input and (a, b) for two.
_SUMMARY = {
    "add": ("Elementwise sum of the inputs, ``a + b + ...``.", "numpy.add", None),
    "sub": ("Elementwise difference, ``a - b``.", "numpy.subtract", None),
    "mul": ("Elementwise product of the inputs, ``a * b * ...``.", "numpy.multiply", None),
    "true_div": ("Elementwise true division, ``a / b``.", "numpy.true_divide", None),
    "int_div": ("Elementwise floor division, ``a // b``.", "numpy.floor_divide", None),
    "mod": ("Elementwise remainder with the sign of the divisor, ``a % b``.", "numpy.mod", None),
    "pow": ("Elementwise power, ``a ** b``.", "numpy.power", None),
    "maximum": ("Elementwise larger of a and b.", "numpy.maximum", None),
    "minimum": ("Elementwise smaller of a and b.", "numpy.minimum", None),
    "arctan2": ("Elementwise arc tangent of ``a / b``, in the quadrant of the point (b, a).", "numpy.arctan2",
                None),
    "lt": ("Elementwise ``a < b``.", "numpy.less", None),
    "gt": ("Elementwise ``a > b``.", "numpy.greater", None),
    "le": ("Elementwise ``a <= b``.", "numpy.less_equal", None),
    "ge": ("Elementwise ``a >= b``.", "numpy.greater_equal", None),
    "eq": ("Elementwise ``a == b`` (on variables, ``==`` itself compares identity, as in Theano).", "numpy.equal",
           None),
    "neq": ("Elementwise ``a != b``.", "numpy.not_equal", None),
    "and_": ("Elementwise bitwise and (logical and for bool), ``a & b``.", "numpy.bitwise_and", None),
    "or_": ("Elementwise bitwise or (logical or for bool), ``a | b``.", "numpy.bitwise_or", None),
    "xor": ("Elementwise bitwise exclusive or (logical for bool), ``a ^ b``.", "numpy.bitwise_xor", None),
    "second": ("Elementwise b, broadcast against a (a gives only the shape).", None, None),
    "neg": ("Elementwise negation, ``-x``.", "numpy.negative", None),
    "abs": ("Elementwise absolute value, ``|x|`` (the modulus for complex x).", "numpy.abs", None),
    "sgn": ("Elementwise sign: -1, 0 or 1.", "numpy.sign", None),
    "sqr": ("Elementwise square, ``x * x``.", "numpy.square", None),
    "sqrt": ("Elementwise non-negative square root.", "numpy.sqrt", None),
    "inv": ("Elementwise reciprocal, ``1 / x``.", "numpy.reciprocal", None),
    "exp": ("Elementwise exponential, ``e ** x``.", "numpy.exp", None),
    "exp2": ("Elementwise ``2 ** x``.", "numpy.exp2", None),
    "expm1": ("Elementwise ``exp(x) - 1``, accurate near 0.", "numpy.expm1", None),
    "log": ("Elementwise natural logarithm.", "numpy.log", None),
    "log2": ("Elementwise base-2 logarithm.", "numpy.log2", None),
    "log10": ("Elementwise base-10 logarithm.", "numpy.log10", None),
    "log1p": ("Elementwise ``log(1 + x)``, accurate near 0.", "numpy.log1p", None),
    "sin": ("Elementwise sine.", "numpy.sin", None),
    "cos": ("Elementwise cosine.", "numpy.cos", None),
    "tan": ("Elementwise tangent.", "numpy.tan", None),
    "arcsin": ("Elementwise inverse sine.", "numpy.arcsin", None),
    "arccos": ("Elementwise inverse cosine.", "numpy.arccos", None),
    "arctan": ("Elementwise inverse tangent.", "numpy.arctan", None),
    "sinh": ("Elementwise hyperbolic sine.", "numpy.sinh", None),
    "cosh": ("Elementwise hyperbolic cosine.", "numpy.cosh", None),
    "tanh": ("Elementwise hyperbolic tangent.", "numpy.tanh", None),
    "arcsinh": ("Elementwise inverse hyperbolic sine.", "numpy.arcsinh", None),
    "arccosh": ("Elementwise inverse hyperbolic cosine.", "numpy.arccosh", None),
    "arctanh": ("Elementwise inverse hyperbolic tangent.", "numpy.arctanh", None),
    "floor": ("Elementwise floor, the largest integer not above x.", "numpy.floor", None),
    "ceil": ("Elementwise ceiling, the smallest integer not below x.", "numpy.ceil", None),
    "round_half_to_even": ("Elementwise rounding to the nearest integer, halves to even.", "numpy.round", None),
    "trunc": ("Elementwise truncation toward zero.", "numpy.trunc", None),
    "invert": ("Elementwise bitwise not (logical not for bool), ``~x``.", "numpy.invert", None),
    "isnan": ("Elementwise test for NaN.", "numpy.isnan", None),
    "isinf": ("Elementwise test for positive or negative infinity.", "numpy.isinf", None),
    "identity": ("Elementwise x itself (a node that copies x).", None, None),
    "sigmoid": ("Elementwise logistic sigmoid, ``1 / (1 + exp(-x))``.", "scipy.special.expit", None),
    "softplus": ("Elementwise ``log(1 + exp(x))``, without overflow.", "numpy.logaddexp(0, x)", None),
    "erf": ("Elementwise error function.", "scipy.special.erf", None),
    "erfc": ("Elementwise complementary error function, ``1 - erf(x)``.", "scipy.special.erfc", None),
    "erfinv": ("Elementwise inverse error function.", "scipy.special.erfinv", None),
    "erfcinv": ("Elementwise inverse complementary error function.", "scipy.special.erfcinv", None),
    "erfcx": ("Elementwise scaled complementary error function, ``exp(x**2) * erfc(x)``.", "scipy.special.erfcx",
              None),
    "gamma": ("Elementwise gamma function.", "scipy.special.gamma", None),
    "gammaln": ("Elementwise log of the absolute value of the gamma function.", "scipy.special.gammaln", None),
    "psi": ("Elementwise digamma function, the derivative of gammaln.", "scipy.special.psi", None),
    "tri_gamma": ("Elementwise trigamma function, the derivative of psi.", "scipy.special.polygamma(1, x)", None),
    "j0": ("Elementwise Bessel function of the first kind of order 0.", "scipy.special.j0", None),
    "j1": ("Elementwise Bessel function of the first kind of order 1.", "scipy.special.j1", None),
    "i0": ("Elementwise modified Bessel function of the first kind of order 0.", "scipy.special.i0", None),
    "i1": ("Elementwise modified Bessel function of the first kind of order 1.", "scipy.special.i1", None),
    "gammainc": ("Elementwise regularized lower incomplete gamma function P(k, x).", "scipy.special.gammainc",
                 ("k", "x")),
    "gammaincc": ("Elementwise regularized upper incomplete gamma function Q(k, x).", "scipy.special.gammaincc",
                  ("k", "x")),
    "gammal": ("Elementwise lower incomplete gamma function (not regularized).",
               "scipy.special.gammainc(k, x) * scipy.special.gamma(k)", ("k", "x")),
    "gammau": ("Elementwise upper incomplete gamma function (not regularized).",
               "scipy.special.gammaincc(k, x) * scipy.special.gamma(k)", ("k", "x")),
    "chi2sf": ("Elementwise survival function of the chi-squared distribution with k degrees of freedom.",
               "scipy.stats.chi2.sf(x, k)", ("x", "k")),
    "jv": ("Elementwise Bessel function of the first kind of real order v.", "scipy.special.jv", ("v", "x")),
    "iv": ("Elementwise modified Bessel function of the first kind of real order v.", "scipy.special.iv",
           ("v", "x")),
    "real": ("Elementwise real part.", "numpy.real", ("z",)),
    "imag": ("Elementwise imaginary part.", "numpy.imag", ("z",)),
    "conj": ("Elementwise complex conjugate.", "numpy.conj", ("z",)),
    "angle": ("Elementwise argument (phase angle) in radians.", "numpy.angle", ("z",)),
    "complex": ("Elementwise ``real + 1j * imag``.", None, ("real", "imag")),
    "clip": ("Elementwise x limited to the interval [min, max].", "numpy.clip", ("x", "min", "max")),
    "switch": ("Elementwise choice: ift where cond is true, else iff.", "numpy.where", ("cond", "ift", "iff")),
}

_RULES = {
    "upcast": "the inputs' upcast dtype (NumPy's promotion of their dtypes)",
    "float": "the inputs' upcast, made a float: bool and 8/16-bit integers give float32, wider integers "
             "float64, float16 stays float16",
    "bool": "bool",
    "real_upcast": "the inputs' upcast; complex inputs give their real dtype",
    "switch": "the upcast of ift and iff (cond is read as a truth value)",
    "second": "b's dtype",
    "complex": "complex64 when the inputs' float upcast is float32, else complex128",
}

# The same rules for a function of one input.
_RULES_UNARY = {
    "upcast": "x's dtype",
    "float": "x's dtype made a float: bool and 8/16-bit integers give float32, wider integers float64",
    "bool": "bool",
    "real_upcast": "x's dtype; a complex x gives its real dtype",
}

_KINDS = (("bool", "bool"), ("int64", "signed integers"), ("uint64", "unsigned integers"),
          ("float32", "float16/float32"), ("float64", "float64"), ("complex64", "complex64"),
          ("complex128", "complex128"))

DETAILS = {row[0]: row[1:] for row in _core.scalar_op_details()}


def _computes_in(kernels):
    return ", ".join(label for dt, label in _KINDS if dt in kernels)


def parameters(name, arity, variadic=False):
    """The parameter names of the elementwise function `name`."""
    names = (_SUMMARY.get(name) or (None, None, None))[2]
    if names is None:
        names = ("x",) if arity == 1 else ("a", "b", "c")[:arity]
    return tuple(names)


def signature(name, arity, variadic=False):
    """An inspect.Signature with the function's positional parameters."""
    P = inspect.Parameter
    params = [P(n, P.POSITIONAL_ONLY) for n in parameters(name, arity)]
    if variadic:
        params.append(P("rest", P.VAR_POSITIONAL))
    return inspect.Signature(params)


def docstring(name, variadic=False, display=None):
    """The docstring of elementwise function `name` (its row of the scalar table)."""
    arity, rule, kernels, has_grad = DETAILS[name]
    summary, reference, _ = _SUMMARY.get(name) or ("Elementwise %s." % name, None, None)
    params = parameters(name, arity)
    lines = [summary, ""]
    lines += ["Parameters", "----------"]
    for p in params:
        lines += ["%s : tensor-like" % p, "    A variable, or a value that becomes a constant."]
    if variadic:
        lines += ["*rest : tensor-like", "    More inputs, combined left to right."]
    shape = ("x's shape" if arity == 1 and not variadic else
             "The inputs broadcast against each other (an axis broadcasts only where its type says so)")
    lines += ["", "Returns", "-------", "TensorVariable"]
    lines += ["    " + line for line in _wrap("%s%s; its dtype is %s." % (
        "Of " if arity == 1 and not variadic else "", shape,
        _RULES_UNARY[rule] if arity == 1 and not variadic else _RULES[rule]), 72)]
    lines += [""]
    lines += ["Notes", "-----"]
    notes = ["An elementwise op of %d input%s (Theano's ``Elemwise{%s}``)%s." % (
        arity, "" if arity == 1 else "s", display or name, ", taking any number of inputs" if variadic else "")]
    notes.append("It computes in %s%s." % (_computes_in(kernels),
                                           "; integer and bool inputs are converted to float first"
                                           if rule == "float" else ""))
    notes.append("It has a gradient." if has_grad else "It has no gradient (its result is discrete).")
    if reference:
        notes.append("NumPy/SciPy counterpart: ``%s``." % reference)
    lines += _wrap(" ".join(notes))
    return "\n".join(lines)


def _wrap(text, width=76):
    out, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = word if not line else line + " " + word
    return out + ([line] if line else [])
