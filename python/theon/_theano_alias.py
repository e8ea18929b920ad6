"""`import theano` as theon: a finder that maps every `theano` module to the
theon module of the same name, so Theano scripts run unchanged. Installed by
`python -m theon.run` for one script, or for every interpreter start of an
environment by the .pth file `python -m theon.run --enable-alias` writes.
theon itself is imported only when a script imports `theano`."""
import importlib
import importlib.abc
import importlib.machinery
import sys


class _Loader(importlib.abc.Loader):
    def __init__(self, module):
        self.module = module

    def create_module(self, spec):
        return self.module

    def exec_module(self, module):
        pass  # theon's module, already executed: one module under two names


class TheanoIsTheon(importlib.abc.MetaPathFinder):
    """Finds `theano[.x.y]` as `theon[.x.y]` (the same module object)."""

    def find_spec(self, name, path=None, target=None):
        if name != "theano" and not name.startswith("theano."):
            return None
        module = importlib.import_module("theon" + name[len("theano"):])
        spec = importlib.machinery.ModuleSpec(name, _Loader(module), origin=getattr(module, "__file__", None))
        spec.submodule_search_locations = getattr(module, "__path__", None)
        return spec


def install():
    """Adds the finder once (a no-op when a real `theano` is already imported)."""
    if "theano" in sys.modules and not sys.modules["theano"].__name__.startswith("theon"):
        return
    if not any(isinstance(f, TheanoIsTheon) for f in sys.meta_path):
        sys.meta_path.insert(0, TheanoIsTheon())
