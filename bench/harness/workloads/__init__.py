"""The workload registry and the suites (workload -> sizes)."""
from .autodiff import T5, T6
from .compile import C1
from .conv import T8, T9
from .elementwise import E2_EXPRESSIONS, E2_SIZES, E1, E2, E3, E4, M1
from .linalg import L1
from .overhead import O1
from .random import R1
from .training import C2, T1, T2, T4, T7

_E2_QUICK = [(e, n, "float64") for e in E2_EXPRESSIONS for n in E2_SIZES[::2]]  # 1e3, 1e4, 1e5, 1e7
_E2_FULL = [(e, n, dt) for dt in ("float64", "float32") for e in E2_EXPRESSIONS for n in E2_SIZES]
_O1 = [("identity", 10), ("exp", 10), ("exp-trust", 10)]

SUITES = {
    "tiny": {"E1": [1000], "E2": [(e, 1000, "float64") for e in E2_EXPRESSIONS], "E3": [(16, 8)],
             "E4": [(32, 16)], "T1": [(8, 32)], "T2": [8], "T4": [("lstm", 3, 2, 4, 5), ("rnn", 3, 2, 4, 5)],
             "T7": [("lstm", 3, 2, 4, 5)], "T8": [("lenet", 8), ("resblock", 2, 4, 8)], "T9": [("lenet", 8)],
             "T5": [(12, 100)], "T6": [("rop", 64, 8), ("gradgrad", 64, 8)], "O1": _O1, "C1": [(40, 10)],
             "C2": [(8, 32)], "M1": [(20, 16, 8, "fusable"), (20, 16, 8, "reduce")],
             "R1": [("uniform", 1000), ("normal", 1000), ("dropout", 8, 32)],
             "L1": [("cholesky+cho_solve", 100), ("svd", 100, 50), ("gp-nll+grad", 100, 3)]},
    "quick": {"E1": [100_000, 10_000_000], "E2": _E2_QUICK, "E3": [(4096, 1024)], "E4": [(4096, 4096)],
              "T1": [(256, 12_800), (60, 12_000), (20, 12_000), (1, 6_000)], "T2": [256, 1],
              "T4": [("lstm", 100, 32, 128, 256), ("rnn", 50, 16, 64, 64)],
              "T7": [("lstm", 100, 32, 128, 256)],
              "T8": [("lenet", 500), ("resblock", 32, 64, 56)], "T9": [("lenet", 500)],
              "T5": [(100, 1_000_000)], "T6": [("rop", 4096, 512), ("gradgrad", 4096, 512)], "O1": _O1,
              "C1": [(1000, 1000)], "C2": [(256, 2560)],
              "M1": [(200, 10_000, 1000, "fusable"), (200, 10_000, 1000, "reduce")],
              "R1": [("uniform", 10_000_000), ("normal", 10_000_000), ("dropout", 256, 12_800)],
              "L1": [("cholesky+cho_solve", 1000), ("svd", 1000, 500), ("gp-nll+grad", 2000, 3)]},
}
SUITES["full"] = dict(SUITES["quick"], E2=_E2_FULL, T1=[(256, 60_000), (60, 60_000)],
                      E3=[(4096, 1024), (1000, 1000)], T5=[(100, 1_000_000), (20, 40_000)],
                      C1=[(1000, 1000), (4000, 1000), (16_000, 1000)])

# Contestants per workload where a suite runs fewer than all (the rest are left
# out, not n/a): the quick suite's E2 keeps the 2010 figure's NumPy, numexpr and
# theon, plus the compilers whose per-function cost is small.
SUITE_CONTESTANTS = {
    # M1 compiles a 200-op graph per contestant (PyTensor's C compile alone takes
    # close to a minute); the quick suite keeps it to the runtimes that answer fast.
    "quick": {"E2": {"numpy", "numexpr", "theon", "pytensor", "jax", "torch"},
              "M1": {"numpy", "theon", "jax", "torch"}},
}

WORKLOADS = {w.id: w for w in (E1(), E2(), E3(), E4(), T1(), T2(), T4(), T5(), T7(), T8(), T9(), T6(), O1(), C1(), C2(), M1(), R1(), L1())}
