#!/usr/bin/env bash
# Runs every test: the C++ suite (GoogleTest through ctest, the C++ examples)
# and the Python suite (pytest). Installs what it needs first, into the
# virtual environment run_example.sh uses, and builds the core once: the C++
# tests and the Python package come from the one build tree build/dev.
source "$(dirname "$0")/_env.sh"
t0=$SECONDS
# Bytecode caches, even where the environment turns them off: without them
# every run recompiles theon's modules in each test process and pytest
# rewrites every test module again (about 25 s of a warm run on 2 cores).
unset PYTHONDONTWRITEBYTECODE
# GoogleTest (C++ tests), ccache (faster rebuilds), OpenBLAS for the C++-only
# tests (the Python package uses the scipy-openblas32 wheel).
apt_need libgtest-dev ccache libopenblas0
ensure_venv
pip_need "scikit-build-core>=0.10" "nanobind>=2.0" numpy scipy-openblas32 onednn-cpu-gomp==2023.2.0 cmake ninja scikit-learn tqdm matplotlib \
  pytest pytest-xdist hypothesis scipy sphinx ruff clang-format==14.0.6
say "style: ruff (pyproject.toml) and clang-format (.clang-format) on every tracked C++ file"
ruff check python tests bench examples scripts docs
git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run -Werror
build_and_install ON
logs=$build/test-logs
mkdir -p "$logs"
say "C++ tests (ctest in $build)"
# The C++ tests run their oneDNN cases on the wheel's library (from Python, theon finds it itself).
THEON_ONEDNN=$(python -c 'from importlib import metadata
print(next((str(f.locate()) for f in metadata.files("onednn-cpu-gomp") or [] if f.name == "libdnnl.so.3"), ""))')
export THEON_ONEDNN
ctest --test-dir "$build" -j"$jobs" --output-on-failure | tee "$logs/ctest.log" | grep -Ev '^ *([0-9]+/[0-9]+ Test +#[0-9]+: .* Passed|Start +[0-9]+: )'
say "Python tests (pytest, $jobs workers)"
python -m pytest -q -p no:cacheprovider -n "$jobs" tests/python | tee "$logs/pytest.log"
say "API reference (Sphinx, warnings as errors)"
bash scripts/build_docs.sh
cxx=$(grep -Eo 'out of [0-9]+' "$logs/ctest.log" | tail -n 1 | grep -Eo '[0-9]+' || true)
py=$(grep -E '[0-9]+ passed' "$logs/pytest.log" | tail -n 1 | sed -E 's/=//g; s/^ +| +$//g' || true)
say "all tests passed in $((SECONDS - t0)) s: C++ ${cxx:-?} tests; Python $py"
