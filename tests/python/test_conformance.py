"""The conformance table: one row per tensor function, with the NumPy
reference, the dtypes and broadcasting patterns it is checked on, whether
its gradient is checked against finite differences, and bad inputs with the
error they must raise. Every name of theon.tensor.extra has a row."""
import numpy as np
import pytest

import theon
import theon.tensor as T
import theon.tensor.extra as extra
from conftest import check_grad

FLOATS = ("float64", "float32")


class Row(object):
    def __init__(self, name, build, ref, shapes, dtypes=FLOATS, grad=True, domain=(-3, 3), bad=(), rtol=None,
                 same_dtype=True):
        self.name, self.build, self.ref, self.shapes = name, build, ref, shapes
        self.dtypes, self.grad, self.domain, self.bad, self.rtol = dtypes, grad, domain, bad, rtol
        self.same_dtype = same_dtype  # the output dtype is NumPy's for these inputs


def _isclose(T_, a, b):
    return T_.isclose(a, b, rtol=1e-3, atol=1e-2)


ROWS = [
    Row("square", lambda T_, x: T_.square(x), lambda x: np.square(x), [[(3, 4)], [()]]),
    Row("power", lambda T_, x, y: T_.power(T_.abs_(x) + 0.5, y), lambda x, y: np.power(np.abs(x) + 0.5, y),
        [[(3, 4), (3, 4)], [(3, 4), (1, 4)], [(2, 3, 4), (4,)]], same_dtype=False),
    Row("deg2rad", lambda T_, x: T_.deg2rad(x), np.deg2rad, [[(5,)], [(2, 3)]], domain=(-360, 360)),
    Row("rad2deg", lambda T_, x: T_.rad2deg(x), np.rad2deg, [[(5,)], [(2, 3)]]),
    Row("round_half_away_from_zero", lambda T_, x: T_.round_half_away_from_zero(x),
        lambda x: np.where(np.abs(x - np.trunc(x)) >= 0.5, np.trunc(x) + np.sign(x), np.trunc(x)).astype(x.dtype),
        [[(50,)]], grad=False, domain=(-4, 4)),
    Row("iround", lambda T_, x: T_.iround(x), lambda x: np.round(x).astype("int64"), [[(20,)]], grad=False,
        same_dtype=False),
    Row("isinf_", lambda T_, x: T_.isinf_(T_.log(x)), lambda x: np.isinf(np.log(x)), [[(9,)]], grad=False,
        domain=(0, 2)),
    Row("isnan_", lambda T_, x: T_.isnan_(T_.log(x)), lambda x: np.isnan(np.log(x)), [[(9,)]], grad=False),
    Row("isclose", _isclose, lambda a, b: np.isclose(a, b, rtol=1e-3, atol=1e-2),
        [[(30,), (30,)], [(3, 4), (1, 4)]], grad=False),
    Row("allclose", lambda T_, a, b: T_.allclose(a, a + b * 1e-9), lambda a, b: np.allclose(a, a + b * 1e-9),
        [[(3, 4), (3, 4)]], grad=False, same_dtype=False),
    Row("where", lambda T_, c, x, y: T_.where(T_.gt(c, 0), x, y), lambda c, x, y: np.where(c > 0, x, y),
        [[(3, 4), (3, 4), (3, 4)], [(3, 1), (1, 4), ()], [(4,), (2, 4), (2, 1)]]),
    Row("largest", lambda T_, a, b, c: T_.largest(a, b, c), lambda a, b, c: np.maximum(np.maximum(a, b), c),
        [[(3, 4), (3, 4), (3, 4)], [(3, 4), (1, 4), (3, 1)]]),
    Row("smallest", lambda T_, a, b: T_.smallest(a, b), np.minimum, [[(3, 4), (3, 4)], [(3, 4), ()]]),
    Row("ptp", lambda T_, x: T_.ptp(x, axis=1), lambda x: np.ptp(x, axis=1), [[(3, 5)], [(2, 3, 4)]]),
    Row("shape_padleft", lambda T_, x: T_.shape_padleft(x, 2), lambda x: x[None, None], [[(3, 4)]]),
    Row("shape_padright", lambda T_, x: T_.shape_padright(x), lambda x: x[..., None], [[(3, 4)]]),
    Row("shape_padaxis", lambda T_, x: T_.shape_padaxis(x, -2), lambda x: np.expand_dims(x, -2), [[(3, 4)]],
        bad=[(lambda T_: T_.shape_padaxis(T_.matrix(), 3), ValueError, "shape_padaxis: axis 3 is out of range")]),
    Row("swapaxes", lambda T_, x: T_.swapaxes(x, 0, -1), lambda x: np.swapaxes(x, 0, -1), [[(2, 3, 4)]],
        bad=[(lambda T_: T_.swapaxes(T_.matrix(), 0, 2), ValueError, "swapaxes: axis 2 is out of range")]),
    Row("horizontal_stack", lambda T_, a, b: T_.horizontal_stack(a, b), lambda a, b: np.hstack([a, b]),
        [[(3, 4), (3, 2)], [(4,), (5,)]],
        bad=[(lambda T_: T_.horizontal_stack(T_.tensor3(), T_.tensor3()), TypeError, "all 1-d or all 2-d")]),
    Row("vertical_stack", lambda T_, a, b: T_.vertical_stack(a, b), lambda a, b: np.vstack([a, b]),
        [[(3, 4), (2, 4)]], bad=[(lambda T_: T_.vertical_stack(T_.vector()), TypeError, "needs 2-d tensors")]),
    Row("stacklists", lambda T_, a, b, c, d: T_.stacklists([[a, b], [c, d]]),
        lambda a, b, c, d: np.array([[a, b], [c, d]]), [[(3,), (3,), (3,), (3,)]]),
    Row("tril", lambda T_, x: T_.tril(x, -1), lambda x: np.tril(x, -1), [[(4, 5)], [(2, 3, 3)]],
        bad=[(lambda T_: T_.tril(T_.vector()), ValueError, "tril: needs at least 2 dimensions")]),
    Row("triu", lambda T_, x: T_.triu(x, 1), lambda x: np.triu(x, 1), [[(4, 5)], [(5, 3)]]),
    Row("tri", lambda T_, x: T_.tri(3, 4, 1, dtype=x.dtype) * x, lambda x: np.tri(3, 4, 1, dtype=x.dtype) * x,
        [[(3, 4)]]),
]

# Names that are data rather than functions: checked by test_dtype_lists.
DATA = {"int_dtypes", "uint_dtypes", "integer_dtypes", "float_dtypes", "complex_dtypes", "continuous_dtypes",
        "discrete_dtypes", "all_dtypes", "int_types", "float_types", "complex_types", "int_scalar_types",
        "float_scalar_types", "complex_scalar_types", "int_vector_types", "float_vector_types",
        "complex_vector_types", "int_matrix_types", "float_matrix_types", "complex_matrix_types",
        "float16_atol", "float16_rtol", "float32_atol", "float32_rtol", "float64_atol", "float64_rtol",
        "python_all", "python_any", "python_complex"}


def test_every_function_has_a_row():
    rows = {r.name for r in ROWS}
    missing = sorted(n for n in extra.__all__ if n not in rows and n not in DATA)
    assert not missing, "no conformance row for %s" % missing


def _inputs(row, shapes, dtype, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.uniform(*row.domain, s).astype(dtype) for s in shapes]


def _cases():
    for row in ROWS:
        for dtype in row.dtypes:
            for k, shapes in enumerate(row.shapes):
                yield pytest.param(row, dtype, shapes, id="%s-%s-%d" % (row.name, dtype, k))


@pytest.mark.parametrize("row,dtype,shapes", list(_cases()))
def test_values_against_numpy(row, dtype, shapes):
    vals = _inputs(row, shapes, dtype)
    xs = [T.tensor(dtype, [d == 1 for d in v.shape]) for v in vals]
    f = theon.function(xs, row.build(T, *xs))
    got = np.asarray(f(*vals))
    with np.errstate(all="ignore"):
        want = np.asarray(row.ref(*vals))
    assert got.shape == want.shape, (got.shape, want.shape)
    if row.same_dtype:
        assert got.dtype == want.dtype, (got.dtype, want.dtype)
    rtol = row.rtol or (2e-6 if dtype == "float32" else 1e-13)
    if got.dtype.kind in "biu":
        np.testing.assert_array_equal(got, want)
    else:
        np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol)


@pytest.mark.parametrize("row", [r for r in ROWS if r.grad], ids=lambda r: r.name)
def test_gradient_against_finite_differences(row):
    shapes = row.shapes[-1]
    vals = _inputs(row, shapes, "float64", seed=1)
    xs = [T.tensor("float64", [d == 1 for d in v.shape]) for v in vals]
    check_grad(lambda *a: row.build(T, *a), xs, vals)


@pytest.mark.parametrize("row,case", [(r, b) for r in ROWS for b in r.bad], ids=lambda v: getattr(v, "name", ""))
def test_bad_inputs(row, case):
    build, exc, match = case
    with pytest.raises(exc, match=match):
        build(T)


def test_dtype_lists():
    assert T.all_dtypes == T.discrete_dtypes + T.continuous_dtypes
    assert set(T.integer_dtypes) == {np.dtype(c).name for c in np.typecodes["AllInteger"] if c not in "pP"}
    assert [t().dtype for t in T.float_types] == ["float32", "float64"]
    assert [t().ndim for t in T.int_matrix_types] == [2] * 4
    assert T.python_all is all and T.float64_atol == 1e-8
    assert T.dtensor7("x").ndim == 7 and len(T.ftensor6s("a", "b")) == 2


def test_round_modes():
    x = T.dvector()
    v = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.49999999999999994, -0.49999999999999994])
    f = theon.function([x], [T.round(x, "half_away_from_zero"), T.round(x, "half_to_even"), T.round(x)])
    away, even, default = f(v)
    np.testing.assert_array_equal(away, [-3, -2, -1, 1, 2, 3, 0, -0.0])
    np.testing.assert_array_equal(even, np.round(v))
    np.testing.assert_array_equal(default, np.round(v))
    with pytest.raises(ValueError, match="round: mode must be"):
        T.round(x, "up")
