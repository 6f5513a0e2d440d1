"""Published graphs spooled to disk as sorted runs, and merged into the dumps at the end.

Workers write each batch of published graphs as run files (:class:`RunWriter`): a sorted,
duplicate-free run of triple lines and a file of N-Quads blocks. :class:`GraphSink` merges
the runs (``sort -m`` where there is one, else a heap merge), so memory stays flat as the
corpus grows and the dumps depend only on the content, not the order or the processes.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TypeVar

import pyoxigraph as ox
from rdflib import Graph

from litkg.build.dumps import (
    FORMATS,
    canonical_jsonld,
    count_triples,
    jsonld_context,
    remove_stale,
    write_with_sorted_header,
)
from litkg.build.shards import (
    Manifest,
    remove_sharded,
    remove_stale_shards,
    write_manifest,
    write_shards,
)
from litkg.rdf.metadata import GraphStats
from litkg.rdf.namespaces import PREFIXES, bind_prefixes

T = TypeVar("T")


def fork_context() -> multiprocessing.context.BaseContext | None:
    """Forked worker processes where the platform allows (Linux): they start at once
    and share the parent's memory instead of receiving it pickled."""
    return multiprocessing.get_context("fork") if sys.platform == "linux" else None


@dataclass(frozen=True)
class Runs:
    """A batch of published graphs, spooled: the sorted, duplicate-free run of their
    triple lines, and a file of their N-Quads blocks (each graph's lines sorted) with
    where each block is, as (graph name, offset, length)."""

    triples: Path | None
    quads: Path | None
    graphs: tuple[tuple[str, int, int], ...]
    shared: Path | None = None  # sorted, duplicate-free lines of the shared descriptions


class GraphSink:
    """Published article graphs, spooled to disk as they come.

    The descriptions articles share (cited works, people, journals, terms) arrive as their own
    runs and become one named graph, ``shared_graph``, stated once.

    Article graphs arrive as :class:`Runs` (written by workers with :func:`write_runs`)
    or one by one (buffered here). ``write`` merges the triple runs (``sort -m -u``,
    dropping duplicates) into the sorted union of triples, and orders the graph blocks
    by graph name into the sorted quads -- a graph is one article, so its block needs
    no merging -- and streams them through pyoxigraph's writers. Memory stays bounded
    by the buffer, and the files depend only on the content. (pyoxigraph's Store was
    tried as the sink: it stores xsd:nonNegativeInteger literals as xsd:integer, which
    would change the data.)
    """

    def __init__(self, buffer_lines: int = 500_000, shared_graph: str | None = None) -> None:
        self._shared_graph = shared_graph
        self._shared_runs: list[Path] = []
        self._directory = tempfile.TemporaryDirectory(prefix="litkg-publish-")
        self._root = Path(self._directory.name)
        self._buffer_lines = buffer_lines
        self._pending: list[tuple[str, str]] = []
        self._pending_lines = 0
        self._triple_runs: list[Path] = []
        self._graphs: list[tuple[str, Path, int, int]] = []
        self._flushes = 0
        self._stats: GraphStats | None = None
        self.seconds: dict[str, float] = {}  # wall seconds of each writing step

    @property
    def spool(self) -> Path:
        """The directory where run files go (workers write theirs here too)."""
        return self._root

    def add(self, graph_name: str, ntriples: str) -> None:
        """Add one article's graph (sorted N-Triples lines) as the named graph ``graph_name``."""
        self._pending.append((graph_name, ntriples))
        self._pending_lines += ntriples.count("\n")
        if self._pending_lines >= self._buffer_lines:
            self._flush()

    def add_runs(self, runs: Runs) -> None:
        """Add the spooled graphs of :func:`write_runs` (from a worker process)."""
        if runs.triples is not None:
            self._triple_runs.append(runs.triples)
        if runs.quads is not None:
            self._graphs.extend((name, runs.quads, offset, length) for name, offset, length in runs.graphs)
        if runs.shared is not None:
            if self._shared_graph is None:
                raise ValueError("shared descriptions given to a sink without a shared graph")
            self._shared_runs.append(runs.shared)

    def add_shared(self, lines: Iterable[str]) -> None:
        """Add lines (without newlines) to the shared graph and to the union: descriptions
        made once for the whole corpus (the citation counts), not by a worker."""
        if self._shared_graph is None:
            raise ValueError("shared descriptions given to a sink without a shared graph")
        run = self._root / f"shared-parent-{len(self._shared_runs):05d}"
        _write_sorted_lines(["\n".join(lines)], run)
        self._shared_runs.append(run)
        self._triple_runs.append(run)

    def _flush(self) -> None:
        if self._pending:
            self._flushes += 1
            self.add_runs(write_runs(self._root, f"parent-{self._flushes:05d}", self._pending))
        self._pending, self._pending_lines = [], 0

    def _merged_triples(self) -> Path:
        """The sorted, duplicate-free merge of the triple runs, as one file."""
        self._flush()
        if len(self._triple_runs) == 1 and self._triple_runs[0].suffix == ".sorted":
            return self._triple_runs[0]
        merged = self._root / f"triples-{len(self._triple_runs)}.sorted"
        merge_sorted(self._triple_runs, merged)
        self._triple_runs = [merged]
        return merged

    def _union(self) -> Iterator[ox.Triple]:
        return ox.parse(path=str(self._merged_triples()), format=ox.RdfFormat.N_TRIPLES)

    def nquads(self) -> Path:
        """The quads as an N-Quads file, sorted graph first: the graph blocks in order
        of graph name (the order of their lines, since ">" ends every graph IRI)."""
        self._flush()
        # later additions make a new one
        nquads = self._root / f"quads-{len(self._graphs)}-{len(self._shared_runs)}.nq"
        if not nquads.exists():
            graphs = list(self._graphs)
            if self._shared_runs:
                assert self._shared_graph is not None
                shared = self._root / f"shared-{len(self._shared_runs)}.sorted"
                merge_sorted(self._shared_runs, shared)
                block = shared.with_suffix(".nq")
                _lines_with_graph(shared, block, self._shared_graph)
                graphs.append((self._shared_graph, block, 0, block.stat().st_size))
            _concatenate_blocks(graphs, nquads)
        return nquads

    def _named(self) -> Iterator[ox.Quad]:
        return ox.parse(path=str(self.nquads()), format=ox.RdfFormat.N_QUADS)

    def stats(self) -> GraphStats:
        """Counts of the union graph (taken while writing, else read now)."""
        if self._stats is None:
            self._stats = count_triples(self._merged_triples())
        return self._stats

    def write(self, out: Path, formats: Sequence[str], base: str, shards: int | None = None) -> list[Path]:
        """Write the requested formats into ``out`` (removing stale dumps of other formats),
        and with ``shards`` the quads as at most that many N-Quads shards with their
        manifest (:mod:`litkg.build.shards`).

        Three things run side by side: this process writes the triple formats, a
        thread assembles the quads, and another process counts the triples for
        :meth:`stats`."""
        out.mkdir(parents=True, exist_ok=True)
        prefixes = {prefix: str(ns) for prefix, ns in PREFIXES.items()} | {"litkg": base}
        self._flush()
        merged = self._timed("merge", self._merged_triples)
        # the process is forked before the thread starts: a single-threaded fork
        with ProcessPoolExecutor(1, mp_context=fork_context()) as counter:
            counting = counter.submit(count_triples, merged) if self._stats is None else None
            with ThreadPoolExecutor(1) as background:
                quads = (
                    background.submit(self._timed, "quads", self.nquads)
                    if {"nq", "trig"} & set(formats) or shards
                    else None
                )
                for name in formats:
                    path = out / FORMATS[name]
                    if name == "ttl":
                        self._timed(
                            "turtle",
                            write_with_sorted_header,
                            self._union(),
                            path,
                            ox.RdfFormat.TURTLE,
                            prefixes,
                        )
                    elif (
                        name == "jsonld"
                    ):  # through rdflib (it writes the @context); needs the graph in memory
                        union = bind_prefixes(Graph(), base)
                        data = ox.serialize(self._union(), format=ox.RdfFormat.N_TRIPLES) or b""
                        union.parse(data=data.decode("utf-8"), format="nt")
                        text = union.serialize(
                            format="json-ld", context=jsonld_context(base), auto_compact=True
                        )
                        path.write_text(canonical_jsonld(text), encoding="utf-8")
                nquads = quads.result() if quads else None
            if counting is not None:
                self._stats = self._timed("count", counting.result)
        written = []
        if shards:
            assert nquads is not None
            written = self._timed("shards", self._write_shards, nquads, out, shards)
        for name in formats:  # the line formats last: they may take the merged files
            path = out / FORMATS[name]
            if name == "nt":  # the merged lines are N-Triples already
                _place(merged, path)
            elif name == "nq":
                assert nquads is not None
                _place(nquads, path)
            elif name == "trig":
                self._timed(
                    "trig", write_with_sorted_header, self._named(), path, ox.RdfFormat.TRIG, prefixes
                )
        remove_stale(out, formats)
        if not shards:
            remove_sharded(out)
        return [out / FORMATS[name] for name in formats] + written

    def _write_shards(self, nquads: Path, out: Path, count: int) -> list[Path]:
        """The sorted quads as at most ``count`` shards, and their manifest."""
        split = frozenset([self._shared_graph] if self._shared_graph else [])
        with nquads.open(encoding="utf-8", newline="\n") as lines:
            shards = write_shards(lines, str(out), count, nquads.stat().st_size, split)
        manifest = write_manifest(str(out), Manifest(tuple(shards), tuple(sorted(split))))
        remove_stale_shards(out, [shard.file for shard in shards])
        return [out / shard.file for shard in shards] + [Path(manifest)]

    def _timed(self, step: str, action: Callable[..., T], *args: object) -> T:
        started = time.perf_counter()
        try:
            return action(*args)
        finally:
            self.seconds[step] = self.seconds.get(step, 0.0) + time.perf_counter() - started

    def close(self) -> None:
        self._directory.cleanup()


def _place(source: Path, target: Path) -> None:
    """Put a finished spool file at ``target``: a hard link when both are on one file
    system (no copy of gigabytes), else a copy."""
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def merge_sorted(runs: Sequence[Path], target: Path) -> None:
    """Merge sorted run files into ``target``, dropping duplicate lines. GNU/BSD ``sort
    -m -u`` in the C locale does it at C speed (byte order of UTF-8 is code-point order,
    the order Python sorted the runs in); heapq.merge is the fallback."""
    sort = shutil.which("sort")
    if sort is not None and runs:
        environment = {**os.environ, "LC_ALL": "C"}
        # all runs in one pass: by default sort merges 16 at a time through temporary files
        merge = [sort, "-m", "-u", f"--batch-size={max(2, min(len(runs), 512))}", *map(str, runs)]
        with target.open("wb") as output:
            if subprocess.run(merge, stdout=output, env=environment, check=False).returncode == 0:
                return
    with contextlib.ExitStack() as stack:
        sources = [stack.enter_context(run.open(encoding="utf-8")) for run in runs]
        with target.open("w", encoding="utf-8") as output:
            previous = None
            for line in heapq.merge(*sources, key=_without_newline):
                if line != previous:
                    output.write(line)
                    previous = line


def _without_newline(line: str) -> str:
    return line[:-1] if line.endswith("\n") else line


class RunWriter:
    """Spools one batch of published graphs as they are made, for
    :meth:`GraphSink.add_runs`: each graph's N-Quads block goes to the batch's quads
    file at once; the lines the batch adds to the union graph are kept, one string per
    graph, until :meth:`close` writes them as one sorted, duplicate-free run. So a
    worker holds little more than the graph it is making."""

    def __init__(self, directory: Path, name: str) -> None:
        self._triples_run = directory / f"triples-{name}"
        self._quads_run = directory / f"quads-{name}"
        self._shared_run = directory / f"shared-{name}"
        self._quads: BinaryIO | None = None
        self._index: list[tuple[str, int, int]] = []
        self._offset = 0
        self._union: list[str] = []
        self._shared: list[str] = []

    def add(
        self, graph_name: str, ntriples: str, union: Iterable[str] | None = None, shared: Iterable[str] = ()
    ) -> None:
        """One graph (its N-Triples, each line sorted); ``union``: the lines (without
        newlines) it adds to the union graph, when the caller knows them to be fewer than
        all its lines, by default all lines; ``shared``: lines (without newlines) of the
        shared descriptions the graph relies on that this writer has not been given yet
        (they go to the shared graph, and to the union)."""
        if not ntriples.strip():
            return
        if shared:
            self._shared.append("\n".join(shared))
        if self._quads is None:
            self._quads = self._quads_run.open("wb")
        block = with_graph(ntriples, graph_name).encode("utf-8")
        self._quads.write(block)
        self._index.append((graph_name, self._offset, len(block)))
        self._offset += len(block)
        if union is None:
            self._union.append(ntriples)
        else:
            self._union.append("\n".join(union))

    def close(self) -> Runs:
        if self._quads is None:
            return Runs(None, None, ())
        self._quads.close()
        shared = None
        if self._shared:
            shared = self._shared_run
            _write_sorted_lines(self._shared, shared)
        _write_sorted_lines(self._union + self._shared, self._triples_run)
        self._union, self._shared = [], []
        return Runs(self._triples_run, self._quads_run, tuple(self._index), shared)


def _write_sorted_lines(texts: Sequence[str], path: Path) -> None:
    """Write the distinct lines of ``texts``, sorted, to ``path``."""
    # split on "\n" only: str.splitlines() also breaks at form feeds and U+2028, which
    # N-Triples leaves unescaped inside literals; dict.fromkeys keeps the order of each
    # text's sorted lines, which sorted() then merges as runs
    lines = sorted(dict.fromkeys(line for text in texts for line in text.split("\n") if line.strip()))
    with path.open("w", encoding="utf-8") as handle:
        handle.writelines(f"{line}\n" for line in lines)


def write_runs(
    directory: Path, name: str, graphs: Iterable[tuple[str, str]], union: Iterable[str] | None = None
) -> Runs:
    """Spool a batch of published graphs ((graph name, sorted N-Triples) pairs) at once
    (see :class:`RunWriter`); ``union``: the lines the whole batch adds to the union
    graph, by default all lines of its graphs."""
    writer = RunWriter(directory, name)
    for graph_name, ntriples in graphs:
        writer.add(graph_name, ntriples, None if union is None else ())
    if union is not None:
        writer._union.append("\n".join(union))
    return writer.close()


_LINE_END = re.compile(r"[ \t]*\.[ \t]*\n")


def with_graph(ntriples: str, graph_name: str) -> str:
    """N-Triples lines as N-Quads lines of the graph ``graph_name``: "<s> <p> <o> ." ->
    "<s> <p> <o> <g> .". Every newline ends a line (N-Triples escapes those inside
    literals), so the ending " .\n" can be replaced throughout the text at once."""
    if not ntriples.endswith("\n"):
        ntriples += "\n"
    tail = f" <{graph_name}> .\n"
    if ntriples.count(" .\n") == ntriples.count("\n"):
        return ntriples.replace(" .\n", tail)
    return _LINE_END.sub(
        lambda _: tail, "\n".join(line for line in ntriples.split("\n") if line.strip()) + "\n"
    )


def _lines_with_graph(ntriples: Path, target: Path, graph_name: str, chunk: int = 1 << 22) -> None:
    """Stream an N-Triples file into ``target`` as N-Quads lines of ``graph_name``."""
    with ntriples.open(encoding="utf-8", newline="\n") as source, target.open("wb") as output:
        while lines := source.readlines(chunk):
            output.write(with_graph("".join(lines), graph_name).encode("utf-8"))


def _concatenate_blocks(graphs: Sequence[tuple[str, Path, int, int]], target: Path) -> None:
    """Write the graph blocks ordered by graph name; blocks of one graph name (one
    article given twice) are merged line by line."""
    with contextlib.ExitStack() as stack, target.open("wb") as output:
        files: dict[Path, BinaryIO] = {}

        def opened(path: Path, offset: int) -> BinaryIO:
            if path not in files:
                files[path] = stack.enter_context(path.open("rb"))
            files[path].seek(offset)
            return files[path]

        def block(path: Path, offset: int, length: int) -> bytes:
            return opened(path, offset).read(length)

        for _, group in itertools.groupby(sorted(graphs), key=lambda graph: graph[0]):
            located = list(group)
            if len(located) == 1:  # copied in pieces: the shared graph's block is large
                _, path, offset, length = located[0]
                source = opened(path, offset)
                while length > 0:
                    piece = source.read(min(length, 1 << 20))
                    if not piece:
                        break
                    output.write(piece)
                    length -= len(piece)
            else:
                parts = [block(path, offset, length) for _, path, offset, length in located]
                lines = {line for part in parts for line in part.split(b"\n") if line}
                output.write(b"".join(line + b"\n" for line in sorted(lines)))
