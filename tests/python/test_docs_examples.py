"""Every Python block of the docs pages listed here runs as written (so the
examples the docs show stay true)."""
import os
import re

import pytest

DOCS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs")
PAGES = ["tensor.md", "native.md", "config.md", "theano-modules.md"]


def _blocks():
    for page in PAGES:
        with open(os.path.join(DOCS, page)) as f:
            text = f.read()
        for k, block in enumerate(re.findall(r"```python\n(.*?)```", text, re.S)):
            yield pytest.param(block, id="%s-%d" % (page, k))


@pytest.mark.parametrize("code", list(_blocks()))
def test_docs_example_runs(code):
    exec(compile(code, "<docs example>", "exec"), {})


def test_every_listed_page_has_an_example():
    pages = {b.id.rsplit("-", 1)[0] for b in _blocks()}
    assert pages == set(PAGES)
