"""Every Python block of the docs pages listed here runs as written (so the
examples the docs show stay true)."""
import os
import re

import pytest

DOCS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs")
PAGES = ["linalg.md", "debug-modes.md", "pickling.md", "test-values.md", "python-ops.md", "tensor.md", "native.md", "config.md", "theano-modules.md", "guide.md", "coming-from-theano.md",
         "performance.md", "random.md", "scan.md", "conv.md", "printing.md"]


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


def _readme_blocks():
    with open(os.path.join(DOCS, "..", "README.md")) as f:
        return re.findall(r"```python\n(.*?)```", f.read(), re.S)


@pytest.mark.parametrize("code", _readme_blocks())
def test_readme_example_runs(code, capsys):
    """README's Python examples run as pasted and print what they say."""
    exec(compile(code, "<README example>", "exec"), {})
    assert capsys.readouterr().out.strip(), "a README example should print its result"


def test_readme_first_example_converges(capsys):
    exec(compile(_readme_blocks()[0], "<README example>", "exec"), {})
    w = float(capsys.readouterr().out.split("=")[1].split()[0])
    assert abs(w - 3) < 0.01
