"""Every constraint in shapes/ is broken once, and the report must name it.

The constraints are read from the shapes files themselves, so a constraint added to
shapes/ without a way to violate it fails this suite (no silent sh:minValue-style
mistakes that never check anything).
"""

from __future__ import annotations

from functools import cache

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from conftest import JATS_SAMPLE, PAGES, SEEDS
from litkg.build import build
from litkg.rdf.namespaces import FABIO, FRBR, PRISM, RDF, SH, XSD
from litkg.validate import ENGINES, load_shapes, validate_graph

SHAPES = load_shapes()
PARAMETERS = {
    SH.minCount: "MinCountConstraintComponent",
    SH.maxCount: "MaxCountConstraintComponent",
    SH.datatype: "DatatypeConstraintComponent",
    SH.minLength: "MinLengthConstraintComponent",
    SH.pattern: "PatternConstraintComponent",
    SH.nodeKind: "NodeKindConstraintComponent",
    SH["class"]: "ClassConstraintComponent",
    SH["in"]: "InConstraintComponent",
    SH["or"]: "OrConstraintComponent",
    SH.lessThan: "LessThanConstraintComponent",
    SH.hasValue: "HasValueConstraintComponent",
    SH.qualifiedMinCount: "QualifiedMinCountConstraintComponent",
    SH.qualifiedMaxCount: "QualifiedMaxCountConstraintComponent",
}
STRUCTURAL = {
    SH.path,
    SH.message,
    SH.targetClass,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.property,
    RDF.type,
    SH.zeroOrMorePath,
    SH.qualifiedValueShape,
    URIRef("http://www.w3.org/2000/01/rdf-schema#comment"),
}


def constraints() -> list[tuple[Node, Node | None, URIRef]]:
    """(node shape, property path or None, parameter) for every constraint in shapes/."""
    found = []
    for shape in sorted(set(SHAPES.subjects(RDF.type, SH.NodeShape))):
        for parameter, _ in SHAPES.predicate_objects(shape):
            if parameter in PARAMETERS:
                found.append((shape, None, parameter))
            elif parameter not in STRUCTURAL:
                raise AssertionError(f"{shape} uses {parameter}, which this test cannot break")
        for prop in SHAPES.objects(shape, SH.property):
            path = SHAPES.value(prop, SH.path)
            for parameter, _ in SHAPES.predicate_objects(prop):
                if parameter in PARAMETERS:
                    found.append((shape, path, parameter))
                elif parameter not in STRUCTURAL:
                    raise AssertionError(f"{shape} {path} uses {parameter}, which this test cannot break")
    return found


@pytest.fixture(scope="module")
def valid_graph(tmp_path_factory):
    """A rich valid graph: the seeds, the test pages and JATS files (figure supplements,
    group authors, an accepted manuscript), plus an issue and an ISSN."""
    out = tmp_path_factory.mktemp("shapes")
    report = build([SEEDS, PAGES, JATS_SAMPLE, JATS_SAMPLE.parent / "publisher.xml"], out)
    assert not report.rejects
    graph = Graph().parse(out / "graph.ttl")
    volume = next(graph.subjects(RDF.type, FABIO.JournalVolume))
    issue = URIRef(f"{volume}/issue/7")
    graph.add((issue, RDF.type, FABIO.JournalIssue))
    graph.add((issue, FABIO.hasSequenceIdentifier, Literal("7")))
    graph.add((issue, FRBR.partOf, volume))
    journal = next(graph.subjects(RDF.type, FABIO.Journal))
    graph.add((journal, PRISM.issn, Literal("1097-6256")))
    assert validate_graph(graph, engine="pyshacl").conforms
    assert validate_graph(graph, engine="turbo").conforms
    return graph


def focus_nodes(graph: Graph, shape: Node) -> list[Node]:
    nodes: set[Node] = set()
    for cls in SHAPES.objects(shape, SH.targetClass):
        nodes.update(graph.subjects(RDF.type, cls))
    for predicate in SHAPES.objects(shape, SH.targetSubjectsOf):
        nodes.update(graph.subjects(predicate, None))
    for predicate in SHAPES.objects(shape, SH.targetObjectsOf):
        nodes.update(graph.objects(None, predicate))
    return sorted(nodes)


def steps(path: Node) -> list[Node]:
    return [path] if isinstance(path, URIRef) else list(Collection(SHAPES, path))


def walk(graph: Graph, focus: Node, path: Node) -> list[tuple[Node, URIRef, Node]]:
    """The last hops (node, predicate, value) reached from ``focus`` along ``path``."""
    nodes = [focus]
    hops: list[tuple[Node, URIRef, Node]] = []
    for step in steps(path):
        if isinstance(step, URIRef):
            hops = [(n, step, o) for n in nodes for o in sorted(graph.objects(n, step))]
            nodes = [o for _, _, o in hops]
        else:  # [ sh:zeroOrMorePath rdf:rest ]
            inner = SHAPES.value(step, SH.zeroOrMorePath)
            closure = list(nodes)
            for n in closure:
                closure.extend(o for o in graph.objects(n, inner) if o not in closure)
            nodes = closure
    return hops


def values(graph: Graph, focus: Node, path: Node) -> list[Node]:
    return [o for _, _, o in walk(graph, focus, path)]


def set_value(graph: Graph, focus: Node, path: Node, old: Node, new: Node) -> None:
    node, predicate, _ = next(h for h in walk(graph, focus, path) if h[2] == old)
    graph.remove((node, predicate, old))
    graph.add((node, predicate, new))


def bad_literal(old: Node, parameter: URIRef, shape_param: Node) -> Node:
    if parameter == SH.datatype:
        return Literal(str(old), lang="en") if shape_param == XSD.string else Literal(str(old))
    if parameter == SH.minLength:
        return Literal("")
    return Literal("!! not valid !!", datatype=getattr(old, "datatype", None))


def break_constraint(graph: Graph, shape: Node, path: Node | None, parameter: URIRef) -> Node:
    """Mutate ``graph`` so that one focus node violates the constraint; return that node."""
    prop = None
    if path is not None:
        prop = next(
            p
            for p in SHAPES.objects(shape, SH.property)
            if SHAPES.value(p, SH.path) == path and SHAPES.value(p, parameter) is not None
        )
    shape_param = SHAPES.value(prop if prop is not None else shape, parameter)
    fresh = URIRef("http://example.org/untyped-thing")
    if path is None:
        focus = focus_nodes(graph, shape)[0]
        if parameter == SH.nodeKind:
            blank = BNode()
            for cls in SHAPES.objects(shape, SH.targetClass):
                graph.add((blank, RDF.type, cls))
            return blank
        if parameter == SH["class"]:
            graph.remove((focus, RDF.type, shape_param))
            return focus
        if parameter == SH["or"]:
            for alternative in Collection(SHAPES, shape_param):
                graph.remove((focus, SHAPES.value(alternative, SH.path), None))
            return focus
        raise AssertionError(parameter)
    candidates = [n for n in focus_nodes(graph, shape) if values(graph, n, path)]
    assert candidates, f"the valid graph has no value of {path} on a focus node of {shape}"
    focus = candidates[0]
    old = values(graph, focus, path)[0]
    node, predicate, _ = walk(graph, focus, path)[0]
    if parameter == SH.minCount:
        for hop in walk(graph, focus, path):
            graph.remove(hop)
    elif parameter == SH.maxCount:
        if isinstance(old, Literal):
            graph.add((node, predicate, Literal(f"{old}x", datatype=old.datatype, lang=old.language)))
        else:
            twin = URIRef(f"{old}-twin")
            for p, o in list(graph.predicate_objects(old)):
                graph.add((twin, p, o))
            graph.add((node, predicate, twin))
    elif parameter in (SH.qualifiedMinCount, SH.qualifiedMaxCount):
        cls = SHAPES.value(SHAPES.value(prop, SH.qualifiedValueShape), SH["class"])
        typed = next(v for v in values(graph, focus, path) if (v, RDF.type, cls) in graph)
        if parameter == SH.qualifiedMinCount:
            graph.remove((typed, RDF.type, cls))
        else:
            twin = URIRef(f"{typed}-twin")
            for p, o in list(graph.predicate_objects(typed)):
                graph.add((twin, p, o))
            graph.add((node, predicate, twin))
    elif parameter == SH.lessThan:
        other = graph.value(focus, shape_param)
        set_value(graph, focus, path, old, Literal(int(other) + 5, datatype=old.datatype))
    elif parameter == SH.hasValue:
        set_value(graph, focus, path, shape_param, fresh)
    elif parameter in (SH.datatype, SH.minLength, SH.pattern):
        set_value(graph, focus, path, old, bad_literal(old, parameter, shape_param))
    elif parameter == SH.nodeKind:
        set_value(graph, focus, path, old, Literal("not a node"))
    elif parameter in (SH["class"], SH["in"], SH["or"]):
        set_value(graph, focus, path, old, fresh)
    else:
        raise AssertionError(parameter)
    return focus


def test_every_shape_parameter_is_known():
    assert len(constraints()) > 110


def _local(node: Node | None) -> str:
    if node is None:
        return "node"
    if not isinstance(node, URIRef):
        return "list-path"
    return str(node).rsplit("/", 1)[-1].rsplit("#", 1)[-1]


@cache
def shape_alone(shape: Node) -> Graph:
    """The shapes graph of one node shape: its concise bounded description (its property
    shapes, their lists and qualified value shapes are blank nodes)."""
    alone = Graph()
    for triple in SHAPES.cbd(shape):
        alone.add(triple)
    return alone


def test_shapes_stand_alone():
    """No shape refers to another by name (sh:node, sh:property to a named shape, a named
    qualified value shape), so a shape's description holds all it checks; and together
    the shapes' descriptions are every triple of the shapes files."""
    named = set(SHAPES.subjects(RDF.type, SH.NodeShape))
    assert named and all(isinstance(s, URIRef) for s in named)
    assert not set(SHAPES.objects(None, None)) & named
    assert set(SHAPES) == {t for s in named for t in shape_alone(s)}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("shape", "path", "parameter"),
    constraints(),
    ids=[f"{_local(s)}-{_local(p)}-{_local(c)}" for s, p, c in constraints()],
)
def test_each_constraint_is_violated_and_named(valid_graph, shape, path, parameter, engine):
    """Both SHACL engines catch it: pyshacl-turbo with all the shipped shapes, as builds
    run it; pySHACL, the reference, with the broken constraint's shape alone (20 times
    faster, and the same check: no shape refers to another, see test_shapes_stand_alone)."""
    graph = Graph()
    graph += valid_graph
    focus = break_constraint(graph, shape, path, parameter)
    result = validate_graph(graph, SHAPES if engine == "turbo" else shape_alone(shape), engine=engine)
    assert not result.conforms
    component = PARAMETERS[parameter]
    expected_path = str(path) if isinstance(path, URIRef) else None
    named = [
        v
        for v in result.violations
        if v.constraint == component
        and v.focus == str(focus)
        and (expected_path is None or v.path == expected_path)
    ]
    assert named, [v.describe() for v in result.violations]
    assert all(v.message for v in named)


def test_ntriples_validation_shortcut_agrees_with_both_engines(valid_graph, monkeypatch):
    """Builds validate N-Triples text and ask pyshacl-turbo's native validator whether
    it conforms before building a report: the answer (and, for a failing graph, the
    violations) must be what both engines say of the same graph."""
    from litkg import validate as gate
    from litkg.validate import turbo

    text = valid_graph.serialize(format="nt")
    broken = Graph()
    broken += valid_graph
    focus = break_constraint(broken, *constraints()[0])
    bad_text = broken.serialize(format="nt")
    assert turbo.conforms(text, SHAPES) and not turbo.conforms(bad_text, SHAPES)
    failing = gate.validate_ntriples(bad_text)
    assert not failing.conforms and any(v.focus == str(focus) for v in failing.violations)

    def named(violations):  # the property shapes are blank nodes: not compared
        return [(v.focus, v.path, v.constraint, v.message, v.value) for v in violations]

    for engine in ENGINES:
        assert named(validate_graph(broken, SHAPES, engine=engine).violations) == named(failing.violations)
    # a conforming graph is answered by the shortcut alone, without a report
    monkeypatch.setattr(gate, "validate_graph", lambda *a, **k: pytest.fail("report built"))
    assert gate.validate_ntriples(text).conforms
