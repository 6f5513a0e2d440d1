"""Write published graphs: Turtle, N-Triples, N-Quads, TriG, JSON-LD, plus the dataset's
VoID/DCAT/PROV-O description and the rejects report.

Output is deterministic: the same graph gives byte-identical files, whatever the input
order or the number of worker processes (the build time in the metadata honours
``SOURCE_DATE_EPOCH``): the dumps are written from sorted runs
(:class:`~litkg.build.spool.GraphSink`), with their prefixes and JSON-LD keys sorted, so
they depend only on the content.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path

import pyoxigraph as ox

from litkg.build.shards import SHARD_FILE
from litkg.rdf.metadata import GraphStats
from litkg.rdf.namespaces import PREFIXES, RDF

FORMATS = {  # --format name -> file written
    "ttl": "graph.ttl",
    "nt": "graph.nt",
    "nq": "graph.nq",
    "trig": "graph.trig",
    "jsonld": "graph.jsonld",
}


def is_dump(name: str) -> bool:
    """Whether ``name`` is a graph dump a build writes (a void:dataDump of the dataset)."""
    return name in FORMATS.values() or SHARD_FILE.fullmatch(name) is not None


def jsonld_context(base: str) -> dict[str, str]:
    """The JSON-LD @context: the standard prefixes plus ``litkg`` for the base."""
    context = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
    context["litkg"] = base
    return context


def _sort_values(value: object) -> object:
    """Sort JSON-LD value arrays (sets in RDF) recursively; "@list" arrays keep their order."""
    if isinstance(value, dict):
        return {
            k: [_sort_values(i) for i in v] if k == "@list" else _sort_values(v) for k, v in value.items()
        }
    if isinstance(value, list):
        items = [_sort_values(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def canonical_jsonld(text: str) -> str:
    """rdflib's JSON-LD with node and value order fixed, so equal graphs give equal bytes."""
    return json.dumps(_sort_values(json.loads(text)), sort_keys=True, ensure_ascii=False, indent=1) + "\n"


def count_lines(lines: Sequence[str]) -> GraphStats:
    """VoID counts of distinct N-Triples ``lines`` (without newlines, as litkg writes
    them: one space between the terms), in any order. Read as text, not parsed: ten times
    faster, and litkg writes each term one way only, so equal text is an equal term."""
    subjects: set[str] = set()
    predicates: set[str] = set()
    classes: set[str] = set()
    for line in lines:
        subject, predicate, rest = line.split(" ", 2)
        subjects.add(subject)
        predicates.add(predicate)
        if predicate == _RDF_TYPE:
            classes.add(rest[: rest.rindex(" ")])
    return GraphStats(
        len(lines), len(subjects), frozenset(map(_iri_value, predicates)), frozenset(map(_iri_value, classes))
    )


_RDF_TYPE = f"<{RDF.type}>"


def _iri_value(term: str) -> str:
    """The IRI an N-Triples IRI term names (its escapes, if any, undone by the parser)."""
    if "\\" not in term:
        return term[1:-1]
    [triple] = ox.parse(f"{term} {term} {term} .".encode(), format=ox.RdfFormat.N_TRIPLES)
    return str(triple.subject.value)


def count_triples(path: Path) -> GraphStats:
    """VoID counts of a sorted N-Triples file (sorted, so grouped by subject)."""
    rdf_type = str(RDF.type)
    triples = subjects = 0
    previous = None
    predicates: set[str] = set()
    classes: set[str] = set()
    for triple in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES):
        triples += 1
        if triple.subject != previous:
            subjects += 1
            previous = triple.subject
        predicate = triple.predicate.value
        predicates.add(predicate)
        if predicate == rdf_type:
            classes.add(triple.object.value)
    return GraphStats(triples, subjects, frozenset(predicates), frozenset(classes))


def write_with_sorted_header(
    statements: Iterable[ox.Triple] | Iterable[ox.Quad],
    path: Path,
    fmt: ox.RdfFormat,
    prefixes: dict[str, str],
) -> None:
    """Serialize ``statements`` to ``path`` with the @prefix lines sorted (pyoxigraph
    writes them in hash order), streaming the body through a temporary file."""
    partial = path.with_name(path.name + ".partial")
    ox.serialize(statements, str(partial), format=fmt, prefixes=prefixes)
    with partial.open("rb") as source, path.open("wb") as target:
        header = []
        line = source.readline()
        while line.startswith(b"@prefix "):
            header.append(line)
            line = source.readline()
        target.writelines(sorted(header))
        target.write(line)
        shutil.copyfileobj(source, target, 1 << 20)
    partial.unlink()


def remove_stale(out: Path, formats: Sequence[str]) -> None:
    for name, filename in FORMATS.items():
        # A dump left by an earlier build would contradict this one (and `litkg query`,
        # `load` and `serve` prefer graph.nq), so it goes.
        if name not in formats and (out / filename).exists():
            (out / filename).unlink()


def write_rejects(out: Path, rejects: list[dict[str, object]]) -> Path:
    """``rejects.json``: one entry per rejected input, in input order."""
    path = out / "rejects.json"
    path.write_bytes(write_rejects_text(rejects))
    return path


def write_rejects_text(rejects: list[dict[str, object]]) -> bytes:
    """The bytes of ``rejects.json``."""
    return (json.dumps(rejects, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
