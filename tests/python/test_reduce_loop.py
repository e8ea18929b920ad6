"""The reduction loop (backend/cpu/reduce_loop.cpp) on sizes large enough to be split
into partitions and row groups: every kind over every axis set, C / transposed /
strided layouts, NaNs in every position for max and min, and bit-identical
results for any thread count."""
import itertools

import numpy as np
import pytest

import theon
import theon.tensor as T

SHAPES = [(700, 600), (3, 257, 300), (1, 300001), (300001, 1), (5, 1031)]


def axis_sets(nd):
    for r in range(1, nd + 1):
        yield from itertools.combinations(range(nd), r)


def layouts(a):
    yield "C", a
    yield "T", a.T.copy().T  # Fortran order, same values
    big = np.repeat(a, 2, axis=-1)
    yield "strided", big[..., ::2]


@pytest.fixture(autouse=True)
def restore_threads():
    old = theon.num_threads()
    yield
    theon.set_num_threads(old)


def run(kind, x, axes, v, threads):
    theon.set_num_threads(threads)
    return theon.function([x], getattr(T, kind)(x, axis=axes))(v)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_sum_and_max_over_every_axis_set(shape, dtype):
    rng = np.random.default_rng(len(shape))
    a = rng.standard_normal(shape).astype(dtype)
    x = T.tensor(dtype, shape=[None] * len(shape))
    for axes in axis_sets(len(shape)):
        for name, v in layouts(a):
            for kind in ("sum", "max", "min"):
                got = run(kind, x, list(axes), v, 2)
                ref = getattr(np, kind)(v.astype("float64"), axis=axes)
                if kind == "sum":
                    np.testing.assert_allclose(got, ref, rtol=1e-6 if dtype == "float32" else 1e-12,
                                               atol=1e-3 if dtype == "float32" else 1e-9, err_msg=f"{axes} {name}")
                else:
                    np.testing.assert_array_equal(got, ref.astype(dtype), err_msg=f"{kind} {axes} {name}")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kind", ["max", "min"])
def test_nans_win_wherever_they_are(dtype, kind):
    rng = np.random.default_rng(3)
    a = rng.standard_normal((64, 1029)).astype(dtype)
    x = T.matrix(dtype=dtype)
    f = {ax: theon.function([x], getattr(T, kind)(x, axis=ax)) for ax in (0, 1, None)}
    for pos in [(0, 0), (63, 1028), (5, 17), (17, 1024), (32, 3)]:
        b = a.copy()
        b[pos] = np.nan
        for ax, g in f.items():
            for name, v in layouts(b):
                got = g(v)
                ref = getattr(np, kind)(v, axis=ax)
                np.testing.assert_array_equal(np.isnan(got), np.isnan(ref), err_msg=f"{pos} {ax} {name}")
                np.testing.assert_array_equal(got[~np.isnan(ref)] if np.ndim(ref) else got,
                                              ref[~np.isnan(ref)] if np.ndim(ref) else ref)
    inf = np.full((40, 40), -np.inf if kind == "max" else np.inf, dtype=dtype)
    np.testing.assert_array_equal(f[0](inf), inf[0])


@pytest.mark.parametrize("dtype,kinds", [("int32", ("sum", "prod", "max", "min")), ("bool", ("all", "any")),
                                         ("uint8", ("sum", "max"))])
def test_discrete_dtypes(dtype, kinds):
    rng = np.random.default_rng(5)
    a = (rng.integers(0, 3, (513, 700)) if dtype != "bool" else rng.random((513, 700)) > 0.001).astype(dtype)
    x = T.matrix(dtype=dtype)
    for kind in kinds:
        for axes in (0, 1, None):
            got = run(kind, x, axes, a, 2)
            ref = getattr(np, kind)(a, axis=axes)
            if kind in ("sum", "prod"):
                ref = getattr(np, kind)(a.astype("int64" if dtype == "int32" else "uint64"), axis=axes)
            np.testing.assert_array_equal(got, ref, err_msg=f"{kind} {axes}")


@pytest.mark.parametrize("shape,axes", [((2000, 1500), None), ((2000, 1500), [0]), ((2000, 1500), [1]),
                                        ((40, 300, 200), [0, 2]), ((3000001,), None)])
def test_any_thread_count_gives_identical_bits(shape, axes):
    a = np.random.default_rng(9).standard_normal(shape).astype("float32") * 1e4
    x = T.tensor("float32", shape=[None] * len(shape))
    outs = [run("sum", x, axes, a, n) for n in (1, 2, 3, 4)]
    for o in outs[1:]:
        np.testing.assert_array_equal(o, outs[0])
    np.testing.assert_allclose(outs[0], a.astype("float64").sum(axis=None if axes is None else tuple(axes)),
                               rtol=1e-6, atol=1e-2)


def test_float32_sum_accumulates_in_float64():
    # 2**24 + many ones: a float32 accumulator would stop growing at 2**24.
    a = np.ones(2 ** 25, dtype="float32")
    x = T.vector(dtype="float32")
    assert theon.function([x], x.sum())(a) == 2 ** 25
