"""theano.compat: the Python 2/3 names Theano-era code imports. theon runs on
Python 3 only, so each is the Python 3 builtin or standard-library object."""
import functools
import operator
from collections import OrderedDict, defaultdict  # noqa: F401
from collections.abc import Callable, Mapping, MutableMapping  # noqa: F401
from io import BytesIO, StringIO  # noqa: F401
from itertools import zip_longest as izip_longest  # noqa: F401

PY3 = True
izip, imap, ifilter = zip, map, filter
xrange, unicode, long = range, str, int
string_types, integer_types, text_type, binary_type = (str,), (int,), str, bytes
operator_div = operator.truediv
reduce = functools.reduce


def exc_message(e):
    """The message an exception was raised with (its first argument)."""
    return e.args[0] if e.args else ""


def cmp(a, b):
    return (a > b) - (a < b)


def get_unbound_function(f):
    return f


def iteritems(d):
    return iter(d.items())


def iterkeys(d):
    return iter(d.keys())


def itervalues(d):
    return iter(d.values())


def decode(x):
    return x.decode() if isinstance(x, bytes) else x


def encode(x):
    return x.encode() if isinstance(x, str) else x


def decode_iter(itr):
    for x in itr:
        yield decode(x)


def decode_with(encoding):
    return lambda x: x.decode(encoding) if isinstance(x, bytes) else x


def b(s):
    return s.encode("latin-1") if isinstance(s, str) else s


class DefaultOrderedDict(OrderedDict):
    """An OrderedDict that makes missing values with `default_factory`."""

    def __init__(self, default_factory=None, *args, **kwargs):
        if default_factory is not None and not callable(default_factory):
            raise TypeError("DefaultOrderedDict: default_factory must be callable")
        OrderedDict.__init__(self, *args, **kwargs)
        self.default_factory = default_factory

    def __missing__(self, key):
        if self.default_factory is None:
            raise KeyError(key)
        self[key] = value = self.default_factory()
        return value

    def copy(self):
        return type(self)(self.default_factory, self)
