"""SPARQL over a built graph, on the embedded pyoxigraph engine.

Query parameters are passed as bindings -- a ``VALUES`` block of RDF terms written in
N-Triples syntax (escaped by pyoxigraph) at the start of the WHERE group -- never by
pasting text into the query, so a value with quotes or braces cannot change the query.
The same bound query runs on the embedded engine and on remote endpoints.
"""

from __future__ import annotations

import gzip
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

import pyoxigraph as ox

from litkg.build.shards import ShardError, shard_paths
from litkg.errors import LitkgError
from litkg.rdf.namespaces import PREFIXES
from litkg.resources import data_dir

RESULT_FORMATS = {
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "json": ox.QueryResultsFormat.JSON,
}
_GRAPH_FILES = (
    ("graph.nq", ox.RdfFormat.N_QUADS),
    ("graph.trig", ox.RdfFormat.TRIG),
    ("graph.nt", ox.RdfFormat.N_TRIPLES),
    ("graph.ttl", ox.RdfFormat.TURTLE),
)
_SUFFIX_FORMATS = {
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".ttl": ox.RdfFormat.TURTLE,
    ".jsonld": ox.RdfFormat.JSON_LD,
}


class QueryError(LitkgError):
    """A query, its parameters or its graph could not be used."""


@dataclass(frozen=True)
class QueryResult:
    """Variables and rows (RDF terms, or None where unbound) of a SELECT; or a boolean."""

    variables: tuple[str, ...]
    rows: tuple[tuple[ox.NamedNode | ox.Literal | ox.BlankNode | None, ...], ...]
    boolean: bool | None = None

    def plain_rows(self) -> list[tuple[str | None, ...]]:
        """Rows as strings: IRIs and literal values (without datatype)."""
        return [tuple(None if t is None else t.value for t in row) for row in self.rows]


def graph_files(path: Path) -> list[tuple[Path, ox.RdfFormat]]:
    """The RDF files to load: ``path`` itself, or the best graph files of a build
    directory: graph.nq, else the N-Quads shards its manifest lists, else graph.trig,
    graph.nt or graph.ttl."""
    if path.is_dir():
        if (path / "graph.nq").exists():
            return [(path / "graph.nq", ox.RdfFormat.N_QUADS)]
        try:
            shards = shard_paths(path)
        except ShardError as exc:
            raise QueryError(str(exc)) from None
        if shards is not None:
            return [(shard, ox.RdfFormat.N_QUADS) for shard in shards]
        for name, fmt in _GRAPH_FILES[1:]:
            if (path / name).exists():
                return [(path / name, fmt)]
        raise QueryError(
            f"{path}: no graph.nq, manifest.json (shards), graph.trig, graph.nt or graph.ttl "
            "in this directory"
        )
    name = path.name.removesuffix(".gz")
    suffixed = _SUFFIX_FORMATS.get(Path(name).suffix)
    if suffixed is None or not path.exists():
        raise QueryError(f"{path}: not an RDF file litkg can load (.nq, .nq.gz, .trig, .nt, .ttl, .jsonld)")
    return [(path, suffixed)]


def bulk_load(store: ox.Store, file: Path, fmt: ox.RdfFormat, to_graph: ox.NamedNode | None = None) -> None:
    """Load ``file`` into ``store``, decompressing a gzipped one (a shard) as it streams."""
    if file.name.endswith(".gz"):
        with gzip.open(file, "rb") as handle:
            store.bulk_load(input=cast(IO[bytes], handle), format=fmt, to_graph=to_graph)
    else:
        store.bulk_load(path=str(file), format=fmt, to_graph=to_graph)


def load_store(path: Path) -> ox.Store:
    """An in-memory store holding the graph at ``path`` (file or build directory)."""
    store = ox.Store()
    for file, fmt in graph_files(path):
        try:
            bulk_load(store, file, fmt)
        except (SyntaxError, ValueError, OSError, EOFError) as exc:
            raise QueryError(f"{file}: cannot load: {exc}") from None
    return store


def named_query(name: str) -> str:
    """The text of ``queries/NAME.rq`` (the library shipped with litkg)."""
    path = data_dir("queries") / f"{name.removesuffix('.rq')}.rq"
    if not path.exists():
        available = ", ".join(sorted(p.stem for p in data_dir("queries").glob("*.rq")))
        raise QueryError(f"no query named {name!r}; available: {available}")
    return path.read_text(encoding="utf-8")


def parse_binding(text: str) -> tuple[str, ox.NamedNode | ox.Literal]:
    """ "name=value" -> (name, term). A value in <…>, starting with http(s)://, or a known
    prefixed name (obo:CL_0000125) is an IRI; anything else is a plain string literal."""
    name, sep, value = text.partition("=")
    name = name.strip().lstrip("?$")
    if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise QueryError(f"binding {text!r} is not of the form name=value")
    return name, parse_term(value)


def parse_term(value: str) -> ox.NamedNode | ox.Literal:
    if value.startswith("<") and value.endswith(">"):
        return _iri(value[1:-1])
    if re.match(r"^https?://", value):
        return _iri(value)
    prefix, colon, local = value.partition(":")
    if colon and prefix in PREFIXES and re.fullmatch(r"[\w.\-]+", local):
        return _iri(f"{PREFIXES[prefix]}{local}")
    return ox.Literal(value)


def _iri(value: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(value)
    except ValueError as exc:
        raise QueryError(f"not a valid IRI: {value!r} ({exc})") from None


Bindings = dict[str, ox.NamedNode | ox.Literal]


def _execute(store: ox.Store, query: str, bindings: Bindings | None) -> object:
    """Evaluate the bound query over the union of the store's graphs."""
    try:
        return store.query(
            with_values(query, bindings or {}),
            use_default_graph_as_union=True,
            prefixes={k: str(v) for k, v in PREFIXES.items()},
        )
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error: {exc}") from None


def run_query(store: ox.Store, query: str, bindings: Bindings | None = None) -> QueryResult:
    """Run a SELECT or ASK query over the union of the store's graphs."""
    result = _execute(store, query, bindings)
    if isinstance(result, ox.QueryBoolean):
        return QueryResult((), (), bool(result))
    if not isinstance(result, ox.QuerySolutions):
        raise QueryError("only SELECT and ASK queries are supported here")
    variables = tuple(v.value for v in result.variables)
    rows = tuple(tuple(solution) for solution in result)  # a solution iterates its values in variable order
    return QueryResult(variables, rows)


def serialize_result(store: ox.Store, query: str, bindings: Bindings | None, fmt: str) -> str:
    """The result in a standard SPARQL results format (csv, tsv, json)."""
    result = _execute(store, query, bindings)
    if not isinstance(result, ox.QuerySolutions | ox.QueryBoolean):
        raise QueryError("only SELECT and ASK queries are supported here")
    buffer = io.BytesIO()
    result.serialize(buffer, format=RESULT_FORMATS[fmt])
    return buffer.getvalue().decode("utf-8")


def with_values(query: str, bindings: Bindings) -> str:
    """``query`` with its parameters bound by a VALUES block at the start of the WHERE
    group (for remote endpoints); the terms are written in N-Triples syntax, escaped,
    so a value cannot change the query."""
    if not bindings:
        return query
    where = re.search(r"\bWHERE\s*\{", query, re.IGNORECASE)
    if where is None:
        raise QueryError("a query with parameters needs an explicit WHERE { … } clause")
    names = " ".join(f"?{name}" for name in bindings)
    terms = " ".join(str(term) for term in bindings.values())
    return f"{query[: where.end()]}\n  VALUES ({names}) {{ ({terms}) }}{query[where.end() :]}"
