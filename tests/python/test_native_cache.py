"""Faults of the native tier's disk cache (docs/native.md, "Trust"): a
truncated or planted module is never loaded, a killed or failing compile
caches nothing and leaves no temporaries, libmvec's absence is part of the
key rather than a retry, the cache keeps to its size limit by evicting the
least recently used modules, and theon-cache touches only theon's files.
Cases that could crash run in a subprocess and are judged by its exit status."""
import os
import re
import stat
import subprocess
import sys
import textwrap
import time
import warnings

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.configparser import change_flags

CXX = theon.config.cxx
pytestmark = pytest.mark.skipif(not CXX, reason="no C++ compiler: the native tier is off (the VM tests cover it)")
HAVE_LIBMVEC = "libmvec" in theon.simd_info()

SCRIPT = textwrap.dedent("""
    import sys, warnings, numpy as np, theon, theon.tensor as T
    theon.config.native = "wait"
    theon.config.compiledir = sys.argv[1]
    program = sys.argv[2]
    x = T.vector("x")
    build, want = {
        "a": (lambda x: T.tanh(x * 2.5 + 1) * T.exp(-x), lambda v: np.tanh(v * 2.5 + 1) * np.exp(-v)),
        "b": (lambda x: T.sqrt(T.abs_(x)) * 0.5 - x, lambda v: np.sqrt(np.abs(v)) * 0.5 - v),
    }[program]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        f = theon.function([x], build(x))
    for w in caught:
        print("warning:", w.message, file=sys.stderr)
    v = np.linspace(-1, 1, 50)
    assert np.allclose(f(v), want(v))
    print("native" if f.native_ready else "vm")
""")


def run_script(d, program="a"):
    return subprocess.run([sys.executable, "-c", SCRIPT, str(d), program], capture_output=True, text=True,
                          timeout=300)


def native_dir(d):
    return os.path.join(str(d), "native")


def names(d):
    """The files of d's native/ but the kept libmvec probe answers (libmvec-<digest>)."""
    nd = native_dir(d)
    return sorted(n for n in os.listdir(nd) if not n.startswith("libmvec-")) if os.path.isdir(nd) else []


def probe_answers(d):
    nd = native_dir(d)
    return sorted(n for n in os.listdir(nd) if re.match(r"^libmvec-[0-9a-f]{32}$", n)) if os.path.isdir(nd) else []


def modules(d):
    return [n for n in names(d) if n.endswith(".so")]


def temporaries(d):
    return [n for n in names(d) if ".tmp-" in n]


def read(path):
    with open(path, "rb") as fh:
        return fh.read()


@pytest.fixture
def cache(tmp_path):
    d = str(tmp_path / "compiledir")
    with change_flags(compiledir=d, native="wait"):
        yield d


def native_warnings(caught):
    return [str(m.message) for m in caught if "native code is not available" in str(m.message)]


def compile_noting_warnings(x, build):
    """theon.function([x], build(x)) and the native tier's warnings it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        f = theon.function([x], build(x))
    return f, native_warnings(caught)


def test_truncated_module_is_rebuilt_not_loaded(tmp_path):
    """A module cut short (a full disk, a partial copy) once crashed the next process with SIGBUS inside dlopen:
    its hash no longer matches the record, so it is never loaded, and is rebuilt to the same bytes."""
    d = tmp_path / "c"
    r = run_script(d)
    assert r.returncode == 0 and r.stdout.strip() == "native", r.stderr
    [so] = modules(d)
    path = os.path.join(native_dir(d), so)
    whole = read(path)
    for keep in (len(whole) // 2, len(whole) - 1, 100):
        with open(path, "r+b") as fh:
            fh.truncate(keep)
        r = run_script(d)
        assert r.returncode == 0, "the process died (status %d) on a module truncated to %d bytes: %s" % (
            r.returncode, keep, r.stderr)
        assert r.stdout.strip() == "native", r.stderr
        assert read(path) == whole  # rebuilt: the same source and name give the same bytes
    assert temporaries(d) == []


PLANTED = textwrap.dedent("""
    #include <cstdio>
    __attribute__((constructor)) static void planted() {
      if (FILE* f = std::fopen("%(marker)s", "w")) { std::fputs("the planted constructor ran", f); std::fclose(f); }
    }
    extern "C" const char* theon_module_key() { return "%(key)s"; }
    extern "C" void theon_k0(long, const void* const*, void*) {}
""")


@pytest.mark.parametrize("record", ["genuine record kept", "no record"])
def test_planted_module_is_never_loaded(tmp_path, record):
    """A file put in place of a module (answering the right key, so that the old key check accepted it) must
    never be dlopened: its constructor would run as this user. The hash record decides, before dlopen."""
    d = tmp_path / "c"
    assert run_script(d).stdout.strip() == "native"
    [so] = modules(d)
    key = so[:-3]
    path = os.path.join(native_dir(d), so)
    genuine = read(path)
    marker = tmp_path / "constructor-ran"
    src = tmp_path / "planted.cpp"
    src.write_text(PLANTED % {"marker": marker, "key": key})
    subprocess.run([CXX, "-shared", "-fPIC", "-o", str(tmp_path / "planted.so"), str(src)], check=True)
    os.replace(str(tmp_path / "planted.so"), path)
    os.chmod(path, 0o600)
    if record == "no record":
        os.remove(os.path.join(native_dir(d), key + ".sha256"))
    r = run_script(d)
    assert not marker.exists(), "the planted module was loaded"
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "native", r.stderr  # rebuilt in its place
    assert read(path) == genuine


def test_untrusted_directory_warns_once_naming_it(cache):
    os.makedirs(native_dir(cache))
    os.chmod(cache, 0o777)
    x = T.vector("x")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        f = theon.function([x], T.exp(x) * 3 + 1)
        g = theon.function([x], T.exp(x) * 4 + 1)
    said = native_warnings(caught)
    assert len(said) == 1, said
    assert "cache directory %s is not trusted" % cache in said[0] and "writable by group or others" in said[0]
    assert not f.native_ready and not g.native_ready
    np.testing.assert_allclose(f(np.ones(3)), np.exp(1) * 3 + 1)
    assert modules(cache) == []


def compiler_wrapper(tmp_path, body):
    """A compiler that logs its arguments, runs `body` (sh), then the real compiler."""
    path = tmp_path / "cxx-wrapper"
    path.write_text("#!/bin/sh\necho \"$*\" >> '%s'\n%s\nexec '%s' \"$@\"\n" % (tmp_path / "cxx.log", body, CXX))
    path.chmod(0o755)
    return str(path)


def compile_lines(tmp_path):
    return [line for line in (tmp_path / "cxx.log").read_text().splitlines() if re.search(r"\.cpp -o ", line)]


def reference_module(tmp_path, build):
    """The module the real compiler builds for `build` in a fresh directory: (name, bytes)."""
    d = str(tmp_path / "reference")
    x = T.vector("x")
    with change_flags(compiledir=d):
        assert theon.function([x], build(x)).native_ready
    [so] = modules(d)
    return so, read(os.path.join(native_dir(d), so))


@pytest.mark.parametrize("killed", ["libmvec probe", "module compile"])
def test_killed_compile_caches_nothing_and_the_next_call_builds_the_real_module(cache, tmp_path, killed):
    """A compiler killed by a signal is a failed load: the VM runs, nothing is cached, no temporary is left.
    It once triggered the retry without libmvec, whose slower module was then cached under the normal key."""
    pattern = "*libmvec-probe*" if killed == "libmvec probe" else "*.cpp\\ -o\\ *"
    marker = tmp_path / "killed-once"
    wrapper = compiler_wrapper(tmp_path, "case \"$*\" in %s) if [ ! -e '%s' ]; then : > '%s'; kill -KILL $$; fi;; esac"
                               % (pattern, marker, marker))
    build = lambda x: T.tanh(x * 1.75) * T.exp(x) + 0.5  # noqa: E731
    x = T.vector("x")
    with change_flags(cxx=wrapper):
        f, said = compile_noting_warnings(x, build)
        assert marker.exists(), "the wrapper never killed the compiler"
        assert not f.native_ready
        assert len(said) == 1 and "was killed by signal 9" in said[0], said
        assert names(cache) == [], "a killed compile left files: %s" % names(cache)
        np.testing.assert_allclose(f(np.ones(2)), np.tanh(1.75) * np.exp(1) + 0.5)
        g = theon.function([x], build(x))
        assert g.native_ready
    so, content = reference_module(tmp_path, build)
    assert modules(cache) == [so]  # the normal key
    assert read(os.path.join(native_dir(cache), so)) == content  # the same module the real compiler builds
    lines = compile_lines(tmp_path)
    assert len(lines) == (2 if killed == "module compile" else 1)
    # the compile after the kill is the same command (up to the temporary's name): never a degraded retry
    assert len({re.sub(r"\.tmp-[0-9-]+", "", line) for line in lines}) == 1
    assert ("-DTHEON_VECTOR_MATH" in lines[-1]) == HAVE_LIBMVEC
    assert temporaries(cache) == []


def test_the_libmvec_answer_is_kept_for_new_processes(tmp_path):
    """A new process with a warm cache loads its module without asking the compiler anything but its version
    (the probe's link cost ~70 ms before the first module); a damaged answer is asked again."""
    wrapper = compiler_wrapper(tmp_path, "")
    d = tmp_path / "c"
    env = dict(os.environ, THEON_FLAGS="cxx=" + wrapper)
    run = lambda: subprocess.run([sys.executable, "-c", SCRIPT, str(d), "a"], capture_output=True,  # noqa: E731
                                 text=True, timeout=300, env=env)
    assert run().stdout.strip() == "native"
    log = tmp_path / "cxx.log"
    assert sum("libmvec-probe" in line for line in log.read_text().splitlines()) >= 1
    [answer] = probe_answers(d)
    assert read(os.path.join(native_dir(d), answer)) == (b"yes\n" if HAVE_LIBMVEC else b"no\n")
    assert stat.S_IMODE(os.stat(os.path.join(native_dir(d), answer)).st_mode) == 0o600
    log.write_text("")
    assert run().stdout.strip() == "native"
    assert [line for line in log.read_text().splitlines() if line != "--version"] == []
    with open(os.path.join(native_dir(d), answer), "w") as fh:
        fh.write("maybe\n")
    assert run().stdout.strip() == "native"
    assert sum("libmvec-probe" in line for line in log.read_text().splitlines()) >= 1
    assert read(os.path.join(native_dir(d), answer)) in (b"yes\n", b"no\n")


def test_a_probe_failing_for_another_reason_is_not_taken_for_missing_libmvec(cache, tmp_path):
    """Only a failure that names libmvec, where the same link without it works, means "no libmvec": a probe that
    fails otherwise is a failed load, asked again next time, and the module is then the real one."""
    marker = tmp_path / "failed-once"
    wrapper = compiler_wrapper(tmp_path, "case \"$*\" in *libmvec-probe*) if [ ! -e '%s' ]; then : > '%s'; "
                                         "echo 'internal compiler error' >&2; exit 1; fi;; esac" % (marker, marker))
    build = lambda x: T.sinh(x) * 0.75 + 2  # noqa: E731
    x = T.vector("x")
    with change_flags(cxx=wrapper):
        f, said = compile_noting_warnings(x, build)
        assert not f.native_ready and len(said) == 1 and "internal compiler error" in said[0], said
        assert theon.function([x], build(x)).native_ready
    so, content = reference_module(tmp_path, build)
    assert modules(cache) == [so] and read(os.path.join(native_dir(cache), so)) == content


@pytest.mark.skipif(not HAVE_LIBMVEC, reason="needs libmvec to compare with")
def test_missing_libmvec_is_part_of_the_key(cache, tmp_path):
    """Where -lmvec does not link, modules are built without it under their own key (probed once per compiler
    and flags), and never served where libmvec links."""
    wrapper = compiler_wrapper(tmp_path, "case \" $* \" in *' -lmvec '*) echo \"ld: cannot find -lmvec\" >&2; "
                                         "exit 1;; esac")
    build = lambda x: T.cosh(x) * 2.25 - 1  # noqa: E731
    x = T.vector("x")
    with change_flags(cxx=wrapper):
        f = theon.function([x], build(x))
        assert f.native_ready
        np.testing.assert_allclose(f(np.ones(2)), np.cosh(1) * 2.25 - 1)
        assert theon.function([x], build(x) + 1).native_ready  # a second module: no second probe
    probes = [line for line in (tmp_path / "cxx.log").read_text().splitlines() if "libmvec-probe" in line]
    assert len(probes) == 2  # with -lmvec, then without: the compiler works, libmvec is absent
    [answer] = probe_answers(cache)
    assert read(os.path.join(native_dir(cache), answer)) == b"no\n"
    assert all("-lmvec" not in line and "THEON_VECTOR_MATH" not in line for line in compile_lines(tmp_path))
    so, _ = reference_module(tmp_path, build)
    assert so not in modules(cache)


LIMITED_WRITES = textwrap.dedent("""
    import os, resource, sys, warnings, numpy as np, theon, theon.tensor as T
    theon.config.native = "wait"
    theon.config.compiledir = sys.argv[1]
    x = T.vector("x")
    assert theon.function([x], T.exp(x) * 2 + 1).native_ready  # the compiler's probe is done: it writes too
    build = lambda x: T.arctan(x) * 3 - T.exp(x)
    with theon.configparser.change_flags(native="off"):
        source_size = len(theon.function([x], build(x)).native_source())
    limit = {"source": 256, "module": source_size + 4096}[sys.argv[2]]
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))  # Python ignores SIGXFSZ
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        f = theon.function([x], build(x))
    for w in caught:
        print(w.message)
    v = np.linspace(-1, 1, 9)
    assert np.allclose(f(v), np.arctan(v) * 3 - np.exp(v))
    print("native" if f.native_ready else "vm")
""")


@pytest.mark.parametrize("fails", ["source", "module"])
def test_failed_write_leaves_nothing_behind(tmp_path, fails):
    """A file size limit (as a full disk would) stops the write of the source, or the compiler's output: the VM
    runs, with a warning, and no temporary or partial entry is left."""
    d = tmp_path / "c"
    r = subprocess.run([sys.executable, "-c", LIMITED_WRITES, str(d), fails], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert lines[-1] == "vm", r.stdout
    said = [line for line in lines if "native code is not available" in line]
    assert len(said) == 1, r.stdout
    if fails == "source":
        assert "cannot write" in said[0] and "File too large" in said[0], said[0]
    else:
        assert "compiler failed" in said[0], said[0]
    assert temporaries(d) == []
    assert len(modules(d)) == 1 and not [n for n in names(d) if n.endswith(".cpp") and n[:-4] + ".so" not in names(d)]


def test_least_recently_used_modules_are_evicted_first(cache):
    x = T.vector("x")
    programs = [lambda x: T.exp(x) * 3 + 1, lambda x: T.tanh(x) * 5 - 2, lambda x: T.cosh(x) * 7 + 4]
    nd = native_dir(cache)

    def build(i):
        before = set(modules(cache))
        assert theon.function([x], programs[i](x)).native_ready
        return (set(modules(cache)) - before or {None}).pop()

    def entry_bytes(key):
        return sum(os.path.getsize(os.path.join(nd, key + ext)) for ext in (".so", ".cpp", ".sha256"))

    with change_flags(compiledir_max_mb=0):
        a, b, c = [build(i)[:-3] for i in range(3)]
    sizes = {k: entry_bytes(k) for k in (a, b, c)}
    for ext in (".so", ".cpp", ".sha256"):
        os.remove(os.path.join(nd, c + ext))
    now = time.time()
    os.utime(os.path.join(nd, a + ".so"), (now - 200, now - 200))
    os.utime(os.path.join(nd, b + ".so"), (now - 100, now - 100))
    assert build(0) is None  # a cache hit on a
    assert os.stat(os.path.join(nd, a + ".so")).st_mtime > now - 50, "a hit does not record the use"
    # c comes back, and one module must go to fit: b, used least recently (a's hit made it the newest).
    with change_flags(compiledir_max_mb=(sizes[a] + sizes[b] + sizes[c] - 1) / 2.0 ** 20):
        build(2)
    assert modules(cache) == sorted([a + ".so", c + ".so"])
    assert not [n for n in names(cache) if n.startswith(b)]
    # The module just built stays even when it alone is over the limit.
    with change_flags(compiledir_max_mb=1e-6):
        build(1)
    assert names(cache) == sorted([b + ".so", b + ".cpp", b + ".sha256"])


def cli(d, *args, env=None):
    r = subprocess.run([sys.executable, "-m", "theon.cache_cli"] + list(args) + ["--dir", str(d)],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_purge_removes_only_theons_files(tmp_path):
    d = tmp_path / "c"
    assert run_script(d).stdout.strip() == "native"
    [so] = modules(d)
    key = so[:-3]
    nd = native_dir(d)
    with open(os.path.join(nd, key + ".so.tmp-123-456-7"), "w"):  # an interrupted compile's leftover
        pass
    unrelated = [d / "notes.txt", d / "native" / "mine.so", d / "native" / (key + ".so.backup"), d / "data" / "x"]
    for p in unrelated:
        p.parent.mkdir(exist_ok=True)
        p.write_text("not theon's")
    assert len(probe_answers(d)) == 1
    out = cli(d, "purge")
    assert "removed 5 files" in out and "kept" in out, out
    assert probe_answers(d) == []
    assert all(p.read_text() == "not theon's" for p in unrelated)
    assert sorted(os.listdir(nd)) == sorted(["mine.so", key + ".so.backup"])
    for p in unrelated:
        p.unlink()
    cli(d, "purge")
    assert os.path.isdir(d / "data")  # not theon's directory either
    (d / "data").rmdir()
    cli(d, "purge")
    assert not d.exists()


def test_help_describes_each_command():
    r = subprocess.run([sys.executable, "-m", "theon.cache_cli", "--help"], capture_output=True, text=True)
    assert r.returncode == 0
    for command in ("list", "size", "cleanup", "clear", "purge"):
        assert re.search(r"^\s+%s\s+\w+ \w+" % command, r.stdout, re.M), "%s is not described:\n%s" % (command,
                                                                                                     r.stdout)
        sub = subprocess.run([sys.executable, "-m", "theon.cache_cli", command, "--help"], capture_output=True,
                             text=True)
        assert sub.returncode == 0 and "--dir" in sub.stdout


def test_size_reports_usage_and_limit(tmp_path):
    d = tmp_path / "c"
    assert run_script(d).stdout.strip() == "native"
    [so] = modules(d)
    total = sum(os.path.getsize(os.path.join(native_dir(d), so[:-3] + e)) for e in (".so", ".cpp", ".sha256"))
    env = dict(os.environ, THEON_FLAGS="compiledir_max_mb=2.5")
    out = cli(d, "size", env=env)
    assert "in 1 module" in out and "limit 2.5 MiB" in out, out
    assert re.match(r"([\d.]+) KiB", out) and abs(float(re.match(r"([\d.]+) KiB", out).group(1)) - total / 1024) < 0.1
    assert "limit none" in cli(d, "size", env=dict(os.environ, THEON_FLAGS="compiledir_max_mb=0"))


def test_directories_are_private_whatever_the_umask(tmp_path):
    d = tmp_path / "made" / "here"
    old = os.umask(0)
    try:
        r = run_script(d)
    finally:
        os.umask(old)
    assert r.stdout.strip() == "native", r.stderr
    for p in (tmp_path / "made", d, d / "native"):
        assert stat.S_IMODE(os.stat(p).st_mode) == 0o700, p
    for n in names(d):
        assert stat.S_IMODE(os.stat(os.path.join(native_dir(d), n)).st_mode) == 0o600, n


def test_functions_built_again_share_the_loaded_module(cache):
    """Each load holds the descriptor it was loaded through (see native.cpp): functions built again in one
    process share the loaded module rather than open and map it once more, and a dropped one closes it."""
    x = T.vector("x")
    first = theon.function([x], T.erf(x) * 1.25 - 3)
    fds = len(os.listdir("/proc/self/fd"))
    again = [theon.function([x], T.erf(x) * 1.25 - 3) for _ in range(30)]
    assert all(f.native_ready for f in again)
    assert len(os.listdir("/proc/self/fd")) == fds
    [so] = modules(cache)
    with open("/proc/self/maps") as fh:
        assert len({line.split()[-1] for line in fh if so in line}) == 1  # one mapping of one file
    np.testing.assert_allclose(again[-1](np.zeros(2)), [-3, -3])
    del first, again
    import gc
    gc.collect()
    assert len(os.listdir("/proc/self/fd")) < fds
