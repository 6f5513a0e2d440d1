"""Author-name lists as printed in citations: "Kriz, J., Gowing, G. & Julien, J.P.".

Two styles are read: Nature/APA ("Family, I. I." joined by ", " and " & ") and
Vancouver ("Family II" joined by ", "). Both end either at the end of the text, at
" et al." or where the next token is no longer a name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from litkg.records import Person

_UPPER = "A-ZÀ-ÖØ-ÞĀ-Ž"
_LETTER = r"[^\W\d_]"
# A family name: one or more words, each starting with a letter; lower-case particles
# ("van der", "de") and apostrophes/hyphens ("O'Neil", "Smith-Jones") allowed.
_FAMILY = rf"{_LETTER}[\w'’\-]*(?:\s+{_LETTER}[\w'’\-]*)*?"
# Dotted initials: "J.", "J.P.", "J. P.", "J.-P.", "Ch."; or undotted "JP" / "JP."
_DOTTED_UNIT = rf"[{_UPPER}][a-z]?\."
_INITIALS = rf"(?:{_DOTTED_UNIT}(?:\s?-?\s?{_DOTTED_UNIT})*|[{_UPPER}]{{1,3}}\.?(?=[,\s&.]|$))"
_ET_AL = re.compile(r"^,?\s*et\s+al\.?", re.IGNORECASE)
_NATURE_AUTHOR = re.compile(rf"({_FAMILY}),\s*({_INITIALS})?")
_VANCOUVER_AUTHOR = re.compile(rf"({_FAMILY})\s+([{_UPPER}]{{1,4}})(?=[,.]|$)")
_VANCOUVER_START = re.compile(rf"^{_FAMILY}\s+[{_UPPER}]{{1,4}}(?:,|\.)")
# A space-separated "J." followed by an abbreviated word starts a journal
# ("Eggan, K. J. Clin. Invest."), not another initial.
_JOURNAL_WORD = re.compile(r"\s[A-Z][a-z]+\.")


@dataclass(frozen=True)
class AuthorList:
    """Authors read from the start of a string, and where they stopped."""

    authors: tuple[Person, ...]
    et_al: bool
    end: int


def normalise_initials(printed: str) -> str:
    """ "JP." / "J.P." / "J. P." / "J.-P." -> "J. P." (hyphenated: "J.-P.")."""
    units = re.findall(rf"-?[{_UPPER}][a-z]?", printed)
    out: list[str] = []
    for unit in units:
        if unit.startswith("-") and out:
            out[-1] = f"{out[-1]}-{unit[1:]}."
        else:
            out.append(f"{unit.lstrip('-')}.")
    return " ".join(out)


def _drop_journal_initial(initials: str, following: str) -> str:
    """ "K. J." before " Clin. Invest." -> "K.": that "J." opens the journal name."""
    match = re.search(r"\s+J\.$", initials)
    if match is not None and _JOURNAL_WORD.match(following):
        return initials[: match.start()]
    return initials


def parse_author_list(text: str) -> AuthorList:
    """Read the author list at the start of ``text``.

    Returns the authors in order, whether the list ended with "et al." and the index
    in ``text`` where the list (and its trailing separator) ends.
    """
    if _VANCOUVER_START.match(text):
        return _parse_vancouver(text)
    return _parse_nature(text)


def _parse_nature(text: str) -> AuthorList:
    authors: list[Person] = []
    pos = 0
    et_al = False
    while True:
        match = _NATURE_AUTHOR.match(text, pos)
        if match is None:
            break
        family = match.group(1).strip()
        initials = (match.group(2) or "").strip()
        end = match.end()
        if initials:
            kept = _drop_journal_initial(initials, text[end:])
            if kept != initials:
                initials, end = kept, match.start(2) + len(kept)
        if not initials and not _ET_AL.match(text[end:].lstrip()):
            break
        printed = text[match.start() : end].strip().rstrip(",")
        authors.append(Person(family=family, initials=normalise_initials(initials), as_printed=printed))
        pos = end
        sep = re.match(r"\s*(?:,\s*(?:&|and)?|&|and)\s*", text[pos:])
        et = _ET_AL.match(text[pos:].lstrip())
        if et is not None:
            et_al = True
            pos = len(text) - len(text[pos:].lstrip()) + et.end()
            break
        if sep is None or sep.end() == 0:
            break
        nxt = _NATURE_AUTHOR.match(text, pos + sep.end())
        if nxt is None:
            break
        pos += sep.end()
    pos = _skip_separator(text, pos)
    return AuthorList(tuple(authors), et_al, pos)


def _parse_vancouver(text: str) -> AuthorList:
    authors: list[Person] = []
    pos = 0
    et_al = False
    while True:
        match = _VANCOUVER_AUTHOR.match(text, pos)
        if match is None:
            break
        family, initials = match.group(1).strip(), match.group(2)
        authors.append(
            Person(
                family=family,
                initials=normalise_initials(initials),
                as_printed=match.group(0).strip(),
            )
        )
        pos = match.end()
        et = re.match(r",?\s*et\s+al\.?", text[pos:])
        if et is not None:
            et_al = True
            pos += et.end()
            break
        sep = re.match(r",\s*", text[pos:])
        if sep is None:
            break
        pos += sep.end()
    pos = _skip_separator(text, pos)
    return AuthorList(tuple(authors), et_al, pos)


def _skip_separator(text: str, pos: int) -> int:
    sep = re.match(r"[\s.,:]*", text[pos:])
    return pos + (sep.end() if sep else 0)


def split_display_name(name: str) -> tuple[str, str]:
    """ "P. Hande Özdinler" -> ("P. Hande", "Özdinler"): given names, family name."""
    parts = name.strip().rstrip(".").split()
    if len(parts) < 2:
        return "", name.strip()
    particles = {"van", "von", "de", "der", "den", "di", "da", "del", "la", "le", "du"}
    cut = len(parts) - 1
    while cut > 1 and parts[cut - 1].lower() in particles:
        cut -= 1
    return " ".join(parts[:cut]), " ".join(parts[cut:])
