"""theon.config: defaults, change_flags, environment variables."""
import os
import subprocess
import sys

import numpy as np
import pytest

import theon
import theon.tensor as T


def test_defaults():
    assert theon.config.floatX == "float64"
    assert theon.config.on_unused_input == "raise"
    assert theon.config.device == "cpu"
    assert theon.config.mode == "FAST_RUN"
    assert theon.config.cast_policy == "custom"


def test_scalar_follows_floatx():
    assert T.scalar().dtype == "float64"
    assert T.matrix().dtype == "float64"
    with theon.config.change_flags(floatX="float32"):
        assert theon.config.floatX == "float32"
        assert T.scalar().dtype == "float32"
        assert T.matrix().dtype == "float32"
        assert T.tensor3().dtype == "float32"
        assert T.dscalar().dtype == "float64"  # explicit prefixes do not follow
        assert T.cast(T.iscalar(), "floatX").dtype == "float32"
    assert theon.config.floatX == "float64"
    assert T.scalar().dtype == "float64"


def test_change_flags_restores_after_exception():
    with pytest.raises(RuntimeError):
        with theon.config.change_flags(floatX="float32"):
            raise RuntimeError("boom")
    assert theon.config.floatX == "float64"


def test_change_flags_as_decorator():
    @theon.change_flags(floatX="float32")
    def make():
        return T.vector(), theon.config.floatX

    v, fx = make()
    assert v.dtype == "float32" and fx == "float32"
    assert theon.config.floatX == "float64"

    @theon.config.change_flags(on_unused_input="ignore")
    def compile_unused():
        x, y = T.scalars("x", "y")
        return theon.function([x, y], x)

    assert float(compile_unused()(1.0, 2.0)) == 1.0
    assert theon.config.on_unused_input == "raise"


def test_change_flags_nested():
    with theon.change_flags(floatX="float32"):
        with theon.change_flags(floatX="float16"):
            assert theon.config.floatX == "float16"
        assert theon.config.floatX == "float32"
    assert theon.config.floatX == "float64"


def test_setting_a_flag_directly():
    old = theon.config.on_unused_input
    try:
        theon.config.on_unused_input = "ignore"
        assert theon.config.on_unused_input == "ignore"
    finally:
        theon.config.on_unused_input = old
    assert theon.config.on_unused_input == "raise"


def test_floatx_float32_constants_and_functions():
    with theon.config.change_flags(floatX="float32"):
        x = T.vector("x")
        y = x * 0.1 + 1.1
        assert y.dtype == "float32"
        out = theon.function([x], y)(np.ones(2, dtype="float32"))
        assert out.dtype == np.float32
        np.testing.assert_allclose(out, 1.2, rtol=1e-6)
        s = theon.shared(np.zeros(2, dtype=theon.config.floatX))
        assert s.dtype == "float32"


def _run(code, **env_flags):
    env = dict(os.environ)
    env.pop("THEON_FLAGS", None)
    env.pop("THEANO_FLAGS", None)
    env.update(env_flags)
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def test_theano_and_theon_flags_from_environment():
    code = ("import theon, theon.tensor as T; "
            "print(theon.config.floatX, theon.config.on_unused_input, T.scalar().dtype)")
    assert _run(code, THEANO_FLAGS="floatX=float32") == "float32 raise float32"
    assert _run(code, THEON_FLAGS="floatX=float32,on_unused_input=warn") == "float32 warn float32"
    # both are read; THEON_FLAGS wins where they disagree
    assert _run(code, THEANO_FLAGS="floatX=float32,on_unused_input=ignore",
                THEON_FLAGS="floatX=float64") == "float64 ignore float64"
    assert _run(code) == "float64 raise float64"


def test_dotted_flag_names():
    assert theon.config.warn__round is False
    assert theon.config.warn.round is False
    code = "import theon; print(theon.config.warn.round)"
    assert _run(code, THEON_FLAGS="warn.round=True") == "True"


def test_config_dir_lists_flags():
    names = dir(theon.config)
    assert "floatX" in names and "on_unused_input" in names


def test_compiledir_max_mb_is_a_size_in_mib():
    from theon.configparser import change_flags
    assert theon.config.compiledir_max_mb == 1024.0
    with change_flags(compiledir_max_mb="0.5"):
        assert theon.config.compiledir_max_mb == 0.5
    for bad in ("-1", "lots", "nan", "inf"):
        with pytest.raises(ValueError, match="compiledir_max_mb"):
            with change_flags(compiledir_max_mb=bad):
                pass
    assert _run("import theon; print(theon.config.compiledir_max_mb)", THEON_FLAGS="compiledir_max_mb=0") == "0.0"


def test_every_theano_flag_is_known_and_documented():
    # Theano 1.0's flags (configdefaults.py): accepted, with Theano's defaults
    # where they have no effect in theon; docs/config.md names each one.
    from theon import configparser
    docs = open(os.path.join(os.path.dirname(__file__), "..", "..", "docs", "config.md")).read()
    for key in configparser._FLAGS:
        assert "`%s`" % key.replace("__", ".") in docs, key
    assert theon.config.cycle_detection == "regular" and theon.config.DebugMode.patience == 10
    assert theon.config.warn.sum_div_dimshuffle_bug is False and theon.config.compute_test_value == "off"
    with theon.change_flags(**{"warn.subtensor_merge_bug": True, "traceback.limit": -1}):
        assert theon.config.warn.subtensor_merge_bug is True and theon.config.traceback.limit == -1
    assert _run("import theon; print(theon.config.on_opt_error)", THEANO_FLAGS="on_opt_error=raise") == "raise"


def test_an_unknown_flag_names_the_closest_ones():
    from theon.configparser import UnknownFlagError
    with pytest.raises(UnknownFlagError, match=r"'warn\.sum_div_dimshufle_bug'; did you mean 'warn\.sum_div_dimshuffle_bug'"):
        theon.config.warn.sum_div_dimshufle_bug
    with pytest.raises(UnknownFlagError, match="did you mean 'floatX'"):
        theon.config.floatx = "float32"
    with pytest.raises(UnknownFlagError, match="did you mean 'floatX'"):
        theon.change_flags(floatx="float32")
    with pytest.raises(UnknownFlagError, match=r"THEON_FLAGS sets unknown flag 'no\.such'"):
        theon.config._parse("no.such=1", "THEON_FLAGS")
