"""Running unchanged Theano scripts: `python -m theon.run`, the opt-in
`import theano` alias of an environment, and the small Theano names those
scripts use (theano.Param, theano.pp)."""
import os
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon import run as theon_run

SCRIPT = textwrap.dedent('''
    import sys
    import numpy
    import theano
    import theano.tensor as T
    from theano import function, shared
    from theano.tensor.nnet import sigmoid

    x = T.dvector("x")
    w = shared(numpy.ones(3), name="w")
    f = function([x], sigmoid(T.dot(x, w)), updates=[(w, w * 2)])
    out = f(numpy.zeros(3))
    assert theano.tensor is T and sys.modules["theano.tensor"] is sys.modules["theon.tensor"]
    print("result", out, w.get_value()[0], sys.argv[1:])
''')


def _python(*args, **kw):
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=300, **kw)


def test_a_theano_script_runs_unchanged(tmp_path):
    script = tmp_path / "tutorial.py"
    script.write_text(SCRIPT)
    r = _python("-m", "theon.run", str(script), "a", "b")
    assert r.returncode == 0, r.stderr
    assert "result 0.5 2.0 ['a', 'b']" in r.stdout
    (tmp_path / "tutorial_mod.py").write_text(SCRIPT)
    r = _python("-m", "theon.run", "-m", "tutorial_mod", "c", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "['c']" in r.stdout


def test_run_reports_a_missing_script():
    r = _python("-m", "theon.run", "/nonexistent/script.py")
    assert r.returncode != 0 and "no such script" in r.stderr


def test_the_alias_is_opt_in_and_imports_theon_only_when_asked(tmp_path):
    site = str(tmp_path / "site")
    probe = ("import site, sys; site.addsitedir(%r); before = 'theon' in sys.modules; import theano.tensor; "
             "print(before, theano.tensor.__name__, sys.modules['theano.tensor'] is sys.modules['theon.tensor'])"
             % site)
    r = _python("-c", probe)
    assert r.returncode != 0 and "No module named 'theano'" in r.stderr  # not enabled: no theano
    assert theon_run.main(["--enable-alias", "--site", site]) == 0
    assert os.path.exists(os.path.join(site, theon_run.PTH_NAME))
    r = _python("-c", probe)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["False", "theon.tensor", "True"]  # start-up did not import theon
    assert theon_run.main(["--disable-alias", "--site", site]) == 0
    assert not os.path.exists(os.path.join(site, theon_run.PTH_NAME))
    r = _python("-c", probe)
    assert r.returncode != 0


def test_param_is_in_with_a_deprecation_warning():
    x, y = T.dscalar("x"), T.dscalar("y")
    with pytest.warns(DeprecationWarning, match="theano.In"):
        p = theon.Param(y, default=2.0)
    f = theon.function([x, p], x + y)
    assert f(1.0) == 3.0 and f(1.0, 5.0) == 6.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert isinstance(theon.compile.Param(y), theon.In)


def test_pp_prints_an_expression():
    x, y = T.dscalar("x"), T.dscalar("y")
    assert theon.pp(x + y) == "x + y"
    assert np.isclose(theon.function([x, y], x * y)(2.0, 3.0), 6.0)


def test_rop_keeps_the_inputs_theano_kept():
    # Theano's tutorial: the result dot(x, V) does not read W, yet W is an input of the function.
    W, V, x = T.dmatrix("W"), T.dmatrix("V"), T.dvector("x")
    f = theon.function([W, V, x], T.Rop(T.dot(x, W), W, V))
    np.testing.assert_allclose(f(np.ones((3, 2)), 2 * np.ones((3, 2)), np.arange(3.0)), [6.0, 6.0])
    nan_w = np.full((3, 2), np.nan)  # W's values are not read: only its shape
    np.testing.assert_allclose(f(nan_w, 2 * np.ones((3, 2)), np.arange(3.0)), [6.0, 6.0])
