"""images2neibs / neibs2images (theano.tensor.nnet.neighbours): patches
against NumPy loops for every mode and step, the round trip, gradients
against numeric ones, errors."""
import numpy as np
import pytest
from conftest import numeric_grad

import theon
import theon.tensor as T
from theon.tensor.nnet import images2neibs, neibs2images

RNG = np.random.RandomState(3)


def reference(x, shape, step, mode):
    a, b = shape
    sa, sb = step or shape
    if mode in ("half", "full"):
        pa, pb = (a // 2, b // 2) if mode == "half" else (a - 1, b - 1)
        x = np.pad(x, [(0, 0), (0, 0), (pa, pa), (pb, pb)])
    rows = []
    for n in range(x.shape[0]):
        for c in range(x.shape[1]):
            for i in range(0, x.shape[2] - a + 1, sa):
                for j in range(0, x.shape[3] - b + 1, sb):
                    rows.append(x[n, c, i:i + a, j:j + b].ravel())
    return np.array(rows)


@pytest.mark.parametrize("shape,step,mode,size", [
    ((2, 2), None, "valid", (4, 6)), ((2, 3), (1, 2), "valid", (5, 7)), ((3, 2), None, "ignore_borders", (7, 5)),
    ((3, 3), (2, 1), "half", (5, 6)), ((2, 3), None, "full", (4, 5))])
def test_patches_against_numpy(shape, step, mode, size):
    x = T.dtensor4("x")
    xv = RNG.randn(2, 3, *size)
    n = images2neibs(x, shape, step, mode)
    np.testing.assert_array_equal(theon.function([x], n)(xv), reference(xv, shape, step, mode))
    cost = (n ** 2 * np.arange(shape[0] * shape[1])).sum()
    g = theon.function([x], theon.grad(cost, x))(xv)
    np.testing.assert_allclose(g, numeric_grad(theon.function([x], cost), [xv])[0], rtol=1e-5, atol=1e-6)


def test_round_trip_and_overlaps_adding_up():
    x = T.dtensor4("x")
    xv = RNG.randn(2, 2, 6, 4)
    back = neibs2images(images2neibs(x, (3, 2)), (3, 2), xv.shape)
    np.testing.assert_allclose(theon.function([x], back)(xv), xv)
    # ignore_borders: the pixels in no patch come back as zeros
    part = neibs2images(images2neibs(x, (4, 3), mode="ignore_borders"), (4, 3), xv.shape, mode="ignore_borders")
    want = np.zeros_like(xv)
    want[:, :, :4, :3] = xv[:, :, :4, :3]
    np.testing.assert_allclose(theon.function([x], part)(xv), want)
    # overlapping patches (step 1) add up: each pixel counts the patches that hold it
    n = images2neibs(x, (2, 2), (1, 1))
    got = theon.function([x], theon.grad(n.sum(), x))(xv)
    np.testing.assert_allclose(got[0, 0], [[1, 2, 2, 1], [2, 4, 4, 2], [2, 4, 4, 2], [2, 4, 4, 2], [2, 4, 4, 2],
                                           [1, 2, 2, 1]])


def test_errors():
    x = T.dtensor4("x")
    f = theon.function([x], images2neibs(x, (2, 2)))
    with pytest.raises(TypeError, match="tile"):  # Theano's Images2Neibs raised TypeError
        f(np.ones((1, 1, 5, 4)))
    for mode in ("half", "full"):  # the padded images must be tiled too
        with pytest.raises(TypeError, match="padded"):
            theon.function([x], images2neibs(x, (2, 2), mode=mode))(np.ones((1, 1, 5, 4)))
    with pytest.raises(ValueError, match="mode"):
        images2neibs(x, (2, 2), mode="diagonal")
    with pytest.raises(TypeError, match="odd"):
        images2neibs(x, (2, 3), mode="wrap_centered")
    g = theon.function([x], images2neibs(x, (5, 3), mode="wrap_centered"))
    with pytest.raises(TypeError, match="at least as large"):
        g(np.ones((1, 1, 4, 4)))
    with pytest.raises(ValueError, match="positive"):
        images2neibs(x, (0, 2))
    with pytest.raises(TypeError, match="4-d"):
        images2neibs(T.dmatrix("m"), (2, 2))


def wrap_centered_reference(x, shape, step):
    """Theano's loops: a patch centred on every step-th pixel, indices wrapping around."""
    (c, d), (sx, sy) = shape, step
    n, s, h, w = x.shape
    rows = []
    for img in x.reshape(n * s, h, w):
        for a in range(-(-h // sx)):
            for b in range(-(-w // sy)):
                rows.append([img[(i + a * sx - c // 2) % h, (j + b * sy - d // 2) % w]
                             for i in range(c) for j in range(d)])
    return np.array(rows)


@pytest.mark.parametrize("size,shape,step", [((1, 1, 5, 6), (3, 3), (1, 1)), ((2, 3, 7, 5), (3, 1), (2, 3)),
                                             ((1, 2, 4, 4), (3, 3), (3, 3)), ((1, 1, 5, 5), (5, 5), (2, 2))])
def test_wrap_centered_against_theanos_loops(size, shape, step):
    x = T.dtensor4("x")
    xv = np.random.RandomState(3).rand(*size)
    n = images2neibs(x, shape, step, mode="wrap_centered")
    np.testing.assert_array_equal(theon.function([x], n)(xv), wrap_centered_reference(xv, shape, step))
    cost = (n * n).sum()
    got = theon.function([x], theon.grad(cost, x))(xv)
    np.testing.assert_allclose(got, numeric_grad(theon.function([x], cost), [xv])[0], rtol=1e-6)


def test_neibs2images_with_a_shape_known_when_the_function_runs():
    img, rows, size = T.dtensor4("img"), T.dmatrix("rows"), T.ivector("size")
    extract = theon.function([img], images2neibs(img, (4, 4)))
    for mode in ("valid", "ignore_borders"):
        f = theon.function([rows, size], neibs2images(rows, (4, 4), size, mode=mode))
        im = np.random.RandomState(1).rand(1, 3, 8, 12)
        np.testing.assert_array_equal(f(extract(im), im.shape), im)
        with pytest.raises(ValueError, match="4 entries"):
            f(extract(im), (1, 1, 3, 8, 12))
        with pytest.raises(ValueError):
            f(extract(im), (3, 8, 12, 1))
    with pytest.raises(ValueError, match="4 entries"):
        neibs2images(rows, (4, 4), (3, 8, 12))
