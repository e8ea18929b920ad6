"""pickle, copy and deepcopy of variables, graphs, shared variables and
compiled functions; Function.copy; theano.misc.pkl_utils."""
import copy
import io
import os
import pickle
import subprocess
import sys
import zipfile

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon import _pickle
from theon.misc import pkl_utils

pytestmark = pytest.mark.usefixtures("tier")


def _roundtrip(obj):
    return pickle.loads(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


# ---- variables and graphs -------------------------------------------------------------------


def test_root_variable_keeps_type_and_name():
    for v in (T.dmatrix("m"), T.fvector(), T.TensorType("int32", (True, False))("row"),
              T.TensorType.from_shape("float32", [3, -1])("s")):
        w = _roundtrip(v)
        assert w.type == v.type and w.name == v.name and w is not v and w.owner is None


def test_constant_keeps_value_dtype_and_name():
    c = T.constant(np.arange(6, dtype="int16").reshape(2, 3), name="k")
    d = _roundtrip(c)
    assert isinstance(d, theon.tensor.TensorConstant)
    assert d.type == c.type and d.name == "k"
    np.testing.assert_array_equal(d.data, c.data)


def test_graph_roundtrip_computes_the_same_values():
    x, y = T.dmatrix("x"), T.dvector("y")
    h = T.tanh(x.dot(y) + 1)
    z = T.nnet.softmax(x[:, ::2] * 3).sum(axis=0).cumsum() + (h ** 2).mean()
    z.name = "z"
    z2 = _roundtrip(z)
    assert z2.name == "z"
    ins = theon.gof.graph.inputs([z2])
    x2 = [v for v in ins if v.name == "x"][0]
    y2 = [v for v in ins if v.name == "y"][0]
    xv, yv = np.random.rand(4, 5), np.random.rand(5)
    np.testing.assert_allclose(theon.function([x2, y2], z2)(xv, yv), theon.function([x, y], z)(xv, yv))


def test_one_pickle_keeps_shared_subgraphs_and_leaves_the_same_objects():
    x = T.dvector("x")
    h = T.exp(x)
    a, b = h + 1, h * 2
    x2, a2, b2 = _roundtrip([x, a, b])
    roots = [[v for v in theon.gof.graph.inputs([o]) if v.name == "x"] for o in (a2, b2)]
    assert roots[0][0] is x2 and roots[1][0] is x2
    g = theon.grad(a2.sum(), x2)
    np.testing.assert_allclose(theon.function([x2], g)(np.array([0.0, 1.0])), np.exp([0.0, 1.0]))


def test_tag_and_python_attributes_survive():
    x = T.dvector("x")
    y = x * 2
    y.tag.note = "kept"
    y2 = _roundtrip(y)
    assert y2.tag.note == "kept"


def test_a_deep_graph_pickles_without_recursion():
    x = T.dscalar("x")
    y = x
    for _ in range(3000):
        y = y * 1.0001 + 0.5
    y2 = _roundtrip(y)
    (x2,) = [v for v in theon.gof.graph.inputs([y2]) if v.name == "x"]
    assert theon.function([x2], y2)(1.0) == pytest.approx(theon.function([x], y)(1.0))


def test_gradient_and_scan_graphs_roundtrip():
    x = T.dvector("x")
    w = theon.shared(np.array([0.5, -1.0, 2.0]), name="w")
    out, _ = theon.scan(lambda xt, acc: acc * w + xt, sequences=[x], outputs_info=[T.zeros_like(w)])
    cost = (out[-1] ** 2).sum()
    g = theon.grad(cost, w)
    x2, cost2, g2, w2 = _roundtrip([x, cost, g, w])
    assert w2.name == "w" and w2 is not w
    v = np.array([1.0, 2.0, 3.0])
    for a, b in zip(theon.function([x2], [cost2, g2])(v), theon.function([x], [cost, g])(v)):
        np.testing.assert_allclose(a, b)


def test_scan_function_values_match_after_loading():
    x = T.dvector("x")
    w = theon.shared(np.array([0.5, -1.0, 2.0]), name="w")
    out, _ = theon.scan(lambda xt, acc: acc * w + xt, sequences=[x], outputs_info=[T.zeros_like(w)])
    f = theon.function([x], [out, theon.grad((out[-1] ** 2).sum(), w)])
    f2 = _roundtrip(f)
    v = np.array([1.0, 2.0, 3.0, 4.0])
    for a, b in zip(f(v), f2(v)):
        np.testing.assert_allclose(a, b)


class Double(theon.Op):
    """A Python op (module level, so that pickle finds its class)."""
    __props__ = ()

    def make_node(self, x):
        x = T.as_tensor_variable(x)
        return theon.Apply(self, [x], [x.type()])

    def perform(self, node, inputs, out):
        out[0][0] = inputs[0] * 2


def test_graphs_with_python_ops_roundtrip():
    x = T.dvector("x")
    y = Double()(x) + 1
    x2, y2 = _roundtrip([x, y])
    assert isinstance(y2.owner.inputs[0].owner.op, Double)
    np.testing.assert_array_equal(theon.function([x2], y2)([1.0, 2.0]), [3.0, 5.0])


# ---- shared variables ----------------------------------------------------------------------


def test_shared_variable_keeps_value_name_settings_and_default_update():
    s = theon.shared(np.arange(4.0).reshape(1, 4), name="s", broadcastable=(True, False), strict=True)
    s.default_update = s + 1
    s2 = _roundtrip(s)
    assert s2 is not s and s2.name == "s" and s2.broadcastable == (True, False) and s2.type == s.type
    np.testing.assert_array_equal(s2.get_value(), s.get_value())
    with pytest.raises(TypeError):
        s2.set_value(np.zeros((1, 4), dtype="float32"))  # strict survived
    f = theon.function([], [])
    del f
    g = theon.function([], s2 * 1)
    g()
    np.testing.assert_array_equal(s2.get_value(), [[1.0, 2.0, 3.0, 4.0]])  # its default update reads s2
    np.testing.assert_array_equal(s.get_value(), [[0.0, 1.0, 2.0, 3.0]])


def test_generic_and_random_state_shared_variables():
    g = theon.shared({"a": [1, 2]}, name="g")
    r = theon.shared(np.random.RandomState(3), name="r")
    g2, r2 = _roundtrip([g, r])
    assert g2.get_value() == {"a": [1, 2]}
    assert r2.get_value().randint(1000) == np.random.RandomState(3).randint(1000)


# ---- compiled functions ----------------------------------------------------------------------


def _model():
    rng = np.random.RandomState(0)
    x, y = T.dmatrix("x"), T.lvector("y")
    w = theon.shared(rng.randn(5, 3), name="w")
    b = theon.shared(np.zeros(3), name="b")
    p = T.nnet.softmax(x.dot(w) + b)
    cost = -T.mean(T.log(p)[T.arange(y.shape[0]), y])
    gw, gb = theon.grad(cost, [w, b])
    train = theon.function([x, y], cost, updates=[(w, w - 0.5 * gw), (b, b - 0.5 * gb)], name="train")
    predict = theon.function([x], T.argmax(p, axis=1), name="predict")
    data = rng.rand(8, 5), rng.randint(0, 3, 8)
    return train, predict, w, b, data


def test_function_roundtrip_keeps_values_updates_and_shared_identity():
    train, predict, w, b, (xv, yv) = _model()
    train2, predict2, w2, b2 = _roundtrip([train, predict, w, b])
    assert train2.name == "train" and w2.name == "w"
    for _ in range(3):
        assert train2(xv, yv) == pytest.approx(train(xv, yv))
    np.testing.assert_allclose(w2.get_value(), w.get_value())  # the loaded function updates the loaded w
    np.testing.assert_array_equal(predict2(xv), predict(xv))  # and the loaded predict reads it
    train(xv, yv)
    assert not np.allclose(w2.get_value(), w.get_value())  # two models now


def test_function_keeps_defaults_names_outputs_structure_and_givens():
    x, y = T.dscalars("x", "y")
    s = theon.shared(np.float64(2.0), name="s")
    z = T.dscalar("z")
    f = theon.function([x, theon.In(y, value=3.0, name="yy")], {"sum": x + y * s, "z": z * 2},
                       givens=[(z, x + 1)])
    f["yy"] = 5.0
    f2 = _roundtrip(f)
    assert f2(1.0) == f(1.0) == {"sum": 11.0, "z": 4.0}
    assert f2(1.0, yy=1.0)["sum"] == 3.0


def test_in_update_state_and_trust_input_survive():
    acc = T.dscalar("acc")
    x = T.dscalar("x")
    f = theon.function([x, theon.In(acc, value=0.0, update=acc + x)], acc + x)
    f(1.0)
    f(2.0)
    f.trust_input = False
    f2 = _roundtrip(f)
    assert f2(10.0) == f(10.0) == 13.0


def test_random_stream_function_draws_the_same_after_loading():
    from theon.sandbox.rng_mrg import MRG_RandomStreams
    srng = MRG_RandomStreams(seed=12)
    f = theon.function([], srng.uniform((4,)))
    f2 = _roundtrip(f)
    for _ in range(2):
        np.testing.assert_array_equal(f(), f2())
    srng2 = _roundtrip(srng)
    assert type(srng2) is MRG_RandomStreams


def test_function_in_another_process(tmp_path):
    train, predict, w, b, (xv, yv) = _model()
    path = tmp_path / "model.pkl"
    with open(path, "wb") as fh:
        pickle.dump((train, xv, yv), fh)
    code = ("import pickle, sys, theon\ntrain, xv, yv = pickle.load(open(sys.argv[1], 'rb'))\n"
            "print(repr(float(train(xv, yv))))")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert float(out.stdout.strip().splitlines()[-1]) == pytest.approx(float(train(xv, yv)))


def test_deepcopy_gives_an_independent_function_and_copy_shares():
    train, predict, w, b, (xv, yv) = _model()
    deep = copy.deepcopy(train)
    before = w.get_value().copy()
    deep(xv, yv)
    np.testing.assert_array_equal(w.get_value(), before)  # deepcopy has its own shared variables
    shallow = copy.copy(train)
    shallow(xv, yv)
    assert not np.array_equal(w.get_value(), before)  # copy.copy shares them
    v = T.dvector("v")
    assert copy.deepcopy(v).type == v.type


# ---- Function.copy -------------------------------------------------------------------------


def test_copy_reads_and_updates_the_same_shared_variables():
    train, predict, w, b, (xv, yv) = _model()
    for share_memory in (False, True):
        c = train.copy(share_memory=share_memory)
        before = w.get_value().copy()
        c(xv, yv)
        assert not np.array_equal(w.get_value(), before)
    assert train.copy().name == "train copy" and train.copy(name="c2").name == "c2"


def test_copy_keeps_default_updates_and_in_defaults():
    s = theon.shared(np.float64(0.0), name="s")
    s.default_update = s + 1
    x = T.dscalar("x")
    k = T.dscalar("k")
    f = theon.function([x, theon.In(k, value=10.0, name="k")], s + x * k)
    f["k"] = 20.0
    c = f.copy()
    assert c(1.0) == 20.0
    assert s.get_value() == 1.0 and c["k"] == 20.0
    f.copy(delete_updates=True)(1.0)
    assert s.get_value() == 1.0


def test_copy_swap_and_delete_updates():
    train, predict, w, b, (xv, yv) = _model()
    w_other = theon.shared(np.zeros((5, 3)), name="w_other")
    c = train.copy(swap={w: w_other})
    before = w.get_value().copy()
    cost = c(xv, yv)
    assert cost == pytest.approx(np.log(3))  # zero weights: uniform predictions
    np.testing.assert_array_equal(w.get_value(), before)
    assert not np.array_equal(w_other.get_value(), 0)
    d = train.copy(delete_updates=True)
    d(xv, yv)
    np.testing.assert_array_equal(w.get_value(), before)
    with pytest.raises(TypeError, match="shared variable of type"):
        train.copy(swap={w: theon.shared(np.zeros(3))})
    with pytest.raises(ValueError, match="not a shared variable of this function"):
        train.copy(swap={theon.shared(np.zeros((5, 3))): w_other})


# ---- pkl_utils -------------------------------------------------------------------------------


def test_pkl_utils_dump_names_arrays_after_shared_variables():
    foo = [theon.shared(np.float64(k), name="foo") for k in range(3)]
    buf = io.BytesIO()
    pkl_utils.dump(tuple(foo) + (np.array(3),), buf)
    z = np.load(io.BytesIO(buf.getvalue()))
    assert list(z.keys()) == ["foo", "foo_2", "foo_3", "array_0", "pkl"]
    assert z["foo_3"] == 2
    a, b, c, arr = pkl_utils.load(io.BytesIO(buf.getvalue()))
    assert [v.get_value() for v in (a, b, c)] == [0.0, 1.0, 2.0] and arr == 3


def test_pkl_utils_model_roundtrip_and_strip_pickler():
    train, predict, w, b, (xv, yv) = _model()
    buf = io.BytesIO()
    pkl_utils.dump((train, w), buf)
    train2, w2 = pkl_utils.load(io.BytesIO(buf.getvalue()))
    assert train2(xv, yv) == pytest.approx(train(xv, yv))
    np.testing.assert_allclose(w2.get_value(), w.get_value())
    m = T.matrix()
    out = io.BytesIO()
    pkl_utils.StripPickler(out, protocol=-1).dump(m)
    assert pickle.loads(out.getvalue()).type == m.type
    with pytest.raises(ValueError, match="pkl"):
        pkl_utils.dump(theon.shared(np.zeros(2), name="pkl"), io.BytesIO())


def test_pkl_utils_rejects_files_it_did_not_write():
    with pytest.raises(pickle.UnpicklingError, match="not a file"):
        pkl_utils.load(io.BytesIO(b"not a zip"))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("other", b"")
    with pytest.raises(pickle.UnpicklingError, match="no 'pkl' member"):
        pkl_utils.load(io.BytesIO(buf.getvalue()))


# ---- bad pickles ---------------------------------------------------------------------------


def test_another_format_is_a_clear_error():
    fn, args, state = _pickle._reduce_variable(T.dvector("x") * 2)
    with pytest.raises(_pickle.UnpicklingError, match="format 99"):
        fn(99, *args[1:])


def test_corrupt_graph_bytes_raise_and_never_crash():
    x = T.dvector("x")
    fmt, blob, leaves, ops = _pickle.save_graph([T.exp(x) * 2 + x.sum()])
    for cut in range(0, len(blob), max(1, len(blob) // 40)):
        with pytest.raises(ValueError):
            _pickle._graph_outputs(fmt, blob[:cut], leaves, ops)
    rng = np.random.RandomState(0)
    for _ in range(200):
        b = bytearray(blob)
        b[rng.randint(len(b))] ^= 1 << rng.randint(8)
        try:
            _pickle._graph_outputs(fmt, bytes(b), leaves, ops)
        except (ValueError, TypeError, IndexError, NotImplementedError):
            pass
    with pytest.raises((ValueError, TypeError)):
        _pickle._graph_outputs(fmt, blob, [T.fmatrix()], ops)  # a leaf of another type
    with pytest.raises(ValueError):
        _pickle._graph_outputs(fmt, blob, [], ops)


def test_truncated_pickle_of_a_function_raises():
    train, predict, w, b, _ = _model()
    data = pickle.dumps(train)
    for cut in (len(data) // 3, len(data) // 2, len(data) - 5):
        with pytest.raises(Exception):
            pickle.loads(data[:cut])


def test_pickled_function_in_a_file_loads_after_reimport(tmp_path):
    """Pickle written by one interpreter, loaded by a fresh one through `import theano`'s name."""
    path = tmp_path / "f.pkl"
    code = ("import pickle, sys, numpy as np, theon, theon.tensor as T\nx = T.dvector('x')\n"
            "s = theon.shared(np.ones(2), name='s')\n"
            "f = theon.function([x], (x * s).sum(), updates={s: s + x})\npickle.dump(f, open(sys.argv[1], 'wb'))")
    r = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=300,
                       env=dict(os.environ))
    assert r.returncode == 0, r.stderr
    with open(path, "rb") as fh:
        f = pickle.load(fh)
    assert f(np.array([1.0, 2.0])) == 3.0
    assert f(np.array([1.0, 2.0])) == 2.0 + 6.0


def test_function_dump_gives_function_arguments_back(tmp_path):
    v = T.dvector("v")
    v.tag.test_value = np.ones(2)
    path = str(tmp_path / "dump.pkl")
    theon.function_dump(path, [v], v + 1, name="dumped")
    with open(path, "rb") as fh:
        args = pickle.load(fh)
    assert args["name"] == "dumped" and args["mode"] is None
    np.testing.assert_array_equal(theon.function(**args)([1.0, 2.0]), [2.0, 3.0])
    with pytest.raises(AttributeError):  # the dump strips test values
        args["inputs"][0].tag.test_value
