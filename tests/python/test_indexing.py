"""Indexing against NumPy: basic slices (negative steps), ints, integer arrays,
set_subtensor/inc_subtensor, out-of-range errors."""
import numpy as np
import pytest

import theon
import theon.tensor as T

BASIC_KEYS = [
    (slice(None),),
    (slice(1, 3),),
    (slice(None, None, -1),),
    (slice(None, None, -2),),
    (slice(3, 0, -1),),
    (slice(-2, None),),
    (slice(None, -1),),
    (slice(1, None, 2),),
    (slice(10, 20),),            # empty, out of range slices clip like NumPy
    (slice(-100, 100),),
    (1,),
    (-1,),
    (0, 2),
    (-1, -1),
    (slice(None), 1),
    (1, slice(None, None, -1)),
    (slice(1, 3), slice(None, None, -2)),
    (slice(None, None, -1), slice(1, None)),
    (Ellipsis, 0),
    (2, Ellipsis),
]


@pytest.mark.parametrize("key", BASIC_KEYS, ids=[repr(k) for k in BASIC_KEYS])
def test_basic_indexing(key, rng):
    x = T.matrix("x")
    v = rng.rand(4, 5)
    out = x[key if len(key) > 1 else key[0]]
    want = v[key if len(key) > 1 else key[0]]
    assert out.ndim == np.ndim(want)
    got = theon.function([x], out)(v)
    assert np.shape(got) == np.shape(want)
    np.testing.assert_array_equal(got, want)


def test_symbolic_slice_bounds(rng):
    x = T.vector("x")
    a, b, s = T.lscalar("a"), T.lscalar("b"), T.lscalar("s")
    f = theon.function([x, a, b, s], x[a:b:s])
    v = rng.rand(10)
    for args in [(1, 8, 2), (8, 1, -3), (-3, -9, -1), (0, 100, 3), (9, -11, -1)]:
        np.testing.assert_array_equal(f(v, *args), v[args[0]:args[1]:args[2]])
    i = T.lscalar("i")
    g = theon.function([x, i], x[i])
    assert g(v, 3) == v[3] and g(v, -2) == v[-2]


def test_zero_step_raises(rng):
    x = T.vector("x")
    s = T.lscalar("s")
    f = theon.function([x, s], x[::s])
    with pytest.raises(ValueError):
        f(rng.rand(3), 0)


def test_index_3d(rng):
    x = T.tensor3("x")
    v = rng.rand(3, 4, 5)
    keys = [(1, slice(None, None, -1), 2), (slice(None), 0), (-1,), (slice(0, 3, 2), slice(None), slice(4, 0, -2))]
    outs = theon.function([x], [x[k] for k in keys])(v)
    for o, k in zip(outs, keys):
        np.testing.assert_array_equal(o, v[k])


def test_integer_array_pairs(rng):
    """The tutorial's x[T.arange(n), y]: one element per row."""
    x = T.matrix("x")
    y = T.ivector("y")
    out = x[T.arange(y.shape[0]), y]
    v = rng.rand(5, 3)
    vy = np.array([0, 2, 1, 1, 0], dtype="int32")
    got = theon.function([x, y], out)(v, vy)
    np.testing.assert_array_equal(got, v[np.arange(5), vy])


def test_integer_vector_index(rng):
    x = T.matrix("x")
    i = T.lvector("i")
    v = rng.rand(5, 3)
    vi = np.array([4, 0, 0, -1, 2])
    got = theon.function([x, i], x[i])(v, vi)
    np.testing.assert_array_equal(got, v[vi])
    got2 = theon.function([x, i], x[:, i])(v, np.array([2, 0, 2]))
    np.testing.assert_array_equal(got2, v[:, [2, 0, 2]])
    got3 = theon.function([x], x[[1, 3]])(v)
    np.testing.assert_array_equal(got3, v[[1, 3]])


def test_integer_matrix_index(rng):
    x = T.vector("x")
    m = T.imatrix("m")
    v = rng.rand(6)
    vm = np.array([[0, 5], [2, 2]], dtype="int32")
    out = x[m]
    assert out.ndim == 2
    np.testing.assert_array_equal(theon.function([x, m], out)(v, vm), v[vm])


def test_mixed_slice_and_array(rng):
    x = T.tensor3("x")
    i = T.lvector("i")
    v = rng.rand(3, 4, 5)
    vi = np.array([3, 1])
    got = theon.function([x, i], x[1:, i, ::-1])(v, vi)
    np.testing.assert_array_equal(got, v[1:, vi, ::-1])


@pytest.mark.parametrize("key", [5, -6, 100])
def test_int_out_of_range_raises_index_error(key, rng):
    x = T.vector("x")
    i = T.lscalar("i")
    f = theon.function([x, i], x[i])
    with pytest.raises(IndexError) as e:
        f(rng.rand(5), key)
    assert str(key) in str(e.value)


def test_array_index_out_of_range_raises_index_error(rng):
    x = T.matrix("x")
    i = T.lvector("i")
    f = theon.function([x, i], x[i])
    with pytest.raises(IndexError):
        f(rng.rand(3, 2), np.array([0, 3]))
    g = theon.function([x, i], x[:, i])
    with pytest.raises(IndexError):
        g(rng.rand(3, 2), np.array([-3]))


def test_constant_int_out_of_static_range():
    x = T.tensor("float64", shape=(3,), name="x")
    with pytest.raises(IndexError):
        theon.function([x], x[7])(np.zeros(3))


def test_too_many_indices():
    with pytest.raises(IndexError):
        T.vector()[0, 1]


def test_float_index_rejected():
    x = T.vector("x")
    with pytest.raises(TypeError):
        x[T.scalar("f")]


def test_set_subtensor_slices(rng):
    x = T.matrix("x")
    y = T.matrix("y")
    v, vy = rng.rand(4, 5), rng.rand(2, 5)
    out = T.set_subtensor(x[1:3], y)
    got = theon.function([x, y], out)(v, vy)
    want = v.copy()
    want[1:3] = vy
    np.testing.assert_array_equal(got, want)
    # the input is unchanged (no aliasing)
    assert not np.array_equal(v[1:3], vy)


def test_set_subtensor_broadcast_and_negative_step(rng):
    x = T.matrix("x")
    s = T.scalar("s")
    v = rng.rand(4, 5)
    got = theon.function([x, s], T.set_subtensor(x[::-2, 1], s))(v, 9.0)
    want = v.copy()
    want[::-2, 1] = 9.0
    np.testing.assert_array_equal(got, want)
    r = T.vector("r")
    vr = rng.rand(5)
    got2 = theon.function([x, r], T.set_subtensor(x[:2], r))(v, vr)
    want2 = v.copy()
    want2[:2] = vr
    np.testing.assert_array_equal(got2, want2)


def test_inc_subtensor_slices(rng):
    x = T.matrix("x")
    y = T.vector("y")
    v, vy = rng.rand(4, 5), rng.rand(5)
    got = theon.function([x, y], T.inc_subtensor(x[-1], y))(v, vy)
    want = v.copy()
    want[-1] += vy
    np.testing.assert_allclose(got, want)


def test_inc_subtensor_duplicates_accumulate(rng):
    x = T.vector("x")
    i = T.lvector("i")
    y = T.vector("y")
    f = theon.function([x, i, y], T.inc_subtensor(x[i], y))
    v = np.zeros(4)
    vi = np.array([1, 1, 3, 1])
    vy = np.array([1.0, 2.0, 3.0, 4.0])
    got = f(v, vi, vy)
    want = v.copy()
    np.add.at(want, vi, vy)
    np.testing.assert_allclose(got, want)  # [0, 7, 0, 3]
    np.testing.assert_array_equal(v, np.zeros(4))


def test_set_subtensor_with_array_index(rng):
    x = T.matrix("x")
    i = T.lvector("i")
    v = rng.rand(4, 3)
    got = theon.function([x, i], T.set_subtensor(x[i], 0.0))(v, np.array([0, 2]))
    want = v.copy()
    want[[0, 2]] = 0.0
    np.testing.assert_array_equal(got, want)
    got2 = theon.function([x, i], T.inc_subtensor(x[:, i], 1.0))(v, np.array([2, 2]))
    want2 = v.copy()
    np.add.at(want2, (slice(None), np.array([2, 2])), 1.0)
    np.testing.assert_allclose(got2, want2)


def test_inc_subtensor_pair_index(rng):
    x = T.matrix("x")
    y = T.ivector("y")
    v = np.zeros((3, 3))
    vy = np.array([2, 0, 2], dtype="int32")
    got = theon.function([x, y], T.inc_subtensor(x[T.arange(3), y], 1.0))(v, vy)
    want = v.copy()
    want[np.arange(3), vy] += 1.0
    np.testing.assert_array_equal(got, want)


def test_set_subtensor_requires_an_indexing_result():
    with pytest.raises((TypeError, ValueError)):
        T.set_subtensor(T.matrix() + 1, T.scalar())


def test_subtensor_of_shared_in_givens(rng):
    data = theon.shared(rng.rand(10, 2), name="data")
    i = T.lscalar("i")
    x = T.matrix("x")
    f = theon.function([i], x.sum(axis=0), givens={x: data[i * 3:(i + 1) * 3]})
    np.testing.assert_allclose(f(1), data.get_value()[3:6].sum(0))
    np.testing.assert_allclose(f(3), data.get_value()[9:12].sum(0))


A3 = np.arange(60.0).reshape(3, 4, 5)
NEWAXIS_KEYS = [
    (None,), (Ellipsis, None), (slice(None), None, slice(1, None)), ([0], None, [1]), ([0], slice(None), None, [1]),
    (None, [0], [1]), ([0, 1], None), (slice(None), [0], None, [1]), (1, None, slice(None, None, -1)),
    (None, Ellipsis, None, 2), (slice(None), None, [0, 2], [1, 3]), (None, None, 0, None),
]


@pytest.mark.parametrize("key", NEWAXIS_KEYS, ids=repr)
def test_none_newaxis_anywhere(key):
    # None adds an axis where NumPy puts it, also when it separates index arrays
    x = T.tensor3("x")
    got = theon.function([x], x[key])(A3)
    want = A3[key]
    assert got.shape == want.shape
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("key", NEWAXIS_KEYS, ids=repr)
def test_set_and_inc_through_newaxis(key):
    # the region x[key] has NumPy's shape; a value of that shape (or one that broadcasts) goes back through the None
    x, y = T.tensor3("x"), T.tensor("float64", (False,) * A3[key].ndim, name="y")
    yv = np.random.default_rng(1).standard_normal(A3[key].shape)
    for fn, np_op in ((T.set_subtensor, lambda a, v: a.__setitem__(key, v)),
                      (T.inc_subtensor, lambda a, v: a.__setitem__(key, a[key] + v))):
        want = A3.copy()
        np_op(want, yv)
        np.testing.assert_allclose(theon.function([x, y], fn(x[key], y))(A3, yv), want)
    g = theon.function([x, y], T.grad(T.sum(T.set_subtensor(x[key], y) ** 2), y))(A3, yv)
    np.testing.assert_allclose(g, 2 * yv)


def test_set_through_newaxis_and_transpose_checks_y():
    x = T.matrix("x", dtype="float64")
    a = np.arange(12.0).reshape(3, 4)
    want = a.copy()
    want[1:3] = 0
    np.testing.assert_array_equal(theon.function([x], T.set_subtensor(x[1:3].T, np.zeros((4, 2))))(a), want)
    want = a.copy()
    want[None, 1:3] += np.arange(4.0)
    np.testing.assert_array_equal(theon.function([x], T.inc_subtensor(x[None, 1:3], np.arange(4.0)))(a), want)
    with pytest.raises(ValueError, match=r"set_subtensor: y \(TensorType\(float64, \(2, 2, 4\)\)\) does not broadcast "
                                         r"to the region .*axis 0 of the region has length 1, y's 2"):
        T.set_subtensor(x[None, 1:3], np.ones((2, 2, 4)))
    with pytest.raises(TypeError, match="cannot set a 3-dimensional region .* with a 4-dimensional value"):
        T.set_subtensor(x[None, 1:3], np.ones((1, 1, 2, 4)))
    y = T.tensor3("y", dtype="float64")
    f = theon.function([x, y], T.set_subtensor(x[None, 1:3], y))
    np.testing.assert_array_equal(f(a, np.zeros((1, 2, 4)))[1:], 0)
    with pytest.raises(ValueError, match=r"axis 0 of the input \(shape \(2, 2, 4\)\) has length 2, not 1"):
        f(a, np.zeros((2, 2, 4)))


MASK2 = A3[:, :, 0] > 20
MASK_KEYS = [(MASK2,), (MASK2, slice(1, None)), (slice(None), A3[0, :, 0] > 6), (Ellipsis, A3[0, 0] > 2),
             (None, MASK2), (A3 > 30,), (MASK2, [1]), (np.zeros(3, bool),)]


@pytest.mark.parametrize("key", MASK_KEYS, ids=lambda k: str([np.shape(e) for e in k]))
def test_boolean_masks_constant_and_symbolic(key):
    x = T.tensor3("x")
    want = A3[key]
    np.testing.assert_array_equal(theon.function([x], x[key])(A3), want)
    # the same masks as symbolic inputs
    ms = [T.tensor("bool", (False,) * np.ndim(k)) if isinstance(k, np.ndarray) and k.dtype == bool else k for k in key]
    sym = [m for m in ms if isinstance(m, T.TensorVariable)]
    vals = [k for k in key if isinstance(k, np.ndarray) and k.dtype == bool]
    np.testing.assert_array_equal(theon.function([x] + sym, x[tuple(ms)])(A3, *vals), want)


def test_set_inc_and_grad_through_a_mask():
    x, m = T.tensor3("x"), T.tensor("bool", (False, False))
    s = theon.function([x, m], T.set_subtensor(x[m], 0.0))(A3, MASK2)
    want = A3.copy()
    want[MASK2] = 0
    np.testing.assert_array_equal(s, want)
    i = theon.function([x, m], T.inc_subtensor(x[m, 1:], 1.0))(A3, MASK2)
    want = A3.copy()
    want[MASK2, 1:] += 1
    np.testing.assert_array_equal(i, want)
    g = theon.function([x, m], T.grad(T.sum(x[m] ** 2), x))(A3, MASK2)
    want = np.zeros_like(A3)
    want[MASK2] = 2 * A3[MASK2]
    np.testing.assert_array_equal(g, want)


def test_mask_of_the_wrong_shape():
    x = T.tensor3("x")
    f = theon.function([x], x[np.ones((3, 5), bool)])
    with pytest.raises(IndexError, match=r"boolean index did not match the indexed array: a mask of 2 dimensions "
                                             r"at axis 0(.|\n)*Inputs shapes: \[\(3, 5\)(.|\n)*test_indexing.py"):
        f(A3)
    with pytest.raises(IndexError, match="boolean index did not match indexed array along axis 1: .* has length 4, "
                                         "the mask 5"):
        T.specify_shape(x, (3, 4, 5))[np.ones((3, 5), bool)]
    with pytest.raises(IndexError, match="too many indices"):
        x[np.ones((3, 4, 5, 1), bool)]
