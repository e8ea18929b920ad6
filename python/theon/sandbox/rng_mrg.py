"""Theano's ``theano.sandbox.rng_mrg``: MRG_RandomStreams on MRG31k3p.

MRG31k3p (L'Ecuyer and Touzin, 2000) gives many independent streams: every
draw keeps its own shared matrix of stream states (one row per stream, each
2^72 steps after the one before), and a call advances it through the
variable's default update. The numbers are Theano 1.0.5's, to the bit, for
the same seed and the same sequence of draws (Theano's CPU code: float32
samples rounded in float). The C++ op is ``mrg_uniform``; the other
distributions are built from uniforms the way Theano built them.
"""
import numbers
import warnings

import numpy as np

from .. import _core
from ..compile.sharedvalue import shared
from ..configparser import config
from ..gradient import undefined_grad
from .. import tensor as T
from ..tensor.graph_api import Op as _Op, _op_class
from . import multinomial

M1 = 2147483647  # 2^31 - 1
M2 = 2147462579  # 2^31 - 21069


def _int_like(x):
    return isinstance(x, (numbers.Integral, np.integer)) and not isinstance(x, (bool, np.bool_))


def matVecModM(A, s, m):
    """(A @ s) mod m for an int64 matrix A and a state vector s, as int32.

    Parameters
    ----------
    A : ndarray of int64, shape (3, 3)
        A transition matrix.
    s : array_like of int
        Three state values.
    m : int
        The modulus.

    Returns
    -------
    ndarray of int32
    """
    A = np.asarray(A, dtype="int64")
    s = np.asarray(s, dtype="int64")
    return np.int32(np.sum((A * s) % m, 1) % m)


def ff_2p72(rstate):
    """The MRG31k3p state 2^72 steps after `rstate` (the next stream).

    Parameters
    ----------
    rstate : array_like of 6 int

    Returns
    -------
    ndarray of int32, shape (6,)
    """
    return np.asarray(_core.mrg_substreams([int(v) for v in rstate], 2)[6:], dtype="int32")


def ff_2p134(rstate):
    """The MRG31k3p state 2^134 steps after `rstate` (the next generator).

    Parameters
    ----------
    rstate : array_like of 6 int

    Returns
    -------
    ndarray of int32, shape (6,)
    """
    return np.asarray(_core.mrg_next_generator([int(v) for v in rstate]), dtype="int32")


def guess_n_streams(size, warn=False):
    """Theano's number of streams for a draw of `size`: a sixth of the
    samples, at most 60 * 256; 60 * 256 when the size is symbolic.

    Parameters
    ----------
    size : tuple of int or symbolic
        The sample shape.
    warn : bool, optional
        Warn when the size is symbolic.

    Returns
    -------
    int
    """
    if isinstance(size, (tuple, list)) and all(_int_like(i) for i in size):
        r = 1
        for s in size:
            r *= int(s)
        if r > 6:
            r = r // 6
        return min(r, 60 * 256)
    if warn:
        warnings.warn("MRG_RandomStreams can't determine #streams from size (%s), guessing 60*256" % (size,),
                      stacklevel=3)
    return 60 * 256


def _mrg_uniform_builder(output_type, inplace=False):
    def build(rstate, size):
        return tuple(_core.mrg_uniform(T.as_tensor_variable(rstate), _size_vector(size), str(output_type.dtype),
                                       output_type.ndim))
    return build


def _mrg_uniform_new(rstate, ndim, dtype, size):
    """Draw `size` samples of `dtype` from the int32 (streams, 6) states
    `rstate`; sample i comes from stream i % streams.

    Parameters
    ----------
    rstate : shared variable or array
        int32 (streams, 6) states.
    ndim : int or None
        Output dimensions (None: the length of size).
    dtype : str
        float16, float32 or float64.
    size : tuple or integer vector
        The sample shape.

    Returns
    -------
    (TensorVariable, TensorVariable)
        The advanced states and the samples.
    """
    v_size = _size_vector(size)
    if ndim is None:
        ndim = T.get_vector_length(v_size)
    return tuple(_core.mrg_uniform(T.as_tensor_variable(rstate), v_size, str(dtype), int(ndim)))


# Theano's op class: mrg_uniform(output_type)(rstate, size) -> (new rstate, samples).
mrg_uniform = _op_class("mrg_uniform", ["MRGUniform"], _Op, make=_mrg_uniform_builder)
mrg_uniform.new = staticmethod(_mrg_uniform_new)


def _size_vector(size):
    if isinstance(size, (tuple, list)):
        # int64 entries; known ones stay constants (a size of 1 makes a broadcastable axis).
        if all(_int_like(i) for i in size):
            return T.constant(np.asarray(size, dtype="int64").reshape(len(size)))
        size = T.stack([T.constant(int(i), dtype="int64") if _int_like(i) else
                        (i if i.dtype == "int64" else T.cast(i, "int64")) for i in size])
    v = T.as_tensor_variable(size, ndim=1) if not isinstance(size, T.TensorVariable) else size
    if v.ndim != 1 or not str(v.dtype).startswith(("int", "uint")):
        raise TypeError("size must be an integer vector, got %s" % (v.type,))
    return v if v.dtype == "int64" else T.cast(v, "int64")


def _check_size(size):
    """A size as a 1-d integer variable, checked as Theano did."""
    if isinstance(size, T.Variable):
        if size.ndim == 1:
            return size
        if size.ndim == 0:
            return T.stack([size])
        raise ValueError("Theano variable must have 1 dimension to be a valid size.", size)
    if _int_like(size):
        return T.constant([int(size)], dtype="int64")
    if not isinstance(size, (tuple, list)):
        raise ValueError("Size must be a int, tuple, list or Theano variable.", size)
    for i in size:
        if isinstance(i, T.Variable):
            if i.ndim != 0:
                raise ValueError("Non-scalar Theano variable in size", size, i)
        elif _int_like(i):
            if i <= 0:
                raise ValueError("Non-positive dimensions not allowed in size.", size, i)
        else:
            raise ValueError("Only Theano variables and integers are allowed in a size-tuple.", size, i)
    return _size_vector(tuple(size))


def _radius(u):
    if u.dtype == "float16":  # a storage dtype: computed in float32, rounded once
        return T.cast(T.sqrt(-2.0 * T.log(T.cast(u, "float32"))), "float16")
    return _core.box_muller_radius(u)


def _angle(u):
    if u.dtype == "float16":
        t = np.float32(2.0 * np.pi) * T.cast(u, "float32")
        return T.cast(T.cos(t), "float16"), T.cast(T.sin(t), "float16")
    return tuple(_core.box_muller_angle(u))


def _upcast(*dtypes):
    return str(np.result_type(*[np.dtype(d) for d in dtypes]))


class MRG_RandomStreams(object):
    """Random streams on MRG31k3p, Theano's ``MRG_RandomStreams``.

    Parameters
    ----------
    seed : int or sequence of 6 int, optional
        One integer in [1, M2) is used six times; six values must have the
        first three below M1 and not all 0, the last three below M2 and not
        all 0.

    Examples
    --------
    >>> import theon
    >>> from theon.sandbox.rng_mrg import MRG_RandomStreams
    >>> srng = MRG_RandomStreams(seed=234)
    >>> u = srng.uniform((2, 3))
    >>> f = theon.function([], u)
    >>> f().shape
    (2, 3)
    """

    def __init__(self, seed=12345):
        self.state_updates = []
        self.default_instance_seed = seed
        self.set_rstate(seed)

    def updates(self):
        """The (state, new state) update pairs of every draw made so far.

        Returns
        -------
        list of tuple
        """
        return [(a, b) for a, b, _, _ in self.state_updates]

    def set_rstate(self, seed):
        """Start the generator at `seed` (validated as the constructor's).

        Parameters
        ----------
        seed : int or sequence of 6 int
        """
        if _int_like(seed):
            seed = int(seed)
            if seed == 0:
                raise ValueError("seed should not be 0", seed)
            if seed < 0 or seed >= M2:
                raise ValueError("seed should be in [1, %i)" % M2, seed)
            self.rstate = np.asarray([seed] * 6, dtype="int32")
        elif isinstance(seed, (tuple, list, np.ndarray)) and len(seed) == 6:
            s = [int(v) for v in seed]
            if s[0] == 0 and s[1] == 0 and s[2] == 0:
                raise ValueError("The first 3 values of seed should not be all 0", seed)
            if s[3] == 0 and s[4] == 0 and s[5] == 0:
                raise ValueError("The last 3 values of seed should not be all 0", seed)
            if any(v < 0 or v >= M1 for v in s[:3]):
                raise ValueError("The first 3 values of seed should be in [0, %i)" % M1, seed)
            if any(v < 0 or v >= M2 for v in s[3:]):
                raise ValueError("The last 3 values of seed should be in [0, %i)" % M2, seed)
            self.rstate = np.asarray(s, dtype="int32")
        else:
            raise TypeError("seed should be 1 integer or 6 integers")

    def seed(self, seed=None):
        """Re-initialise every stream made so far from `seed` (default: the
        constructor's), as if they had been made after ``MRG_RandomStreams(seed)``.

        Parameters
        ----------
        seed : int or sequence of 6 int, optional
        """
        if seed is None:
            seed = self.default_instance_seed
        self.set_rstate(seed)
        for old_r, new_r, size, nstreams in self.state_updates:
            if nstreams is None:
                nstreams = self.n_streams(size)
            old_r.set_value(self.get_substream_rstates(nstreams, new_r.owner.outputs[1].dtype), borrow=True)

    def inc_rstate(self):
        """Move to the next generator, 2^134 steps ahead."""
        self.rstate = ff_2p134(self.rstate)

    def get_substream_rstates(self, n_streams, dtype, inc_rstate=True):
        """The states of `n_streams` streams from the current generator, each
        2^72 steps after the one before; then move to the next generator.

        Parameters
        ----------
        n_streams : int
            At least 1.
        dtype : str
            Accepted for Theano's signature.
        inc_rstate : bool, optional
            Move to the next generator afterwards (default).

        Returns
        -------
        ndarray of int32, shape (n_streams, 6)
        """
        n_streams = int(n_streams)
        if n_streams < 1:
            raise ValueError("get_substream_rstates: n_streams must be at least 1, got %d" % n_streams)
        rval = np.asarray(_core.mrg_substreams([int(v) for v in self.rstate], n_streams),
                          dtype="int32").reshape(n_streams, 6)
        if inc_rstate:
            self.inc_rstate()
        return rval

    def n_streams(self, size):
        """The number of streams a draw of `size` uses (guess_n_streams).

        Parameters
        ----------
        size : tuple of int or symbolic

        Returns
        -------
        int
        """
        return guess_n_streams(size)

    def pretty_return(self, node_rstate, new_rstate, sample, size, nstreams):
        """Register a draw's state update and return its sample."""
        sample.rstate = node_rstate
        sample.update = (node_rstate, new_rstate)
        self.state_updates.append((node_rstate, new_rstate, size, nstreams))
        node_rstate.default_update = new_rstate
        return sample

    def uniform(self, size, low=0.0, high=1.0, ndim=None, dtype=None, nstreams=None, **kwargs):
        """Uniform samples in (low, high).

        Parameters
        ----------
        size : tuple of int or symbolic int, or integer vector
            The sample shape (all entries > 0 when known).
        low, high : scalar or tensor, optional
            The bounds, excluded; cast to dtype.
        ndim : int, optional
            Output dimensions when size does not tell.
        dtype : str, optional
            The samples' dtype; by default the upcast of floatX, low and high.
        nstreams : int, optional
            Streams to draw from (default: guess_n_streams(size)).

        Returns
        -------
        TensorVariable
        """
        low = T.as_tensor_variable(low)
        high = T.as_tensor_variable(high)
        if dtype is None:
            dtype = _upcast(config.floatX, low.dtype, high.dtype)
        low = undefined_grad(T.cast(low, dtype))
        high = undefined_grad(T.cast(high, dtype))
        if isinstance(size, (tuple, list)):
            if not all(isinstance(i, (np.integer, numbers.Integral, T.Variable)) for i in size):
                raise TypeError("size must be a tuple of int or a Theano variable, got %r" % (size,))
            if any(_int_like(i) and i <= 0 for i in size):
                raise ValueError("The specified size contains a dimension with value <= 0", size)
            size = tuple(size)
        elif not (isinstance(size, T.Variable) and size.ndim == 1):
            raise TypeError("size must be a tuple of int or a Theano Variable with 1 dimension, got %s of type %s"
                            % (size, type(size)))
        if kwargs.pop("target", "cpu") not in ("cpu", None):
            raise ValueError("MRG_RandomStreams.uniform: theon draws on the CPU (target='cpu')")
        if kwargs:
            raise TypeError("uniform() got unexpected keyword arguments %s" % (sorted(kwargs),))
        orig_nstreams = nstreams
        if nstreams is None:
            nstreams = self.n_streams(size)
        rstates = self.get_substream_rstates(nstreams, dtype)
        node_rstate = shared(rstates)
        node_rstate.tag.is_rng = True
        v_size = _size_vector(size)
        if ndim is None:
            ndim = T.get_vector_length(v_size)
        new_rstate, u = _core.mrg_uniform(node_rstate, v_size, str(dtype), int(ndim))
        u = self.pretty_return(node_rstate, new_rstate, u, size, orig_nstreams)
        r = u * (high - low) + low
        if u.broadcastable != r.broadcastable:
            raise NotImplementedError("Increase the size to match the broadcasting pattern of `low` and `high` "
                                      "arguments")
        return r

    def binomial(self, size=None, n=1, p=0.5, ndim=None, dtype="int64", nstreams=None, **kwargs):
        """Bernoulli samples (n = 1): 1 where a uniform falls below p.

        Parameters
        ----------
        size : tuple or integer vector
            The sample shape.
        n : int, optional
            Only 1 is implemented, as in Theano.
        p : scalar or tensor, optional
            The probability of a one.
        ndim, nstreams : optional
            As for uniform.
        dtype : str, optional
            The samples' dtype (int64).

        Returns
        -------
        TensorVariable
        """
        if isinstance(n, numbers.Number) and n == 1:
            p = undefined_grad(T.as_tensor_variable(p))
            x = self.uniform(size=size, nstreams=nstreams, **kwargs)
            return T.cast(T.lt(x, p), dtype)
        raise NotImplementedError("MRG_RandomStreams.binomial with n > 1")

    def multinomial(self, size=None, n=1, pvals=None, ndim=None, dtype="int64", nstreams=None, **kwargs):
        """Counts of n draws from each row of pvals (a matrix).

        Parameters
        ----------
        size, ndim : None
            Not used (Theano's signature); must be None.
        n : int, optional
            Draws per row.
        pvals : matrix
            One distribution per row.
        dtype : str, optional
            The counts' dtype.
        nstreams : int, optional
            Streams to draw from.

        Returns
        -------
        TensorVariable
            Counts of pvals' shape.
        """
        if pvals is None:
            raise TypeError("You have to specify pvals")
        pvals = undefined_grad(T.as_tensor_variable(pvals))
        if size is not None:
            if any(_int_like(i) and i <= 0 for i in size):
                raise ValueError("The specified size contains a dimension with value <= 0", size)
            raise ValueError("Provided a size argument to MRG_RandomStreams.multinomial, which does not use the "
                             "size argument.")
        if ndim is not None:
            raise ValueError("Provided an ndim argument to MRG_RandomStreams.multinomial, which does not use the "
                             "ndim argument.")
        if pvals.ndim != 2:
            raise NotImplementedError("MRG_RandomStreams.multinomial only implemented for pvals.ndim = 2")
        size = T.shape(pvals[:, 0]) * n
        unis = self.uniform(size=size, ndim=1, nstreams=nstreams, **kwargs)
        return multinomial.MultinomialFromUniform(dtype)(pvals, unis, T.as_tensor_variable(n))

    def choice(self, size=1, a=None, replace=True, p=None, ndim=None, dtype="int64", nstreams=None, **kwargs):
        """`size` indices drawn without replacement from each row of p.

        Parameters
        ----------
        size : int or integer scalar, optional
            Draws per row, at most p.shape[1].
        a : None
            Must be None (as in Theano): the indices are 0 .. p.shape[1] - 1.
        replace : bool, optional
            Only False is implemented, as in Theano.
        p : matrix
            One distribution per row.
        ndim : None
            Not used.
        dtype : str, optional
            The indices' dtype.
        nstreams : int, optional
            Streams to draw from.

        Returns
        -------
        TensorVariable
            Indices of shape (p.shape[0], size).
        """
        if replace:
            raise NotImplementedError("MRG_RandomStreams.choice only works without replacement for now.")
        if a is not None:
            raise TypeError("For now, a has to be None in MRG_RandomStreams.choice. Sampled values are between 0 "
                            "and p.shape[1]-1")
        if p is None:
            raise TypeError("For now, p has to be specified in MRG_RandomStreams.choice.")
        p = undefined_grad(T.as_tensor_variable(p))
        if ndim is not None:
            raise ValueError("ndim argument to MRG_RandomStreams.choice is not used.")
        if p.ndim != 2:
            raise NotImplementedError("MRG_RandomStreams.choice is only implemented for p.ndim = 2")
        if _int_like(size) and size < 0:
            raise ValueError("MRG_RandomStreams.choice: size must be non-negative, got %d" % size)
        shape = T.shape(p[:, 0]) * size
        unis = self.uniform(size=shape, ndim=1, nstreams=nstreams, **kwargs)
        return multinomial.ChoiceFromUniform(odtype=dtype)(p, unis, T.as_tensor_variable(size))

    def multinomial_wo_replacement(self, size=None, n=1, pvals=None, ndim=None, dtype="int64", nstreams=None,
                                   **kwargs):
        """Deprecated: ``choice(size=n, replace=False, p=pvals)``.

        Parameters
        ----------
        size : None
        n : int
        pvals : matrix
        ndim, dtype, nstreams : optional

        Returns
        -------
        TensorVariable
        """
        warnings.warn("MRG_RandomStreams.multinomial_wo_replacement() is deprecated; use "
                      "MRG_RandomStreams.choice() instead.", DeprecationWarning, stacklevel=2)
        if size is not None:
            raise ValueError("multinomial_wo_replacement: size must be None")
        return self.choice(size=n, a=None, replace=False, p=pvals, dtype=dtype, nstreams=nstreams, ndim=ndim,
                           **kwargs)

    def normal(self, size, avg=0.0, std=1.0, ndim=None, dtype=None, nstreams=None, truncate=False, **kwargs):
        """Normal samples by the Box-Muller transform of uniforms, as Theano.

        Parameters
        ----------
        size : int, tuple or integer vector
            The sample shape.
        avg, std : scalar or tensor, optional
            Mean and standard deviation.
        ndim : int, optional
            Output dimensions when size does not tell.
        dtype : str, optional
            By default the upcast of floatX, avg and std.
        nstreams : int, optional
            Streams to draw from.
        truncate : bool, optional
            Redraw values beyond 2 standard deviations.

        Returns
        -------
        TensorVariable
        """
        size = _check_size(size)
        avg = undefined_grad(T.as_tensor_variable(avg))
        std = undefined_grad(T.as_tensor_variable(std))
        if dtype is None:
            dtype = _upcast(config.floatX, avg.dtype, std.dtype)
        avg = T.cast(avg, dtype)
        std = T.cast(std, dtype)
        n_odd = T.prod(size, dtype="int64")
        n_even = n_odd + n_odd % 2
        uniform = self.uniform((n_even,), low=0., high=1., ndim=1, dtype=dtype, nstreams=nstreams, **kwargs)
        # Box-Muller: r = sqrt(-2 log(u1)) and theta = 2 pi u2 for the two halves of the uniforms, each step
        # rounded as Theano's CPU code rounded it; z0 = r cos(theta), z1 = r sin(theta).
        if truncate or dtype == "float16":
            half = n_even // 2
            r = _radius(uniform[:half])
            cos_theta, sin_theta = _angle(uniform[half:])
            z0 = r * cos_theta
            z1 = r * sin_theta
        if truncate:
            to_fix0 = T.or_(T.lt(z0, -2.), T.gt(z0, 2.))
            to_fix1 = T.or_(T.lt(z1, -2.), T.gt(z1, 2.))
            z0_valid = z0[T.nonzero(T.invert(to_fix0))]
            z1_valid = z1[T.nonzero(T.invert(to_fix1))]
            fix0 = T.nonzero(to_fix0)[0]
            fix1 = T.nonzero(to_fix1)[0]
            n_fix = fix0.size + fix1.size
            lower = T.constant(1. / np.e ** 2, dtype=dtype)
            u_fix = self.uniform((n_fix,), low=lower, high=1., ndim=1, dtype=dtype, nstreams=nstreams, **kwargs)
            r_fix = _radius(u_fix)
            z0_fixed = r_fix[:fix0.size] * cos_theta[fix0]
            z1_fixed = r_fix[fix0.size:] * sin_theta[fix1]
            norm_samples = T.join(0, z0_valid, z0_fixed, z1_valid, z1_fixed)
        elif dtype == "float16":
            norm_samples = T.join(0, z0, z1)
        else:
            norm_samples = _core.box_muller_normal(uniform)
        samples = norm_samples[:n_odd]
        samples = T.reshape(samples, size, ndim=ndim if ndim is not None else T.get_vector_length(size))
        samples = samples * std
        samples = samples + avg
        return samples

    def truncated_normal(self, size, avg=0.0, std=1.0, ndim=None, dtype=None, nstreams=None, **kwargs):
        """Normal samples truncated at 2 standard deviations, scaled so the
        result has standard deviation `std`.

        Parameters
        ----------
        size : int, tuple or integer vector
        avg, std : scalar or tensor, optional
        ndim, dtype, nstreams : optional
            As for normal.

        Returns
        -------
        TensorVariable
        """
        # scipy.stats.truncnorm.std(a=-2, b=2): the standard deviation truncation leaves.
        std = std / T.constant(.87962566103423978)
        return self.normal(size=size, avg=avg, std=std, truncate=True, ndim=ndim, dtype=dtype, nstreams=nstreams,
                           **kwargs)
