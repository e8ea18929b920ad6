"""Theano's ``theano.tensor.raw_random``: draws from a NumPy RandomState held
in a shared variable.

A RandomState is stored as a uint32 vector of 628 words (MT19937's 624 key
words, its position, and the cached gaussian of the polar method) and each
draw is the C++ op RandomStateDraw: (state, size, parameters) -> (new state,
samples), computed as NumPy's legacy RandomState computes it, so the numbers
are those Theano 1.0.5 drew for the same seed. ``get_value()`` of such a
shared variable gives a ``numpy.random.RandomState``; ``set_value()`` takes one.
"""
import functools
import numbers
import operator

import numpy as np

import theon as theano  # noqa: F401  (Theano's raw_random exported it to `from raw_random import *`)

from .. import _core
from ..gradient import undefined_grad
from . import basic as B

_STATE_WORDS = 628


def _state_words(rs):
    """A RandomState's state as theon's 628 uint32 words."""
    if not isinstance(rs, np.random.RandomState):
        raise TypeError("a random state shared variable holds a numpy.random.RandomState, got %s"
                        % type(rs).__name__)
    name, key, pos, has_gauss, gauss = rs.get_state(legacy=True)
    words = np.empty(_STATE_WORDS, dtype=np.uint32)
    words[:624] = key
    words[624] = pos
    words[625] = has_gauss
    words[626:] = np.frombuffer(np.float64(gauss).tobytes(), dtype=np.uint32)
    return words


def _state_object(words):
    """theon's 628 words back as a numpy.random.RandomState."""
    words = np.asarray(words, dtype=np.uint32)
    if words.shape != (_STATE_WORDS,):
        raise ValueError("a RandomState's state has %d uint32 words, got shape %s" % (_STATE_WORDS, words.shape))
    rs = np.random.RandomState()
    gauss = float(np.frombuffer(words[626:].tobytes(), dtype=np.float64)[0])
    rs.set_state(("MT19937", words[:624].copy(), int(words[624]), int(words[625]), gauss))
    return rs


class _RandomStateCodec(object):
    """How a RandomState shared variable's value is read and written."""
    decode = staticmethod(_state_object)
    encode = staticmethod(_state_words)


class RandomStateType(object):
    """Theano's type of a NumPy RandomState value: ``is_valid_value`` and
    ``filter`` accept RandomState objects (theon stores their words).

    Examples
    --------
    >>> import numpy as np
    >>> from theon.tensor.raw_random import RandomStateType
    >>> RandomStateType().is_valid_value(np.random.RandomState(1))
    True
    """

    def is_valid_value(self, a):
        """Whether `a` is a numpy.random.RandomState.

        Parameters
        ----------
        a : object

        Returns
        -------
        bool
        """
        return isinstance(a, np.random.RandomState)

    def filter(self, data, strict=False, allow_downcast=None):
        """`data` if it is a RandomState, else TypeError.

        Parameters
        ----------
        data : object
        strict, allow_downcast : bool, optional
            Accepted for Theano's signature.

        Returns
        -------
        numpy.random.RandomState
        """
        if not self.is_valid_value(data):
            raise TypeError("%s expected a numpy.random.RandomState, got %r" % (self, data))
        return data

    def __call__(self, name=None):
        """A symbolic RandomState: a uint32 vector of the state's 628 words
        whose values (function arguments, ``In(value=...)``) are RandomStates.

        Parameters
        ----------
        name : str, optional

        Returns
        -------
        TensorVariable
        """
        v = B.TensorType("uint32", (False,))(name)
        v.__dict__["_codec"] = _RandomStateCodec
        return v

    def __eq__(self, other):
        return type(self) is type(other)

    def __hash__(self):
        return hash(type(self))

    def __str__(self):
        return "RandomStateType"


random_state_type = RandomStateType()


def random_state_shared(value, name=None, borrow=False):
    """A shared variable holding a numpy.random.RandomState.

    Parameters
    ----------
    value : numpy.random.RandomState
        The initial state (copied).
    name : str, optional
    borrow : bool, optional
        Accepted for Theano's signature; the state is always copied.

    Returns
    -------
    TensorSharedVariable
        ``get_value()`` returns a RandomState.
    """
    from ..compile.sharedvalue import shared
    v = shared(_state_words(value), name=name)
    v.__dict__["_codec"] = _RandomStateCodec
    v.tag.is_rng = True
    return v


def _int_like(x):
    return isinstance(x, (numbers.Integral, np.integer)) and not isinstance(x, (bool, np.bool_))


_HELPER_DISTS = {"random_integers_helper": "random_integers", "permutation_helper": "permutation",
                 "multinomial_helper": "multinomial", "choice_helper": "choice", "randint": "random_integers"}


class _RandomFunctionMeta(type):
    def __instancecheck__(cls, obj):
        # theon's RandomStateDraw nodes are RandomFunction ops (isinstance(node.op, RandomFunction)).
        return getattr(obj, "kind", None) == "RandomStateDraw" or type.__instancecheck__(cls, obj)


class RandomFunction(metaclass=_RandomFunctionMeta):
    """Theano's RandomFunction op: ``RandomFunction(fn, outtype)(random_state,
    size, *params)`` gives (new state, samples of outtype).

    `fn` names a RandomState method ('uniform', ``np.random.RandomState.normal``,
    ...) or one of raw_random's helpers; theon draws it with its own
    RandomStateDraw op, as NumPy would.

    Parameters
    ----------
    fn : str or callable
        uniform, normal, binomial, poisson, or the helpers random_integers_helper,
        permutation_helper, multinomial_helper, choice_helper.
    outtype : TensorType
        The samples' type.
    inplace : bool, optional
        Accepted for Theano's signature (theon updates states itself).
    ndim_added : int, optional
        1 for permutation and multinomial, as Theano.
    """

    def __init__(self, fn, outtype, inplace=False, ndim_added=0):
        name = fn if isinstance(fn, str) else getattr(fn, "__name__", "")
        self.dist = _HELPER_DISTS.get(name, name)
        if self.dist not in ("uniform", "normal", "binomial", "poisson", "random_integers", "permutation",
                             "multinomial", "choice"):
            raise NotImplementedError("RandomFunction: theon draws uniform, normal, binomial, poisson, "
                                      "random_integers, permutation, multinomial and choice, not %r" % (fn,))
        self.fn = fn
        self.outtype = outtype
        self.inplace = inplace
        self.ndim_added = ndim_added
        if inplace:
            self.destroy_map = {0: [0]}

    def __call__(self, random_state, size, *params):
        size = B.as_tensor_variable(size if size is not None else np.zeros(0, dtype="int64"), ndim=1)
        if size.dtype != "int64":
            size = B.cast(size, "int64")
        params = [B.as_tensor_variable(p) for p in params]
        return _draw(self.dist, random_state, size, params, self.outtype.ndim, self.outtype.dtype)

    def __str__(self):
        return "RandomFunction{%s}" % self.dist


def _infer_ndim_bcast(ndim, shape, *args):
    """(ndim, size vector, broadcastable) of a draw from its size and parameters, as Theano inferred them.

    Parameters
    ----------
    ndim : int or None
    shape : tuple, list, integer vector or None
        -1 entries borrow the size of a parameter along that axis.
    *args : TensorVariable
        The parameters.

    Returns
    -------
    (int, TensorVariable, tuple of bool)
    """
    args_ndim = max((a.ndim for a in args), default=0)
    if isinstance(shape, (tuple, list)):
        if ndim is None:
            ndim = len(shape)
        elif len(shape) != ndim:
            raise ValueError("ndim should be equal to len(shape), but ndim = %s, len(shape) = %s, shape = %s"
                             % (ndim, len(shape), shape))
        bcast, pre = [], []
        for i, s in enumerate(shape):
            if hasattr(s, "type"):
                bcast.append(False)
                pre.append(s)
            elif _int_like(s) and s >= 0:
                pre.append(B.constant(int(s), dtype="int64"))
                bcast.append(s == 1)
            elif _int_like(s) and s == -1:
                for a in args:
                    if i >= ndim - a.ndim and not a.broadcastable[i + a.ndim - ndim]:
                        pre.append(B.shape(a)[i + a.ndim - ndim])
                        bcast.append(False)
                        break
                else:
                    if not any(i >= ndim - a.ndim for a in args):
                        raise ValueError("Auto-shape of -1 must overlap with the shape of one of the broadcastable "
                                         "inputs")
                    pre.append(B.constant(1, dtype="int64"))
                    bcast.append(True)
            else:
                raise ValueError("size entries must be non-negative integers (or -1 to borrow a parameter's size), "
                                 "got %r in %r" % (s, shape))
        v_shape = B.constant([], dtype="int64") if not pre else B.stack([p if p.dtype == "int64" else B.cast(p, "int64") for p in pre])
    elif shape is None:
        if not args:
            raise TypeError("_infer_ndim_bcast cannot infer shape without either shape or args")
        template = functools.reduce(operator.add, args)
        v_shape = B.shape(template)
        bcast = template.broadcastable
        ndim = template.ndim
    else:
        v_shape = B.as_tensor_variable(shape)
        if v_shape.ndim != 1:
            raise TypeError("shape must be a vector or list of scalar, got '%s'" % (v_shape,))
        if not str(v_shape.dtype).startswith(("int", "uint")):
            raise TypeError("shape must be an integer vector or list, got dtype %s" % (v_shape.dtype,))
        if ndim is None:
            from .graph_api import get_vector_length
            ndim = get_vector_length(v_shape)
        bcast = [False] * ndim
    if v_shape.ndim != 1:
        raise TypeError("shape must be a vector or list of scalar, got '%s'" % (v_shape,))
    if not str(v_shape.dtype).startswith(("int", "uint")):
        raise TypeError("shape must be an integer vector or list, got dtype %s" % (v_shape.dtype,))
    if args_ndim > ndim:
        raise ValueError("ndim should be at least as big as required by args value", (ndim, args_ndim), args)
    if v_shape.dtype != "int64":
        v_shape = B.cast(v_shape, "int64")
    return ndim, v_shape, tuple(bcast)


def _draw(dist, random_state, size, params, ndim, dtype):
    random_state = _as_state_variable(random_state)
    new_state, sample = _core.random_state_draw(dist, random_state, size, [undefined_grad(p) for p in params],
                                                str(dtype), int(ndim))
    new_state.__dict__["_codec"] = _RandomStateCodec
    return new_state, sample


def _as_state_variable(r):
    if isinstance(r, np.random.RandomState):
        return B.constant(_state_words(r))
    return r


def _floatx_upcast(*dtypes):
    from ..configparser import config
    return str(np.result_type(*[np.dtype(d) for d in (config.floatX,) + dtypes]))


def uniform(random_state, size=None, low=0.0, high=1.0, ndim=None, dtype=None):
    """(new state, uniform samples in [low, high)).

    Parameters
    ----------
    random_state : shared RandomState variable
    size : tuple, integer vector or None
        None: the broadcast shape of low and high.
    low, high : scalar or tensor, optional
    ndim : int, optional
    dtype : str, optional
        By default the upcast of floatX, low and high.

    Returns
    -------
    (TensorVariable, TensorVariable)
    """
    low, high = B.as_tensor_variable(low), B.as_tensor_variable(high)
    if dtype is None:
        dtype = _floatx_upcast(low.dtype, high.dtype)
    ndim, size, _ = _infer_ndim_bcast(ndim, size, low, high)
    return _draw("uniform", random_state, size, [low, high], ndim, dtype)


def normal(random_state, size=None, avg=0.0, std=1.0, ndim=None, dtype=None):
    """(new state, normal samples of mean avg and standard deviation std).

    Parameters
    ----------
    random_state : shared RandomState variable
    size : tuple, integer vector or None
    avg, std : scalar or tensor, optional
    ndim : int, optional
    dtype : str, optional
        By default the upcast of floatX, avg and std.

    Returns
    -------
    (TensorVariable, TensorVariable)
    """
    avg, std = B.as_tensor_variable(avg), B.as_tensor_variable(std)
    if dtype is None:
        dtype = _floatx_upcast(avg.dtype, std.dtype)
    ndim, size, _ = _infer_ndim_bcast(ndim, size, avg, std)
    return _draw("normal", random_state, size, [avg, std], ndim, dtype)


def binomial(random_state, size=None, n=1, p=0.5, ndim=None, dtype="int64", prob=None):
    """(new state, binomial samples: successes in n trials of probability p).

    Parameters
    ----------
    random_state : shared RandomState variable
    size : tuple, integer vector or None
    n : int or integer tensor, optional
    p : scalar or tensor in [0, 1], optional
    ndim : int, optional
    dtype : str, optional
    prob : optional
        Theano's old name of p.

    Returns
    -------
    (TensorVariable, TensorVariable)
    """
    if prob is not None:
        p = prob
    n, p = B.as_tensor_variable(n), B.as_tensor_variable(p)
    ndim, size, _ = _infer_ndim_bcast(ndim, size, n, p)
    return _draw("binomial", random_state, size, [n, p], ndim, dtype)


def random_integers(random_state, size=None, low=0, high=1, ndim=None, dtype="int64"):
    """(new state, integers in [low, high], both included).

    Parameters
    ----------
    random_state : shared RandomState variable
    size : tuple, integer vector or None
    low, high : int or integer tensor, optional
    ndim : int, optional
    dtype : str, optional

    Returns
    -------
    (TensorVariable, TensorVariable)
    """
    low, high = B.as_tensor_variable(low), B.as_tensor_variable(high)
    ndim, size, _ = _infer_ndim_bcast(ndim, size, low, high)
    return _draw("random_integers", random_state, size, [low, high], ndim, dtype)


def choice(random_state, size=None, a=2, replace=True, p=None, ndim=None, dtype="int64"):
    """(new state, values chosen from a (an int: range(a); or a vector)).

    Parameters
    ----------
    random_state : shared RandomState variable
    size : tuple, integer vector or None
        None: one value.
    a : int or vector, optional
    replace : bool, optional
    p : vector, optional
        The probabilities of a's entries (uniform by default).
    ndim : int, optional
    dtype : str, optional

    Returns
    -------
    (TensorVariable, TensorVariable)
    """
    a = B.as_tensor_variable(a)
    replace = B.constant(bool(replace), dtype="int8") if isinstance(replace, bool) else B.as_tensor_variable(replace)
    # Theano's encoding of "no p": an empty vector (p=None, or any false value).
    p = B.as_tensor_variable(p if isinstance(p, B.Variable) or (p is not None and np.size(p) and np.any(p))
                             else np.zeros(0))
    if size is None:
        size = ()
    ndim, size, _ = _infer_ndim_bcast(ndim, size)
    return _draw("choice", random_state, size, [a, replace, p], ndim, dtype)


def poisson(random_state, size=None, lam=1.0, ndim=None, dtype="int64"):
    """(new state, Poisson samples of mean lam).

    Parameters
    ----------
    random_state : shared RandomState variable
    size : tuple or integer vector
        size or ndim must be given.
    lam : scalar or tensor, optional
    ndim : int, optional
    dtype : str, optional

    Returns
    -------
    (TensorVariable, TensorVariable)
    """
    lam = B.as_tensor_variable(lam)
    ndim, size, _ = _infer_ndim_bcast(ndim, size)
    return _draw("poisson", random_state, size, [lam], ndim, dtype)


def permutation_helper(random_state, n, shape):
    """NumPy's permutations of range(n), one per entry of shape (Theano's helper).

    Parameters
    ----------
    random_state : numpy.random.RandomState
    n : int or 0-d array
    shape : tuple or None

    Returns
    -------
    ndarray of shape shape + (n,)
    """
    n = int(np.asarray(n).item())
    shape = () if shape is None else tuple(shape)
    out = np.empty(shape + (n,), int)
    for i in np.ndindex(*shape):
        out[i] = random_state.permutation(n)
    return out


def permutation(random_state, size=None, n=1, ndim=None, dtype="int64"):
    """(new state, permutations of range(n), one per entry of size).

    Parameters
    ----------
    random_state : shared RandomState variable
    size : tuple, integer vector or None
        None or (): one permutation.
    n : int or integer scalar, optional
    ndim : int, optional
        The dimensions of size (the output has one more).
    dtype : str, optional

    Returns
    -------
    (TensorVariable, TensorVariable)
    """
    if size is None or size == ():
        if not (ndim is None or ndim == 1):
            raise TypeError("You asked for just one permutation but asked for more then 1 dimensions.")
        ndim, size = 0, B.constant([], dtype="int64")
    else:
        ndim, size, _ = _infer_ndim_bcast(ndim, size)
    n = B.as_tensor_variable(n)
    return _draw("permutation", random_state, size, [n], ndim + 1, dtype)


def multinomial(random_state, size=None, n=1, pvals=(0.5, 0.5), ndim=None, dtype="int64"):
    """(new state, counts of n draws from the distributions in pvals' last axis).

    Parameters
    ----------
    random_state : shared RandomState variable
    size : tuple, integer vector or None
        The shape of the batch of distributions (the output adds pvals' last axis).
    n : int or integer tensor, optional
    pvals : array_like, optional
        Probabilities along the last axis.
    ndim : int, optional
    dtype : str, optional

    Returns
    -------
    (TensorVariable, TensorVariable)
    """
    n = B.as_tensor_variable(n)
    pvals = B.as_tensor_variable(np.asarray(pvals) if isinstance(pvals, (list, tuple)) else pvals)
    tmp = pvals.T[0].T
    ndim, size, _ = _infer_ndim_bcast(ndim, size, n, tmp)
    return _draw("multinomial", random_state, size, [n, pvals], ndim + 1, dtype)


class RandomStreamsBase(object):
    """The draws of RandomStreams, each made by ``self.gen(fn, *args)``."""

    def binomial(self, size=None, n=1, p=0.5, ndim=None, dtype="int64", prob=None):
        """Binomial samples (see raw_random.binomial).

        Parameters
        ----------
        size, n, p, ndim, dtype, prob : optional

        Returns
        -------
        TensorVariable
        """
        if prob is not None:
            p = prob
        return self.gen(binomial, size, n, p, ndim=ndim, dtype=dtype)

    def uniform(self, size=None, low=0.0, high=1.0, ndim=None, dtype=None):
        """Uniform samples in [low, high) (see raw_random.uniform).

        Parameters
        ----------
        size, low, high, ndim, dtype : optional

        Returns
        -------
        TensorVariable
        """
        return self.gen(uniform, size, low, high, ndim=ndim, dtype=dtype)

    def normal(self, size=None, avg=0.0, std=1.0, ndim=None, dtype=None):
        """Normal samples (see raw_random.normal).

        Parameters
        ----------
        size, avg, std, ndim, dtype : optional

        Returns
        -------
        TensorVariable
        """
        return self.gen(normal, size, avg, std, ndim=ndim, dtype=dtype)

    def random_integers(self, size=None, low=0, high=1, ndim=None, dtype="int64"):
        """Integers in [low, high] (see raw_random.random_integers).

        Parameters
        ----------
        size, low, high, ndim, dtype : optional

        Returns
        -------
        TensorVariable
        """
        return self.gen(random_integers, size, low, high, ndim=ndim, dtype=dtype)

    def choice(self, size=None, a=2, replace=True, p=None, ndim=None, dtype="int64"):
        """Values chosen from a (see raw_random.choice).

        Parameters
        ----------
        size, a, replace, p, ndim, dtype : optional

        Returns
        -------
        TensorVariable
        """
        return self.gen(choice, size, a, replace, p, ndim=ndim, dtype=dtype)

    def poisson(self, size=None, lam=None, ndim=None, dtype="int64"):
        """Poisson samples (see raw_random.poisson).

        Parameters
        ----------
        size, lam, ndim, dtype : optional

        Returns
        -------
        TensorVariable
        """
        return self.gen(poisson, size, lam, ndim=ndim, dtype=dtype)

    def permutation(self, size=None, n=1, ndim=None, dtype="int64"):
        """Permutations of range(n) (see raw_random.permutation).

        Parameters
        ----------
        size, n, ndim, dtype : optional

        Returns
        -------
        TensorVariable
        """
        return self.gen(permutation, size, n, ndim=ndim, dtype=dtype)

    def multinomial(self, size=None, n=1, pvals=(0.5, 0.5), ndim=None, dtype="int64"):
        """Multinomial counts (see raw_random.multinomial).

        Parameters
        ----------
        size, n, pvals, ndim, dtype : optional

        Returns
        -------
        TensorVariable
        """
        return self.gen(multinomial, size, n, pvals, ndim=ndim, dtype=dtype)

    def shuffle_row_elements(self, input):
        """`input` with the elements of each row (last axis) shuffled.

        Parameters
        ----------
        input : TensorVariable

        Returns
        -------
        TensorVariable
        """
        from .graph_api import permute_row_elements
        input = B.as_tensor_variable(input)
        perm = self.permutation(size=B.shape(input)[:-1], n=B.shape(input)[-1], ndim=input.ndim - 1)
        shuffled = permute_row_elements(input, perm)
        perm.permutation = perm
        return shuffled
