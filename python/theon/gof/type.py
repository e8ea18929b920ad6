"""theano.gof.type: the Generic type, whose values are any Python objects
(what a shared variable of a non-numeric value holds). theon's graphs
compute on tensors, so a generic value is stored and returned, never
computed on."""


class Generic(object):
    """The type of arbitrary Python objects: filter() accepts any value."""

    def filter(self, data, strict=False, allow_downcast=None):
        return data

    def is_valid_value(self, a):
        return True

    def values_eq(self, a, b):
        return a == b

    def values_eq_approx(self, a, b):
        return a == b

    def __eq__(self, other):
        return type(self) is type(other)

    def __hash__(self):
        return hash(type(self))

    def __str__(self):
        return "generic"

    __repr__ = __str__


generic = Generic()
