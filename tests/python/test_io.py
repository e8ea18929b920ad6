"""T.load / T.LoadFromDisk (.npy files read at each call) and T.transfer."""
import numpy as np
import pytest

import theon
import theon.tensor as T

DTYPES = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float16", "float32", "float64",
          "complex64", "complex128"]


def _save(tmp_path, name, a):
    path = tmp_path / name
    np.save(path, a)
    return str(path)


@pytest.mark.parametrize("mmap_mode", [None, "c"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_load_values_across_dtypes(tmp_path, dtype, mmap_mode):
    a = (np.arange(12) % 5).reshape(3, 4).astype(dtype)
    x = T.load(_save(tmp_path, "a.npy", a), dtype, (False, False), mmap_mode=mmap_mode)
    assert x.dtype == dtype and x.ndim == 2
    np.testing.assert_array_equal(theon.function([], x)(), a)


@pytest.mark.parametrize("mmap_mode", [None, "c"])
@pytest.mark.parametrize("shape,bcast", [((), ()), ((5,), (False,)), ((1, 4), (True, False)),
                                         ((2, 3, 4), (False, False, False)), ((0, 3), (False, False))])
def test_load_shapes_and_fortran_order(tmp_path, shape, bcast, mmap_mode):
    a = np.random.default_rng(0).standard_normal(shape)
    for arr in (a, np.array(a, order="F")):
        x = T.load(_save(tmp_path, "a.npy", arr), "float64", bcast, mmap_mode)
        f = theon.function([], [x, x * 2 + 1])
        got, y = f()
        np.testing.assert_array_equal(got, a)
        np.testing.assert_allclose(y, a * 2 + 1)


def test_load_reads_at_each_call_and_mmap_never_writes_the_file(tmp_path):
    path = _save(tmp_path, "w.npy", np.zeros(4, dtype="float32"))
    for mmap_mode in (None, "c"):
        x = T.load(path, "float32", (False,), mmap_mode)
        f = theon.function([], T.inc_subtensor(x[1:], 5.0))
        np.testing.assert_array_equal(f(), [0, 5, 5, 5])
        np.save(path, np.ones(4, dtype="float32"))
        np.testing.assert_array_equal(f(), [1, 6, 6, 6])
        np.testing.assert_array_equal(np.load(path), np.ones(4))  # the inplace add never reached the file
        np.save(path, np.zeros(4, dtype="float32"))


def test_load_is_not_constant_folded_and_has_a_gradient_path(tmp_path):
    a = np.array([1.0, 2.0, 3.0])
    x = T.load(_save(tmp_path, "v.npy", a), "float64", (False,))
    w = T.dvector("w")
    cost = T.sum(x * w ** 2)
    f = theon.function([w], [cost, T.grad(cost, w)])
    c, g = f(np.array([1.0, 1.0, 2.0]))
    assert c == 1 + 2 + 12
    np.testing.assert_allclose(g, 2 * a * [1, 1, 2])
    assert any("LoadFromDisk" in n.op.name for n in f.maker.fgraph.toposort())


def test_load_accepts_pathlike_and_floatX(tmp_path):
    path = tmp_path / "p.npy"
    np.save(path, np.ones(2, dtype=theon.config.floatX))
    x = T.LoadFromDisk("floatX", (False,))(path)
    assert x.dtype == theon.config.floatX
    np.testing.assert_array_equal(theon.function([], x)(), [1, 1])


def test_load_errors_name_the_op_file_and_line(tmp_path):
    path = _save(tmp_path, "m.npy", np.zeros((2, 3), dtype="float32"))
    with pytest.raises(FileNotFoundError, match=r"LoadFromDisk: cannot open '.*nope.npy'.*\n(.*\n)*.*test_io.py"):
        theon.function([], T.load(str(tmp_path / "nope.npy"), "float32", (False,)))()
    with pytest.raises(TypeError, match="expected an array of dtype float64, but '.*m.npy' holds float32"):
        theon.function([], T.load(path, "float64", (False, False)))()
    with pytest.raises(ValueError, match=r"holds an array of shape \(2, 3\), which TensorType\(float32, vector\)"):
        theon.function([], T.load(path, "float32", (False,)))()
    with pytest.raises(ValueError, match=r"dimension 0 must have size 1"):
        theon.function([], T.load(path, "float32", (True, False)))()
    with pytest.raises(ValueError, match="only supported values for mmap_mode are None and 'c', got 'r'"):
        T.load(path, "float32", (False, False), mmap_mode="r")
    with pytest.raises(TypeError, match="the path must be a str"):
        T.load(T.dvector(), "float32", (False,))


@pytest.mark.parametrize("mmap_mode", [None, "c"])
def test_load_rejects_broken_files(tmp_path, mmap_mode):
    good = _save(tmp_path, "g.npy", np.arange(100, dtype="float64"))
    raw = open(good, "rb").read()
    cases = {"truncated.npy": (raw[:-8], "truncated .npy file"),
             "header.npy": (raw[:40], "truncated .npy file"),
             "text.npy": (b"hello, this is not an array at all", "is not a .npy file")}
    big = np.arange(3, dtype=">f8")
    cases["big.npy"] = (open(_save(tmp_path, "b0.npy", big), "rb").read(), "big-endian data")
    obj = tmp_path / "o.npy"
    np.save(obj, np.array(["a", "bc"]))
    cases["str.npy"] = (open(obj, "rb").read(), "has dtype '<U2', which theon cannot read")
    for name, (data, message) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(ValueError, match=message):
            theon.function([], T.load(str(path), "float64", (False,), mmap_mode))()


def test_transfer_cpu_and_registered_targets():
    x = T.dvector("x")
    assert T.transfer(x, "cpu") is x
    assert isinstance(T.transfer([1.0, 2.0], "cpu"), T.TensorVariable)
    with pytest.raises(ValueError, match="can't transfer to target 'gpu'"):
        T.transfer(x, "gpu")
    seen = []

    def to_dev(var, target):
        seen.append(target)
        return var * 1 if target == "dev0" else None

    T.register_transfer(to_dev)
    try:
        y = T.transfer(x, "dev0")
        np.testing.assert_array_equal(theon.function([x], y)(np.array([3.0])), [3.0])
        with pytest.raises(ValueError, match="can't transfer to target 'dev1'"):
            T.transfer(x, "dev1")
        assert seen == ["dev0", "dev1"]
    finally:
        theon.tensor.io._transfer_fns.remove(to_dev)
    with pytest.raises(TypeError, match="expected a function"):
        T.register_transfer(3)
