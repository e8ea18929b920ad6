"""theano.misc.pkl_utils: saving models as Theano did, a zip file holding
the pickle ('pkl') and every NumPy array as its own .npy member, named after
the shared variable that holds it (so ``numpy.load(file)`` reads the
weights without theon).

``dump(obj, f)`` and ``load(f)``; ``StripPickler`` pickles graphs without
the traces their tags carry."""
import io
import pickle
import zipfile
from collections import defaultdict

import numpy as np

from .. import _core

DEFAULT_PROTOCOL = pickle.HIGHEST_PROTOCOL
__all__ = ["StripPickler", "PersistentNdarrayID", "PersistentSharedVariableID", "PersistentNdarrayLoad", "dump",
           "load", "DEFAULT_PROTOCOL"]


class StripPickler(pickle.Pickler):
    """A Pickler that leaves out what graph variables' tags carry for
    debugging (``tag.trace`` and the names in extra_tag_to_remove), which
    makes pickles smaller and independent of the source files."""

    def __init__(self, file, protocol=0, extra_tag_to_remove=None):
        super().__init__(file, protocol)
        self.tag_to_remove = ["trace", "test_value"] + list(extra_tag_to_remove or ())

    def reducer_override(self, obj):
        if isinstance(obj, _core.TensorVariable):
            tag = getattr(obj, "__dict__", {}).get("_theon_tag")
            for name in self.tag_to_remove:
                if tag is not None and name in getattr(tag, "__dict__", {}):
                    delattr(tag, name)
        return NotImplemented


def _zipadd(write, zip_file, name):
    with zip_file.open(name, "w", force_zip64=True) as f:
        write(f)


class PersistentNdarrayID(object):
    """Writes each NumPy array met while pickling as its own member of
    zip_file ('array_0.npy', ...); the pickle holds 'ndarray.<name>'."""

    def __init__(self, zip_file):
        self.zip_file = zip_file
        self.count = 0
        self.seen = {}

    def _resolve_name(self, obj):
        name = "array_%d" % self.count
        self.count += 1
        return name

    def __call__(self, obj):
        if type(obj) is np.ndarray and obj.dtype != object:
            if id(obj) not in self.seen:
                name = self._resolve_name(obj)
                _zipadd(lambda f: np.lib.format.write_array(f, obj, allow_pickle=False), self.zip_file, name + ".npy")
                self.seen[id(obj)] = ("ndarray.%s" % name, obj)  # obj kept alive: its id stays its own
            return self.seen[id(obj)][0]
        return None


class PersistentSharedVariableID(PersistentNdarrayID):
    """As PersistentNdarrayID, naming a shared variable's value after the
    variable ('W.npy'; 'W_2.npy' for the second variable named W)."""

    def __init__(self, zip_file, allow_unnamed=True, allow_duplicates=True):
        super().__init__(zip_file)
        self.name_counter = defaultdict(int)
        self.allow_unnamed = allow_unnamed
        self.allow_duplicates = allow_duplicates
        # A shared variable pickles its value as the next array after itself (theon/_pickle.py).
        self._pending = None

    def _resolve_name(self, obj):
        name, self._pending = self._pending, None
        if name is None:
            return super()._resolve_name(obj)
        count = self.name_counter[name]
        self.name_counter[name] += 1
        if count:
            if not self.allow_duplicates:
                raise ValueError("multiple shared variables with the name `%s` found" % name)
            name = "%s_%d" % (name, count + 1)
        return name

    def __call__(self, obj):
        if isinstance(obj, _core.TensorSharedVariable):
            if obj.name:
                if obj.name == "pkl":
                    raise ValueError("cannot pickle a shared variable named `pkl` (the name of the pickle's member)")
                self._pending = obj.name
            elif not self.allow_unnamed:
                raise ValueError("unnamed shared variable, %s" % (obj,))
            return None
        return super().__call__(obj)


class PersistentNdarrayLoad(object):
    """Reads the arrays PersistentNdarrayID wrote back from zip_file."""

    def __init__(self, zip_file):
        self.zip_file = zip_file
        self.cache = {}

    def __call__(self, persid):
        kind, _, name = str(persid).partition(".")
        if kind != "ndarray" or not name:
            raise pickle.UnpicklingError("unknown persistent id %r in this file (theon reads 'ndarray.<name>')"
                                         % (persid,))
        if name not in self.cache:
            try:
                with self.zip_file.open(name + ".npy") as f:
                    self.cache[name] = np.lib.format.read_array(f, allow_pickle=False)
            except KeyError:
                raise pickle.UnpicklingError("the file names an array %r it does not hold" % name) from None
        return self.cache[name]


def dump(obj, file_handler, protocol=DEFAULT_PROTOCOL, persistent_id=PersistentSharedVariableID):
    """Pickles obj into the open binary file file_handler as a zip file:
    member 'pkl' holds the pickle, and each NumPy array it contains is a
    member of its own ('<shared variable name>.npy' or 'array_<n>.npy'),
    so ``numpy.load(file)`` reads them by name.

    >>> import io, numpy, theon
    >>> from theon.misc.pkl_utils import dump, load
    >>> w = theon.shared(numpy.ones(3), name='w')
    >>> buf = io.BytesIO()
    >>> dump(w, buf)
    >>> sorted(numpy.load(io.BytesIO(buf.getvalue())).keys())
    ['pkl', 'w']
    """
    with zipfile.ZipFile(file_handler, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zip_file:
        buf = io.BytesIO()  # the arrays' members are written while pickling: 'pkl' comes last
        p = pickle.Pickler(buf, protocol=protocol)
        p.persistent_id = persistent_id(zip_file)
        p.dump(obj)
        _zipadd(lambda f: f.write(buf.getbuffer()), zip_file, "pkl")


def load(f, persistent_load=PersistentNdarrayLoad):
    """The object dump wrote into the binary file f."""
    try:
        zip_file = zipfile.ZipFile(f)
    except zipfile.BadZipFile as e:
        raise pickle.UnpicklingError("not a file theano.misc.pkl_utils.dump wrote (%s)" % e) from None
    with zip_file:
        try:
            member = zip_file.open("pkl")
        except KeyError:
            raise pickle.UnpicklingError("the zip file has no 'pkl' member: not written by pkl_utils.dump") from None
        with member:
            p = pickle.Unpickler(member)
            p.persistent_load = persistent_load(zip_file)
            return p.load()
