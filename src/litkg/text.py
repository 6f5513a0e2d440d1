"""The one accent and case fold every stage uses, and the slug made from it.

``strip_accents`` decomposes (NFKD) and drops combining marks: "Boillée" -> "Boillee",
"ﬁ" -> "fi". The parser compares page furniture with it, the annotator its tokens, and the
identity of works and people their keys (:func:`fold`).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Letters NFKD leaves whole that readers take for two ASCII letters or one.
_LIGATURES = str.maketrans({"ß": "ss", "ø": "o", "Ø": "o", "æ": "ae"})
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def strip_accents(text: str) -> str:
    """``text`` decomposed (NFKD), with its combining marks left out."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=262_144)
def fold(text: str) -> str:
    """Lower-case ASCII slug: diacritics folded, runs of other characters -> "-".

    "Boillée" -> "boillee"; "Di Giorgio" -> "di-giorgio"; "Nat. Neurosci." -> "nat-neurosci".
    """
    ascii_text = strip_accents(text).translate(_LIGATURES)
    return _NOT_SLUG.sub("-", ascii_text.casefold()).strip("-")
