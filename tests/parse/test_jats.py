"""JATS XML input: real PMC articles (CRAFT), field by field, safety, mixed runs, identity."""

from __future__ import annotations

import http.server
import threading

import pytest
from rdflib import Graph, URIRef
from typer.testing import CliRunner

from conftest import SEED_000, SEEDS, shared_or_skip
from litkg.build import build
from litkg.cli import app
from litkg.errors import ParseError
from litkg.parse import parse_file, parse_files
from litkg.parse.jats import initials_of, parse_jats
from litkg.rdf.namespaces import CITO, DATACITE, FABIO, RDF

BASE = "https://w3id.org/litkg/"


def craft(name: str):
    return shared_or_skip("corpus", "craft", "nxml", name)


def test_all_craft_articles_parse():
    outcome = parse_files([shared_or_skip("corpus", "craft", "nxml")])
    assert len(outcome.articles) == 65 and outcome.errors == ()
    assert all(a.title and a.authors and a.references and a.year for a in outcome.articles)
    assert sum(len(a.references) for a in outcome.articles) == 3022


def test_front_matter_fields():
    a = parse_file(craft("11532192.nxml.gz"))
    assert a.title == "Intraocular pressure in genetically distinct mice: an update and strain survey"
    assert a.article_type == "research-article"
    assert [(p.family, p.given, p.initials) for p in a.authors][-1] == ("John", "Simon WM", "S. W. M.")
    assert [p.corresponding for p in a.authors] == [False] * 6 + [True]
    assert a.authors[0].affiliations == (
        "The Jackson Laboratory, 600 Main Street, Bar Harbor, ME, 04609, USA",
    )
    assert (a.journal, a.journal_abbreviation, a.issn, a.publisher) == (
        "BMC Genetics",
        "BMC Genet",
        ("1471-2156",),
        "BioMed Central",
    )
    assert (a.volume, a.first_page, a.last_page, a.year, a.published) == ("2", "12", None, 2001, "2001-08-09")
    assert (a.doi, a.pmid) == ("10.1186/1471-2156-2-12", "11532192")
    assert a.abstract.startswith("Background\n\nLittle is known about genetic factors affecting intraocular")
    assert a.sections[0].title == "Background" and len(a.sections[0].paragraphs) >= 1
    assert len(a.figures) == 11 and a.figures[0].label == "Figure 1"
    assert a.figures[0].caption.startswith("An almost two-fold range of IOP")


def test_references_fields():
    a = parse_file(craft("11532192.nxml.gz"))
    assert len(a.references) == 81
    first = a.references[0]
    assert (
        first.number,
        first.title,
        first.journal,
        first.volume,
        first.first_page,
        first.last_page,
        first.year,
        first.pmid,
    ) == (
        1,
        "Number of people with glaucoma worldwide",
        "Br J Ophthalmol",
        "80",
        "389",
        "393",
        1996,
        "8695555",
    )
    assert [(p.family, p.initials) for p in first.authors] == [("Quigley", "H. A.")]
    assert (
        first.raw == "Quigley HA. Number of people with glaucoma worldwide. Br J Ophthalmol. 1996;80:389-393."
    )
    book = a.references[2]
    assert book.journal is None and book.note.startswith("other: The Glaucomas, Clinical Science")
    assert a.references[7].doi == "10.1093/hmg/6.10.1667"


def test_initials():
    assert initials_of("Olga V") == "O. V."
    assert initials_of("Simon WM") == "S. W. M."
    assert initials_of("Jean-Pierre") == "J.-P."


JATS = """<?xml version="1.0"?>
{doctype}
<article article-type="research-article"><front><journal-meta><journal-id journal-id-type="nlm-ta">Nat Neurosci</journal-id>
<journal-title>Nature Neuroscience</journal-title></journal-meta><article-meta>
<article-id pub-id-type="pmid">99999999</article-id>
<title-group><article-title>{title}</article-title></title-group>
<contrib-group><contrib contrib-type="author"><name><surname>Test</surname><given-names>Ann</given-names></name>
<contrib-id contrib-id-type="orcid">https://orcid.org/0000-0002-1825-0097</contrib-id></contrib></contrib-group>
<pub-date pub-type="epub"><year>2008</year></pub-date><volume>11</volume><fpage>1</fpage><lpage>9</lpage>
<abstract><p>Microglia in amyotrophic lateral sclerosis (ALS).</p></abstract></article-meta></front>
<body><sec><title>Results</title><p>Reactive astrocytes surround motor neurons in ALS.</p></sec></body>
<back><ref-list><ref id="R1"><element-citation publication-type="journal"><person-group person-group-type="author">
<name><surname>Clement</surname><given-names>AM</given-names></name><etal/></person-group>
<article-title>Wild-type nonneuronal cells extend survival of SOD1 mutant motor neurons in ALS mice</article-title>
<source>Science</source><year>2003</year><volume>302</volume><fpage>113</fpage><lpage>117</lpage>
<pub-id pub-id-type="pmid">14526083</pub-id></element-citation></ref></ref-list></back></article>
"""


def test_same_work_across_formats_is_one_node(tmp_path):
    path = tmp_path / "article.xml"
    path.write_text(JATS.format(doctype="", title="A test article"), encoding="utf-8")
    report = build([SEEDS, path], tmp_path / "out")
    assert len(report.published) == 3 and not report.rejects
    g = Graph().parse(tmp_path / "out" / "graph.ttl")
    clement = URIRef(BASE + "work/pmid/14526083")  # the PMID wins over the key
    assert len(set(g.subjects(CITO.cites, clement))) == 3
    assert not list(g.subjects(CITO.cites, URIRef(BASE + "work/key/clement_2003_science_302_113")))
    article = URIRef(BASE + "work/pmid/99999999")
    assert (article, RDF.type, FABIO.JournalArticle) in g
    assert (article, FABIO.hasPubMedId, None) in g and (article, DATACITE.hasIdentifier, None) in g
    person = URIRef(BASE + "person/orcid/0000-0002-1825-0097")
    assert (article, URIRef("http://purl.org/dc/terms/creator"), person) in g
    body_mentions = [
        s
        for s in g.subjects(
            URIRef("http://www.w3.org/ns/oa#hasSource"), URIRef(f"{article}/section/1/paragraph/1")
        )
    ]
    assert len(body_mentions) >= 3  # astrocytes, motor neurons, ALS in the body text


def test_xxe_is_not_resolved(tmp_path):
    doctype = '<!DOCTYPE article [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    path = tmp_path / "xxe.xml"
    path.write_text(JATS.format(doctype=doctype, title="Hello &xxe; world"), encoding="utf-8")
    try:
        article = parse_file(path)
    except ParseError:
        return
    assert "root:" not in article.title


def test_no_dtd_or_entity_is_fetched_over_the_network(tmp_path):
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'<!ENTITY remote "pwned">')

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    try:
        doctype = (
            f'<!DOCTYPE article SYSTEM "http://127.0.0.1:{port}/evil.dtd" '
            f'[<!ENTITY % ext SYSTEM "http://127.0.0.1:{port}/ext.ent"> %ext;]>'
        )
        path = tmp_path / "remote.xml"
        path.write_text(JATS.format(doctype=doctype, title="Remote &remote; entity"), encoding="utf-8")
        try:
            article = parse_file(path)
            assert "pwned" not in article.title
        except ParseError:
            pass
    finally:
        server.shutdown()
    assert hits == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("<article><front><article-meta><title-group>", "malformed XML"),
        ("<html><body>Not JATS</body></html>", "not a JATS article: the root element is <html>"),
        ("<article><front/></article>", "without <front>/<article-meta>"),
    ],
)
def test_bad_xml_is_a_clear_error(tmp_path, content, message):
    path = tmp_path / "bad.xml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ParseError, match=message.replace("(", r"\(").replace(")", r"\)")) as caught:
        parse_file(path)
    assert str(path) in str(caught.value)


def test_bad_xml_does_not_lose_the_batch(tmp_path):
    bad = tmp_path / "broken.nxml"
    bad.write_text("<article><unclosed>", encoding="utf-8")
    result = CliRunner().invoke(app, ["build", str(SEED_000), str(bad), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1 and "malformed XML" in result.stderr
    assert "1 published, 1 rejected" in result.stderr


def test_parse_jats_directly_needs_no_file():
    article = parse_jats(JATS.format(doctype="", title="Direct"), "memory.xml")
    assert article.references[0].et_al and article.references[0].pmid == "14526083"


def test_sample_jats_fields_reach_the_graph(tmp_path):
    from conftest import JATS_SAMPLE

    a = parse_file(JATS_SAMPLE)
    assert [(p.family, p.initials, p.orcid, p.corresponding) for p in a.authors] == [
        ("Müller", "A.-L.", "0000-0002-1825-0097", True),
        ("Okafor", "C. N.", None, False),
    ]
    assert (a.issn, a.publisher, a.pmcid, a.published, a.keywords) == (
        ("0894-1491", "1098-1136"),
        "Wiley",
        "PMC6543210",
        "2021-02-03",
        ("ALS", "glia"),
    )
    assert a.funding == ("Deutsche Forschungsgemeinschaft (SFB 992)",)
    assert a.figures[0].caption == "Glia in ALS. Microglia surround motor neurons."
    assert a.figures[0].credit == "Drawn by J. Doe"
    assert a.references[1].note == "book: Neuroglia; Oxford University Press"
    build([JATS_SAMPLE], tmp_path)
    g = Graph().parse(tmp_path / "graph.ttl")
    work = URIRef(BASE + "work/doi/10.1002/glia.99999")
    assert (work, RDF.type, FABIO.ReviewArticle) in g
    text = (tmp_path / "graph.ttl").read_text()
    for expected in (
        "Deutsche Forschungsgemeinschaft (SFB 992)",
        "Institute of Neuropathology",
        "Wiley",
        "1098-1136",
        "PMC6543210",
        "The authors declare no conflict of interest.",
    ):
        assert expected in text
