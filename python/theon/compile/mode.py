"""Compilation modes. This release runs every mode on the VM tier without
rewrites; the names exist so that Theano code selecting them runs."""

_KNOWN = ("FAST_RUN", "FAST_COMPILE", "DebugMode", "DEBUG_MODE", "Mode", "ProfileMode")


class Mode(object):
    def __init__(self, linker=None, optimizer="default"):
        self.linker = linker
        self.optimizer = optimizer

    def including(self, *tags):
        return self

    def excluding(self, *tags):
        return self

    def requiring(self, *tags):
        return self

    def __repr__(self):
        return "Mode(linker=%r, optimizer=%r)" % (self.linker, self.optimizer)


FAST_RUN = Mode("vm", "fast_run")
FAST_COMPILE = Mode("vm", "fast_compile")


def get_mode(mode):
    if mode is None:
        from ..configparser import config
        mode = config.mode
    if isinstance(mode, Mode):
        return mode
    if isinstance(mode, str):
        if mode not in _KNOWN:
            raise ValueError("unknown mode %r; expected one of %s or a Mode instance" % (mode, ", ".join(_KNOWN)))
        return FAST_COMPILE if mode == "FAST_COMPILE" else FAST_RUN
    raise TypeError("mode must be a string or a Mode, got %r" % (mode,))
