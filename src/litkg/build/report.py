"""What a build publishes, rejects and repairs: the records the CLI prints and ``report.json`` holds."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from litkg.parse.repair import Repair, summarise
from litkg.validate import Violation

# Where an input was stopped: unreadable, an internal error while mapping it, its own
# description failing the shapes, or the same article as another input.
RejectStage = Literal["parse", "map", "validate", "duplicate"]


@dataclass(frozen=True)
class Reject:
    """An input that was not published, and why."""

    source: str
    stage: RejectStage
    message: str
    line: int | None = None
    violations: tuple[Violation, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "stage": self.stage,
            "line": self.line,
            "message": self.message,
            "violations": [
                {
                    "focus": v.focus,
                    "path": v.path,
                    "constraint": v.constraint,
                    "message": v.message,
                    "value": v.value,
                    "shape": v.shape,
                }
                for v in self.violations
            ],
        }


@dataclass
class BuildReport:
    """What a build published and rejected, and the files it wrote."""

    published: list[str] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    repairs: list[Repair] = field(default_factory=list)  # parts of published articles repaired or dropped
    files: list[Path] = field(default_factory=list)
    triples: int = 0
    seconds: dict[str, float] = field(default_factory=dict)  # per stage; worker stages are CPU-summed
    # on a cluster: each worker's peak resident set, in bytes, by its address; over the
    # whole build, and per stage (parse, identity, map, counts_and_descriptions)
    worker_peak_rss: dict[str, int] = field(default_factory=dict)
    worker_peak_rss_by_stage: dict[str, dict[str, int]] = field(default_factory=dict)


def write_build_report(out: Path, report: BuildReport) -> Path:
    """``report.json``: what was published and rejected, and per source every field
    repaired and every part dropped, with where it came from and why."""
    path = out / "report.json"
    path.write_bytes(build_report_text(report))
    return path


def build_report_text(report: BuildReport) -> bytes:
    """The bytes of ``report.json`` (:func:`write_build_report`)."""
    by_source: dict[str, list[dict[str, object]]] = {}
    for repair in report.repairs:
        by_source.setdefault(repair.source, []).append(repair.to_dict())
    content = {
        "published": len(report.published),
        "rejected": len(report.rejects),
        "summary": summarise(report.repairs),
        "repairs": [{"source": source, "changes": changes} for source, changes in sorted(by_source.items())],
        "rejects": [reject.to_dict() for reject in report.rejects],
    }
    return (json.dumps(content, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
