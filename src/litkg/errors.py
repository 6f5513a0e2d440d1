"""The project's own exceptions: each names the file and, where it applies, the line."""

from __future__ import annotations


class LitkgError(Exception):
    """Base class of every error litkg reports to a user."""


class ParseError(LitkgError):
    """An input file could not be read as an article."""

    def __init__(self, source: str, message: str, line: int | None = None) -> None:
        self.source = source
        self.line = line
        self.message = message
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {message}")
