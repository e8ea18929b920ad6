"""Random streams: distributions (statistics at fixed seeds, RandomStreams
against NumPy's RandomState value by value), state semantics (default
updates, shared streams, seed(), get/set_value), gradients and errors.
Bit-equality with Theano 1.0.5 is in test_random_reference.py."""
import numpy as np
import pytest
from scipy import stats

import theon
import theon.tensor as T
from theon.sandbox import rng_mrg
from theon.sandbox.rng_mrg import MRG_RandomStreams
from theon.tensor import raw_random
from theon.tensor.shared_randomstreams import RandomStreams


def _seeds(seed, n):
    """The RandomState seeds of the first n draws of RandomStreams(seed)."""
    g = np.random.RandomState(seed)
    return [int(g.randint(2 ** 30)) for _ in range(n)]


# ---- MRG_RandomStreams: statistics ----

@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_mrg_uniform_is_uniform(dtype):
    f = theon.function([], MRG_RandomStreams(4321).uniform((200, 500), low=-1., high=3., dtype=dtype))
    x = f()
    assert x.dtype == dtype and x.shape == (200, 500)
    assert x.min() > -1 and x.max() < 3
    assert stats.kstest(x.ravel(), stats.uniform(-1, 4).cdf).pvalue > 1e-3
    assert not np.array_equal(x, f())  # the state advanced


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_mrg_normal_is_normal(dtype):
    x = theon.function([], MRG_RandomStreams(77).normal((30001,), avg=2., std=3., dtype=dtype))()
    assert x.dtype == dtype and x.shape == (30001,)
    assert stats.kstest(x, stats.norm(2, 3).cdf).pvalue > 1e-3


def test_mrg_truncated_normal_stays_within_two_std():
    x = theon.function([], MRG_RandomStreams(5).truncated_normal((40000,), avg=1., std=2.))()
    bound = 2 * 2 / 0.87962566103423978
    assert np.abs(x - 1).max() <= bound * (1 + 1e-6)
    assert abs(x.std() - 2) < 0.05 and abs(x.mean() - 1) < 0.05
    a = -2.0
    assert stats.kstest((x - 1) / (2 / 0.87962566103423978), stats.truncnorm(a, -a).cdf).pvalue > 1e-3


def test_mrg_binomial_multinomial_choice():
    srng = MRG_RandomStreams(99)
    b = srng.binomial((50000,), p=0.3)
    pv = np.array([[.2, .3, .5], [.6, .3, .1]], dtype=theon.config.floatX)
    m = srng.multinomial(pvals=pv, n=2000)
    pc = np.array([[.1, .2, .3, .4]] * 2000, dtype=theon.config.floatX)
    c = srng.choice(size=2, p=pc, replace=False)
    bv, mv, cv = theon.function([], [b, m, c])()
    assert set(np.unique(bv)) <= {0, 1} and abs(bv.mean() - 0.3) < 0.01
    assert mv.shape == (2, 3) and (mv.sum(axis=1) == 2000).all()
    for row, p in zip(mv, pv):
        assert stats.chisquare(row, 2000 * p).pvalue > 1e-3
    assert cv.shape == (2000, 2) and (cv[:, 0] != cv[:, 1]).all()
    assert stats.chisquare(np.bincount(cv[:, 0], minlength=4), 2000 * pc[0]).pvalue > 1e-3


def test_mrg_symbolic_size_and_nstreams():
    n = T.lscalar()
    srng = MRG_RandomStreams(3)
    u = srng.uniform((n, 3), nstreams=5)
    f = theon.function([n], u)
    assert f(4).shape == (4, 3) and f(0).shape == (0, 3)
    # Sample i comes from stream i % 5: the first row of 5 samples are the 5 streams' first values.
    states = rng_mrg.MRG_RandomStreams(3).get_substream_rstates(5, "float64")
    first = theon.function([], rng_mrg.mrg_uniform.new(theon.shared(states), 1, theon.config.floatX, (5,))[1])()
    fresh = theon.function([n], MRG_RandomStreams(3).uniform((n, 3), nstreams=5))
    assert np.array_equal(fresh(5).ravel()[:5], first)


def test_mrg_results_do_not_depend_on_threads():
    old = theon.num_threads()
    outs = []
    try:
        for t in (1, 2, 3):
            theon.set_num_threads(t)
            outs.append(theon.function([], MRG_RandomStreams(11).uniform((3000, 700)))())
    finally:
        theon.set_num_threads(old)
    assert np.array_equal(outs[0], outs[1]) and np.array_equal(outs[0], outs[2])


def test_mrg_seed_and_streams():
    srng = MRG_RandomStreams(123)
    u = srng.uniform((10,))
    f = theon.function([], u)
    a, b = f(), f()
    srng.seed(123)
    assert np.array_equal(f(), a) and np.array_equal(f(), b)
    srng.seed(124)
    assert not np.array_equal(f(), a)
    # Jumps compose: two 2^72 jumps are the second substream.
    s = np.array([123] * 6, dtype="int32")
    assert np.array_equal(rng_mrg.ff_2p72(rng_mrg.ff_2p72(s)), MRG_RandomStreams(123).get_substream_rstates(3, "f")[2])
    A = np.array([[0, 4194304, 129], [1, 0, 0], [0, 1, 0]], dtype="int64")
    assert np.array_equal(rng_mrg.matVecModM(A, s[:3], rng_mrg.M1),
                          [(4194304 * 123 + 129 * 123) % rng_mrg.M1, 123, 123])


# ---- RandomStreams: NumPy's RandomState, value by value ----

def test_random_streams_match_numpy_randomstate():
    rs = RandomStreams(7)
    draws = [
        (rs.uniform((3, 4), low=-1., high=2., dtype="float64"), lambda r: r.uniform(-1., 2., size=(3, 4))),
        (rs.normal((5,), avg=1., std=3., dtype="float64"), lambda r: r.normal(1., 3., size=(5,))),
        (rs.binomial((6,), n=7, p=0.35), lambda r: r.binomial(7, 0.35, size=(6,))),
        (rs.binomial((6,), n=500, p=0.7), lambda r: r.binomial(500, 0.7, size=(6,))),
        (rs.random_integers((9,), low=-4, high=4), lambda r: np.array([r.randint(-4, 5) for _ in range(9)])),
        (rs.poisson((6,), lam=4.5), lambda r: r.poisson(4.5, size=(6,))),
        (rs.poisson((6,), lam=80.), lambda r: r.poisson(80., size=(6,))),
        (rs.permutation((2,), n=6), lambda r: np.array([r.permutation(6) for _ in range(2)])),
        (rs.multinomial((2,), n=20, pvals=[.25, .25, .5]), lambda r: r.multinomial(20, [.25, .25, .5], size=(2,))),
        (rs.choice((5,), a=9), lambda r: r.choice(9, size=(5,))),
        (rs.choice((3,), a=9, replace=False), lambda r: r.choice(9, size=(3,), replace=False)),
        (rs.choice((4,), a=3, p=[.2, .3, .5]), lambda r: r.choice(3, size=(4,), p=[.2, .3, .5])),
        (rs.choice((2,), a=4, replace=False, p=[.1, .2, .3, .4]),
         lambda r: r.choice(4, size=(2,), replace=False, p=[.1, .2, .3, .4])),
    ]
    f = theon.function([], [d for d, _ in draws])
    states = [np.random.RandomState(s) for s in _seeds(7, len(draws))]
    for call in range(2):
        for got, (_, numpy_draw), r in zip(f(), draws, states):
            assert np.array_equal(got, numpy_draw(r)), (call, got)


def test_random_streams_broadcast_parameters():
    rs = RandomStreams(3)
    low = T.dvector()
    out = rs.uniform(low=low, high=10.)
    f = theon.function([low], out)
    r = np.random.RandomState(_seeds(3, 1)[0])
    assert np.array_equal(f([0., 5., 9.]), r.uniform([0., 5., 9.], 10.))
    n = T.lvector()
    b = rs.binomial((2, 3), n=n, p=0.5)
    r = np.random.RandomState(_seeds(3, 2)[1])
    assert np.array_equal(theon.function([n], b)([1, 10, 100]), r.binomial([1, 10, 100], 0.5, size=(2, 3)))


def test_random_streams_shuffle_row_elements():
    rs = RandomStreams(12)
    x = T.dmatrix()
    f = theon.function([x], rs.shuffle_row_elements(x))
    v = np.arange(12.).reshape(3, 4)
    out = f(v)
    assert (np.sort(out, axis=1) == v).all() and not (out == v).all()


def test_statistics_of_random_streams():
    rs = RandomStreams(2024)
    n, p = rs.normal((20000,), dtype="float64"), rs.poisson((20000,), lam=6.)
    b = rs.binomial((20000,), n=40, p=0.2)
    nv, pv, bv = theon.function([], [n, p, b])()
    assert stats.kstest(nv, "norm").pvalue > 1e-3
    k = np.arange(20)
    assert stats.chisquare(np.bincount(pv, minlength=20)[:20], 20000 * stats.poisson(6).pmf(k) *
                           np.bincount(pv, minlength=20)[:20].sum() / (20000 * stats.poisson(6).pmf(k)).sum()
                           ).pvalue > 1e-4
    assert abs(bv.mean() - 8) < 0.1 and abs(bv.var() - 6.4) < 0.3


# ---- state semantics ----

def test_functions_sharing_a_stream_see_one_sequence():
    rs = RandomStreams(5)
    u = rs.uniform((4,), dtype="float64")
    f, g = theon.function([], u), theon.function([], u)
    r = np.random.RandomState(_seeds(5, 1)[0])
    assert np.array_equal(f(), r.uniform(size=4))
    assert np.array_equal(g(), r.uniform(size=4))
    assert np.array_equal(f(), r.uniform(size=4))


def test_no_default_updates_keeps_the_state():
    for srng in (RandomStreams(5), MRG_RandomStreams(5)):
        u = srng.uniform((4,))
        f = theon.function([], u, no_default_updates=True)
        assert np.array_equal(f(), f())
        g = theon.function([], u)
        assert not np.array_equal(g(), g())


def test_seed_get_value_set_value_round_trip():
    rs = RandomStreams(8)
    u = rs.uniform((3,))
    f = theon.function([], u)
    saved = u.rng.get_value()
    assert isinstance(saved, np.random.RandomState)
    a = f()
    u.rng.set_value(saved)
    assert np.array_equal(f(), a)
    rs.seed(8)
    assert np.array_equal(f(), a)
    rs[u.rng] = np.random.RandomState(1)
    assert np.array_equal(f(), np.random.RandomState(1).uniform(size=3).astype(theon.config.floatX))
    assert isinstance(u.rng, raw_random.RandomStateType().__class__) is False
    assert raw_random.RandomStateType().is_valid_value(rs[u.rng])


def test_symbolic_random_state_input():
    rng = raw_random.random_state_type()
    post, out = raw_random.normal(rng, (3,), dtype="float64")
    f = theon.function([rng], [post, out])
    new, v = f(np.random.RandomState(4))
    ref = np.random.RandomState(4)
    assert np.array_equal(v, ref.normal(size=3))
    assert np.array_equal(new.uniform(size=2), ref.uniform(size=2))


def test_shared_of_a_randomstate_is_a_random_state_variable():
    from theon.tensor.shared_randomstreams import RandomStateSharedVariable
    r = theon.shared(np.random.RandomState(9))
    assert isinstance(r, RandomStateSharedVariable)
    post, out = raw_random.uniform(r, (3,), dtype="float64")
    f = theon.function([], out, updates=[(r, post)])
    ref = np.random.RandomState(9)
    assert np.array_equal(f(), ref.uniform(size=3)) and np.array_equal(f(), ref.uniform(size=3))
    assert r.get_value().get_state()[2] == ref.get_state()[2]


def test_a_failing_call_advances_no_state():
    rs = RandomStreams(6)
    p = T.dscalar()
    b = rs.binomial((4,), n=3, p=p)
    f = theon.function([p], b)
    with pytest.raises(ValueError, match=r"p must be in \[0, 1\]"):
        f(1.5)
    r = np.random.RandomState(_seeds(6, 1)[0])
    assert np.array_equal(f(0.5), r.binomial(3, 0.5, size=4))
    srng = MRG_RandomStreams(6)
    n = T.lscalar()
    u = srng.uniform((n,))
    g = theon.function([n], u)
    state = srng.state_updates[0][0]
    before = state.get_value()
    with pytest.raises(ValueError, match="non-negative"):
        g(-2)
    assert np.array_equal(state.get_value(), before)


# ---- gradients ----

def test_gradient_through_a_dropout_mask():
    srng = MRG_RandomStreams(1)
    w = T.dmatrix()
    x = np.random.RandomState(0).rand(5, 4)
    mask = srng.binomial((5, 4), p=0.5, dtype="float64")
    cost = T.sum(T.tanh(w * mask) ** 2)
    g = theon.grad(cost, w)
    f = theon.function([w], [cost, g, mask], no_default_updates=True)
    c, gv, m = f(x)
    assert np.allclose(gv, 2 * np.tanh(x * m) * (1 - np.tanh(x * m) ** 2) * m)
    eps = 1e-6
    num = np.zeros_like(x)
    for i in np.ndindex(*x.shape):
        d = np.zeros_like(x)
        d[i] = eps
        num[i] = (f(x + d)[0] - f(x - d)[0]) / (2 * eps)
    assert np.allclose(gv, num, atol=1e-6)


def test_no_gradient_through_the_draw_parameters():
    low = T.dscalar()
    out = MRG_RandomStreams(2).uniform((3,), low=low, dtype="float64")
    with pytest.raises(theon.gradient.NullTypeGradError):
        theon.grad(out.sum(), low)
    avg = T.dscalar()
    n = RandomStreams(2).normal((3,), avg=avg, dtype="float64")
    with pytest.raises(theon.gradient.NullTypeGradError):
        theon.grad(n.sum(), avg)
    # RandomStreams' draws (Theano's RandomFunction) have no gradient even
    # through integer samples: a multinomial whose pvals depend on the input,
    # also inside a scan step (Theano's test_crash_nonseq_grad).
    inp = T.dmatrix()
    pvals = (inp / inp.sum(axis=0)).T
    srng = RandomStreams(3)
    with pytest.raises(theon.gradient.NullTypeGradError):
        theon.grad((inp + srng.multinomial(n=1, pvals=pvals)).sum(), inp)
    out, _ = theon.scan(lambda i: inp + srng.multinomial(n=1, pvals=pvals), sequences=T.arange(inp.shape[0]))
    with pytest.raises(theon.gradient.NullTypeGradError):
        theon.grad(out.sum(), inp)
    # A constant probability: the draw is a constant of the cost (dropout).
    mask = srng.binomial(size=inp.shape, p=0.5)
    g = theon.grad((inp * mask).sum(), inp)
    assert g.ndim == 2


# ---- errors ----

def test_bad_sizes_are_rejected():
    srng = MRG_RandomStreams(1)
    with pytest.raises(ValueError, match="<= 0"):
        srng.uniform((3, 0))
    with pytest.raises(ValueError, match="<= 0"):
        srng.uniform((-1,))
    with pytest.raises(TypeError):
        srng.uniform((2.5,))
    with pytest.raises(TypeError):
        srng.uniform(3)
    with pytest.raises(ValueError):
        srng.normal((2, -3))
    rs = RandomStreams(1)
    with pytest.raises(TypeError, match="integer"):
        rs.uniform(T.dvector())
    with pytest.raises(ValueError, match="ndim"):
        rs.uniform((4,), ndim=2)
    s = T.lvector()
    f = theon.function([s], rs.uniform(s, ndim=2))
    with pytest.raises(ValueError, match=r"RandomFunction\{uniform.*size 1 is -3"):
        f([2, -3])
    with pytest.raises(ValueError, match="output has 2 dimensions"):
        f([2])


def test_bad_parameters_are_rejected():
    rs = RandomStreams(1)
    pv = T.dvector()
    f = theon.function([pv], rs.multinomial((2,), n=5, pvals=pv))
    with pytest.raises(ValueError, match="sum to at most 1"):
        f([0.7, 0.6, 0.1])
    with pytest.raises(ValueError, match="non-negative"):
        f([-0.1, 0.6, 0.5])
    with pytest.raises(ValueError, match="larger sample"):
        theon.function([], rs.choice((5,), a=3, replace=False))()
    with pytest.raises(ValueError, match="do not sum to 1"):
        theon.function([], rs.choice((2,), a=3, p=[.5, .5, .5]))()
    with pytest.raises(ValueError, match="low > high"):
        theon.function([], rs.random_integers((2,), low=5, high=1))()
    with pytest.raises(ValueError, match="lam"):
        theon.function([], rs.poisson((2,), lam=-1.))()
    with pytest.raises(ValueError, match="std < 0"):
        theon.function([], rs.normal((2,), std=-1.))()
    with pytest.raises(TypeError, match="cannot draw normal samples of dtype int64"):
        rs.normal((2,), dtype="int64")
    srng = MRG_RandomStreams(1)
    with pytest.raises(TypeError, match="float16, float32 or float64"):
        rng_mrg.mrg_uniform.new(theon.shared(srng.get_substream_rstates(2, "int64")), 1, "int64", (3,))
    p = T.dmatrix()
    g = theon.function([p], srng.choice(size=4, p=p, replace=False))
    with pytest.raises(ValueError, match="without replacement from 3 outcomes"):
        g(np.full((2, 3), 1 / 3.))


def test_bad_seeds_and_states_are_rejected():
    for seed in (0, -5, rng_mrg.M2, [0, 0, 0, 1, 1, 1], [1, 1, 1, 0, 0, 0], [rng_mrg.M1, 1, 1, 1, 1, 1]):
        with pytest.raises(ValueError):
            MRG_RandomStreams(seed)
    with pytest.raises(TypeError):
        MRG_RandomStreams([1, 2, 3])
    bad = theon.shared(np.full((2, 6), -1, dtype="int32"))
    f = theon.function([], rng_mrg.mrg_uniform.new(bad, 1, "float32", (4,))[1])
    with pytest.raises(ValueError, match="not an MRG31k3p state"):
        f()
    with pytest.raises(ValueError, match="n_streams"):
        MRG_RandomStreams(3).get_substream_rstates(0, "float32")
    rs = RandomStreams(1)
    u = rs.uniform((2,))
    with pytest.raises(TypeError, match="RandomState"):
        u.rng.set_value(3)
    with pytest.raises(ValueError, match="628"):
        u.rng.set_value(np.zeros(5, dtype="uint32"))
