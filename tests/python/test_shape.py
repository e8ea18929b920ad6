"""Shape ops against NumPy: dimshuffle, transpose, reshape, flatten, shape,
alloc/zeros/ones/fill/*_like, arange, eye, concatenate/join/stack."""
import numpy as np
import pytest

import theon
import theon.tensor as T


def _f(inputs, outputs):
    return theon.function(inputs, outputs)


def test_dimshuffle_patterns(rng):
    x = T.tensor3("x")
    v = rng.rand(2, 3, 4)
    for pattern in [(0, 1, 2), (2, 0, 1), (1, 0, 2), ("x", 0, 1, 2), (0, "x", 1, 2), (2, 1, 0, "x")]:
        out = x.dimshuffle(*pattern)
        want = v.transpose([p for p in pattern if p != "x"])
        want = want.reshape([1 if p == "x" else v.shape[p] for p in pattern])
        assert out.broadcastable == tuple(p == "x" for p in pattern)
        np.testing.assert_array_equal(_f([x], out)(v), want)


def test_dimshuffle_drops_broadcastable_dim(rng):
    r = T.row("r")
    v = rng.rand(1, 5)
    out = r.dimshuffle(1)
    assert out.ndim == 1
    np.testing.assert_array_equal(_f([r], out)(v), v[0])
    out2 = T.dimshuffle(r, (1, "x"))
    assert out2.broadcastable == (False, True)
    np.testing.assert_array_equal(_f([r], out2)(v), v.T)


def test_dimshuffle_cannot_drop_non_broadcastable_dim():
    with pytest.raises((ValueError, TypeError)) as e:
        T.matrix().dimshuffle(1)
    assert "dimshuffle" in str(e.value).lower() or "broadcastable" in str(e.value).lower()


def test_transpose(rng):
    m = T.matrix("m")
    v = rng.rand(3, 5)
    assert m.T.broadcastable == (False, False)
    np.testing.assert_array_equal(_f([m], m.T)(v), v.T)
    np.testing.assert_array_equal(_f([m], T.transpose(m))(v), v.T)
    x = T.tensor3("x")
    v3 = rng.rand(2, 3, 4)
    np.testing.assert_array_equal(_f([x], x.transpose(1, 2, 0))(v3), v3.transpose(1, 2, 0))
    np.testing.assert_array_equal(_f([x], x.T)(v3), v3.T)
    assert T.col().T.broadcastable == (True, False)


def test_transpose_output_is_contiguous_copy(rng):
    """The output of a transpose is usable as a normal array and does not alias the input."""
    m = T.matrix("m")
    v = rng.rand(3, 4)
    out = _f([m], m.T)(v)
    out[0, 0] = 123.0
    assert v[0, 0] != 123.0


@pytest.mark.parametrize("newshape", [(6, 4), (4, 6), (24,), (2, 3, 4), (-1, 4), (2, -1), (4, -1, 2), (1, 24)])
def test_reshape(newshape, rng):
    x = T.matrix("x")
    v = rng.rand(4, 6)
    out = x.reshape(newshape)
    assert out.ndim == len(newshape)
    got = _f([x], out)(v)
    np.testing.assert_array_equal(got, v.reshape(newshape))


def test_reshape_symbolic_shape(rng):
    x = T.vector("x")
    n = T.lscalar("n")
    out = T.reshape(x, (n, -1))
    v = rng.rand(12)
    np.testing.assert_array_equal(_f([x, n], out)(v, 3), v.reshape(3, 4))
    m = T.matrix("m")
    out2 = T.reshape(x, m.shape)
    np.testing.assert_array_equal(_f([x, m], out2)(v, np.zeros((2, 6))), v.reshape(2, 6))


def test_reshape_bad_size_raises_at_run_time(rng):
    x = T.vector("x")
    f = _f([x], x.reshape((5, -1)))
    with pytest.raises(ValueError) as e:
        f(rng.rand(12))
    assert "12" in str(e.value) or "reshape" in str(e.value).lower()


@pytest.mark.parametrize("ndim", [1, 2, 3])
def test_flatten(ndim, rng):
    x = T.tensor3("x")
    v = rng.rand(2, 3, 4)
    out = x.flatten(ndim)
    assert out.ndim == ndim
    want = v.reshape(v.shape[:ndim - 1] + (-1,))
    np.testing.assert_array_equal(_f([x], out)(v), want)
    np.testing.assert_array_equal(_f([x], T.flatten(x, ndim))(v), want)


def test_flatten_default_and_ravel(rng):
    x = T.matrix("x")
    v = rng.rand(3, 2)
    np.testing.assert_array_equal(_f([x], x.flatten())(v), v.ravel())
    np.testing.assert_array_equal(_f([x], T.flatten(x))(v), v.ravel())


def test_shape_and_shape_i(rng):
    x = T.tensor3("x")
    v = rng.rand(2, 3, 5)
    s = x.shape
    assert s.ndim == 1 and s.dtype == "int64"
    got = _f([x], s)(v)
    np.testing.assert_array_equal(got, [2, 3, 5])
    got0, got2, gotneg = _f([x], [x.shape[0], x.shape[2], x.shape[-1]])(v)
    assert int(got0) == 2 and int(got2) == 5 and int(gotneg) == 5
    np.testing.assert_array_equal(_f([x], T.shape(x))(v), [2, 3, 5])
    assert int(_f([x], T.shape_i(x, 1))(v)) == 3
    assert int(_f([x], x.size)(v)) == 30


def test_alloc(rng):
    v = T.vector("v")
    n = T.lscalar("n")
    out = T.alloc(v, n, 3)
    got = _f([v, n], out)(np.array([1.0, 2.0, 3.0]), 4)
    np.testing.assert_array_equal(got, np.tile([1.0, 2.0, 3.0], (4, 1)))
    s = T.scalar("s")
    got2 = _f([s], T.alloc(s, 2, 3))(5.0)
    np.testing.assert_array_equal(got2, np.full((2, 3), 5.0))


def test_zeros_ones(rng):
    n = T.lscalar("n")
    z = T.zeros((n, 3))
    o = T.ones((2, n), dtype="int32")
    assert z.dtype == "float64" and o.dtype == "int32"
    gz, go = _f([n], [z, o])(4)
    np.testing.assert_array_equal(gz, np.zeros((4, 3)))
    np.testing.assert_array_equal(go, np.ones((2, 4), dtype="int32"))
    assert go.dtype == np.int32
    with theon.config.change_flags(floatX="float32"):
        assert T.zeros((2,)).dtype == "float32"


def test_zeros_from_shape_vector(rng):
    x = T.matrix("x")
    out = T.zeros(x.shape)
    np.testing.assert_array_equal(_f([x], out)(rng.rand(2, 5)), np.zeros((2, 5)))


def test_fill_zeros_like_ones_like(rng):
    x = T.imatrix("x")
    v = rng.randint(-5, 5, (2, 3)).astype("int32")
    zl, ol, fl = T.zeros_like(x), T.ones_like(x), T.fill(x, 7)
    assert zl.dtype == "int32" and ol.dtype == "int32"
    gz, go, gf = _f([x], [zl, ol, fl])(v)
    np.testing.assert_array_equal(gz, np.zeros_like(v))
    np.testing.assert_array_equal(go, np.ones_like(v))
    np.testing.assert_array_equal(gf, np.full_like(v, 7))
    assert T.zeros_like(x, dtype="float32").dtype == "float32"


@pytest.mark.parametrize("args", [(5,), (2, 7), (1, 10, 3), (10, 1, -2), (0,), (3, 3)])
def test_arange_int(args):
    out = T.arange(*args)
    assert out.dtype == "int64"
    np.testing.assert_array_equal(_f([], out)(), np.arange(*args))


def test_arange_symbolic_and_float():
    n = T.lscalar("n")
    np.testing.assert_array_equal(_f([n], T.arange(n))(6), np.arange(6))
    start = T.scalar("start")
    out = T.arange(start, 2.0, 0.25)
    assert out.dtype == "float64"
    np.testing.assert_allclose(_f([start], out)(0.5), np.arange(0.5, 2.0, 0.25))
    out32 = T.arange(0, 3, dtype="float32")
    assert out32.dtype == "float32"
    np.testing.assert_array_equal(_f([], out32)(), np.arange(3, dtype="float32"))


@pytest.mark.parametrize("n, m, k", [(3, None, 0), (3, 4, 0), (4, 3, 1), (3, 5, -1), (2, 2, 3)])
def test_eye(n, m, k):
    out = T.eye(n, m, k)
    assert out.dtype == "float64"
    np.testing.assert_array_equal(_f([], out)(), np.eye(n, m, k))
    assert T.eye(2, dtype="int32").dtype == "int32"


def test_eye_symbolic():
    n = T.lscalar("n")
    np.testing.assert_array_equal(_f([n], T.eye(n))(3), np.eye(3))


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_concatenate_and_join(axis, rng):
    a, b, c = T.matrix("a"), T.matrix("b"), T.matrix("c")
    if axis == 0:
        va, vb, vc = rng.rand(2, 3), rng.rand(1, 3), rng.rand(4, 3)
    else:
        va, vb, vc = rng.rand(3, 2), rng.rand(3, 1), rng.rand(3, 4)
    want = np.concatenate([va, vb, vc], axis=axis)
    np.testing.assert_array_equal(_f([a, b, c], T.concatenate([a, b, c], axis=axis))(va, vb, vc), want)
    np.testing.assert_array_equal(_f([a, b, c], T.join(axis, a, b, c))(va, vb, vc), want)


def test_concatenate_vectors_and_mixed_dtype(rng):
    a, b = T.ivector("a"), T.dvector("b")
    out = T.concatenate([a, b])
    assert out.dtype == "float64"
    got = _f([a, b], out)(np.array([1, 2], dtype="int32"), np.array([0.5]))
    np.testing.assert_array_equal(got, [1.0, 2.0, 0.5])


def test_concatenate_shape_mismatch_raises(rng):
    a, b = T.matrix("a"), T.matrix("b")
    f = _f([a, b], T.concatenate([a, b], axis=0))
    with pytest.raises(ValueError) as e:
        f(rng.rand(2, 3), rng.rand(2, 4))
    assert "3" in str(e.value) and "4" in str(e.value)


@pytest.mark.parametrize("axis", [0, 1, 2, -1])
def test_stack(axis, rng):
    a, b, c = T.matrix("a"), T.matrix("b"), T.matrix("c")
    vs = [rng.rand(2, 3) for _ in range(3)]
    want = np.stack(vs, axis=axis)
    np.testing.assert_array_equal(_f([a, b, c], T.stack([a, b, c], axis=axis))(*vs), want)
    if axis == 0:
        np.testing.assert_array_equal(_f([a, b, c], T.stack(a, b, c))(*vs), want)


def test_stack_scalars():
    x, y = T.scalar("x"), T.scalar("y")
    out = T.stack([x, y, x * y])
    assert out.ndim == 1
    np.testing.assert_array_equal(_f([x, y], out)(2.0, 3.0), [2.0, 3.0, 6.0])


def test_shape_ops_types():
    x = T.tensor3("x")
    assert x.reshape((2, -1)).ndim == 2
    assert x.flatten(2).ndim == 2
    assert T.concatenate([x, x], axis=1).ndim == 3
    assert T.stack([x, x]).ndim == 4
    assert T.eye(3).ndim == 2
    assert T.arange(4).ndim == 1


# Shapes answered without running the op: x[...].shape from the slice bounds
# and x's size (Python's slice.indices), inc_subtensor's from x, reshape's from
# its MakeVector entries; the compiled shape graph holds none of these ops.
SLICES = [slice(None), slice(2, None), slice(None, -3), slice(-100, 100), slice(1, 7, 2), slice(None, None, -1),
          slice(8, 1, -3), slice(-2, None, -2), slice(5, 5), slice(7, 2), slice(None, None, 3), slice(-1, -100, -4)]


@pytest.mark.parametrize("n", [0, 1, 6, 11])
def test_slice_shapes_need_no_slicing(n):
    x, i = T.dmatrix("x"), T.lscalar("i")
    outs = [x[s, 1:].shape for s in SLICES] + [x[i:, ::-1].shape, x[2].shape,
                                               T.inc_subtensor(x[1:, :2], 1.0).shape,
                                               T.flatten(x).shape]
    f = theon.function([x, i], outs)
    kinds = {nd.op.kind for nd in f.maker.fgraph.apply_nodes}
    assert not kinds & {"Subtensor", "IncSubtensor", "Reshape"}, kinds
    v = np.zeros((n, 4))
    got = f(v, -2)
    want = [v[s, 1:].shape for s in SLICES] + [v[-2:, ::-1].shape, (4,) if n > 2 else None, v.shape, (n * 4,)]
    for g, w in zip(got, want):
        if w is not None:
            assert tuple(g) == w


def test_symbolic_step_shape_still_runs_the_slice():
    x, s = T.dvector("x"), T.lscalar("s")
    f = theon.function([x, s], x[::s].shape)
    assert f(np.zeros(7), -3).tolist() == [3] and f(np.zeros(7), 2).tolist() == [4]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_float_arange_equals_numpys_bit_for_bit(dtype):
    # numpy fills first + i * ((first + step) - first), which is not first + i * step
    s, e, st = T.scalars("abc") if dtype == "float64" else T.fscalars("abc")
    f = theon.function([s, e, st], T.arange(s, e, st))
    for args in [(0, 5, 1), (2, 11, 4), (-5, 1.1, 1.2), (1.3, 2, -2.1), (10, 2, 2), (0.1, 10, 0.7), (3, -4, -0.3)]:
        v = np.asarray(args, dtype=dtype)
        got, want = f(*v), np.arange(*v, dtype=dtype)
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)


def test_uint64_slice_bounds_shape_matches_the_slice():
    x = T.dvector("x")
    big = T.constant(np.uint64(2 ** 63 + 5))
    f = theon.function([x], [x[big:].shape, x[:big].shape])
    assert [s.tolist() for s in f(np.zeros(4))] == [[0], [4]]
