"""Repairs of broken fields, and the gate that drops a failing part instead of its
article: every article with a broken part is published, each change is reported, and
the output conforms with both SHACL engines."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import Graph

from conftest import JATS_SAMPLE, SEED_004
from litkg.build import build
from litkg.build import workers as build_module
from litkg.parse import parse_file
from litkg.parse.repair import (
    DOI_PATTERN,
    ISSN_PATTERN,
    PAGE_PATTERN,
    YEAR_PATTERN,
    find_doi,
    fix_doi,
    fix_issn,
    fix_page,
    fix_pmid,
    repair_article,
    summarise,
)
from litkg.rdf.namespaces import C4O, PRISM, SH
from litkg.records import Figure, Reference
from litkg.validate import ENGINES, load_shapes, validate_graph


def test_the_repair_patterns_are_the_shapes_patterns():
    shapes = load_shapes()
    patterns = {str(p) for p in shapes.objects(None, SH.pattern)}
    for pattern in (DOI_PATTERN, PAGE_PATTERN, ISSN_PATTERN, YEAR_PATTERN):
        assert pattern.pattern in patterns


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("10.1371/journal.pbio. 1001425", "10.1371/journal.pbio.1001425"),
        ("https://doi.org/10.1038/NN1876", "10.1038/nn1876"),
        ("doi: 10.1016/S0140-6736(10)60834-3.", "10.1016/s0140-6736(10)60834-3"),
        ("see (doi:10.1126/science.1234852).", "10.1126/science.1234852"),
        ("not a doi", None),
    ],
)
def test_fix_doi(value, expected):
    assert fix_doi(value).value == expected


def test_fix_pages_pmids_and_issns():
    assert fix_page("181. doi:10.1371/journal.pone.0010034").value == "181"
    assert fix_page("E21.").value == "E21"
    assert fix_page("pdb emo127").value is None
    assert fix_pmid("PMID: 23185135").value == "23185135" and fix_pmid("n/a").value is None
    assert fix_issn("00280836").value == "0028-0836" and fix_issn("12").value is None
    assert find_doi("no identifier here") is None


@given(st.text(max_size=80))
def test_repairs_give_what_the_shapes_accept_or_nothing(text):
    for fixed, pattern in (
        (fix_doi(text), DOI_PATTERN),
        (fix_page(text), PAGE_PATTERN),
        (fix_issn(text), ISSN_PATTERN),
    ):
        assert fixed.value is None or pattern.match(fixed.value)


def test_an_article_without_broken_fields_is_left_as_it_is():
    article = parse_file(JATS_SAMPLE)
    assert repair_article(article) == (article, ())


def _broken(tmp_path):
    """A seed page whose article carries each kind of broken part the gate must drop."""
    article = parse_file(SEED_004)
    figure = article.figures[0]
    bad_figure = replace(figure, label="", path="figure/99", number="99")  # an empty label: no figure
    bad_reference = replace(
        article.references[0], first_page="one hundred and one", doi=None, pmid=None, pmcid=None
    )
    return replace(
        article,
        figures=(*article.figures, bad_figure),
        references=(bad_reference, *article.references[1:]),
    )


def test_the_gate_drops_failing_parts_and_publishes_the_article(tmp_path, monkeypatch):
    broken = _broken(tmp_path)
    # the parse stage hands the broken record on unrepaired, as a parser bug would
    monkeypatch.setattr(build_module, "parse_file", lambda path: broken)
    monkeypatch.setattr(build_module, "repair_article", lambda article: (article, ()))
    for engine in ENGINES:
        out = tmp_path / engine
        report = build([SEED_004], out, shacl_engine=engine)
        assert report.published == [broken.source] and not report.rejects
        changes = {(r.part, r.field, r.action) for r in report.repairs}
        assert ("figure/99", "", "dropped") in changes
        assert (f"reference {broken.references[0].number}", "description", "dropped") in changes
        g = Graph().parse(out / "graph.ttl")
        assert "one hundred and one" not in {str(o) for o in g.objects(None, PRISM.startingPage)}
        assert broken.references[0].raw in {str(o) for o in g.objects(None, C4O.hasContent)}  # entry kept
        assert validate_graph(g, engine="pyshacl").conforms and validate_graph(g, engine="turbo").conforms
        written = json.loads((out / "report.json").read_text())
        assert written["published"] == 1 and written["summary"] == summarise(report.repairs)
        reasons = [c["reason"] for s in written["repairs"] for c in s["changes"]]
        assert any("label" in reason for reason in reasons)


def test_an_article_whose_own_description_fails_is_still_rejected(tmp_path, monkeypatch):
    article = replace(parse_file(SEED_004), title="")
    monkeypatch.setattr(build_module, "parse_file", lambda path: article)
    report = build([SEED_004], tmp_path)
    assert report.published == [] and [r.stage for r in report.rejects] == ["validate"]


def test_duplicate_inputs_are_published_once(tmp_path):
    copy = tmp_path / "copy.xml"
    copy.write_bytes(JATS_SAMPLE.read_bytes())
    report = build([JATS_SAMPLE, copy], tmp_path / "out")
    assert len(report.published) == 1
    assert [(r.source, r.stage) for r in report.rejects] == [(max(str(JATS_SAMPLE), str(copy)), "duplicate")]
    g = Graph().parse(tmp_path / "out" / "graph.ttl")
    assert validate_graph(g).conforms


def test_a_figure_and_its_parts_are_dropped_together():
    from litkg.validate.gate import FailingParts, without_failing_parts

    article = parse_file(JATS_SAMPLE.parent / "publisher.xml")
    failing = FailingParts(figures={"figure/1": ["a figure has exactly one label"]})
    cut, _, repairs = without_failing_parts(article, [], failing)
    assert [f.part for f in cut.figures] == ["video/1", "table/1", "box/1"]
    assert [r.part for r in repairs] == ["figure/1", "figure/1/source-data/1", "figure/1/supplement/1"]
    assert isinstance(cut.figures[0], Figure) and isinstance(cut.references[0], Reference)


def test_an_ill_formed_publication_date_is_repaired_and_the_shapes_refuse_it(tmp_path, monkeypatch):
    """ "2014-2020-06"^^xsd:date was once published: the date is cut to its valid part,
    and a graph holding an ill-formed date fails the shapes with both engines."""
    from rdflib import Literal, URIRef

    from litkg.rdf.namespaces import XSD

    article = replace(parse_file(JATS_SAMPLE), published="2014-2020-06")
    repaired, repairs = repair_article(article)
    assert repaired.published == "2014" and [(r.field, r.action) for r in repairs] == [
        ("published", "repaired")
    ]
    out = tmp_path / "out"
    build([JATS_SAMPLE], out)
    g = Graph().parse(out / "graph.ttl")
    work = next(g.subjects(PRISM.publicationDate, None))
    g.set((work, PRISM.publicationDate, Literal("2014-2020-06", datatype=XSD.date)))
    for engine in ENGINES:
        result = validate_graph(g, engine=engine)
        assert not result.conforms and any(v.path == str(PRISM.publicationDate) for v in result.violations)
    assert isinstance(work, URIRef)
