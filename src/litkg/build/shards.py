"""Sharded output: the published quads as ``OUT/graph-00000.nq.gz``, … and a manifest.

One layout for the local build (``litkg build --shards N``) and the distributed one
(``--scheduler``): gzip-compressed N-Quads files of bounded size, each article's named
graph whole in one shard, and ``manifest.json`` listing every shard with its named
graphs, its quads, its size and its SHA-256. The descriptions the articles share
(:meth:`~litkg.rdf.iris.Minter.descriptions_graph`) grow with the corpus, so that one graph
is split across shards, by subject: each resource's description is whole in one shard.
The manifest names it under ``split_graphs``.

Bulk loaders take the shards as they are (``oxigraph load --file graph-*.nq.gz``,
Virtuoso's ``ld_dir`` + ``rdf_loader_run``, QLever's index builder); ``litkg load``,
``query`` and ``serve`` read them through :func:`read_manifest`. Shards are written
through fsspec, so a worker can write them to any file system it can reach
(``file://``, ``s3://``, ``memory://``), and their bytes depend only on their lines
(gzip without a time stamp or a file name).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from litkg.errors import LitkgError

MANIFEST_FILE = "manifest.json"
SHARD_FILE = re.compile(r"graph-\d{5}\.nq\.gz")
# On litkg's N-Quads zlib's level 3 compresses 18.8x at 250 MB/s, level 6 (gzip's
# default) 22.5x at 100 MB/s, level 1 17.2x at the speed of 3: writing shards is on
# the build's critical path, so 3.
COMPRESS_LEVEL = 3


def shard_name(number: int) -> str:
    """The file name of shard ``number``: ``graph-00042.nq.gz``."""
    return f"graph-{number:05d}.nq.gz"


class ShardError(LitkgError):
    """A sharded build that cannot be read: a missing or damaged shard or manifest."""


@dataclass(frozen=True)
class Shard:
    """One shard file, as the manifest lists it."""

    file: str  # its name, beside the manifest
    quads: int
    bytes: int  # compressed
    sha256: str  # of the compressed bytes
    graphs: tuple[str, ...]  # the named graphs with quads in it, sorted

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "quads": self.quads,
            "bytes": self.bytes,
            "sha256": self.sha256,
            "graphs": list(self.graphs),
        }


@dataclass(frozen=True)
class Manifest:
    """The shards of a build and the graphs split across them."""

    shards: tuple[Shard, ...]
    split_graphs: tuple[str, ...] = ()

    @property
    def quads(self) -> int:
        return sum(shard.quads for shard in self.shards)

    def to_dict(self) -> dict[str, Any]:
        graphs = {graph for shard in self.shards for graph in shard.graphs}
        return {
            "format": "application/n-quads",
            "compression": "gzip",
            "quads": self.quads,
            "graphs": len(graphs),
            "split_graphs": list(self.split_graphs),
            "shards": [shard.to_dict() for shard in self.shards],
        }


class _Hashing:
    """A binary sink that hashes and counts what passes through it to ``target``."""

    def __init__(self, target: IO[bytes]) -> None:
        self.target = target
        self.sha256 = hashlib.sha256()
        self.bytes = 0

    def write(self, data: bytes) -> int:
        self.sha256.update(data)
        self.bytes += len(data)
        return self.target.write(data)

    def flush(self) -> None:
        self.target.flush()


@dataclass
class ShardWriter:
    """Writes one shard: N-Quads text in, gzip out through fsspec, hashed as it goes."""

    directory: str  # an fsspec URL or a local path
    number: int
    _raw: IO[bytes] | None = None
    _hashing: _Hashing | None = None
    _gzip: gzip.GzipFile | None = None
    quads: int = 0
    text_bytes: int = 0  # uncompressed bytes so far
    graphs: set[str] = field(default_factory=set)

    @property
    def name(self) -> str:
        return shard_name(self.number)

    def write(self, nquads: str, graph: str) -> None:
        """Add lines (each ending in a newline) of the named graph ``graph``."""
        if not nquads:
            return
        if self._gzip is None:
            self._raw = _open_url(f"{self.directory.rstrip('/')}/{self.name}", "wb")
            self._hashing = _Hashing(self._raw)
            self._gzip = gzip.GzipFile(
                filename="", mode="wb", fileobj=self._hashing, compresslevel=COMPRESS_LEVEL, mtime=0
            )
        data = nquads.encode("utf-8")
        self._gzip.write(data)
        self.text_bytes += len(data)
        self.quads += nquads.count("\n")
        self.graphs.add(graph)

    def close(self) -> Shard | None:
        """Finish the file; None when nothing was written (no file is made)."""
        if self._gzip is None:
            return None
        assert self._raw is not None and self._hashing is not None
        self._gzip.close()
        self._raw.close()
        return Shard(
            self.name,
            self.quads,
            self._hashing.bytes,
            self._hashing.sha256.hexdigest(),
            tuple(sorted(self.graphs)),
        )


def _open_url(url: str, mode: str) -> IO[bytes]:
    """A file at an fsspec URL or local path, opened for binary writing."""
    import fsspec  # on first write: its import (0.1 s) is not for the readers of a build

    opened: IO[bytes] = fsspec.open(url, mode).open()
    return opened


def graph_of(line: str) -> str:
    """The graph IRI of an N-Quads line litkg wrote ("<s> <p> <o> <g> .\\n"): the last
    "<" opens it, since an IRI holds no "<" and the graph comes last."""
    start = line.rindex("<")
    return line[start + 1 : line.index(">", start)]


def subject_of(line: str) -> str:
    """The subject of an N-Quads line (an IRI or a blank node: no spaces)."""
    return line[: line.index(" ")]


def blocks(lines: Iterable[str], split: frozenset[str]) -> Iterator[tuple[str, str]]:
    """(graph, text) blocks of consecutive N-Quads ``lines``: one per named graph, and
    one per subject within a graph of ``split``. A shard may end after any block."""
    current: tuple[str, str] | None = None
    pending: list[str] = []
    for line in lines:
        graph = graph_of(line)
        key = (graph, subject_of(line) if graph in split else "")
        if key != current:
            if current is not None:
                yield current[0], "".join(pending)
            current, pending = key, []
        pending.append(line)
    if pending and current is not None:
        yield current[0], "".join(pending)


def write_shards(
    lines: Iterable[str], directory: str, count: int, total_bytes: int, split: frozenset[str], first: int = 0
) -> list[Shard]:
    """Write the sorted N-Quads ``lines`` (graph by graph; ``total_bytes`` of them) as at
    most ``count`` shards of about equal size, numbered from ``first``: a shard is closed
    once it holds its share, at the end of a graph (or of a subject, in a graph of
    ``split``)."""
    share = max(1, math.ceil(total_bytes / max(count, 1)))
    shards: list[Shard] = []
    writer = ShardWriter(directory, first)
    for graph, text in blocks(lines, split):
        if writer.text_bytes >= share:
            closed = writer.close()
            if closed is not None:
                shards.append(closed)
            writer = ShardWriter(directory, first + len(shards))
        writer.write(text, graph)
    closed = writer.close()
    if closed is not None:
        shards.append(closed)
    return shards


def write_manifest(directory: str, manifest: Manifest) -> str:
    """Write ``manifest.json`` beside the shards; returns its URL."""
    url = f"{directory.rstrip('/')}/{MANIFEST_FILE}"
    with _open_url(url, "wb") as handle:
        handle.write((json.dumps(manifest.to_dict(), indent=1, ensure_ascii=False) + "\n").encode("utf-8"))
    return url


def remove_stale_shards(out: Path, keep: Sequence[str]) -> None:
    """Remove the shard files (litkg's names only) an earlier build left in ``out`` that
    this build did not write: they would add quads this build does not publish."""
    kept = set(keep)
    for path in out.glob("graph-*.nq.gz"):
        if SHARD_FILE.fullmatch(path.name) and path.name not in kept:
            path.unlink()


def remove_sharded(out: Path) -> None:
    """Remove the shards and manifest an earlier sharded build left in ``out`` (an
    unsharded build replaces them: `litkg load`, `query` and `serve` prefer them)."""
    remove_stale_shards(out, [])
    manifest = out / MANIFEST_FILE
    if manifest.is_file() and _is_litkg_manifest(manifest):
        manifest.unlink()


def _is_litkg_manifest(path: Path) -> bool:
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError):
        return False
    return (
        isinstance(content, dict) and content.get("format") == "application/n-quads" and "shards" in content
    )


def read_manifest(out: Path) -> Manifest | None:
    """The manifest of the sharded build ``out``, or None when ``out`` has none. Every
    shard it lists must be there, with the size it says."""
    path = out / MANIFEST_FILE
    if not path.is_file():
        return None
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
        shards = tuple(
            Shard(s["file"], int(s["quads"]), int(s["bytes"]), s["sha256"], tuple(s["graphs"]))
            for s in content["shards"]
        )
        manifest = Manifest(shards, tuple(content.get("split_graphs", ())))
    except (ValueError, KeyError, TypeError) as exc:
        raise ShardError(f"{path}: not a litkg shard manifest: {exc}") from None
    for shard in manifest.shards:
        file = out / shard.file
        if not SHARD_FILE.fullmatch(shard.file):
            raise ShardError(f"{path}: {shard.file!r} is not a shard file name")
        if not file.is_file():
            raise ShardError(f"{file}: listed in {path} but missing")
        if file.stat().st_size != shard.bytes:
            raise ShardError(f"{file}: {file.stat().st_size} bytes, the manifest says {shard.bytes}")
    return manifest


def shard_paths(out: Path) -> list[Path] | None:
    """The shard files of the build ``out`` in manifest order, or None when unsharded."""
    manifest = read_manifest(out)
    return None if manifest is None else [out / shard.file for shard in manifest.shards]


def verify_shard(path: Path, shard: Shard) -> None:
    """Raise :class:`ShardError` unless ``path`` has the SHA-256 the manifest gives it."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    if digest.hexdigest() != shard.sha256:
        raise ShardError(f"{path}: SHA-256 {digest.hexdigest()} differs from the manifest's {shard.sha256}")
