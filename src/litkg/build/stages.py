"""The build, stage by stage: parse and index (in parallel), merge the identity of works,
link, map, validate and spool (in parallel), add the corpus citation counts, write the dumps
and the dataset description."""

from __future__ import annotations

import gc
import pickle
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from litkg.build.dumps import is_dump, write_rejects
from litkg.build.options import BuildOptions
from litkg.build.report import BuildReport, Reject, write_build_report
from litkg.build.spool import GraphSink
from litkg.build.workers import _Claim, _init_worker, _map_in_worker, _Mapper, _parse_chunk, _pool
from litkg.link import Annotator
from litkg.parse import iter_inputs, published_names
from litkg.rdf.identity import Identities, IdentityStore
from litkg.rdf.iris import Minter
from litkg.rdf.lines import citation_count_lines, work_type_lines
from litkg.rdf.metadata import SourceFile, build_time, dataset_description
from litkg.rdf.ntriples import joined_lines
from litkg.validate import validate_ntriples


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


def build(
    inputs: Sequence[str | Path],
    out: Path,
    options: BuildOptions | None = None,
    *,
    progress: Callable[[str, str], None] | None = None,
    **choices: Any,
) -> BuildReport:
    """Publish every readable, valid article of ``inputs`` into ``out``.

    ``options`` (default :class:`BuildOptions`), with any of its fields given by name in
    ``choices`` (``base=``, ``formats=``, ``link=``, ``jobs=``, ``shacl_engine=`` …).
    ``jobs`` worker processes parse, link, map and validate the articles (default: one
    per core from ``parallel_from`` inputs on, else one); the output is the same
    whatever the number. ``progress`` is called with ("parsed" | "published" |
    "rejected", source) as each input is done.
    """
    options = replace(options or BuildOptions(), **choices)
    started = build_time()
    minter = Minter(options.base)
    report = BuildReport()
    paths = list(iter_inputs(inputs))
    names = published_names(inputs)
    jobs = options.workers(len(paths))
    size = options.batch_size(len(paths), jobs)
    sink = GraphSink(options.sink_buffer_lines, shared_graph=str(minter.descriptions_graph()))
    frozen_by_caller = gc.get_freeze_count()
    try:
        chunks = [(n, paths[i : i + size], sink.spool) for n, i in enumerate(range(0, len(paths), size))]
        parallel = jobs > 1 and len(chunks) > 1
        clock = time.perf_counter()
        index, annotator, stored, duplicates = _parse_stage(
            chunks, jobs if parallel else 1, options.link, report, progress, sink.spool / "identity.sqlite"
        )
        report.seconds["parse_wall"] = time.perf_counter() - clock
        clock = time.perf_counter()
        mapper = _Mapper(minter.base, index, annotator, options, sink.spool, duplicates)
        sources, citations = _map_stage(mapper, stored, jobs if parallel else 1, sink, report, progress)
        sources = [SourceFile(names.get(s.path, Path(s.path).name), s.sha256) for s in sources]
        index.close()
        report.seconds["workers_wall"] = time.perf_counter() - clock
        clock = time.perf_counter()
        _add_citation_counts(citations, minter, sink, options, report)
        del citations
        report.seconds["counts"] = time.perf_counter() - clock
        clock = time.perf_counter()
        report.files = sink.write(out, options.formats, minter.base, options.shards)
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
        license_iri=options.license_iri,
        dumps=[path.name for path in report.files if is_dump(path.name)],
    )
    metadata_path = out / "metadata.ttl"
    metadata_path.write_text(metadata.serialize(format="turtle"), encoding="utf-8")
    report.files.append(metadata_path)
    report.files.append(write_rejects(out, [r.to_dict() for r in report.rejects]))
    report.files.append(write_build_report(out, report))
    report.seconds["serialize"] = time.perf_counter() - clock
    return report


def _add_citation_counts(
    citations: Counter[str], minter: Minter, sink: GraphSink, options: BuildOptions, report: BuildReport
) -> None:
    """Add the corpus citation counts to the shared graph, once they all pass the
    shapes (with the works' types they rely on); if they fail, they are left out and
    reported as a reject. Made a few thousand works at a time, twice (to check, then to
    spool as sorted runs), so memory stays small."""
    works = sorted(citations)
    chunks = [
        {work: citations[work] for work in works[start : start + options.counts_per_run]}
        for start in range(0, len(works), options.counts_per_run)
    ]
    for chunk in chunks:
        lines = [*citation_count_lines(chunk, minter), *work_type_lines(chunk)]
        result = validate_ntriples(joined_lines(lines), engine=options.shacl_engine)
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
