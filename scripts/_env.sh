# Sourced by run_example.sh and test.sh: one virtual environment and one build
# tree, shared by both commands and reused between runs.
#   THEON_VENV  the virtual environment (default: .venv in the repository)
#   build/dev   the one CMake build tree: core, Python extension, C++ tests
# A first build compiles the core once (about 4 minutes on 2 cores, less with
# a warm ccache); later runs rebuild only what changed, and skip the install
# entirely when no source changed since the last one.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
venv=${THEON_VENV:-$repo/.venv}
build=$repo/build/dev
jobs=$(nproc 2>/dev/null || echo 2)

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# apt packages, when this is Debian/Ubuntu and we are root; otherwise a hint.
apt_need() {
  local need="" p
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || need="$need $p"; done
  [ -z "$need" ] && return 0
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    say "installing system packages:$need"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null && apt-get install -y -q $need >/dev/null
  else
    echo "note: system packages$need are missing (install them with apt-get as root)" >&2
  fi
}

ensure_venv() {
  if [ ! -x "$venv/bin/python" ]; then
    local py
    py=$(command -v python3 || command -v python || true)
    [ -n "$py" ] || { echo "error: no python3 on PATH" >&2; exit 1; }
    say "creating the virtual environment $venv (with $("$py" --version 2>&1))"
    if ! "$py" -m venv "$venv" 2>/dev/null; then
      rm -rf "$venv"
      apt_need python3-venv
      "$py" -m venv "$venv" || { echo "error: '$py -m venv' failed; install python3-venv" >&2; exit 1; }
    fi
  fi
  export VIRTUAL_ENV=$venv
  export PATH="$venv/bin:$PATH"
  hash -r
}

# pip packages, installed once per distinct list (a stamp in the venv remembers).
pip_need() {
  local stamp
  stamp="$venv/.theon-deps-$(printf '%s\n' "$@" | sha256sum | cut -c1-16)"
  [ -e "$stamp" ] && return 0
  say "installing Python packages into $venv: $*"
  python -m pip install -q --upgrade pip >/dev/null
  python -m pip install -q "$@"
  touch "$stamp"
}

# Builds build/dev and installs theon into the venv from it, unless nothing
# that goes into the package changed since the last install. $1 = ON builds
# the C++ tests into the same tree.
build_and_install() {
  local tests=${1:-OFF} stamp="$build/.theon-installed-tests-$1"
  local other="$build/.theon-installed-tests-ON"
  for s in "$stamp" "$other"; do
    if [ -e "$s" ] && python -c "import theon" 2>/dev/null &&
      [ -z "$(find src include python cmake CMakeLists.txt pyproject.toml -newer "$s" -type f ! -path '*/__pycache__/*' -print -quit)" ]; then
      say "theon is up to date (build tree $build)"
      return 0
    fi
    [ "$tests" = ON ] && break  # a build without the tests does not serve the test command
  done
  local defs=(-Cbuild-dir="$build" -Ccmake.define.CMAKE_BUILD_TYPE=Release)
  [ "$tests" = ON ] && defs+=(-Ccmake.define.THEON_BUILD_TESTS=ON)
  if [ -e "$build/build.ninja" ]; then
    say "rebuilding theon in $build (only what changed)"
  else
    say "building theon in $build: the first build compiles the C++ core, about 4 minutes on 2 cores"
  fi
  local t0=$SECONDS
  # pip -v shows CMake's output; keep Ninja's progress lines and anything that looks like a problem.
  rm -f "$build"/.theon-installed-tests-*
  python -m pip install -v --no-build-isolation "${defs[@]}" . 2>&1 |
    grep --line-buffered -E '^\s*\[[0-9]+/[0-9]+\] |error|Error|warning:|Successfully installed' |
    sed -u -E 's/^\s*(\[[0-9]+\/[0-9]+\]) (Building|Linking) CXX (object|shared module|shared library|executable) /  \1 /'
  python -c "import theon" || { echo "error: the build did not produce an importable theon" >&2; exit 1; }
  touch "$stamp"
  say "built and installed in $((SECONDS - t0)) s"
}
