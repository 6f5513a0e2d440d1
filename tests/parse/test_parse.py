"""Page-text parser: the seeds field by field, unseen pages, bad input, arbitrary text."""

from __future__ import annotations

import contextlib
import gzip

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import PAGES, SEED_000, SEED_004
from litkg.errors import ParseError
from litkg.parse import parse_file, parse_files
from litkg.parse.page import parse_page

BOILERPLATE = (
    "Access options",
    "Rent or Buy",
    "ReadCube",
    "NET prices",
    "Download references",
    "Rights and permissions",
    "Nature Briefing",
    "browser version",
    "Google Scholar",
    "CAS",
    "Prices may be",
    "This is a preview",
    "Reprints",
    "CrossMark",
    "Download citation",
    "Skip to main content",
)


def all_text_fields(article):
    texts = [
        article.title,
        article.standfirst or "",
        article.acknowledgements or "",
        article.competing_interests or "",
        article.article_type or "",
        article.journal or "",
    ]
    texts += [f.caption for f in article.figures] + [f.credit or "" for f in article.figures]
    texts += [r.raw for r in article.references]
    return texts


def test_seed_000_fields():
    a = parse_file(SEED_000)
    assert a.title == "Help from peripheral macrophages in ALS?"
    assert a.standfirst.startswith("Chiot and colleagues investigated whether peripheral macrophages")
    assert a.standfirst.endswith("increases survival in ALS mouse models.")
    assert a.article_type is None
    assert [(p.family, p.initials, p.as_printed) for p in a.authors] == [
        ("Özdinler", "P. H.", "Özdinler, P.H.")
    ]
    assert a.authors[0].corresponding and a.authors[0].given == "P. Hande"
    assert a.correspondence == ("P. Hande Özdinler",)
    assert (a.journal, a.volume, a.first_page, a.last_page, a.year) == (
        "Nat Neurosci",
        "23",
        "1311",
        "1312",
        2020,
    )
    assert [(f.label, f.number, f.credit) for f in a.figures] == [("Fig. 1", "1", None)]
    assert a.figures[0].caption == (
        "Genetic modulation of peripheral macrophages has profound impacts on CNS microglia in the spinal cord."
    )
    assert [r.number for r in a.references] == list(range(1, 12))
    assert a.references[8].raw.startswith("Wu, D. C., Ré, D. B.")
    assert a.acknowledgements == "I thank B. Genc for preparing the figure."
    assert a.competing_interests == "The author declares no competing interests."
    assert len(a.sha256) == 64


def test_seed_004_fields():
    a = parse_file(SEED_004)
    assert a.title == "ALS: astrocytes move in as deadly neighbors"
    assert a.article_type == "News & Views"
    assert a.standfirst.startswith("Amyotrophic lateral sclerosis (ALS) is characterized")
    assert [(p.family, p.initials, p.as_printed) for p in a.authors] == [("Julien", "J. P.", "Julien, JP.")]
    assert not a.authors[0].corresponding
    assert (a.journal, a.volume, a.first_page, a.last_page, a.year) == (
        "Nat Neurosci",
        "10",
        "535",
        "537",
        2007,
    )
    assert [(f.label, f.credit) for f in a.figures] == [("Figure 1", "Katie Ris")]
    assert len(a.references) == 15
    last = a.references[-1]
    assert last.doi == "10.1111/j.1471-4159.2007.04531.x"
    assert last.note == "Accepted article online: 26-Feb-2007"
    assert a.acknowledgements is None
    assert a.competing_interests.startswith("The author declares that he has competing financial interests")


@pytest.mark.parametrize("path", [SEED_000, SEED_004, *sorted(PAGES.glob("*.txt"))], ids=lambda p: p.name)
def test_no_boilerplate_leaks(path):
    article = parse_file(path)
    for text in all_text_fields(article):
        for phrase in BOILERPLATE:
            assert phrase not in text, f"{phrase!r} leaked into {text!r}"


def test_unseen_research_page_2023():
    a = parse_file(PAGES / "research_2023.txt")
    assert a.title.startswith("Microglial lipid droplets drive neurodegeneration")
    assert a.article_type == "Article"
    assert a.published == "2023-03-14"
    assert a.doi == "10.1038/s41467-023-37001-x"
    assert [(p.family, p.initials) for p in a.authors] == [
        ("Ångström", "Z."),
        ("Żółkiewski", "Ł."),
        ("Dubois", "N."),
    ]
    assert [p.corresponding for p in a.authors] == [False, False, True]
    assert a.authors[2].given == "Noël"
    assert (a.journal, a.volume, a.first_page, a.last_page) == ("Nat Commun", "14", "1402", None)
    assert [f.label for f in a.figures] == ["Fig. 1", "Fig. 2"]
    assert a.figures[0].caption.endswith("b, Quantification of dopaminergic neuron loss.")
    assert a.figures[1].credit == "Jörg Müller"
    assert a.references[0].title.startswith("Lipid-droplet-accumulating microglia")
    assert a.references[3].doi == "10.3233/jad-170001"
    assert [x.family for x in a.references[3].authors] == ["Šimić", "Štajduhar", "Ñúñez"]
    assert a.acknowledgements.startswith("We thank the animal facility staff.")


def test_unseen_letter_without_figures_or_acknowledgements():
    a = parse_file(PAGES / "letter_no_figures.txt")
    assert a.article_type == "Letter"
    assert a.figures == ()
    assert a.acknowledgements is None
    assert a.competing_interests is None
    assert [p.family for p in a.authors] == ["García-López", "Smith", "Nakamura", "O'Brien", "Lee"]
    assert [p.family for p in a.authors if p.corresponding] == ["García-López", "O'Brien"]
    assert [r.journal for r in a.references] == ["J. Comp. Neurol.", "Experientia"]


def test_unseen_comment_with_illustration_credit():
    a = parse_file(PAGES / "comment_2015.txt")
    assert a.figures[0].credit == "Marina Corral Spence"
    assert a.competing_interests == "F.L.H. is a consultant for Example Pharma."
    assert a.references[1].authors[-1].initials == "F. M. V."


def _page_with(tmp_path, text, name="bad.txt"):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def _seed_text():
    return SEED_004.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("content", "message", "line"),
    [
        (b"", "empty file", None),
        (b"   \n\n", "empty file", None),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary data", None),
        ("Title\n\ncaf\xe9".encode("latin-1"), "not UTF-8", 3),
        ("Title only\n\nSome text.\n", "no 'Cite this article' line", None),
    ],
)
def test_bad_files_give_one_clear_error(tmp_path, content, message, line):
    path = _page_with(tmp_path, content)
    with pytest.raises(ParseError) as caught:
        parse_file(path)
    assert message in str(caught.value)
    assert str(path) in str(caught.value)
    assert caught.value.line == line


def test_page_without_title(tmp_path):
    text = "Access options\n\nCite this article\n\nSmith, J. A thing. Nature 1, 2 (2000).\n"
    with pytest.raises(ParseError, match="no title"):
        parse_file(_page_with(tmp_path, text))


def test_duplicate_reference_numbers_name_the_line(tmp_path):
    text = _seed_text().replace("  3. Di Giorgio", "  2. Di Giorgio")
    with pytest.raises(ParseError, match="duplicate reference number 2") as caught:
        parse_file(_page_with(tmp_path, text))
    assert caught.value.line == 37


def test_truncated_reference_list(tmp_path):
    text = _seed_text()
    cut = text.index("  9. Kriz")
    with pytest.raises(ParseError, match="reference list is truncated") as caught:
        parse_file(_page_with(tmp_path, text[:cut] + "  9. Kriz, J., Gowing, G. &"))
    assert caught.value.line == 61


def test_gap_in_reference_numbers(tmp_path):
    text = _seed_text().replace("  7. Beers", "  8. Beers")
    with pytest.raises(ParseError, match="expected 7, found 8"):
        parse_file(_page_with(tmp_path, text))


def test_gzip_input(tmp_path):
    path = tmp_path / "seed.txt.gz"
    path.write_bytes(gzip.compress(SEED_000.read_bytes()))
    assert parse_file(path).title == "Help from peripheral macrophages in ALS?"


def test_one_bad_file_does_not_lose_the_others(tmp_path):
    bad = _page_with(tmp_path, b"")
    outcome = parse_files([SEED_000, bad, SEED_004])
    assert [a.title[:4] for a in outcome.articles] == ["Help", "ALS:"]
    assert [e.source for e in outcome.errors] == [str(bad)]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=2000))
def test_parser_raises_only_parse_error_on_arbitrary_text(text):
    with contextlib.suppress(ParseError):
        parse_page(text, "fuzz.txt")


LINES = st.sampled_from(
    [
        "",
        "Cite this article",
        "Smith, J. A title. Nature 1, 2 (2000).",
        "  1. 1.",
        "  2. 2.",
        "  1. Smith, J. Nature 1, 2 (2000).",
        "Download references",
        "Fig. 1: A caption.",
        "Katie Ris",
        "  • News & Views",
        "  • Published:",
        "Competing interests",
        "Correspondence to J. Smith.",
        "A title",
        "Access options",
        "Article  CAS  Google Scholar",
    ]
)


@settings(max_examples=300)
@given(st.lists(LINES, max_size=40))
def test_parser_raises_only_parse_error_on_page_like_text(lines):
    try:
        article = parse_page("\n".join(lines), "fuzz.txt")
    except ParseError:
        return
    assert article.title and article.authors


def _corrupt_gzip() -> bytes:
    data = bytearray(gzip.compress(SEED_000.read_bytes()))
    data[20:40] = b"\xff" * 20  # a damaged deflate stream: zlib.error, not OSError
    return bytes(data)


def test_a_corrupt_gzip_file_costs_only_itself_in_parse(tmp_path):
    """Once a zlib.error escaped and `litkg parse` printed a traceback and no records."""
    from typer.testing import CliRunner

    from litkg.cli import app

    bad = tmp_path / "broken.txt.gz"
    bad.write_bytes(_corrupt_gzip())
    result = CliRunner().invoke(app, ["parse", str(SEED_000), str(bad), str(SEED_004), "--json"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{bad}: corrupt gzip data" in result.stderr
    assert result.stdout.count('"title"') >= 2


def test_a_gzip_bomb_is_refused_before_it_takes_the_memory():
    from litkg.parse import gunzip

    with pytest.raises(ParseError, match="larger than 1,000,000 bytes once decompressed"):
        gunzip(gzip.compress(b"0" * 5_000_000), "bomb.txt.gz", limit=1_000_000)
    assert gunzip(gzip.compress(b"<a/>") + gzip.compress(b"<b/>"), "two.xml.gz") == b"<a/><b/>"


def test_superscript_digits_in_a_jats_year_are_no_year(tmp_path):
    """int('²⁰¹⁴') raised ValueError and lost the file."""
    from conftest import JATS_SAMPLE

    path = tmp_path / "a.xml"
    path.write_text(
        JATS_SAMPLE.read_text().replace("<year>2021</year>", "<year>²⁰¹⁴</year>"), encoding="utf-8"
    )
    article = parse_file(path)
    assert article.year is None and article.published is None


def test_a_reference_of_45000_digits_is_not_run_through_the_patterns():
    """The tail patterns are quadratic in a run of digits (97 s for one such page): a
    string longer than any reference is kept as printed and not run through them."""
    from litkg.parse.references import parse_reference

    reference = parse_reference("Smith, J. Nature " + "1" * 45_000 + ", 1-5 (2001).", number=1)
    assert reference.raw.startswith("Smith, J. Nature 111") and reference.authors == ()
    assert reference.note == "not read: 45,030 characters, more than a reference (5,000)"


@pytest.mark.parametrize("separator", ["\u2028", "\x85", "\x0b", "\x0c"])
def test_a_title_is_not_cut_at_a_unicode_line_separator(tmp_path, separator):
    text = _seed_text()
    title = parse_file(SEED_004).title
    first, _, rest = title.partition(" ")
    path = _page_with(tmp_path, text.replace(title, f"{first}{separator}{rest}", 1))
    parsed = parse_file(path).title
    assert rest in parsed and parsed.startswith(first)


@pytest.mark.parametrize("control", ["\x01", "\x0b", "\x1f", "\ufffe"])
def test_characters_xml_cannot_carry_become_spaces_and_rdf_xml_stays_well_formed(tmp_path, control):
    """A control character in a page (here in the title) would make the served RDF/XML and
    SPARQL XML results ill-formed: the parser reads it as a space."""
    import json

    import pyoxigraph as ox
    from lxml import etree

    from litkg.rdf.identity import IdentityIndex
    from litkg.rdf.iris import Minter
    from litkg.rdf.mapping import article_graph

    title = parse_file(SEED_004).title
    first, _, rest = title.partition(" ")
    path = _page_with(tmp_path, _seed_text().replace(title, f"{first}{control}{rest}", 1))
    article = parse_file(path)
    assert article.title == f"{first} {rest}"
    assert control not in json.dumps(article.to_dict(), ensure_ascii=False)
    index = IdentityIndex()
    index.add_article(article)
    index.build()
    nt = article_graph(article, Minter(), index).serialize(format="nt")
    rdf_xml = ox.serialize(ox.parse(nt.encode(), format=ox.RdfFormat.N_TRIPLES), format=ox.RdfFormat.RDF_XML)
    etree.fromstring(rdf_xml)  # raises XMLSyntaxError when ill-formed
