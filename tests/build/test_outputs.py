"""The published files stay byte-identical unless a change means to alter them.

The seeds are built with every format and compared with the digests stored in
``tests/data/digests/seeds.sha256``, written by ``benchmarks/digests.py`` (which also
covers the CRAFT JATS files and a generated corpus, for comparing two commits). When a
change is meant to alter the output, regenerate the stored digests with it and say so in
the commit.
"""

from __future__ import annotations

import hashlib
import os

from conftest import ROOT, SEEDS
from litkg.build import build

STORED = ROOT / "tests" / "data" / "digests" / "seeds.sha256"


def test_seed_outputs_are_byte_identical_to_the_stored_digests(tmp_path, monkeypatch):
    monkeypatch.setitem(os.environ, "SOURCE_DATE_EPOCH", "1767225600")
    build([SEEDS], tmp_path / "seeds", formats=["ttl", "nt", "nq", "trig", "jsonld"])
    expected = dict(reversed(line.split("  ", 1)) for line in STORED.read_text().splitlines())
    for name, digest in sorted(expected.items()):
        path = tmp_path / name
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, f"{name} differs from {STORED.name}"
