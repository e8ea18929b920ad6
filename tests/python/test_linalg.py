"""theon.tensor.nlinalg / slinalg: values against NumPy and SciPy (float32,
float64, integer inputs, stacks of matrices, broadcast batches), gradients
against numeric ones, shapes without computing, errors, and the Theano op
classes that match the nodes."""
import numpy as np
import pytest
import scipy.linalg as sl

import theon
import theon.tensor as T
from theon.compile.mode import Mode
from theon.tensor import nlinalg as nl
from theon.tensor import slinalg as sla

R = np.random.default_rng(7)
MODES = [Mode(), Mode(optimizer=None)]  # rewritten graph and the graph as built
TOL = {"float32": dict(rtol=2e-3, atol=2e-4), "float64": dict(rtol=1e-9, atol=1e-10)}


def spd(*shape):
    if len(shape) == 1:
        shape = (shape[0], shape[0])
    m = R.standard_normal(shape)
    n = shape[-1]
    return m @ np.swapaxes(m, -1, -2) + n * np.eye(n)


def general(*shape):
    return R.standard_normal(shape) + shape[-1] * np.eye(shape[-1]) if shape[-1] == shape[-2] else \
        R.standard_normal(shape)


def run(out, inputs, values, mode=None):
    return theon.function(inputs, out, mode=mode)(*values)


def tensor(dtype, ndim, name="x"):
    return T.TensorType(dtype, (False,) * ndim)(name)


# ---- values -------------------------------------------------------------------------------

# name: (builder, reference, input makers)
ONE_INPUT = {
    "inv": (nl.matrix_inverse, np.linalg.inv, general),
    "det": (nl.det, np.linalg.det, general),
    "slogdet": (lambda x: list(nl.slogdet(x)), lambda a: list(np.linalg.slogdet(a)), general),
    "cholesky": (sla.cholesky, np.linalg.cholesky, spd),
    "cholesky_upper": (lambda x: sla.cholesky(x, lower=False), lambda a: np.swapaxes(np.linalg.cholesky(a), -1, -2),
                       spd),
    "eigvalsh": (nl.eigvalsh, np.linalg.eigvalsh, spd),
    "eigvalsh_U": (lambda x: nl.eigvalsh(x, "U"), lambda a: np.linalg.eigvalsh(a, "U"), general),
    "svd_values": (lambda x: nl.svd(x, compute_uv=False), lambda a: np.linalg.svd(a, compute_uv=False), general),
    "pinv": (nl.pinv, np.linalg.pinv, general),
    "expm": (sla.expm, lambda a: np.stack([sl.expm(m) for m in a.reshape(-1, *a.shape[-2:])]).reshape(a.shape),
             general),
}


@pytest.mark.parametrize("mode", MODES, ids=["rewritten", "as_built"])
@pytest.mark.parametrize("shape", [(4, 4), (3, 5, 5), (2, 2, 3, 3), (1, 1)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(ONE_INPUT))
def test_one_input_functions_match_numpy(name, dtype, shape, mode):
    build, ref, make = ONE_INPUT[name]
    a = make(*shape)
    x = tensor(dtype, len(shape))
    out = build(x)
    got = run(out, [x], [a.astype(dtype)], mode)
    want = ref(a.astype("float64"))
    for g, w in zip(got if isinstance(out, list) else [got], want if isinstance(out, list) else [want]):
        assert np.asarray(g).dtype == dtype
        np.testing.assert_allclose(g, w, **TOL[dtype])


@pytest.mark.parametrize("dtype", ["int32", "int64", "uint8", "bool", "float16"])
def test_integer_and_half_inputs_compute_in_float(dtype):
    a = np.array([[2, 1], [1, 3]]).astype(dtype) if dtype != "bool" else np.eye(2, dtype=bool)
    x = tensor(dtype, 2)
    out = nl.matrix_inverse(x)
    assert out.dtype == ("float32" if dtype == "float16" else "float64")
    np.testing.assert_allclose(run(out, [x], [a]), np.linalg.inv(a.astype("float64")), rtol=1e-3)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_decompositions_reconstruct_and_match_numpy(dtype):
    tol = TOL[dtype]
    x = tensor(dtype, 2)
    for shape in [(5, 3), (3, 5), (4, 4)]:
        a = R.standard_normal(shape).astype(dtype)
        for full in (True, False):
            u, s, vt = run(nl.svd(x, full), [x], [a])
            nu, ns, nvt = np.linalg.svd(a, full)
            np.testing.assert_allclose(s, ns, **tol)
            np.testing.assert_allclose(np.abs(u), np.abs(nu), **tol)  # signs may differ only in ill-posed cases
            np.testing.assert_allclose(np.abs(vt), np.abs(nvt), **tol)
            k = len(s)
            np.testing.assert_allclose((u[:, :k] * s) @ vt[:k], a, **tol)
        for mode in ("reduced", "complete", "r", "raw"):
            got = run(nl.qr(x, mode), [x], [a])
            want = np.linalg.qr(a, mode)
            for g, w in zip(got if mode != "r" else [got], want if mode != "r" else [want]):
                np.testing.assert_allclose(g, w, **tol)
    s = spd(5).astype(dtype)
    w, v = run(nl.eigh(x), [x], [s])
    np.testing.assert_allclose(w, np.linalg.eigvalsh(s), **tol)
    np.testing.assert_allclose(s @ v, v * w, rtol=1e-3 if dtype == "float32" else 1e-9, atol=1e-3)
    g = R.standard_normal((5, 5)).astype(dtype)
    w, v = run(nl.eig(x), [x], [g])
    assert w.dtype == ("complex64" if dtype == "float32" else "complex128")
    np.testing.assert_allclose(g @ v, v * w, atol=1e-3 if dtype == "float32" else 1e-9)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_solves_match_scipy(dtype):
    tol = TOL[dtype]
    a, b = tensor(dtype, 2, "a"), tensor(dtype, 2, "b")
    v = tensor(dtype, 1, "v")
    g, s = general(5, 5).astype(dtype), spd(5).astype(dtype)
    bm, bv = R.standard_normal((5, 3)).astype(dtype), R.standard_normal(5).astype(dtype)
    L = np.linalg.cholesky(s.astype("float64")).astype(dtype)
    cases = [
        (sla.solve(a, b), [g, bm], np.linalg.solve(g, bm)),
        (sla.solve(a, v), [g, bv], np.linalg.solve(g, bv)),
        (sla.solve(a, b, transposed=True), [g, bm], np.linalg.solve(g.T, bm)),
        (sla.solve(a, b, assume_a="sym"), [s, bm], np.linalg.solve(s, bm)),
        (sla.solve(a, b, assume_a="pos", lower=True), [np.tril(s), bm], np.linalg.solve(s, bm)),
        (sla.solve(a, b, assume_a="sym", lower=False), [np.triu(s), bm], np.linalg.solve(s, bm)),
        (sla.solve_triangular(a, b, lower=True), [L, bm], sl.solve_triangular(L, bm, lower=True)),
        (sla.solve_triangular(a, b, lower=True, trans=1), [L, bm], sl.solve_triangular(L, bm, lower=True, trans=1)),
        (sla.solve_triangular(a, v, lower=False, unit_diagonal=True), [L.T, bv],
         sl.solve_triangular(L.T, bv, lower=False, unit_diagonal=True)),
        (sla.cho_solve((a, True), b), [L, bm], sl.cho_solve((L, True), bm)),
        (sla.cho_solve((a, False), v), [L.T, bv], sl.cho_solve((L.T, False), bv)),
    ]
    for out, vals, want in cases:
        ins = [a, b if vals[1].ndim == 2 else v]
        for mode in MODES:
            got = run(out, ins, vals, mode)
            assert got.dtype == dtype
            np.testing.assert_allclose(got, want, rtol=tol["rtol"] * 10, atol=tol["atol"] * 10)


def test_batched_solve_broadcasts_batches():
    a, b = T.dtensor3("a"), T.dmatrix("b")
    av, bv = general(3, 4, 4), R.standard_normal((4, 2))
    np.testing.assert_allclose(run(sla.solve(a, b), [a, b], [av, bv]), np.linalg.solve(av, bv), rtol=1e-9)
    a1 = T.TensorType("float64", (True, False, False))("a1")
    b3 = T.dtensor3("b3")
    bv3 = R.standard_normal((3, 4, 2))
    out = sla.solve(a1, b3)
    np.testing.assert_allclose(run(out, [a1, b3], [av[:1], bv3]), np.linalg.solve(av[:1], bv3), rtol=1e-9)
    with pytest.raises(ValueError, match="batch"):
        run(sla.solve(a, b3), [a, b3], [av, R.standard_normal((2, 4, 2))])


def test_generalized_eigvalsh_and_lstsq_and_composed_functions():
    a, b = T.dmatrix("a"), T.dmatrix("b")
    av = R.standard_normal((5, 5))
    av = av + av.T
    bv = spd(5)
    np.testing.assert_allclose(run(sla.eigvalsh(a, b), [a, b], [av, bv]), sl.eigvalsh(av, bv), rtol=1e-9)
    m, y = R.standard_normal((6, 3)), R.standard_normal((6, 2))
    got = run(nl.lstsq()(a, b, -1), [a, b], [m, y])
    for g, w in zip(got, np.linalg.lstsq(m, y, rcond=-1)):
        np.testing.assert_allclose(g, w, rtol=1e-9, atol=1e-12)
    got = run(nl.lstsq()(a, b, -1), [a, b], [m.T, y[:3]])  # underdetermined: no residuals
    assert got[1].shape == (0,)
    sq = general(4, 4)
    np.testing.assert_allclose(run(nl.matrix_power(a, 5), [a], [sq]), np.linalg.matrix_power(sq, 5), rtol=1e-9)
    np.testing.assert_allclose(run(nl.matrix_power(a, -2), [a], [sq]), np.linalg.matrix_power(sq, -2), rtol=1e-9)
    np.testing.assert_allclose(run(nl.matrix_power(a, 0), [a], [sq]), np.eye(4))
    for ord in [None, "fro", "inf", "-inf", 1, -1, 2, -2, "nuc"]:
        want = np.linalg.norm(sq, {"inf": np.inf, "-inf": -np.inf}.get(ord, ord))
        np.testing.assert_allclose(run(nl.norm(a, ord), [a], [sq]), want, rtol=1e-9)
    t4 = T.dtensor4("t")
    tv = R.standard_normal((4, 6, 8, 3))
    np.testing.assert_allclose(run(nl.tensorinv(t4), [t4], [tv]), np.linalg.tensorinv(tv), rtol=1e-7)
    np.testing.assert_allclose(run(sla.kron(a, b), [a, b], [sq, y]), np.kron(sq, y))
    np.testing.assert_allclose(run(sla.block_diag(a, b), [a, b], [sq, y]), sl.block_diag(sq, y))
    q = R.standard_normal((4, 4))
    np.testing.assert_allclose(run(sla.solve_continuous_lyapunov(a, b), [a, b], [sq, q]),
                               sl.solve_continuous_lyapunov(sq, q), rtol=1e-8)
    np.testing.assert_allclose(run(sla.solve_discrete_lyapunov(a, b), [a, b], [sq * 0.1, q]),
                               sl.solve_discrete_lyapunov(sq * 0.1, q), rtol=1e-8)


# ---- gradients ----------------------------------------------------------------------------

GRADS = {
    "inv": (nl.matrix_inverse, lambda: [general(4, 4)]),
    "inv_batched": (nl.matrix_inverse, lambda: [general(2, 3, 3)]),
    "det": (nl.det, lambda: [general(4, 4)]),
    "logabsdet": (lambda x: nl.slogdet(x)[1], lambda: [general(4, 4)]),
    "cholesky": (lambda r: sla.cholesky(r.dot(r.T)), lambda: [general(4, 4)]),
    "cholesky_upper": (lambda r: sla.cholesky(r.dot(r.T), lower=False), lambda: [general(4, 4)]),
    "cholesky_reads_one_triangle": (sla.cholesky, lambda: [spd(4)]),
    "solve": (sla.solve, lambda: [general(4, 4), R.standard_normal((4, 2))]),
    "solve_vector": (sla.solve, lambda: [general(4, 4), R.standard_normal(4)]),
    "solve_transposed": (lambda a, b: sla.solve(a, b, transposed=True), lambda: [general(4, 4),
                                                                                 R.standard_normal((4, 2))]),
    "solve_sym": (lambda a, b: sla.solve(a, b, assume_a="sym"), lambda: [spd(4), R.standard_normal((4, 2))]),
    "solve_pos": (lambda a, b: sla.solve(a, b, assume_a="pos"), lambda: [spd(4), R.standard_normal((4, 2))]),
    "solve_lower": (lambda a, b: sla.solve_triangular(a, b, lower=True), lambda: [np.tril(general(4, 4)),
                                                                                  R.standard_normal((4, 2))]),
    "solve_upper_trans": (lambda a, b: sla.solve_triangular(a, b, trans=1), lambda: [np.triu(general(4, 4)),
                                                                                     R.standard_normal(4)]),
    "cho_solve": (lambda c, b: sla.cho_solve((c, True), b), lambda: [np.tril(general(4, 4)),
                                                                      R.standard_normal((4, 2))]),
    "eigh_values": (lambda x: nl.eigh(x.dot(x.T))[0], lambda: [general(4, 4)]),
    "eigh_vectors": (lambda x: nl.eigh(x.dot(x.T))[1], lambda: [general(4, 4)]),
    "eigh_vectors_U": (lambda x: nl.eigh(x.dot(x.T), "U")[1], lambda: [general(4, 4)]),
    "eigvalsh_generalized": (lambda a, b: sla.eigvalsh(a, b), lambda: [spd(4) - 8 * np.eye(4), spd(4)]),
    "svd_values": (lambda x: nl.svd(x, compute_uv=False), lambda: [R.standard_normal((5, 3))]),
    "svd_u": (lambda x: nl.svd(x, False)[0], lambda: [R.standard_normal((5, 3))]),
    "svd_vt_wide": (lambda x: nl.svd(x, False)[2], lambda: [R.standard_normal((3, 5))]),
    "svd_square_full": (lambda x: nl.svd(x)[0] + nl.svd(x)[2], lambda: [general(4, 4)]),
    "qr_q": (lambda x: nl.qr(x)[0], lambda: [R.standard_normal((5, 3))]),
    "qr_r": (lambda x: nl.qr(x, "r"), lambda: [R.standard_normal((5, 3))]),
    "pinv": (nl.pinv, lambda: [R.standard_normal((5, 3))]),
    "pinv_wide": (nl.pinv, lambda: [R.standard_normal((3, 5))]),
    "lstsq": (lambda a, b: nl.lstsq()(a, b, -1)[0], lambda: [R.standard_normal((5, 3)), R.standard_normal((5, 2))]),
    "expm": (sla.expm, lambda: [R.standard_normal((4, 4))]),
    "expm_batched": (sla.expm, lambda: [R.standard_normal((2, 3, 3))]),
}


@pytest.mark.parametrize("name", sorted(GRADS))
def test_gradient_matches_numeric(name):
    fn, values = GRADS[name]
    T.verify_grad(fn, values(), rng=np.random.RandomState(3))


def test_second_order_gradient_of_logdet():
    # d^2 log det(A) / dA^2 along V: -tr(A^-1 V A^-1 V)
    a, v = T.dmatrix("a"), T.dmatrix("v")
    g = T.grad(nl.slogdet(a)[1], a)
    hv = T.grad((g * v).sum(), a)
    av, vv = spd(4), R.standard_normal((4, 4))
    got = run((hv * vv).sum(), [a, v], [av, vv])
    ai = np.linalg.inv(av)
    np.testing.assert_allclose(got, -np.trace(ai @ vv.T @ ai @ vv.T), rtol=1e-8)


def test_rop_of_inverse():
    a, v = T.dmatrix("a"), T.dmatrix("v")
    r = T.Rop(nl.matrix_inverse(a), a, v)
    av, vv = general(4, 4), R.standard_normal((4, 4))
    ai = np.linalg.inv(av)
    np.testing.assert_allclose(run(r, [a, v], [av, vv]), -ai @ vv @ ai, rtol=1e-9)


def test_degenerate_gradient_conditions_raise_when_run():
    x = T.dmatrix("x")
    f = theon.function([x], T.grad(nl.qr(x)[0].sum(), x))
    with pytest.raises(ValueError, match="at least as many rows"):
        f(R.standard_normal((3, 5)))
    f = theon.function([x], T.grad(nl.svd(x)[0].sum(), x))
    with pytest.raises(ValueError, match="full_matrices=False"):
        f(R.standard_normal((5, 3)))
    with pytest.raises(NotImplementedError, match="raw"):
        T.grad(nl.qr(x, "raw")[0].sum(), x)


def _real_spectrum(n=4):
    s = spd(n)
    d = np.diag(R.uniform(0.5, 1.5, n))
    return d @ s @ np.linalg.inv(d)  # not symmetric, real distinct eigenvalues


K4 = R.standard_normal((4, 4))


@pytest.mark.parametrize("case", ["values_real", "values_complex", "vectors_real", "vectors_modulus_complex"])
def test_eig_gradient(case):
    w = lambda m: nl.eig(m)[0]  # noqa: E731
    v = lambda m: nl.eig(m)[1]  # noqa: E731
    fn, a = {
        "values_real": (lambda m: T.real(w(m) * K4[0]).sum(), _real_spectrum()),
        "values_complex": (lambda m: (T.real(w(m)) * K4[0] + T.imag(w(m)) * K4[1]).sum(), R.standard_normal((4, 4))),
        "vectors_real": (lambda m: T.real(v(m) * K4).sum(), _real_spectrum()),
        # a complex eigenvector's phase is LAPACK's choice: a cost that does not depend on it
        "vectors_modulus_complex": (lambda m: (T.real(v(m) * T.conj(v(m))) * K4).sum(), R.standard_normal((4, 4))),
    }[case]
    T.verify_grad(fn, [a], rng=np.random.RandomState(4))


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_complex_inverse_det_and_solve(dtype):
    tol = dict(rtol=1e-4, atol=1e-5) if dtype == "complex64" else dict(rtol=1e-10, atol=1e-12)
    a, b = tensor(dtype, 2, "a"), tensor(dtype, 2, "b")
    av = (R.standard_normal((4, 4)) + 1j * R.standard_normal((4, 4)) + 3 * np.eye(4)).astype(dtype)
    bv = (R.standard_normal((4, 2)) + 1j * R.standard_normal((4, 2))).astype(dtype)
    got = run([nl.matrix_inverse(a), nl.det(a), sla.solve(a, b), sla.solve(a, b, transposed=True)], [a, b], [av, bv])
    want = [np.linalg.inv(av), np.linalg.det(av), np.linalg.solve(av, bv), np.linalg.solve(av.T, bv)]
    for g, w_ in zip(got, want):
        assert g.dtype == dtype
        np.testing.assert_allclose(g, w_, **tol)
    with pytest.raises(NotImplementedError, match="complex"):
        sla.cholesky(a)
    # a real cost of a complex inverse: the gradient through complex LU
    T.verify_grad(lambda m: T.real(nl.matrix_inverse(T.cast(m, "complex128") * (1 + 1j))).sum() +
                  T.imag(sla.solve(T.cast(m, "complex128") * (2 - 1j), np.ones(3))).sum(),
                  [R.standard_normal((3, 3)) + 3 * np.eye(3)], rng=np.random.RandomState(5))


# ---- shapes, op classes ---------------------------------------------------------------------

def test_shapes_are_inferred_without_computing():
    x = T.dmatrix("x")
    b = T.dmatrix("b")
    outs = [nl.matrix_inverse(T.dot(x.T, x)), *nl.svd(x, False), *nl.svd(x, True), *nl.qr(x), *nl.qr(x, "complete"),
            *nl.qr(x, "raw"), nl.pinv(x), *nl.eigh(T.dot(x.T, x)), sla.solve(T.dot(x.T, x), b)]
    f = theon.function([x, b], [o.shape for o in outs])
    assert not any(n.op.kind == "Linalg" for n in f.maker.fgraph.toposort())
    xv, bv = R.standard_normal((5, 3)), R.standard_normal((3, 2))
    g = theon.function([x, b], outs)
    for shape, val in zip(f(xv, bv), g(xv, bv)):
        assert tuple(shape) == val.shape


def test_theano_op_classes_match_nodes():
    x = T.dmatrix("x")
    assert isinstance(nl.matrix_inverse(x).owner.op, nl.MatrixInverse)
    assert isinstance(nl.eigh(x)[0].owner.op, nl.Eig)  # Theano's Eigh is an Eig
    assert not isinstance(nl.eig(x)[0].owner.op, nl.Eigh)
    assert isinstance(sla.Cholesky(lower=False)(x).owner.op, sla.Cholesky)
    assert sla.Cholesky(lower=False)(x).owner.op.linalg["lower"] is False
    assert isinstance(sla.Solve("lower_triangular", lower=True)(x, x).owner.op, sla.Solve)
    assert isinstance(sla.eigvalsh(x, x).owner.op, sla.Eigvalsh)
    assert not isinstance(nl.eigh(x)[0].owner.op, sla.Eigvalsh)
    with pytest.raises(ValueError, match="matrix structure"):
        sla.Solve("banded")


# ---- errors -------------------------------------------------------------------------------

def test_singular_and_indefinite_matrices_raise_linalg_error_naming_the_op():
    x, b = T.dmatrix("x"), T.dmatrix("b")
    singular = np.array([[1.0, 2.0], [2.0, 4.0]])
    for out, ins, vals, op in [(nl.matrix_inverse(x), [x], [singular], "MatrixInverse"),
                               (sla.solve(x, b), [x, b], [singular, np.ones((2, 1))], "Solve"),
                               (sla.cholesky(x), [x], [-np.eye(2)], "Cholesky"),
                               (sla.solve_triangular(x, b, lower=True), [x, b], [np.zeros((2, 2)), np.ones((2, 1))],
                                "Solve")]:
        f = theon.function(ins, out)
        with pytest.raises(np.linalg.LinAlgError, match=op) as e:
            f(*vals)
        assert "test_linalg.py" in str(e.value)  # the user's line
        assert isinstance(e.value, ValueError)
    nan = theon.function([x], sla.cholesky(x, on_error="nan"))(np.array([[1, 0.2], [0.2, -2]]))
    assert np.isnan(nan).all()
    g = theon.function([x], T.grad(sla.cholesky(x, on_error="nan").sum(), x))
    assert np.isnan(g(np.array([[1, 0.2], [0.2, -2]]))).all()  # Theano's rule: the gradient is NaN too
    assert np.isfinite(g(np.eye(2))).all()
    assert theon.function([x], nl.det(x))(singular) == 0
    sign, logdet = theon.function([x], list(nl.slogdet(x)))(singular)
    assert sign == 0 and logdet == -np.inf


def test_shape_errors():
    x, b = T.dmatrix("x"), T.dmatrix("b")
    with pytest.raises(np.linalg.LinAlgError, match="square"):
        theon.function([x], nl.matrix_inverse(x))(np.ones((2, 3)))
    with pytest.raises(np.linalg.LinAlgError, match="square"):
        nl.det(T.zeros((2, 3)))  # static shapes: when the graph is built
    with pytest.raises(TypeError, match="at least 2 dimensions"):
        nl.matrix_inverse(T.dvector())
    with pytest.raises(ValueError, match="rows"):
        theon.function([x, b], sla.solve(x, b))(np.eye(3), np.ones((2, 1)))
    with pytest.raises(np.linalg.LinAlgError, match="a must be a matrix"):
        nl.lstsq()(T.dvector(), T.dvector(), 1.0)
    with pytest.raises(NotImplementedError, match="complex"):
        nl.svd(T.zmatrix())
    with pytest.raises(ValueError, match="on_error"):
        sla.cholesky(x, on_error="ignore")
    with pytest.raises(ValueError, match="mode"):
        nl.qr(x, "full")


def test_a_failing_call_changes_no_shared_variable():
    w = theon.shared(np.eye(2))
    x = T.dmatrix("x")
    f = theon.function([x], [], updates=[(w, T.dot(w, nl.matrix_inverse(x)))])
    before = w.get_value().copy()
    with pytest.raises(np.linalg.LinAlgError):
        f(np.zeros((2, 2)))
    np.testing.assert_array_equal(w.get_value(), before)
    f(2 * np.eye(2))
    np.testing.assert_allclose(w.get_value(), 0.5 * np.eye(2))


def test_empty_and_large_batch():
    x = T.dtensor3("x")
    e = np.zeros((0, 3, 3))
    assert run(nl.matrix_inverse(x), [x], [e]).shape == (0, 3, 3)
    a = general(64, 3, 3)
    np.testing.assert_allclose(run(nl.matrix_inverse(x), [x], [a]), np.linalg.inv(a), rtol=1e-8)
    m = T.dmatrix("m")
    assert run(nl.det(m), [m], [np.zeros((0, 0))]) == 1.0


# ---- rewrites on factor products (the catalogue shows each rule; these the other forms) ----

@pytest.mark.parametrize("lower", [True, False])
def test_products_of_a_cholesky_factor_are_rewritten(lower):
    a, b = T.dmatrix("a"), T.dmatrix("b")
    c = sla.cholesky(a, lower=lower)
    prod = T.dot(c, c.T) if lower else T.dot(c.T, c)
    av, bv = spd(4), R.standard_normal((4, 2))
    f = theon.function([a, b], [sla.solve(prod, b), nl.det(prod), T.log(nl.det(a))])
    kinds = [n.op.name for n in f.maker.fgraph.toposort()]
    assert not any(k.startswith(("Solve", "Det", "Dot")) for k in kinds), kinds
    assert any(k.startswith("CholeskySolve") for k in kinds), kinds
    x, d, ld = f(av, bv)
    np.testing.assert_allclose(x, np.linalg.solve(av, bv), rtol=1e-9)
    np.testing.assert_allclose(d, np.linalg.det(av), rtol=1e-9)
    np.testing.assert_allclose(ld, np.linalg.slogdet(av)[1], rtol=1e-12)
    big = np.eye(300) * 10.0  # det overflows float64; log(det) through slogdet does not
    g = theon.function([a], T.log(nl.det(a)))
    np.testing.assert_allclose(g(big), 300 * np.log(10.0), rtol=1e-12)
