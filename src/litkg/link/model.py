"""The learned step of linking: which term, if any, a span the rules found names.

The rules of :mod:`litkg.link.annotator` find spans and propose a term for each; they
also propose spans they cannot confirm (an acronym the document does not define). For
every span the model scores a few options: the proposed term and its parents (corpora
annotate "breast cancer" as the broader "breast neoplasm" by their own conventions), each
over the span or widened by the one or two words before it ("familial gastric cancer").
Each (span, option) pair is described by named binary features (the surface form, its
case and shape, the words around it, how the span was found, how often the document
names the term, the option's depth, its relation to the proposed term and the words it
takes in) and scored by a logistic regression. The best option is linked when its
probability reaches the model's threshold; otherwise the span is no mention ("disease"
in a corpus that annotates only named diseases, a gene symbol that spells a disease
acronym).

The model is trained by ``scripts/train_linking_model.py`` (scikit-learn,
:mod:`litkg.link.train`) and shipped as
a JSON file of feature weights: scoring a linear model is a sum of weights, so the run
time needs neither scikit-learn nor a pickle tied to its version, and the same features
give the same sum, in the same order, on every machine.
"""

from __future__ import annotations

import gzip
import itertools
import json
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Literal

from litkg.link.names import NO_NAMES, LearnedNames
from litkg.link.tagger import SpanTagger
from litkg.resources import data_dir

Relation = Literal["self", "parent", "learned", "similar"]
_WORD = re.compile(r"[^\W_]+(?:['\-][^\W_]+)*")
FORMAT = "litkg-linking-model/3"  # /2 adds the learnt names, /3 the mention tagger
_READABLE = frozenset({"litkg-linking-model/1", "litkg-linking-model/2", FORMAT})
# how a span was found, when not by a dictionary name (see litkg.link.annotator)
_WAYS = frozenset(
    {
        "abbreviation",
        "coordination",
        "ellipsis",
        "unconfirmed",
        "bare short form",
        "composite",
        "learned",
        "tagged",
    }
)


@dataclass(frozen=True)
class Option:
    """A term a span may name, and how it relates to the term the rules proposed."""

    curie: str
    relation: Relation
    depth: int  # the number of the term's ancestors
    # where the option's span starts when it takes in the words before the span the rules
    # found ("familial" in "familial gastric cancer"), and those words, folded
    start: int | None = None
    added: tuple[str, ...] = ()
    # when a learnt name (litkg.link.names) of the option's words names its term: how far
    # that name can be trusted ("2-3|all")
    learned: str = ""
    # when the option is a term whose name is like the span's words (litkg.link.similar):
    # how alike, and its rank among the span's similar terms ("0.8+|1")
    similar: str = ""
    kind: str = field(init=False, compare=False)  # the relation, marked when the option widens the span

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "kind", f"{self.relation}+{len(self.added)}" if self.added else self.relation
        )


@dataclass(frozen=True)
class SpanContext:
    """What the features of one span are computed from."""

    text: str  # the text part the span is in
    part: str
    start: int
    end: int
    proposed: str  # the term the rules chose
    via: str  # the dictionary name, or "abbreviation", "coordination", "ellipsis"
    label: bool  # whether the name matched is the proposed term's label
    names_fitted: int  # how many terms the matched name fits
    document_count: int  # how many spans of the document the rules link to the proposed term
    defined: bool  # whether the document defines a short form for the proposed term
    # the mentions the tagger (litkg.link.tagger) finds around the span; None where it was
    # not run (a cell type, a model without a tagger)
    tagged: frozenset[tuple[int, int]] | None = None
    # whether the document writes the span's short form before "gene", "locus", "mRNA"...
    # (litkg.link.annotator.gene_named_forms): a symbol it uses for a gene
    gene_named: bool = False


@lru_cache(maxsize=65_536)  # the same names recur across a corpus
def _shape(surface: str) -> str:
    letters = [c for c in surface if c.isalpha()]
    if letters and all(c.isupper() for c in letters):
        case = "caps"
    elif surface[:1].isupper():
        case = "title"
    elif any(c.isupper() for c in letters):
        case = "mixed"
    else:
        case = "lower"
    return case + ("+digit" if any(c.isdigit() for c in surface) else "")


def _neighbour_words(text: str, start: int, end: int) -> tuple[str, str]:
    before = _WORD.findall(text, max(0, start - 40), start)
    after = _WORD.search(text, end, end + 40)
    return (before[-1].lower() if before else "^", after.group().lower() if after else "$")


def _length(word: str) -> str:
    return "1-4" if len(word) <= 4 else "5-6" if len(word) <= 6 else "7-9" if len(word) <= 9 else "10+"


def _bucket(count: int) -> str:
    return "1" if count <= 1 else "2-3" if count <= 3 else "4+"


# what ends a numbered name after its head word: a number, a Roman numeral, a letter
# ("Hermansky-Pudlak syndrome 8", "type IIA", "hepatitis C"), and "type" before one
_TYPE_CODE = re.compile(r"\d+[a-z]?|[ivx]+[a-z]?|[a-z]")
_TYPE_WORDS = frozenset({"type", "subtype"})


def _head_word(words: Sequence[str]) -> str:
    """The last word of a name that is not its type's number: "syndrome" in
    "Hermansky-Pudlak syndrome 8" and "disease" in "Charcot-Marie-Tooth disease type 1A",
    so that the head's ending and length describe the name, not the number; the last word
    where nothing else is left ("type II")."""
    end = len(words)
    while end > 1 and _TYPE_CODE.fullmatch(words[end - 1]):
        end -= 1
    while end > 1 and end < len(words) and words[end - 1] in _TYPE_WORDS:
        end -= 1
    return words[end - 1] if words else ""


def _way(span: SpanContext) -> str:
    return span.via if span.via in _WAYS else "name"


# the words a hyphen (or two) joins to a span, before and after it
_JOINED_BEFORE = re.compile(r"([A-Za-z0-9]+)-{1,2}$")
_JOINED_AFTER = re.compile(r"-{1,2}([A-Za-z0-9]+)")


def _symbol(word: str) -> bool:
    """ "CKM", "APOC2", "D9S5", "dc12": two capitals or more, or letters and digits."""
    return sum(c.isupper() for c in word) >= 2 or (
        any(c.isdigit() for c in word) and any(c.isalpha() for c in word)
    )


def in_symbol_chain(text: str, start: int, end: int) -> bool:
    """Whether a span of two capitals or more is joined by a hyphen to another symbol: a
    list of loci in their order on a chromosome ("APOC2-CKM-DM", "cen-FRDA-D9S5-qter",
    "GK--DMD--OTC"), or a gene's product ("DM-PK"), where a disease's short form names a
    locus or a gene."""
    if sum(c.isupper() for c in text[start:end]) < 2:
        return False
    before = _JOINED_BEFORE.search(text, max(0, start - 20), start)
    after = _JOINED_AFTER.match(text, end, end + 20)
    return bool((before and _symbol(before.group(1))) or (after and _symbol(after.group(1))))


def span_features(span: SpanContext) -> list[str]:
    """The features every option of one span shares. Not the text part the span is in:
    the gold documents are whole texts, the articles a build links are titles, abstracts,
    captions and paragraphs, so a weight learnt for the part would skew every link."""
    return _span_features(span)[0]


_LEXICAL_AT = slice(6, 12)  # where _span_features puts the words (_LEXICAL), in its order


def _span_features(span: SpanContext) -> tuple[list[str], tuple[str, ...]]:
    """The span's features, and those of them that are not words (categorical values)."""
    surface = span.text[span.start : span.end]
    words = _WORD.findall(surface.lower())
    previous, following = _neighbour_words(span.text, span.start, span.end)
    ontology = span.proposed.split(":", 1)[0]
    how = _way(span)
    shape = _shape(surface)
    head = _head_word(words)
    features = [
        f"ont={ontology}",
        f"via={how}",
        f"via={how}|label={span.label}",
        f"shape={shape}",
        f"shape={shape}|ont={ontology}",
        f"words={min(len(words), 4)}",
        f"surface={' '.join(words)}",
        f"head={head}",
        f"prev={previous}",
        f"next={following}",
        # the head's ending and length: what a name the training documents never used shares
        # with those they did ("-itis", "-oma"), and what sets a long disease name apart
        # from a short everyday word a synonym spells ("well", "linked")
        f"suffix={head[-4:]}",
        f"length={_length(head)}",
        f"paren={span.text[max(0, span.start - 1) : span.start] == '('}",
        f"count={_bucket(span.document_count)}",
        f"fits={min(span.names_fitted, 3)}",
        f"defined={span.defined}",
    ]
    if span.gene_named:
        features.append("gene_named")
    if in_symbol_chain(span.text, span.start, span.end):
        features.append("chained")
    return features, (*features[: _LEXICAL_AT.start], *features[_LEXICAL_AT.stop :])


def term_features(proposed: str, option: Option) -> list[str]:
    """The features of an option's term and its relation to the proposed term."""
    relation = option.kind
    general = [f"rel={relation}", f"depth={min(option.depth, 12)}|rel={relation}"]
    if option.relation == "self":
        # No weight for the proposed term itself: a gold corpus's own choices of terms
        # (an older release, a narrow convention) would be learnt and carried to every text.
        return general
    return [*general, f"term={option.curie}", f"from={proposed}|to={option.curie}"]


def added_features(option: Option) -> list[str]:
    """The features of the words an option takes in before the span."""
    if not option.added:
        return []
    added = " ".join(option.added)
    return [
        f"added={added}",
        f"added.first={option.added[0]}",
        f"added={added}|ont={option.curie.split(':', 1)[0]}",
    ]


def learned_features(option: Option) -> list[str]:
    """The features of a learnt name that names the option's term over its words."""
    if not option.learned:
        return []
    return [f"learned={option.learned}", f"learned={option.learned}|rel={option.kind}"]


def tagged_relation(span: SpanContext, option: Option) -> str | None:
    """How the option's span stands to the tagger's mentions: "same" span, "inside" one,
    "covers" one, "crosses" one, or "none" overlaps it; None when the tagger did not run."""
    if span.tagged is None:
        return None
    start = span.start if option.start is None else option.start
    end = span.end
    if (start, end) in span.tagged:
        return "same"
    overlapping = [(s, e) for s, e in span.tagged if s < end and start < e]
    if not overlapping:
        return "none"
    if any(s <= start and end <= e for s, e in overlapping):
        return "inside"
    if any(start <= s and e <= end for s, e in overlapping):
        return "covers"
    return "crosses"


def tagged_features(span: SpanContext, option: Option) -> list[str]:
    """The features of the option's span's relation to the tagger's mentions."""
    relation = tagged_relation(span, option)
    if relation is None:
        return []
    return [f"tag={relation}", f"tag={relation}|rel={option.kind}", f"tag={relation}|via={_way(span)}"]


def similar_features(option: Option) -> list[str]:
    """The features of an option found by the similarity of its names to the span's words."""
    if not option.similar:
        return []
    return [f"sim={option.similar}", f"sim={option.similar}|rel={option.kind}"]


def own_features(span: SpanContext, option: Option) -> list[str]:
    """The features of one option of a span, its own and not shared with the other options."""
    return (
        term_features(span.proposed, option)
        + added_features(option)
        + learned_features(option)
        + similar_features(option)
        + tagged_features(span, option)
    )


_LEXICAL = ("surface=", "head=", "prev=", "next=", "suffix=", "length=")


def related(shared: Sequence[str], kind: str) -> list[str]:
    """The span's shared features joined to an option's relation (a feature of the span
    says something different of the proposed term than of its parent); not the words,
    whose many rare values would each weigh twice."""
    return [f"{f}|rel={kind}" for f in shared if not f.startswith(_LEXICAL)]


def named_term(feature: str) -> str | None:
    """The term a feature of :func:`term_features` names ("term=T", "from=P|to=T"), else None."""
    if feature.startswith("term="):
        return feature[5:]
    if feature.startswith("from="):
        return feature.partition("|to=")[2] or None
    return None


def option_features(span: SpanContext, option: Option, shared: Sequence[str]) -> list[str]:
    """Every feature of one (span, option) pair."""
    return own_features(span, option) + related(shared, option.relation) + list(shared)


@dataclass(frozen=True)
class LinkingModel:
    """A logistic regression over named binary features, with its decision threshold."""

    weights: dict[str, float]
    bias: float
    threshold: float
    trained_on: tuple[str, ...] = ()  # the ids of the documents it was trained on
    about: dict[str, Any] = field(default_factory=dict)
    names: LearnedNames = field(default_factory=lambda: NO_NAMES)  # the names it learnt
    tagger: SpanTagger | None = None  # the mention tagger its rows were made with
    # the weight of term_features by (proposed term, option's term, kind): terms recur
    _term_weights: dict[tuple[str, str, str], float] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )
    # the weight of added_features() by (words added, ontology): the same words recur
    _added_weights: dict[tuple[tuple[str, ...], str], float] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )
    # the weight of related() by (the span's shared features, relation): a few thousand
    # combinations of categorical values
    _related_weights: dict[tuple[tuple[str, ...], str], float] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    def _sum(self, features: Iterable[str]) -> float:
        # in the features' order, which is fixed: the same sum on every run
        return sum(map(self.weights.get, features, _ZEROS))

    def probability(self, features: Iterable[str]) -> float:
        """P(the option is the term the span names), for all of an option's features."""
        return _logistic(self.bias + self._sum(sorted(set(features))))

    def choose(self, span: SpanContext, options: Sequence[Option]) -> Option | None:
        """The option the span names, or None when no option reaches the threshold; ties go
        to the earlier option (the proposed term comes first). The sum over the span's
        shared features is made once, and once per relation."""
        shared, categorical = _span_features(span)
        base = self.bias + self._sum(shared)
        by_kind: dict[str, float] = {}
        best, best_total = None, -math.inf
        for option in options:
            joined = by_kind.get(option.relation)
            if joined is None:
                joined = by_kind[option.relation] = self._related_weight(categorical, option.relation)
            total = base + joined + self._term_weight(span.proposed, option)
            if option.added:
                total += self._added_weight(option)
            if option.learned:
                total += self._sum(learned_features(option))
            if option.similar:
                total += self._sum(similar_features(option))
            if span.tagged is not None:
                total += self._sum(tagged_features(span, option))
            if total > best_total:
                best, best_total = option, total
        return best if _logistic(best_total) >= self.threshold else None

    def _added_weight(self, option: Option) -> float:
        key = (option.added, option.curie.split(":", 1)[0])
        return self._remembered(self._added_weights, key, lambda: added_features(option))

    def _related_weight(self, categorical: tuple[str, ...], kind: str) -> float:
        return self._remembered(
            self._related_weights, (categorical, kind), lambda: related(categorical, kind)
        )

    def _term_weight(self, proposed: str, option: Option) -> float:
        key = (proposed, option.curie, option.kind)
        return self._remembered(self._term_weights, key, lambda: term_features(proposed, option), 500_000)

    def _remembered(
        self, table: dict[Any, float], key: Any, features: Callable[[], list[str]], bound: int = 100_000
    ) -> float:
        """The summed weight of ``features()``, remembered in ``table`` under ``key`` (a
        table that is emptied when it holds ``bound`` sums: memory stays flat)."""
        found = table.get(key)
        if found is None:
            if len(table) > bound:
                table.clear()
            found = table[key] = self._sum(features())
        return found

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "bias": self.bias,
            "threshold": self.threshold,
            "trained_on": list(self.trained_on),
            "about": self.about,
            "weights": dict(sorted(self.weights.items())),
            "names": self.names.to_json(),
            **({"tagger": self.tagger.to_json()} if self.tagger is not None else {}),
        }

    def dump(self, path: Path) -> None:
        """Write the model as gzip JSON, byte-identical for the same model."""
        data = json.dumps(self.to_json(), ensure_ascii=False, sort_keys=True, indent=0).encode("utf-8")
        with path.open("wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as handle:
            handle.write(data)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LinkingModel:
        if data.get("format") not in _READABLE:
            raise ValueError(f"not a {FORMAT} file (format {data.get('format')!r})")
        return cls(
            {str(k): float(v) for k, v in data["weights"].items()},
            float(data["bias"]),
            float(data["threshold"]),
            tuple(data.get("trained_on", ())),
            dict(data.get("about", {})),
            LearnedNames.from_json(data.get("names", ())),
            SpanTagger.from_json(data["tagger"]) if "tagger" in data else None,
        )

    @classmethod
    def load(cls, path: Path) -> LinkingModel:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            return cls.from_json(json.load(handle))


_ZEROS = itertools.repeat(0.0)


def _logistic(total: float) -> float:
    return 1.0 / (1.0 + math.exp(-total)) if total > -700 else 0.0


@cache
def shipped_model() -> LinkingModel:
    """The model shipped with litkg (``_data/linking/model.json.gz``), read once per process."""
    return LinkingModel.load(data_dir("linking") / "model.json.gz")
