"""Every test module is collected by the suite's own command: a directory pytest skips by
name (its default skips "build") would silently drop the tests of a pipeline stage."""

from __future__ import annotations

from fnmatch import fnmatch

from conftest import ROOT


def test_no_test_directory_is_skipped_by_name(request):
    skipped = request.config.getini("norecursedirs")
    tests = ROOT / "tests"
    directories = {path.parent for path in tests.rglob("test_*.py")}
    hidden = sorted(
        str(directory.relative_to(ROOT))
        for directory in directories
        for part in directory.relative_to(tests).parts
        if any(fnmatch(part, pattern) for pattern in skipped)
    )
    assert not hidden, f"pytest does not look into {hidden} (norecursedirs)"
    assert "build" in {d.name for d in directories}  # the stage whose tests were once skipped
