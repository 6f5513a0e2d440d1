"""RDF mapping and publishing: vocabulary, exact triples, shared nodes, formats, determinism."""

from __future__ import annotations

import gc
import json
import os
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, VOID, XSD
from typer.testing import CliRunner

from conftest import PAGES, SEED_000, SEED_004, SEEDS, generate_articles, shared_or_skip
from litkg.build import build
from litkg.cli import app
from litkg.link import Annotator
from litkg.parse import parse_file
from litkg.rdf.identity import IdentityIndex, IdentityStore
from litkg.rdf.iris import Minter
from litkg.rdf.lines import SharedLines, article_ntriples
from litkg.rdf.mapping import article_graph, article_triples
from litkg.rdf.namespaces import CITO, DATACITE, FABIO, FRBR, PRISM, PRO
from litkg.rdf.ntriples import ntriples, triples_graph
from litkg.validate import ENGINES, validate_graph, validate_ntriples, validate_triples

BASE = "https://w3id.org/litkg/"
W = BASE + "work/key/"
OZDINLER = URIRef(W + "ozdinler_2020_nat-neurosci_23_1311")
JULIEN = URIRef(W + "julien_2007_nat-neurosci_10_535")
CLEMENT = URIRef(W + "clement_2003_science_302_113")
BOILLEE = URIRef(W + "boillee_2006_science_312_1389")
CHIOT = URIRef(W + "chiot_2020_nat-neurosci")
NAGAI = URIRef(W + "nagai_2007_nat-neurosci_10_615")
DI_GIORGIO = URIRef(W + "di-giorgio_2007_nat-neurosci_10_608")
CLOSED = (FOAF, RDF, RDFS, OWL, XSD, PROV, VOID, DCAT, DCTERMS)


@pytest.fixture(scope="module")
def seed_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("build")
    report = build([SEEDS], out, formats=["ttl", "nt", "nq", "trig", "jsonld"])
    assert not report.rejects
    graph = Graph().parse(out / "graph.ttl")
    return out, graph


def official_terms() -> set[str]:
    terms: set[str] = set()
    for path in sorted(shared_or_skip("vocab").glob("*.ttl")):
        vocab = Graph().parse(path)
        terms.update(str(s) for s in vocab.subjects(RDF.type, None) if isinstance(s, URIRef))
    return terms


def test_every_class_and_predicate_exists_in_its_official_vocabulary(seed_build):
    out, built = seed_build
    graph = Graph().parse(out / "metadata.ttl")
    graph += built
    official = official_terms()
    used = set(graph.predicates()) | set(graph.objects(None, RDF.type))
    used |= set(graph.objects(None, CITO.hasCitationCharacterization)) | set(
        graph.objects(None, PRO.withRole)
    )
    used |= set(graph.objects(None, DATACITE.usesIdentifierScheme))
    unknown = sorted(
        str(t)
        for t in used
        if str(t) not in official and not any(t in ns for ns in CLOSED) and not str(t).startswith(BASE)
    )
    assert unknown == []


def test_article_description(seed_build):
    _, g = seed_build
    assert (OZDINLER, RDF.type, FABIO.JournalArticle) in g
    assert (JULIEN, RDF.type, FABIO.Comment) in g  # News & Views
    assert g.value(OZDINLER, DCTERMS.title) == Literal("Help from peripheral macrophages in ALS?")
    assert str(g.value(OZDINLER, DCTERMS.abstract)).startswith("Chiot and colleagues")
    assert g.value(OZDINLER, FABIO.hasPublicationYear) == Literal("2020", datatype=XSD.gYear)
    assert g.value(OZDINLER, PRISM.startingPage) == Literal("1311")
    assert g.value(OZDINLER, PRISM.endingPage) == Literal("1312")
    volume = g.value(OZDINLER, FRBR.partOf)
    assert volume == URIRef(BASE + "journal/nat-neurosci/volume/23")
    assert g.value(volume, FABIO.hasSequenceIdentifier) == Literal("23")
    assert g.value(volume, FRBR.partOf) == URIRef(BASE + "journal/nat-neurosci")
    person = URIRef(BASE + "person/ozdinler_p-h")
    assert list(g.objects(OZDINLER, DCTERMS.creator)) == [person]
    assert g.value(person, FOAF.familyName) == Literal("Özdinler")
    assert g.value(person, FOAF.givenName) == Literal("P. Hande")
    creators = g.value(OZDINLER, DATACITE.hasCreatorList)
    assert g.value(creators, RDF.first) == person and g.value(creators, RDF.rest) == RDF.nil
    role = URIRef(str(OZDINLER) + "/author/1")
    assert (role, PRO.withRole, PRO.author) in g and (role, PRO.isHeldBy, person) in g
    assert str(g.value(OZDINLER, DCTERMS.bibliographicCitation)).startswith("Özdinler, P.H. Help from")


def test_figures_acknowledgements_and_competing_interests(seed_build):
    _, g = seed_build
    figure = URIRef(str(JULIEN) + "/figure/1")
    assert (JULIEN, FRBR.part, figure) in g
    assert g.value(figure, RDFS.label) == Literal("Figure 1")
    credit = g.value(figure, DCTERMS.creator)
    assert g.value(credit, FOAF.name) == Literal("Katie Ris")
    ack = URIRef(str(OZDINLER) + "/acknowledgements")
    assert (
        str(g.value(ack, URIRef("http://purl.org/spar/c4o/hasContent")))
        == "I thank B. Genc for preparing the figure."
    )
    competing = URIRef(str(JULIEN) + "/competing-interests")
    assert (JULIEN, FRBR.part, competing) in g


def test_discusses_triples_are_exact(seed_build):
    _, g = seed_build
    assert set(g.objects(OZDINLER, CITO.discusses)) == {CHIOT}
    assert set(g.objects(JULIEN, CITO.discusses)) == {NAGAI, DI_GIORGIO}
    citation = URIRef(str(OZDINLER) + "/citation/3")
    assert (citation, CITO.hasCitedEntity, CHIOT) in g
    assert set(g.objects(citation, CITO.hasCitationCharacterization)) == {CITO.cites, CITO.discusses}
    assert set(g.objects(URIRef(str(OZDINLER) + "/citation/1"), CITO.hasCitationCharacterization)) == {
        CITO.cites
    }


def test_works_cited_by_both_seeds_are_one_node(seed_build):
    _, g = seed_build
    for work in (CLEMENT, BOILLEE):
        assert set(g.subjects(CITO.cites, work)) == {OZDINLER, JULIEN}
    assert len(set(g.objects(OZDINLER, CITO.cites))) == 11
    assert len(set(g.objects(JULIEN, CITO.cites))) == 15
    # Boillée and Boillee fold to one person and one work
    assert len(set(g.subjects(CITO.hasCitedEntity, BOILLEE))) == 2


def test_doi_work_identity(seed_build):
    _, g = seed_build
    work = URIRef(BASE + "work/doi/10.1111/j.1471-4159.2007.04531.x")
    assert (JULIEN, CITO.cites, work) in g
    assert (work, OWL.sameAs, URIRef("https://doi.org/10.1111/j.1471-4159.2007.04531.x")) in g
    assert g.value(work, PRISM.doi) == Literal("10.1111/j.1471-4159.2007.04531.x")
    identifier = g.value(work, DATACITE.hasIdentifier)
    assert g.value(identifier, DATACITE.usesIdentifierScheme) == DATACITE.doi
    assert g.value(identifier, RDF.value) == Literal("10.1111/j.1471-4159.2007.04531.x")


def test_an_article_is_the_node_other_articles_references_reach(tmp_path):
    build([SEED_004, PAGES / "research_2023.txt"], tmp_path)
    g = Graph().parse(tmp_path / "graph.ttl")
    citing = URIRef(BASE + "work/doi/10.1038/s41467-023-37001-x")
    assert (citing, CITO.cites, JULIEN) in g
    assert (JULIEN, RDF.type, FABIO.Comment) in g


def test_identity_prefers_doi_across_descriptions():
    a = parse_file(PAGES / "research_2023.txt")
    index = IdentityIndex.from_articles([a])
    graph = article_graph(a, Minter(BASE), index)
    assert (URIRef(BASE + "work/doi/10.1038/s41467-023-37001-x"), RDF.type, FABIO.JournalArticle) in graph


@pytest.mark.parametrize("kept", ["in memory", "on disk"])
def test_identity_index_merged_from_parts_is_the_index_of_the_whole(tmp_path, kept):
    """The build indexes chunks of the corpus in worker processes and merges them (into
    an identity store on disk): every work, type and person resolves as in one index
    over the whole corpus."""
    from dataclasses import replace

    from litkg.rdf.identity import article_identity, reference_identity

    paths = [SEED_000, SEED_004, *sorted(PAGES.glob("*.txt")), *generate_articles(30, tmp_path)]
    articles = [parse_file(path) for path in paths]
    # the works an article cites once more, known by their keys only but with a title
    # and an issue (fuller, so the canonical description): identity joins them to their DOIs
    # across parts
    first = next(a for a in articles if sum(bool(r.doi) for r in a.references) > 3)
    undone = tuple(replace(r, doi=None, issue="9", title="A title") for r in first.references)
    articles.append(replace(first, source="no-ids.txt", doi=None, references=undone))
    whole = IdentityIndex.from_articles(articles)
    for size in (1, 4, 11):
        merged = (
            IdentityIndex() if kept == "in memory" else IdentityStore(tmp_path / f"identity-{size}.sqlite")
        )
        for start in range(0, len(articles), size):
            merged.merge(IdentityIndex.from_articles(articles[start : start + size]))
        merged.build()
        for article in articles:
            identities = [article_identity(article), *map(reference_identity, article.references)]
            for identity, fallback in zip(identities, [None, *article.references], strict=True):
                assert merged.canonical(identity) == whole.canonical(identity)
                assert merged.describe(identity, fallback) == whole.describe(identity, fallback)
                assert merged.article_type(identity) == whole.article_type(identity)
            for person in [*article.authors, *(p for r in article.references for p in r.authors)]:
                assert merged.person(person) == whole.person(person)


def test_identity_store_is_read_only_once_built_and_crosses_processes(tmp_path):
    """A built store is handed to worker processes (pickled where they are spawned):
    each reads it through its own connection; a store still being merged is not."""
    import pickle
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    from litkg.rdf.identity import reference_identity

    articles = [parse_file(SEED_000), parse_file(SEED_004)]
    store = IdentityStore(tmp_path / "identity.sqlite")
    store.merge(IdentityIndex.from_articles(articles))
    with pytest.raises(TypeError):
        pickle.dumps(store)
    store.build()
    with pytest.raises(RuntimeError, match="read-only"):
        store.merge(IdentityIndex.from_articles(articles))
    references = [r for a in articles for r in a.references]
    identities = [reference_identity(r) for r in references]
    expected = [store.describe(identity, r) for identity, r in zip(identities, references, strict=True)]
    assert any(d != r for d, r in zip(expected, references, strict=True))  # canonical, not the fallback
    for method in ("fork", "spawn"):
        with ProcessPoolExecutor(1, mp_context=get_context(method)) as pool:
            assert list(pool.map(store.describe, identities, references, chunksize=50)) == expected
    store.close()


def test_custom_base(tmp_path):
    build([SEED_000], tmp_path, base="http://example.org/kg")
    g = Graph().parse(tmp_path / "graph.ttl")
    assert (
        URIRef("http://example.org/kg/work/key/ozdinler_2020_nat-neurosci_23_1311"),
        RDF.type,
        FABIO.Expression,
    ) in g


def test_every_format_round_trips_to_an_isomorphic_graph(seed_build):
    out, g = seed_build
    for name, fmt in [("graph.nt", "nt"), ("graph.jsonld", "json-ld")]:
        assert isomorphic(Graph().parse(out / name, format=fmt), g), name
    for name, fmt in [("graph.nq", "nquads"), ("graph.trig", "trig")]:
        ds = Dataset()
        ds.parse(out / name, format=fmt)
        union = Graph()
        for s, p, o, _ in ds.quads((None, None, None, None)):
            union.add((s, p, o))
        assert isomorphic(union, g), name
        # one named graph per article, and one of the descriptions they share
        assert {str(c) for *_, c in ds.quads((None, None, None, None))} == {
            "https://w3id.org/litkg/dataset/descriptions",
            "https://w3id.org/litkg/work/key/julien_2007_nat-neurosci_10_535/graph",
            "https://w3id.org/litkg/work/key/ozdinler_2020_nat-neurosci_23_1311/graph",
        }, name


def test_shared_descriptions_are_stated_once_in_their_own_graph(seed_build):
    """Cited works and ontology terms are described in the dataset's descriptions graph,
    once, not again in each citing or mentioning article's graph: over the union of
    the graphs (how stores answer by default) a join meets each such triple once."""
    out, _ = seed_build
    descriptions = "https://w3id.org/litkg/dataset/descriptions"
    where: dict[ox.Triple, list[str]] = {}
    for quad in ox.parse(path=str(out / "graph.nq"), format=ox.RdfFormat.N_QUADS):
        where.setdefault(quad.triple, []).append(quad.graph_name.value)
    articles = {g.removesuffix("/graph") for graphs in where.values() for g in graphs if g != descriptions}
    cited = {t.object.value for t in where if t.predicate.value == str(CITO.cites)}
    labels = [
        graphs
        for t, graphs in where.items()
        if t.predicate.value == str(RDFS.label)
        and t.subject.value.startswith("http://purl.obolibrary.org/obo/")
    ]
    assert labels and all(graphs == [descriptions] for graphs in labels)
    assert cited - articles
    for triple, graphs in where.items():
        if triple.subject.value in cited - articles:
            assert graphs == [descriptions], triple
    # people (authors of the articles too) and journals are described there, once
    for predicate in (FOAF.familyName, FABIO.hasShortTitle):
        stated = [graphs for t, graphs in where.items() if t.predicate.value == str(predicate)]
        assert stated and all(graphs == [descriptions] for graphs in stated), predicate
    # what an article's graph says about itself is in its graph, not in the shared one
    assert all(descriptions not in where[t] for t in where if t.predicate.value == str(CITO.cites))


def test_output_is_byte_identical_across_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    formats = ["ttl", "nt", "nq", "trig", "jsonld"]
    build([SEEDS], tmp_path / "a", formats=formats)
    build([SEED_004, SEED_000], tmp_path / "b", formats=formats)
    for name in ["graph.ttl", "graph.nt", "graph.nq", "graph.trig", "graph.jsonld", "rejects.json"]:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    meta_a = (tmp_path / "a" / "metadata.ttl").read_text()
    assert "2023-11-14T22:13:20+00:00" in meta_a


def test_turtle_uses_standard_prefixes(seed_build):
    out, _ = seed_build
    text = (out / "graph.ttl").read_text()
    for prefix in ("fabio:", "cito:", "dcterms:", "foaf:", "frbr:", "prism:", "datacite:", "biro:", "c4o:"):
        assert f"@prefix {prefix}" in text


def test_jsonld_has_a_context(seed_build):
    out, _ = seed_build
    doc = json.loads((out / "graph.jsonld").read_text())
    assert doc["@context"]["fabio"] == "http://purl.org/spar/fabio/"


def test_metadata_void_dcat_prov(seed_build):
    out, g = seed_build
    meta = Graph().parse(out / "metadata.ttl")
    dataset = URIRef(BASE + "dataset")
    assert (dataset, RDF.type, VOID.Dataset) in meta and (dataset, RDF.type, DCAT.Dataset) in meta
    assert int(meta.value(dataset, VOID.triples)) == len(g)
    assert meta.value(dataset, DCTERMS.license) is not None
    assert URIRef("http://purl.org/spar/cito/") in set(meta.objects(dataset, VOID.vocabulary))
    sha = __import__("hashlib").sha256(SEED_000.read_bytes()).hexdigest()
    assert (None, DCTERMS.identifier, Literal(f"sha256:{sha}")) in meta
    activity = meta.value(dataset, PROV.wasGeneratedBy)
    assert meta.value(activity, PROV.startedAtTime) is not None


def _invalid_page(tmp_path):
    text = SEED_000.read_text(encoding="utf-8").replace(
        "Nat Neurosci 23, 1311–1312 (2020).", "Nat Neurosci 23, 1311–1312."
    )
    path = tmp_path / "inputs" / "no_year.txt"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    return path


def test_invalid_article_is_rejected_and_others_published(tmp_path):
    bad = _invalid_page(tmp_path)
    result = CliRunner().invoke(app, ["build", str(SEED_004), str(bad), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "rejected" in result.stderr and "with a publication year" in result.stderr
    rejects = json.loads((tmp_path / "out" / "rejects.json").read_text())
    assert [r["source"] for r in rejects] == [str(bad)]
    assert rejects[0]["stage"] == "validate"
    assert rejects[0]["violations"][0]["constraint"] == "OrConstraintComponent"
    g = Graph().parse(tmp_path / "out" / "graph.ttl")
    assert (JULIEN, RDF.type, FABIO.Expression) in g
    assert not any(str(s).startswith(W + "ozdinler") for s in g.subjects())


def test_build_cli_main_job(tmp_path):
    result = CliRunner().invoke(app, ["build", str(SEEDS), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "2 published, 0 rejected" in result.stderr
    assert json.loads((tmp_path / "rejects.json").read_text()) == []


def test_validate_command(tmp_path, seed_build):
    out, _ = seed_build
    ok = CliRunner().invoke(app, ["validate", str(out / "graph.ttl")])
    assert ok.exit_code == 0 and "conforms" in ok.stderr
    broken = tmp_path / "broken.ttl"
    broken.write_text(
        "@prefix fabio: <http://purl.org/spar/fabio/> . @prefix dcterms: <http://purl.org/dc/terms/> .\n"
        "<http://x/a> a fabio:Expression ; dcterms:title 'a', 'b' .\n"
    )
    bad = CliRunner().invoke(app, ["validate", str(broken)])
    assert bad.exit_code == 1 and "MaxCountConstraintComponent" in bad.stderr
    garbage = tmp_path / "garbage.ttl"
    garbage.write_text("this is not turtle {")
    result = CliRunner().invoke(app, ["validate", str(garbage)])
    assert result.exit_code == 2 and "cannot parse as RDF" in result.stderr


def test_validate_reads_the_named_graphs_of_nquads_and_trig(tmp_path):
    """`litkg validate graph.nq` once said "conforms (0 triples)"."""
    out = tmp_path / "out"
    build([SEEDS], out, formats=("ttl", "nq", "trig"), link=False)
    triples = len(Graph().parse(out / "graph.ttl"))
    for name in ("graph.nq", "graph.trig"):
        result = CliRunner().invoke(app, ["validate", str(out / name)])
        assert result.exit_code == 0 and f"conforms ({triples} triples)" in result.stderr
    broken = tmp_path / "broken.nq"
    broken.write_text(
        "<http://x/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://purl.org/spar/fabio/Expression> <http://x/g> .\n"
        '<http://x/a> <http://purl.org/dc/terms/title> "a" <http://x/g> .\n'
        '<http://x/a> <http://purl.org/dc/terms/title> "b" <http://x/g> .\n'
    )
    assert CliRunner().invoke(app, ["validate", str(broken)]).exit_code == 1


def test_rejects_are_the_same_on_every_run(tmp_path, monkeypatch):
    """A property shape's blank-node id made rejects.json differ on every run."""
    from dataclasses import replace

    from litkg.build import workers as build_module
    from litkg.parse import parse_file

    untitled = replace(parse_file(SEED_004), title="")  # fails a property shape of ExpressionShape
    monkeypatch.setattr(build_module, "parse_file", lambda path: untitled)
    texts = []
    for run in ("a", "b"):
        build([SEED_004], tmp_path / run)
        texts.append((tmp_path / run / "rejects.json").read_text())
    assert texts[0] == texts[1]
    shapes = {v["shape"] for r in json.loads(texts[0]) for v in r["violations"]}
    assert "" in shapes and all(s == "" or s.startswith("https://w3id.org/litkg/shapes#") for s in shapes)


def test_load_refuses_an_endpoint_that_is_not_a_url(tmp_path, seed_build):
    out, _ = seed_build
    result = CliRunner().invoke(app, ["load", str(out), "--endpoint", "not-a-url"])
    assert result.exit_code == 2 and "not an http(s) URL" in result.stderr
    assert "Traceback" not in result.output


def test_unknown_format_is_refused(tmp_path):
    result = CliRunner().invoke(app, ["build", str(SEEDS), "-o", str(tmp_path), "-f", "xml"])
    assert result.exit_code == 2 and "'xml' is not one of" in result.stderr and "'jsonld'" in result.stderr


def test_nothing_is_written_outside_out(tmp_path):
    before = set(os.listdir(tmp_path))
    build([SEEDS], tmp_path / "out")
    assert set(os.listdir(tmp_path)) - before == {"out"}


def test_build_hands_the_objects_it_froze_back_to_the_collector(tmp_path):
    """build freezes the lexicon and the index out of the collector's sight while it
    runs; a caller's own frozen objects stay frozen."""
    assert gc.get_freeze_count() == 0, "an earlier test (an in-process cluster?) left objects frozen"
    build([SEEDS], tmp_path / "a", formats=["nq"])
    assert gc.get_freeze_count() == 0
    gc.freeze()  # the caller's objects
    try:
        frozen = gc.get_freeze_count()
        build([SEEDS], tmp_path / "b", formats=["nq"])
        assert gc.get_freeze_count() >= frozen
    finally:
        gc.unfreeze()


def test_every_emitted_class_has_a_shape(seed_build):
    from rdflib.namespace import SH

    from litkg.validate import load_shapes

    _, g = seed_build
    shapes = load_shapes()
    targeted = set(shapes.objects(None, SH.targetClass))
    emitted = set(g.objects(None, RDF.type)) - {OWL.Class}  # ontology terms: targeted by the objects of links
    assert emitted - targeted == {FABIO.JournalArticle, FABIO.Comment}  # both also fabio:Expression
    for cls in emitted - targeted:
        assert all((s, RDF.type, FABIO.Expression) in g for s in g.subjects(RDF.type, cls))


def test_parallel_build_gives_identical_output(tmp_path, monkeypatch):
    from conftest import JATS_SAMPLE

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    generated = generate_articles(40, tmp_path / "generated")
    broken = tmp_path / "broken.txt"
    broken.write_bytes(b"\x00binary")
    inputs = [SEEDS, PAGES, JATS_SAMPLE, broken, *generated]
    formats = ["ttl", "nq", "nt", "trig"]
    one = build(inputs, tmp_path / "one", formats=formats, jobs=1)
    two = build(inputs, tmp_path / "two", formats=formats, jobs=2)
    assert len(one.published) == len(two.published) == 46 and [r.source for r in two.rejects] == [str(broken)]
    for name in ("graph.ttl", "graph.nq", "graph.nt", "graph.trig", "metadata.ttl", "rejects.json"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name
    # each worker spools a shared description into the union once: the union graph is
    # still exactly the union of the article graphs
    union = {
        q.triple for q in ox.parse(path=str(tmp_path / "two" / "graph.nt"), format=ox.RdfFormat.N_TRIPLES)
    }
    graphs = ox.parse(path=str(tmp_path / "two" / "graph.nq"), format=ox.RdfFormat.N_QUADS)
    assert union == {q.triple for q in graphs}
    _assert_citation_counts_are_the_counted_citations(tmp_path / "two" / "graph.nq")


def _assert_citation_counts_are_the_counted_citations(nquads):
    """The C4O citation counts the build states (once, in the descriptions graph) are
    the number of published articles citing each work, summed across workers."""
    store = ox.Store()
    store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    prefixes = "PREFIX cito: <http://purl.org/spar/cito/> PREFIX c4o: <http://purl.org/spar/c4o/> "
    counted = store.query(
        prefixes + "SELECT ?w (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a cito:cites ?w } GROUP BY ?w",
        use_default_graph_as_union=True,
    )
    stated = store.query(
        prefixes + "SELECT ?w ?n ?g WHERE { GRAPH ?g { ?w c4o:hasGlobalCitationFrequency ?c . "
        "?c c4o:hasGlobalCountValue ?n ; c4o:hasGlobalCountSource <https://w3id.org/litkg/dataset> } }",
    )
    expected = {(row["w"].value, int(row["n"].value)) for row in counted}
    rows = list(stated)
    assert {(row["w"].value, int(row["n"].value)) for row in rows} == expected
    assert len(rows) == len(expected) and max(n for _, n in expected) > 2
    assert {row["g"].value for row in rows} == {"https://w3id.org/litkg/dataset/descriptions"}


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_internal_error_rejects_one_article_and_publishes_the_others(tmp_path, monkeypatch, jobs):
    """A bug met by one odd input (here: mapping and parsing raising for one file each)
    rejects that input, naming it, and every other article is still published."""
    from litkg.build import workers as pipeline

    generate_articles(60, tmp_path / "in")
    real_map, real_parse = pipeline.article_lines, pipeline.parse_file

    def failing_map(article, *args):
        if article.source.endswith("article_000007.txt"):
            raise KeyError("boom")
        return real_map(article, *args)

    def failing_parse(path):
        if str(path).endswith("article_000042.txt"):
            raise IndexError("list index out of range")
        return real_parse(path)

    monkeypatch.setattr(pipeline, "article_lines", failing_map)
    monkeypatch.setattr(pipeline, "parse_file", failing_parse)
    report = build([tmp_path / "in"], tmp_path / "out", formats=["nq"], jobs=jobs)
    assert len(report.published) == 58
    assert [(Path(r.source).name, r.stage, r.message) for r in report.rejects] == [
        ("article_000042.txt", "parse", "internal error: IndexError: list index out of range"),
        ("article_000007.txt", "map", "internal error: KeyError: 'boom'"),
    ]
    graphs = {
        q.graph_name.value
        for q in ox.parse(path=str(tmp_path / "out" / "graph.nq"), format=ox.RdfFormat.N_QUADS)
    }
    assert len(graphs) == 58 + 1  # the articles', and the one of their shared descriptions


def test_citation_counts_failing_the_shapes_are_left_out_and_reported(tmp_path, monkeypatch):
    """The corpus citation counts are checked like an article: a broken count (here a
    value that is not an xsd:nonNegativeInteger) leaves the counts out, says why in the
    rejects, and the articles are still published."""
    from litkg.build import stages as pipeline

    real = pipeline.citation_count_lines

    def broken(counts, minter):
        return [
            line.replace("^^<http://www.w3.org/2001/XMLSchema#nonNegativeInteger>", "")
            for line in real(counts, minter)
        ]

    monkeypatch.setattr(pipeline, "citation_count_lines", broken)
    report = build([SEEDS], tmp_path / "out", formats=["nq"])
    assert len(report.published) == 2
    [reject] = report.rejects
    assert (reject.source, reject.stage) == ("https://w3id.org/litkg/dataset", "validate")
    assert reject.message.startswith("citation counts left out") and reject.violations
    assert {v.constraint for v in reject.violations} == {"DatatypeConstraintComponent"}
    published = (tmp_path / "out" / "graph.nq").read_text(encoding="utf-8")
    assert "cito/cites" in published and "hasGlobalCitationFrequency" not in published
    assert json.loads((tmp_path / "out" / "rejects.json").read_text())[0]["stage"] == "validate"


def test_spooled_sink_merges_runs_into_the_same_files(tmp_path):
    """Tiny buffers force many sorted runs and duplicates across them: the files equal
    the one-run output, so memory can stay bounded without changing a byte."""
    from litkg.build import build
    from litkg.build.spool import GraphSink

    out = tmp_path / "one"
    build([SEEDS], out, formats=("nq",), link=False)
    quads = list(ox.parse(path=str(out / "graph.nq"), format=ox.RdfFormat.N_QUADS))
    by_graph: dict[str, list[ox.Triple]] = {}
    for q in quads:
        by_graph.setdefault(q.graph_name.value, []).append(ox.Triple(q.subject, q.predicate, q.object))
    outputs = []
    for buffer_lines in (10**9, 7):
        sink = GraphSink(buffer_lines=buffer_lines)
        for name, triples in sorted(by_graph.items()):
            sink.add(name, (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode())
        target = tmp_path / f"buffer-{buffer_lines}"
        files = sink.write(target, ("ttl", "nt", "nq", "trig"), "https://w3id.org/litkg/")
        outputs.append(([f.read_bytes() for f in files], sink.stats()))
        sink.close()
    assert outputs[0] == outputs[1]
    assert outputs[0][1].triples == len({(q.subject, q.predicate, q.object) for q in quads})


_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=200, deadline=None)
@given(
    value=_text,
    language=st.sampled_from([None, "en", "de-CH"]),
    datatype=st.sampled_from([None, XSD.string, XSD.nonNegativeInteger, XSD.date]),
)
def test_ntriples_writer_matches_rdflib_and_parses_back(value, language, datatype):
    """The build writes N-Triples without a Graph: byte for byte what rdflib writes."""
    literal = Literal(value, lang=language) if language else Literal(value, datatype=datatype)
    triple = (URIRef("https://w3id.org/litkg/work/x"), DCTERMS.title, literal)
    graph = Graph()
    graph.add(triple)
    written = ntriples({triple})
    assert written == graph.serialize(format="nt")
    assert isomorphic(Graph().parse(data=written, format="nt"), graph)


def test_article_triples_are_the_graph_and_validate_alike():
    articles = [parse_file(path) for path in (SEED_000, SEED_004)]
    index = IdentityIndex.from_articles(articles)
    minter = Minter("https://w3id.org/litkg/")
    for article in articles:
        triples = article_triples(article, minter, index)
        graph = article_graph(article, minter, index)
        assert set(graph) == triples
        assert ntriples(triples) == "".join(sorted(graph.serialize(format="nt").splitlines(keepends=True)))
        for engine in ENGINES:
            assert validate_triples(triples, engine=engine) == validate_graph(graph, engine=engine)
        broken = {t for t in triples if t[1] != DCTERMS.title}
        for engine in ENGINES:
            result = validate_triples(broken, engine=engine)
            assert not result.conforms
            assert result == validate_graph(triples_graph(broken, minter.base), engine=engine)


@settings(max_examples=30, deadline=None)
@given(
    runs=st.lists(st.lists(_text.filter(lambda t: "\n" not in t and "\r" not in t), max_size=30), max_size=40)
)
def test_sorted_run_merge_is_the_same_with_sort_and_with_heapq(runs):
    """`sort -m -u` in the C locale and heapq.merge agree on any text (diacritics, Greek,
    astral characters): UTF-8 byte order is code-point order."""
    import tempfile
    from pathlib import Path
    from unittest import mock

    from litkg.build import spool as dumps

    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        paths = []
        for number, lines in enumerate(runs):
            path = root / f"run-{number}"
            path.write_text("".join(line + "\n" for line in sorted(set(lines))), encoding="utf-8")
            paths.append(path)
        dumps.merge_sorted(paths, root / "with-sort")
        with mock.patch.object(dumps.shutil, "which", return_value=None):
            dumps.merge_sorted(paths, root / "with-heapq")
        expected = "".join(line + "\n" for line in sorted({line for lines in runs for line in lines}))
        assert (root / "with-sort").read_text(encoding="utf-8") == expected
        assert (root / "with-heapq").read_text(encoding="utf-8") == expected


@settings(max_examples=30, deadline=None)
@given(value=_text.filter(lambda t: "\n" not in t and "\r" not in t))
def test_spooled_graphs_become_nquads_whatever_their_literals_hold(value):
    """A literal with a tab, a form feed or U+2028 stays one quad through the spool;
    one graph given twice (one article in two inputs) is merged, not repeated."""
    from litkg.build.spool import GraphSink

    graph = "https://w3id.org/litkg/work/x/graph"
    literal = Literal(value + "\t\x0c\u2028end")
    triple = (URIRef("https://w3id.org/litkg/work/x"), DCTERMS.title, literal)
    other = (URIRef("https://w3id.org/litkg/work/x"), DCTERMS.abstract, Literal("a"))
    sink = GraphSink()
    try:
        sink.add(graph, ntriples({triple}))
        sink.add(graph, ntriples({triple, other}))
        quads = list(ox.parse(path=str(sink.nquads()), format=ox.RdfFormat.N_QUADS))
    finally:
        sink.close()
    assert sorted(q.object.value for q in quads) == sorted(["a", str(literal)])
    assert {q.graph_name.value for q in quads} == {graph}


def test_graph_lines_written_without_space_or_final_newline_become_quads():
    from litkg.build.spool import with_graph

    text = '<https://x/s> <https://x/p> "a ." .\n<https://x/s> <https://x/p> <https://x/o>.'
    quads = list(ox.parse(with_graph(text, "https://x/g"), format=ox.RdfFormat.N_QUADS))
    assert [(q.object.value, q.graph_name.value) for q in quads] == [
        ("a .", "https://x/g"),
        ("https://x/o", "https://x/g"),
    ]


@pytest.mark.parametrize("memo_size", [1, 32_768])
def test_article_ntriples_with_shared_descriptions_are_the_article_triples(memo_size):
    """The build writes each article from remembered descriptions of cited works and
    terms: the same lines as the pure mapping, whether the memo remembers or forgets."""
    paths = [SEED_000, SEED_004, *sorted(PAGES.glob("*.txt"))]
    articles = [parse_file(path) for path in paths]
    index = IdentityIndex.from_articles(articles)
    minter = Minter("https://w3id.org/litkg/")
    annotator = Annotator()
    module = annotator.lexicon.module
    shared = SharedLines(minter, index, module, size=memo_size)
    for _ in range(2):  # second round: from the memo
        for article in articles:
            mentions = annotator.annotate_article(article)
            expected = ntriples(article_triples(article, minter, index, mentions, module))
            written = article_ntriples(article, minter, index, mentions, shared)
            assert written == expected
            assert validate_ntriples(written) == validate_triples(
                article_triples(article, minter, index, mentions, module)
            )


def test_validate_ntriples_rejects_like_the_graph_validators():
    articles = [parse_file(path) for path in (SEED_000, SEED_004)]
    index = IdentityIndex.from_articles(articles)
    minter = Minter("https://w3id.org/litkg/")
    triples = article_triples(articles[0], minter, index)
    broken = {t for t in triples if t[1] != DCTERMS.title}
    for engine in ENGINES:
        result = validate_ntriples(ntriples(broken), engine=engine)
        assert not result.conforms
        assert "MinCountConstraintComponent" in {v.constraint for v in result.violations}
        assert result == validate_graph(triples_graph(broken, minter.base), engine=engine)


def test_no_local_path_is_published(tmp_path):
    """`litkg build /abs/path/seeds` published the builder's absolute paths as the
    sources' labels: a source is named inside the input given, with its sha256."""
    out = tmp_path / "out"
    build(
        [SEEDS.resolve(), (PAGES / next(p.name for p in sorted(PAGES.iterdir()))).resolve()],
        out,
        formats=("ttl", "nq"),
    )
    metadata = Graph().parse(out / "metadata.ttl")
    labels = sorted(
        str(o) for s in metadata.subjects(RDF.type, PROV.Entity) for o in metadata.objects(s, RDFS.label)
    )
    assert "seeds/004_a0c03759c99e3461.txt" in labels and all(not label.startswith("/") for label in labels)
    for name in ("metadata.ttl", "graph.ttl", "graph.nq"):
        assert str(SEEDS.resolve().parent) not in (out / name).read_text()


def test_a_views_pickled_table_unpickles_each_value_once_and_stays_pickled():
    import pickle as pickling

    from litkg.rdf.identity import Pickled
    from litkg.records import Reference

    reference = Reference(1, "A work. 2001.", title="A work", doi="10.1/x")
    table: Pickled[Reference] = Pickled({"w": pickling.dumps(reference), "v": pickling.dumps(None)})
    assert table["w"] == reference and table["w"] is table["w"]
    assert table.get("v", "default") is None and table.get("u", "default") == "default"
    assert "w" in table and "u" not in table and len(table) == 2 and sorted(table) == ["v", "w"]
    copy = pickling.loads(pickling.dumps(table))
    assert copy._raw == table._raw and copy._read == {} and copy["w"] == reference
