"""The pipeline, end to end: parse -> link -> map to RDF -> validate -> publish.

``build`` is what ``litkg build`` runs. Each article is mapped and validated on its
own; an article that fails parsing or validation is reported and left out, and every
other article is still published.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef

from litkg.errors import ParseError
from litkg.identity import IdentityIndex
from litkg.iris import DEFAULT_BASE, Minter
from litkg.link import Annotator
from litkg.parse import iter_inputs, parse_file
from litkg.publish import (
    DEFAULT_LICENSE,
    GraphStats,
    SourceFile,
    build_time,
    dataset_description,
    to_quads,
    union_triples,
    write_outputs,
    write_rejects,
)
from litkg.rdf import article_graph, article_iri
from litkg.records import Article
from litkg.validate import Violation, validate_graph


@dataclass(frozen=True)
class Reject:
    """An input that was not published, and why."""

    source: str
    stage: str  # "parse" or "validate"
    message: str
    line: int | None = None
    violations: tuple[Violation, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "stage": self.stage,
            "line": self.line,
            "message": self.message,
            "violations": [
                {
                    "focus": v.focus,
                    "path": v.path,
                    "constraint": v.constraint,
                    "message": v.message,
                    "value": v.value,
                    "shape": v.shape,
                }
                for v in self.violations
            ],
        }


@dataclass
class BuildReport:
    """What a build published and rejected, and the files it wrote."""

    published: list[str] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    triples: int = 0


@dataclass(frozen=True)
class ArticleOutcome:
    article: Article
    graph: Graph
    iri: URIRef
    violations: tuple[Violation, ...]


def map_and_validate(
    article: Article, minter: Minter, index: IdentityIndex, annotator: Annotator | None = None
) -> ArticleOutcome:
    """Link, map one article to RDF and check it against the shapes."""
    mentions = annotator.annotate_article(article) if annotator is not None else []
    module = annotator.lexicon.module if annotator is not None else None
    graph = article_graph(article, minter, index, mentions, module)
    result = validate_graph(graph)
    return ArticleOutcome(
        article, graph, article_iri(article, minter, index), result.violations if not result.conforms else ()
    )


def build(
    inputs: Sequence[str | Path],
    out: Path,
    *,
    base: str = DEFAULT_BASE,
    formats: Sequence[str] = ("ttl",),
    license_iri: str = DEFAULT_LICENSE,
    progress: Callable[[str], None] | None = None,
    link: bool = True,
) -> BuildReport:
    """Publish every readable, valid article of ``inputs`` into ``out``."""
    started = build_time()
    minter = Minter(base)
    report = BuildReport()
    articles: list[Article] = []
    for path in iter_inputs(inputs):
        try:
            articles.append(parse_file(path))
        except ParseError as exc:
            report.rejects.append(Reject(exc.source, "parse", exc.message, exc.line))
        if progress:
            progress(str(path))
    index = IdentityIndex.from_articles(articles)
    annotator = Annotator() if link else None
    quads: list[ox.Quad] = []
    sources: list[SourceFile] = []
    for article in articles:
        outcome = map_and_validate(article, minter, index, annotator)
        if outcome.violations:
            report.rejects.append(
                Reject(
                    article.source,
                    "validate",
                    f"{len(outcome.violations)} SHACL violation(s)",
                    violations=outcome.violations,
                )
            )
            continue
        quads.extend(to_quads(outcome.graph, str(minter.part(outcome.iri, "graph"))))
        report.published.append(article.source)
        sources.append(SourceFile(article.source, article.sha256))
    out.mkdir(parents=True, exist_ok=True)
    report.files = write_outputs(quads, out, formats, minter.base)
    stats = GraphStats.of(union_triples(quads))
    report.triples = stats.triples
    metadata = dataset_description(
        stats,
        minter,
        sources,
        started=started,
        ended=build_time(),
        articles=len(report.published),
        rejected=len(report.rejects),
        license_iri=license_iri,
    )
    metadata_path = out / "metadata.ttl"
    metadata_path.write_text(metadata.serialize(format="turtle"), encoding="utf-8")
    report.files.append(metadata_path)
    report.files.append(write_rejects(out, [r.to_dict() for r in report.rejects]))
    return report
