"""theon-cache: inspect and clean the native tier's disk cache.

    theon-cache [--dir DIR] list      modules: key, size, age, kernels
    theon-cache [--dir DIR] size      total size and count
    theon-cache [--dir DIR] cleanup   remove leftovers of interrupted compiles
    theon-cache [--dir DIR] clear     remove every cached module (recompiled on use)
    theon-cache [--dir DIR] purge     remove the whole compile directory

The directory is config.compiledir (THEON_FLAGS=compiledir=..., or
THEON_COMPILEDIR), ~/.theon by default. No lock is needed: modules are
written to temporary names and renamed into place, and a process that finds
an unusable module rebuilds it.
"""
import argparse
import os
import shutil
import sys
import time


def _native_dir(root):
    return os.path.join(root, "native")


def _entries(root):
    d = _native_dir(root)
    if not os.path.isdir(d):
        return []
    out = []
    for name in sorted(os.listdir(d)):
        if name.endswith(".so") and ".tmp-" not in name:
            path = os.path.join(d, name)
            src = path[:-3] + ".cpp"
            kernels = 0
            if os.path.exists(src):
                with open(src) as fh:
                    kernels = sum(1 for line in fh if line.startswith('extern "C" void theon_k'))
            st = os.stat(path)
            out.append((name[:-3], st.st_size + (os.path.getsize(src) if os.path.exists(src) else 0),
                        st.st_mtime, kernels))
    return out


def _temporaries(root):
    d = _native_dir(root)
    if not os.path.isdir(d):
        return []
    return [os.path.join(d, n) for n in os.listdir(d) if ".tmp-" in n]


def _human(n):
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return "%.1f %s" % (n, unit) if unit != "B" else "%d B" % n
        n /= 1024.0


def main(argv=None):
    from .configparser import config

    p = argparse.ArgumentParser(prog="theon-cache", description=__doc__.split("\n")[0])
    p.add_argument("--dir", default=None, help="compile directory (default: config.compiledir)")
    p.add_argument("command", choices=["list", "size", "cleanup", "clear", "purge"])
    args = p.parse_args(argv)
    root = os.path.abspath(args.dir or config.compiledir)
    entries = _entries(root)
    if args.command == "list":
        print("theon cache: %s" % _native_dir(root))
        now = time.time()
        for key, size, mtime, kernels in entries:
            print("%s  %9s  %6.1f h old  %d kernel%s" % (key, _human(size), (now - mtime) / 3600.0, kernels,
                                                        "" if kernels == 1 else "s"))
        print("%d module%s" % (len(entries), "" if len(entries) == 1 else "s"))
    elif args.command == "size":
        total = sum(e[1] for e in entries)
        print("%s in %d module%s (%s)" % (_human(total), len(entries), "" if len(entries) == 1 else "s",
                                          _native_dir(root)))
    elif args.command == "cleanup":
        tmp = _temporaries(root)
        for path in tmp:
            try:
                os.remove(path)
            except OSError:
                pass
        print("removed %d leftover file%s" % (len(tmp), "" if len(tmp) == 1 else "s"))
    elif args.command == "clear":
        d = _native_dir(root)
        for key, _, _, _ in entries:
            for ext in (".so", ".cpp"):
                try:
                    os.remove(os.path.join(d, key + ext))
                except OSError:
                    pass
        print("removed %d module%s" % (len(entries), "" if len(entries) == 1 else "s"))
    elif args.command == "purge":
        if os.path.isdir(root):
            shutil.rmtree(root, ignore_errors=True)
        print("removed %s" % root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
