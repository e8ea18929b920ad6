"""theon-cache: inspect and clean the native tier's disk cache.

The directory is config.compiledir (THEON_FLAGS=compiledir=..., or
THEON_COMPILEDIR), ~/.theon by default; modules live in its native/
subdirectory. No lock is needed: modules are written to temporary names and
renamed into place, and a process that finds an unusable module rebuilds it.
Every command touches only theon's own files (<key>.so, <key>.cpp,
<key>.sha256, the libmvec-<digest> probe answers and their temporaries);
other files are left alone.
"""
import argparse
import os
import re
import sys
import time

_KEY = r"(?:[0-9a-f]{32}|[0-9a-f]{64})"
# A module, its source and its hash record.
_ENTRY = re.compile(r"^(%s)\.(so|cpp|sha256)$" % _KEY)
# Whether -lmvec links, per compiler and flags (kept so a new process need not ask the compiler).
_PROBE_ANSWER = re.compile(r"^libmvec-[0-9a-f]{32}$")
# What a compile in progress writes (and an interrupted one leaves).
_TEMPORARY = re.compile(r"^(?:(?:%s|libmvec-probe)\.(?:so|cpp|sha256)|libmvec-[0-9a-f]{32})\.tmp-\d+-\d+-\d+$" % _KEY)

_COMMANDS = [
    ("list", "list the cached modules: key, size, time since last use, kernel count"),
    ("size", "print the total size of the cached modules and the size limit (config.compiledir_max_mb)"),
    ("cleanup", "remove the temporary files of interrupted compiles"),
    ("clear", "remove every cached module, its source and hash record (rebuilt on use)"),
    ("purge", "remove all of theon's files under the directory, then the directories that became empty "
              "(other files are kept)"),
]


def _native_dir(root):
    return os.path.join(root, "native")


def _names(root):
    d = _native_dir(root)
    return sorted(os.listdir(d)) if os.path.isdir(d) else []


def _entries(root):
    """(key, bytes of module + source + record, mtime of the module = its last use, kernels) per module."""
    d = _native_dir(root)
    files = {}
    for name in _names(root):
        m = _ENTRY.match(name)
        if m:
            files.setdefault(m.group(1), {})[m.group(2)] = os.path.join(d, name)
    out = []
    for key, paths in sorted(files.items()):
        if "so" not in paths:
            continue  # a source or record without its module: counted by nobody, removed by clear
        size = 0
        for path in paths.values():
            try:
                size += os.lstat(path).st_size
            except OSError:
                pass
        kernels = 0
        if "cpp" in paths:
            try:
                with open(paths["cpp"]) as fh:
                    kernels = sum(1 for line in fh if line.startswith('extern "C" void theon_k'))
            except OSError:
                pass
        try:
            mtime = os.lstat(paths["so"]).st_mtime
        except OSError:
            continue
        out.append((key, size, mtime, kernels))
    return out


def _remove(root, pattern):
    """Removes the files of native/ whose names match `pattern`; returns how many went."""
    d = _native_dir(root)
    removed = 0
    for name in _names(root):
        if pattern.match(name):
            try:
                os.remove(os.path.join(d, name))
                removed += 1
            except OSError:
                pass
    return removed


def _human(n):
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return "%.1f %s" % (n, unit) if unit != "B" else "%d B" % n
        n /= 1024.0


def _plural(n, word):
    return "%d %s%s" % (n, word, "" if n == 1 else "s")


def _parser():
    p = argparse.ArgumentParser(prog="theon-cache", description=__doc__.split("\n")[0],
                                epilog=__doc__.split("\n", 2)[2], formatter_class=argparse.RawDescriptionHelpFormatter)
    dir_help = "compile directory (default: config.compiledir)"
    p.add_argument("--dir", default=None, help=dir_help)
    commands = p.add_subparsers(dest="command", metavar="command", required=True)
    for name, text in _COMMANDS:
        sub = commands.add_parser(name, help=text, description=text)
        sub.add_argument("--dir", default=argparse.SUPPRESS, help=dir_help)
    return p


def main(argv=None):
    from .configparser import config

    args = _parser().parse_args(argv)
    root = os.path.abspath(args.dir or config.compiledir)
    entries = _entries(root)
    if args.command == "list":
        print("theon cache: %s" % _native_dir(root))
        now = time.time()
        for key, size, mtime, kernels in entries:
            print("%s  %9s  used %6.1f h ago  %s" % (key, _human(size), (now - mtime) / 3600.0,
                                                    _plural(kernels, "kernel")))
        print(_plural(len(entries), "module"))
    elif args.command == "size":
        total = sum(e[1] for e in entries)
        limit = config.compiledir_max_mb
        print("%s in %s (%s); limit %s (config.compiledir_max_mb)"
              % (_human(total), _plural(len(entries), "module"), _native_dir(root),
                 _human(limit * 1024 * 1024) if limit > 0 else "none"))
    elif args.command == "cleanup":
        print("removed %s" % _plural(_remove(root, _TEMPORARY), "leftover file"))
    elif args.command == "clear":
        _remove(root, _ENTRY)
        _remove(root, _PROBE_ANSWER)
        print("removed %s" % _plural(len(entries), "module"))
    elif args.command == "purge":
        if not os.path.isdir(root):
            print("nothing to remove: %s does not exist" % root)
            return 0
        removed = _remove(root, _ENTRY) + _remove(root, _TEMPORARY) + _remove(root, _PROBE_ANSWER)
        kept = []
        for d in (_native_dir(root), root):
            try:
                os.rmdir(d)  # only when empty: other files stay, and so does their directory
            except FileNotFoundError:
                pass
            except OSError:
                kept.append(d)
        print("removed %s%s" % (_plural(removed, "file"),
                                "; kept %s (other files are in it)" % ", ".join(kept) if kept else
                                ", and %s" % root))
    return 0


if __name__ == "__main__":
    sys.exit(main())
