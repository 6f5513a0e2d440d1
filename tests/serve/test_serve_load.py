"""A bounded load test on loopback: 2,000 requests, 20 at a time, over article pages, RDF
documents and SPARQL queries, against a real `litkg serve`. It asserts that nothing
fails; throughput and latency are printed and kept in test-artifacts/ (never asserted)."""

from __future__ import annotations

import importlib.util
import json
import sys
from dataclasses import asdict

import pytest
from test_serve import start_server, stop_server

from conftest import PAGES, ROOT, SEEDS
from litkg.build import build
from litkg.rdf.iris import DEFAULT_BASE

spec = importlib.util.spec_from_file_location("serve_load", ROOT / "benchmarks" / "serve_load.py")
serve_load = importlib.util.module_from_spec(spec)
sys.modules["serve_load"] = serve_load
spec.loader.exec_module(serve_load)


@pytest.mark.slow
def test_two_thousand_requests_at_twenty_concurrent_without_errors(tmp_path):
    out = tmp_path / "out"
    assert len(build([SEEDS, PAGES], out, formats=("ttl", "nq")).published) == 5
    process, url = start_server(out)
    try:
        report = serve_load.run_load(url, out, DEFAULT_BASE, total=2000, concurrency=20)
    finally:
        stop_server(process)
    figures = asdict(report)
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    (ROOT / "test-artifacts" / "serve-load.json").write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures, indent=2))
    assert report.errors == 0, report.error_samples
    assert sum(k["requests"] for k in report.by_kind.values()) == 2000
    assert set(report.by_kind) == {"page", "rdf", "sparql"}
