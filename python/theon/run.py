"""Runs a Theano script on theon without editing it.

    python -m theon.run script.py [args...]     # `import theano` inside is theon
    python -m theon.run -m package.module [args...]
    python -m theon.run --enable-alias [--site DIR]   # every interpreter of this environment
    python -m theon.run --disable-alias [--site DIR]

The alias is a .pth file in the environment's site-packages (or DIR): at
start-up it adds a finder that maps `theano` modules to theon's, importing
theon only when a script imports `theano`. See docs/coming-from-theano.md."""
import os
import runpy
import sys
import sysconfig

PTH_NAME = "theon-theano-alias.pth"


def _pth_line():
    # Loads the finder's file by path, so that starting an interpreter does not import theon itself.
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_theano_alias.py")
    return ("import importlib.util as _u; _s = _u.spec_from_file_location('theon_theano_alias', %r); "
            "_m = _u.module_from_spec(_s); _s.loader.exec_module(_m); _m.install()\n" % path)


def _site(argv):
    if "--site" in argv:
        i = argv.index("--site")
        if i + 1 >= len(argv):
            raise SystemExit("theon.run: --site needs a directory")
        return argv[i + 1]
    return sysconfig.get_paths()["purelib"]


def enable_alias(site):
    """Writes the .pth file into `site`; returns its path."""
    os.makedirs(site, exist_ok=True)
    path = os.path.join(site, PTH_NAME)
    with open(path, "w") as f:
        f.write(_pth_line())
    return path


def disable_alias(site):
    """Removes the .pth file from `site`; returns whether there was one."""
    path = os.path.join(site, PTH_NAME)
    if os.path.exists(path):
        os.remove(path)
        return True
    return False


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if argv else 2
    if argv[0] == "--enable-alias":
        path = enable_alias(_site(argv))
        print("theon.run: `import theano` now imports theon in this environment (%s); undo with "
              "python -m theon.run --disable-alias" % path)
        return 0
    if argv[0] == "--disable-alias":
        site = _site(argv)
        print("theon.run: alias removed from %s" % site if disable_alias(site) else
              "theon.run: no alias in %s" % site)
        return 0
    from . import _theano_alias
    _theano_alias.install()
    if argv[0] == "-m":
        if len(argv) < 2:
            raise SystemExit("theon.run: -m needs a module name")
        sys.argv = argv[1:]
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
        return 0
    script = argv[0]
    if not os.path.exists(script):
        raise SystemExit("theon.run: no such script: %s" % script)
    sys.argv = argv
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    runpy.run_path(script, run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main())
