"""theon's random streams give Theano 1.0.5's samples to the bit.

The reference samples in data/theano105_random_<floatX>.npz were recorded
once from Theano 1.0.5 by data/make_random_reference.py (Theano's C code,
its default on a CPU); this test makes the same draws, in the same order,
with theon's MRG_RandomStreams and RandomStreams, on both execution tiers
and for any thread count.
"""
import importlib.util
import os

import numpy as np
import pytest

import theon
from theon.sandbox.rng_mrg import MRG_RandomStreams
from theon.tensor.shared_randomstreams import RandomStreams

DATA = os.path.join(os.path.dirname(__file__), "data")


def _recorder():
    spec = importlib.util.spec_from_file_location("make_random_reference",
                                                  os.path.join(DATA, "make_random_reference.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(params=["float32", "float64"])
def floatx(request):
    old = theon.config.floatX
    theon.config.floatX = request.param
    yield request.param
    theon.config.floatX = old


@pytest.mark.parametrize("native", ["off", "wait"])
@pytest.mark.parametrize("threads", [1, 2])
def test_samples_equal_theano_1_0_5(floatx, native, threads):
    ref = np.load(os.path.join(DATA, "theano105_random_%s.npz" % floatx))
    old_native, old_threads = theon.config.native, theon.num_threads()
    theon.config.native = native
    theon.set_num_threads(threads)
    try:
        names, outs = zip(*_recorder().draws(MRG_RandomStreams(1234), RandomStreams(42), floatx))
        f = theon.function([], list(outs))
        for call in range(2):
            for name, got in zip(names, f()):
                want = ref["%s_%d" % (name, call)]
                assert got.dtype == want.dtype and got.shape == want.shape, name
                assert np.array_equal(got, want), "%s (call %d): %d of %d values differ" % (
                    name, call, int(np.sum(got != want)), got.size)
    finally:
        theon.config.native = old_native
        theon.set_num_threads(old_threads)


def test_mrg_streams_equal_lecuyer_reference():
    # The shipped samples (scripts/make_mrg_samples.py) are MRG31k3p's from
    # seed 12345: streams 2^134 and substreams 2^72 apart. Their first values
    # are L'Ecuyer's SSJ output, which Theano's tests quote.
    path = os.path.join(os.path.dirname(theon.__file__), "sandbox", "samples_MRG31k3p_12_7_5.txt")
    got = np.loadtxt(path)
    assert got.shape == (420,)
    assert got[:5].tolist() == [0.7353244530968368, 0.6142074400559068, 0.11007806099951267, 0.6487741703167558,
                                0.36619443260133266]
    spec = importlib.util.spec_from_file_location(
        "make_mrg_samples", os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "make_mrg_samples.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert np.array_equal(np.asarray(mod.samples()), got)
