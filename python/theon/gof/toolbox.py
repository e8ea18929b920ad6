"""theano.gof.toolbox: the error a wrong rewrite raises."""


class BadOptimization(Exception):
    """A rewrite replaced a variable by one with a different value."""
