"""Theano 1.0's public `theano.tensor` names (a plain list in
tests/python/data) against `theon.tensor`: a name theon lacks must be on the
"not yet"/"not planned" list of scripts/tensor_names.py with a reason, and
docs/tensor-names.md must be that list as generated now."""
import importlib.util
import os

import theon.tensor as T

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def _script():
    spec = importlib.util.spec_from_file_location("tensor_names", os.path.join(ROOT, "scripts", "tensor_names.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_every_theano_name_is_available_or_listed_with_a_reason():
    tn = _script()
    _, missing = tn.render(set(dir(T)))
    assert not missing, ("theano.tensor names missing from theon.tensor with no status: %s; add them to PLANNED "
                         "in scripts/tensor_names.py with a reason" % " ".join(missing))
    assert len(tn.theano_names()) == 510


def test_names_listed_as_missing_are_really_missing():
    tn = _script()
    stale = sorted(n for n in tn.planned() if n in set(dir(T)) and n in set(tn.theano_names()))
    assert not stale, "available now, still listed in PLANNED: %s" % stale


def test_the_docs_page_is_up_to_date():
    tn = _script()
    text, _ = tn.render(set(dir(T)))
    with open(os.path.join(ROOT, "docs", "tensor-names.md")) as f:
        assert f.read() == text, "docs/tensor-names.md is stale: run python scripts/tensor_names.py"
