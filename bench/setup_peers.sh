#!/usr/bin/env bash
# Creates (or reuses) the peers' environment bench/.venv-peers: NumPy, numexpr,
# PyTensor, JAX (CPU), PyTorch (CPU build, pinned), numba, Theano 1.0.5 and
# matplotlib, plus theon from this checkout. Peers never become theon's
# runtime dependencies. Theano 1.0.5 does not run on today's NumPy, so it
# gets its own environment bench/.venv-theano (NumPy 1.23, SciPy 1.10), where
# the harness runs its worker; it uses Theano's Python linker (no C code:
# Theano 1.0.5's C runtime does not build for Python 3), so its compile
# figures leave out the C compilation that made Theano slow.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=bench/.venv-peers
[ -x "$venv/bin/python" ] || python -m venv "$venv"
"$venv/bin/pip" install -q --upgrade pip
"$venv/bin/pip" install -q numpy numexpr pytensor jax jaxlib "torch==2.13.0" numba matplotlib onednn-cpu-gomp==2023.2.0 \
  scikit-build-core nanobind scipy-openblas32
tvenv=bench/.venv-theano
[ -x "$tvenv/bin/python" ] || python -m venv "$tvenv"
"$tvenv/bin/pip" install -q "numpy<1.24" "scipy<1.11" theano==1.0.5 || echo "theano 1.0.5 did not install: it will be n/a"
"$venv/bin/pip" install -q --no-build-isolation .
echo "peers ready: $venv/bin/python bench/run.py --suite quick --out bench/out"
