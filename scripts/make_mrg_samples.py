"""Writes python/theon/sandbox/samples_MRG31k3p_12_7_5.txt: MRG31k3p's first
5 samples of 7 substreams of each of 12 streams from seed 12345 (the layout
of L'Ecuyer's reference implementation, which Theano's rng_mrg tests read),
computed with theon's own generator:

    python scripts/make_mrg_samples.py
"""
import os

import numpy as np

import theon
from theon.sandbox import rng_mrg


def samples():
    out = []
    gen = np.array([12345] * 6, dtype="int32")
    for _ in range(12):
        states = theon.shared(np.asarray(theon._core.mrg_substreams([int(v) for v in gen], 7),
                                         dtype="int32").reshape(7, 6))
        new, u = rng_mrg.mrg_uniform.new(states, 1, "float64", (7,))
        f = theon.function([], u, updates=[(states, new)])
        draws = np.array([f() for _ in range(5)])  # (sample, substream)
        out.extend(draws.T.flatten())
        gen = rng_mrg.ff_2p134(gen)
    return out


def main():
    path = os.path.join(os.path.dirname(__file__), "..", "python", "theon", "sandbox", "samples_MRG31k3p_12_7_5.txt")
    with open(path, "w") as f:
        f.write("".join("%r\n" % float(v) for v in samples()))


if __name__ == "__main__":
    main()
