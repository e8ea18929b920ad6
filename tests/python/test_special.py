"""Special functions and complex numbers beyond the conformance table: edge
values against SciPy (where SciPy answers NaN at an infinite argument theon
gives the limit), inputs outside a function's domain, and the convention of
gradients with respect to complex inputs."""
import numpy as np
import pytest
import scipy.special as sp

import theon
import theon.tensor as T

EDGES = np.array([0.0, -0.0, 1e-300, 5e-324, np.nan, 1.0, -1.0, 2.0, 0.5, 30.0, 1e10])


@pytest.mark.parametrize("name,ref", [("erfinv", sp.erfinv), ("erfcinv", sp.erfcinv), ("erfcx", sp.erfcx),
                                      ("j0", sp.j0), ("j1", sp.j1), ("i0", sp.i0), ("i1", sp.i1)])
def test_unary_edges(name, ref):
    x = T.dvector()
    v = np.concatenate([EDGES, -EDGES])
    got = theon.function([x], getattr(T, name)(x))(v)
    with np.errstate(all="ignore"):
        want = ref(v)
    if name in ("erfcinv", "i0", "i1"):  # SciPy gives inf/NaN at a denormal argument; theon the value there
        keep = np.abs(v) != 5e-324
        got, want = got[keep], want[keep]
    np.testing.assert_allclose(got, want, rtol=1e-12, equal_nan=True)


def test_inverse_error_functions_outside_their_domain():
    x = T.dvector()
    f = theon.function([x], [T.erfinv(x), T.erfcinv(x)])
    a, b = f(np.array([1.0, -1.0, 1.5, -3.0, 0.0, 2.0]))
    np.testing.assert_array_equal(a[:2], [np.inf, -np.inf])
    assert np.isnan(a[2:4]).all() and np.isnan(b[3])
    np.testing.assert_array_equal(b[[4, 5]], [np.inf, -np.inf])


def test_incomplete_gamma_edges():
    k, x = T.dvector(), T.dvector()
    kv = np.array([0.0, 0.0, 1.0, 2.5, -1.0, 1.0, 3.0, np.nan])
    xv = np.array([0.0, 2.0, 0.0, np.inf, 1.0, -1.0, 1e3, 1.0])
    p, q = theon.function([k, x], [T.gammainc(k, x), T.gammaincc(k, x)])(kv, xv)
    np.testing.assert_allclose(p, sp.gammainc(kv, xv), equal_nan=True)
    np.testing.assert_allclose(q, sp.gammaincc(kv, xv), equal_nan=True)


def test_bessel_limits_and_orders():
    v, x = T.dvector(), T.dvector()
    f = theon.function([v, x], [T.jv(v, x), T.iv(v, x)])
    j, i = f(np.array([0.0, 1.0, 0.5, -2.0, -2.5, np.inf, 3.0]), np.array([np.inf, -np.inf, -2.0, -3.0, 0.0, 1.0, 0.0]))
    # the limits at infinite x (SciPy: NaN), NaN for non-integer orders at negative x, order -2 by parity
    np.testing.assert_array_equal(j[:2], [0.0, 0.0])
    assert np.isnan(j[2]) and np.isnan(i[2]) and np.isnan(j[5])
    np.testing.assert_allclose([j[3], i[3]], [sp.jv(-2, -3.0), sp.iv(-2, -3.0)], rtol=1e-12)
    assert j[4] == sp.jv(-2.5, 0.0) and j[6] == 0 and i[6] == 0  # (x/2)^v / gamma(1 + v) at x = 0


def test_special_functions_keep_float32():
    x = T.fvector()
    out = theon.function([x], [T.erfinv(x), T.j0(x), T.gammainc(x, x)])(np.array([0.25, 0.5], "float32"))
    assert all(o.dtype == np.float32 for o in out)
    np.testing.assert_allclose(out[0], sp.erfinv(np.float32([0.25, 0.5])), rtol=1e-6)


def test_complex_parts_of_real_and_complex_tensors():
    x, z = T.dvector(), T.zvector()
    zv = np.array([1 + 2j, -3 - 0.5j, 0j, -1 + 0j])
    f = theon.function([x, z], [T.real(z), T.imag(z), T.conj(z), T.angle(z), T.real(x), T.imag(x), T.angle(x),
                                z.real, z.imag, z.conj()])
    xv = np.array([1.5, -2.0, 0.0, -0.0])
    out = f(xv, zv)
    want = [zv.real, zv.imag, np.conj(zv), np.angle(zv), xv, np.zeros(4), np.angle(xv), zv.real, zv.imag,
            np.conj(zv)]
    for o, w in zip(out, want):
        assert o.dtype == np.asarray(w).dtype
        np.testing.assert_array_equal(o, w)
    c = T.complex(T.fvector(), T.fvector())
    assert c.dtype == "complex64" and T.complex(T.ivector(), T.dvector()).dtype == "complex128"


def test_gradient_convention_for_complex_inputs():
    # JAX's convention: for a real cost C of z = x + iy, T.grad gives dC/dx - i dC/dy
    z = T.zvector()
    zv = np.array([1 + 2j, -3 - 0.5j])
    cost = T.sum(T.real(z * T.conj(z))) + T.sum(T.imag(z) * 3) + T.sum(T.angle(z))
    g = theon.function([z], T.grad(cost, z))(zv)
    x, y = zv.real, zv.imag
    dx = 2 * x - y / (x * x + y * y)
    dy = 2 * y + 3 + x / (x * x + y * y)
    np.testing.assert_allclose(g, dx - 1j * dy, rtol=1e-12)


def test_no_gradient_in_the_order_or_shape_parameter():
    k, x = T.dscalar(), T.dscalar()
    with pytest.raises(Exception, match="gradient of gammainc with respect to k is not implemented"):
        T.grad(T.gammainc(k, x), k)
    with pytest.raises(Exception, match="gradient of jv with respect to its order is not implemented"):
        T.grad(T.jv(k, x), k)
