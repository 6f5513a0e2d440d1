"""N-Triples text written without an rdflib Graph: what the build validates and publishes.

rdflib's serializer builds a Graph and checks every term on each call; the build writes
millions of triples, so lines are made here, as rdflib's N-Triples serializer writes them
(a test checks the two agree), with the IRIs that recur made once.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from rdflib import Graph, Literal
from rdflib.term import Node

from litkg.rdf.namespaces import bind_prefixes

Triple = tuple[Node, Node, Node]


def triples_graph(triples: Iterable[Triple], base: str) -> Graph:
    """The triples as an rdflib Graph, with litkg's prefixes bound."""
    graph = bind_prefixes(Graph(), base)
    add = graph.store.add  # the store directly: Graph.add re-checks every term
    for triple in triples:
        add(triple, graph, False)
    return graph


def ntriples(triples: Iterable[Triple]) -> str:
    """Sorted N-Triples lines, as rdflib's N-Triples serializer writes each triple."""
    return "".join(sorted(nt_line(triple) for triple in triples))


def nt_line(triple: Triple) -> str:
    subject, predicate, value = triple
    if isinstance(value, Literal):
        escaped = (
            str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"').replace("\r", "\\r")
        )
        if value.language:
            text = f'"{escaped}"@{value.language}'
        elif value.datatype:
            text = f'"{escaped}"^^<{value.datatype}>'
        else:
            text = f'"{escaped}"'
    else:
        text = n3(value)
    return f"{n3(subject)} {n3(predicate)} {text} .\n"


@lru_cache(maxsize=1 << 16)
def n3(node: Node) -> str:
    """An IRI or blank node as N-Triples writes it; made once for the IRIs that recur
    (vocabulary terms, an article's own node), as rdflib checks the IRI on each call."""
    return node.n3()


def joined_lines(lines: Iterable[str]) -> str:
    """Sorted, newline-terminated N-Triples text of distinct lines."""
    lines = sorted(set(lines))
    return "\n".join(lines) + "\n" if lines else ""
