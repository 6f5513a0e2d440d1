"""The closed vocabularies know exactly the terms of their official files."""

from __future__ import annotations

import importlib.util

import pytest

from conftest import ROOT, shared_or_skip
from litkg.rdf.namespaces import CITO, FABIO, OA, PRISM


def test_a_misspelt_term_of_a_closed_vocabulary_fails():
    assert str(FABIO.JournalArticle) == "http://purl.org/spar/fabio/JournalArticle"
    assert str(CITO["cites"]) == "http://purl.org/spar/cito/cites"
    with pytest.raises(AttributeError, match="JournalArticel"):
        FABIO.JournalArticel  # noqa: B018
    with pytest.raises(KeyError):
        OA["hasTargett"]
    assert str(PRISM.anything).endswith("/anything")  # PRISM has no official file here: open


def test_the_derived_term_lists_are_those_of_the_official_files():
    spec = importlib.util.spec_from_file_location("derive", ROOT / "scripts" / "derive_vocabulary.py")
    derive = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(derive)
    shipped = (ROOT / "src" / "litkg" / "rdf" / "_vocabulary.py").read_text(encoding="utf-8")
    assert derive.render(shared_or_skip("vocab").parent) == shipped
