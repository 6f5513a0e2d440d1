"""Parse: read input files into :class:`~litkg.records.Article` records, whatever their format.

Takes files (journal web page text, JATS XML; gzip allowed) and gives records, or a
:class:`~litkg.errors.ParseError` naming the file and line. Modules: ``page`` (saved
article pages), ``jats`` (JATS/NLM XML), ``references`` (reference strings), ``names``
(author names), ``repair`` (field repairs the shapes would otherwise reject).

``parse_file`` is the one entry point: it reads bytes, rejects what is not text with a
:class:`ParseError` naming the file, detects the format by content and hands the text
to the matching parser. ``iter_inputs`` expands files and directories into the list of
article files, in a stable order.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from litkg.errors import ParseError
from litkg.parse.jats import parse_jats
from litkg.parse.page import parse_page
from litkg.records import Article

INPUT_SUFFIXES = (".txt", ".xml", ".nxml", ".xml.gz", ".nxml.gz", ".txt.gz")


@dataclass(frozen=True)
class ParseOutcome:
    """Articles read and the errors met, one per rejected file, in input order."""

    articles: tuple[Article, ...]
    errors: tuple[ParseError, ...]


def iter_inputs(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Expand directories into their article files (sorted); files are taken as given."""
    for path in map(Path, paths):
        if path.is_dir():
            yield from sorted(
                p for p in path.rglob("*") if p.is_file() and p.name.lower().endswith(INPUT_SUFFIXES)
            )
        else:
            yield path


def published_names(paths: Iterable[str | Path]) -> dict[str, str]:
    """For each input file (as :func:`iter_inputs` gives it), the name it is published
    under: its path inside the directory given on the command line, after that
    directory's own name ("seeds/004_a0c0.txt", "nxml/11319941.nxml.gz"), or the file's
    name for a file given alone -- never the builder's absolute or parent path."""
    names: dict[str, str] = {}
    for argument in map(Path, paths):
        if argument.is_dir():
            label = argument.resolve().name or "input"
            for path in iter_inputs([argument]):
                names.setdefault(str(path), f"{label}/{path.relative_to(argument).as_posix()}")
        else:
            names.setdefault(str(argument), argument.name)
    return names


MAX_INPUT_BYTES = 512 * 1024 * 1024  # one article file, after decompression


def gunzip(data: bytes, source: str, limit: int = MAX_INPUT_BYTES) -> bytes:
    """Decompress gzip data, stopping at ``limit`` bytes (a small file that inflates to
    gigabytes is refused before it takes the memory), with a ParseError for bad data."""
    pieces: list[bytes] = []
    size = 0
    while data:  # one gzip member after another, as gzip.decompress reads them
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        try:
            piece = inflater.decompress(data, limit + 1 - size)
        except zlib.error as exc:
            raise ParseError(source, f"corrupt gzip data ({exc})") from None
        size += len(piece)
        pieces.append(piece)
        if size > limit:
            raise ParseError(source, f"larger than {limit:,} bytes once decompressed: not read")
        if not inflater.eof:
            raise ParseError(source, "corrupt gzip data (truncated)")
        data = inflater.unused_data.lstrip(b"\x00")
    return b"".join(pieces)


def decode_input(data: bytes, source: str) -> str:
    """Bytes of one input file -> text, or a ParseError saying why they are not text."""
    if len(data) > MAX_INPUT_BYTES:
        raise ParseError(source, f"larger than {MAX_INPUT_BYTES // (1024 * 1024)} MiB: not read")
    if data[:2] == b"\x1f\x8b":
        data = gunzip(data, source)
    if not data.strip():
        raise ParseError(source, "empty file")
    if b"\x00" in data:
        offset = data.index(b"\x00")
        raise ParseError(source, f"binary data, not text (NUL byte at offset {offset})")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ParseError(
            source, f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})", line
        ) from None
    return text


def parse_text(text: str, source: str) -> Article:
    """Parse decoded text, choosing the parser by content: XML is JATS, the rest page text."""
    if text.lstrip().startswith("<"):
        return parse_jats(text, source)
    return parse_page(text, source)


def parse_file(path: str | Path) -> Article:
    """Read and parse one article file; raise ParseError (never anything else) on bad input."""
    source = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ParseError(source, f"cannot read file: {exc.strerror or exc}") from None
    return parse_data(data, source)


def parse_data(data: bytes, source: str) -> Article:
    """Parse the bytes of one article file read from ``source`` (a path or URL); raise
    ParseError (never anything else) on bad input."""
    article = parse_text(decode_input(data, source), source)
    return replace(article, sha256=hashlib.sha256(data).hexdigest())


def parse_files(paths: Iterable[str | Path]) -> ParseOutcome:
    """Parse every input; a bad file is reported in ``errors`` and the rest still read."""
    articles: list[Article] = []
    errors: list[ParseError] = []
    for path in iter_inputs(paths):
        try:
            articles.append(parse_file(path))
        except ParseError as exc:
            errors.append(exc)
        except Exception as exc:  # a parser bug must not cost the other files: report it
            errors.append(ParseError(str(path), f"internal error: {type(exc).__name__}: {exc}"))
    return ParseOutcome(tuple(articles), tuple(errors))
