"""People an ORCID iD joins: one node, one name, and the published union always conforms."""

from __future__ import annotations

import re

import pyoxigraph as ox
from typer.testing import CliRunner

from conftest import JATS_SAMPLE
from litkg.build import build
from litkg.cli import app
from litkg.parse import parse_file
from litkg.parse.repair import fix_orcid, repair_article
from litkg.rdf.identity import IdentityIndex, IdentityStore
from litkg.records import Article, Person, Reference

ORCID = "0000-0002-1825-0097"  # the first author's, in the sample
FOAF_FAMILY = "http://xmlns.com/foaf/0.1/familyName"


def _variant(text: str, suffix: str, family: str, orcid: str = ORCID) -> str:
    """Another article (its own DOI, no PMID/PMCID) whose first author is someone else
    carrying the given ORCID iD."""
    text = re.sub(r'<article-id pub-id-type="(pmid|pmc|pmcid)">[^<]*</article-id>', "", text)
    doi = re.search(r'<article-id pub-id-type="doi">([^<]+)<', text).group(1)
    text = text.replace(doi, doi + suffix).replace(ORCID, orcid)
    text = re.sub(r"<surname>[^<]+</surname>", f"<surname>{family}</surname>", text, count=1)
    return re.sub(r"<given-names>[^<]+</given-names>", "<given-names>Quentin</given-names>", text, count=1)


def test_a_placeholder_or_mistyped_orcid_is_dropped_and_reported():
    assert fix_orcid(ORCID).value == ORCID
    assert fix_orcid("0000-0002-1694-233X").value == "0000-0002-1694-233X"  # X as check digit
    for bogus in ("0000-0000-0000-0000", "0000-0002-1825-0098", "orcid"):
        assert fix_orcid(bogus).value is None and fix_orcid(bogus).reason


def test_people_sharing_an_orcid_are_one_node_with_one_name_and_the_union_conforms(tmp_path):
    sample = JATS_SAMPLE.read_text(encoding="utf-8")
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a.xml").write_text(sample, encoding="utf-8")
    (inputs / "b.xml").write_text(_variant(sample, "b", "Zzyzx"), encoding="utf-8")
    (inputs / "c.xml").write_text(_variant(sample, "c", "Other", "0000-0000-0000-0000"), encoding="utf-8")
    (inputs / "d.xml").write_text(_variant(sample, "d", "Different", "0000-0000-0000-0000"), encoding="utf-8")
    report = build([inputs], tmp_path / "out", formats=["nq"])
    assert len(report.published) == 4 and not report.rejects
    assert sorted((r.source.rsplit("/", 1)[-1], r.field, r.action) for r in report.repairs) == [
        ("c.xml", "orcid", "dropped"),
        ("d.xml", "orcid", "dropped"),
    ]
    quads = list(ox.parse(path=str(tmp_path / "out" / "graph.nq"), format=ox.RdfFormat.N_QUADS))
    families = {
        q.object.value
        for q in quads
        if q.subject.value.endswith(f"person/orcid/{ORCID}") and q.predicate.value == FOAF_FAMILY
    }
    assert len(families) == 1
    assert not any("person/orcid/0000-0000-0000-0000" in q.subject.value for q in quads)
    result = CliRunner().invoke(app, ["validate", str(tmp_path / "out" / "graph.nq")])
    assert result.exit_code == 0, result.output


def test_the_in_memory_index_gives_one_spelling_per_orcid(tmp_path):
    sample = JATS_SAMPLE.read_text(encoding="utf-8")
    (tmp_path / "b.xml").write_text(_variant(sample, "b", "Zzyzx"), encoding="utf-8")
    articles = [repair_article(parse_file(path))[0] for path in (JATS_SAMPLE, tmp_path / "b.xml")]
    index = IdentityIndex()
    for article in articles:
        index.add_article(article)
    index.build()
    spellings = {
        (person.family, person.given)
        for article in articles
        for person in map(index.person, article.authors)
        if person.orcid == ORCID
    }
    assert len(spellings) == 1


def _citing(source: str, *authors: Person) -> Article:
    return Article(
        source=source,
        title=f"An article of {source}",
        authors=(),
        references=tuple(
            Reference(
                number=n, raw=f"{a.family}, {a.initials}. A work {n}.", authors=(a,), title=f"A work {n}"
            )
            for n, a in enumerate(authors, start=1)
        ),
    )


def test_initials_that_fold_alike_give_one_given_name_and_a_full_name_wins(tmp_path):
    """ "J.-P." and "J. P." mint one IRI (the key folds them alike), so the node gets one
    given name whichever the sources print; a full given name beats initials."""
    hyphen, spaced = Person("Julien", "J.-P."), Person("Julien", "J. P.")
    full, initials = Person("Moreau", "A.", given="Anne"), Person("Moreau", "A.")
    articles = [_citing("a", hyphen, initials, initials), _citing("b", spaced, spaced, full)]
    memory = IdentityIndex.from_articles(articles)
    disk = IdentityStore(tmp_path / "identity.sqlite")
    for article in articles:
        part = IdentityIndex()
        part.add_article(article)
        disk.merge(part)
    disk.build()
    for index in (memory, disk):
        assert {index.person(p).display_name for p in (hyphen, spaced)} == {"J.-P. Julien"}
        assert {index.person(p).display_name for p in (full, initials)} == {"Anne Moreau"}
    disk.close()
