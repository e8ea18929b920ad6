#!/usr/bin/env bash
# The Python suite's op tests against a build of the extension under
# AddressSanitizer + UBSan, so that an out-of-bounds read or an overflow in
# any op family (not only those the C++ tests reach) fails CI. Uses the
# sanitized build in build/asan (configured by .ci/run with
# THEON_BUILD_PYTHON=ON); the package is staged next to it and put first on
# PYTHONPATH.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/asan}
stage="$build/py"
rm -rf "$stage"
mkdir -p "$stage"
cp -r python/theon "$stage/theon"
cp "$build"/_core*.so "$stage/theon/"
cp -P "$build"/libtheon.so* "$stage/theon/"
runtime="$(g++ -print-file-name=libasan.so) $(g++ -print-file-name=libubsan.so)"
export LD_PRELOAD="$runtime"
# Python itself keeps memory until exit: leaks are not what this run checks.
# Allocations past 2 GiB fail (MemoryError) rather than fill the machine: the
# bad-input tests ask for huge arrays, and RLIMIT_AS cannot be used with ASan.
export ASAN_OPTIONS=detect_leaks=0:detect_odr_violation=0:allocator_may_return_null=1:max_allocation_size_mb=2048
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export PYTHONPATH="$PWD/$stage${PYTHONPATH:+:$PYTHONPATH}"
python - <<'PY'
import theon, os
assert os.path.realpath(theon.__file__).startswith(os.path.realpath(os.environ["PYTHONPATH"].split(":")[0])), (
    "theon comes from %s, not the sanitized build (an editable install takes precedence over PYTHONPATH; "
    "use a regular install)" % theon.__file__)
print("sanitized theon:", theon.__file__)
PY
python -m pytest -q -p no:cacheprovider \
  tests/python/test_bad_input.py tests/python/test_conformance.py tests/python/test_elemwise.py \
  tests/python/test_indexing.py tests/python/test_reduce.py tests/python/test_shape.py \
  tests/python/test_sort_scan.py tests/python/test_io.py tests/python/test_nnet.py tests/python/test_blas.py \
  tests/python/test_special.py tests/python/test_grad.py tests/python/test_conv.py tests/python/test_pool.py tests/python/test_bn.py \
  tests/python/test_onednn.py tests/python/test_neighbours.py tests/python/test_linalg.py tests/python/test_python_ops.py \
  tests/python/test_pickling.py tests/python/test_test_values.py tests/python/test_debug_modes.py
