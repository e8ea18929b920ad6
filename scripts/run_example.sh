#!/usr/bin/env bash
# Installs theon (with the example extras) and trains the MLP example on digits.
set -euo pipefail
cd "$(dirname "$0")/.."
pip install -q ".[examples]"
python examples/mlp_digits.py
