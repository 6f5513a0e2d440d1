"""The pipeline, end to end: parse -> link -> map to RDF -> validate -> publish.

``build`` is what ``litkg build`` runs. Each article is mapped and validated on its
own; an article that fails parsing or validation is reported and left out, and every
other article is still published.

It streams in two parallel stages, because the identity of cited works is a property
of the whole corpus: (1) workers parse chunks of inputs, each indexing its works and
people and spooling its articles and its index to disk; the parent merges the chunk
indexes into an :class:`~litkg.identity.IdentityStore` on disk (it never holds the
articles, nor the descriptions of works). (2) Forked workers, sharing the lexicon and
reading the finished store, load each spooled chunk, then link, map and validate every
article and write its published lines to run files as it is done
(:class:`~litkg.publish.RunWriter`), which :class:`~litkg.publish.GraphSink` merges
into the dumps. Each article is validated as its whole graph (with the
descriptions of the works it cites and the terms it mentions), and published as its
own named graph; the shared descriptions go, once each, into one named graph of the
dataset (:meth:`~litkg.iris.Minter.descriptions_graph`): a worker spools a description
only the first time one of its published articles relies on it, and the sink merges
the workers' runs without duplicates.
"""

from __future__ import annotations

import ctypes
import gc
import json
import os
import pickle
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from litkg.errors import ParseError
from litkg.gate import failing_parts, without_failing_parts
from litkg.identity import (
    Identities,
    IdentityIndex,
    IdentityStore,
    WorkIdentity,
    article_identity,
    as_description,
    filled_fields,
)
from litkg.iris import DEFAULT_BASE, Minter
from litkg.link import Annotator
from litkg.parse import iter_inputs, parse_file, published_names
from litkg.publish import (
    DEFAULT_LICENSE,
    GraphSink,
    Runs,
    RunWriter,
    SourceFile,
    build_time,
    dataset_description,
    fork_context,
    write_rejects,
)
from litkg.rdf import (
    SharedLines,
    article_iri,
    article_lines,
    citation_count_lines,
    joined_lines,
    work_type_lines,
)
from litkg.records import Article
from litkg.repair import Repair, repair_article, summarise
from litkg.validate import Violation, validate_ntriples

# Where an input was stopped: unreadable, an internal error while mapping it, its own
# description failing the shapes, or the same article as another input.
RejectStage = Literal["parse", "map", "validate", "duplicate"]


@dataclass(frozen=True)
class Reject:
    """An input that was not published, and why."""

    source: str
    stage: RejectStage
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
    repairs: list[Repair] = field(default_factory=list)  # parts of published articles repaired or dropped
    files: list[Path] = field(default_factory=list)
    triples: int = 0
    seconds: dict[str, float] = field(default_factory=dict)  # per stage; worker stages are CPU-summed


@dataclass(frozen=True)
class _Mapped:
    """What a worker sends back for one article (plain data, cheap to pickle)."""

    source: str
    sha256: str
    graph_name: str
    ntriples: str
    violations: tuple[Violation, ...]
    seconds: tuple[float, float, float]  # link, map, validate
    error: str | None = None  # what went wrong when the article could not be mapped
    # the lines of the shared descriptions (cited works, terms, people, journals) the article relies on
    # that this process has not spooled yet: they are published once, in their own graph
    shared: tuple[str, ...] = ()
    cited: tuple[str, ...] = ()  # the IRIs of the works a published article cites, once each
    repairs: tuple[Repair, ...] = ()  # the parts of a published article dropped at the gate


@dataclass(frozen=True)
class _Claim:
    """An input's claim to be an article: its identity, and how full its description is."""

    source: str
    identity: WorkIdentity
    unfilled: int


def _claim(article: Article) -> _Claim:
    return _Claim(article.source, article_identity(article), -filled_fields(as_description(article)))


def duplicate_inputs(claims: Sequence[_Claim], index: Identities) -> dict[str, str]:
    """Inputs that are the same article as another input (they share a DOI, PMID, PMCID
    or key: a corrected copy, ``a.xml`` beside ``a.xml.gz``, two versions), each with
    the input that is published instead. Of one article the input published is the one
    whose description the identity index made canonical: the fullest, then the first
    by source name; so the article's graph and every description of it agree."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for claim in claims:
        groups.setdefault(index.canonical(claim.identity), []).append((claim.unfilled, claim.source))
    duplicates = {}
    for members in groups.values():
        chosen = min(members)[1]
        for _, source in members:
            if source != chosen:
                duplicates[source] = chosen
    return duplicates


@dataclass(frozen=True)
class _Parsed:
    """What parsing a chunk of inputs gives the parent: its parse rejects, and where the
    chunk's part of the identity index and its articles wait (pickled). On disk, not in
    the message: results the parent has not merged yet cost it no memory."""

    paths: list[str]
    rejects: list[Reject]
    repairs: list[Repair]
    claims: list[_Claim]
    index: Path
    articles: Path
    seconds: float


def _parse_chunk(task: tuple[int, list[Path], Path]) -> _Parsed:
    """Parse a chunk of inputs and index it (stage 1, in a worker process)."""
    number, paths, spool = task
    started = time.perf_counter()
    articles: list[Article] = []
    rejects: list[Reject] = []
    repairs: list[Repair] = []
    claims: list[_Claim] = []
    for path in paths:
        try:
            article, repaired = repair_article(parse_file(path))
            articles.append(article)
            repairs.extend(repaired)
            claims.append(_claim(article))
        except ParseError as exc:
            rejects.append(Reject(exc.source, "parse", exc.message, exc.line))
        except Exception as exc:  # a parser bug must not lose the chunk: report the input
            rejects.append(Reject(str(path), "parse", f"internal error: {type(exc).__name__}: {exc}"))
    index = IdentityIndex()
    for article in articles:
        index.add_article(article)
    stored = spool / f"articles-{number:06d}.pickle"
    stored.write_bytes(pickle.dumps(articles, protocol=pickle.HIGHEST_PROTOCOL))
    indexed = spool / f"index-{number:06d}.pickle"
    indexed.write_bytes(pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL))
    return _Parsed(
        [str(p) for p in paths], rejects, repairs, claims, indexed, stored, time.perf_counter() - started
    )


class _Mapper:
    """Links, maps and validates articles; one per process."""

    def __init__(
        self,
        base: str,
        index: Identities,
        annotator: Annotator | None,
        engine: str = "turbo",
        spool: Path | None = None,
        skip: frozenset[str] = frozenset(),
    ) -> None:
        self.engine = engine
        self.skip = skip  # inputs not to publish: duplicates of another input's article
        self.spool = spool
        self.minter = Minter(base)
        self.index = index
        self.annotator = annotator
        module = annotator.lexicon.module if annotator is not None else None
        self.shared = SharedLines(self.minter, index, module)
        self.spooled: set[tuple[str, str]] = set()  # shared descriptions already in a triples run

    def __call__(self, article: Article) -> _Mapped:
        try:
            return self._map(article)
        except Exception as exc:  # a bug must not lose the batch: reject the article, say why
            error = f"internal error: {type(exc).__name__}: {exc}"
            return _Mapped(article.source, article.sha256, "", "", (), (0.0, 0.0, 0.0), error)

    def _map(self, article: Article) -> _Mapped:
        started = time.perf_counter()
        mentions = self.annotator.annotate_article(article) if self.annotator is not None else []
        linked = time.perf_counter()
        mapping = validating = 0.0
        repairs: list[Repair] = []
        for attempt in range(GATE_ROUNDS + 1):
            clock = time.perf_counter()
            own, described = article_lines(article, self.minter, self.index, mentions, self.shared)
            lines = joined_lines(own.union(*described.values()))
            mapped = time.perf_counter()
            result = validate_ntriples(lines, engine=self.engine)  # the article with what it relies on
            validating += time.perf_counter() - mapped
            mapping += mapped - clock
            if result.conforms or attempt == GATE_ROUNDS:
                break
            # one bad part must not cost the article: drop (or reduce) the failing parts, and try again
            iri = str(article_iri(article, self.minter, self.index))
            cited = self._cited(article)
            failing = failing_parts(result.violations, article, iri, mentions, cited, described)
            if failing.unplaced or not failing.droppable:
                break
            article, mentions, dropped = without_failing_parts(article, mentions, failing)
            repairs.extend(dropped)
        iri = article_iri(article, self.minter, self.index)
        name = str(self.minter.part(iri, "graph"))
        shared: list[str] = []
        if result.conforms:
            for key, description in described.items():
                if key not in self.spooled:
                    self.spooled.add(key)
                    shared.extend(description)
        return _Mapped(
            article.source,
            article.sha256,
            name,
            joined_lines(own) if result.conforms else "",
            () if result.conforms else result.violations,
            (linked - started, mapping, validating),
            shared=tuple(shared),
            cited=tuple(key for kind, key in described if kind == "work") if result.conforms else (),
            repairs=tuple(repairs) if result.conforms else (),
        )

    def _cited(self, article: Article) -> list[str]:
        """The IRI of the work each reference cites, in reference order."""
        return [str(self.shared.cited_work(reference)[0]) for reference in article.references]

    def batch(self, numbered: tuple[int, Path]) -> _Batch:
        """Map a parsed chunk and write its published graphs as sorted run files into
        the spool, so the parent process only merges them at the end."""
        number, stored = numbered
        assert self.spool is not None
        started = time.perf_counter()
        articles: list[Article] = pickle.loads(stored.read_bytes())
        stored.unlink()
        loaded = time.perf_counter()
        writer = RunWriter(self.spool, f"batch-{number:06d}")
        spooling = 0.0
        done_with = []
        for article in articles:
            if article.source in self.skip:
                continue
            mapped = self(article)
            if not (mapped.violations or mapped.error):
                clock = time.perf_counter()
                writer.add(mapped.graph_name, mapped.ntriples, shared=mapped.shared)
                spooling += time.perf_counter() - clock
            done_with.append(replace(mapped, ntriples="", shared=()))
        clock = time.perf_counter()
        runs = writer.close()
        del articles, writer
        _return_free_memory()
        spooling += time.perf_counter() - clock
        return _Batch(done_with, runs, (loaded - started, spooling))


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL(None).malloc_trim  # glibc
    except (AttributeError, OSError):
        return None


_MALLOC_TRIM = _malloc_trim()


def _return_free_memory() -> None:
    """Hand the memory a finished batch freed back to the system: glibc keeps freed
    memory in its heap, so a worker's resident size would otherwise stay at the
    high-water mark of its largest batch."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


@dataclass(frozen=True)
class _Batch:
    mapped: list[_Mapped]  # in input order, N-Triples already in the runs
    runs: Runs
    seconds: tuple[float, float] = (0.0, 0.0)  # loading the chunk, writing its runs


# The mapper of a worker process, set once by its initializer: process pools can only
# hand work to module-level functions.
_process_mapper: _Mapper | None = None


def _init_worker(mapper: _Mapper) -> None:
    global _process_mapper
    _process_mapper = mapper


def _map_in_worker(numbered: tuple[int, Path]) -> _Batch:
    assert _process_mapper is not None
    return _process_mapper.batch(numbered)


GATE_ROUNDS = 3  # times an article is mapped again without its failing parts, at most
MAX_BATCH = 64  # articles per task: bounds what a worker holds (about 130k lines)


def _pool(
    jobs: int, initializer: Callable[..., None] | None = None, initargs: tuple = ()
) -> ProcessPoolExecutor:
    """Worker processes; forked where the platform allows, so the parent's identity
    index and lexicon reach them without being pickled."""
    return ProcessPoolExecutor(jobs, mp_context=fork_context(), initializer=initializer, initargs=initargs)


def build(
    inputs: Sequence[str | Path],
    out: Path,
    *,
    base: str = DEFAULT_BASE,
    formats: Sequence[str] = ("ttl",),
    license_iri: str = DEFAULT_LICENSE,
    progress: Callable[[str, str], None] | None = None,
    link: bool = True,
    jobs: int | None = None,
    shacl_engine: str = "turbo",
) -> BuildReport:
    """Publish every readable, valid article of ``inputs`` into ``out``.

    ``jobs`` worker processes parse, link, map and validate the articles (default: one
    per core from 50 inputs on, else one); the output is the same whatever the number.
    ``shacl_engine`` is "turbo" (pyshacl-turbo) or "pyshacl" (the reference engine).
    """
    started = build_time()
    minter = Minter(base)
    report = BuildReport()
    paths = list(iter_inputs(inputs))
    names = published_names(inputs)
    if jobs is None:
        jobs = (os.cpu_count() or 1) if len(paths) >= 50 else 1
    size = min(MAX_BATCH, max(1, len(paths) // (max(jobs, 1) * 8)))
    sink = GraphSink(shared_graph=str(minter.descriptions_graph()))
    frozen_by_caller = gc.get_freeze_count()
    try:
        chunks = [(n, paths[i : i + size], sink.spool) for n, i in enumerate(range(0, len(paths), size))]
        parallel = jobs > 1 and len(chunks) > 1
        clock = time.perf_counter()
        index, annotator, stored, duplicates = _parse_stage(
            chunks, jobs if parallel else 1, link, report, progress, sink.spool / "identity.sqlite"
        )
        report.seconds["parse_wall"] = time.perf_counter() - clock
        clock = time.perf_counter()
        mapper = _Mapper(minter.base, index, annotator, shacl_engine, sink.spool, duplicates)
        sources, citations = _map_stage(mapper, stored, jobs if parallel else 1, sink, report, progress)
        sources = [SourceFile(names.get(s.path, Path(s.path).name), s.sha256) for s in sources]
        index.close()
        report.seconds["workers_wall"] = time.perf_counter() - clock
        clock = time.perf_counter()
        _add_citation_counts(citations, minter, sink, shacl_engine, report)
        del citations
        report.seconds["counts"] = time.perf_counter() - clock
        clock = time.perf_counter()
        report.files = sink.write(out, formats, minter.base)
        stats = sink.stats()
        report.seconds.update({f"write_{step}": seconds for step, seconds in sink.seconds.items()})
    finally:
        sink.close()
        if not frozen_by_caller:
            gc.unfreeze()  # the stages froze the lexicon and the index
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
    report.files.append(write_build_report(out, report))
    report.seconds["serialize"] = time.perf_counter() - clock
    return report


def write_build_report(out: Path, report: BuildReport) -> Path:
    """``report.json``: what was published and rejected, and per source every field
    repaired and every part dropped, with where it came from and why."""
    by_source: dict[str, list[dict[str, object]]] = {}
    for repair in report.repairs:
        by_source.setdefault(repair.source, []).append(repair.to_dict())
    content = {
        "published": len(report.published),
        "rejected": len(report.rejects),
        "summary": summarise(report.repairs),
        "repairs": [{"source": source, "changes": changes} for source, changes in sorted(by_source.items())],
        "rejects": [reject.to_dict() for reject in report.rejects],
    }
    path = out / "report.json"
    path.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


COUNTS_PER_RUN = 5_000  # works whose counts are validated, and spooled, together


def _add_citation_counts(
    citations: Counter[str], minter: Minter, sink: GraphSink, engine: str, report: BuildReport
) -> None:
    """Add the corpus citation counts to the shared graph, once they all pass the
    shapes (with the works' types they rely on); if they fail, they are left out and
    reported as a reject. Made a few thousand works at a time, twice (to check, then to
    spool as sorted runs), so memory stays small."""
    works = sorted(citations)
    chunks = [
        {work: citations[work] for work in works[start : start + COUNTS_PER_RUN]}
        for start in range(0, len(works), COUNTS_PER_RUN)
    ]
    for chunk in chunks:
        lines = [*citation_count_lines(chunk, minter), *work_type_lines(chunk)]
        result = validate_ntriples(joined_lines(lines), engine=engine)
        if not result.conforms:
            message = f"citation counts left out: {len(result.violations)} SHACL violation(s)"
            report.rejects.append(
                Reject(str(minter.dataset()), "validate", message, violations=result.violations)
            )
            return
    for chunk in chunks:
        sink.add_shared(citation_count_lines(chunk, minter))


def _parse_stage(
    chunks: list[tuple[int, list[Path], Path]],
    jobs: int,
    link: bool,
    report: BuildReport,
    progress: Callable[[str, str], None] | None,
    store: Path,
) -> tuple[IdentityStore, Annotator | None, list[tuple[int, Path]], frozenset[str]]:
    """Stage 1: parse and index the chunks (on ``jobs`` processes); the parent merges
    the chunk indexes into an identity store on disk (``store``), and loads the lexicon
    meanwhile. Returns the store, the annotator, where each chunk's parsed articles
    are spooled, and the inputs that duplicate another input's article (reported)."""
    pool = _pool(min(jobs, len(chunks))) if jobs > 1 else None
    try:
        parsed = pool.map(_parse_chunk, chunks) if pool else map(_parse_chunk, chunks)
        clock = time.perf_counter()
        annotator = Annotator() if link else None
        # Hundreds of thousands of long-lived objects: out of the collector's sight,
        # which would otherwise walk them twice more here (0.5 s) while they age.
        gc.freeze()
        report.seconds["lexicon"] = time.perf_counter() - clock
        index = IdentityStore(store)
        report.seconds["parse"] = report.seconds["identity"] = 0.0
        stored: list[tuple[int, Path]] = []
        claims: list[_Claim] = []
        for number, part in enumerate(parsed):
            clock = time.perf_counter()
            index.merge(pickle.loads(part.index.read_bytes()))
            part.index.unlink()
            report.seconds["identity"] += time.perf_counter() - clock
            report.seconds["parse"] += part.seconds
            report.rejects.extend(part.rejects)
            report.repairs.extend(part.repairs)
            claims.extend(part.claims)
            stored.append((number, part.articles))
            if progress:
                for path in part.paths:
                    progress("parsed", path)
    finally:
        if pool:
            pool.shutdown()
    clock = time.perf_counter()
    index.build()
    duplicates = duplicate_inputs(claims, index)
    for claim in claims:
        if claim.source in duplicates:
            message = f"the same article as {duplicates[claim.source]}, which is published instead"
            report.rejects.append(Reject(claim.source, "duplicate", message))
    report.repairs = [repair for repair in report.repairs if repair.source not in duplicates]
    report.seconds["identity"] += time.perf_counter() - clock
    return index, annotator, stored, frozenset(duplicates)


def _map_stage(
    mapper: _Mapper,
    stored: list[tuple[int, Path]],
    jobs: int,
    sink: GraphSink,
    report: BuildReport,
    progress: Callable[[str, str], None] | None,
) -> tuple[list[SourceFile], Counter[str]]:
    """Stage 2: link, map, validate and spool each chunk (on ``jobs`` processes);
    rejects go into ``report``. Returns the source files of the published articles and
    how many of them cite each work (by IRI)."""
    for stage in ("load", "link", "map", "validate", "spool"):
        report.seconds[stage] = 0.0
    # The index and lexicon are read-only from here: out of the collector's sight, so
    # forked workers neither scan them nor copy the pages a scan would touch (build
    # hands them back to the collector when it is done).
    gc.freeze()
    sources: list[SourceFile] = []
    citations: Counter[str] = Counter()
    pool = _pool(min(jobs, len(stored)), _init_worker, (mapper,)) if jobs > 1 else None
    try:
        batches = pool.map(_map_in_worker, stored) if pool else map(mapper.batch, stored)
        for batch in batches:
            sink.add_runs(batch.runs)
            report.seconds["load"] += batch.seconds[0]
            report.seconds["spool"] += batch.seconds[1]
            for mapped in batch.mapped:
                for stage, seconds in zip(("link", "map", "validate"), mapped.seconds, strict=True):
                    report.seconds[stage] += seconds
                rejected = bool(mapped.violations or mapped.error)
                if progress:
                    progress("rejected" if rejected else "published", mapped.source)
                if mapped.error:
                    report.rejects.append(Reject(mapped.source, "map", mapped.error))
                elif mapped.violations:
                    message = f"{len(mapped.violations)} SHACL violation(s)"
                    report.rejects.append(
                        Reject(mapped.source, "validate", message, violations=mapped.violations)
                    )
                if not rejected:
                    report.repairs.extend(mapped.repairs)
                    report.published.append(mapped.source)
                    sources.append(SourceFile(mapped.source, mapped.sha256))
                    citations.update(mapped.cited)
    finally:
        if pool:
            pool.shutdown()
    return sources, citations
