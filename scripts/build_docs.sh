#!/usr/bin/env bash
# Builds the API reference (docs/api, Sphinx with autodoc and napoleon) into
# build/docs from the docstrings of the installed theon package, with every
# warning an error: a docstring Sphinx cannot read fails the build.
# Uses the `python` on PATH; installs Sphinx with it when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
python -c "import sphinx" 2>/dev/null || python -m pip install -q sphinx
python -c "import theon" || { echo "build_docs.sh: install theon first (pip install --no-build-isolation -e .)" >&2; exit 1; }
rm -rf build/docs
python -m sphinx -W --keep-going -q -b html docs/api build/docs
echo "API reference: build/docs/index.html"
