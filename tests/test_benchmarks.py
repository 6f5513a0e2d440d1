"""The benchmark command runs end to end and prints what issue 7 asks of it (figures only:
no timing is asserted here; targets live in the benchmark's own output)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from conftest import ROOT
from litkg.resources import data_dir


@pytest.mark.slow
def test_benchmark_prints_stages_ratios_and_query_times():
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--sizes", "12"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    assert "== 12 articles" in out
    assert re.search(r"litkg: [\d.]+s, [\d.]+ articles/s, [\d,]+ triples/s", out)
    assert re.search(r"peak RSS \d+ MB", out)
    assert all(f" {stage} " in out for stage in ("parse", "link", "map", "validate", "serialize"))
    assert re.search(r"litkg / floor = [\d.]+x", out)
    assert re.search(r"naive \(one rdflib graph, one pySHACL run\): [\d.]+s, litkg is [\d.]+x faster", out)
    for query in data_dir("queries").glob("*.rq"):
        assert re.search(rf"^  {re.escape(query.stem)} +- +[\d,]+ +[\d.]+$", out, re.MULTILINE), query.stem
    assert re.search(r"slowest unbound query: [\d.]+ s", out)


def test_label_recall_prints_how_many_labels_are_linked():
    """Figures only: the share of the ontologies' own labels the shipped model links."""
    for ontology in ("MONDO", "CL"):
        done = subprocess.run(
            [sys.executable, str(ROOT / "benchmarks" / "label_recall.py"), "--ontology", ontology]
            + ["--count", "6", "--show"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        found = re.search(rf"^{ontology}: (\d+) of 12 sentences link the label", done.stdout, re.MULTILINE)
        assert found, done.stdout
        shown = re.findall(r"^  not linked \((\d)/2\)", done.stdout, re.MULTILINE)
        assert 12 - int(found.group(1)) == sum(map(int, shown))
