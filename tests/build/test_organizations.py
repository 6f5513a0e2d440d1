"""Organizations whose names fold alike are one node (their IRI is minted from the fold),
so the corpus gives each one name, whichever spellings its sources print."""

from __future__ import annotations

import re

import pyoxigraph as ox
from typer.testing import CliRunner

from conftest import JATS_SAMPLE
from litkg.build import build
from litkg.cli import app
from litkg.parse import parse_file
from litkg.rdf.identity import IdentityIndex, IdentityStore

FOAF_NAME = "http://xmlns.com/foaf/0.1/name"
FREIBURG = "University of Freiburg"


def _variant(text: str, suffix: str, freiburg: str) -> str:
    """Another article (its own DOI, title and pages) whose first affiliation spells the
    university as ``freiburg``."""
    text = re.sub(r'<article-id pub-id-type="(pmid|pmc|pmcid)">[^<]*</article-id>', "", text)
    doi = re.search(r'<article-id pub-id-type="doi">([^<]+)<', text).group(1)
    text = text.replace(doi, doi + suffix).replace(FREIBURG, freiburg)
    text = text.replace("<article-title>", f"<article-title>{suffix}: ", 1)
    return re.sub(r"<fpage>\d+</fpage>", f"<fpage>9{len(suffix)}{ord(suffix[0])}</fpage>", text, count=1)


def _inputs(tmp_path):
    sample = JATS_SAMPLE.read_text(encoding="utf-8")
    assert FREIBURG in sample
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a.xml").write_text(_variant(sample, "a", "UNIVERSITE of Freiburg"), encoding="utf-8")
    (inputs / "b.xml").write_text(_variant(sample, "b", "Université of Freiburg"), encoding="utf-8")
    (inputs / "c.xml").write_text(_variant(sample, "c", "universite of freiburg"), encoding="utf-8")
    return inputs


def test_affiliations_that_fold_alike_get_one_name_and_the_union_conforms(tmp_path):
    report = build([_inputs(tmp_path)], tmp_path / "out", formats=["nq"])
    assert len(report.published) == 3 and not report.rejects
    quads = ox.parse(path=str(tmp_path / "out" / "graph.nq"), format=ox.RdfFormat.N_QUADS)
    names = {q.object.value for q in quads if "freiburg" in q.subject.value and q.predicate.value == FOAF_NAME}
    assert names == {"Institute of Neuropathology, Université of Freiburg, Freiburg, Germany"}
    result = CliRunner().invoke(app, ["validate", str(tmp_path / "out" / "graph.nq")])
    assert result.exit_code == 0, result.output


def test_both_identity_indexes_choose_the_same_spelling(tmp_path):
    articles = [parse_file(path) for path in sorted(_inputs(tmp_path).iterdir())]
    memory = IdentityIndex()
    parts = []
    for article in articles:
        memory.add_article(article)
        part = IdentityIndex()
        part.add_article(article)
        parts.append(part)
    memory.build()
    disk = IdentityStore(tmp_path / "identity.sqlite")
    for part in parts:
        disk.merge(part)
    disk.build()
    for article in articles:
        for affiliation in article.authors[0].affiliations:
            if "reiburg" in affiliation:
                chosen = memory.organization(affiliation)
                assert chosen == disk.organization(affiliation)
                assert "Université of Freiburg" in chosen
    assert memory.organization("Unknown Institute") == "Unknown Institute"
    disk.close()
