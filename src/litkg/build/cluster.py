"""The build on a Dask cluster: ``litkg build INPUT... -o OUT --scheduler ADDRESS``.

The same stages as the local build (:mod:`litkg.build.stages`), as Dask tasks, with the
same output: the union of the shards is the set of quads the local build publishes.

1. *Parse*: one task per chunk of inputs reads its files (through fsspec: ``file://``,
   ``s3://``, …), spools its articles, and keeps its part of the identity index on the
   worker as rows (:func:`~litkg.build.resolve.index_rows`).
2. *Identity*: the rows become Dask DataFrames and the corpus's identity is resolved by
   shuffles (:class:`~litkg.build.resolve.Resolved`); each chunk's answers are written to
   the spool as one :class:`~litkg.rdf.identity.IdentityView`.
3. *Map*: one task per chunk links, maps and validates its articles as the local
   workers do (:class:`~litkg.build.workers._Mapper`), writes their graphs as one
   shard, and routes the lines of the descriptions they rely on, the lines of their
   graphs the descriptions graph may also have, and the works they cite to buckets by
   subject (files in the spool: a shuffle through shared storage). Their other lines
   (annotations, references, text parts: most of them) are in no other graph, and are
   counted for the dataset description where they are made.
4. *Counts and descriptions*: one task per bucket counts its cited works and checks
   the counts against the shapes; then one per bucket merges its descriptions (each
   once) into a shard of the descriptions graph, and counts its part of the union for
   the dataset description.
5. The client writes ``manifest.json``, ``metadata.ttl``, ``rejects.json`` and
   ``report.json`` from what the tasks report: it never holds the corpus.

Every task writes only files named by its chunk or bucket, so a task run again (its
worker died) writes the same files, and the output is complete and has no article
twice. The spool is a directory beside the output (``OUT/_spool/RUN``), removed at the end.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import pickle
import posixpath
import tempfile
import time
import uuid
import zlib
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from litkg.build.dumps import FORMATS, count_lines, count_triples, write_rejects_text
from litkg.build.options import BuildOptions
from litkg.build.report import BuildReport, Reject, build_report_text
from litkg.build.resolve import (
    ANSWERS,
    TABLES,
    Resolved,
    _empty,
    followed_questions,
    index_rows,
    questions,
    view_of,
)
from litkg.build.shards import Manifest, Shard, ShardWriter, remove_stale_shards, subject_of, write_manifest
from litkg.build.spool import merge_sorted, with_graph
from litkg.build.workers import _Mapper
from litkg.errors import LitkgError, ParseError
from litkg.parse import INPUT_SUFFIXES, iter_inputs, parse_data, published_names
from litkg.parse.repair import Repair, repair_article
from litkg.rdf.identity import IdentityIndex, IdentityView
from litkg.rdf.iris import Minter
from litkg.rdf.lines import citation_count_lines, work_type_lines
from litkg.rdf.mapping import DESCRIPTION_PARTS
from litkg.rdf.metadata import GraphStats, SourceFile, build_time, dataset_description
from litkg.rdf.ntriples import joined_lines
from litkg.records import Article
from litkg.validate import Violation, validate_ntriples

SPOOL = "_spool"
# the most identifier links (token -> work rows) a partition of the identity step holds.
# An article has about 50, so 10,000 articles fill one partition and PMC's 6 million
# about 600; a partition's two string columns take some 60 MB, a few times that while
# joined (benchmarks/identity_scale.py, at this sizing: 10 million references resolved in
# 42 partitions by two workers of 1.5 GB each, which spilled the rest)
EDGES_PER_PARTITION = 500_000


class ClusterError(LitkgError):
    """The cluster could not be reached or used."""


# --- where things are ------------------------------------------------------------------


def _fs(url: str) -> tuple[Any, str]:
    """The fsspec file system of ``url`` (or local path) and the path in it."""
    import fsspec

    return fsspec.core.url_to_fs(url)


def _join(url: str, *parts: str) -> str:
    return "/".join([url.rstrip("/"), *parts])


def _is_url(text: str) -> bool:
    return "://" in text and not text.startswith("file://")


def cluster_inputs(inputs: Sequence[str | Path]) -> tuple[list[str], dict[str, str]]:
    """The input files (local paths as the local build lists them, so the articles'
    sources and hence their IRIs are the same; URLs of other file systems expanded
    through fsspec), and the name each is published under."""
    local = [Path(str(i).removeprefix("file://")) for i in inputs if not _is_url(str(i))]
    sources = [str(p) for p in iter_inputs(local)]
    names = published_names(local)
    for url in (str(i) for i in inputs if _is_url(str(i))):
        fs, path = _fs(url)
        protocol = url.split("://", 1)[0]
        if fs.isdir(path):
            label = path.rstrip("/").rsplit("/", 1)[-1] or "input"
            found = sorted(p for p in fs.find(path) if p.lower().endswith(INPUT_SUFFIXES))
            for file in found:
                source = f"{protocol}://{file}"
                sources.append(source)
                names.setdefault(source, f"{label}/{file[len(path.rstrip('/')) + 1 :]}")
        else:
            sources.append(url)
            names.setdefault(url, path.rsplit("/", 1)[-1])
    return sources, names


def read_input(source: str) -> bytes:
    """The bytes of an input file or URL; ParseError naming it when unreadable."""
    try:
        if _is_url(source):
            fs, path = _fs(source)
            with fs.open(path, "rb") as handle:
                data: bytes = handle.read()
                return data
        return Path(source).read_bytes()
    except (OSError, ValueError) as exc:
        raise ParseError(source, f"cannot read file: {getattr(exc, 'strerror', None) or exc}") from None


def _write_bytes(url: str, data: bytes) -> None:
    fs, path = _fs(url)
    fs.makedirs(posixpath.dirname(path), exist_ok=True)  # local file systems do not make them
    with fs.open(path, "wb") as handle:
        handle.write(data)


def _read_bytes(url: str) -> bytes | None:
    fs, path = _fs(url)
    if not fs.exists(path):
        return None
    with fs.open(path, "rb") as handle:
        data: bytes = handle.read()
        return data


def bucket_of(subject: str, buckets: int) -> int:
    """The bucket of a subject: the same in every process (Python's hash is salted)."""
    return zlib.crc32(subject.encode("utf-8")) % buckets


def _routed(lines: Iterable[str], buckets: int) -> dict[int, list[str]]:
    routed: dict[int, list[str]] = {}
    for line in lines:
        if line:
            routed.setdefault(bucket_of(subject_of(line), buckets), []).append(line)
    return routed


def _write_routed(spool: str, kind: str, name: str, lines: Iterable[str], buckets: int) -> None:
    """Write ``lines`` (N-Triples lines, no newline) to ``spool/kind/BUCKET/name``, each
    line to the bucket of its subject, sorted and each once."""
    for bucket, mine in _routed(lines, buckets).items():
        text = joined_lines(mine)
        _write_bytes(_join(spool, kind, f"{bucket:05d}", name), zlib.compress(text.encode("utf-8"), 1))


def _bucket_files(spool: str, kind: str, bucket: int) -> list[str]:
    """The part files spooled to ``kind``'s bucket ``bucket``."""
    fs, path = _fs(_join(spool, kind, f"{bucket:05d}"))
    if not fs.exists(path):
        return []
    protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
    return [f"{protocol}://{file}" for file in sorted(fs.ls(path, detail=False))]


def _fetched(urls: Sequence[str], directory: Path) -> list[Path]:
    """Each spooled part (zlib-compressed sorted lines) decompressed into ``directory``,
    streamed: what ``sort -m`` merges must be local files."""
    local = []
    for number, url in enumerate(urls):
        target = directory / f"part-{number:06d}"
        inflate = zlib.decompressobj()
        fs, path = _fs(url)
        with fs.open(path, "rb") as source, target.open("wb") as output:
            while block := source.read(1 << 20):
                output.write(inflate.decompress(block))
            output.write(inflate.flush())
        local.append(target)
    return local


# --- the tasks -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Parsed:
    """What a parse task keeps on its worker: the chunk's identity rows and questions,
    and what it reports to the client."""

    report: _ParseReport
    tables: dict[str, pd.DataFrame]


@dataclass(frozen=True)
class _ParseReport:
    sources: list[str]
    rejects: list[Reject]
    repairs: list[Repair]
    seconds: float
    edges: int  # identifier links (rows of the "edges" table)


def parse_task(number: int, sources: list[str], spool: str) -> _Parsed:
    """Stage 1 for one chunk: parse, repair, spool the articles, index them as rows."""
    started = time.perf_counter()
    articles: list[Article] = []
    rejects: list[Reject] = []
    repairs: list[Repair] = []
    for source in sources:
        try:
            article, repaired = repair_article(parse_data(read_input(source), source))
            articles.append(article)
            repairs.extend(repaired)
        except ParseError as exc:
            rejects.append(Reject(exc.source, "parse", exc.message, exc.line))
        except Exception as exc:  # a parser bug must not lose the chunk: report the input
            rejects.append(Reject(source, "parse", f"internal error: {type(exc).__name__}: {exc}"))
    index = IdentityIndex()
    for article in articles:
        index.add_article(article)
    _write_bytes(_join(spool, "articles", f"{number:06d}.pickle"), pickle.dumps(articles, 5))
    tables = index_rows(number, index, articles)
    tables["questions"] = questions(number, articles)
    seconds = time.perf_counter() - started
    return _Parsed(_ParseReport(sources, rejects, repairs, seconds, len(tables["edges"])), tables)


def identity_partitions(edges: int, workers: int, chunks: int) -> int:
    """How many partitions the identity step's tables are shuffled into: enough that none
    holds more than :data:`EDGES_PER_PARTITION` links, and one per worker (or chunk, if
    fewer) at least. More cost time and no memory: each shuffle's tasks grow with the
    partitions (2,000 articles on 2 workers: identity 11 s in 8 partitions, 6 s in 2)."""
    return max(1, min(workers, chunks), -(-edges // EDGES_PER_PARTITION))


def _peak_rss() -> int:
    """This process's peak resident set since it started or since :func:`_stage_peak_rss`
    last started it anew, in bytes: Linux's VmHWM, else getrusage's maximum."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024  # kB
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def _stage_peak_rss() -> int:
    """This process's peak resident set (:func:`_peak_rss`), then the peak started anew
    from what the process holds now, so the next call tells the next stage's peak (Linux:
    "5" written to /proc/self/clear_refs resets VmHWM). Where it cannot be reset, the
    next call tells the peak since the process started."""
    peak = _peak_rss()
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")
    return peak


def _record_stage_peaks(client: Any, report: BuildReport, stage: str) -> None:
    """Each worker's peak resident set during ``stage`` (since the last record), by address.
    A worker that cannot answer (it died, and its nanny is starting it again) is left out:
    a figure must never fail the build."""
    peaks = client.run(_stage_peak_rss, on_error="ignore")
    report.worker_peak_rss_by_stage[stage] = dict(sorted(peaks.items()))


def whole_build_peaks(by_stage: dict[str, dict[str, int]]) -> dict[str, int]:
    """Each worker's peak over the stages (a worker started again after one died has a
    new address, and peaks only in the stages it ran)."""
    peaks: dict[str, int] = {}
    for stage in by_stage.values():
        for worker, peak in stage.items():
            peaks[worker] = max(peaks.get(worker, 0), peak)
    return dict(sorted(peaks.items()))


def _report_of(parsed: _Parsed) -> _ParseReport:
    return parsed.report


def _table_of(parsed: _Parsed, name: str) -> pd.DataFrame:
    return parsed.tables[name]


def _write_views(part: pd.DataFrame, spool: str) -> pd.DataFrame:
    """Write each chunk's answers (the partition holds each chunk whole) as its view."""
    written = []
    for chunk, rows in part.groupby("chunk", sort=True):
        view = view_of(rows)
        _write_bytes(_join(spool, "views", f"{int(chunk):06d}.pickle"), pickle.dumps(view, 5))
        written.append(int(chunk))
    return pd.DataFrame({"chunk": pd.Series(written, dtype="int64")})


@dataclass(frozen=True)
class _MappedChunk:
    """What a map task reports to the client for one chunk."""

    published: list[tuple[str, str]]  # (source, sha256) of each published article, in order
    rejects: list[Reject]
    repairs: list[Repair]
    shard: Shard | None
    seconds: dict[str, float] = field(default_factory=dict)
    # the counts of the chunk's graph lines no other graph can have (see _in_one_graph)
    own: GraphStats = field(default_factory=lambda: GraphStats(0, 0, frozenset(), frozenset()))


_ANNOTATORS: dict[bool, Any] = {}  # the linker of this worker process, loaded once
# the shared descriptions this worker process made, by (base, the run's spool): the next
# chunks of the same run reuse them, as a local worker does across its chunks
_MEMOS: dict[tuple[str, str], OrderedDict[tuple[str, str], bytes]] = {}


def _annotator(link: bool) -> Any:
    if not link:
        return None
    if True not in _ANNOTATORS:
        from litkg.link import Annotator

        _ANNOTATORS[True] = Annotator()
        # hundreds of thousands of long-lived objects: out of the collector's sight, which
        # would otherwise walk them again and again while the articles are linked (as the
        # local build freezes them before forking its workers). Only in a process started
        # to be a worker (by a nanny): a worker thread in the caller's process (an
        # in-process cluster) would freeze the caller's objects for good.
        if multiprocessing.parent_process() is not None:
            gc.freeze()
    return _ANNOTATORS[True]


def map_task(
    number: int, skip: frozenset[str], spool: str, out: str, options: BuildOptions, buckets: int
) -> _MappedChunk:
    """Stage 3 for one chunk: link, map and validate each article, write the chunk's
    shard, and route its shared descriptions, union lines and citations to buckets."""
    clock = time.perf_counter()
    articles: list[Article] = pickle.loads(
        _read_bytes(_join(spool, "articles", f"{number:06d}.pickle")) or b""
    )
    stored = _read_bytes(_join(spool, "views", f"{number:06d}.pickle"))
    view: IdentityView = pickle.loads(stored) if stored else view_of(_empty(ANSWERS))
    memo = _MEMOS.setdefault((options.base, spool), OrderedDict())
    for other in [key for key in _MEMOS if key != (options.base, spool)]:
        del _MEMOS[other]  # an earlier build's
    mapper = _Mapper(options.base, view, _annotator(options.link), options, None, skip, memo)
    loaded = time.perf_counter()
    published: list[tuple[str, str]] = []
    rejects: list[Reject] = []
    repairs: list[Repair] = []
    graphs: dict[str, str] = {}
    shared: list[str] = []
    union: list[str] = []  # the lines the descriptions graph may have too: deduplicated by bucket
    own: list[str] = []  # the lines only their article's graph has: counted here
    cited: Counter[str] = Counter()
    for article in articles:
        if article.source in skip:
            continue
        mapped = mapper(article)
        if mapped.error:
            rejects.append(Reject(mapped.source, "map", mapped.error))
        elif mapped.violations:
            message = f"{len(mapped.violations)} SHACL violation(s)"
            rejects.append(Reject(mapped.source, "validate", message, violations=mapped.violations))
        else:
            published.append((mapped.source, mapped.sha256))
            repairs.extend(mapped.repairs)
            graphs[mapped.graph_name] = mapped.ntriples
            shared.extend(mapped.shared)
            tree = Minter.work_of_graph(mapped.graph_name)
            for line in mapped.ntriples.split("\n"):
                if line:
                    (own if _in_one_graph(subject_of(line), tree) else union).append(line)
            cited.update(mapped.cited)
    mapped_at = time.perf_counter()
    writer = ShardWriter(out, number)
    for name in sorted(graphs):
        writer.write(with_graph(graphs[name], name), name)
    shard = writer.close()
    name = f"{number:06d}"
    _write_routed(spool, "shared", name, shared, buckets)
    _write_routed(spool, "union", name, union, buckets)
    citing: dict[int, list[str]] = {}  # "work<TAB>count" lines, by the bucket of the work's node
    for work, count in cited.items():
        citing.setdefault(bucket_of(f"<{work}>", buckets), []).append(f"{work}\t{count}")
    for bucket, lines in citing.items():
        _write_bytes(_join(spool, "cited", f"{bucket:05d}", name), "\n".join(sorted(lines)).encode("utf-8"))
    stats = count_lines(own)
    seconds = {"load": loaded - clock, "map": mapped_at - loaded, "spool": time.perf_counter() - mapped_at}
    return _MappedChunk(published, rejects, repairs, shard, seconds, stats)


def _in_one_graph(subject: str, work: str) -> bool:
    """Whether the lines about ``subject`` in the graph of the article ``work`` can be in
    no other graph: the subject is a part of the article (its annotations, references,
    text parts ...) and not one a description of the work as a cited work has. Those
    lines are counted for the dataset description where they are made, instead of being
    routed to a bucket to meet the descriptions graph (most of an article's lines). The
    one case this misreads: a cited work whose DOI is the article's followed by one of its
    part paths ("…/annotation/3"), whose node would then be a part's."""
    if not work or not subject.startswith(f"<{work}/"):
        return False
    kind = subject[len(work) + 2 :].split("/", 1)[0].rstrip(">")
    return kind not in DESCRIPTION_PARTS


def _cited_counts(spool: str, bucket: int) -> Counter[str]:
    """How many published articles cite each work of ``bucket``, summed over the chunks."""
    counts: Counter[str] = Counter()
    for url in _bucket_files(spool, "cited", bucket):
        for line in (_read_bytes(url) or b"").decode("utf-8").split("\n"):
            if line:
                work, count = line.split("\t")
                counts[work] += int(count)
    return counts


def counts_task(bucket: int, spool: str, options: BuildOptions, buckets: int) -> tuple[Violation, ...]:
    """Stage 4a for one bucket: the corpus citation counts of its works, checked against
    the shapes a few thousand at a time (as the local build does) and routed to the
    buckets of their subjects; the violations when they do not conform."""
    minter = Minter(options.base)
    counts = _cited_counts(spool, bucket)
    works = sorted(counts)
    lines: list[str] = []
    for start in range(0, len(works), options.counts_per_run):
        chunk = {work: counts[work] for work in works[start : start + options.counts_per_run]}
        made = citation_count_lines(chunk, minter)
        result = validate_ntriples(
            joined_lines([*made, *work_type_lines(chunk)]), engine=options.shacl_engine
        )
        if not result.conforms:
            return tuple(result.violations)
        lines.extend(made)
    _write_routed(spool, "counts", f"{bucket:05d}", lines, buckets)
    return ()


def descriptions_task(
    bucket: int, number: int, spool: str, out: str, graph: str, with_counts: bool
) -> tuple[Shard | None, GraphStats]:
    """Stage 4b for one bucket: its shared descriptions (and citation counts), each
    once, as shard ``number`` of the descriptions graph; and the counts of its part of
    the union (its subjects' triples), for the dataset description. The parts are
    merged on local disk (``sort -m -u``), so memory stays flat whatever the bucket's size."""
    with tempfile.TemporaryDirectory(prefix="litkg-bucket-") as work:
        directory = Path(work)
        (directory / "shared").mkdir()
        (directory / "union").mkdir()
        parts = _bucket_files(spool, "shared", bucket)
        if with_counts:
            parts += _bucket_files(spool, "counts", bucket)
        shared = directory / "shared.sorted"
        merge_sorted(_fetched(parts, directory / "shared"), shared)
        writer = ShardWriter(out, number)
        with shared.open(encoding="utf-8", newline="\n") as lines:
            while block := lines.readlines(1 << 22):
                writer.write(with_graph("".join(block), graph), graph)
        shard = writer.close()
        union = directory / "union.sorted"
        merge_sorted([shared, *_fetched(_bucket_files(spool, "union", bucket), directory / "union")], union)
        return shard, count_triples(union)


# --- the client ------------------------------------------------------------------------


@contextlib.contextmanager
def connected(scheduler: str, workers: int, timeout: float = 30.0) -> Iterator[Any]:
    """A Dask client of the scheduler at ``scheduler`` (``tcp://host:8786``), or of a
    LocalCluster of ``workers`` single-threaded worker processes on the loopback
    interface (``local``), closed afterwards."""
    from distributed import Client, LocalCluster

    with contextlib.ExitStack() as stack:
        try:
            if scheduler == "local":
                cluster = stack.enter_context(
                    LocalCluster(
                        n_workers=workers,
                        threads_per_worker=1,
                        host="127.0.0.1",
                        dashboard_address="127.0.0.1:0",  # a free loopback port: no clash
                        silence_logs=logging.ERROR,
                    )
                )
                client = stack.enter_context(Client(cluster))
            else:
                client = stack.enter_context(Client(scheduler, timeout=f"{timeout}s"))
        except (OSError, TimeoutError) as exc:
            raise ClusterError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        yield client


def build_on_cluster(
    inputs: Sequence[str | Path],
    out: str | Path,
    options: BuildOptions,
    scheduler: str,
    *,
    progress: Callable[[str, str], None] | None = None,
) -> BuildReport:
    """Publish every readable, valid article of ``inputs`` into ``out`` (a path or an
    fsspec URL) as N-Quads shards, on the Dask cluster at ``scheduler`` (or ``local``)."""
    started = build_time()
    out = str(out)
    fs, out_path = _fs(out)
    fs.makedirs(out_path, exist_ok=True)
    spool = _join(out, SPOOL, uuid.uuid4().hex)  # this run's: workers' memos are per run
    report = BuildReport()
    sources, names = cluster_inputs(inputs)
    jobs = options.jobs or 2
    try:
        with connected(scheduler, jobs, options.scheduler_timeout) as client:
            workers = max(1, len(client.scheduler_info().get("workers", {})) or jobs)
            size = options.batch_size(len(sources), workers)
            chunks = [sources[i : i + size] for i in range(0, len(sources), size)]
            # a bucket's descriptions are one shard: as many as 8 tasks of articles make
            buckets = options.shards or max(2 * workers, len(chunks) // 8)
            published, stats, shards = _run(client, chunks, spool, out, options, buckets, report, progress)
    finally:
        spool_fs, spool_path = _fs(spool)
        if spool_fs.exists(spool_path):
            spool_fs.rm(spool_path, recursive=True)
        parent = posixpath.dirname(spool_path.rstrip("/"))
        if spool_fs.exists(parent) and not spool_fs.ls(parent):
            spool_fs.rmdir(parent)
    minter = Minter(options.base)
    manifest = Manifest(tuple(shards), (str(minter.descriptions_graph()),))
    files = [_join(out, shard.file) for shard in shards]
    files.append(write_manifest(out, manifest))
    if not _is_url(out):
        local = Path(out.removeprefix("file://"))
        remove_stale_shards(local, [shard.file for shard in shards])
        for name in FORMATS.values():  # an earlier local build's dumps would contradict this one
            (local / name).unlink(missing_ok=True)
    report.triples = stats.triples
    metadata = dataset_description(
        stats,
        minter,
        [SourceFile(names.get(source, source), sha256) for source, sha256 in published],
        started=started,
        ended=build_time(),
        articles=len(report.published),
        rejected=len(report.rejects),
        license_iri=options.license_iri,
        dumps=[shard.file for shard in shards],
    )
    _write_bytes(_join(out, "metadata.ttl"), metadata.serialize(format="turtle").encode("utf-8"))
    _write_bytes(_join(out, "rejects.json"), write_rejects_text([r.to_dict() for r in report.rejects]))
    _write_bytes(_join(out, "report.json"), build_report_text(report))
    written = [*files, *(_join(out, name) for name in ("metadata.ttl", "rejects.json", "report.json"))]
    report.files = [Path(f.removeprefix("file://")) for f in written]
    return report


def _run(
    client: Any,
    chunks: list[list[str]],
    spool: str,
    out: str,
    options: BuildOptions,
    buckets: int,
    report: BuildReport,
    progress: Callable[[str, str], None] | None,
) -> tuple[list[tuple[str, str]], GraphStats, list[Shard]]:
    import dask.dataframe as dd
    from distributed import as_completed

    numbers = list(range(len(chunks)))
    client.run(_stage_peak_rss, on_error="ignore")  # a running cluster's workers may have built before
    clock = time.perf_counter()
    parsed = client.map(parse_task, numbers, chunks, spool=spool, key=[f"parse-{n}" for n in numbers])
    reports = client.map(_report_of, parsed, key=[f"parse-report-{n}" for n in numbers])
    for future in as_completed(reports):
        if progress:
            for source in future.result().sources:
                progress("parsed", source)
    parse_reports: list[_ParseReport] = client.gather(reports)
    report.seconds["parse_wall"] = time.perf_counter() - clock
    report.seconds["parse"] = sum(r.seconds for r in parse_reports)
    for part in parse_reports:
        report.rejects.extend(part.rejects)
        report.repairs.extend(part.repairs)
    _record_stage_peaks(client, report, "parse")

    clock = time.perf_counter()
    workers = len(client.scheduler_info().get("workers", {})) or 1
    partitions = identity_partitions(sum(r.edges for r in parse_reports), workers, len(chunks))
    tables = {
        name: dd.from_delayed(
            [
                client.submit(_table_of, p, name, key=f"table-{name}-{n}")
                for n, p in zip(numbers, parsed, strict=True)
            ],
            meta=_empty(columns),
            verify_meta=False,
        )
        for name, columns in TABLES.items()
    }
    resolved = Resolved(tables, partitions)
    duplicates = resolved.duplicates()
    answers = [resolved.answer(tables["questions"]).persist()]
    for _ in range(3):  # roots -> descriptions, types; -> their people; -> ORCID iDs
        asked = answers[-1].map_partitions(followed_questions, meta=_empty(TABLES["questions"]))
        answers.append(resolved.answer(asked).persist())
    everything = dd.concat([round_[list(ANSWERS)] for round_ in answers]).shuffle(
        "chunk", npartitions=partitions
    )
    everything.map_partitions(_write_views, spool, meta={"chunk": "int64"}).compute()
    del answers, everything, resolved, tables, parsed
    report.seconds["identity"] = time.perf_counter() - clock
    _record_stage_peaks(client, report, "identity")
    for source in (source for chunk in chunks for source in chunk if source in duplicates):  # input order
        message = f"the same article as {duplicates[source]}, which is published instead"
        report.rejects.append(Reject(source, "duplicate", message))
    report.repairs = [repair for repair in report.repairs if repair.source not in duplicates]

    clock = time.perf_counter()
    skips = [frozenset(s for s in chunk if s in duplicates) for chunk in chunks]
    mapped = client.map(
        map_task,
        numbers,
        skips,
        spool=spool,
        out=out,
        options=options,
        buckets=buckets,
        key=[f"map-{n}" for n in numbers],
    )
    results: list[_MappedChunk] = client.gather(mapped)
    report.seconds["workers_wall"] = time.perf_counter() - clock
    _record_stage_peaks(client, report, "map")
    published: list[tuple[str, str]] = []
    shards: list[Shard] = []
    for result in results:
        for stage, seconds in result.seconds.items():
            report.seconds[stage] = report.seconds.get(stage, 0.0) + seconds
        report.rejects.extend(result.rejects)
        report.repairs.extend(result.repairs)
        published.extend(result.published)
        report.published.extend(source for source, _ in result.published)
        if result.shard is not None:
            shards.append(result.shard)
        if progress:
            for source, _ in result.published:
                progress("published", source)
            for reject in result.rejects:
                progress("rejected", reject.source)

    clock = time.perf_counter()
    bucket_numbers = list(range(buckets))
    checked = client.gather(
        client.map(
            counts_task,
            bucket_numbers,
            spool=spool,
            options=options,
            buckets=buckets,
            key=[f"counts-{b}" for b in bucket_numbers],
        )
    )
    failing = next((violations for violations in checked if violations), ())
    if failing:
        minter = Minter(options.base)
        message = f"citation counts left out: {len(failing)} SHACL violation(s)"
        report.rejects.append(Reject(str(minter.dataset()), "validate", message, violations=failing))
    graph = str(Minter(options.base).descriptions_graph())
    described = client.gather(
        client.map(
            descriptions_task,
            bucket_numbers,
            [len(chunks) + b for b in bucket_numbers],
            spool=spool,
            out=out,
            graph=graph,
            with_counts=not failing,
            key=[f"descriptions-{b}" for b in bucket_numbers],
        )
    )
    report.seconds["counts_and_descriptions"] = time.perf_counter() - clock
    _record_stage_peaks(client, report, "counts_and_descriptions")
    report.worker_peak_rss = whole_build_peaks(report.worker_peak_rss_by_stage)
    triples = sum(result.own.triples for result in results)
    subjects = sum(result.own.subjects for result in results)
    predicates: set[str] = set().union(*(result.own.predicates for result in results))
    classes: set[str] = set().union(*(result.own.classes for result in results))
    for shard, stats in described:
        if shard is not None:
            shards.append(shard)
        triples += stats.triples
        subjects += stats.subjects
        predicates |= stats.predicates
        classes |= stats.classes
    return published, GraphStats(triples, subjects, frozenset(predicates), frozenset(classes)), shards
