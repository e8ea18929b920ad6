"""theano.configdefaults: where Theano declared its flags (theon declares
them in configparser) and the machine's word sizes its tests ask for."""
import struct

from .configparser import config  # noqa: F401


def local_bitwidth():
    """The width of a pointer on this machine, in bits (32 or 64)."""
    return struct.calcsize("P") * 8


def python_int_bitwidth():
    """The width of a C long, which Theano took as a Python int's, in bits."""
    return struct.calcsize("l") * 8
