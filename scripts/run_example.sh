#!/usr/bin/env bash
# Installs theon into a virtual environment (.venv, or $THEON_VENV) from the
# shared build tree build/dev, then trains the MLP example on scikit-learn's
# digits (progress bar, test accuracy). Run again, it starts training at once.
source "$(dirname "$0")/_env.sh"
apt_need ccache
ensure_venv
pip_need "scikit-build-core>=0.10" "nanobind>=2.0" numpy scipy-openblas32 onednn-cpu-gomp==2023.2.0 cmake ninja scikit-learn tqdm matplotlib
build_and_install OFF
python examples/mlp_digits.py
