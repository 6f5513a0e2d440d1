"""The words the annotator compares: what ``words_of`` finds, and where."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from litkg.link.tokens import name_key, normal_token, words_of

_WORD = re.compile(r"[^\W_]+")


def test_the_words_of_a_text_are_normalised_and_placed() -> None:
    text = "Microglia (αβ-cells) and tumours_in mice."
    words = words_of(text)
    assert words.words == ["microglia", "alphabeta", "cell", "and", "tumor", "in", "mouse"]
    assert [text[s:e] for s, e in zip(words.starts, words.ends, strict=True)] == [
        "Microglia",
        "αβ",
        "cells",
        "and",
        "tumours",
        "in",
        "mice",
    ]
    assert words.between(11, 20) == ["alphabeta", "cell"]
    assert len(words_of("")) == 0 and len(words_of(" -- ")) == 0


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=80))
def test_the_words_are_the_runs_of_letters_and_digits(text: str) -> None:
    """Every run of letters and digits, at its offsets, normalised as a name is."""
    words = words_of(text)
    runs = list(_WORD.finditer(text))
    assert words.starts == [m.start() for m in runs]
    assert words.ends == [m.end() for m in runs]
    assert words.words == [normal_token(m.group()) for m in runs]
    assert name_key(text) == tuple(words.words)
