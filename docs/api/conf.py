"""Sphinx configuration of theon's API reference (scripts/build_docs.sh builds it).

Every page is written from the docstrings: docs/api/_ext/theon_api.py lists
a module's public names and hands each to autodoc."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "_ext"))

import theon  # noqa: E402  (the installed package the reference describes)

project = "theon"
author = "the theon developers"
release = version = theon.__version__
copyright = "theon developers"

extensions = ["sphinx.ext.autodoc", "sphinx.ext.autosummary", "sphinx.ext.napoleon", "theon_api"]

napoleon_numpy_docstring = True
napoleon_google_docstring = False
napoleon_use_rtype = False
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_docstring_signature = True  # nanobind writes a C++ function's signature as its docstring's first line
autosummary_generate = False
# `name` in a docstring is a Python object, linked when the reference has it.
default_role = "py:obj"
add_module_names = False

exclude_patterns = ["_build"]
templates_path = []
html_theme = "alabaster"
html_static_path = []
html_theme_options = {"sidebar_width": "260px", "page_width": "1100px"}
html_show_sourcelink = False
