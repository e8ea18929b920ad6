"""The contributor recipes in docs/dev/ name the files a change touches: every
path they name exists (a placeholder such as <family> must match at least one
file), so the recipes stay true to the code."""
import glob
import os
import re

import pytest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
PAGES = sorted(glob.glob(os.path.join(ROOT, "docs", "dev", "*.md")))
PATH = re.compile(r"`((?:src|include|python|tests|bench|scripts|docs)/[^`\s]+|CMakeLists\.txt)`")


def _paths():
    for page in PAGES:
        with open(page) as f:
            for p in sorted(set(PATH.findall(f.read()))):
                yield os.path.basename(page), p


def test_the_recipes_name_files():
    assert PAGES and len(list(_paths())) > 20


@pytest.mark.parametrize("page,path", list(_paths()))
def test_every_named_file_exists(page, path):
    pattern = re.sub(r"<[a-z]+>", "*", path)
    assert glob.glob(os.path.join(ROOT, pattern)), "%s names %s, which does not exist" % (page, path)
