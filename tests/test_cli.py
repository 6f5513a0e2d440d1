"""The command line as a user runs it: real files in, output and exit codes out."""

from __future__ import annotations

import json
import subprocess
import sys

from typer.testing import CliRunner

from conftest import SEED_000, SEED_004, SEEDS
from litkg.cli import app

runner = CliRunner()


def test_parse_json_prints_both_seed_articles():
    result = runner.invoke(app, ["parse", str(SEED_000), str(SEED_004), "--json"])
    assert result.exit_code == 0, result.output
    articles = json.loads(result.stdout)
    assert [a["title"] for a in articles] == [
        "Help from peripheral macrophages in ALS?",
        "ALS: astrocytes move in as deadly neighbors",
    ]
    assert articles[0]["authors"][0]["family"] == "Özdinler"
    assert articles[1]["references"][14]["doi"] == "10.1111/j.1471-4159.2007.04531.x"


def test_parse_goes_on_after_a_bad_file_and_exits_non_zero(tmp_path):
    bad = tmp_path / "empty.txt"
    bad.write_text("")
    result = runner.invoke(app, ["parse", str(SEED_000), str(bad), str(SEED_004), "--json"])
    assert result.exit_code == 1
    assert len(json.loads(result.stdout)) == 2
    assert f"{bad}: empty file" in result.stderr
    assert "2 parsed, 1 rejected" in result.stderr
    assert "Traceback" not in result.output


def test_parse_directory_as_console_script():
    completed = subprocess.run(
        [sys.executable, "-m", "litkg", "parse", str(SEEDS)], capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stderr
    assert "2 parsed, 0 rejected" in completed.stderr


def test_build_without_linking(tmp_path):
    result = runner.invoke(app, ["build", str(SEEDS), "-o", str(tmp_path), "--no-link"])
    assert result.exit_code == 0, result.output
    assert "oa:Annotation" not in (tmp_path / "graph.ttl").read_text()


def test_rebuild_removes_dumps_of_formats_not_asked_for(tmp_path):
    first = runner.invoke(
        app, ["build", str(SEEDS), "-o", str(tmp_path), "--no-link", "-f", "ttl", "-f", "nq"]
    )
    assert first.exit_code == 0, first.output
    assert (tmp_path / "graph.nq").exists()
    second = runner.invoke(app, ["build", str(SEEDS), "-o", str(tmp_path), "-f", "ttl"])
    assert second.exit_code == 0, second.output
    assert not (tmp_path / "graph.nq").exists()  # stale: it has no annotations
    assert "oa:Annotation" in (tmp_path / "graph.ttl").read_text()
