"""oneDNN, loaded at run time from the onednn-cpu-gomp wheel, runs float32
convolutions and pooling; theon's own kernels are its fallback. Each case runs
both ways in one process and the two must agree (and agree with NumPy);
without the library (or with it turned off) everything still computes, with
one warning when it was expected but missing."""
import os
import subprocess
import sys

import numpy as np
import pytest
from test_conv import pads_of, reference

import theon
import theon.tensor as T
from theon.tensor.nnet import abstract_conv as AC
from theon.tensor.signal import pool

RNG = np.random.RandomState(11)


def both_ways(f, *args):
    """f's outputs with oneDNN and with the fallback kernels."""
    theon._core.set_onednn_enabled(True)
    try:
        on = [np.array(r) for r in f(*args)]
        theon._core.set_onednn_enabled(False)
        off = [np.array(r) for r in f(*args)]
    finally:
        theon._core.set_onednn_enabled(True)
    return on, off


@pytest.fixture(params=["timed", "plain", "blocked"])
def layout(request):
    """Each layout oneDNN plans can use (plans are made per function: each test compiles its own)."""
    theon._core.set_onednn_layout(request.param)
    yield request.param
    theon._core.set_onednn_layout("timed")


def test_the_wheel_is_found():
    info = theon._core.onednn_info()
    assert "oneDNN 3." in info, info
    assert theon._core.onednn_enabled()


CONV_CASES = [  # spatial input, filter, border_mode, subsample, dilation, groups, flip
    ((9, 8), (3, 2), "valid", (1, 1), (1, 1), 1, True),
    ((9, 8), (3, 3), "half", (2, 1), (1, 2), 1, True),
    ((7, 8), (3, 2), "full", (1, 2), (2, 1), 1, False),
    ((9, 8), (3, 2), (1, 2), (2, 2), (1, 1), 2, True),
    ((8, 8), (2, 2), 1, (1, 1), (2, 2), 3, False),
    ((11,), (3,), "valid", (2,), (1,), 1, True),
    ((5, 6, 4), (2, 3, 2), "half", (1, 2, 1), (1, 1, 1), 2, True),
]


@pytest.mark.parametrize("sp,k,mode,stride,dil,groups,flip", CONV_CASES)
def test_convolutions_agree_with_the_fallback_and_numpy(sp, k, mode, stride, dil, groups, flip, layout):
    nd = len(sp)
    x = T.TensorType("float32", (False,) * (nd + 2))("x")
    w = T.TensorType("float32", (False,) * (nd + 2))("w")
    xv = RNG.randn(3, 6, *sp).astype("float32")
    wv = RNG.randn(6, 6 // groups, *k).astype("float32")
    # 1-d through the core's n-d convolution (Theano had only causal_conv1d), 2-d and 3-d through their names.
    y = AC._conv(nd, x, w, None, None, mode, stride, flip, dil, groups, False)
    if nd > 1:
        conv = T.nnet.conv2d if nd == 2 else T.nnet.conv3d
        assert theon.function([x, w], conv(x, w, border_mode=mode, subsample=stride, filter_dilation=dil,
                                           num_groups=groups, filter_flip=flip))(xv, wv).shape == \
            theon.function([x, w], y)(xv, wv).shape
    cost = (y * y).sum() + y.sum()
    f = theon.function([x, w], [y] + theon.grad(cost, [x, w]))
    on, off = both_ways(f, xv, wv)
    for a, b in zip(on, off):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4 * np.abs(b).max())
    want = reference(xv.astype("float64"), wv.astype("float64"), pads_of(mode, k, dil), stride, dil, groups, flip)
    np.testing.assert_allclose(on[0], want, rtol=1e-4, atol=1e-4)


def test_a_function_called_with_new_shapes_plans_again(layout):
    x, w = T.ftensor4("x"), T.ftensor4("w")
    f = theon.function([x, w], T.nnet.conv2d(x, w, border_mode="half"))
    wv = RNG.randn(4, 2, 3, 3).astype("float32")
    for n, h in [(1, 5), (3, 9), (2, 4), (1, 6), (4, 7), (1, 5), (3, 9)]:  # more shapes than the cache keeps
        xv = RNG.randn(n, 2, h, h + 1).astype("float32")
        on, off = both_ways(lambda a: [f(a, wv)], xv)
        np.testing.assert_allclose(on[0], off[0], rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(on[0], reference(xv, wv, [1, 1]), rtol=1e-4, atol=1e-4)


POOL_CASES = [  # ws, ignore_border, stride, pad, mode
    ((2, 2), True, None, (0, 0), "max"),
    ((3, 2), True, (2, 1), (1, 1), "max"),
    ((2, 2), True, None, (0, 0), "average_inc_pad"),
    ((3, 3), True, (2, 2), (1, 1), "average_inc_pad"),
    ((3, 3), True, (2, 2), (1, 1), "average_exc_pad"),
    ((2, 3), True, (1, 2), (0, 0), "sum"),
    ((3, 3), False, (2, 2), (0, 0), "max"),
]


@pytest.mark.parametrize("ws,ignore_border,stride,pad,mode", POOL_CASES)
def test_pooling_agrees_with_the_fallback(ws, ignore_border, stride, pad, mode):
    x = T.ftensor4("x")
    y = pool.pool_2d(x, ws=ws, ignore_border=ignore_border, stride=stride, pad=pad, mode=mode)
    cost = (y * y).sum()
    g = theon.grad(cost, x)
    f = theon.function([x], [y, g])
    xv = RNG.randn(2, 3, 9, 8).astype("float32")
    on, off = both_ways(f, xv)
    for a, b in zip(on, off):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


def run_python(code, **env):
    full = dict(os.environ, **env)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=full, timeout=120)


PROGRAM = """
import warnings, numpy as np, theon, theon.tensor as T
warnings.simplefilter("always")
x, w = T.ftensor4("x"), T.ftensor4("w")
f = theon.function([x, w], T.nnet.conv2d(x, w))
xv = np.arange(2 * 3 * 5 * 5, dtype="float32").reshape(2, 3, 5, 5) / 10
wv = np.ones((4, 3, 2, 2), "float32")
for _ in range(2):
    print(float(f(xv, wv).sum()))
print(theon._core.onednn_info())
"""


def test_a_missing_library_warns_once_and_computes_the_same():
    good = run_python(PROGRAM)
    assert good.returncode == 0, good.stderr
    missing = run_python(PROGRAM, THEON_ONEDNN="/nonexistent/libdnnl.so.3")
    assert missing.returncode == 0, missing.stderr
    assert missing.stdout.splitlines()[:2] == good.stdout.splitlines()[:2]
    assert missing.stderr.count("im2col + GEMM") == 1, missing.stderr
    assert "THEON_ONEDNN='/nonexistent/libdnnl.so.3' cannot be used" in missing.stderr
    assert "no oneDNN" in missing.stdout


def test_turning_it_off_is_quiet():
    off = run_python(PROGRAM, THEON_ONEDNN="0")
    assert off.returncode == 0, off.stderr
    assert "im2col" not in off.stderr and "oneDNN" not in off.stderr, off.stderr
    assert "THEON_ONEDNN=0 turns it off" in off.stdout


# -- conv + bias + activation as one convolution (oneDNN post-ops) ------------------------------------------------
NONE = theon.Mode(optimizer=None)
ACTIVATIONS = {
    "none": (lambda z: z, ""),
    "tanh": (T.tanh, "+tanh"),
    "sigmoid": (T.nnet.sigmoid, "+sigmoid"),
    "relu": (T.nnet.relu, "+relu"),
    "maximum": (lambda z: T.maximum(z, 0), "+relu"),
}


@pytest.mark.parametrize("act", sorted(ACTIVATIONS))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_conv_bias_activation_fuse_into_one_op(act, dtype, layout):
    fn, suffix = ACTIVATIONS[act]
    x, w = T.tensor4("x", dtype=dtype), T.tensor4("w", dtype=dtype)
    b = T.vector("b", dtype=dtype)
    y = fn(T.nnet.conv2d(x, w, border_mode="half", subsample=(2, 1)) + b.dimshuffle("x", 0, "x", "x"))
    f = theon.function([x, w, b], y)
    names = [str(n.op) for n in f.maker.fgraph.toposort()]
    assert len(names) == 1 and names[0].endswith("+bias" + suffix), names
    xv, wv, bv = RNG.randn(2, 3, 7, 6).astype(dtype), RNG.randn(4, 3, 3, 3).astype(dtype), RNG.randn(4).astype(dtype)
    want = theon.function([x, w, b], y, mode=NONE)(xv, wv, bv)
    on, off = both_ways(lambda *a: [f(*a)], xv, wv, bv)
    tol = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(on[0], want, rtol=tol, atol=tol)
    np.testing.assert_allclose(off[0], want, rtol=tol, atol=tol)


def test_a_training_step_fuses_what_nothing_else_reads():
    # tanh's gradient reads tanh's result: the whole epilogue fuses. relu's
    # reads its input (0.5 * (z + |z|)): only the bias does.
    x, w, b = T.ftensor4("x"), T.ftensor4("w"), T.fvector("b")
    xv, wv, bv = RNG.randn(2, 3, 6, 6).astype("float32"), RNG.randn(4, 3, 3, 3).astype("float32"), \
        RNG.randn(4).astype("float32")
    for act, suffix in [(T.tanh, "+bias+tanh"), (T.nnet.relu, "+bias")]:
        y = act(T.nnet.conv2d(x, w) + b.dimshuffle("x", 0, "x", "x"))
        cost = (y ** 2).sum()
        outs = [cost] + theon.grad(cost, [w, b])
        f = theon.function([x, w, b], outs)
        convs = [str(n.op) for n in f.maker.fgraph.toposort() if n.op.kind == "Conv"]
        assert len(convs) == 1 and convs[0].endswith(suffix), convs
        want = theon.function([x, w, b], outs, mode=NONE)(xv, wv, bv)
        for got, ref in zip(f(xv, wv, bv), want):
            np.testing.assert_allclose(got, ref, rtol=1e-4, atol=1e-4)


def test_what_others_read_or_broadcasts_differently_is_not_fused():
    x, w, b = T.dtensor4("x"), T.dtensor4("w"), T.dvector("b")
    z = T.nnet.conv2d(x, w)
    for out in ([T.tanh(z + b.dimshuffle("x", 0, "x", "x")), z],  # z read twice
                [z + b.dimshuffle("x", "x", "x", 0)]):  # b along the last axis, not the channels
        f = theon.function([x, w, b], out)
        assert not any("+bias" in str(n.op) for n in f.maker.fgraph.toposort())


@pytest.mark.parametrize("act", ["", "relu", "tanh", "sigmoid"])
def test_the_fused_op_has_gradients(act):
    from conftest import numeric_grad
    x, w, b = T.dtensor4("x"), T.dtensor4("w"), T.dvector("b")
    y = theon._core.conv("forward", x, w, None, 2, "explicit", [1, 0], [1, 1], [1, 1], 1, True, [0, 1],
                         bias=b, activation=act)
    cost = (y * T.arange(y.size).reshape(y.shape)).sum()
    xv, wv, bv = RNG.randn(2, 2, 4, 5), RNG.randn(3, 2, 2, 2), RNG.randn(3)
    grads = theon.function([x, w, b], theon.grad(cost, [x, w, b]))(xv, wv, bv)
    want = numeric_grad(theon.function([x, w, b], cost), [xv, wv, bv])
    for g, n in zip(grads, want):
        np.testing.assert_allclose(g, n, rtol=1e-5, atol=1e-6)


def test_a_bias_of_the_wrong_length_is_an_error():
    x, w, b = T.ftensor4("x"), T.ftensor4("w"), T.fvector("b")
    y = T.nnet.conv2d(x, w) + b.dimshuffle("x", 0, "x", "x")
    f = theon.function([x, w, b], y)
    with pytest.raises(ValueError):
        f(np.ones((1, 2, 4, 4), "float32"), np.ones((3, 2, 2, 2), "float32"), np.ones(5, "float32"))


def test_an_unknown_layout_is_an_error():
    with pytest.raises(ValueError, match="timed, plain or blocked"):
        theon._core.set_onednn_layout("nhwc")


def test_onednn_threads_follow_theons_thread_count():
    # One budget for the process: oneDNN's OpenMP team on the calling thread
    # is theon's thread count (OpenBLAS runs single-threaded beside it).
    import ctypes
    gomp = ctypes.CDLL("libgomp.so.1")
    x, w = T.ftensor4("x"), T.ftensor4("w")
    xv, wv = RNG.randn(2, 3, 8, 8).astype("float32"), RNG.randn(4, 3, 3, 3).astype("float32")
    try:
        for n in (1, 2, 3):
            theon.set_num_threads(n)
            f = theon.function([x, w], T.nnet.conv2d(x, w))
            np.testing.assert_allclose(f(xv, wv), reference(xv, wv, [0, 0]), rtol=1e-4, atol=1e-4)
            assert gomp.omp_get_max_threads() == n
    finally:
        theon._core.reset_num_threads()


def test_the_layout_is_chosen_on_a_shapes_second_call_and_kept():
    # First call: oneDNN's blocked layouts; second: both layouts timed, the
    # faster kept; every call gives the same values.
    x, w, b = T.ftensor4("x"), T.ftensor4("w"), T.fvector("b")
    y = T.tanh(T.nnet.conv2d(x, w, border_mode="half") + b.dimshuffle("x", 0, "x", "x"))
    cost = (y * y).sum()
    f = theon.function([x, w, b], [y] + theon.grad(cost, [x, w, b]))
    args = (RNG.randn(2, 3, 9, 8).astype("float32"), RNG.randn(5, 3, 3, 3).astype("float32"),
            RNG.randn(5).astype("float32"))
    want = theon.function([x, w, b], [y] + theon.grad(cost, [x, w, b]), mode=NONE)(*args)
    for _ in range(3):
        for got, ref in zip(f(*args), want):
            np.testing.assert_allclose(got, ref, rtol=1e-4, atol=1e-4)


def test_the_fused_op_rejects_a_bias_of_another_dtype_and_unknown_activations():
    x, w = T.dtensor4("x"), T.dtensor4("w")
    args = ("forward", x, w, None, 2, "explicit", [0, 0], [1, 1], [1, 1], 1, True, [0, 0])
    with pytest.raises(TypeError, match=r"\+bias\+tanh: the bias must be a vector of the inputs' dtype"):
        theon._core.conv(*args, bias=T.fvector("b"), activation="tanh")
    with pytest.raises(ValueError, match="unknown activation 'gelu'"):
        theon._core.conv(*args, activation="gelu")
