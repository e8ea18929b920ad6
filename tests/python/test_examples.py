"""The bundled examples train to a useful accuracy with fewer epochs."""
import importlib

import numpy as np


def test_mlp_digits(examples_path):
    mlp = importlib.import_module("mlp_digits")
    acc = mlp.main(epochs=15)
    assert isinstance(acc, float)
    assert acc > 0.9, "MLP test accuracy %.3f" % acc


def test_logreg_digits(examples_path):
    logreg = importlib.import_module("logreg_digits")
    acc = logreg.main(epochs=10)
    assert acc > 0.9, "logistic regression test accuracy %.3f" % acc


def test_log_softmax_helper(examples_path):
    import theon
    import theon.tensor as T
    mlp = importlib.import_module("mlp_digits")
    z = T.matrix("z")
    v = np.array([[1.0, 2.0, 3.0], [1000.0, 0.0, -1000.0]])
    got = theon.function([z], mlp.log_softmax(z))(v)
    m = v.max(1, keepdims=True)
    want = v - m - np.log(np.exp(v - m).sum(1, keepdims=True))
    np.testing.assert_allclose(got, want, rtol=1e-12)
    assert np.all(np.isfinite(got))
