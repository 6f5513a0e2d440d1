"""SHACL gate: check a graph against the shapes in ``shapes/``.

Two engines with the same API and report vocabulary: ``pyshacl`` (the reference) and
``turbo`` (pyshacl-turbo, a Rust engine with pySHACL's API, about ten times faster per
article; the default for builds). tests/test_shapes.py breaks every constraint of the
shapes and checks that both engines reject the graph and name the constraint.
The validation report is turned into :class:`Violation` records (focus node, path,
constraint, message) that the CLI prints and the build writes to ``rejects.json``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyshacl
import pyshacl_turbo
from rdflib import Graph, URIRef
from rdflib.term import Node

from litkg.namespaces import RDF, SH

try:  # pyshacl-turbo's typed term input, so triples need not become a Graph first
    from pyshacl_turbo.rdf import Input as _TurboInput
    from pyshacl_turbo.term_input import _TermBatch
except ImportError:  # another pyshacl-turbo layout: validate_triples builds a Graph
    _TermBatch = None  # type: ignore[assignment,misc]
from litkg.resources import data_dir


@dataclass(frozen=True)
class Violation:
    """One SHACL result, with every part as text."""

    focus: str
    path: str | None
    constraint: str
    shape: str
    message: str
    severity: str
    value: str | None

    def describe(self) -> str:
        """ "<focus> <path>: message [constraint]" on one line."""
        path = f" {self.path}" if self.path else ""
        return f"{self.focus}{path}: {self.message} [{self.constraint}]"


@dataclass(frozen=True)
class ValidationResult:
    conforms: bool
    violations: tuple[Violation, ...]


def load_shapes(directory: Path | None = None) -> Graph:
    """All ``*.ttl`` shapes files of ``directory`` (default: the shipped ``shapes/``)."""
    graph = Graph()
    for path in sorted((directory or data_dir("shapes")).glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


ENGINES = ("turbo", "pyshacl")


@lru_cache(maxsize=1)
def shipped_shapes() -> Graph:
    """The shipped shapes, parsed once per process."""
    return load_shapes()


@lru_cache(maxsize=4)
def _compiled(shapes: Graph) -> pyshacl_turbo.CompiledShapes:
    return pyshacl_turbo.compile_shapes(shapes)


def validate_triples(
    triples: Iterable[tuple[Node, Node, Node]], shapes: Graph | None = None, engine: str = "turbo"
) -> ValidationResult:
    """Validate a set of triples without building an rdflib Graph first: the turbo
    engine takes them in its typed transfer encoding (what it makes of a Graph itself)."""
    if engine != "turbo" or _TermBatch is None:
        graph = Graph()
        for triple in triples:
            graph.add(triple)
        return validate_graph(graph, shapes, engine)
    batch = _TermBatch({})
    for triple in triples:
        batch.append(*triple)
    return validate_graph(_TurboInput((batch.records, batch.quads), "terms", None, {}), shapes, engine)


def validate_ntriples(text: str, shapes: Graph | None = None, engine: str = "turbo") -> ValidationResult:
    """Validate a graph given as N-Triples text: the turbo engine parses it natively
    (the form it turns an rdflib Graph into itself), so no Python terms are made."""
    if engine != "turbo" or _TermBatch is None:
        return validate_graph(Graph().parse(data=text, format="nt"), shapes, engine)
    if _turbo_conforms(text, shapes if shapes is not None else shipped_shapes()):
        return ValidationResult(True, ())
    return validate_graph(_TurboInput(text, "nt", None, {}), shapes, engine)


def _turbo_conforms(text: str, shapes: Graph) -> bool:
    """Whether N-Triples ``text`` conforms, asked of pyshacl-turbo's native validator
    directly: what ``CompiledShapes.validate`` calls, without turning the report into an
    rdflib Graph and binding its prefixes (0.7 of 7 ms per article), which only a
    failing graph needs. False when the graph fails or the call is not understood (an
    engine version with another signature): the caller then takes the public API."""
    native = getattr(_compiled(shapes), "_native", None)
    try:  # data, format, base, rules, max rule iterations, max depth, inplace, infos,
        # warnings, abort on first, focus nodes, shapes to use, namespaces
        result = native.validate(text, "nt", None, False, 100, 15, False, False, False, False, [], [], [])
    except Exception:  # noqa: BLE001 - any failure of the shortcut means: ask the public API
        return False
    return isinstance(result, tuple) and result[0] is True


def validate_graph(graph: Graph, shapes: Graph | None = None, engine: str = "turbo") -> ValidationResult:
    """Validate ``graph`` (no inference) with ``engine`` and return its violations, sorted."""
    shapes = shapes if shapes is not None else shipped_shapes()
    if engine == "turbo":
        conforms, report, _ = _compiled(shapes).validate(graph, inference="none", allow_warnings=False)
    elif engine == "pyshacl":
        conforms, report, _ = pyshacl.validate(
            graph,
            shacl_graph=shapes,
            inference="none",
            abort_on_first=False,
            allow_warnings=False,
            advanced=False,
        )
    else:
        raise ValueError(f"unknown SHACL engine {engine!r}: choose {' or '.join(ENGINES)}")
    assert isinstance(report, Graph)
    violations = sorted(
        (_violation(report, node) for node in report.subjects(RDF.type, SH.ValidationResult)),
        key=lambda v: (v.focus, v.path or "", v.constraint, v.message, v.value or ""),
    )
    return ValidationResult(bool(conforms), tuple(violations))


def _text(node: Node | None) -> str | None:
    return None if node is None else str(node)


def _violation(report: Graph, result: Node) -> Violation:
    def one(predicate: URIRef) -> Node | None:
        return report.value(result, predicate)

    constraint = one(SH.sourceConstraintComponent)
    shape = one(SH.sourceShape)
    return Violation(
        focus=_text(one(SH.focusNode)) or "",
        path=_path_text(report, one(SH.resultPath)),
        constraint=str(constraint).rsplit("#", 1)[-1] if constraint else "",
        # a property shape is a blank node, named anew in every report: only IRIs are kept,
        # so a report is the same on every run (the path and message say which shape)
        shape=str(shape) if isinstance(shape, URIRef) else "",
        message=str(one(SH.resultMessage) or ""),
        severity=str(one(SH.resultSeverity) or "").rsplit("#", 1)[-1],
        value=_text(one(SH.value)),
    )


def _path_text(report: Graph, path: Node | None) -> str | None:
    if path is None:
        return None
    if isinstance(path, URIRef):
        return str(path)
    inverse = report.value(path, SH.inversePath)
    if inverse is not None:
        return f"^{inverse}"
    return str(path)
