"""MonitorMode, NanGuardMode and DebugMode: hooks around every node of the
compiled graph, and the checks built on them."""
import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.compile import debugmode as dm
from theon.compile.monitormode import MonitorMode
from theon.compile.nanguardmode import NanGuardMode


def _training_step(mode):
    """A float32 softmax-regression SGD step: fused nodes, BLAS, an update."""
    rng = np.random.RandomState(0)
    x, y = T.fmatrix("x"), T.ivector("y")
    w = theon.shared(rng.randn(6, 4).astype("float32"), name="w")
    p = T.nnet.softmax(T.tanh(x.dot(w)))
    cost = -T.mean(T.log(p)[T.arange(y.shape[0]), y])
    f = theon.function([x, y], cost, updates={w: w - np.float32(0.1) * T.grad(cost, w)}, mode=mode)
    data = rng.rand(5, 6).astype("float32"), np.array([0, 1, 2, 3, 0], dtype="int32")
    return f, w, data


# ---- MonitorMode -------------------------------------------------------------------------


def test_monitor_mode_calls_the_hooks_around_every_node_in_order():
    x = T.dvector("x")
    pre, post = [], []
    mode = MonitorMode(pre_func=lambda i, node, fn: pre.append((i, [c[0] for c in fn.outputs])),
                       post_func=lambda i, node, fn: post.append((i, str(node.op), [c[0].copy() for c in fn.outputs],
                                                                  [c[0].copy() for c in fn.inputs])))
    f = theon.function([x], T.exp(x).sum() * 2, mode=mode.excluding("fusion"))
    assert f(np.array([0.0, 1.0])) == pytest.approx(2 * (1 + np.e))
    n = len(f.maker.fgraph.toposort())
    assert [i for i, _ in pre] == list(range(n)) == [i for i, _, _, _ in post]
    assert all(outs == [None] for _, outs in pre)
    assert "exp" in post[0][1]
    np.testing.assert_allclose(post[0][2][0], np.exp([0.0, 1.0]))
    np.testing.assert_allclose(post[0][3][0], [0.0, 1.0])


def test_monitor_mode_sees_the_nan_a_node_makes():
    x = T.dscalar("x")
    found = []

    def detect_nan(i, node, fn):
        if any(np.isnan(c[0]).any() for c in fn.outputs):
            found.append(str(node.op))
    f = theon.function([x], T.log(x) * x, mode=MonitorMode(post_func=detect_nan))
    assert np.isnan(f(0.0))
    assert found, "no node reported a NaN"


def test_a_failing_hook_changes_no_shared_variable():
    calls = {"n": 0}

    def fail_on_last(i, node, fn):
        calls["n"] += 1
        if i == len(f.maker.fgraph.toposort()) - 1:
            raise RuntimeError("stop here")
    f, w, (xv, yv) = _training_step(MonitorMode(post_func=fail_on_last))
    before = w.get_value().copy()
    with pytest.raises(RuntimeError, match="stop here"):
        f(xv, yv)
    assert w.get_value().tobytes() == before.tobytes()
    assert calls["n"] == len(f.maker.fgraph.toposort())


def test_bad_mode_arguments_are_rejected():
    with pytest.raises(TypeError, match="post_func must be a function"):
        MonitorMode(post_func=3)
    with pytest.raises(TypeError):
        dm.DebugMode(check_everything=True)
    with pytest.raises(ValueError, match="unknown optimizer"):
        NanGuardMode(optimizer="fastest")


def test_monitor_mode_without_hooks_is_a_plain_mode():
    x = T.dvector("x")
    f = theon.function([x], x * 2, mode=MonitorMode())
    np.testing.assert_array_equal(f([1.0, 2.0]), [2.0, 4.0])


# ---- NanGuardMode ------------------------------------------------------------------------


@pytest.mark.parametrize("value,kind", [(np.nan, "NaN"), (np.inf, "Inf"), (1e20, "big value")])
def test_nan_guard_rejects_bad_inputs(value, kind):
    x = T.dmatrix("x")
    w = theon.shared(np.ones((3, 2)))
    f = theon.function([x], x.dot(w), mode=NanGuardMode(True, True, True))
    f(np.ones((2, 3)))
    with pytest.raises(AssertionError, match="found a %s in input 0" % kind):
        f(np.full((2, 3), value))


def test_nan_guard_names_the_node_that_made_the_value_and_its_line():
    x = T.dvector("x")
    y = T.log(x)  # the line the error must name
    line = __import__("inspect").currentframe().f_lineno - 1
    f = theon.function([x], T.exp(y * 2) + 1, mode=NanGuardMode(True, True, False).excluding("fusion"))
    np.testing.assert_allclose(f([1.0, 2.0]), [2.0, 5.0])
    with pytest.raises(AssertionError) as e:
        f([0.0, 1.0])
    msg = str(e.value)
    assert "Inf in output 0 of node" in msg and "log" in msg, msg
    assert "test_debug_modes.py:%d" % line in msg, msg


def test_nan_guard_failure_changes_no_shared_variable():
    f, w, (xv, yv) = _training_step(NanGuardMode(True, True, True))
    f(xv, yv)
    before = w.get_value().copy()
    bad = xv.copy()
    bad[0, 0] = np.inf
    with pytest.raises(AssertionError):
        f(bad, yv)
    assert w.get_value().tobytes() == before.tobytes()


def test_nan_guard_mode_keeps_its_class_through_excluding():
    m = NanGuardMode(True, False, False).excluding("fusion")
    assert isinstance(m, NanGuardMode) and m.nan_is_error and not m.inf_is_error


# ---- DebugMode ---------------------------------------------------------------------------


def test_debug_mode_accepts_a_correct_training_step_and_matches_fast_run(tier):
    f, w, (xv, yv) = _training_step(dm.DebugMode())
    g, w2, _ = _training_step("FAST_RUN")
    f.wait_native()
    for _ in range(3):
        np.testing.assert_allclose(f(xv, yv), g(xv, yv), rtol=1e-5)
    np.testing.assert_allclose(w.get_value(), w2.get_value(), rtol=1e-5)


def test_debug_mode_by_name_and_as_the_configured_mode():
    x = T.dvector("x")
    assert isinstance(theon.compile.get_mode("DebugMode"), dm.DebugMode)
    f = theon.function([x], (2.0 * x + 7) / 2.0, mode="DEBUG_MODE")
    np.testing.assert_allclose(f([1.0, 2.0]), [4.5, 5.5])
    assert isinstance(f._mode, dm.DebugMode)


def test_debug_mode_compares_native_code_with_the_interpreter():
    """The hook gets the interpreter's outputs of every fused node that ran native code."""
    if not theon.config.cxx:
        pytest.skip("no C++ compiler: no native code to compare")
    x = T.dvector("x")
    with theon.config.change_flags(native="wait"):
        f = theon.function([x], T.tanh(x) * T.exp(x) + 1)
    assert f.wait_native()
    seen = []
    f._fn.set_step_hook(lambda i, node, ins, outs, interp: seen.append(interp) if outs is not None else None, True)
    v = np.linspace(-1, 1, 7)
    f(v)
    assert seen and seen[-1] is not None
    np.testing.assert_allclose(seen[-1][0], np.tanh(v) * np.exp(v) + 1)
    f._fn.set_step_hook(None)
    f(v)
    with pytest.raises(TypeError, match="fn must be callable"):
        f._fn.set_step_hook(3)


def test_bad_thunk_output_names_the_node():
    x = T.dvector("x")
    node = T.exp(x).owner
    checks = dm._NodeChecks(dm.DebugMode(), "f", theon.function([x], T.exp(x))._fn.fgraph)
    a = np.array([1.0, 2.0])
    checks(0, node, [a], None, None)
    with pytest.raises(dm.BadThunkOutput, match="output 0 differs between native code and the interpreter") as e:
        checks(0, node, [a], [np.exp(a)], [np.exp(a) + 1e-3])
    assert "input 0:     [1. 2.]" in str(e.value)  # the node's inputs, to reproduce it


class _AddInto(theon.Op):
    """Writes a + b into a: a destroy it does not declare."""

    def make_node(self, a, b):
        return theon.Apply(self, [a, b], [a.type()])

    def perform(self, node, inputs, out):
        a, b = inputs
        out[0][0] = a
        out[0][0] += b


class _Slice(theon.Op):
    """Returns a view of its second input."""

    def make_node(self, a, b):
        return theon.Apply(self, [a, b], [b.type()])

    def perform(self, node, inputs, out):
        out[0][0] = inputs[1][1:3]


def test_debug_mode_finds_an_undeclared_destroy():
    x, y = T.dvectors("x", "y")
    f = theon.function([x, y], _AddInto()(x, y), mode="DEBUG_MODE")
    with pytest.raises(dm.BadDestroyMap, match="_AddInto.perform changed its input 0"):
        f([1.0, 2.0], [3.0, 4.0])
    op = _AddInto()
    op.destroy_map = {0: [0]}
    f = theon.function([x, y], op(x, y), mode="DEBUG_MODE")
    np.testing.assert_array_equal(f([1.0, 2.0], [3.0, 4.0]), [4.0, 6.0])


def test_debug_mode_finds_an_undeclared_view_and_accepts_a_declared_one():
    x, y = T.dvectors("x", "y")
    with pytest.raises(dm.BadViewMap, match="shares memory with input 1"):
        theon.function([x, y], _Slice()(x, y), mode="DEBUG_MODE")([1.0, 2.0], [3.0, 4.0, 5.0])
    op = _Slice()
    op.view_map = {0: [1]}
    np.testing.assert_array_equal(theon.function([x, y], op(x, y), mode="DEBUG_MODE")([1.0], [3.0, 4.0, 5.0]),
                                  [4.0, 5.0])


class _TwoViews(theon.Op):
    """Two outputs that overlap: slices of one new array."""

    def make_node(self, a):
        return theon.Apply(self, [a], [a.type(), a.type()])

    def perform(self, node, inputs, out):
        r = inputs[0] * 2
        out[0][0], out[1][0] = r[:-1], r[1:]


def test_overlapping_outputs_are_an_error_only_when_both_are_read_further():
    x = T.dvector("x")
    a, b = _TwoViews()(x)
    np.testing.assert_array_equal(theon.function([x], [a, b], mode="DEBUG_MODE")([1.0, 2.0, 3.0])[1], [4.0, 6.0])
    np.testing.assert_array_equal(theon.function([x], a * 3, mode="DEBUG_MODE")([1.0, 2.0, 3.0]), [6.0, 12.0])
    with pytest.raises(dm.BadViewMap, match="share memory"):
        theon.function([x], a * 2 + b * 2, mode="DEBUG_MODE")([1.0, 2.0, 3.0])


def test_debug_mode_checks_values_are_finite():
    x = T.dvector("x")
    f = theon.function([x], T.log(x), mode=dm.DebugMode())
    with pytest.raises(dm.InvalidValueError, match="log.*NaN or an infinity"):
        f([3.0, -4.0])
    with pytest.raises(dm.InvalidValueError, match="input 0"):
        f([np.nan, 1.0])
    g = theon.function([x], (x + 2) * 5, mode=dm.DebugMode(check_isfinite=False))
    assert np.isnan(g([np.nan])[0])


class _Noise(theon.Op):
    """A perform that gives another value each call: the graph as written and
    the rewritten one disagree."""

    def make_node(self, a):
        return theon.Apply(self, [a], [a.type()])

    def perform(self, node, inputs, out):
        out[0][0] = inputs[0] + np.random.rand(*inputs[0].shape)


def test_debug_mode_reports_outputs_that_differ_between_the_graphs():
    x = T.dvector("x")
    f = theon.function([x], _Noise()(x) * 1, mode=dm.DebugMode())
    with pytest.raises(dm.BadOptimization, match="output 0 of .* differs between the rewritten graph"):
        f([1.0, 2.0])


def test_debug_mode_failure_changes_no_shared_variable():
    x = T.dvector("x")
    s = theon.shared(np.array([1.0, 2.0]), name="s")
    f = theon.function([x], T.log(x), updates={s: s + 1}, mode=dm.DebugMode())
    f([1.0, 1.0])
    np.testing.assert_array_equal(s.get_value(), [2.0, 3.0])
    with pytest.raises(dm.InvalidValueError):
        f([-1.0, 1.0])
    np.testing.assert_array_equal(s.get_value(), [2.0, 3.0])


def test_filter_checks_isfinite_rejects_arguments(monkeypatch):
    monkeypatch.setattr(T.TensorType, "filter_checks_isfinite", True)
    x = T.dvector("x")
    f = theon.function([x], x + 1, mode=dm.DebugMode(check_isfinite=False))
    with pytest.raises(ValueError, match="NaN or an infinity"):
        f([np.inf])
