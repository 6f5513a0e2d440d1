"""Where a disease mention starts and ends: a linear-chain CRF over the words near the
rules' disease spans.

The rules find a disease name where the lexicon has one, but not always where a paper's
mention of it starts and ends ("autosomal dominant Emery-Dreifuss muscular dystrophy",
"hereditary nonpolyposis colorectal cancer") or whether a span is a mention at all ("the
disease", "linked"). A sequence tagger learns that from the gold mentions' boundaries, as
the BANNER and TaggerOne taggers of the NCBI Disease corpus do: each word is labelled
B(egin), I(nside) or O(utside) of a mention by a conditional random field (CRFsuite,
``python-crfsuite``) over features of the word and its neighbours, and of the rules' own
spans. Its spans are not links. They are one more thing the model of
:mod:`litkg.link.model` weighs (:func:`litkg.link.model.tagged_relation`): whether an
option's span is the tagger's span, lies inside one, covers one or crosses one. As
BANNER's post-processing does, a run of words that holds half a pair of brackets is no
mention (:func:`bracketed`).

Only the words near a disease span of the rules are tagged (its sentence, at most
:data:`_REACH` words either side): a full-text article names diseases in a few of its
sentences, and tagging every sentence would cost more than the rest of linking. The
tagger is trained by :func:`train_tagger` (several at once by :func:`train_taggers`) and
shipped inside the model file (the CRFsuite model's bytes, which CRFsuite reads from memory).
"""

from __future__ import annotations

import base64
import multiprocessing
import os
import tempfile
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from typing import Any

from litkg.link.tokens import Words

ONTOLOGY = "MONDO"  # the ontology whose mentions are tagged
_SENTENCE_ENDS = frozenset(".?!")
_REACH = 12  # the most words a tagged window reaches before or after a rule's span
# CRFsuite's L-BFGS training: L1 and L2 regularisation, a fixed number of iterations (the
# same input gives the same model)
_TRAINING = {"c1": 0.1, "c2": 0.05, "max_iterations": 100, "feature.possible_transitions": True}

Sequence_ = list[list[str]]


@lru_cache(maxsize=262_144)
def _word_features(printed: str, word: str) -> tuple[str, ...]:
    """The features of one word by itself: its normalised form, shape and affixes."""
    shape = "".join(
        "A" if c.isupper() else "a" if c.isalpha() else "0" if c.isdigit() else c for c in printed
    )
    squeezed = "".join(c for n, c in enumerate(shape) if n < 2 or c != shape[n - 1] or c != shape[n - 2])
    found = [
        f"w={word}",
        f"s={squeezed[:8]}",
        f"p3={word[:3]}",
        f"x2={word[-2:]}",
        f"x3={word[-3:]}",
        f"x4={word[-4:]}",
    ]
    if len(printed) > 1 and printed.isupper():
        found.append("caps")
    elif printed[:1].isupper():
        found.append("title")
    return tuple(found)


def _gap(text: str, words: Words, i: int) -> str:
    """What stands between word ``i - 1`` and word ``i``, without spaces ("(", ",", "-")."""
    if i == 0:
        return "^"
    between = text[words.ends[i - 1] : words.starts[i]]
    if between == " " or not between:
        return ""  # most gaps: no need to split
    return "".join(between.split())[:3]


def _starts_sentence(text: str, words: Words, i: int) -> bool:
    """Whether a sentence starts at word ``i`` (0 < i < len(words)): a line break before
    it, or a full stop, question or exclamation mark first in the gap and a capital."""
    between = text[words.ends[i - 1] : words.starts[i]]
    if between == " ":
        return False
    if "\n" in between:
        return True
    mark = between.lstrip()[:1]
    return bool(mark) and mark in _SENTENCE_ENDS and text[words.starts[i]].isupper()


def _window(text: str, words: Words, first: int, last: int) -> tuple[int, int]:
    """The words [lo, hi) of the sentence around words ``first``..``last``, at most
    :data:`_REACH` words either side: only the gaps within reach need a look (a full
    text's sentences are never all split)."""
    size = len(words)
    lo = max(first - _REACH, 0)
    for i in range(first, max(lo, 1) - 1, -1):
        if _starts_sentence(text, words, i):
            lo = i
            break
    hi = min(last + _REACH, size)
    for i in range(last + 1, min(hi, size - 1) + 1):
        if _starts_sentence(text, words, i):
            hi = i
            break
    return lo, hi


def windows(text: str, words: Words, spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The merged word windows that hold ``spans`` (character offsets): each span's
    sentence, at most :data:`_REACH` words either side of it."""
    found: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        first = bisect_left(words.starts, start)
        last = max(first, bisect_right(words.starts, end - 1) - 1)
        if first >= len(words):
            continue
        if found and found[-1][1] > last:
            continue  # within the window before
        lo, hi = _window(text, words, first, last)
        if found and lo <= found[-1][1]:
            found[-1] = (found[-1][0], max(hi, found[-1][1]))
        else:
            found.append((lo, hi))
    return found


def features(text: str, words: Words, lo: int, hi: int, marked: dict[int, str]) -> Sequence_:
    """The features of words [lo, hi): each word's own, its neighbours' and whether a
    rule's span begins (``marked[i] == "B"``) or continues ("I") at it."""
    normal = words.words
    printed = [text[words.starts[i] : words.ends[i]] for i in range(lo, hi)]
    seq = []
    for n, i in enumerate(range(lo, hi)):
        word = normal[i]
        before = normal[i - 1] if i > lo else "^"
        after = normal[i + 1] if i + 1 < hi else "$"
        found = [
            *_word_features(printed[n], word),
            f"g={_gap(text, words, i)}",
            f"-1={before}",
            f"+1={after}",
            f"-2={normal[i - 2] if i - 1 > lo else '^'}",
            f"+2={normal[i + 2] if i + 2 < hi else '$'}",
            f"-1|0={before}|{word}",
            f"0|+1={word}|{after}",
        ]
        mark = marked.get(i)
        if mark is not None:
            found.append(f"d={mark}")
        seq.append(found)
    return seq


def marks(words: Words, spans: Iterable[tuple[int, int]]) -> dict[int, str]:
    """B/I of the words the rules' spans cover."""
    found: dict[int, str] = {}
    for start, end in sorted(spans):
        i = bisect_left(words.starts, start)
        first = True
        while i < len(words) and words.starts[i] < end:
            found.setdefault(i, "B" if first else "I")
            first = False
            i += 1
    return found


def labels(words: Words, lo: int, hi: int, mentions: Iterable[tuple[int, int]]) -> list[str]:
    """The B/I/O label of words [lo, hi) by the gold ``mentions`` (the first of overlapping
    mentions wins: a CRF labels no nested mention)."""
    found = ["O"] * (hi - lo)
    for start, end in sorted(mentions):
        inside = [i for i in range(lo, hi) if words.starts[i] >= start and words.ends[i] <= end]
        if not inside or any(found[i - lo] != "O" for i in inside):
            continue
        for n, i in enumerate(inside):
            found[i - lo] = "B" if n == 0 else "I"
    return found


def decoded(words: Words, lo: int, tags: Sequence[str]) -> Iterator[tuple[int, int]]:
    """The character spans of the B/I runs of ``tags`` (of words from ``lo``)."""
    start = None
    end = 0
    for n, tag in enumerate(tags):
        i = lo + n
        if tag == "B" or (tag == "I" and start is None):
            if start is not None:
                yield start, end
            start, end = words.starts[i], words.ends[i]
        elif tag == "I":
            end = words.ends[i]
        elif start is not None:
            yield start, end
            start = None
    if start is not None:
        yield start, end


_PAIRS = {")": "(", "]": "["}  # each closing bracket and its opening one
_OPENING = frozenset(_PAIRS.values())


def bracketed(surface: str) -> bool:
    """Whether every bracket of ``surface`` has its other half in it. A CRF's run of words
    can take half a parenthesis in ("dehydrogenase (G6PD", "RB) tumor"); BANNER's
    post-processing drops such a mention, and so does :meth:`SpanTagger.spans`."""
    opened: list[str] = []
    for c in surface:
        if c in _OPENING:
            opened.append(c)
        elif c in _PAIRS and (not opened or opened.pop() != _PAIRS[c]):
            return False
    return not opened


class SpanTagger:
    """A trained CRF, opened from its bytes on first use (one per process)."""

    def __init__(self, model: bytes) -> None:
        self.model = model
        self._tagger: Any = None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SpanTagger) and other.model == self.model

    def __hash__(self) -> int:
        return hash(self.model)

    def __getstate__(self) -> dict[str, Any]:
        return {"model": self.model, "_tagger": None}

    def _opened(self) -> Any:
        if self._tagger is None:
            import pycrfsuite

            tagger = pycrfsuite.Tagger()
            tagger.open_inmemory(self.model)
            self._tagger = tagger
        return self._tagger

    def spans(
        self,
        text: str,
        words: Words,
        rule_spans: Sequence[tuple[int, int]],
        around: Sequence[tuple[int, int]] | None = None,
    ) -> frozenset[tuple[int, int]]:
        """The mentions the tagger finds in the sentences that hold ``around`` (by default
        ``rule_spans``), the rules' own spans marked; not those with half a pair of
        brackets (:func:`bracketed`)."""
        around = rule_spans if around is None else around
        if not around:
            return frozenset()
        tagger = self._opened()
        marked = marks(words, rule_spans)
        found: set[tuple[int, int]] = set()
        for lo, hi in windows(text, words, around):
            found.update(decoded(words, lo, tagger.tag(features(text, words, lo, hi, marked))))
        return frozenset((s, e) for s, e in found if bracketed(text[s:e]))

    def to_json(self) -> str:
        return base64.b64encode(self.model).decode("ascii")

    @classmethod
    def from_json(cls, data: str) -> SpanTagger:
        return cls(base64.b64decode(data))


def train_tagger(sequences: Iterable[tuple[Sequence_, list[str]]]) -> SpanTagger | None:
    """A tagger trained on (features, labels) sequences; None when there are none."""
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    count = 0
    for xseq, yseq in sequences:
        trainer.append(xseq, yseq)
        count += 1
    if not count:
        return None
    trainer.set_params(_TRAINING)
    handle, path = tempfile.mkstemp(suffix=".crfsuite")
    os.close(handle)
    try:
        trainer.train(path)
        with open(path, "rb") as model:
            return SpanTagger(model.read())
    finally:
        os.unlink(path)


# the sequences a training process's jobs draw from: each worker receives them once (a
# job then names the documents it trains on), not once per job
_SEQUENCES: list[list[tuple[Sequence_, list[str]]]] = []


def _receive(sequences: list[list[tuple[Sequence_, list[str]]]]) -> None:
    _SEQUENCES[:] = sequences


def _train_job(job: Sequence[int]) -> SpanTagger | None:
    return train_tagger(s for n in job for s in _SEQUENCES[n])


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def train_taggers(
    sequences: Sequence[list[tuple[Sequence_, list[str]]]], jobs: Sequence[Sequence[int]]
) -> list[SpanTagger | None]:
    """One tagger per job, trained on the sequences of the documents it names (indices
    into ``sequences``, one list per document), each the same as :func:`train_tagger`
    gives. CRFsuite's training holds the GIL, so the jobs run in processes, one per core
    (a cross-fitted model trains five or six taggers): spawned, not forked, as a forked
    child of a threaded process may hang."""
    workers = min(len(jobs), _cores())
    if workers <= 1:
        return [train_tagger(s for n in job for s in sequences[n]) for job in jobs]
    with ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_receive,
        initargs=(list(sequences),),
    ) as pool:
        return list(pool.map(_train_job, jobs))
