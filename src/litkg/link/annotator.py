"""Find mentions of Cell Ontology cell types and MONDO diseases in article text.

A dictionary annotator over the shipped lexicon (labels and exact synonyms):

- text and names are compared as sequences of normalised tokens: case folded, Greek
  letters spelled out ("α-cell" = "alpha cell"), hyphens and spaces alike, and each
  word reduced to a singular form ("macrophages" = "macrophage");
- common variants are added to the dictionary: adjectives of single-word cell names
  ("neuronal" -> neuron), "X cell" names written "X" when X is a cell noun
  ("photoreceptor", "myoblast"), a cell fated to a process named by the process's
  adjective ("apoptosis fated cell" -> "apoptotic cell"), Latin plurals
  ("spermatogonium" -> "spermatogonia") and British spellings ("neurones", "fibres");
- abbreviations defined in the text ("amyotrophic lateral sclerosis (ALS)") are
  learnt per document (Schwartz & Hearst) and then found wherever they occur (and in
  the plural: "RPCs"), also inside a term ("embryonic stem (ES) cells"), but not inside
  a genotype ("XpdTTD/TTD" names an allele);
- a cell acronym ending in C for "cell" is also written "<letters> cell" ("ESC" ->
  "ES cells"); "<cell> of <place>" names are also written "<place> <cell>"; a cell type
  under a broader "<noun> cell" may end in that noun ("rod photoreceptor");
- acronyms ("ALS", "CF") are used only where the document defines them; other short
  names only where the document also names the same term in full;
- at each position the longest match wins; matches never cross sentence punctuation;
  a cell name negated by a prefix ("non-neuronal") is not a mention (a negated disease
  still is: "non-BC smokers" are about bronchogenic carcinoma);
- some names apply only in context: a cell name without its leading modifier where the
  document uses the modifier ("cone cell" for the retinal cone cell in a paper that
  mentions the retina), capital initials before "cell" ("ES cells"); where a name fits
  several terms, the term whose label's other words the document uses wins;
- coordinated names share their head ("inner and outer hair cells");
- generic names are not linked: MONDO's root only by its label and class nouns
  ("disorder", not "conditions"), no one-word synonym that the lexicon only ever uses
  as a modifier ("amyloid" for amyloidosis).

The rules propose; the learned step of :mod:`litkg.link.model` then decides, for every
span they find (and those they leave unconfirmed: an undefined acronym, a bare short
form, a composite mention's last term), which term it names, over which words, or
whether it is no mention. ``Annotator(model=None)`` gives the rules alone.

The output is deterministic: the same text, lexicon and model give the same mentions.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import compress, count
from operator import attrgetter
from typing import Literal, NamedTuple

from litkg.link.abbreviations import (
    NAME_JOINER,
    Abbreviation,
    find_abbreviations,
    find_short_form_pairs,
    in_genotype,
    spells,
)
from litkg.link.cache import shipped_lexicon
from litkg.link.lexicon import END, GENERIC_WORDS, ROOT_TERMS, Entry, Lexicon, is_acronym, preference, stem
from litkg.link.model import LinkingModel, Option, SpanContext, shipped_model
from litkg.link.names import NO_NAMES, LearnedName, LearnedNames
from litkg.link.organisms import Organisms, QualifiedTerms, fitted_terms, organisms_of
from litkg.link.parts import article_text_parts
from litkg.link.similar import MOST as MOST_SIMILAR
from litkg.link.similar import SimilarNames
from litkg.link.tagger import ONTOLOGY as TAGGED_ONTOLOGY
from litkg.link.tagger import SpanTagger
from litkg.link.tokens import JOINER, Words, joined_until, name_key, normal_token, words_of
from litkg.records import Article

_CONTEXT = 30  # characters of text kept before and after a mention
# "non-neuronal cells" are not neurons
_NEGATED = re.compile(r"\b(?:non|anti|pseudo)[\s\-‐‑–]?$", re.IGNORECASE)
_NEGATING_ENDS = frozenset({"non", "nti", "udo"})  # the last letters of those prefixes
# "inner and outer hair cells", "CD4+ and CD8+", "type 1 and type 2": the last word of
# a conjunct (a word, a marker with its plus sign, a number) and the "and"/"or" or slash
# just before a mention
_COORDINATED = re.compile(r"(?<![\w\-/])([^\W\d_][\w\-]*\+?|\d+)(?:\s+(?:and|or|and/or)\s+|/)$")
_CONJUNCT_WORDS = 3  # the most words a conjunct before a mention stands for
_CAPITALS = re.compile(r"[A-Z]{2,}\b")
# a Latin binomial ending in its epithet ("Haemophilus influenzae", "S. pneumoniae"): a
# genitive that the "-ae" plural of litkg.link.tokens.lemma reads as a disease's name
_BINOMIAL = re.compile(r"(?:\b[A-Z]\.|\b[A-Z][a-z]+)\s+[a-z]+ae$")


def species_epithet(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` ends in the epithet of a species named before it or in
    it ("Streptococcus pneumoniae" is no pneumonia, "P. malariae" no malaria)."""
    return text.endswith("ae", start, end) and bool(_BINOMIAL.search(text, max(0, start - 40), end))


@dataclass(frozen=True)
class Mention:
    """One mention of a term in one text part of an article."""

    curie: str
    part: str  # "title", "abstract", "figure/1/caption", "section/2/paragraph/3" ...
    start: int
    end: int
    exact: str
    prefix: str
    suffix: str
    via: str  # the dictionary name, or "abbreviation"


@dataclass(frozen=True, order=True)
class Span:
    """A mention chosen in one text part: where it is, which term, and by which name
    (the dictionary name, or "abbreviation", "coordination", "ellipsis")."""

    start: int
    end: int
    curie: str
    via: str


# the order of spans (their fields' order) as a key: sorting by it calls no Python __lt__
_SPAN_ORDER = attrgetter("start", "end", "curie", "via")


@dataclass(frozen=True)
class Proposal:
    """A span the rules found, the options it may name and its features' context."""

    part: str
    span: Span
    context: SpanContext
    options: tuple[Option, ...]
    # the shorter cell name the span ends with, for when the model takes none of its
    # options (see Annotator._shorter_cell); not a training example
    fallback: Proposal | None = None


class RuleSpans(NamedTuple):
    """What the rules find in one document."""

    chosen: dict[str, list[Span]]  # the spans of each part
    defined: frozenset[str]  # the terms the document defines a short form for
    tokens: dict[str, Words]  # each part's words
    abbreviations: dict[str, list[Abbreviation]]  # the abbreviations each part defines
    organisms: Organisms  # the organisms the document names (litkg.link.organisms)


@dataclass
class Candidate:
    """The longest dictionary match at one position, with the entries it may stand for."""

    start: int
    end: int
    entries: tuple[Entry, ...]
    name: str  # the text matched
    # the longest match made of names proper, when this one is made of derived names
    # only and so may not apply in the document ("expressing neurons" / "neurons")
    fallback: Candidate | None = None


@dataclass(frozen=True)
class Definition:
    """What a short form the document defines stands for."""

    curie: str
    head: tuple[str, ...]  # words that follow the short form in the term ("cells" in "ES cells")
    long_key: tuple[str, ...] = ()  # the words the short form stands for


@dataclass
class Document:
    """The words of one document and the terms it names in full, for names that depend on
    context."""

    words: list[str]
    labels: dict[str, str]
    ancestors: Callable[[str], list[str]]
    named_in_full: set[str]
    _stems: dict[str, bool] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        tokens: Iterable[Words],
        labels: dict[str, str],
        ancestors: Callable[[str], list[str]],
        named_in_full: set[str],
    ) -> Document:
        return cls(sorted(set().union(*(part.words for part in tokens))), labels, ancestors, named_in_full)

    def has_stem(self, word_stem: str) -> bool:
        """Whether a word of the document starts with ``word_stem``."""
        found = self._stems.get(word_stem)
        if found is None:
            at = bisect_left(self.words, word_stem)
            found = self._stems[word_stem] = at < len(self.words) and self.words[at].startswith(word_stem)
        return found

    def support(self, curie: str, matched: str) -> float:
        """The share of the words of the term's label, other than those matched, that the
        document uses."""
        used = set(name_key(matched))
        words = {
            w
            for w in name_key(self.labels.get(curie, ""))
            if w not in used and w not in GENERIC_WORDS and w.isalpha() and len(w) > 2
        }
        return sum(self.has_stem(stem(w)) for w in words) / len(words) if words else 1.0


# --- the rules an entry of a candidate must pass to be a mention -------------------


def defined_acronyms_only(entry: Entry, candidate: Candidate, document: Document) -> bool:
    """Rejects an acronym: one counts only where the document defines it, and defined
    short forms are found as definitions, not here. Not a term's own label ("COVID-19",
    "AIDS"): the ontology names the term so, and papers use it undefined, as they use
    "CHARGE syndrome"; printed in capitals or with a digit ("AIDS", "Covid-19", not the
    verb "aids")."""
    if not entry.acronym:
        return True
    return entry.label and bool(_CAPITALS.search(candidate.name) or any(c.isdigit() for c in candidate.name))


def short_names_named_in_full(entry: Entry, candidate: Candidate, document: Document) -> bool:
    """Accepts a short name ("CF", "ALS" as a synonym) only when the document also names
    the same term in full."""
    return not entry.short or entry.curie in document.named_in_full


def context_words_used(entry: Entry, candidate: Candidate, document: Document) -> bool:
    """Accepts a shortened name ("cone cell" for the retinal cone cell) only when the
    document uses the words left out ("retina")."""
    return all(document.has_stem(s) for s in entry.context)


def initials_in_capitals(entry: Entry, candidate: Candidate, document: Document) -> bool:
    """Accepts initials before "cell" ("ES cells") only when printed in capitals ("es
    cells" is no mention)."""
    return not entry.initials or bool(_CAPITALS.match(candidate.name))


def confirmed_names_only(entry: Entry, candidate: Candidate, document: Document) -> bool:
    """Rejects a name only the learned step may link (a related synonym, an eponym
    without its head noun); the rules leave it to the model as an unconfirmed span."""
    return not entry.unconfirmed


EntryRule = Callable[[Entry, Candidate, Document], bool]
# Every rule an entry must pass to be chosen; a new one is added here.
ENTRY_RULES: tuple[EntryRule, ...] = (
    confirmed_names_only,
    defined_acronyms_only,
    short_names_named_in_full,
    context_words_used,
    initials_in_capitals,
)


def most_general(options: list[Entry], ancestors: Callable[[str], list[str]]) -> list[Entry]:
    """Drop options whose term descends from another option's term: a derived "hair
    cell" means the sensory hair cell, not each kind of it."""
    curies = {e.curie for e in options}
    return [e for e in options if not curies & set(ancestors(e.curie))]


def without_derived(options: list[Entry], candidate: Candidate, document: Document) -> list[Entry]:
    """Where derived and proper readings of a name compete:

    - initials that spell out other names ("ES cell": epithelial stem cell, enamel
      secreting cell ...) give way to the ontology's own abbreviation ("ESC"), unless the
      document uses all the words of one of them;
    - a derived reading gives way to a term that has the name as its own, unless nothing
      else in the document points to that term;
    - otherwise the most general of the terms is kept."""
    proper = [e for e in options if not e.derived]
    guessed = [e for e in options if e.derived and e.initials]
    if proper and guessed and len(proper) + len(guessed) == len(options):
        if all(document.support(e.curie, candidate.name) < 1 for e in guessed):
            return proper
        return most_general(options, document.ancestors)
    if proper and any(document.support(e.curie, candidate.name) for e in proper):
        return proper
    return most_general(options, document.ancestors)


def best_supported(options: list[Entry], candidate: Candidate, document: Document) -> list[Entry]:
    """The terms whose label's other words the document uses most: "alpha cell" is the
    pancreatic A cell in a paper about islets, the retinal ganglion cell in one about the
    retina. All options when the document uses none of those words."""
    support = {e.curie: document.support(e.curie, candidate.name) for e in options}
    best = max(support.values())
    return [e for e in options if support[e.curie] == best] if best > 0 else options


def tie_break(options: list[Entry], document: Document) -> list[Entry]:
    """Of several terms left, the one the document names in full, else the labels."""
    in_context = [e for e in options if e.curie in document.named_in_full and not e.ambiguous]
    labels = [e for e in options if e.label]
    return in_context if len(in_context) == 1 else labels or options


def choose(candidate: Candidate, document: Document) -> str | None:
    """The one term a candidate names in this document, or None."""
    options = [e for e in candidate.entries if all(rule(e, candidate, document) for rule in ENTRY_RULES)]
    if not options:
        return None
    if len({e.curie for e in options}) > 1 and any(e.derived for e in options):
        options = best_supported(without_derived(options, candidate, document), candidate, document)
    if len(options) > 1:
        options = tie_break(options, document)
    return options[0].curie if len({e.curie for e in options}) == 1 else None


def preferred(entries: Sequence[Entry]) -> str | None:
    """The one term these entries name, or the one whose label they are; else None."""
    curies = {e.curie for e in entries}
    if len(curies) > 1:
        curies = {e.curie for e in entries if e.label}
    return next(iter(curies)) if len(curies) == 1 else None


_Match = tuple[int, tuple[Entry, ...]]  # (token index after the match, its entries)


def _candidate(text: str, tokens: Words, i: int, best: _Match, plain: _Match | None) -> Candidate | None:
    """The candidate at token ``i``: the longest match, falling back to the longest of names
    proper. A cell name after a negating prefix is none ("non-neuronal cells" are no
    neurons); a disease still is ("non-BC individuals" name the disease)."""
    start = tokens.starts[i]
    # a word starts after no letter or digit, so a negating prefix ends before a separator;
    # letters other than ASCII may match one case-insensitively ("İ" for "i"): searched
    ends = text[start - 4 : start - 1] if start >= 4 else ""
    negated = (not ends.isascii() or ends.lower() in _NEGATING_ENDS) and bool(
        _NEGATED.search(text[max(0, start - 5) : start])
    )
    candidate = fallback = None
    for option in (plain, best) if plain is not best else (best,):
        if option is None:
            continue
        entries = tuple(e for e in option[1] if not (negated and e.curie.startswith("CL:")))
        if entries:
            end = tokens.ends[option[0] - 1]
            candidate = Candidate(start, end, entries, text[start:end], fallback)
            fallback = candidate
    return candidate


def _short_form_pattern(short: str, definition: Definition) -> re.Pattern[str]:
    """Where a defined short form is used: "ALS", "RPCs" for RPC (plural), "ES cells" when
    the term continues after it (the short form alone then names something else: the
    cell's origin, the enzyme of "MCAD deficiency"), and "non-BC" for a disease."""
    head = r"".join(rf"[\s\-]+{re.escape(h)}\w*" for h in definition.head)
    before = r"(?:(?<![\w\-])|(?<=\bnon-))" if not definition.curie.startswith("CL:") else r"(?<![\w\-])"
    plural = "s?" if short[-1].isupper() else ""
    return re.compile(rf"{before}{re.escape(short)}{plural}{head}(?![\w\-])")


def _short_form_uses(short: str, definition: Definition, text: str) -> Iterator[re.Match[str]]:
    """The matches of :func:`_short_form_pattern` in ``text``, as ``finditer`` gives them,
    tried only where the short form is printed: a pattern that starts with a lookbehind is
    otherwise tried at every position of the text (ten times slower)."""
    pattern = _short_form_pattern(short, definition)
    at = text.find(short)
    while at >= 0:
        match = pattern.match(text, at)
        if match is None:
            at = text.find(short, at + 1)
        else:
            yield match
            at = text.find(short, max(match.end(), at + 1))


# one or two words just before a span, joined to it by a space or a hyphen
_WORDS_BEFORE = re.compile(r"(?:(?<![\w\-])([^\W\d_][\w']*)[ \-])?(?<![\w\-])([^\W\d_][\w']*)[ \-]$")
_SEPARATORS = (" ", "-")


def _words_before(text: str, words: Words, window: int, end: int) -> re.Match[str] | None:
    """``_WORDS_BEFORE.search(text, window, end)``, tried only where a word of the text
    starts: a match starts with a letter after no word character or hyphen, so at a word.
    (The search tried every position of the window, a third of the time of the widening.)
    A match ends in a space or hyphen, before the end or a last newline: most spans follow
    neither and are done at once."""
    last = text[end - 1 : end]
    if last not in _SEPARATORS and not (last == "\n" and text[end - 2 : end - 1] in _SEPARATORS):
        return None
    starts = words.starts
    for at in starts[bisect_left(starts, window) : bisect_left(starts, end)]:
        match = _WORDS_BEFORE.match(text, at, end)
        if match is not None:
            return match
    return None


# a name of a cell by its markers: "CD4-positive, alpha-beta T cell", "CD8+ regulatory T cell"
_MARKED_NAME = re.compile(r"-positive\b|\w\+")
# the markers a mention starts with: "CD4+", "CD4+CD25+", "CD8-positive", "CD4" (a symbol
# with a digit), each followed by a space, a comma or the next marker
_MARKER_RUN = re.compile(r"(?:[A-Za-z][A-Za-z0-9]*[0-9][A-Za-z0-9]*(?:\+|-positive)?(?:,?\s+|(?=[A-Za-z])))+")


def _widened(text: str, words: Words, span: Span, previous_end: int, proposed: Option) -> tuple[Option, ...]:
    """The proposed term over the span widened by the one or two words before it, for the
    model to weigh: corpora differ on whether "familial gastric cancer" or "autosomal
    recessive disorder" is one mention. The words never reach into the previous span."""
    match = _words_before(text, words, max(previous_end, span.start - 60), span.start)
    if match is None:
        return ()
    found = []
    for group in (2, 1):
        start = match.start(group)
        if start >= 0:
            added = tuple(words.between(start, match.end(2)))
            found.append(Option(proposed.curie, proposed.relation, proposed.depth, start, added))
    return tuple(reversed(found))


# words after a symbol that say it names a gene or its product: "the NDP gene", "the SCA3
# locus", "Dmd mRNA", "DM-kinase"
_GENE_NOUNS = (
    r"(?:genes?|loci|locus|mRNAs?|cDNAs?|cRNAs?|proteins?|transcripts?|promoters?|homologu?es?|kinase)\b"
)
_GENE_WORDS = r"[\s\-]+" + _GENE_NOUNS  # after a symbol: "the HD gene", "DM-kinase"
_GENE_WORD = re.compile(_GENE_WORDS)
_GENE_NOUN = re.compile(r"(?<=[\s\-])" + _GENE_NOUNS)
# what each gene noun starts with, each found by a literal scan (a pattern that starts
# with an alternation is tried at every position of a text, a literal is searched for)
_GENE_NOUN_STARTS = tuple(
    re.compile(re.escape(start))
    for start in (
        *("gene", "loc", "mRNA", "cDNA", "cRNA"),
        *("protein", "transcript", "promoter", "homolog", "kinase"),
    )
)
# the symbol before a gene noun: a word of 2-10 letters and digits, first a letter, after
# no word character or hyphen
_SYMBOL_BEFORE = re.compile(r"(?<![\w\-])[A-Za-z][A-Za-z0-9]{1,9}\Z")


def _gene_nouns(text: str) -> Iterator[re.Match[str]]:
    """The gene nouns of ``text`` after a space or a hyphen, in order."""
    starts = sorted({m.start() for pattern in _GENE_NOUN_STARTS for m in pattern.finditer(text)})
    for start in starts:
        noun = _GENE_NOUN.match(text, start)
        if noun is not None:
            yield noun


def gene_named_forms(parts: Sequence[tuple[str, str]]) -> frozenset[str]:
    """The short forms (two capitals or more) a document writes before "gene", "locus",
    "mRNA", "protein"...: symbols it uses for a gene, whatever else it uses them for.

    The gene nouns are found first and the symbol read back from each: the same symbols
    as one pattern of symbol, spaces or hyphens and gene noun finds (matches in order,
    none overlapping the one before), which was tried at every position of a text: three
    times as fast, and 3% of a pass over CRAFT's texts fewer."""
    found = set()
    for _, text in parts:
        taken = 0  # where the last symbol's gene noun ended: the next symbol starts after it
        for noun in _gene_nouns(text):
            end = noun.start()
            while end > taken and (text[end - 1] == "-" or text[end - 1].isspace()):
                end -= 1
            symbol = _SYMBOL_BEFORE.search(text, max(taken, end - 10), end)
            if symbol is None:
                continue
            taken = noun.end()
            if is_acronym(symbol.group()):
                found.add(symbol.group())
    return frozenset(found)


def long_form_terms(
    parts: Sequence[tuple[str, str]],
    abbreviations: dict[str, list[Abbreviation]],
    mentions: Sequence[Mention],
) -> dict[str, str]:
    """The term each acronym the document defines stands for: the term of the mention that
    spans exactly its long form (from where its letters or its initials start, see
    :class:`~litkg.link.abbreviations.Abbreviation`), as the model linked it. Not that of a
    mention of part of it ("arthritis" in "collagen induced arthritis (CIA)") or of more
    ("deficiency of phenylalanine hydroxylase (PAH)"): the short form names something
    else. The first definition of a short form is the one that counts; a short form
    without such a mention stands for nothing linked, and one defined before a gene word
    ("adenomatous polyposis coli (APC) gene") is the gene's symbol. Where two terms were
    linked over the long form, the first in term order. Two short forms defined together
    ("(ALD/AMN)") stand for the two names before them (:func:`_pair_terms`)."""
    over: dict[tuple[str, int], list[Mention]] = defaultdict(list)  # the mentions by (part, end)
    for m in mentions:
        over[m.part, m.end].append(m)
    found: dict[str, str] = {}
    seen: set[str] = set()
    for name, text in parts:
        for a in abbreviations[name]:
            if a.short in seen or a.long is not None or not is_acronym(a.short):
                continue
            seen.add(a.short)
            starts = (a.long_start, a.initials_start)
            exact = [m.curie for m in over[name, a.long_end] if m.start in starts]
            if exact and not _GENE_WORD.match(text, a.after):
                found[a.short] = min(exact)
    for name, text in parts:
        for pair in find_short_form_pairs(text):
            shorts = (pair.first, pair.second)
            if any(s in found or not is_acronym(s) for s in shorts):
                continue
            if not _GENE_WORD.match(text, pair.after):
                found.update(_pair_terms(text, shorts, over[name, pair.names_end], over, name))
    return found


def _pair_terms(
    text: str,
    shorts: tuple[str, str],
    second_names: Sequence[Mention],
    over: dict[tuple[str, int], list[Mention]],
    part: str,
) -> dict[str, str]:
    """The terms of two short forms defined together, "(ALD/AMN)": the terms of the two
    mentions the model linked just before the parenthesis, joined by a slash, a comma,
    "and" or "or", each spelling its short form's letters."""
    for second in second_names:
        joiner = NAME_JOINER.search(text, max(0, second.start - 6), second.start)
        if joiner is None or joiner.end() != second.start:
            continue
        for first in over[part, joiner.start()]:
            names = (text[first.start : first.end], text[second.start : second.end])
            if spells(shorts[0], names[0]) and spells(shorts[1], names[1]):
                return {shorts[0]: first.curie, shorts[1]: second.curie}
    return {}


def as_their_long_forms(
    parts: Sequence[tuple[str, str]],
    abbreviations: dict[str, list[Abbreviation]],
    mentions: Sequence[Mention],
) -> list[Mention]:
    """The mentions, with every use of a defined acronym linked to the term the model chose
    for its long form (:func:`long_form_terms`), as Ab3P-resolved short forms are in DNorm
    and TaggerOne: a use the model linked to another term takes the long form's, and a use
    no mention overlaps is added. Not a use inside a genotype or before a gene word ("the
    HD gene"), where the symbol names an allele or the gene."""
    terms = long_form_terms(parts, abbreviations, mentions)
    if not terms:
        return list(mentions)
    at: dict[tuple[str, int, int], list[int]] = defaultdict(list)  # the mentions by their span
    spans: dict[str, list[Span]] = defaultdict(list)  # by part
    for i, m in enumerate(mentions):
        at[m.part, m.start, m.end].append(i)
        spans[m.part].append(Span(m.start, m.end, m.curie, m.via))
    found = list(mentions)
    for name, text in parts:
        taken = _Taken(spans[name])
        for short, curie in sorted(terms.items()):
            for use in _short_form_uses(short, Definition(curie, ()), text):
                start, end = use.span()
                if _GENE_WORD.match(text, end) or (
                    not curie.startswith("CL:") and in_genotype(text, start, end)
                ):
                    continue
                same = at.get((name, start, end))
                if same:
                    for i in same:
                        found[i] = replace(found[i], curie=curie)
                elif taken.add(start, end):
                    found.append(_mention(name, text, Span(start, end, curie, "abbreviation")))
    return found


def roots_among_others(mentions: Sequence[Mention]) -> list[Mention]:
    """The mentions, less those of an ontology's root ("disease", "disorder" alone) in a
    document that links no other term of that ontology. A class noun alone is a disease
    only in a text about diseases, which names one; elsewhere it is the word's everyday
    sense: "disorders" (irregularities) in phyllotaxis patterns, a protein's "disorder"."""
    ontologies = {m.curie.split(":", 1)[0] for m in mentions if m.curie not in ROOT_TERMS}
    return [m for m in mentions if m.curie not in ROOT_TERMS or m.curie.split(":", 1)[0] in ontologies]


def _parallel(conjunct: Sequence[str], words: Sequence[str]) -> bool:
    """Whether a conjunct of several words parallels the words it stands for: it repeats
    them but for the one it contrasts ("type 1" for "type 2", "CD4+" for "CD8+"), where a
    noun phrase of its own ("heart muscle" before "red blood cells") does not."""
    return sum(a != b for a, b in zip(conjunct, words, strict=True)) == 1


def outermost(mentions: Sequence[Mention]) -> list[Mention]:
    """The mentions, in their order, less those inside a longer mention of the same term in
    the same part: where the model links "breast and ovarian cancer" to each of its parts
    and also the "ovarian cancer" in it, the inner span says nothing the outer does not.
    An inner mention of another term stays ("cone photoreceptors" in "rod and cone
    photoreceptors"), and so does the short form with its head word inside a definition
    ("ES) cells" in "embryonic stem (ES) cells"), as CRAFT annotates both."""
    by_term: dict[tuple[str, str], set[tuple[int, int]]] = defaultdict(set)
    for m in mentions:
        by_term[m.part, m.curie].add((m.start, m.end))
    inner: set[tuple[str, str, int, int]] = set()
    for (part, curie), spans in by_term.items():
        reach = -1  # the furthest end of the spans before, in (start, longest first) order
        for start, end in sorted(spans, key=lambda se: (se[0], -se[1])):
            if end <= reach:
                inner.add((part, curie, start, end))
            reach = max(reach, end)
    if not inner:
        return list(mentions)
    return [m for m in mentions if m.via == "abbreviation" or (m.part, m.curie, m.start, m.end) not in inner]


def distinct(mentions: Sequence[Mention]) -> list[Mention]:
    """The mentions less any of the same term over the same span of the same part as one
    before it: two proposals over one span (the coordination "inner and outer hair cells"
    and the composite over the same words) may be linked to the same term, which is one
    annotation, not two."""
    seen: set[tuple[str, int, int, str]] = set()
    kept = []
    for m in mentions:
        key = (m.part, m.start, m.end, m.curie)
        if key not in seen:
            seen.add(key)
            kept.append(m)
    return kept


def _mention(part: str, text: str, span: Span) -> Mention:
    return Mention(
        curie=span.curie,
        part=part,
        start=span.start,
        end=span.end,
        exact=text[span.start : span.end],
        prefix=text[max(0, span.start - _CONTEXT) : span.start],
        suffix=text[span.end : span.end + _CONTEXT],
        via=span.via,
    )


class Annotator:
    """Annotates articles (all their text parts, as one document) with CL and MONDO terms."""

    def __init__(
        self, lexicon: Lexicon | None = None, model: LinkingModel | Literal["shipped"] | None = "shipped"
    ) -> None:
        """``model``: the learned step that links each span the rules find ("shipped": the
        model litkg ships; None: the rules alone)."""
        self.lexicon = lexicon or shipped_lexicon()
        self.model = shipped_model() if model == "shipped" else model
        self._options_of: dict[str, tuple[Option, ...]] = {}
        # the learnt names' index, by the id of the names (with the names, kept alive)
        self._similar_learnt: dict[int, tuple[LearnedNames, SimilarNames]] = {}
        self.qualified = QualifiedTerms.of(self.lexicon.module)

    def annotate_article(self, article: Article) -> list[Mention]:
        """Mentions in the title, standfirst/abstract, captions and body of ``article``."""
        return self.annotate_texts(article_text_parts(article))

    def annotate_texts(self, parts: Sequence[tuple[str, str]]) -> list[Mention]:
        """Mentions in the named text parts of one document, in part then offset order: the
        spans the rules find, each linked to the term the model chooses among its options
        (or, with no model, to the term the rules propose)."""
        if self.model is None:
            rules = self.rule_spans(parts)
            chosen_by_part = rules.chosen
            return roots_among_others(
                self._for_the_organisms(
                    rules.organisms,
                    [
                        _mention(name, text, span)
                        for name, text in parts
                        for span in sorted(chosen_by_part[name], key=_SPAN_ORDER)
                        if span.via not in LEFT_TO_THE_MODEL
                    ],
                )
            )
        texts = dict(parts)
        rules = self.rule_spans(parts)
        mentions = []
        for proposal in self.proposals(parts, rules=rules):
            option = self.model.choose(proposal.context, proposal.options)
            if option is None and proposal.fallback is not None:
                proposal = proposal.fallback
                option = self.model.choose(proposal.context, proposal.options)
            if option is None:
                continue
            span = proposal.span
            start = span.start if option.start is None else option.start
            span = Span(start, span.end, option.curie, span.via)
            mentions.append(_mention(proposal.part, texts[proposal.part], span))
        mentions = as_their_long_forms(parts, rules.abbreviations, mentions)
        return roots_among_others(distinct(outermost(self._for_the_organisms(rules.organisms, mentions))))

    def _for_the_organisms(self, organisms: Organisms, mentions: list[Mention]) -> list[Mention]:
        """The mentions, each of a term CL qualifies for other organisms than the document's
        moved to the term of the document's organisms (:mod:`litkg.link.organisms`)."""
        curies = fitted_terms(self.qualified, organisms, [m.curie for m in mentions])
        return [m if c == m.curie else replace(m, curie=c) for m, c in zip(mentions, curies, strict=True)]

    def proposals(
        self,
        parts: Sequence[tuple[str, str]],
        names: LearnedNames | None = None,
        rules: RuleSpans | None = None,
        tagger: SpanTagger | None | Literal["model"] = "model",
    ) -> list[Proposal]:
        """The spans the rules find in one document, each with the term they propose, the
        other terms it may name and what the model's features are computed from; and the
        spans of learnt names (``names``, by default the model's) the rules left alone.
        ``rules``: the document's :meth:`rule_spans`, when known already; ``tagger``: the
        mention tagger whose spans the disease spans' features compare with (by default
        the model's)."""
        if names is None:
            names = self.model.names if self.model is not None else NO_NAMES
        if tagger == "model":
            tagger = self.model.tagger if self.model is not None else None
        chosen_by_part, defined, tokens, _, organisms = rules or self.rule_spans(parts)
        counts = Counter(
            span.curie
            for chosen in chosen_by_part.values()
            for span in chosen
            if span.via not in LEFT_TO_THE_MODEL
        )
        found = []
        genes = gene_named_forms(parts)
        for name, text in parts:
            learned = _learned_spans(text, tokens[name], names, chosen_by_part[name], organisms)
            spans = sorted(chosen_by_part[name] + learned, key=_SPAN_ORDER)
            tagged = _tagged(text, tokens[name], tagger, chosen_by_part[name], spans)
            proposals = []
            for n, span in enumerate(spans):
                context = self._context(name, text, span, counts, defined, tagged, genes)
                options = self._options(span.curie)
                previous_end = spans[n - 1].end if n else 0
                options += _widened(text, tokens[name], span, previous_end, options[0])
                if names:
                    options = self._with_learned(text, tokens[name], span, options, names, organisms)
                fallback = self._shorter_cell(name, text, tokens[name], span, counts, defined, genes)
                proposals.append(Proposal(name, span, context, options, fallback))
            if tagged:
                proposals = self._with_similar(name, text, proposals, tagged, names, counts, defined, genes)
            found.extend(proposals)
        return found

    def _shorter_cell(
        self,
        part: str,
        text: str,
        words: Words,
        span: Span,
        counts: Counter[str],
        defined: frozenset[str],
        genes: frozenset[str],
    ) -> Proposal | None:
        """The proposal of the cell type whose name a longer cell name ends with, for when
        the model takes no option of the longer one: after its markers ("cytotoxic T cells"
        in "CD8+ cytotoxic T cells", "regulatory T cells" in "CD4+CD25+ regulatory T
        cells"), else the longest name from a later word ("smooth muscle cells" in
        "vascular smooth muscle cells", "fibroblasts" in "cardiac fibroblasts"). The model
        learnt from CRAFT, which annotates the cell without its markers and "fibroblasts"
        in "mouse embryonic fibroblasts", to doubt long cell names, and the longer name must
        not cost the link the shorter one had."""
        if not span.curie.startswith("CL:"):
            return None
        found = None
        if _MARKED_NAME.search(span.via):
            markers = _MARKER_RUN.match(text, span.start, span.end)
            if markers is not None and markers.end() < span.end:
                found = self._cell_named_from(words, markers.end(), span.end)
        starts = words.starts
        later = starts[bisect_left(starts, span.start) + 1 : bisect_left(starts, span.end)]
        for start in later if found is None else ():
            found = self._cell_named_from(words, start, span.end)
            if found is not None:
                break
        if found is None:
            return None
        start, entry = found
        inner = Span(start, span.end, entry.curie, entry.name)
        context = self._context(part, text, inner, counts, defined, None, genes)
        return Proposal(part, inner, context, self._options(entry.curie))

    def _cell_named_from(self, words: Words, start: int, end: int) -> tuple[int, Entry] | None:
        """The cell type whose proper name the words from ``start`` to ``end`` are, if any."""
        entries = [
            e
            for e in self.lexicon.lookup(tuple(words.between(start, end)))
            if e.curie.startswith("CL:") and not e.context and not e.acronym and not e.short
        ]
        return (start, min(entries, key=preference)) if entries else None

    def _context(
        self,
        part: str,
        text: str,
        span: Span,
        counts: Counter[str],
        defined: frozenset[str],
        tagged: list[tuple[int, int]] | None,
        gene_named: frozenset[str],
    ) -> SpanContext:
        """What the model's features of one span are computed from (``gene_named``: the
        document's :func:`gene_named_forms`)."""
        fitted = {e.curie for e in self.lexicon.lookup(name_key(text[span.start : span.end]))}
        return SpanContext(
            text=text,
            part=part,
            start=span.start,
            end=span.end,
            proposed=span.curie,
            via=span.via,
            label=name_key(span.via) == name_key(self.lexicon.module.labels.get(span.curie, "")),
            names_fitted=len(fitted | {span.curie}),
            document_count=counts[span.curie],
            defined=span.curie in defined,
            tagged=_near(tagged, span) if _judged_by_tagger(text, span) else None,
            gene_named=text[span.start : span.end] in gene_named,
        )

    def _with_similar(
        self,
        part: str,
        text: str,
        proposals: list[Proposal],
        tagged: list[tuple[int, int]],
        names: LearnedNames,
        counts: Counter[str],
        defined: frozenset[str],
        genes: frozenset[str],
    ) -> list[Proposal]:
        """The proposals of one part, given the tagger's mentions in it: a proposal with an
        option over a tagged mention gets the terms most like the mention's words as more
        options; a tagged mention no option spans becomes a proposal of its own, whose
        options are those terms."""
        at_span: dict[tuple[int, int], list[int]] = defaultdict(list)
        for n, proposal in enumerate(proposals):
            for start in {o.start for o in proposal.options}:
                at_span[proposal.span.start if start is None else start, proposal.span.end].append(n)
        result = list(proposals)
        added: list[Proposal] = []
        for start, end in tagged:
            if is_acronym(text[start:end]):
                continue  # the document, not the tagger, says what a short form stands for
            if species_epithet(text, start, end):
                continue  # "S. pneumoniae" is no pneumonia
            similar = self.similar_terms(text[start:end], names)
            if not similar:
                continue
            users = at_span.get((start, end))
            if users:
                for n in users:
                    result[n] = self._similar_options(result[n], start, similar)
                continue
            span = Span(start, end, similar[0][0], TAGGED)
            context = self._context(part, text, span, counts, defined, tagged, genes)
            options = tuple(
                self._similar_option(c, sim, rank, None, ()) for rank, (c, sim) in enumerate(similar, 1)
            )
            added.append(Proposal(part, span, context, options))
        return sorted(result + added, key=lambda p: _SPAN_ORDER(p.span))

    def _similar_option(
        self, curie: str, similarity: float, rank: int, start: int | None, added: tuple[str, ...]
    ) -> Option:
        alike = (
            "1"
            if similarity >= 1
            else "0.9+"
            if similarity >= 0.9
            else "0.75+"
            if similarity >= 0.75
            else "0.5+"
        )
        depth = len(self.lexicon.ancestors(curie))
        return Option(curie, "similar", depth, start, added, similar=f"{alike}|{min(rank, 3)}")

    def _similar_options(self, proposal: Proposal, start: int, similar: list[tuple[str, float]]) -> Proposal:
        """``proposal`` with the similar terms of its option span starting at ``start`` as
        more options, where it has no option of that term over that span."""
        at = None if start == proposal.span.start else start
        same = [o for o in proposal.options if o.start == at]
        have = {o.curie for o in same}
        more = tuple(
            self._similar_option(c, sim, rank, at, same[0].added)
            for rank, (c, sim) in enumerate(similar, 1)
            if c not in have
        )
        if not more:
            return proposal
        return replace(proposal, options=proposal.options + more)

    def similar_terms(self, surface: str, names: LearnedNames) -> list[tuple[str, float]]:
        """The disease terms whose names (of the ontology, or learnt) are most like
        ``surface``'s words, best first."""
        key = name_key(surface)
        found = dict(self.lexicon.similar.of(key))
        learnt = self._similar_learnt.get(id(names))
        if learnt is None or learnt[0] is not names:
            index = SimilarNames(
                (n.curie, key)
                for key, n in names.names.items()
                if n.curie.startswith(TAGGED_PREFIX) and not n.acronym
            )
            learnt = self._similar_learnt[id(names)] = (names, index)
        for curie, similarity in learnt[1].of(key):
            if similarity > found.get(curie, 0.0):
                found[curie] = similarity
        return sorted(found.items(), key=lambda item: (-item[1], item[0]))[:MOST_SIMILAR]

    def _with_learned(
        self,
        text: str,
        words: Words,
        span: Span,
        options: tuple[Option, ...],
        names: LearnedNames,
        organisms: Organisms,
    ) -> tuple[Option, ...]:
        """The options marked where a learnt name of their words names their term, and the
        terms learnt names of the span (or of it widened) name where no option has them.
        A term is added only by a name that applies in a document about ``organisms``: the
        name is its documents' way of naming the term; the mark, that the documents named
        an option's term by the same words as the ontology does, holds for any."""
        marked: list[Option] = []
        # the learnt name over the words of each start an option has (None: the span's own)
        by_start: dict[int | None, LearnedName | None] = {}
        for option in options:
            if option.start not in by_start:
                start = span.start if option.start is None else option.start
                by_start[option.start] = names.printed(text[start : span.end], words.between(start, span.end))
            learned = by_start[option.start]
            if learned is not None and learned.curie == option.curie:
                option = Option(
                    option.curie,
                    option.relation,
                    option.depth,
                    option.start,
                    option.added,
                    learned.description,
                )
            marked.append(option)
        for at, found in by_start.items():
            if (
                found is None
                or not found.applies(organisms)
                or any(o.start == at and o.curie == found.curie for o in marked)
            ):
                continue
            added = next(o.added for o in marked if o.start == at)
            depth = len(self.lexicon.ancestors(found.curie))
            marked.append(Option(found.curie, "learned", depth, at, added, found.description))
        return tuple(marked)

    def _options(self, proposed: str) -> tuple[Option, ...]:
        """The proposed term and its parents. (Grandparents and the other terms the name
        fits were options too; chosen for 0.4% of the spans, they made 45% of the options,
        and cross-validated F1 on CRAFT and NCBI train was the same without them.)"""
        found = self._options_of.get(proposed)
        if found is None:
            ancestors = self.lexicon.ancestors
            options = [Option(proposed, "self", len(ancestors(proposed)))]
            options += [
                Option(p, "parent", len(ancestors(p))) for p in self.lexicon.module.parents.get(proposed, ())
            ]
            found = self._options_of[proposed] = tuple(options)  # a few thousand terms
        return found

    def rule_spans(self, parts: Sequence[tuple[str, str]]) -> RuleSpans:
        """The spans the rules choose in each part of one document."""
        tokens = {name: words_of(text) for name, text in parts}
        candidates = {name: self._candidates(text, tokens[name]) for name, text in parts}
        abbreviations = {name: find_abbreviations(text) for name, text in parts}
        definitions, definition_spans = self._definitions(parts, abbreviations, candidates)
        named_in_full = {
            e.curie
            for found in candidates.values()
            for c in found
            for e in c.entries
            if not e.ambiguous and not e.derived
        }
        named_in_full.update(d.curie for d in definitions.values())
        document = Document.of(
            tokens.values(), self.lexicon.module.labels, self.lexicon.ancestors, named_in_full
        )
        chosen_by_part: dict[str, list[Span]] = {}
        for name, text in parts:
            chosen = [span for part, span in definition_spans if part == name]
            _take_longest(candidates[name], definitions, chosen, document)
            self._take_short_forms(text, tokens[name], definitions, chosen)
            chosen.extend(self._coordinated(text, tokens[name], chosen, document))
            chosen_by_part[name] = chosen
        heads = self._elliptic_heads(parts, chosen_by_part)
        for name, text in parts:
            chosen = chosen_by_part[name]
            self._take_ellipses(text, tokens[name], heads, chosen)
            chosen.extend(_unconfirmed(text, candidates[name], definitions, chosen))
        return RuleSpans(
            chosen_by_part,
            frozenset(d.curie for d in definitions.values()),
            tokens,
            abbreviations,
            organisms_of(text for _, text in parts),
        )

    def _candidates(self, text: str, tokens: Words) -> list[Candidate]:
        """The candidate at each position where a name starts, left to right; a match of
        derived names only may not apply, so the scan goes on inside it too."""
        found: list[Candidate] = []
        free = 0  # the first word no match of names proper has taken
        for i in self.lexicon.starts.positions(tokens.words):
            if i < free:
                continue
            best, plain = self._longest_names(text, tokens, i)
            if best is None:
                continue
            candidate = _candidate(text, tokens, i, best, plain)
            if candidate is not None and not species_epithet(text, candidate.start, candidate.end):
                found.append(candidate)
            if plain is not None:
                free = best[0]
        return found

    def _longest_names(self, text: str, tokens: Words, i: int) -> tuple[_Match | None, _Match | None]:
        """The longest name that starts at word ``i``, and the longest that is not derived
        only; a name never crosses punctuation other than hyphens, slashes and apostrophes."""
        words, starts, ends = tokens.words, tokens.starts, tokens.ends
        node = self.lexicon.trie.get(words[i])
        best = plain = None
        j = i + 1
        while node is not None:
            hit = node.get(END)
            if hit and text[max(ends[j - 1] - 3, 0) : ends[j - 1]].lower() == "ics":
                hit = _nouns_in_ics(hit)
            if hit:
                best = (j, hit)
                if not all(e.derived or e.unconfirmed for e in hit):
                    plain = best
            if j >= len(words):
                break
            node = node.get(words[j])
            if node is not None and not JOINER.match(text[ends[j - 1] : starts[j]]):
                break
            j += 1
        return best, plain

    def _definitions(
        self,
        parts: Sequence[tuple[str, str]],
        abbreviations: dict[str, list[Abbreviation]],
        candidates: dict[str, list[Candidate]],
    ) -> tuple[dict[str, Definition], list[tuple[str, Span]]]:
        """Abbreviations whose long form is a whole term, and the spans of
        "long form (SF) head" definitions that name a term across the parenthesis."""
        definitions: dict[str, Definition] = {}
        spans: list[tuple[str, Span]] = []
        for name, text in parts:
            ending_at: dict[int, list[Candidate]] = defaultdict(list)  # the candidates by their end
            for candidate in candidates[name]:
                ending_at[candidate.end].append(candidate)
            for abbreviation in abbreviations[name]:
                if abbreviation.short in definitions:
                    continue
                found = self._define(abbreviation, text, ending_at.get(abbreviation.long_end, []))
                if found is not None:
                    definitions[abbreviation.short] = found[0]
                    spans.extend((name, span) for span in found[1])
        return definitions, spans

    def _define(
        self, abbreviation: Abbreviation, text: str, candidates: Sequence[Candidate]
    ) -> tuple[Definition, list[Span]] | None:
        """The term an abbreviation stands for, and the spans its definition names it by
        (``candidates``: those that end where its long form ends).

        The name the initials spell wins over a longer one around it: in "type I alveolar
        epithelial cells (AECs)", AEC is the alveolar epithelial cell and "type I AECs" the
        narrower type (:meth:`_qualified`). In "embryonic stem (ES) cells" the term goes on
        after the parenthesis: the long form and the short form with its head word ("ES ...
        cells") both name it."""
        covering = [
            c
            for c in candidates
            if c.end == abbreviation.long_end
            and c.start <= abbreviation.long_start
            and abbreviation.long is None
        ]
        long_key = name_key(abbreviation.long or text[abbreviation.long_start : abbreviation.long_end])
        exact = [e for e in self.lexicon.lookup(long_key) if not e.derived]
        # a name written head first names the disease of what the long form names: in
        # "deficiency of aspartoacylase (ASPA)", ASPA is the enzyme
        around = [e for c in covering for e in c.entries if not e.head_first]
        for group in (exact, around):
            curie = preferred([e for e in group if not e.ambiguous])
            if curie is not None:
                return Definition(curie, (), long_key), []
        following = re.match(r"\s+([^\W\d_]+)", text[abbreviation.after :])
        if following is None or abbreviation.long is not None:
            return None
        head = (normal_token(following.group(1)),)
        curie = preferred([e for e in self.lexicon.lookup(long_key + head) if not e.ambiguous])
        if curie is None:
            return None
        end = abbreviation.after + following.end()
        short_start = text.rindex(abbreviation.short, 0, abbreviation.after)
        spans = [
            Span(abbreviation.long_start, end, curie, "abbreviation"),
            Span(short_start, end, curie, "abbreviation"),
        ]
        return Definition(curie, head), spans

    def _take_short_forms(
        self, text: str, tokens: Words, definitions: dict[str, Definition], chosen: list[Span]
    ) -> None:
        """Add every use of a defined short form that no chosen span overlaps; a disease's
        short form inside a genotype names an allele, not the disease."""
        taken = _Taken(chosen)
        for short, definition in sorted(definitions.items()):
            for m in _short_form_uses(short, definition, text):
                if not definition.curie.startswith("CL:") and in_genotype(text, m.start(), m.end()):
                    continue
                start, curie = self._qualified(tokens, m.start(), definition)
                if taken.add(start, m.end()):
                    chosen.append(Span(start, m.end(), curie, "abbreviation"))

    def _qualified(self, tokens: Words, start: int, definition: Definition) -> tuple[int, str]:
        """A defined short form after words that make its long form a narrower term:
        "type II AECs" is the type II alveolar epithelial cell. (start, term)."""
        if definition.head or not definition.long_key:
            return start, definition.curie
        index = bisect_left(tokens.starts, start)
        for size in (2, 1):
            first = index - size
            # the words and the short form each one character apart at most
            if (
                first < 0
                or any(tokens.starts[k + 1] > tokens.ends[k] + 1 for k in range(first, index - 1))
                or start > tokens.ends[index - 1] + 1
            ):
                continue
            key = tuple(tokens.words[first:index]) + definition.long_key
            curie = preferred([e for e in self.lexicon.lookup(key) if not e.ambiguous and not e.derived])
            if curie is not None:
                return tokens.starts[first], curie
        return start, definition.curie

    def _coordinated(self, text: str, words: Words, chosen: list[Span], document: Document) -> list[Span]:
        """Terms whose first words are given by a conjunct before the next mention, whose
        head they share: "inner and outer hair cells" names the inner hair cell too, over
        the span "inner and outer hair cells"; so does "breast/ovarian cancer" name breast
        cancer, "type 1 and type 2 diabetes" type 1 diabetes and "CD4+ and CD8+ T cells"
        the CD4-positive T cell. Conjuncts are parallel: one of n words stands for the
        mention's first n words; the longest conjunct that makes a name is taken."""
        found = []
        for span in chosen:
            key = name_key(text[span.start : span.end])
            conjunct = self._conjunct(text, words, span, key, chosen)
            if conjunct is None:
                continue
            first, entries, name = conjunct
            candidate = Candidate(first, span.end, entries, name)
            curie = choose(candidate, document)
            if curie:
                found.append(Span(first, span.end, curie, "coordination"))
                # the whole composite mention names the last term too: for the model to judge
                found.append(Span(first, span.end, span.curie, COMPOSITE))
        return found

    def _conjunct(
        self, text: str, words: Words, span: Span, key: tuple[str, ...], chosen: list[Span]
    ) -> tuple[int, tuple[Entry, ...], str] | None:
        """Where the conjunct before ``span`` starts, the entries of the name it makes with
        the span's last words, and that name as printed; None where there is none."""
        if len(key) < 2:
            return None
        before = _COORDINATED.search(text, max(0, span.start - 40), span.start)
        if before is None:
            return None
        end = before.end(1)
        last = bisect_left(words.ends, end)
        if last >= len(words) or words.ends[last] != end:
            return None
        lowest = last
        while lowest > 0 and last - lowest + 1 < min(_CONJUNCT_WORDS, len(key) - 1):
            gap = text[words.ends[lowest - 1] : words.starts[lowest]]
            if gap not in ("", " ", "-"):
                break
            lowest -= 1
        for n in range(last - lowest + 1, 0, -1):
            first = words.starts[last - n + 1]
            given = words.words[last - n + 1 : last + 1]
            if (n > 1 and not _parallel(given, key[:n])) or any(
                s.start < span.start and first < s.end for s in chosen
            ):
                continue
            entries = self.lexicon.lookup((*given, *key[n:]))
            if entries:
                return first, entries, text[first:end] + " " + text[span.start : span.end]
        return None

    def _elliptic_heads(
        self, parts: Sequence[tuple[str, str]], chosen_by_part: dict[str, list[Span]]
    ) -> dict[str, str]:
        """Cell nouns the document also uses without "cell": where it names "cone cells"
        (or "cone photoreceptors") for the retinal cone cell, "cones" and "cone" name it
        too. Only for a shortened "X cell" name (not the term's own label: "muscle cell"
        does not make "muscle" a cell) whose X is no name of its own and is used in the
        plural alone ("cones"), so mass nouns ("blood", "hair") never qualify."""
        texts = dict(parts)
        found: dict[str, set[str]] = defaultdict(set)
        for name, chosen in chosen_by_part.items():
            for span in chosen:
                key = name_key(texts[name][span.start : span.end])
                shortened = name_key(span.via) != key  # "cone cell" for the retinal cone cell
                if (
                    len(key) == 2
                    and key[1] in self.lexicon.cell_heads
                    and key[0].isalpha()
                    and len(key[0]) >= 3
                    and shortened
                ):
                    found[key[0]].add(span.curie)
        heads = {}
        for head, curies in found.items():
            if len(curies) != 1 or any(not e.unconfirmed for e in self.lexicon.lookup((head,))):
                continue
            # "\bcones\b", the word boundary checked behind the word: a pattern that starts
            # with a letter is searched for by that letter, a third of the time
            escaped = re.escape(head)
            plural = re.compile(rf"{escaped}s(?<!\w{escaped}s)\b(?![\s\-]+cells?\b)", re.IGNORECASE)
            if any(plural.search(text) for _, text in parts):
                heads[head] = next(iter(curies))
        return heads

    def _take_ellipses(self, text: str, tokens: Words, heads: dict[str, str], chosen: list[Span]) -> None:
        """Add each elliptic head word no chosen span covers; before a broader cell noun
        ("cone photoreceptors") the head and that noun are one mention of the narrower term."""
        if not heads:
            return
        taken = _Taken(chosen)  # the spans chosen before any ellipsis
        for i in compress(count(), map(heads.__contains__, tokens.words)):
            curie, start, end = heads[tokens.words[i]], tokens.starts[i], tokens.ends[i]
            if taken.overlaps(start, end):
                continue
            joined = joined_until(text, end)
            following = next((c for c in chosen if end < c.start <= joined), None)
            if following and following.curie in self.lexicon.ancestors(curie):
                chosen.remove(following)
                chosen.append(Span(start, following.end, curie, "ellipsis"))
            else:
                chosen.append(Span(start, end, curie, "ellipsis"))


# the head words after which a bare short form may still name the disease ("VHL" for
# "von Hippel-Lindau (VHL) disease"); before others it names what the term is about:
# the enzyme of "MCAD deficiency", the origin of "ES cells"
_DISEASE_HEADS = frozenset({("disease",), ("syndrome",), ("disorder",)})
UNCONFIRMED = "unconfirmed"  # the via of a span the rules leave to the model
BARE_SHORT_FORM = "bare short form"
COMPOSITE = "composite"  # "breast and ovarian cancer" as a mention of ovarian cancer
LEARNED = "learned"  # the via of the span of a learnt name (litkg.link.names)
TAGGED = "tagged"  # the via of a span the tagger found where no option of the rules' is
LEFT_TO_THE_MODEL = frozenset({UNCONFIRMED, BARE_SHORT_FORM, COMPOSITE, LEARNED, TAGGED})


TAGGED_PREFIX = TAGGED_ONTOLOGY + ":"


def _nouns_in_ics(entries: Sequence[Entry]) -> tuple[Entry, ...]:
    """The entries a word printed in -ics may match: a noun of its own ("analgesics",
    "genetics", "diabetics") is not the plural of the adjective a name is written with
    ("analgesic" of analgesia), so only names whose own last word ends so."""
    return tuple(e for e in entries if e.name.lower().endswith("ics"))


def _tagged(
    text: str, words: Words, tagger: SpanTagger | None, chosen: Sequence[Span], spans: Sequence[Span]
) -> list[tuple[int, int]] | None:
    """The tagger's mentions in the sentences of a part that hold a disease span, in order;
    None without a tagger. The rules' own disease spans (not the learnt names') are marked
    for the tagger."""
    if tagger is None:
        return None
    rule_spans = [(s.start, s.end) for s in chosen if s.curie.startswith(TAGGED_PREFIX)]
    around = [(s.start, s.end) for s in spans if s.curie.startswith(TAGGED_PREFIX)]
    return sorted(tagger.spans(text, words, rule_spans, around))


def _judged_by_tagger(text: str, span: Span) -> bool:
    """Whether the tagger's mentions are compared with a span: a disease span, unless it
    is an acronym the document does not define (a gene symbol that spells a disease's
    short form: only a definition makes it a mention)."""
    if not span.curie.startswith(TAGGED_PREFIX):
        return False
    return span.via != UNCONFIRMED or not is_acronym(text[span.start : span.end])


def _near(tagged: list[tuple[int, int]] | None, span: Span) -> frozenset[tuple[int, int]] | None:
    """The tagged mentions that overlap ``span`` or the few words before it (an option may
    widen the span), or None where nothing was tagged. (A part has a few.)"""
    if tagged is None:
        return None
    lo = span.start - 60
    return frozenset(t for t in tagged if t[0] < span.end and t[1] > lo)


def _learned_spans(
    text: str, tokens: Words, names: LearnedNames, chosen: Sequence[Span], organisms: Organisms
) -> list[Span]:
    """The learnt names printed where no span of the rules is, for the model to judge;
    only those that apply in a document about ``organisms``."""
    if not names:
        return []
    taken = _Taken(chosen)
    return [
        Span(m.start, m.end, m.name.curie, LEARNED)
        for m in names.matches(text, tokens)
        if m.name.applies(organisms)
        and not species_epithet(text, m.start, m.end)
        and taken.add(m.start, m.end)
    ]


def _unconfirmed(
    text: str, candidates: Sequence[Candidate], definitions: dict[str, Definition], chosen: Sequence[Span]
) -> list[Span]:
    """Spans the rules leave for want of evidence, for a model to judge (the rules alone
    never link them):

    - a defined short form used without the disease noun its definition joins it to:
      "VHL" after "von Hippel-Lindau (VHL) disease" may name the gene or the disease;
    - an acronym or short synonym printed with two capitals or more that the document
      neither defines nor backs with the term's full name: "DMD" in a title;
    - a name only a model may link: a related synonym ("mental retardation"), an eponym
      without its disease noun ("von Willebrand")."""
    found: list[Span] = []
    taken = _Taken(chosen)
    for short, definition in sorted(definitions.items()):
        if definition.head not in _DISEASE_HEADS or not definition.curie.startswith("MONDO:"):
            continue
        for m in _short_form_uses(short, Definition(definition.curie, ()), text):
            if not in_genotype(text, m.start(), m.end()) and taken.add(m.start(), m.end()):
                found.append(Span(m.start(), m.end(), definition.curie, BARE_SHORT_FORM))
    for candidate in candidates:
        capitals = sum(c.isupper() for c in candidate.name) >= 2  # "was" is no use of the acronym WAS
        curie = preferred([e for e in candidate.entries if e.unconfirmed or (e.ambiguous and capitals)])
        if curie is not None and taken.add(candidate.start, candidate.end):
            found.append(Span(candidate.start, candidate.end, curie, UNCONFIRMED))
    return found


class _Taken:
    """The characters spans cover, as sorted disjoint intervals: a new span is added
    only where it overlaps none (a bisection instead of a scan over every span)."""

    def __init__(self, spans: Iterable[Span]) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        for span in sorted(spans, key=_SPAN_ORDER):
            if self.ends and span.start < self.ends[-1]:
                self.ends[-1] = max(self.ends[-1], span.end)
            else:
                self.starts.append(span.start)
                self.ends.append(span.end)

    def overlaps(self, start: int, end: int) -> bool:
        """Whether an interval overlaps [start, end)."""
        at = bisect_left(self.ends, start + 1)  # the first interval ending after start
        return at < len(self.starts) and self.starts[at] < end

    def add(self, start: int, end: int) -> bool:
        """Take [start, end) if no interval overlaps it; whether it was taken."""
        at = bisect_left(self.ends, start + 1)  # the first interval ending after start
        if at < len(self.starts) and self.starts[at] < end:
            return False
        self.starts.insert(at, start)
        self.ends.insert(at, end)
        return True


def _take_longest(
    candidates: Sequence[Candidate],
    definitions: dict[str, Definition],
    chosen: list[Span],
    document: Document,
) -> None:
    """Add, left to right, the term of each candidate not inside a longer match already
    taken, trying its fallback when its own match does not apply. Defined short forms are
    left to :meth:`Annotator._take_short_forms` (with their head word)."""
    covered = 0
    # the definitions' spans; those added below all end before the next candidate starts
    given = list(chosen)
    for c in candidates:
        if c.start < covered:
            continue
        if c.name in definitions or any(s.start <= c.start and c.end <= s.end for s in given):
            continue
        option: Candidate | None = c
        while option is not None:
            curie = choose(option, document)
            if curie:
                name_used = next(e.name for e in option.entries if e.curie == curie)
                chosen.append(Span(option.start, option.end, curie, name_used))
                covered = option.end
                break
            option = option.fallback
