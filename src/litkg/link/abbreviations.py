"""Abbreviations a document defines, and genotypes where a short form names an allele.

"amyotrophic lateral sclerosis (ALS)": the short form in parentheses (or in brackets) and
where its long form starts, found as Schwartz & Hearst do (the letters of the short form,
right to left, in the words before it), or as initials in another order ("prostate cancer
(CaP)").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# in parentheses, or in brackets, as parentheses inside parentheses are written
# ("stem cell (neuroblast [NB])")
_ABBREVIATION = re.compile(
    r"\(\s*([A-Za-z0-9][\w\-αβγδ]{0,9})\s*[;,)]|\[\s*([A-Za-z0-9][\w\-αβγδ]{0,9})\s*[;,\]]"
)
_WORD = re.compile(r"\S+")  # a word, as Schwartz & Hearst count them


# a gene symbol written with an allele ("XpdTTD", "Xpd†XP", "Pten+"), in a genotype
_ALLELE = re.compile(r"[A-Za-z][a-z]+(?:[A-Z]|[†‡+])|[†‡]")
_CHUNK_SPACE = re.compile(r"[^\S\u200a\u200b]")  # hair and zero-width spaces join a genotype


def in_genotype(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is written inside a genotype ("XpdTTD/TTD mice",
    "Xpd†XP/†XPCS"), where a disease's short form names an allele, not the disease."""
    left = max(
        (m.end() for m in _CHUNK_SPACE.finditer(text, max(0, start - 40), start)), default=max(0, start - 40)
    )
    right = _CHUNK_SPACE.search(text, end, end + 40)
    around = text[left:start] + " " + text[end : right.start() if right else min(len(text), end + 40)]
    return bool(_ALLELE.search(around))


@dataclass(frozen=True)
class Abbreviation:
    short: str
    long_start: int  # where the long form starts
    long_end: int  # where it ends (before the parenthesis)
    after: int  # just after the closing parenthesis
    # the long form when it is not the text from long_start to long_end: one name of a
    # coordinated pair, "Duchenne muscular dystrophy" in "Duchenne/Becker muscular dystrophy (DMD/BMD)"
    long: str | None = None
    # where the words whose initials are the short form's capitals start, when they do: the
    # letters found right to left stop at the shortest long form, "hemochromatosis" in
    # "Hereditary hemochromatosis (HH)", the initials reach "Hereditary"
    initials_start: int | None = None


# "(DMD/BMD)", "(DMD and BMD)": two short forms for a coordinated pair of names
_PAIRED_SHORT = r"([A-Za-z][\w\-]{1,9})"  # one short form of two in a parenthesis
_PAIR = re.compile(rf"\(\s*{_PAIRED_SHORT}\s*(?:/|\band\b|\bor\b)\s*{_PAIRED_SHORT}\s*\)")
# "Duchenne/Becker muscular dystrophy": two first words sharing what follows
_PAIRED_NAMES = re.compile(
    r"([^\W\d_][\w\-']*)\s*(?:/|\s(?:and|or)\s)\s*([^\W\d_][\w\-']*)((?:\s+[^\W\d_][\w\-']*){1,4})\s*$"
)


def find_paired_abbreviations(text: str) -> list[Abbreviation]:
    """Short forms defined for a coordinated pair of names that share their last words:
    "Duchenne/Becker muscular dystrophy (DMD/BMD)" defines DMD as "Duchenne muscular
    dystrophy" and BMD as "Becker muscular dystrophy". Each short form's letters must be
    found in its own name, right to left, as Schwartz & Hearst require."""
    found = []
    for match in _PAIR.finditer(text):
        end = _end_before(text, match.start())
        names = _PAIRED_NAMES.search(text, max(0, end - 200), end)
        if names is None:
            continue
        rest = names.group(3)
        for short, first, start in (
            (match.group(1), names.group(1), names.start(1)),
            (match.group(2), names.group(2), names.start(2)),
        ):
            long = first + rest
            if (
                _long_form_start(short, long, len(long), [0]) is not None
                or _initials_start(short, long, [m.start() for m in _WORD.finditer(long)]) is not None
            ):
                found.append(Abbreviation(short, start, end, match.end(), " ".join(long.split())))
    return found


@dataclass(frozen=True)
class ShortFormPair:
    """Two short forms in one parenthesis, for the two names before it:
    "adrenoleukodystrophy/adrenomyeloneuropathy (ALD/AMN)", "Duchenne or Becker muscular
    dystrophy (DMD, BMD)". Which words are the names is for what links them to say."""

    first: str
    second: str
    names_end: int  # where the second name ends (before the parenthesis)
    after: int  # just after the closing parenthesis


# as _PAIR, and with a comma ("(DMD, BMD)"): two names the model linked are two names,
# where the rules' names sharing their last words are read only from a slash, "and", "or"
_SHORT_FORM_PAIR = re.compile(rf"\(\s*{_PAIRED_SHORT}\s*(?:/|,|\band\b|\bor\b)\s*{_PAIRED_SHORT}\s*\)")
# what joins two names: a slash, a comma, "and", "or"
NAME_JOINER = re.compile(r"\s*(?:/|,|\band\b|\bor\b)\s*")


def find_short_form_pairs(text: str) -> list[ShortFormPair]:
    """Every parenthesis that holds two short forms, joined as two names are."""
    return [
        ShortFormPair(m.group(1), m.group(2), _end_before(text, m.start()), m.end())
        for m in _SHORT_FORM_PAIR.finditer(text)
    ]


def spells(short: str, name: str) -> bool:
    """Whether the letters of ``short`` are found in ``name``, right to left, the first at
    the start of a word (Schwartz & Hearst's test of a long form)."""
    return _long_form_start(short, name, len(name), [0]) is not None


def find_abbreviations(text: str) -> list[Abbreviation]:
    """Schwartz & Hearst: "long form (SF)" or "long form [SF]" -> the short form and where
    its long form is."""
    found = []
    for match in _ABBREVIATION.finditer(text):
        short = match.group(1) or match.group(2)
        # a word, not a short form, in parentheses: lower case, or capitalised only, and
        # longer than five letters ("(cyclosporiasis)", "cyclosporiasis (Cyclospora)")
        if not any(c.isalpha() for c in short) or len(short) < 2 or (short[1:].islower() and len(short) > 5):
            continue
        end = _end_before(text, match.start())
        window = _last_words(text, end, min(len(short) + 5, len(short) * 2))
        initials = _initials_start(short, text, window)
        start = _long_form_start(short, text, end, window)
        if start is None:
            start = initials
        if start is not None:
            found.append(Abbreviation(short, start, end, match.end(), initials_start=initials))
    return found + find_paired_abbreviations(text)


def _last_words(text: str, end: int, count: int) -> list[int]:
    """Where the last ``count`` words of the 300 characters before ``end`` start. Looked
    for in the last 60 characters first: when more than ``count`` words start there, the
    last ``count`` of them start after a space, as they do in the 300."""
    words = [m.start() for m in _WORD.finditer(text, max(0, end - 60), end)]
    if len(words) <= count and end > 60:
        words = [m.start() for m in _WORD.finditer(text, max(0, end - 300), end)]
    return words[-count:]


def _end_before(text: str, at: int) -> int:
    """Where ``text[:at].rstrip()`` ends, without copying the text before ``at`` (for each
    parenthesis of an article, that copy was most of the time of finding abbreviations)."""
    while at > 0 and text[at - 1].isspace():
        at -= 1
    return at


def _initials_start(short: str, before: str, word_starts: Sequence[int]) -> int | None:
    """Where the long form starts when the capitals of ``short`` are the initials of the
    last words before it (starting at ``word_starts`` in ``before``) in another order:
    "prostate cancer (CaP)"."""
    capitals = sorted(c.lower() for c in short if c.isupper())
    if len(capitals) < 2 or len(capitals) > len(word_starts):
        return None
    starts = word_starts[-len(capitals) :]
    if sorted(before[i].lower() for i in starts) == capitals:
        return starts[0]
    return None


def _long_form_start(short: str, before: str, end: int, word_starts: Sequence[int]) -> int | None:
    """Where the long form of ``short`` that ends at ``end`` of ``before`` starts: the
    letters of ``short``, right to left, in the words from ``word_starts[0]``."""
    if not word_starts:
        return None
    lo = word_starts[0]
    s_index = len(short) - 1
    l_index = end - 1
    while s_index >= 0:
        char = short[s_index].lower()
        if not char.isalnum():
            s_index -= 1
            continue
        while l_index >= lo and (
            before[l_index].lower() != char
            or (s_index == 0 and l_index > lo and before[l_index - 1].isalnum())
        ):
            l_index -= 1
        if l_index < lo:
            return None
        l_index -= 1
        s_index -= 1
    start = l_index + 1
    while start > 0 and not before[start - 1].isspace():
        start -= 1
    return start
