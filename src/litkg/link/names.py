"""Names learnt from gold mentions: how the training documents name a term.

An ontology does not hold every way papers name a disease or a cell type ("isolated
thrombocytopenia", "Thomsens disease", "velo-cardio-facial syndrome"), and a corpus names
some terms by its own conventions ("colon carcinoma" for MONDO's colorectal carcinoma).
The gold mentions of the training documents are such names: each normalised name (the
lexicon's key, :func:`litkg.link.tokens.name_key`) is kept with the term its mentions name
most often, how often it was seen and the share of those mentions that name that term.

A name is learnt with the organisms its documents are about (:mod:`litkg.link.organisms`:
the groups most of a document's words for organisms name), and applies only in documents
about one of them, or that name none of the organisms that module knows: papers on mice
name the mouse's egg cell "eggs", papers on flies and moths a laid egg. A name any of
whose documents names no organism applies everywhere.

A learnt name is never a link by itself. It proposes a span, or another term for a span
the rules found, and the model of :mod:`litkg.link.model` weighs it with everything else
it knows (:func:`learned_features`): how often and how consistently it was seen, the
words around it, how the document uses it. The names ship inside the model file, so a
build needs nothing but litkg's own data.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from litkg.link.lexicon import END, NameStarts, is_acronym
from litkg.link.organisms import Organisms, organisms_of
from litkg.link.tokens import JOINER, Words, name_key

if TYPE_CHECKING:
    from litkg.link.evaluate import GoldDocument


@dataclass(frozen=True)
class LearnedName:
    """What the training documents say of one name."""

    curie: str  # the term its mentions name most often
    seen: int  # its gold mentions in the training documents
    share: float  # the share of those that name ``curie``
    # whether its mentions were printed as acronyms ("WAS", "AT" for ataxia telangiectasia):
    # then it counts only where printed so, not in "was" or "at"
    acronym: bool = False
    # the groups of organisms its documents are about (Organisms.most_named), or None when
    # one of them names no organism: it applies everywhere
    organisms: frozenset[str] | None = None

    def applies(self, organisms: Organisms) -> bool:
        """Whether the name applies in a document that names ``organisms``: one its
        documents were about, or one that names no organism."""
        return self.organisms is None or organisms.fit(self.organisms)

    @property
    def description(self) -> str:
        """How far the name can be trusted, as a feature value: "2-3|all", "4+|most"."""
        seen = "1" if self.seen <= 1 else "2-3" if self.seen <= 3 else "4+"
        share = "all" if self.share >= 1 else "most" if self.share >= 0.5 else "some"
        return f"{seen}|{share}"


@dataclass(frozen=True)
class NameMatch:
    """A learnt name printed in a text."""

    start: int
    end: int
    name: LearnedName


class LearnedNames:
    """The learnt names of a model, keyed and matched as the lexicon's names are; an
    acronym's only where it is printed as one."""

    def __init__(self, names: dict[tuple[str, ...], LearnedName]) -> None:
        self.names = names
        self._trie: dict[str, Any] = {}
        for key, name in names.items():
            node = self._trie
            for word in key:
                node = node.setdefault(word, {})
            node[END] = name
        self._starts = NameStarts.of(self._trie)

    def __len__(self) -> int:
        return len(self.names)

    def __bool__(self) -> bool:
        return bool(self.names)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LearnedNames) and self.names == other.names

    __hash__ = None  # type: ignore[assignment]  # mutable mapping inside

    def get(self, key: Sequence[str]) -> LearnedName | None:
        """The learnt name of exactly this key, or None."""
        return self.names.get(tuple(key))

    def printed(self, surface: str, key: Sequence[str] | None = None) -> LearnedName | None:
        """The learnt name of text printed as ``surface`` (whose key is ``key`` when
        known), or None."""
        found = self.names.get(tuple(key) if key is not None else name_key(surface))
        return found if found is not None and _printed_as(found, surface) else None

    def matches(self, text: str, tokens: Words) -> Iterator[NameMatch]:
        """The longest learnt name at each position, left to right, none overlapping; a
        name never crosses punctuation other than hyphens, slashes and apostrophes."""
        trie = self._trie
        words, starts, ends = tokens.words, tokens.starts, tokens.ends
        free = 0  # the first word no match has taken
        for i in self._starts.positions(words):
            if i < free:
                continue
            node = trie[words[i]]
            best: tuple[int, LearnedName] | None = None
            j = i + 1
            while node is not None:
                if END in node:
                    best = (j, node[END])
                if j >= len(words) or not JOINER.match(text[ends[j - 1] : starts[j]]):
                    break
                node = node.get(words[j])
                j += 1
            if best is None:
                continue
            start, end = starts[i], ends[best[0] - 1]
            if _printed_as(best[1], text[start:end]):
                yield NameMatch(start, end, best[1])
                free = best[0]

    def to_json(self) -> list[list[Any]]:
        """The names as ``[name, term, seen, share, acronym, organisms]`` rows, sorted by
        name (organisms: the sorted groups, or null)."""
        return [
            [
                " ".join(key),
                name.curie,
                name.seen,
                name.share,
                name.acronym,
                None if name.organisms is None else sorted(name.organisms),
            ]
            for key, name in sorted(self.names.items())
        ]

    @classmethod
    def from_json(cls, rows: Iterable[Sequence[Any]]) -> LearnedNames:
        """The names of :meth:`to_json`'s rows; a row of a model file written before names
        had organisms (five fields) applies everywhere."""
        names = {}
        for key, curie, seen, share, acronym, *rest in rows:
            organisms = rest[0] if rest else None
            names[tuple(str(key).split(" "))] = LearnedName(
                str(curie),
                int(seen),
                float(share),
                bool(acronym),
                None if organisms is None else frozenset(map(str, organisms)),
            )
        return cls(names)

    @classmethod
    def learn(cls, documents: Iterable[GoldDocument], known: Callable[[str], bool]) -> LearnedNames:
        """The names of the gold mentions of ``documents`` that name a term ``known``
        accepts (one of the shipped module, not a root). A mention whose ids map to no
        term teaches nothing; one that may be linked to several terms (an NCBI id mapped
        to two MONDO classes) counts for each. Ties go to the first term in sorted order.

        A name printed as an acronym in most of its mentions is an acronym. A name of one
        or two characters that is not ("A" of "A cells" in a discontinuous mention, "c")
        is no name."""
        seen: Counter[tuple[str, ...]] = Counter()
        acronyms: Counter[tuple[str, ...]] = Counter()
        terms: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
        # the groups of organisms each name's documents are about; None once one names none
        about: dict[tuple[str, ...], frozenset[str] | None] = {}
        for document in documents:
            groups = organisms_of([document.text]).most_named()
            for mention in document.mentions:
                concepts = sorted(c for c in mention.concepts if known(c))
                surface = document.text[mention.start : mention.end]
                key = name_key(surface)
                if not concepts or not key:
                    continue
                seen[key] += 1
                acronyms[key] += is_acronym(surface)
                terms[key].update(concepts)
                known_groups = about.get(key, frozenset())
                about[key] = None if groups is None or known_groups is None else known_groups | groups
        names = {}
        for key, counts in terms.items():
            acronym = acronyms[key] * 2 > seen[key]
            if not acronym and len("".join(key)) <= 2:
                continue
            curie, count = min(counts.items(), key=lambda item: (-item[1], item[0]))
            names[key] = LearnedName(curie, seen[key], round(count / seen[key], 4), acronym, about[key])
        return cls(names)


def _printed_as(name: LearnedName, surface: str) -> bool:
    return not name.acronym or is_acronym(surface)


NO_NAMES = LearnedNames({})
