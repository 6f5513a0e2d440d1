"""Validate: check a graph against the SHACL shapes litkg ships (``litkg/_data/shapes/``).

Takes a graph (an rdflib Graph, triples or N-Triples text) and gives a
:class:`ValidationResult`: whether it conforms, and its :class:`Violation` records. The
build's gate (:mod:`litkg.validate.gate`) places each violation on the part of an article
it is about, so that part, not the article, is left out.

Two engines with the same API and report vocabulary: ``pyshacl`` (the reference) and
``turbo`` (pyshacl-turbo, a Rust engine with pySHACL's API, about ten times faster per
article; the default for builds). tests/validate/test_shapes.py breaks every constraint of the
shapes and checks that both engines reject the graph and name the constraint.
The validation report is turned into :class:`Violation` records (focus node, path,
constraint, message) that the CLI prints and the build writes to ``rejects.json``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, get_args

import pyshacl
from rdflib import Graph, URIRef
from rdflib.term import Node

from litkg.rdf.namespaces import RDF, SH
from litkg.resources import data_dir
from litkg.validate import turbo


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


Engine = Literal["turbo", "pyshacl"]
ENGINES: tuple[Engine, ...] = get_args(Engine)


@lru_cache(maxsize=1)
def shipped_shapes() -> Graph:
    """The shipped shapes, parsed once per process."""
    return load_shapes()


def validate_triples(
    triples: Iterable[tuple[Node, Node, Node]], shapes: Graph | None = None, engine: Engine = "turbo"
) -> ValidationResult:
    """Validate a set of triples without building an rdflib Graph first: the turbo
    engine takes them in its typed transfer encoding (what it makes of a Graph itself)."""
    if engine != "turbo" or not turbo.TERM_INPUT:
        graph = Graph()
        for triple in triples:
            graph.add(triple)
        return validate_graph(graph, shapes, engine)
    return validate_graph(turbo.term_input(triples), shapes, engine)


def validate_ntriples(text: str, shapes: Graph | None = None, engine: Engine = "turbo") -> ValidationResult:
    """Validate a graph given as N-Triples text: the turbo engine parses it natively
    (the form it turns an rdflib Graph into itself), so no Python terms are made."""
    if engine != "turbo" or not turbo.TERM_INPUT:
        return validate_graph(Graph().parse(data=text, format="nt"), shapes, engine)
    if turbo.conforms(text, shapes if shapes is not None else shipped_shapes()):
        return ValidationResult(True, ())
    return validate_graph(turbo.ntriples_input(text), shapes, engine)


def validate_graph(
    graph: Graph | Any, shapes: Graph | None = None, engine: Engine = "turbo"
) -> ValidationResult:
    """Validate ``graph`` (no inference) with ``engine`` and return its violations, sorted.
    ``graph`` is an rdflib Graph, or (for the turbo engine) its typed input."""
    shapes = shapes if shapes is not None else shipped_shapes()
    if engine == "turbo":
        conforms, report = turbo.validate(graph, shapes)
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
