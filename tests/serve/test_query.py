"""SPARQL over the seeds' output: every named query's exact answer, bindings, formats."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from conftest import ROOT, SEEDS
from litkg.build import build
from litkg.cli import app
from litkg.serve.query import (
    QueryError,
    load_store,
    named_query,
    parse_binding,
    parse_term,
    run_query,
    with_values,
)

W = "https://w3id.org/litkg/work/key/"
OZDINLER = W + "ozdinler_2020_nat-neurosci_23_1311"
JULIEN = W + "julien_2007_nat-neurosci_10_535"
OBO = "http://purl.obolibrary.org/obo/"
QUERIES = sorted(p.stem for p in (ROOT / "src" / "litkg" / "_data" / "queries").glob("*.rq"))

# query name -> (bindings, expected rows as plain strings)
EXPECTED = {
    "cited-by-several": (
        {},
        [
            (W + "boillee_2006_science_312_1389", "2"),
            (W + "clement_2003_science_302_113", "2"),
        ],
    ),
    "discussed-works": (
        {"article": f"<{JULIEN}>"},
        [
            (
                JULIEN,
                "ALS: astrocytes move in as deadly neighbors",
                W + "di-giorgio_2007_nat-neurosci_10_608",
                "Di Giorgio, F.P., Carrasco, M.A., Siao, M.C., Maniatis, T. & Eggan, K. Nat. Neurosci. 10, 608–614 (2007).",
            ),
            (
                JULIEN,
                "ALS: astrocytes move in as deadly neighbors",
                W + "nagai_2007_nat-neurosci_10_615",
                "Nagai, M. et al. Nat. Neurosci. 10, 615–622 (2007).",
            ),
        ],
    ),
    "articles-by-cell-type": (
        {"cellType": "obo:CL_0000125"},
        [  # glial cell
            (JULIEN, "ALS: astrocytes move in as deadly neighbors", OBO + "CL_0000127", "astrocyte"),
            (OZDINLER, "Help from peripheral macrophages in ALS?", OBO + "CL_0000129", "microglial cell"),
        ],
    ),
    "cell-types-with-disease": (
        {"disease": "obo:MONDO_0004976"},
        [
            (OBO + "MONDO_0004976", OBO + "CL_0000100", "motor neuron", "2"),
            (OBO + "MONDO_0004976", OBO + "CL_0000127", "astrocyte", "1"),
            (OBO + "MONDO_0004976", OBO + "CL_0000129", "microglial cell", "1"),
            (OBO + "MONDO_0004976", OBO + "CL_0000235", "macrophage", "1"),
            (OBO + "MONDO_0004976", OBO + "CL_0002092", "bone marrow cell", "1"),
        ],
    ),
    "citation-counts": (
        {"work": f"<{W}clement_2003_science_302_113>"},
        [(W + "clement_2003_science_302_113", "2")],
    ),
    "author-articles": (
        {"familyName": "Özdinler"},
        [
            (
                OZDINLER,
                "Help from peripheral macrophages in ALS?",
                "2020",
                "https://w3id.org/litkg/person/ozdinler_p-h",
                "Özdinler",
            ),
        ],
    ),
}


@pytest.fixture(scope="module")
def seed_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("q")
    build([SEEDS], out, formats=["ttl", "nq"])
    return out


@pytest.fixture(scope="module")
def store(seed_out):
    return load_store(seed_out)


def test_every_shipped_query_has_an_expected_answer():
    assert set(QUERIES) == set(EXPECTED)


@pytest.mark.parametrize("name", QUERIES)
def test_named_query_exact_answer(store, name):
    bindings, expected = EXPECTED[name]
    result = run_query(store, named_query(name), {k: parse_term(v) for k, v in bindings.items()})
    assert result.plain_rows() == expected


def test_unbound_parameters_answer_for_all(store):
    rows = run_query(store, named_query("citation-counts")).plain_rows()
    assert len(rows) == 24 and rows[0][1] == "2" and rows[1][1] == "2"
    assert {r[0] for r in run_query(store, named_query("discussed-works")).plain_rows()} == {JULIEN, OZDINLER}


@pytest.mark.parametrize("name", QUERIES)
def test_unbound_queries_repeat_no_row(store, name):
    """Every article graph repeats what it says about cited works, people and terms: over
    the union of the graphs a query must still give each answer once."""
    rows = run_query(store, named_query(name)).plain_rows()
    assert rows and len(rows) == len(set(rows))


def test_cell_type_query_unbound_and_bound(store):
    everything = run_query(store, named_query("articles-by-cell-type")).plain_rows()
    assert {row[3] for row in everything} >= {"astrocyte", "microglial cell", "motor neuron", "macrophage"}
    glial = run_query(store, named_query("articles-by-cell-type"), {"cellType": parse_term("obo:CL_0000125")})
    assert {row[3] for row in glial.plain_rows()} == {"astrocyte", "microglial cell"}


def test_injection_is_impossible(store):
    hostile = 'Özdinler" } UNION { ?article ?p ?o } #{'
    assert run_query(store, named_query("author-articles"), {"familyName": parse_term(hostile)}).rows == ()
    remote = with_values(named_query("author-articles"), {"familyName": parse_term(hostile)})
    assert '"Özdinler\\" } UNION { ?article ?p ?o } #{"' in remote
    assert remote.count("UNION") == 1  # only inside the escaped literal


def test_binding_syntax():
    assert parse_binding("cellType=obo:CL_0000125")[1].value == OBO + "CL_0000125"
    assert parse_binding("?work=<http://x/y>")[1].value == "http://x/y"
    assert parse_binding("familyName=O'Neil")[1].value == "O'Neil"
    with pytest.raises(QueryError):
        parse_binding("no equals sign")
    with pytest.raises(QueryError):
        parse_binding("x=<not an iri>")


def test_query_cli_formats(seed_out):
    runner = CliRunner()
    result = runner.invoke(app, ["query", str(seed_out), "--name", "cited-by-several", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["work", "citingArticles"] and len(rows) == 3
    result = runner.invoke(
        app,
        [
            "query",
            str(seed_out / "graph.ttl"),
            "--file",
            str(ROOT / "src" / "litkg" / "_data" / "queries" / "author-articles.rq"),
            "--bind",
            "familyName=Julien",
            "--format",
            "json",
        ],
    )
    doc = json.loads(result.stdout)
    assert [b["article"]["value"] for b in doc["results"]["bindings"]] == [JULIEN]
    result = runner.invoke(app, ["query", str(seed_out), "ASK { ?s ?p ?o }"])
    assert result.exit_code == 0 and result.stdout.strip() == "true"
    result = runner.invoke(app, ["query", str(seed_out), "SELECT ?x WHERE { ?x ?y }"])
    assert result.exit_code == 2 and "syntax error" in result.stderr
    result = runner.invoke(app, ["query", str(seed_out), "--name", "nope"])
    assert result.exit_code == 2 and "available:" in result.stderr
