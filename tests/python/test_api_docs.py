"""Every public callable of theon and theon.tensor has a docstring whose
first line says what it does, and a signature that names its parameters
(not a bare ``(*args)`` where the function takes fixed arguments). The API
reference (docs/api, built by scripts/build_docs.sh) is written from these
docstrings."""
import inspect
import re
import types


import theon
import theon.tensor as T

MODULES = {"theon": theon, "theon.tensor": T}

# Public callables whose signature is only *args/**kwargs on purpose, with the reason.
VARIADIC = {
    "largest": "takes any number of tensors",
    "smallest": "takes any number of tensors",
    "horizontal_stack": "takes any number of tensors",
    "vertical_stack": "takes any number of tensors",
    "autocast_float_as": "takes any number of dtypes",
    "Rebroadcast": "takes any number of (axis, broadcastable) pairs, as Theano's",
}
# The plural constructors (T.matrices, T.dvectors, ...) take any number of names.
PLURAL = re.compile(r"^[bwilfdcz]?(scalars|vectors|matrices|rows|cols|tensor[3-7]s)$")
# Classes Python code does not construct, with the reason.
NO_CONSTRUCTOR = {
    "Op": "Theano's op class: a Python op subclasses it (docs/python-ops.md); T.Op itself is not made",
    "Subtensor": "Theano's op class for isinstance checks; index the variable instead",
    "IncSubtensor": "Theano's op class for isinstance checks; use set_subtensor / inc_subtensor",
    "BaseAdvancedSubtensor": "Theano's op class for isinstance checks; index the variable instead",
    "BaseAdvancedIncSubtensor": "Theano's op class for isinstance checks; use set_subtensor / inc_subtensor",
    "Constant": "C++ constants, made by T.constant",
    "TensorConstant": "C++ constants, made by T.constant",
    "Variable": "C++ variables, made by the constructors (T.matrix, ...)",
    "TensorVariable": "C++ variables, made by the constructors (T.matrix, ...)",
    "TensorSharedVariable": "C++ shared variables, made by theon.shared",
}


def public_names(module):
    """The module's public names: its __all__, else dir() without leading underscores."""
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in dir(module) if not n.startswith("_")]
    return sorted(names)


def _defined_by_theon(obj):
    """Whether obj is a function, class or callable object made by theon (not a
    module, not a builtin or NumPy object re-exported under a theon name)."""
    if isinstance(obj, types.ModuleType) or not callable(obj):
        return False
    if isinstance(obj, (type, types.FunctionType, types.BuiltinFunctionType)) or type(obj).__name__ == "nb_func":
        where = obj.__module__
    else:  # a callable object: T.exp (an op object), T.dmatrix (a TensorType)
        where = type(obj).__module__
    return isinstance(where, str) and where.startswith("theon")


def documented_callables():
    """(qualified name, short name, object) of every public callable."""
    out = []
    for mod_name, module in MODULES.items():
        for name in public_names(module):
            obj = getattr(module, name)
            if _defined_by_theon(obj):
                out.append(("%s.%s" % (mod_name, name), name, obj))
    return out


CALLABLES = documented_callables()


def test_the_public_names_are_found():
    names = {name for _, name, _ in CALLABLES}
    assert {"function", "shared", "grad", "exp", "dot", "sum", "matrix", "dmatrix", "TensorType"} <= names
    assert "python_all" not in names  # Python's builtin, re-exported under Theano's name
    assert len(CALLABLES) > 400


def _nanobind_signature(obj):
    """The signature line nanobind writes for a C++ function, class or callable instance."""
    target = obj
    if isinstance(obj, type):
        target = obj.__dict__.get("__init__") or obj.__init__
    elif type(type(obj)).__module__ == "nanobind" and not inspect.isroutine(obj):
        target = type(obj).__call__  # an instance of a C++ class (T.dmatrix): its __call__
    return getattr(target, "__nb_signature__", None)


def _first_line(obj):
    doc = (inspect.getdoc(obj) or "").strip()
    if _nanobind_signature(obj) is not None and re.match(r"^[\w.]+\(.*\)( -> .*)?$", doc.split("\n")[0]):
        doc = doc.split("\n\n", 1)[1].strip() if "\n\n" in doc else ""  # after nanobind's signature line
    return doc.split("\n")[0] if doc else ""


def test_every_public_callable_has_a_docstring():
    """A docstring whose first line says what the callable does (a few words at least)."""
    missing = [q for q, _, obj in CALLABLES if len(_first_line(obj).split()) < 2]
    assert not missing, "no docstring (or a first line that says nothing): %s" % " ".join(missing)


def _has_named_parameters(obj):
    """Whether obj shows a signature with named parameters (inspect's, or
    nanobind's signature line for C++ functions and classes)."""
    try:
        params = list(inspect.signature(obj).parameters.values())
    except (TypeError, ValueError):
        return _nanobind_signature(obj) is not None
    return not params or not all(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params)


def test_every_public_callable_has_a_real_signature():
    """Named parameters, not a bare (*args) / (*xs), unless listed above with the reason."""
    bad = []
    for qualified, name, obj in CALLABLES:
        if isinstance(obj, type) and issubclass(obj, BaseException):
            continue  # exceptions take BaseException's (*args)
        if name in VARIADIC or PLURAL.match(name) or name in NO_CONSTRUCTOR:
            continue
        if not _has_named_parameters(obj):
            try:
                bad.append("%s%s" % (qualified, inspect.signature(obj)))
            except (TypeError, ValueError):
                bad.append("%s (none)" % qualified)
    assert not bad, ("signatures without parameter names: %s. Give them their parameters (__signature__ for a "
                     "generated callable) or list them in VARIADIC / NO_CONSTRUCTOR with the reason" % ", ".join(bad))


def test_elementwise_functions_are_described_by_the_scalar_table():
    """The generated docstrings and signatures follow the C++ table's rows."""
    assert str(inspect.signature(T.exp)) == "(x, /)"
    assert str(inspect.signature(T.add)) == "(a, b, /, *rest)"
    assert str(inspect.signature(T.switch)) == "(cond, ift, iff, /)"
    assert str(inspect.signature(T.gammainc)) == "(k, x, /)"
    doc = inspect.getdoc(T.exp)
    assert doc.startswith("Elementwise exponential")
    assert "numpy.exp" in doc and "has a gradient" in doc and "made a float" in doc
    assert "no gradient" in inspect.getdoc(T.lt) and "bool" in inspect.getdoc(T.lt)
    assert T.exp(T.dvector()).ndim == 1  # the op objects still build graphs
    from theon.tensor import _elemwise_doc
    rows = {row[0] for row in theon._core.scalar_op_details()}
    assert rows - set(_elemwise_doc._SUMMARY) == set(), (
        "rows of the scalar table without a summary in python/theon/tensor/_elemwise_doc.py")


def test_exceptions_listed_here_are_still_needed():
    """A name listed above with a reason must still exist and still show no parameters."""
    for name in list(VARIADIC) + list(NO_CONSTRUCTOR):
        assert not _has_named_parameters(getattr(T, name)), (
            "T.%s now has a real signature: remove it from the exceptions" % name)


def test_the_core_stub_lists_every_binding():
    """python/theon/_core.pyi (nanobind's stubgen, via scripts/core_stub.py)
    names every function and class of the built extension module, and ships
    with the py.typed marker."""
    import ast
    import os
    package = os.path.dirname(os.path.abspath(theon.__file__))
    with open(os.path.join(package, "_core.pyi")) as f:
        tree = ast.parse(f.read())
    in_stub = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    in_module = {n for n in dir(theon._core) if not n.startswith("__")}
    assert in_module - in_stub == set(), "not in _core.pyi: run python scripts/core_stub.py"
    assert in_stub - in_module == set(), "in _core.pyi but not in the module: run python scripts/core_stub.py"
    assert os.path.exists(os.path.join(package, "py.typed"))


def test_the_examples_in_docstrings_run():
    """The ``>>>`` examples of the public callables' docstrings (with T,
    theon, theano and np defined) run and print what they show."""
    import doctest

    import numpy as np
    finder = doctest.DocTestFinder(recurse=False)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    seen, failed, attempted = set(), [], 0
    for qualified, _, obj in CALLABLES:
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        for test in finder.find(obj, qualified, globs={"T": T, "theon": theon, "theano": theon, "np": np}):
            result = runner.run(test, out=lambda text: None)
            attempted += result.attempted
            if result.failed:
                failed.append(qualified)
    assert attempted > 50
    assert not failed, "docstring examples that fail: %s" % " ".join(failed)
