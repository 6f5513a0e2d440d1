"""Words as the annotator compares them: text and names alike become normalised tokens.

A token is case folded, its Greek letters spelled out ("α" -> "alpha"), its accents
stripped, reduced to a singular form ("macrophages" -> "macrophage") and spelled the
American way ("tumours" -> "tumor"). Rules are consistent rather than linguistically
perfect: text and dictionary names go through the same ones.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from litkg.text import strip_accents

_GREEK = {
    "α": "alpha",
    "β": "beta",
    "γ": "gamma",
    "δ": "delta",
    "ε": "epsilon",
    "ζ": "zeta",
    "η": "eta",
    "θ": "theta",
    "ι": "iota",
    "κ": "kappa",
    "λ": "lambda",
    "μ": "mu",
    "ν": "nu",
    "ξ": "xi",
    "π": "pi",
    "ρ": "rho",
    "σ": "sigma",
    "τ": "tau",
    "φ": "phi",
    "χ": "chi",
    "ψ": "psi",
    "ω": "omega",
}
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
# What may stand between two tokens of one mention: spaces, hyphens, slashes, apostrophes.
JOINER = re.compile(r"^[\s\-‐‑–/'’]*$")
_IRREGULAR = {
    "mice": "mouse",
    "children": "child",
    "women": "woman",
    "men": "man",
    "teeth": "tooth",
    "feet": "foot",
    "lice": "louse",
    "geese": "goose",
    "indices": "index",
    "matrices": "matrix",
    "neurone": "neuron",  # British
    "neurones": "neuron",
}
# British spellings folded to American ones: haemorrhage, oedema, tumour, fibre.
_BRITISH = (
    (re.compile(r"(?<=.)ae(?=.)"), "e"),
    (re.compile(r"(?:^|(?<=[^aeiou]))oe(?=[^aeiou]|a)"), "e"),
    (re.compile(r"(?<=...)our$"), "or"),
    (re.compile(r"(?<=..[bt])re$"), "er"),
)


class Token(NamedTuple):
    """One word of a text: its normalised form and where it is printed."""

    word: str
    start: int
    end: int


def fold_token(token: str) -> str:
    """Case-fold, spell out Greek letters, strip accents."""
    token = token.casefold()
    if token.isascii():  # most words: no Greek letter, no accent
        return token
    return strip_accents("".join(_GREEK.get(c, c) for c in token))


def lemma(token: str) -> str:
    """A singular form of a folded token ("macrophages" -> "macrophage")."""
    if token in _IRREGULAR:
        return _IRREGULAR[token]
    if len(token) <= 3 or not token.isalpha():
        return token
    if token.endswith("ies") and len(token) > 4:
        return token[:-3] + "y"
    if token.endswith(("sses", "shes", "ches", "xes", "zes")):
        return token[:-2]
    if token.endswith("ae"):
        return token[:-1]
    if token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def american(token: str) -> str:
    """The American spelling of a folded token (applied to text and names alike)."""
    if "ae" not in token and "oe" not in token and not token.endswith(("our", "re")):
        return token  # none of the patterns can apply
    for pattern, replacement in _BRITISH:
        token = pattern.sub(replacement, token)
    return token


@lru_cache(maxsize=500_000)
def normal_token(raw: str) -> str:
    """The comparison form of one word as printed."""
    return american(lemma(fold_token(raw)))


_new_token = tuple.__new__  # a NamedTuple's own __new__ costs twice as much


def tokens_with_offsets(text: str) -> list[Token]:
    """The word tokens of ``text``, in order.

    Offsets come from ``str.find`` after ``findall`` rather than from ``finditer``'s match
    objects, a quarter faster: a word starts where it is next found, since what lies between
    two words holds no word character."""
    found = []
    position = 0
    find = text.find
    for raw in _TOKEN.findall(text):
        start = find(raw, position)
        position = start + len(raw)
        found.append(_new_token(Token, (normal_token(raw), start, position)))
    return found


@lru_cache(maxsize=262_144)  # above the lexicon's ~100k distinct names: built once per process
def name_key(name: str) -> tuple[str, ...]:
    """The normalised words of a name: the key it has in the lexicon."""
    return tuple(t.word for t in tokens_with_offsets(name))
