"""The ``theon-api`` directive: a section of a module's public names, each
handed to autodoc, with a summary table first.

    .. theon-api:: theon.tensor
       :kinds: function
       :source: theon.tensor.basic

lists the public names of theon.tensor (its ``__all__``, else ``dir()``
without leading underscores) of the given kinds, optionally only those
defined in the given source modules. Kinds: class, opclass, exception,
elemwise, constructor, typed, function, data. A name bound to an object
that another page documents becomes a short entry that links there; a
second name of the same object in one module is listed as its alias. The
whole reference is written from docstrings, so it never lists a name the
package lacks or misses one it gains."""
import importlib
import inspect
import re
import types

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

# The pages, in order; an object defined in a module under one of them is
# documented there (the longest prefix wins), others on the first page that
# lists them. C++ classes belong to theon.tensor.
PAGES = ["theon", "theon.tensor", "theon.tensor.nnet", "theon.gradient", "theon.compile", "theon.configparser"]
HOME_OVERRIDES = {"theon._core": "theon.tensor", "theon.printing": "theon", "theon.gof": "theon"}

KINDS = ("class", "opclass", "exception", "elemwise", "constructor", "typed", "function", "data")
_PLURAL = re.compile(r"^(scalars|vectors|matrices|rows|cols|tensor[3-7]s)$")
_TYPED = re.compile(r"^[bwilfdcz](scalar|vector|matrix|row|col|tensor[3-7])s?$")
_CONSTRUCTORS = {"tensor", "scalar", "vector", "matrix", "row", "col", "tensor3", "tensor4", "tensor5", "tensor6",
                 "tensor7"}


# Objects whose class has no docstring of its own.
DATA_DOCS = {"config": "The configuration flags, read and set as attributes (see :doc:`config`)."}


def public_names(module):
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in dir(module) if not n.startswith("_")]
    return sorted(set(names), key=lambda n: (n.lower(), n))


def defining_module(obj):
    if isinstance(obj, (type, types.FunctionType, types.BuiltinFunctionType)) or type(obj).__name__ == "nb_func":
        return getattr(obj, "__module__", None) or ""
    return type(obj).__module__


def kind_of(name, obj):
    from theon.tensor.basic import TensorType, _ElemwiseFunction
    from theon.tensor.graph_api import _OpClass
    if isinstance(obj, type):
        if issubclass(obj, BaseException):
            return "exception"
        return "opclass" if isinstance(obj, _OpClass) else "class"
    if isinstance(obj, _ElemwiseFunction):
        return "elemwise"
    if isinstance(obj, TensorType) or (_TYPED.match(name) and callable(obj)):
        return "typed"
    if name in _CONSTRUCTORS or _PLURAL.match(name):
        return "constructor"
    if callable(obj):
        return "function"
    return "data"


def is_ours(obj):
    if isinstance(obj, types.ModuleType):
        return False
    if not callable(obj):
        return True  # data: listed when the module exports it (dtype lists, config)
    return defining_module(obj).startswith("theon")


def home_page(obj):
    """The page that documents obj in full (None: the first page listing it).
    theon's own page documents what it exports from outside theon.tensor."""
    where = defining_module(obj)
    if not where.startswith(("theon.tensor", "theon._core")):
        theon = importlib.import_module("theon")
        if any(getattr(theon, n, None) is obj for n in public_names(theon)):
            return "theon"
    for prefix, page in HOME_OVERRIDES.items():
        if where == prefix or where.startswith(prefix + "."):
            return page
    best = None
    for page in PAGES:
        if where == page or where.startswith(page + "."):
            if best is None or len(page) > len(best):
                best = page
    return best


def first_listing(obj):
    for page in PAGES:
        module = importlib.import_module(page)
        for n in public_names(module):
            if getattr(module, n, None) is obj:
                return page, n
    return None, None


def canonical(obj):
    """(page, name) where obj is documented in full."""
    page = home_page(obj)
    if page is not None:
        module = importlib.import_module(page)
        names = [n for n in public_names(module) if getattr(module, n, None) is obj]
        if names:
            own = getattr(obj, "__name__", None)
            return page, own if own in names else names[0]
    return first_listing(obj)


def summary(obj):
    """The first sentence of obj's docstring, on one line."""
    doc = inspect.getdoc(obj) or ""
    for name, text in DATA_DOCS.items():
        if not callable(obj) and obj is getattr(importlib.import_module("theon"), name, None):
            return text
    if isinstance(obj, type) and issubclass(obj, BaseException) and doc == inspect.getdoc(BaseException):
        doc = ""
    if not defining_module(obj).startswith("theon"):
        doc = ""  # a list's or dict's docstring is Python's
    paragraphs = doc.strip().split("\n\n")
    first = paragraphs[0]
    if re.match(r"^[\w.]+\(.*\)( -> .*)?$", first) and len(paragraphs) > 1:
        first = paragraphs[1]  # after nanobind's signature line
    text = " ".join(first.split())
    for m in re.finditer(r"(?<=\S)[.!?](?=\s)", text):  # the first full stop ends the sentence
        if not re.search(r"\b(e\.g|i\.e|etc|vs)$", text[:m.start()]):
            return text[:m.end()]
    return text


class TheonApi(SphinxDirective):
    required_arguments = 1
    has_content = False
    option_spec = {"kinds": directives.unchanged_required, "source": directives.unchanged,
                   "names": directives.unchanged, "exclude": directives.unchanged}

    def run(self):
        modname = self.arguments[0]
        module = importlib.import_module(modname)
        kinds = self.options["kinds"].split()
        for k in kinds:
            if k not in KINDS:
                raise self.error("theon-api: unknown kind %r (one of %s)" % (k, ", ".join(KINDS)))
        sources = self.options.get("source", "").split()
        only = self.options.get("names", "").split()
        exclude = set(self.options.get("exclude", "").split())
        entries = []
        for name in (only or public_names(module)):
            obj = getattr(module, name)
            if name in exclude or not is_ours(obj) or kind_of(name, obj) not in kinds:
                continue
            if sources and not any(defining_module(obj) == s or defining_module(obj).startswith(s + ".")
                                   for s in sources):
                continue
            entries.append((name, obj))
        if not entries:
            raise self.error("theon-api: no public name of %s matches %s" % (modname, self.options))
        lines = []
        self.table(modname, entries, lines)
        for name, obj in entries:
            self.entry(modname, name, obj, lines)
        node = nodes.section()
        node.document = self.state.document
        self.state.nested_parse(StringList(lines, source="theon-api %s" % modname), self.content_offset, node)
        return node.children

    def table(self, modname, entries, lines):
        lines += [".. list-table::", "   :widths: 30 70", ""]
        for name, obj in entries:
            lines += ["   * - :py:obj:`~%s.%s`" % (modname, name), "     - %s" % (summary(obj) or " ")]
        lines.append("")

    def entry(self, modname, name, obj, lines):
        kind = kind_of(name, obj)
        directive = {"class": "py:class", "opclass": "py:class", "exception": "py:exception",
                     "data": "py:data"}.get(kind, "py:function")
        page, main = canonical(obj)
        if (page, main) != (modname, name) and page is not None and callable(obj):
            where = "%s.%s" % (page, main)
            what = "Alias of" if page == modname else "The same object as"
            lines += [".. %s:: %s" % (directive, name), "   :module: %s" % modname, "",
                      "   %s :py:obj:`%s`." % (what, where), ""]
            return
        target = "%s.%s" % (modname, name)
        if kind == "typed" and not inspect.isfunction(obj):
            lines += [".. py:data:: %s" % name, "   :module: %s" % modname, "",
                      "   ``%s``: calling it with a name makes a variable of that type (``%s('x')``)." % (obj, name),
                      ""]
        elif kind == "typed":
            lines += [".. py:function:: %s(*names)" % name, "   :module: %s" % modname, "", "   %s" % summary(obj), ""]
        elif kind == "data":
            lines += [".. py:data:: %s" % name, "   :module: %s" % modname]
            value, cls = repr(obj), type(obj)
            if len(value) <= 160 and "\n" not in value and " object at 0x" not in value:
                lines += ["   :value: %s" % value]
            lines += ["   :type: %s" % (cls.__name__ if cls.__module__ == "builtins" else
                                        "%s.%s" % (cls.__module__, cls.__qualname__)), ""]
            if name in DATA_DOCS:
                lines += ["   " + DATA_DOCS[name], ""]
            elif cls.__module__.startswith("theon") and cls.__name__.startswith("_"):
                # a private class: its docstring is the only description
                lines += ["   " + line for line in (inspect.getdoc(cls) or "").splitlines()] + [""]
            elif cls.__module__.startswith("theon"):
                lines += ["   An instance of :py:class:`%s`." % cls.__name__, ""]
        elif kind == "class":
            lines += [".. autoclass:: %s" % target, "   :members:", ""]
        elif kind == "opclass":
            lines += [".. autoclass:: %s" % target, ""]
        elif kind == "exception":
            lines += [".. autoexception:: %s" % target, ""]
        else:
            lines += [".. autofunction:: %s" % target, ""]


def setup(app):
    app.add_directive("theon-api", TheonApi)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
