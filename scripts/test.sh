#!/usr/bin/env bash
# Runs every test: the C++ suite (GoogleTest through ctest, plus the C++
# example) and the Python suite (pytest). Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
# System packages: GoogleTest (C++ tests), ccache (faster rebuilds), OpenBLAS
# for the C++-only tests (the Python package uses the scipy-openblas32 wheel).
if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  need=""
  for p in libgtest-dev ccache libopenblas0; do dpkg -s "$p" >/dev/null 2>&1 || need="$need $p"; done
  if [ -n "$need" ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null && apt-get install -y -q $need >/dev/null
  fi
fi
python -m pip install -q "scikit-build-core>=0.10" "nanobind>=2.0" numpy scipy-openblas32 \
  pytest hypothesis scipy scikit-learn tqdm ninja cmake
cmake -S . -B build/cpp -G Ninja -DTHEON_BUILD_TESTS=ON -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/cpp -j"$jobs"
(cd build/cpp && ctest --output-on-failure -j"$jobs")
python -m pip install -q --no-build-isolation .
python -m pytest -q tests/python
