"""Mutated real inputs mixed with good ones: every good input is still read and published,
a bad one gets a clear error naming it (never "internal error", never a traceback).

The inputs are the seeds, the test pages and JATS files, mutated the ways real files go
wrong: cut short, bytes flipped or inserted, lines dropped or repeated, control
characters, markup broken, gzip damaged. Bounded: a few dozen examples each.
"""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import JATS_SAMPLE, PAGES, ROOT, SEEDS
from litkg.build import build
from litkg.cli import app
from litkg.parse import parse_files

GOOD = (
    sorted(SEEDS.glob("*.txt"))
    + sorted(PAGES.glob("*.txt"))
    + [JATS_SAMPLE, ROOT / "tests/data/jats/publisher.xml"]
)


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    """(file name, content): one good input, damaged one or more ways."""
    source = draw(st.sampled_from(GOOD))
    data = source.read_bytes()
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(
            st.sampled_from(["cut", "flip", "insert", "drop-lines", "repeat-lines", "control", "markup"])
        )
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if kind == "cut":
            data = data[:at]
        elif kind == "flip":
            data = data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1 :]
        elif kind == "insert":
            data = data[:at] + draw(st.binary(min_size=1, max_size=40)) + data[at:]
        elif kind in ("drop-lines", "repeat-lines"):
            lines = data.split(b"\n")
            start = draw(st.integers(0, len(lines) - 1))
            end = draw(st.integers(start, min(len(lines), start + 30)))
            lines[start:end] = [] if kind == "drop-lines" else lines[start:end] * 2
            data = b"\n".join(lines)
        elif kind == "control":
            data = (
                data[:at]
                + draw(st.sampled_from([b"\x00", b"\x0b", b"\x1b[31m", b"\xef\xbf\xbe", "\u2028".encode()]))
                + data[at:]
            )
        else:
            data = (
                data[:at]
                + draw(st.sampled_from([b"<", b"</p>", b"<fig>", b"&", b"]]>", b"<!DOCTYPE x [", b"\xc3"]))
                + data[at:]
            )
    suffix = source.suffix
    if draw(st.booleans()):
        data = gzip.compress(data, mtime=0)
        if draw(st.booleans()):  # a damaged archive
            cut = draw(st.integers(10, max(10, len(data) - 1)))
            data = data[:cut]
        suffix += ".gz"
    return f"z-mutated{suffix}", data


def _inputs(tmp_path: Path, bad: list[tuple[str, bytes]]) -> tuple[Path, list[str], list[str]]:
    folder = tmp_path / "in"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir()
    good = []
    for number, path in enumerate(GOOD):
        target = folder / f"a{number}-{path.name}"
        shutil.copy(path, target)
        good.append(str(target))
    bad_names = []
    for number, (name, data) in enumerate(bad):
        target = folder / f"{number}-{name}"
        target.write_bytes(data)
        bad_names.append(str(target))
    return folder, good, bad_names


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bad=st.lists(mutated(), min_size=1, max_size=3))
def test_parse_reads_every_good_input_and_names_each_bad_one(tmp_path, bad):
    folder, good, bad_names = _inputs(tmp_path, bad)
    outcome = parse_files([folder])
    assert {a.source for a in outcome.articles} >= set(good)
    for error in outcome.errors:
        assert error.source in bad_names and "internal error" not in str(error), str(error)
    result = CliRunner().invoke(app, ["parse", str(folder)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output


@pytest.mark.slow
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bad=st.lists(mutated(), min_size=1, max_size=2))
def test_build_publishes_every_good_input_whatever_comes_with_it(tmp_path, bad):
    folder, good, bad_names = _inputs(tmp_path, bad)
    report = build([folder], tmp_path / "out", formats=["nq"], jobs=1)
    duplicates = {r.source for r in report.rejects if r.stage == "duplicate"}
    assert set(good) <= set(report.published) | duplicates
    for reject in report.rejects:
        assert reject.source in bad_names or reject.stage == "duplicate", reject
        assert "internal error" not in reject.message, reject
    result = CliRunner().invoke(app, ["build", str(folder), "-o", str(tmp_path / "cli"), "-f", "nq"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
