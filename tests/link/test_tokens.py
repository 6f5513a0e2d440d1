"""The words the annotator compares: what ``words_of`` finds, and where; the scans that
start only where a word (or a short form) is printed find what a scan of every position does."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from litkg.link.abbreviations import _last_words
from litkg.link.annotator import (
    _WORDS_BEFORE,
    Definition,
    _short_form_pattern,
    _short_form_uses,
    _words_before,
)
from litkg.link.tokens import name_key, normal_token, words_of

# as the annotator reads words: two Greek letters in a row are two words, a plus sign
# printed on a word is one, and so is a minus sign printed on a marker (a hyphen or an en
# dash only after a capital or a digit, and not left hanging before "and", "or", "to")
_WORD = re.compile(
    r"[α-ω](?=[α-ω])|[^\W_]+|(?<=[^\W_])\+|(?<=[^\W_])[−⁻](?=\W|[A-Z]|$)"
    r"|(?<=[0-9A-Z])[\-–](?=(?:[A-Z][A-Za-z0-9]*[\-–])*(?:\s(?!(?:and|or|to|nor)\b)|[),;:\].]|$))"
)


def test_the_words_of_a_text_are_normalised_and_placed() -> None:
    text = "Microglia (αβ-cells) and tumours_in mice."
    words = words_of(text)
    assert words.words == ["microglia", "alpha", "beta", "cell", "and", "tumor", "in", "mouse"]
    assert [text[s:e] for s, e in zip(words.starts, words.ends, strict=True)] == [
        "Microglia",
        "α",
        "β",
        "cells",
        "and",
        "tumours",
        "in",
        "mice",
    ]
    assert words.between(11, 20) == ["alpha", "beta", "cell"]
    # one Greek letter is a word with what it is printed on: amyloid "Aβ42", "TCRαβ"
    assert words_of("Aβ42 TCRαβ").words == ["abeta42", "tcralphabeta"]
    assert len(words_of("")) == 0 and len(words_of(" -- ")) == 0


_SIGNED = st.sampled_from(["+", "a", "1", " ", "_", "α", "β", "C", "D4", "-", "−", "⁻", "–", " and", ")", "/"])


@given(st.lists(st.one_of(st.characters(codec="utf-8"), _SIGNED), max_size=60).map("".join))
def test_the_words_are_the_runs_of_letters_and_digits(text: str) -> None:
    """Every run of letters and digits (each of two Greek letters in a row a word of its
    own, a plus sign printed on a word one, read "positive", and a minus sign printed on a
    marker one, read "negative"), at its offsets, normalised as a name is."""
    words = words_of(text)
    runs = list(_WORD.finditer(text))
    assert words.starts == [m.start() for m in runs]
    assert words.ends == [m.end() for m in runs]
    assert words.words == [normal_token(m.group()) for m in runs]
    assert name_key(text) == tuple(words.words)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("CD4− T cells", ("cd4", "negative", "t", "cell")),
        ("CD4- T cells", ("cd4", "negative", "t", "cell")),
        ("CD19– B cells", ("cd19", "negative", "b", "cell")),
        ("CD4-CD8- thymocytes", ("cd4", "negative", "cd8", "negative", "thymocyte")),
        ("CD4−CD8− thymocytes", ("cd4", "negative", "cd8", "negative", "thymocyte")),
        ("Lin⁻ Sca1+ cells", ("lin", "negative", "sca1", "positive", "cell")),
        ("B220- cells (CD19-)", ("b220", "negative", "cell", "cd19", "negative")),
        # a hyphen left hanging before a conjunction, or joining words, is no sign
        ("CD4- and CD8-positive T cells", ("cd4", "and", "cd8", "positive", "t", "cell")),
        ("pre- and post-synaptic", ("pre", "and", "post", "synaptic")),
        ("X-linked non-syndromic", ("x", "linked", "non", "syndromic")),
        ("10−6 M", ("10", "6", "m")),
        ("in vivo- ", ("in", "vivo")),
    ],
)
def test_a_minus_sign_on_a_marker_is_read_as_negative(text: str, words: tuple[str, ...]) -> None:
    """ "CD4− T cells" are not "CD4 T cells": read without its sign, a marker a cell lacks
    names the cell that has it."""
    assert name_key(text) == words
    assert words_of(text).words == list(words)


_PIECES = st.sampled_from(["a", "B", "é", "α", "1", "_", "'", "-", " ", "  ", "(", "non-", "ALS", "s", "\n"])


_WORD_PIECES = st.sampled_from(["ab", "Cd", "é", "αβ", "x1", "1x", "_q", "it's", "non", "B"])
_JOINS = st.sampled_from([" ", "-", "  ", "(", "/", "\n", " \n", "-\n", "'", ""])


@given(st.lists(st.tuples(_WORD_PIECES, _JOINS), max_size=8), st.integers(0, 8), st.integers(0, 40))
def test_the_words_before_a_span_are_found_as_the_pattern_finds_them(
    pieces: list[tuple[str, str]], last: int, window: int
) -> None:
    """Trying the pattern only where a word starts finds what searching every position does
    (the span starts after the ``last``-th piece, as spans start at words)."""
    text = "".join(w + j for w, j in pieces) + "end"
    end = sum(len(w + j) for w, j in pieces[:last])
    window = max(0, end - window)
    fast = _words_before(text, words_of(text), window, end)
    slow = _WORDS_BEFORE.search(text, window, end)
    assert (fast and fast.regs) == (slow and slow.regs)


def test_the_words_before_a_span_are_one_or_two_words_joined_to_it() -> None:
    text = "in the familial gastric-cancer, non-BC 1st_ok patients' cancer"
    words = words_of(text)
    for end in range(len(text) + 1):
        for window in range(0, end + 1, 3):
            fast = _words_before(text, words, window, end)
            slow = _WORDS_BEFORE.search(text, window, end)
            assert (fast and fast.regs) == (slow and slow.regs)
    found = _words_before(text, words, 0, text.index("gastric"))
    assert found is not None and found.group(0) == "the familial "


@given(st.lists(_PIECES, max_size=30).map("".join), st.sampled_from(["ALS", "B", "a"]), st.booleans())
def test_a_short_form_is_found_where_the_pattern_finds_it(text: str, short: str, disease: bool) -> None:
    definition = Definition("MONDO:1" if disease else "CL:1", ("s",) if short == "B" else ())
    fast = [m.span() for m in _short_form_uses(short, definition, text)]
    assert fast == [m.span() for m in _short_form_pattern(short, definition).finditer(text)]


@given(
    st.lists(st.sampled_from(["ab", "c", " ", "  ", "\n", "x-y", "(", "_"]), max_size=200), st.integers(1, 16)
)
def test_the_last_words_before_a_parenthesis_are_those_of_its_300_characters(
    pieces: list[str], count: int
) -> None:
    text = "".join(pieces)
    expected = [m.start() for m in re.finditer(r"\S+", text[-300:])]
    assert _last_words(text, len(text), count) == [max(0, len(text) - 300) + w for w in expected[-count:]]


@pytest.mark.parametrize(
    ("plural", "singular"),
    [
        ("lipofuscinoses", "lipofuscinosis"),
        ("Mucopolysaccharidoses", "mucopolysaccharidosis"),
        ("xanthomata", "xanthoma"),
        ("paralyses", "paralysis"),
        ("metastases", "metastasis"),
        ("bronchiectases", "bronchiectasis"),
        ("doses", "dose"),
        ("purposes", "purpose"),
        ("phosphatases", "phosphatase"),
    ],
)
def test_greek_and_latin_plurals_read_as_their_singular(plural: str, singular: str) -> None:
    assert normal_token(plural) == normal_token(singular)
