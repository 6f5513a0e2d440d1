"""Real publishers' JATS: parts with IRIs of their own, group authors, identifiers
wherever they are printed, typed cited works, accepted manuscripts; and the eLife
corpus published whole, with its repairs reported."""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import pytest
from lxml import etree
from rdflib import Graph, Literal, URIRef
from typer.testing import CliRunner

from conftest import JATS_SAMPLE, ROOT, SEEDS, shared_or_skip
from litkg.build import build
from litkg.cli import app
from litkg.parse import iter_inputs, parse_file
from litkg.parse.repair import repair_article
from litkg.rdf.namespaces import CITO, DCTERMS, DEO, DOCO, FABIO, FOAF, FRBR, PRISM, RDF, RDFS, XSD
from litkg.validate import ENGINES, validate_graph

sys.path.insert(0, str(ROOT / "benchmarks"))
from peers import printed_identifiers  # noqa: E402 - the count benchmarks/peers.py prints

PUBLISHER = JATS_SAMPLE.parent / "publisher.xml"
WORK = "https://w3id.org/litkg/work/doi/10.7554/elife.00013"


def test_figure_supplements_source_data_videos_and_tables_get_parts_of_their_own():
    article = parse_file(PUBLISHER)
    assert [(f.part, f.kind, f.label, f.number) for f in article.figures] == [
        ("figure/1", "figure", "Figure 1.", "1"),
        ("figure/1/source-data/1", "supplement", "Figure 1—source data 1.", "1"),
        ("figure/1/supplement/1", "figure", "Figure 1—figure supplement 1.", "1"),
        ("video/1", "video", "Video 1.", "1"),
        ("table/1", "table", "Table 1.", "1"),
        ("box/1", "box", "Box 1.", "1"),
    ]
    figure = article.figures[0]
    assert figure.caption.startswith("Rosette colony development in S. rosetta")
    assert "source data" not in figure.caption  # the source data file is a part of its own
    assert article.figures[2].parent == "figure/1" and figure.parent is None
    assert article.figures[4].caption == ""  # a table without a caption


def test_appendices_and_sub_articles_are_parts_with_their_text():
    article = parse_file(PUBLISHER)
    parts = [(s.kind, s.path, s.title, s.doi, s.article_type) for s in article.sections if s.path]
    assert parts == [
        ("appendix", "appendix/1", "Appendix 1", None, None),
        ("sub-article", "sub-article/1", "Decision letter", "10.7554/elife.00013.037", "article-commentary"),
        ("sub-article", "sub-article/2", "Author response", "10.7554/elife.00013.038", "reply"),
    ]
    appendix = next(s for s in article.sections if s.kind == "appendix")
    assert appendix.paragraphs == (
        "We conducted experiments on four awake, behaving adult male rhesus monkeys.",
    )


def test_group_authors_and_people_in_every_form():
    article = parse_file(PUBLISHER)
    assert [(p.family, p.given, p.group) for p in article.authors] == [
        ("Alegado", "Rosanna A", False),
        ("Brown", "Laura W", False),  # from name-alternatives; "Deceased" is no name
        ("HIV Genome-to-Genome Study and the Swiss HIV Cohort Study", None, True),
        ("NISC Comparative Sequencing Program", None, True),
    ]
    assert article.authors[0].orcid == "0000-0002-7361-560X"
    assert article.authors[3].affiliations == ("University of California, Berkeley, United States",)


def test_metadata_as_publishers_print_it():
    article = parse_file(PUBLISHER)
    assert article.journal is None and article.journal_abbreviation == "eLife"  # journal-id only
    assert (article.year, article.published, article.accepted) == (None, None, "2012-07-18")
    assert article.first_page == "e00013" and article.doi == "10.7554/elife.00013"


def test_reference_identifiers_wherever_they_are_printed():
    article, repairs = repair_article(parse_file(PUBLISHER))
    refs = {r.number: r for r in article.references}
    assert refs[3].doi == "10.1038/nature09534"  # ext-link through a resolver
    assert (refs[4].doi, refs[4].pmid) == ("10.1126/science.1234852", "23744940")  # text, object-id
    assert (refs[5].doi, refs[5].first_page) == ("10.1371/journal.pbio.1001425", "181")
    assert (refs[6].doi, refs[6].pmid) == ("10.1371/journal.pbio.1001425", "23185135")
    assert refs[7].first_page is None
    assert {(r.part, r.field, r.action) for r in repairs} == {
        ("reference 5", "first_page", "repaired"),
        ("reference 6", "doi", "repaired"),
        ("reference 6", "pmid", "repaired"),
        ("reference 7", "first_page", "dropped"),
    }
    by_field = {(r.part, r.field): r for r in repairs}
    assert by_field[("reference 6", "doi")].before == "10.1371/journal.pbio. 1001425"
    assert by_field[("reference 7", "first_page")].reason == "not one page number or article id"


def test_cited_works_are_typed_by_what_they_are():
    article = parse_file(PUBLISHER)
    refs = {r.number: r for r in article.references}
    assert [refs[n].kind for n in (1, 2, 3)] == ["book", "data", "journal"]
    assert refs[1].title == "Chemical Communication: The Language Of Pheromones" and refs[1].journal is None
    assert refs[2].title == "Crystal structure of yeast Bub3-Bub1 bound to phosopho-Spc105"
    assert refs[3].authors[0].group and refs[3].authors[0].family == "1000 Genomes Project Consortium"


def test_publisher_article_builds_with_every_part_and_conforms(tmp_path):
    report = build([PUBLISHER], tmp_path)
    assert report.published == [str(PUBLISHER)] and not report.rejects
    g = Graph().parse(tmp_path / "graph.ttl")
    work = URIRef(WORK)
    supplement = URIRef(f"{WORK}/figure/1/supplement/1")
    assert (URIRef(f"{WORK}/figure/1"), FRBR.part, supplement) in g
    assert (supplement, RDF.type, FABIO.Figure) in g
    assert (URIRef(f"{WORK}/figure/1/source-data/1"), RDF.type, FABIO.SupplementaryInformationFile) in g
    assert (URIRef(f"{WORK}/video/1"), RDF.type, FABIO.MovingImage) in g
    table = URIRef(f"{WORK}/table/1")
    assert (table, RDFS.label, Literal("Table 1.")) in g
    assert not [o for o in g.objects(table, FRBR.part) if (o, RDF.type, DEO.Caption) in g]
    assert (work, DCTERMS.dateAccepted, Literal("2012-07-18", datatype=XSD.date)) in g
    assert (URIRef(f"{WORK}/box/1"), RDF.type, DOCO.TextBox) in g
    assert (URIRef(f"{WORK}/appendix/1"), RDF.type, DOCO.Appendix) in g
    reply = URIRef(f"{WORK}/sub-article/2")
    assert (work, FRBR.part, reply) in g and (reply, RDF.type, FABIO.Reply) in g
    assert (reply, DCTERMS.title, Literal("Author response")) in g
    assert (reply, PRISM.doi, Literal("10.7554/elife.00013.038")) in g
    assert (work, FABIO.hasPublicationYear, None) not in g  # not invented
    groups = {
        str(g.value(o, FOAF.name))
        for o in g.objects(work, DCTERMS.creator)
        if (o, RDF.type, FOAF.Organization) in g
    }
    assert groups == {
        "NISC Comparative Sequencing Program",
        "HIV Genome-to-Genome Study and the Swiss HIV Cohort Study",
    }
    cited = {str(o) for o in g.objects(work, CITO.cites)}
    assert "https://w3id.org/litkg/work/doi/10.1371/journal.pbio.1001425" in cited
    book = next(o for o in g.objects(work, CITO.cites) if (o, RDF.type, FABIO.Book) in g)
    assert (book, RDF.type, FABIO.JournalArticle) not in g
    assert any((o, RDF.type, FABIO.Dataset) in g for o in g.objects(work, CITO.cites))
    for engine in ENGINES:
        assert validate_graph(g, engine=engine).conforms
    summary = json.loads((tmp_path / "report.json").read_text())
    assert summary["published"] == 1 and summary["rejected"] == 0
    assert {c["part"] for s in summary["repairs"] for c in s["changes"]} == {
        "reference 5",
        "reference 6",
        "reference 7",
    }


def test_elife_reference_identifiers_are_kept():
    """Recall of the references' DOIs and PMIDs on the 23 eLife articles, counted from
    the XML itself: a reference printing a DOI (PMID) must keep one of them."""
    corpus = shared_or_skip("corpus", "elife")
    printed = kept = 0
    for path in iter_inputs([corpus]):
        article, _ = repair_article(parse_file(path))
        expected = printed_identifiers(etree.fromstring(gzip.decompress(path.read_bytes())))
        assert len(expected) == len(article.references), path
        for (dois, pmids), reference in zip(expected, article.references, strict=True):
            for wanted, got in ((dois, reference.doi), (pmids, reference.pmid)):
                if wanted:
                    printed += 1
                    kept += got in wanted
    assert printed > 800
    assert kept / printed >= 0.98, (kept, printed)


@pytest.mark.slow
def test_every_elife_article_is_published_and_repairs_are_reported(tmp_path):
    corpus = shared_or_skip("corpus", "elife")
    result = CliRunner().invoke(app, ["build", str(corpus), "-o", str(tmp_path), "--jobs", "2"])
    assert result.exit_code == 0, result.stderr
    assert "22 published, 1 duplicate input(s), 0 rejected" in result.stderr
    assert "duplicate ../shared/corpus/elife/elife00013.xml.gz: the same article as" in result.stderr.replace(
        str(corpus), "../shared/corpus/elife"
    )
    assert "1 × reference first_page dropped" in result.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    changes = {
        (s["source"].rsplit("/", 1)[-1], c["part"], c["field"], c["action"])
        for s in report["repairs"]
        for c in s["changes"]
    }
    assert ("elife04493.xml.gz", "reference 31", "doi", "repaired") in changes
    assert ("elife05502.xml.gz", "reference 31", "first_page", "dropped") in changes
    located = {c["element"] for s in report["repairs"] for c in s["changes"]}
    assert located == {"ref bib74", "ref bib31"}  # eLife files are one line long: the element says where
    g = Graph().parse(tmp_path / "graph.ttl")
    for engine in ENGINES:
        assert validate_graph(g, engine=engine).conforms, engine


@pytest.mark.slow
def test_craft_and_seeds_still_publish_whole(tmp_path):
    """Every CRAFT article (JATS from PubMed Central) and every seed page is published,
    each from its own file, and none is rejected."""
    corpus = shared_or_skip("corpus", "craft", "nxml")
    report = build([corpus, SEEDS], tmp_path, jobs=2)
    expected = sorted(p.name for p in [*corpus.glob("*.nxml.gz"), *SEEDS.glob("*.txt")])
    assert len(expected) == 67 and not report.rejects
    assert sorted(Path(source).name for source in report.published) == expected


def test_references_are_read_as_a_stream_from_the_articles_own_list_only(tmp_path):
    """References are turned into records as their elements end (an article with
    10,000 of them never holds their trees at once): the article's own back matter is
    read, a sub-article's reference list is not, and a JATS namespace changes nothing."""
    text = PUBLISHER.read_text(encoding="utf-8")
    sub_refs = (
        '<back><ref-list><ref id="sa-r1"><element-citation publication-type="journal">'
        "<article-title>Not a reference of the article</article-title><source>Nature</source>"
        "<year>2001</year></element-citation></ref></ref-list></back></sub-article>"
    )
    with_sub = text.replace("</body></sub-article>", "</body>" + sub_refs, 1)
    namespaced = with_sub.replace(
        "<article xmlns:xlink", '<article xmlns="http://jats.nlm.nih.gov" xmlns:xlink', 1
    )
    expected = parse_file(PUBLISHER).references
    for name, content in (("with-sub.xml", with_sub), ("namespaced.xml", namespaced)):
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        references = parse_file(path).references
        assert [r.number for r in references] == list(range(1, 8))
        assert [(r.title, r.doi, r.pmid) for r in references] == [(r.title, r.doi, r.pmid) for r in expected]
