"""function(): outputs, In/Out, updates, givens, downcasting, unused inputs,
the compiled graph, and output aliasing."""
import warnings

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon import In, Out


def test_single_list_dict_outputs():
    x = T.scalar("x")
    f_single = theon.function([x], x * 2)
    out = f_single(3.0)
    assert isinstance(out, np.ndarray) and out.shape == () and float(out) == 6.0
    f_list = theon.function([x], [x * 2, x + 1])
    res = f_list(3.0)
    assert isinstance(res, list) and len(res) == 2
    assert float(res[0]) == 6.0 and float(res[1]) == 4.0
    f_one_list = theon.function([x], [x * 2])
    res1 = f_one_list(3.0)
    assert isinstance(res1, list) and len(res1) == 1
    f_dict = theon.function([x], {"double": x * 2, "inc": x + 1})
    d = f_dict(3.0)
    assert isinstance(d, dict) and set(d) == {"double", "inc"}
    assert float(d["double"]) == 6.0 and float(d["inc"]) == 4.0


def test_no_outputs_only_updates():
    s = theon.shared(0.0, name="s")
    f = theon.function([], updates=[(s, s + 1)])
    assert f() == []
    f()
    assert float(s.get_value()) == 2.0


def test_keyword_call_and_defaults():
    x, y, w = T.dscalars("x", "y", "w")
    z = (x + y) * w
    f = theon.function([x, In(y, value=1), In(w, value=2, name="w_by_name")], z)
    assert float(f(33)) == 68.0
    assert float(f(33, 2)) == 70.0
    assert float(f(33, 0, 1)) == 33.0
    assert float(f(33, w_by_name=1)) == 34.0
    assert float(f(33, w_by_name=1, y=0)) == 33.0
    assert float(f(x=1.0, y=1.0, w_by_name=1.0)) == 2.0


def test_missing_argument_without_default():
    x, y = T.dscalars("x", "y")
    f = theon.function([x, In(y, value=1.0)], x + y)
    with pytest.raises(TypeError) as e:
        f(y=2.0)
    assert "x" in str(e.value)


def test_in_update_accumulates():
    """In(..., update=...) : the input's stored value is replaced after each call."""
    x = T.dscalar("x")
    acc = T.dscalar("acc")
    f = theon.function([x, In(acc, value=0.0, update=acc + x)], acc + x)
    assert float(f(1.0)) == 1.0
    assert float(f(2.0)) == 3.0
    assert float(f(10.0)) == 13.0


def test_in_update_needs_a_value_and_a_missing_input_is_reported_first():
    x, s = T.dscalar("x"), T.dscalar("s")
    with pytest.raises(ValueError, match=r"In\(x, update=...\) needs an initial value"):
        theon.function([In(x, update=x + 1)], x * 2)
    with pytest.raises(theon.gof.MissingInputError):  # s is not an input: that is the error to see
        theon.function([In(x, update=s + x)], x)


def test_out_borrow_and_value():
    x = T.vector("x")
    f = theon.function([x], Out(x * 2, borrow=True))
    np.testing.assert_array_equal(f(np.array([1.0, 2.0])), [2.0, 4.0])
    g = theon.function([x], [Out(x + 1), x - 1])
    a, b = g(np.array([1.0]))
    assert float(a[0]) == 2.0 and float(b[0]) == 0.0


def test_updates_are_simultaneous_swap():
    a = theon.shared(np.array([1.0, 2.0]), name="a")
    b = theon.shared(np.array([10.0, 20.0]), name="b")
    f = theon.function([], [], updates=[(a, b), (b, a)])
    f()
    np.testing.assert_array_equal(a.get_value(), [10.0, 20.0])
    np.testing.assert_array_equal(b.get_value(), [1.0, 2.0])
    f()
    np.testing.assert_array_equal(a.get_value(), [1.0, 2.0])
    np.testing.assert_array_equal(b.get_value(), [10.0, 20.0])


def test_updates_see_old_values_and_outputs_before_update():
    s = theon.shared(1.0, name="s")
    f = theon.function([], [s, s * 10], updates={s: s + 1})
    out = f()
    assert float(out[0]) == 1.0 and float(out[1]) == 10.0
    assert float(s.get_value()) == 2.0
    out = f()
    assert float(out[0]) == 2.0 and float(out[1]) == 20.0


def test_updates_ordered_dict_and_list_of_tuples():
    from collections import OrderedDict
    s = theon.shared(np.zeros(2), name="s")
    inc = T.vector("inc")
    f = theon.function([inc], s, updates=OrderedDict([(s, s + inc)]))
    f(np.ones(2))
    f(np.ones(2))
    np.testing.assert_array_equal(s.get_value(), [2.0, 2.0])


def test_givens_replace_shared():
    state = theon.shared(0, name="state")
    inc = T.iscalar("inc")
    foo = T.scalar(name="foo", dtype=state.dtype)
    fn_of_state = state * 2 + inc
    skip_shared = theon.function([inc, foo], fn_of_state, givens=[(state, foo)])
    assert int(skip_shared(1, 3)) == 7
    assert int(state.get_value()) == 0


def test_givens_slice_a_shared_dataset(rng):
    data = rng.rand(20, 3)
    X = theon.shared(data, name="X")
    x = T.matrix("x")
    idx = T.lscalar("idx")
    f = theon.function([idx], x.sum(axis=0), givens={x: X[idx * 5:(idx + 1) * 5]})
    for i in range(4):
        np.testing.assert_allclose(f(i), data[i * 5:(i + 1) * 5].sum(0))


def test_givens_with_expression(rng):
    x, y = T.vector("x"), T.vector("y")
    z = T.vector("z")
    f = theon.function([z], x + y, givens={x: z * 2, y: z + 1})
    np.testing.assert_allclose(f(np.array([1.0, 2.0])), [4.0, 7.0])  # 2z + (z + 1)


def test_givens_type_mismatch_raises():
    x = T.vector("x")
    m = T.matrix("m")
    with pytest.raises(TypeError):
        theon.function([m], x * 2, givens={x: m})


def test_givens_cannot_replace_an_input():
    # Theano's rule: the input's value would be computed, not read. The
    # message says what to write instead, and that way works.
    x, y = T.scalar("x"), T.scalar("y")
    with pytest.raises(RuntimeError, match="givens replaces x, which is an input"):
        theon.function([x], x * 2, givens={x: x + 1})
    with pytest.raises(RuntimeError, match="an input cannot be replaced"):
        theon.function([x, y], x * y, givens=[(y, x)])
    assert theon.function([y], x * 2, givens={x: y + 1})(1.0) == 4.0
    assert theon.function([x], theon.clone(x * 2, replace={x: x + 1}))(1.0) == 4.0


def test_default_update_and_no_default_updates():
    counter = theon.shared(0, name="counter")
    counter.default_update = counter + 1
    out = counter * 1
    f = theon.function([], out)
    f()
    f()
    assert int(counter.get_value()) == 2
    g = theon.function([], out, no_default_updates=True)
    g()
    assert int(counter.get_value()) == 2
    # an explicit update overrides the default one
    h = theon.function([], out, updates=[(counter, counter + 10)])
    h()
    assert int(counter.get_value()) == 12


def test_allow_input_downcast():
    x = T.fvector("x")
    f = theon.function([x], x * 2)
    with pytest.raises(TypeError) as e:
        f(np.array([1.0, 2.0], dtype="float64"))
    assert "float32" in str(e.value) and "float64" in str(e.value)
    g = theon.function([x], x * 2, allow_input_downcast=True)
    out = g(np.array([1.0, 2.0], dtype="float64"))
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [2.0, 4.0])
    # a list of floats that float32 cannot hold exactly is refused too
    with pytest.raises(TypeError):
        f([0.1, 0.2])
    np.testing.assert_allclose(g([0.1, 0.2]), np.array([0.1, 0.2], dtype="float32") * 2)
    # ... while exactly representable values are accepted (Theano's filter)
    np.testing.assert_array_equal(f([1.5, 2.5]), [3.0, 5.0])


def test_upcast_inputs_are_accepted():
    x = T.dvector("x")
    f = theon.function([x], x * 2)
    np.testing.assert_array_equal(f(np.array([1, 2], dtype="int32")), [2.0, 4.0])
    np.testing.assert_array_equal(f(np.array([1, 2], dtype="float32")), [2.0, 4.0])
    np.testing.assert_array_equal(f([1, 2]), [2.0, 4.0])
    i = T.ivector("i")
    fi = theon.function([i], i + 1)
    with pytest.raises(TypeError):
        fi(np.array([1.5]))
    with pytest.raises(TypeError):
        fi(np.array([1, 2], dtype="int64"))
    np.testing.assert_array_equal(fi([1, 2]), [2, 3])


def test_python_float_into_float32_with_floatx_float32():
    with theon.config.change_flags(floatX="float32"):
        x = T.scalar("x")
        assert x.dtype == "float32"
        f = theon.function([x], x * 2)
        out = f(1.5)
        assert out.dtype == np.float32 and float(out) == 3.0
        v = T.fvector("v")
        g = theon.function([v], v + 1)
        with pytest.raises(TypeError):
            g(np.array([0.1]))  # a float64 ndarray is still a downcast


def test_on_unused_input_policies():
    x, y = T.scalars("x", "y")
    with pytest.raises(theon.UnusedInputError) as e:
        theon.function([x, y], x * 2)
    assert "y" in str(e.value)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        f = theon.function([x, y], x * 2, on_unused_input="warn")
    assert any("y" in str(m.message) for m in w), [str(m.message) for m in w]
    assert float(f(1.0, 5.0)) == 2.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        g = theon.function([x, y], x * 2, on_unused_input="ignore")
    assert float(g(2.0, 0.0)) == 4.0
    with theon.config.change_flags(on_unused_input="ignore"):
        theon.function([x, y], x)


def test_toposort_returns_apply_nodes():
    x = T.vector("x")
    y = T.exp(x) * 2 + x.sum()
    f = theon.function([x], y)
    nodes = f.maker.fgraph.toposort()
    assert len(nodes) >= 3
    assert all(isinstance(n, theon.Apply) for n in nodes)
    names = " ".join(str(n.op) for n in nodes)
    assert "exp" in names
    # topological: every input of a node is a graph input, a constant or an earlier output
    seen = set()
    graph_inputs = {v._id for v in f.maker.fgraph.inputs}
    for n in nodes:
        for i in n.inputs:
            assert i._id in seen or i._id in graph_inputs or i.owner is None
        for o in n.outputs:
            seen.add(o._id)


def test_outputs_do_not_alias_inputs(rng):
    x = T.vector("x")
    v = rng.rand(4)
    keep = v.copy()
    for out_expr in [x, x.reshape((2, 2)).flatten(), x.T, x[::1], T.identity(x), x.dimshuffle(0)]:
        f = theon.function([x], out_expr)
        out = f(v)
        out[...] = -1.0
        np.testing.assert_array_equal(v, keep)


def test_outputs_do_not_alias_each_other_or_shared(rng):
    s = theon.shared(rng.rand(3), name="s")
    x = T.vector("x")
    f = theon.function([x], [x, x, s])
    v = rng.rand(3)
    a, b, c = f(v)
    a[0] = 99.0
    assert b[0] != 99.0
    c[0] = 99.0
    assert s.get_value()[0] != 99.0


def test_repeated_calls_are_independent(rng):
    x = T.vector("x")
    f = theon.function([x], T.exp(x))
    a = f(np.zeros(3))
    b = f(np.ones(3))
    np.testing.assert_array_equal(a, np.ones(3))
    np.testing.assert_allclose(b, np.e * np.ones(3))


def test_constant_output_and_no_inputs():
    f = theon.function([], T.constant(np.arange(3.0)) * 2)
    np.testing.assert_array_equal(f(), [0.0, 2.0, 4.0])
    out = f()
    out[0] = 5.0
    np.testing.assert_array_equal(f(), [0.0, 2.0, 4.0])


def test_eval():
    x = T.vector("x")
    y = x * 2
    np.testing.assert_array_equal(y.eval({x: np.array([1.0, 2.0])}), [2.0, 4.0])
    assert float((T.constant(3.0) + 1).eval()) == 4.0


def test_mode_argument_accepted():
    x = T.scalar("x")
    for mode in ["FAST_RUN", "FAST_COMPILE", theon.Mode(), None]:
        assert float(theon.function([x], x + 1, mode=mode)(1.0)) == 2.0
    with pytest.raises(ValueError):
        theon.function([x], x + 1, mode="NO_SUCH_MODE")


def test_input_appears_twice_raises():
    x = T.scalar("x")
    with pytest.raises((ValueError, TypeError)):
        theon.function([x, x], x * 2)


def test_input_must_be_a_variable_not_constant():
    with pytest.raises(TypeError):
        theon.function([T.constant(1.0)], T.constant(1.0) + 1)


def test_symbolic_argument_rejected():
    x = T.scalar("x")
    f = theon.function([x], x * 2)
    with pytest.raises(TypeError) as e:
        f(T.scalar())
    assert "givens" in str(e.value) or "symbolic" in str(e.value)


def test_shared_in_inputs_is_rejected():
    s = theon.shared(1.0, name="s")
    with pytest.raises(TypeError):
        theon.function([s], s * 2)


def test_eval_and_functions_do_not_leak_at_exit():
    """Variable.eval() caches a compiled function; that must not create an
    uncollectable cycle (nanobind reports leaked instances at exit)."""
    import subprocess
    import sys
    code = ("import numpy as np, theon, theon.tensor as T\n"
            "x = T.scalar('x'); y = x * 2\n"
            "assert float(y.eval({x: 1.0})) == 2.0\n"
            "f = theon.function([x], y); f(1.0)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "leaked" not in r.stderr, r.stderr[:500]


def test_containers_share_an_input_value_between_functions():
    import copy
    import pickle
    from theon.gof import Container
    a, x, s = T.scalar("a"), T.scalar("x"), T.scalar("s")
    inc = theon.function([x, In(a, value=1.0, name="a"), In(s, value=0.0, update=s + a * x, mutable=True)], s + a * x)
    dec = theon.function([x, In(s, value=inc.container[s], update=s - x)], s)
    c = inc.container[s]
    assert isinstance(c, Container) and c is inc.container["s"] is inc.container[2] and dec.container[s] is c
    assert c.storage == [0.0] and s in inc.container and "a" in inc.container and T.scalar() not in inc.container
    assert inc(2) == 2.0 and dec[s] == 2.0  # one value: inc's update is dec's state
    assert dec(5) == 2.0 and inc[s] == -3.0 and inc.value[s] == inc[s] == inc.value[2]
    c.value = 4  # checked and converted as an argument would be
    assert dec[s] == 4.0 and c.storage[0].dtype == s.dtype
    with pytest.raises(TypeError, match="argument 2 .'s'. cannot be converted"):
        c.value = "four"
    inc.value["a"] = 10
    assert inc[a] == 10.0 and inc(1) == 14.0
    with pytest.raises(TypeError, match="cannot be replaced"):
        inc.container[s] = c
    with pytest.raises(KeyError, match="has no input 3"):
        inc.container[3]
    with pytest.raises(TypeError, match="given a container of type"):
        theon.function([In(T.vector("v"), value=c)], T.vector("v").sum())
    # copies have their own containers (mutable values copied); a pickle or deepcopy of several
    # functions keeps the ones they share shared
    cp = inc.copy()
    assert cp.container[s] is not c and cp[s] == inc[s] and cp.container[s].storage[0] is not c.storage[0]
    for inc2, dec2 in (pickle.loads(pickle.dumps((inc, dec), -1)), copy.deepcopy((inc, dec))):
        assert inc2.container[2] is dec2.container[1] and inc2.container[2] is not c
        inc2(1)
        assert dec2.value[1] == inc2.value[2] == 24.0 and inc[s] == 14.0
