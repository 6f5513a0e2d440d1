"""Words as the annotator compares them: text and names alike become normalised tokens.

A token is case folded, its Greek letters spelled out ("α" -> "alpha"), its accents
stripped, reduced to a singular form ("macrophages" -> "macrophage") and spelled the
American way ("tumours" -> "tumor"). Rules are consistent rather than linguistically
perfect: text and dictionary names go through the same ones.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

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
# A minus sign printed on a marker: "CD4− T cells", "CD4−CD8− thymocytes", "Lin⁻"; and a
# hyphen or an en dash printed so, after a marker that ends in a capital or a digit and
# before a space, a closing bracket or a punctuation mark ("CD4- T cells", "CD19- B
# cells", "CD4-CD8- cells"), but not a hyphen left hanging before "and", "or", "to"
# ("CD4- and CD8-positive T cells", "pre- and post-synaptic").
_MINUS = r"(?<=[^\W_])[−⁻](?=[^\w]|[A-Z]|$)"
_HANGING = r"(?:\s(?!(?:and|or|to|nor)\b)|[),;:\].]|$)"
_DASH = rf"(?<=[0-9A-Z])[\-–](?=(?:[A-Z][A-Za-z0-9]*[\-–])*{_HANGING})"
# a word: letters and digits, where each of two Greek letters in a row is a word ("αβ T
# cell" is CL's "alpha-beta T cell", as "α cell" is "alpha cell"); a plus sign printed
# on a word, which is a word of its own, read "positive": "CD4+ T cell" is CL's
# "CD4-positive T cell", "HER2+" is "HER2-positive"; and a minus sign (above), a word of
# its own read "negative", so that "CD4− T cells" is never read as "CD4 T cells"
_SPLIT = re.compile(rf"([α-ω](?=[α-ω])|[^\W_]+|(?<=[^\W_])\+|{_MINUS}|{_DASH})")
_SPLIT_PLAIN = re.compile(r"(\w+)")  # the same in a plain text (_plain), a seventh faster
_GREEK_PAIR = re.compile(r"[α-ω]{2}")
# where a text may print a minus sign on a marker (a superset of _MINUS and _DASH)
_SIGN = re.compile(r"[0-9A-Z][\-–](?:[\s),;:\].]|$)|[−⁻]")
_SIGNS = {"+": "positive", "−": "negative", "⁻": "negative", "-": "negative", "–": "negative"}


def _plain(text: str) -> bool:
    """Whether ``text`` has no "_", no "+", no minus sign on a marker and no two Greek
    letters in a row (most texts; ASCII ones are told with one scan for the signs)."""
    return (
        "_" not in text
        and "+" not in text
        and (text.isascii() or not _GREEK_PAIR.search(text))
        and not _SIGN.search(text)
    )


# What may stand between two tokens of one mention: spaces, hyphens, slashes, apostrophes.
_JOINING = r"[\s\-‐‑–/'’]*"
JOINER = re.compile(rf"^{_JOINING}$")
_JOINERS = re.compile(_JOINING)


def joined_until(text: str, at: int) -> int:
    """Where the run of joining characters (what ``JOINER`` accepts) from ``at`` ends: a
    mention starting in (at, joined_until] is joined to what ends at ``at``."""
    found = _JOINERS.match(text, at)
    assert found is not None  # the pattern matches the empty string
    return found.end()


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
# Greek and Latin plurals of disease words, each with the shortest word it is read in
# ("lipofuscinoses", "xanthomata", "paralyses", "metastases", "bronchiectases"); not
# "doses", "meioses" or "purposes" (English words end so too), nor "phosphatases"
_CLASSICAL_PLURALS = (
    ("omata", "oma", 7),
    ("oses", "osis", 8),
    ("yses", "ysis", 8),
    ("stases", "stasis", 8),
    ("ctases", "ctasis", 8),
)
# British spellings folded to American ones: haemorrhage, oedema, tumour, fibre.
_BRITISH = (
    (re.compile(r"(?<=.)ae(?=.)"), "e"),
    (re.compile(r"(?:^|(?<=[^aeiou]))oe(?=[^aeiou]|a)"), "e"),
    (re.compile(r"(?<=...)our$"), "or"),
    (re.compile(r"(?<=..[bt])re$"), "er"),
)


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
    for plural, singular, shortest in _CLASSICAL_PLURALS:
        if token.endswith(plural) and len(token) >= shortest and not token.endswith("poses"):
            return token[: -len(plural)] + singular
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


class _NormalTokens(dict[str, str]):
    """The comparison forms of the words seen, made on a miss: a dict hit costs half an
    ``lru_cache`` hit, and :func:`words_of` looks up every word of a text."""

    def __missing__(self, raw: str) -> str:
        if len(self) >= 500_000:  # bounded: a corpus of millions of articles has more words
            self.clear()
        found = self[raw] = _SIGNS.get(raw) or american(lemma(fold_token(raw)))
        return found


_NORMAL = _NormalTokens()
normal_token = _NORMAL.__getitem__  # the comparison form of one word as printed


@dataclass(frozen=True, slots=True)
class Words:
    """The normalised words of one text and where each is printed, as parallel lists: the
    annotator's scans index plain lists (a tuple per word cost twice the time to build,
    and the garbage collector tracks each)."""

    words: list[str]
    starts: list[int]
    ends: list[int]

    def __len__(self) -> int:
        return len(self.words)

    def between(self, start: int, end: int) -> list[str]:
        """The words that start in [start, end)."""
        return self.words[bisect_left(self.starts, start) : bisect_left(self.starts, end)]


def words_of(text: str) -> Words:
    """The words of ``text``, in order.

    ``re.split`` with a capturing group alternates what lies between words and the words,
    so the running sum of the pieces' lengths gives every offset: each step runs in C (a
    Python loop over ``findall`` and ``str.find`` took three times as long)."""
    pieces = (_SPLIT_PLAIN if _plain(text) else _SPLIT).split(text)
    bounds = list(accumulate(map(len, pieces)))
    return Words(list(map(_NORMAL.__getitem__, pieces[1::2])), bounds[0:-1:2], bounds[1::2])


@lru_cache(maxsize=262_144)  # above the lexicon's ~100k distinct names: built once per process
def name_key(name: str) -> tuple[str, ...]:
    """The normalised words of a name: the key it has in the lexicon."""
    return tuple(map(_NORMAL.__getitem__, _SPLIT.split(name)[1::2]))
