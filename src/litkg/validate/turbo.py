"""The fast path through pyshacl-turbo (a Rust SHACL engine with pySHACL's API), isolated.

Two shortcuts the public API does not offer, each falling back to it when the engine's
layout or signature is not the one they were written for:

- typed term input: triples, or N-Triples text, handed over in the form the engine turns an
  rdflib Graph into itself, so no Graph is built first (``pyshacl_turbo.rdf.Input``);
- :func:`conforms`: the native validator's yes/no, without turning a conforming graph's
  report into an rdflib Graph (0.7 of 7 ms per article).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import pyshacl_turbo
from rdflib import Graph
from rdflib.term import Node

try:  # pyshacl-turbo's typed term input, so triples need not become a Graph first
    from pyshacl_turbo.rdf import Input as _TurboInput
    from pyshacl_turbo.term_input import _TermBatch

    TERM_INPUT = True
except ImportError:  # another pyshacl-turbo layout: the callers build a Graph
    TERM_INPUT = False


@lru_cache(maxsize=4)
def compiled(shapes: Graph) -> Any:
    """The shapes compiled once per process (``pyshacl_turbo.CompiledShapes``)."""
    return pyshacl_turbo.compile_shapes(shapes)  # type: ignore[no-untyped-call]  # untyped library


def term_input(triples: Iterable[tuple[Node, Node, Node]]) -> Any:
    """Triples as the engine's typed term input."""
    batch = _TermBatch({})  # type: ignore[no-untyped-call]  # untyped library
    for triple in triples:
        batch.append(*triple)  # type: ignore[no-untyped-call]
    return _TurboInput((batch.records, batch.quads), "terms", None, {})


def ntriples_input(text: str) -> Any:
    """N-Triples text as the engine's input, parsed natively."""
    return _TurboInput(text, "nt", None, {})


def validate(data: Any, shapes: Graph) -> tuple[bool, Graph]:
    """Whether ``data`` conforms, and the validation report (no inference)."""
    conforms, report, _ = compiled(shapes).validate(data, inference="none", allow_warnings=False)
    return bool(conforms), report


def conforms(text: str, shapes: Graph) -> bool:
    """Whether N-Triples ``text`` conforms, asked of pyshacl-turbo's native validator
    directly: what ``CompiledShapes.validate`` calls, without turning the report into an
    rdflib Graph and binding its prefixes, which only a failing graph needs. False when
    the graph fails or the call is not understood (an engine version with another
    signature): the caller then takes the public API."""
    native: Any = getattr(compiled(shapes), "_native", None)
    try:  # data, format, base, rules, max rule iterations, max depth, inplace, infos,
        # warnings, abort on first, focus nodes, shapes to use, namespaces
        result = native.validate(text, "nt", None, False, 100, 15, False, False, False, False, [], [], [])
    except Exception:  # noqa: BLE001 - any failure of the shortcut means: ask the public API
        return False
    return isinstance(result, tuple) and result[0] is True
