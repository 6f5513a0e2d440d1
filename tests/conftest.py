from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from stores import free_port  # noqa: F401 (the tests' one free-port helper)

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"
PAGES = Path(__file__).resolve().parent / "data" / "pages"
JATS_SAMPLE = Path(__file__).resolve().parent / "data" / "jats" / "sample.xml"
SEED_000 = SEEDS / "000_7c35d55ddc5425be.txt"
SEED_004 = SEEDS / "004_a0c03759c99e3461.txt"

# The built lexicon is cached for the session (and the processes it starts) in a
# directory of its own, not in the user's ~/.cache; removed at the end.
if "LITKG_CACHE_DIR" not in os.environ:
    os.environ["LITKG_CACHE_DIR"] = tempfile.mkdtemp(prefix="litkg-test-cache-")
    atexit.register(shutil.rmtree, os.environ["LITKG_CACHE_DIR"], True)


def generate_articles(count: int, out: Path) -> list[Path]:
    """Synthetic articles from benchmarks/generate.py (a shared reference pool), written to ``out``."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("generate", ROOT / "benchmarks" / "generate.py")
    assert spec is not None and spec.loader is not None
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    return list(generate.generate(count, out))


def shared_or_skip(*parts: str) -> Path:
    """A file of ../shared/, or skip the test when the checkout has none beside it."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not available")
    return path


def running(store):
    """Yield what the store context manager ``store`` (tests/stores.py) starts, for a
    fixture: ``yield from running(oxigraph(path))``. A store that is not installed skips
    the tests, or fails them under CI, where .ci/run installs every store."""
    from stores import StoreMissing

    try:
        with store as started:
            yield started
    except StoreMissing as missing:
        if os.environ.get("CI"):
            pytest.fail(str(missing))
        pytest.skip(str(missing))


# Every build a test makes is checked as a user would check it: whatever the test does to
# the inputs, the union graph it publishes must conform to the shapes (a published union
# must always conform). Installed before the test modules import ``build``.
def _published_union(out: Path) -> str | None:
    """The union of the build's dump as N-Triples, or None when it wrote none litkg reads."""
    import pyoxigraph as ox

    for name, fmt in (
        ("graph.nq", ox.RdfFormat.N_QUADS),
        ("graph.trig", ox.RdfFormat.TRIG),
        ("graph.nt", ox.RdfFormat.N_TRIPLES),
        ("graph.ttl", ox.RdfFormat.TURTLE),
    ):
        if (out / name).exists():
            triples = (
                ox.Triple(q.subject, q.predicate, q.object)
                for q in ox.parse(path=str(out / name), format=fmt)
            )
            return (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8")
    if (out / "manifest.json").exists():  # a build of shards only
        import gzip
        import json

        shards = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["shards"]
        lines = {
            " ".join(line.rsplit(" ", 2)[:1]) + " .\n"
            for shard in shards
            for line in gzip.decompress((out / shard["file"]).read_bytes()).decode("utf-8").splitlines()
        }
        return "".join(sorted(lines))
    return None


def _install_union_check() -> None:
    import litkg.build
    from litkg.validate import validate_ntriples

    unchecked = litkg.build.build

    def build(inputs, out, *args, **kwargs):  # type: ignore[no-untyped-def]
        report = unchecked(inputs, out, *args, **kwargs)
        union = _published_union(Path(out)) if report.published else None
        if union:
            result = validate_ntriples(union)
            assert result.conforms, f"the union published into {out} fails the shapes: " + "; ".join(
                v.describe() for v in result.violations[:5]
            )
        return report

    build.__doc__ = unchecked.__doc__
    litkg.build.build = build


_install_union_check()
