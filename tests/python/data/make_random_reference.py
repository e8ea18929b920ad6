"""Records the reference samples of tests/python/test_random_reference.py
from Theano 1.0.5 itself; theon never runs this file.

Run with Theano 1.0.5 on NumPy < 1.24 (bench/setup_peers.sh makes such an
environment, bench/.venv-theano), once per floatX:

    THEANO_FLAGS="blas.ldflags=,linker=c|py,floatX=float32" \
        bench/.venv-theano/bin/python tests/python/data/make_random_reference.py float32

`linker=c|py` runs each op's C code, Theano's default on a CPU (its Python
fallbacks round float32 MRG samples differently). Each draw below is
mirrored by the test, in the same order.
"""
import sys

import numpy as np


def draws(mrg, rs, floatx):
    """The draws, by name; the test builds the same ones with theon."""
    pv = np.asarray([[.2, .3, .5], [.1, .1, .8], [.25, .25, .5]], dtype=floatx)
    pc = np.asarray([[.1, .2, .3, .4], [.4, .3, .2, .1]], dtype=floatx)
    return [
        ("mrg_uniform", mrg.uniform((7, 11))),
        ("mrg_uniform64", mrg.uniform((5,), low=-2., high=3., dtype="float64")),
        ("mrg_uniform_nstreams", mrg.uniform((4, 5), nstreams=3)),
        ("mrg_normal", mrg.normal((5, 3), avg=1., std=2.)),
        ("mrg_normal_odd", mrg.normal((7,))),
        ("mrg_normal64", mrg.normal((6,), dtype="float64")),
        ("mrg_truncated_normal", mrg.truncated_normal((40,))),
        ("mrg_binomial", mrg.binomial((30,), p=0.3)),
        ("mrg_multinomial", mrg.multinomial(pvals=pv, n=4)),
        ("mrg_choice", mrg.choice(size=3, p=pc, replace=False)),
        ("rs_uniform", rs.uniform((4, 3), low=-1., high=2.)),
        ("rs_normal", rs.normal((5,), avg=1., std=3.)),
        ("rs_binomial", rs.binomial((8,), n=5, p=0.4)),
        ("rs_binomial_btpe", rs.binomial((8,), n=1000, p=0.3)),
        ("rs_random_integers", rs.random_integers((10,), low=-3, high=7)),
        ("rs_poisson", rs.poisson((6,), lam=3.)),
        ("rs_poisson_ptrs", rs.poisson((6,), lam=25.)),
        ("rs_permutation", rs.permutation((2,), n=5)),
        ("rs_multinomial", rs.multinomial((3,), n=10, pvals=[.2, .3, .5])),
        ("rs_choice", rs.choice((5,), a=10)),
        ("rs_choice_noreplace", rs.choice((4,), a=10, replace=False)),
    ]


def main():
    import theano
    from theano.sandbox.rng_mrg import MRG_RandomStreams
    from theano.tensor.shared_randomstreams import RandomStreams
    floatx = sys.argv[1]
    assert theano.config.floatX == floatx, "set floatX=%s in THEANO_FLAGS" % floatx
    out = {}
    names, outs = zip(*draws(MRG_RandomStreams(1234), RandomStreams(42), floatx))
    f = theano.function([], list(outs))
    for call in range(2):  # two calls: the states advance between them
        for n, v in zip(names, f()):
            out["%s_%d" % (n, call)] = v
    np.savez("tests/python/data/theano105_random_%s.npz" % floatx, **out)


if __name__ == "__main__":
    main()
