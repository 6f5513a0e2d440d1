"""A read-only SPARQL 1.1 query service with a time limit and a result-size limit.

pyoxigraph cannot interrupt a running query, so queries run in worker processes that
open the on-disk store read-only; a query that outlives its time limit has its worker
killed and replaced. Each worker's address space is capped (``RLIMIT_AS``, on Linux) at
what it holds with the store open plus the per-query memory limit: a query that needs
more stops its worker (the engine aborts on a failed allocation), the client gets a 503
and a fresh worker takes its place. Workers send back SPARQL JSON results (or N-Triples for graph
results) capped at the result limit; the caller re-serializes them with pyoxigraph into
whatever format the client asked for.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import queue
import re
import signal
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, Literal

import pyoxigraph as ox

from litkg.errors import LitkgError
from litkg.rdf.namespaces import PREFIXES

SOLUTION_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}


class EndpointError(LitkgError):
    """A query was refused or stopped; ``status`` is the HTTP status that says why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def __reduce__(self) -> tuple[type, tuple[int, str]]:  # sent back from worker processes
        return (EndpointError, (self.status, self.message))


# SPARQL's lexical tokens, enough to tell a keyword from the same letters inside a string,
# an IRI, a comment, a variable or a prefixed name. An IRI holds no "<", space or quote,
# so "?a<?b" is never read as one, and no keyword can hide inside an IRI or a string.
_SPARQL_TOKEN = re.compile(
    r"""(?P<comment>\#[^\n]*)
    |(?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
        |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
    |(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    |(?P<word>[?$]?[^\W\d][\w\-.]*(?::[\w\-.%]*)?|:[\w\-.%]*)
    |(?P<other>\S)""",
    re.VERBOSE,
)


_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def service_calls(query: str) -> list[str | None]:
    """The endpoint each ``SERVICE`` of ``query`` calls, in order: its IRI, or None when it
    is named another way (a variable, a prefixed name), which cannot be checked here.
    Codepoint escapes (``\\u0053ERVICE``) are read first, as SPARQL reads them anywhere."""
    query = _CODEPOINT.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), query)
    tokens = [
        (m.lastgroup, m.group())
        for m in _SPARQL_TOKEN.finditer(query)
        if m.lastgroup not in ("comment", None)
    ]
    calls: list[str | None] = []
    for index, (kind, text) in enumerate(tokens):
        if kind != "word" or text.upper() != "SERVICE":
            continue
        following = tokens[index + 1 : index + 3]
        if following and following[0][0] == "word" and following[0][1].upper() == "SILENT":
            following = following[1:]
        calls.append(following[0][1][1:-1] if following and following[0][0] == "iri" else None)
    return calls


def check_services(query: str, allowed: frozenset[str]) -> None:
    """Refuse (400) a query that calls an endpoint not in ``allowed``: ``SERVICE`` makes the
    server fetch a URL and hand back what it says, so by default it may call none."""
    for endpoint in service_calls(query):
        if endpoint is None or endpoint not in allowed:
            named = f"<{endpoint}>" if endpoint else "an endpoint not written as an IRI"
            if allowed:
                choice = "; allowed: " + ", ".join(f"<{a}>" for a in sorted(allowed))
            else:
                choice = " (the server allows no SERVICE calls)"
            raise EndpointError(400, f"SERVICE {named} is not allowed{choice}")


@dataclass(frozen=True)
class QueryRequest:
    """One query: its text and the SPARQL Protocol dataset (empty = union of all graphs)."""

    query: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


OutcomeKind = Literal["solutions", "boolean", "graph"]


@dataclass(frozen=True)
class QueryOutcome:
    """``kind`` is "solutions" or "boolean" (``data`` = SPARQL JSON) or "graph" (N-Triples)."""

    kind: OutcomeKind
    data: bytes

    def solutions(self) -> ox.QuerySolutions | ox.QueryBoolean:
        return ox.parse_query_results(self.data, format=ox.QueryResultsFormat.JSON)

    def table(self) -> tuple[list[str], list[dict[str, dict[str, str]]]]:
        """Variables and bindings (SPARQL JSON terms) of a SELECT result."""
        document = json.loads(self.data)
        return document["head"]["vars"], document["results"]["bindings"]

    def triples(self) -> list[ox.Triple]:
        return list(ox.parse(self.data, format=ox.RdfFormat.N_TRIPLES))

    def serialize(self, media_type: str, prefixes: dict[str, str] | None = None) -> bytes:
        """The result in ``media_type`` (one of SOLUTION_FORMATS or GRAPH_FORMATS)."""
        if self.kind == "graph":
            fmt = GRAPH_FORMATS[media_type]
            return ox.serialize(self.triples(), format=fmt, prefixes=prefixes) or b""
        if media_type == "application/sparql-results+json":
            return self.data
        return self.solutions().serialize(format=SOLUTION_FORMATS[media_type]) or b""


def term_json(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> dict[str, object]:
    """One RDF term in the SPARQL 1.1 JSON results format (with SPARQL-star triples)."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": term_json(term.subject),
                "predicate": term_json(term.predicate),
                "object": term_json(term.object),
            },
        }
    encoded: dict[str, object] = {"type": "literal", "value": term.value}
    if term.language:
        encoded["xml:lang"] = term.language
    elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        encoded["datatype"] = term.datatype.value
    return encoded


def evaluate(store: ox.Store, request: QueryRequest, max_results: int) -> QueryOutcome:
    """Run one query on ``store``; EndpointError for bad queries or too many results."""
    default: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [
        ox.NamedNode(g) for g in request.default_graphs
    ]
    named: list[ox.NamedNode | ox.BlankNode] = [ox.NamedNode(g) for g in request.named_graphs]
    try:
        result = store.query(
            request.query,
            prefixes={k: str(v) for k, v in PREFIXES.items()},
            default_graph=default or None,
            use_default_graph_as_union=not default,
            named_graphs=named or None,
        )
    except SyntaxError as exc:
        raise EndpointError(400, f"SPARQL syntax error: {exc}") from None
    except ValueError as exc:
        raise EndpointError(400, f"invalid query: {exc}") from None
    if isinstance(result, ox.QueryBoolean):
        return QueryOutcome("boolean", json.dumps({"head": {}, "boolean": bool(result)}).encode())
    too_many = EndpointError(
        413, f"the result has more than {max_results} rows (the endpoint's result limit); add a LIMIT"
    )
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        bindings: list[dict[str, Any]] = []
        for solution in result:
            if len(bindings) == max_results:
                raise too_many
            row = {}
            for name in variables:
                term = solution[name]
                if term is not None:
                    row[name] = term_json(term)
            bindings.append(row)
        document = {"head": {"vars": variables}, "results": {"bindings": bindings}}
        return QueryOutcome("solutions", json.dumps(document, ensure_ascii=False).encode("utf-8"))
    triples: list[ox.Triple] = []
    for triple in result:
        if len(triples) == max_results:
            raise too_many
        triples.append(triple)
    return QueryOutcome("graph", ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"")


def _cap_memory(megabytes: int) -> None:
    """Cap this process's address space at its present size plus ``megabytes`` (Linux)."""
    if not sys.platform.startswith("linux") or megabytes <= 0:
        return
    import resource

    with open("/proc/self/statm", encoding="ascii") as statm:
        present = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    limit = present + megabytes * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _worker(store_path: str, max_results: int, memory_mb: int, connection: Connection) -> None:
    """Worker process: answer queries from ``connection`` until it closes."""
    os.environ["RUST_BACKTRACE"] = "0"  # an allocation failure stops the worker with one line
    store = ox.Store.read_only(store_path)
    _cap_memory(memory_mb)
    while True:
        try:
            request = connection.recv()
        except EOFError:
            return
        try:
            connection.send(evaluate(store, request, max_results))
        except EndpointError as exc:
            connection.send(exc)
        except MemoryError:
            connection.send(EndpointError(503, _OUT_OF_MEMORY.format(memory_mb)))
        except Exception as exc:  # an engine failure must reach the client, not kill the worker
            connection.send(EndpointError(500, f"query failed: {type(exc).__name__}: {exc}"))


_OUT_OF_MEMORY = "the query needed more memory than the endpoint's limit of {} MB per query"


class _Worker:
    def __init__(self, store_path: str, max_results: int, memory_mb: int) -> None:
        self.connection, child = mp.get_context("spawn").Pipe()
        self.process = mp.get_context("spawn").Process(
            target=_worker, args=(store_path, max_results, memory_mb, child), daemon=True
        )
        self.process.start()
        child.close()

    def ran_out_of_memory(self) -> bool:
        """Whether the worker stopped as the engine does on a failed allocation (abort)."""
        self.process.join(timeout=5)
        return self.process.exitcode == -signal.SIGABRT

    def stop(self) -> None:
        self.process.kill()
        self.process.join()
        self.connection.close()


class QueryService:
    """``size`` worker processes over the read-only store at ``store_path``.

    ``run`` blocks the calling thread until the answer comes, or the time limit passes
    (the worker is killed, a fresh one takes its place, EndpointError 503). A query that
    finds every worker busy waits its turn, first come first served, for up to
    ``queue_wait`` seconds (default: three times the time limit, so it outlasts the
    queries ahead of it even when each runs to the limit); at most ``max_waiting`` queries
    wait at once, and one more gets 503 at once: slow clients delay fast queries, but a
    flood cannot pile up without bound.
    """

    def __init__(
        self,
        store_path: str,
        *,
        size: int = 2,
        timeout: float = 10.0,
        max_results: int = 10_000,
        services: frozenset[str] = frozenset(),
        memory_mb: int = 1024,
        queue_wait: float | None = None,
        max_waiting: int = 32,
    ):
        self.store_path = store_path
        self.queue_wait = 3 * timeout if queue_wait is None else queue_wait
        self.max_waiting = max_waiting
        self._waiting = 0
        self.memory_mb = memory_mb  # per query, above what a worker holds with the store open
        self.services = services  # the endpoints a query may call with SERVICE
        self.timeout = timeout
        self.max_results = max_results
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(size):
            self._add_worker()

    def _add_worker(self) -> None:
        worker = _Worker(self.store_path, self.max_results, self.memory_mb)
        with self._lock:
            if self._closed:
                worker.stop()
                return
            self._all.add(worker)
        self._idle.put(worker)

    def _replace(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.stop()
        threading.Thread(target=self._add_worker, daemon=True).start()

    def _next_worker(self) -> _Worker:
        """An idle worker, waiting in line for one (bounded in time and in length)."""
        with self._lock:
            if self._waiting >= self.max_waiting:
                raise EndpointError(
                    503, f"{self._waiting} queries are already waiting for a query worker; retry later"
                )
            self._waiting += 1
        try:
            return self._idle.get(timeout=self.queue_wait)
        except queue.Empty:
            raise EndpointError(
                503, f"no query worker got free within {self.queue_wait:g} s; retry later"
            ) from None
        finally:
            with self._lock:
                self._waiting -= 1

    def run(self, request: QueryRequest) -> QueryOutcome:
        check_services(request.query, self.services)
        worker = self._next_worker()
        try:
            worker.connection.send(request)
            if not worker.connection.poll(self.timeout):
                self._replace(worker)
                raise EndpointError(
                    503, f"the query ran longer than the endpoint's time limit of {self.timeout:g} s"
                )
            answer = worker.connection.recv()
        except (EOFError, OSError, BrokenPipeError):
            out_of_memory = worker.ran_out_of_memory()
            self._replace(worker)
            if out_of_memory:
                raise EndpointError(503, _OUT_OF_MEMORY.format(self.memory_mb)) from None
            raise EndpointError(500, "the query worker stopped unexpectedly") from None
        self._idle.put(worker)
        if isinstance(answer, EndpointError):
            raise answer
        if not isinstance(answer, QueryOutcome):
            raise EndpointError(500, "the query worker sent an unexpected answer")
        return answer

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.stop()


def graph_iris(values: Sequence[str]) -> tuple[str, ...]:
    """Validated graph IRIs from protocol parameters (default-graph-uri, named-graph-uri)."""
    iris = []
    for value in values:
        try:
            iris.append(ox.NamedNode(value).value)
        except ValueError:
            raise EndpointError(400, f"not a valid graph IRI: {value!r}") from None
    return tuple(iris)
