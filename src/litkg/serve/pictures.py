"""Pictures on the served pages, drawn on the server as SVG: the layout here (positions,
sizes, labels, from the page data of :mod:`litkg.serve.views`), the markup in
``templates/_pictures.html`` (auto-escaped like every page), so a page shows them without
JavaScript, and a link in a picture is an ordinary link.

- :func:`neighbourhood`: an article's citation neighbourhood, with the work in the
  middle and, around it, what it cites (right), what cites it (left), the works cited
  together with it (below) and the cell types and diseases it mentions (above);
- :func:`bar_chart`: the terms mentioned by the most articles;
- :func:`year_chart`: citation links by the publication year of the cited work.

Each group shows at most a fixed number of items, most important first, and says how
many more there are; the page's lists below the picture hold them all.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from litkg.serve.views import Link, WorkView, citations_by_year, most_mentioned

WIDTH = 760
HEIGHT = 500
LABEL_CHARS = 32


@dataclass(frozen=True)
class Node:
    """One item around the centre: where it is, how its label is anchored, its group."""

    x: float
    y: float
    label: str
    title: str  # the whole text, shown as the node's tooltip
    iri: str
    group: str
    anchor: str  # text-anchor of the label: start, middle or end
    label_x: float
    label_y: float


@dataclass(frozen=True)
class Group:
    """One kind of neighbour: its name, how many there are and how many are drawn."""

    key: str
    name: str
    total: int
    shown: int
    x: float
    y: float
    anchor: str

    @property
    def caption(self) -> str:
        more = f", {self.total - self.shown} more below" if self.total > self.shown else ""
        return f"{self.name} ({self.total}{more})"


@dataclass(frozen=True)
class Neighbourhood:
    width: int
    height: int
    centre_x: float
    centre_y: float
    title: str  # the work's whole title (the picture's <title>)
    label: str  # the title as the centre shows it
    nodes: tuple[Node, ...]
    groups: tuple[Group, ...]

    @property
    def empty(self) -> bool:
        return not self.nodes


# The side groups sit on arcs of an ellipse around the centre (sector in degrees,
# clockwise from the right, y pointing down), labels pointing outwards; the other two sit
# in rows above and below, where horizontal labels have room side by side.
_ARCS = (
    ("cites", "Cites", (-50.0, 50.0), 16),
    ("cited-by", "Cited by", (130.0, 230.0), 16),
)
_ROWS = (
    ("mentions", "Mentions", -1, 5),
    ("co-cited", "Cited with it", 1, 5),
)
ROW_LABEL_CHARS = 22


def shorten(text: str, limit: int = LABEL_CHARS) -> str:
    """``text`` on one line, cut at a word to at most ``limit`` characters, with an ellipsis."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1].rsplit(" ", 1)[0] if " " in flat[: limit - 1] else flat[: limit - 1]
    return cut.rstrip(" ,.;:") + "…"


def _angles(low: float, high: float, count: int) -> list[float]:
    if count == 1:
        return [(low + high) / 2]
    step = (high - low) / (count - 1)
    return [low + step * i for i in range(count)]


def _row_xs(centre: float, span: float, count: int) -> list[float]:
    if count == 1:
        return [centre]
    step = span / (count - 1)
    return [centre - span / 2 + step * i for i in range(count)]


def _caption_place(key: str, width: int, height: int) -> tuple[float, float, str]:
    """Where a group's caption goes: in the top corners for the side groups, at the top
    and bottom edges for the others."""
    return {
        "cites": (width - 6.0, 16.0, "end"),
        "cited-by": (6.0, 16.0, "start"),
        "co-cited": (width / 2, height - 6.0, "middle"),
        "mentions": (width / 2, 16.0, "middle"),
    }[key]


def neighbourhood(
    title: str,
    groups: dict[str, Sequence[Link]],
    width: int = WIDTH,
    height: int = HEIGHT,
) -> Neighbourhood:
    """The layout of a work's neighbourhood: ``groups`` maps ``cites``, ``cited-by``,
    ``co-cited`` and ``mentions`` to their items, most important first. What it cites and
    what cites it sit on arcs right and left of the centre, labels pointing outwards; the
    terms it mentions in a row above, the works cited with it in a row below."""
    cx, cy = width / 2, height / 2
    rx, ry = width * 0.22, height * 0.36
    nodes: list[Node] = []
    drawn: list[Group] = []

    def node(link: Link, key: str, x: float, y: float, anchor: str, dx: float, dy: float, chars: int) -> Node:
        return Node(
            x=round(x, 1),
            y=round(y, 1),
            label=shorten(link.text, chars),
            title=" ".join(link.text.split()),
            iri=link.iri,
            group=key,
            anchor=anchor,
            label_x=round(x + dx, 1),
            label_y=round(y + dy, 1),
        )

    for key, name, (low, high), most in _ARCS:
        items = list(groups.get(key, ()))
        shown = items[:most]
        right = key == "cites"
        for link, degrees in zip(shown, _angles(low, high, len(shown)), strict=True):
            radians = math.radians(degrees)
            x, y = cx + rx * math.cos(radians), cy + ry * math.sin(radians)
            anchor, dx = ("start", 8.0) if right else ("end", -8.0)
            nodes.append(node(link, key, x, y, anchor, dx, 4.0, LABEL_CHARS))
        drawn.append(Group(key, name, len(items), len(shown), *_caption_place(key, width, height)))
    for key, name, side, most in _ROWS:
        items = list(groups.get(key, ()))
        shown = items[:most]
        y = cy + side * (ry + 8)
        for index, (link, x) in enumerate(zip(shown, _row_xs(cx, width * 0.72, len(shown)), strict=True)):
            # labels alternate in two lines, so that long neighbours never touch
            line = 13.0 * (index % 2)
            dy = 16.0 + line if side > 0 else -9.0 - line
            nodes.append(node(link, key, x, y, "middle", 0.0, dy, ROW_LABEL_CHARS))
        drawn.append(Group(key, name, len(items), len(shown), *_caption_place(key, width, height)))
    return Neighbourhood(
        width, height, cx, cy, " ".join(title.split()), shorten(title, 40), tuple(nodes), tuple(drawn)
    )


@dataclass(frozen=True)
class Bar:
    label: str
    title: str
    iri: str
    value: int
    y: float
    length: float


@dataclass(frozen=True)
class BarChart:
    """Horizontal bars, one per term, longest first."""

    title: str
    width: int
    height: int
    label_width: int
    bars: tuple[Bar, ...]
    unit: str


def bar_chart(
    title: str, rows: Sequence[tuple[Link, int]], unit: str, width: int = 370, row_height: int = 22
) -> BarChart:
    """Bars for ``rows`` (a term and its count, largest first)."""
    label_width = 150
    room = width - label_width - 40
    top = max((value for _, value in rows), default=0) or 1
    bars = tuple(
        Bar(
            label=shorten(link.text, 22),
            title=f"{link.text}: {value} {unit}",
            iri=link.iri,
            value=value,
            y=28 + index * row_height,
            length=round(max(2.0, room * value / top), 1),
        )
        for index, (link, value) in enumerate(rows)
    )
    return BarChart(title, width, 36 + row_height * len(rows), label_width, bars, unit)


@dataclass(frozen=True)
class Column:
    year: int
    value: int
    x: float
    y: float
    height: float
    labelled: bool  # whether the axis names this year


@dataclass(frozen=True)
class YearChart:
    title: str
    width: int
    height: int
    baseline: float
    column_width: float
    columns: tuple[Column, ...]
    top: int


def year_chart(title: str, counts: dict[int, int], width: int = WIDTH, height: int = 220) -> YearChart:
    """Columns for every year from the first to the last with a count (years without one
    at zero, so the axis is even); about ten years are labelled."""
    if not counts:
        return YearChart(title, width, height, height - 28.0, 0.0, (), 0)
    first, last = min(counts), max(counts)
    years = list(range(first, last + 1))
    left, right, baseline = 40.0, 10.0, height - 28.0
    column_width = (width - left - right) / len(years)
    top = max(counts.values())
    every = max(1, math.ceil(len(years) / 10))
    columns = []
    for index, year in enumerate(years):
        value = counts.get(year, 0)
        tall = (baseline - 24) * value / top
        columns.append(
            Column(
                year=year,
                value=value,
                x=round(left + index * column_width, 1),
                y=round(baseline - tall, 1),
                height=round(tall, 1),
                labelled=(year - first) % every == 0,
            )
        )
    return YearChart(
        title, width, height, baseline, round(max(1.0, column_width - 1), 1), tuple(columns), top
    )


def work_neighbourhood(view: WorkView, cited_with: Sequence[Link]) -> Neighbourhood:
    """The neighbourhood picture of the work ``view`` shows: the works it discusses first
    among those it cites, then ``cited_with`` (:func:`~litkg.serve.views.co_cited`, the
    most co-cited first), the most mentioned terms first."""
    cites: dict[str, Link] = {}
    for link in sorted(view.cites, key=lambda c: c.note != "discussed"):
        cites.setdefault(link.iri, link)
    mentioned = sorted(view.cell_types + view.diseases, key=lambda m: (-m.count, m.label.casefold()))
    groups: dict[str, Sequence[Link]] = {
        "cites": list(cites.values()),
        "cited-by": view.cited_by,
        "co-cited": cited_with,
        "mentions": [Link(f"{m.label} ({m.ontology})", m.iri) for m in mentioned],
    }
    return neighbourhood(view.title, groups)


@dataclass(frozen=True)
class LandingPictures:
    cell_types: BarChart
    diseases: BarChart
    years: YearChart


def landing_pictures(store: ox.Store) -> LandingPictures:
    """The landing page's charts: the ten cell types and the ten diseases the most
    articles mention, and citation links by the cited work's publication year."""
    return LandingPictures(
        cell_types=bar_chart(
            "Cell types mentioned by the most articles", most_mentioned(store, "CL"), "articles"
        ),
        diseases=bar_chart(
            "Diseases mentioned by the most articles", most_mentioned(store, "MONDO"), "articles"
        ),
        years=year_chart("Citation links by publication year of the cited work", citations_by_year(store)),
    )
