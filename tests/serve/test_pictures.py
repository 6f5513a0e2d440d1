"""The pictures of the served pages: an article's citation neighbourhood, and the landing
page's charts, drawn on the server as inline SVG (no JavaScript). The layout is checked
as data, the pages as a reader's browser gets them (well-formed SVG, links to the
works and terms, escaped text); tests/serve/test_browser.py renders them in Chromium."""

from __future__ import annotations

import itertools

import pytest
from lxml import etree
from starlette.testclient import TestClient
from test_query import JULIEN, OZDINLER

from conftest import SEED_000, SEEDS
from litkg.build import build
from litkg.serve.app import create_app
from litkg.serve.pictures import bar_chart, neighbourhood, shorten, year_chart
from litkg.serve.views import Link

SVG = "{http://www.w3.org/2000/svg}"
W = "https://w3id.org/litkg/work/key/"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    out = tmp_path_factory.mktemp("pictures")
    build([SEEDS], out, formats=("ttl", "nq"))
    with TestClient(create_app(out, workers=1)) as http:
        yield http


def svg_of(page: str, svg_id: str) -> etree._Element:
    """The inline <svg id=…> of an HTML page, parsed as XML: it must be well-formed."""
    start = page.index(f'<svg id="{svg_id}"')
    end = page.index("</svg>", start) + len("</svg>")
    return etree.fromstring(page[start:end].encode("utf-8"))


def links(svg: etree._Element, css_class: str) -> dict[str, str]:
    """href -> tooltip of the <a> elements of one class."""
    found = {}
    for a in svg.iter(f"{SVG}a"):
        if css_class in a.get("class", "").split():
            found[a.get("href")] = a.findtext(f"{SVG}title")
    return found


def test_shorten_cuts_at_a_word_and_keeps_short_text():
    assert shorten("motor neuron") == "motor neuron"
    cut = shorten("Boillee, S. et al. Onset and progression in inherited ALS", 24)
    assert len(cut) <= 24 and cut.endswith("…") and cut.startswith("Boillee, S. et al")
    assert shorten("x" * 50, 10) == "x" * 9 + "…"


def test_a_large_neighbourhood_is_drawn_inside_the_picture_with_the_rest_counted():
    many = [Link(f"Reference number {i} with a rather long title indeed", f"{W}w{i}") for i in range(60)]
    picture = neighbourhood(
        "An article", {"cites": many, "cited-by": many[:3], "co-cited": many[:20], "mentions": many[:1]}
    )
    assert {g.key: (g.total, g.shown) for g in picture.groups} == {
        "cites": (60, 16),
        "co-cited": (20, 5),
        "cited-by": (3, 3),
        "mentions": (1, 1),
    }
    assert [g.caption for g in picture.groups if g.key == "cites"] == ["Cites (60, 44 more below)"]
    for node in picture.nodes:
        assert 0 < node.x < picture.width and 0 < node.y < picture.height
        assert 0 < node.label_y < picture.height
        width = 6.2 * len(node.label)  # a generous width for 11 px text
        left = {"start": node.label_x, "end": node.label_x - width, "middle": node.label_x - width / 2}
        assert left[node.anchor] >= 0 and left[node.anchor] + width <= picture.width, node
    right = sorted((n for n in picture.nodes if n.group == "cites"), key=lambda n: n.label_y)
    assert all(b.label_y - a.label_y >= 11 for a, b in itertools.pairwise(right))  # lines do not overlap
    assert not neighbourhood("Alone", {}).nodes


def test_charts_scale_to_the_largest_value_and_keep_the_years_even():
    chart = bar_chart("Top", [(Link("a", "x:a"), 10), (Link("b", "x:b"), 5)], "articles")
    assert [b.length for b in chart.bars][0] == 2 * chart.bars[1].length
    years = year_chart("Years", {1990: 1, 1995: 4, 2020: 2})
    assert [c.year for c in years.columns] == list(range(1990, 2021))
    assert max(years.columns, key=lambda c: c.height).year == 1995
    assert sum(c.labelled for c in years.columns) <= 11 and years.columns[0].labelled
    assert year_chart("Years", {}).columns == ()


def test_an_articles_page_draws_its_neighbourhood(client):
    page = client.get(OZDINLER.replace("https://w3id.org/litkg/", "/"), headers={"Accept": "text/html"}).text
    svg = svg_of(page, "neighbourhood")
    cites = links(svg, "cites")
    listed = page[page.index('<ol id="cites">') : page.index("</ol>", page.index('<ol id="cites">'))]
    cited = {part.split('"', 1)[0] for part in listed.split('<a href="')[1:]}
    assert set(cites) == cited and len(cited) == 11  # every work it cites, once each
    assert (
        "/work/key/clement_2003_science_302_113" in cites
        and "Clement" in cites["/work/key/clement_2003_science_302_113"]
    )
    assert not links(svg, "co-cited")  # no article of the seeds cites it: nothing is cited with it
    assert not links(svg, "cited-by")
    mentions = links(svg, "mentions")
    assert mentions["http://purl.obolibrary.org/obo/CL_0000129"] == "microglial cell (cell type)"
    assert "http://purl.obolibrary.org/obo/MONDO_0004976" in mentions
    captions = [t.text for t in svg.iter(f"{SVG}text") if "caption" in t.get("class", "").split()]
    assert "Cites (11)" in captions and f"Mentions ({len(mentions)})" in captions


def test_a_cited_works_page_draws_what_cites_it_and_what_is_cited_with_it(client):
    page = client.get("/work/key/clement_2003_science_302_113", headers={"Accept": "text/html"}).text
    svg = svg_of(page, "neighbourhood")
    assert set(links(svg, "cited-by")) == {
        "/work/key/julien_2007_nat-neurosci_10_535",
        "/work/key/ozdinler_2020_nat-neurosci_23_1311",
    }
    co_cited = links(svg, "co-cited")
    # Boillée 2006 is cited by both articles that cite Clement 2003: the most co-cited, first
    first = next(a for a in svg.iter(f"{SVG}a") if "co-cited" in a.get("class", ""))
    assert first.get("href") == "/work/key/boillee_2006_science_312_1389" and len(co_cited) == 5
    listed = page[page.index('<ul id="cited-with">') :]
    assert listed.index("boillee_2006") < listed.index("</ul>")  # the list holds every one
    assert "2 citing article(s)" in listed[: listed.index("</ul>")]
    assert JULIEN.endswith("julien_2007_nat-neurosci_10_535")


def test_the_landing_page_charts_the_most_mentioned_terms_and_citations_by_year(client):
    page = client.get("/", headers={"Accept": "text/html"}).text
    cells = svg_of(page, "top-cell-types")
    bars = [(a.get("href"), a.findtext(f"{SVG}title")) for a in cells.iter(f"{SVG}a")]
    assert bars[0] == ("http://purl.obolibrary.org/obo/CL_0000100", "motor neuron: 2 articles")
    assert len(bars) == 5
    diseases = svg_of(page, "top-diseases")
    assert [a.findtext(f"{SVG}title") for a in diseases.iter(f"{SVG}a")] == [
        "amyotrophic lateral sclerosis: 2 articles"
    ]
    years = svg_of(page, "citations-by-year")
    columns = [g.findtext(f"{SVG}title") for g in years.iter(f"{SVG}g") if g.get("class") == "column"]
    assert columns[0] == "1990: 1 citation link(s)" and columns[-1] == "2020: 1 citation link(s)"
    assert "2006: 9 citation link(s)" in columns and len(columns) == 31


def test_text_in_pictures_is_escaped(tmp_path):
    hostile = SEED_000.read_text(encoding="utf-8").replace(
        "Help from peripheral macrophages in ALS?", "Macrophages <script>alert(1)</script> & ALS"
    )
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "hostile.txt").write_text(hostile, encoding="utf-8")
    out = tmp_path / "out"
    build([tmp_path / "in"], out)
    with TestClient(create_app(out, workers=1)) as http:
        page = http.get(
            OZDINLER.replace("https://w3id.org/litkg/", "/"), headers={"Accept": "text/html"}
        ).text
    svg = svg_of(page, "neighbourhood")  # parses: the title is text, not markup
    assert "<script>" not in page
    assert "Macrophages <script>alert(1)</script> & ALS" in svg.findtext(f"{SVG}title")
