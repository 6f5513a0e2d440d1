from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"
PAGES = Path(__file__).resolve().parent / "data" / "pages"
JATS_SAMPLE = Path(__file__).resolve().parent / "data" / "jats" / "sample.xml"
SEED_000 = SEEDS / "000_7c35d55ddc5425be.txt"
SEED_004 = SEEDS / "004_a0c03759c99e3461.txt"


def shared_or_skip(*parts: str) -> Path:
    """A file of ../shared/, or skip the test when the checkout has none beside it."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not available")
    return path
