"""The work of the build's processes: parse and index a chunk of inputs (stage 1); link,
map, validate and spool a parsed chunk (stage 2). Plain data crosses between processes."""

from __future__ import annotations

import ctypes
import pickle
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from litkg.build.options import BuildOptions
from litkg.build.report import Reject
from litkg.build.spool import Runs, RunWriter, fork_context
from litkg.errors import ParseError
from litkg.link import Annotator
from litkg.parse import parse_file
from litkg.parse.repair import Repair, repair_article
from litkg.rdf.identity import (
    Identities,
    IdentityIndex,
    WorkIdentity,
    article_identity,
    as_description,
    filled_fields,
)
from litkg.rdf.iris import Minter
from litkg.rdf.lines import SharedLines, article_lines
from litkg.rdf.mapping import article_iri
from litkg.rdf.ntriples import joined_lines
from litkg.records import Article
from litkg.validate import Violation, validate_ntriples
from litkg.validate.gate import failing_parts, without_failing_parts


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
        options: BuildOptions,
        spool: Path | None = None,
        skip: frozenset[str] = frozenset(),
        memo: OrderedDict[tuple[str, str], bytes] | None = None,
    ) -> None:
        self.engine = options.shacl_engine
        self.rounds = options.gate_rounds
        self.skip = skip  # inputs not to publish: duplicates of another input's article
        self.spool = spool
        self.minter = Minter(base)
        self.index = index
        self.annotator = annotator
        module = annotator.lexicon.module if annotator is not None else None
        self.shared = SharedLines(self.minter, index, module, options.shared_memo_size, memo)
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
        for attempt in range(self.rounds + 1):
            clock = time.perf_counter()
            own, described = article_lines(article, self.minter, self.index, mentions, self.shared)
            lines = joined_lines(own.union(*described.values()))
            mapped = time.perf_counter()
            result = validate_ntriples(lines, engine=self.engine)  # the article with what it relies on
            validating += time.perf_counter() - mapped
            mapping += mapped - clock
            if result.conforms or attempt == self.rounds:
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


def _pool(
    jobs: int, initializer: Callable[..., None] | None = None, initargs: tuple[Any, ...] = ()
) -> ProcessPoolExecutor:
    """Worker processes; forked where the platform allows, so the parent's identity
    index and lexicon reach them without being pickled."""
    return ProcessPoolExecutor(jobs, mp_context=fork_context(), initializer=initializer, initargs=initargs)
