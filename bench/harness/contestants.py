"""Contestants: how to import each one and what to call it. A contestant that
does not import is reported as n/a, never as an error."""
import importlib


def _theano_api(modname):
    def load():
        lib = importlib.import_module(modname)
        importlib.import_module(modname + ".tensor")
        return lib
    return load


# name -> (loader returning the module, API family the workloads build with)
CONTESTANTS = {
    "numpy": (lambda: importlib.import_module("numpy"), "numpy"),
    "theon": (_theano_api("theon"), "theano"),
    "pytensor": (_theano_api("pytensor"), "theano"),
    "theano": (_theano_api("theano"), "theano"),
    "numexpr": (lambda: importlib.import_module("numexpr"), "numexpr"),
    "jax": (lambda: importlib.import_module("jax"), "jax"),
    "torch": (lambda: importlib.import_module("torch"), "torch"),
}


def load(name):
    """(module, api) or (None, reason) when the contestant is not available."""
    loader, api = CONTESTANTS[name]
    try:
        return loader(), api
    except Exception as e:  # any import failure means n/a
        return None, "%s: %s" % (type(e).__name__, str(e).splitlines()[0] if str(e) else "")


def version(mod):
    return getattr(mod, "__version__", "?")
