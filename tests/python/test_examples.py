"""The bundled examples train to a useful accuracy with fewer epochs."""
import importlib
import os

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


# ---- the deep learning tutorials' models, short runs ----------------------------------------

def _has_matplotlib():
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _assert_image(path):
    """An image the example says it wrote is a non-empty PNG."""
    assert path is not None and os.path.isfile(path), path
    with open(path, "rb") as f:
        head = f.read(8)
    assert head == b"\x89PNG\r\n\x1a\n" and os.path.getsize(path) > 1000, path


def _assert_plot(path):
    """Curves need matplotlib; without it the example says so and returns None."""
    if _has_matplotlib():
        _assert_image(path)
    else:
        assert path is None


def test_dae_digits(examples_path, tmp_path):
    dae = importlib.import_module("dae_digits")
    r = dae.main(epochs=15, out=str(tmp_path))
    assert r["test_cost"] < 0.5 * r["test_cost_before"], r
    assert r["test_cost"] < 20, r                     # of 64 pixels' cross-entropy; untrained: 43
    assert r["train_costs"][-1] < r["train_costs"][0]
    assert r["image"] == str(tmp_path / "dae_filters.png")
    _assert_image(r["image"])
    _assert_image(str(tmp_path / "dae_reconstructions.png"))


def test_dae_digits_is_reproducible(examples_path, tmp_path):
    dae = importlib.import_module("dae_digits")
    first = dae.main(epochs=3, out=str(tmp_path))
    second = dae.main(epochs=3, out=str(tmp_path))
    assert first["train_costs"] == second["train_costs"]     # the corruption's seed is fixed


def test_lenet_digits(examples_path, tmp_path):
    lenet = importlib.import_module("lenet_digits")
    r = lenet.main(epochs=8, out=str(tmp_path))
    assert isinstance(r["accuracy"], float)
    assert r["accuracy"] > 0.93, "LeNet test accuracy %.3f" % r["accuracy"]
    assert r["train_costs"][-1] < 0.5 * r["train_costs"][0]
    assert r["valid_errors"][-1] < r["valid_errors"][0]
    _assert_plot(r["plot"])


def test_lstm_sequence(examples_path, tmp_path):
    lstm = importlib.import_module("lstm_sequence")
    r = lstm.main(steps=400, out=str(tmp_path))
    # Predicting the mean scores about 0.167; the trained LSTM adds the marked numbers.
    assert 0.14 < r["chance_mse"] < 0.19
    assert r["test_mse"] < 0.1 * r["chance_mse"], r["test_mse"]
    _assert_plot(r["plot"])


def test_lstm_adding_problem_data(examples_path):
    import theon
    lstm = importlib.import_module("lstm_sequence")
    x, y = lstm.adding_problem(np.random.RandomState(0), 50, 10)
    assert x.shape == (10, 50, 2) and y.shape == (50,) and x.dtype == theon.config.floatX
    assert np.all(x[:, :, 1].sum(axis=0) == 2)                  # two markers per sequence
    np.testing.assert_allclose(y, (x[:, :, 0] * x[:, :, 1]).sum(axis=0), rtol=1e-6)


def test_rbm_digits(examples_path, tmp_path):
    rbm = importlib.import_module("rbm_digits")
    r = rbm.main(epochs=10, plot_every=20, n_samples=3, out=str(tmp_path))
    assert r["test_cost"] < 0.6 * r["test_cost_before"], r["costs"]
    assert r["costs"][-1] < r["costs"][1]                        # still improving after the first epoch
    _assert_image(r["samples"])
    _assert_image(r["filters"])


def test_rbm_digits_cd(examples_path, tmp_path):
    rbm = importlib.import_module("rbm_digits")
    r = rbm.main(epochs=5, k=1, persistent=False, n_samples=1, plot_every=5, out=str(tmp_path))
    assert r["test_cost"] < 0.6 * r["test_cost_before"], r["costs"]


def test_hmc_sampling(examples_path, tmp_path):
    hmc = importlib.import_module("hmc_sampling")
    r = hmc.main(samples=500, burn_in=100, out=str(tmp_path))
    assert r["mean_error"] < 0.03, r
    assert r["cov_error"] < 0.1 * r["max_variance"], r
    assert 0.8 < r["acceptance"] < 0.97, r                     # adapted towards the 0.9 target
    assert 0.001 <= r["stepsize"] <= 0.5
    _assert_plot(r["plot"])


def test_image_grid_without_matplotlib(examples_path, tmp_path, monkeypatch):
    plots = importlib.import_module("example_plots")
    grid = plots.tile(np.random.RandomState(0).rand(6, 64), (8, 8), n_cols=3)
    assert grid.shape == (2 * 8 + 1, 3 * 8 + 2)
    monkeypatch.setattr(plots, "pyplot", lambda: None)
    path = plots.save_grid(str(tmp_path / "grid.png"), grid)
    _assert_image(path)
    assert plots.save_curves(str(tmp_path / "curve.png"), [{"curves": {"a": [1, 2]}, "ylabel": "y"}], "x") is None
    if _has_matplotlib():
        import matplotlib.image
        img = matplotlib.image.imread(path)
        assert img.shape[:2] == (8 * grid.shape[0], 8 * grid.shape[1])
        np.testing.assert_allclose(img[::8, ::8], grid, atol=1 / 255.0)
