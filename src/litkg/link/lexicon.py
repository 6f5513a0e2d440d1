"""The dictionary the annotator matches: every CL and MONDO name, with the variants papers use.

Names are keyed by their normalised tokens (:func:`litkg.link.tokens.name_key`) in a trie.
Each name is an :class:`Entry` that says how far it can be trusted alone (an acronym only
where the document defines it, a short name only where the document also names the term in
full) and, for a derived variant, which words the document must use for it to apply.

Variants come from :data:`NAME_VARIANTS` (ways a name is written: "neuronal" for neuron,
"spermatogonia" for spermatogonium, "atelosteogenesis 2" for atelosteogenesis type II),
:func:`head_first` ("deficiency of C3" for C3 deficiency), :func:`cell_variants` (shorter
ways a cell-type name is written once the context is set) and :func:`spelled_cell` ("ES
cell" for the acronym "ESC").
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import compress, count
from typing import Any

from litkg.link.ontology import OntologyModule
from litkg.link.similar import SimilarNames
from litkg.link.tagger import ONTOLOGY as TAGGED_ONTOLOGY
from litkg.link.tokens import name_key, normal_token

MATCHED_KINDS = ("label", "exact", "synonym")
# Names too generic to be worth a link: the root "cell" of CL.
EXCLUDED_TERMS = frozenset({"CL:0000000"})
# Generic roots: MONDO's "disease" is matched by its label and by one-word names that
# are class nouns of the lexicon (the last word of many names: "disorder"), not by
# "condition" or "medical condition", which mostly mean something else in a paper.
ROOT_TERMS = frozenset({"MONDO:0000001"})
# MONDO's "non-human animal disease", and how the label of each of its terms that has a
# human counterpart ends ("complement component 2 deficiency, non-human animal")
ANIMAL_DISEASE = "MONDO:0005583"
ANIMAL_SUFFIX = ", non-human animal"
CLASS_NOUN_HEADS = 100
END = ""  # trie key marking the end of a name
# Heads of "X cell" names that are cell nouns on their own ("photoreceptor", "osteocyte").
# Not "-blast": CL says "trophoblast cell" and "epiblast cell" because the bare words name
# tissues (the layers of the embryo); the cell "-blasts" are CL labels themselves.
CELL_NOUN = re.compile(r"(?:cyte|phage|\wreceptor|clast|phil)$")
# Disease nouns and their adjectives: thrombosis/thrombotic, anemia/anemic, diabetes/diabetic.
DISEASE_ADJECTIVES = (
    ("osis", "otic"),
    ("emia", "emic"),
    ("plasia", "plastic"),  # hyperplasia -> hyperplastic
    ("plasm", "plastic"),  # neoplasm -> neoplastic
    ("pathy", "pathic"),  # myopathy -> myopathic
    ("epsy", "eptic"),  # epilepsy -> epileptic
    ("oma", "omatous"),  # glaucoma -> glaucomatous
    ("ia", "ic"),
    ("etes", "etic"),
    ("ility", "ile"),  # infertility -> infertile
    ("ity", "e"),
)
# Organ nouns and their adjectives: striatum/striatal, hippocampus/hippocampal, cortex/cortical.
# (noun ending, adjective ending, shortest stem before it)
_ORGAN_ADJECTIVES = (
    ("um", "al", 4),  # striatum -> striatal
    ("us", "al", 4),  # hippocampus -> hippocampal
    ("ex", "ical", 4),  # cortex -> cortical
    ("cle", "cular", 3),  # muscle -> muscular, follicle -> follicular, ventricle -> ventricular
    ("uct", "uctal", 1),  # duct -> ductal, oviduct -> oviductal
)
# Heads of cell-type names, and words that only ever name what kind of thing a cell is.
CELL_HEADS = frozenset({"cell", "neuron"})
GENERIC_WORDS = frozenset({"cell", "neuron", "of", "the", "and", "in", "type", "to", "a", "an"})
_SPELLED_CELL = re.compile(r"^([A-Za-z]*[A-Z])C$")


def is_acronym(name: str) -> bool:
    """ "ALS", "ESC", "MLIV", "SCA15": two or more capitals making up most letters."""
    if len(name) > 10:
        return False
    letters = [c for c in name if c.isalpha()]
    capitals = sum(c.isupper() for c in letters)
    return capitals >= 2 and capitals * 2 >= len(letters)


def is_short(name: str, kind: str) -> bool:
    """Names too short to trust alone: up to 3 letters, or a one-word synonym of up to 5."""
    compact = re.sub(r"[\s\-]", "", name)
    return len(compact) <= 3 or (kind != "label" and " " not in name and len(compact) <= 5)


def word_roles(names: Iterable[str]) -> tuple[Counter[str], Counter[str]]:
    """How often each normalised word is the last word (head) of a multi-word name, and
    how often it is an earlier word (modifier)."""
    heads: Counter[str] = Counter()
    modifiers: Counter[str] = Counter()
    for name in names:
        key = name_key(name)
        if len(key) > 1:
            heads[key[-1]] += 1
            modifiers.update(set(key[:-1]))
    return heads, modifiers


def stem(word: str) -> str:
    """A crude stem that an adjective and its noun share: retinal/retina -> "retin",
    cochlear/cochlea -> "cochle", pancreatic/pancreas -> "pancrea", striatal/striatum ->
    "striat"."""
    for suffix in ("atic", "eal", "ial", "al", "ar", "ic", "ory", "um", "us", "as", "a", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


@dataclass(frozen=True)
class Entry:
    """One matchable name of one term, and how far it can be trusted."""

    curie: str
    name: str
    acronym: bool  # usable only where the document defines it
    short: bool  # usable only where the document also names the term in full
    label: bool
    # word stems the document must contain for this (derived) name to count: "retin"
    # for "cone cell", derived from "retinal cone cell" by dropping "retinal"
    context: tuple[str, ...] = ()
    derived: bool = False  # made by litkg from a name of the term, not a name itself
    initials: bool = False  # "ES cell": matches only when the initials are capitals
    # a name only the learned step may link: a related synonym ("mental retardation"), an
    # eponym without its head noun ("von Willebrand")
    unconfirmed: bool = False
    # written head first ("deficiency of aspartoacylase" for aspartoacylase deficiency,
    # :func:`head_first`): its last words name the enzyme or the organ, not the disease
    head_first: bool = False

    @property
    def ambiguous(self) -> bool:
        """Whether the name needs the document's backing: an acronym, a short name, or a
        name only the learned step may link."""
        return self.acronym or self.short or self.unconfirmed


def preference(entry: Entry) -> tuple[bool, ...]:
    """Sort key of the entries one term has under one key: the most trusted first."""
    return (entry.unconfirmed, entry.acronym, entry.short, entry.derived, entry.head_first, not entry.label)


# --- ways a name is written (each yields the variants it makes of one name) ---------


def eponym(curie: str, text: str, words: list[str]) -> Iterator[str]:
    """An eponymous cell named without "cell": "Sertoli cell" -> "Sertoli"."""
    if curie.startswith("CL:") and len(words) == 2 and words[0].isalpha() and words[1] == "cell":
        first = words[0]
        if len(first) >= 5 and first.istitle():
            yield first


def organ_adjective(curie: str, text: str, words: list[str]) -> Iterator[str]:
    """A cell named after its organ with the organ's adjective: "striatum neuron" ->
    "striatal neuron"."""
    if not (curie.startswith("CL:") and len(words) >= 2 and words[0].isalpha()):
        return
    first = words[0]
    for noun, adjective, shortest in _ORGAN_ADJECTIVES:
        if first.endswith(noun) and len(first) >= len(noun) + shortest:
            yield " ".join((first[: -len(noun)] + adjective, *words[1:]))
            return


def fated_cell(curie: str, text: str, words: list[str]) -> Iterator[str]:
    """A cell fated to a process, named by the process's adjective: "apoptosis fated cell"
    -> "apoptotic cell"."""
    if curie.startswith("CL:") and len(words) == 3 and words[1] == "fated" and words[2] == "cell":
        for noun, adjective in DISEASE_ADJECTIVES:
            if words[0].endswith(noun) and len(words[0]) > len(noun) + 2:
                yield f"{words[0][: -len(noun)]}{adjective} cell"
                return


def latin_plural(curie: str, text: str, words: list[str]) -> Iterator[str]:
    """The Latin plural of a head noun in -ium: "spermatogonium" -> "spermatogonia" (not
    for "<cell> of <place>" names)."""
    if curie.startswith("CL:") and words[-1].endswith("ium") and len(words[-1]) >= 8 and " of " not in text:
        yield text[: -len("um")] + "a"


def glia(curie: str, text: str, words: list[str]) -> Iterator[str]:
    """Glial cells without "cell": "radial glial cell" -> "radial glial", "radial glia"."""
    if curie.startswith("CL:") and len(words) >= 2 and words[-2].endswith("glial") and words[-1] == "cell":
        yield text[: -len(" cell")]
        yield text[: -len("l cell")]


def place_first(curie: str, text: str, words: list[str]) -> Iterator[str]:
    """A "<cell> of <place>" name written place first: "sensory neuron of dorsal root
    ganglion" -> "dorsal root ganglion sensory neuron" (a place of up to three words)."""
    if not (curie.startswith("CL:") and " of " in text):
        return
    head, _, place = text.partition(" of ")
    place = place.removeprefix("the ")
    if head.split()[-1] in CELL_HEADS and " of " not in place and len(place.split()) <= 3:
        yield f"{place} {head}"


def _plain_word(text: str, words: list[str]) -> bool:
    """A lower-case name of one word, or of one word and "cell", longer than four letters."""
    if len(words) != 1 and not (len(words) == 2 and words[1] == "cell"):
        return False
    return all(w.replace("-", "").isalpha() for w in words) and text.islower() and len(text) > 4


def cell_adjective(curie: str, text: str, words: list[str]) -> Iterator[str]:
    """A one-word cell name's adjectives, alone and before "cell": neuron -> "neuronal",
    "neuronal cell"; astrocyte -> "astrocytic"; and an "X cell" whose X is a cell noun
    written X: "photoreceptor cell" -> "photoreceptor"."""
    if not (curie.startswith("CL:") and _plain_word(text, words)):
        return
    if len(words) == 1:
        base = text[:-1] if text.endswith("e") else text
        for adjective in (base + "al", base + "ic"):
            yield adjective
            yield adjective + " cell"
    elif CELL_NOUN.search(words[0]):
        yield words[0]


def disease_adjective(curie: str, text: str, words: list[str]) -> Iterator[str]:
    """A one-word disease name's adjective: "thrombosis" -> "thrombotic", "anemia" -> "anemic"."""
    if curie.startswith("CL:") or len(words) != 1 or not _plain_word(text, words):
        return
    for noun, adjective in DISEASE_ADJECTIVES:
        if text.endswith(noun) and len(text) > len(noun) + 2:
            yield text[: -len(noun)] + adjective
            return


# SNOMED CT's semantic tags and "not otherwise specified", which the Disease Ontology's
# imported names carry and no paper prints: "blindness (disorder)", "... disease NOS"
_SEMANTIC_TAG = re.compile(
    r"(?:\s*\((?:disorder|disease|finding|morphologic abnormality|qualifier value)\)|,?\s+NOS)$"
)


def without_semantic_tag(curie: str, text: str, words: list[str]) -> Iterator[str]:
    """A name without its SNOMED CT semantic tag or "NOS": "blindness (disorder)" -> "blindness"."""
    stripped = _SEMANTIC_TAG.sub("", _SEMANTIC_TAG.sub("", text)).strip()
    if stripped and stripped != text:
        yield stripped


# the head nouns of disease names also written head first, "<head> of <what>": "C3
# deficiency" -> "deficiency of C3", "breast cancer" -> "cancer of the breast" (the
# subject-object sieve of D'Souza and Ng, "Sieve-based entity linking for the biomedical
# domain", 2015)
_HEAD_FIRST = frozenset({"deficiency", "cancer", "carcinoma", "tumor", "neoplasm"})
# words that say a name is more than "<what> <head>": "due to", "with", "type"
_NOT_A_WHAT = frozenset(
    {"of", "the", "due", "to", "with", "without", "and", "or", "in", "type", "associated"}
)


def head_first(curie: str, text: str, words: list[str]) -> Iterator[str]:
    """A disease name "<what> <head>" written head first: "C3 deficiency" -> "deficiency
    of C3", "deficiency of the C3"; a deficiency also as "C3-deficient" and "deficient
    in C3"."""
    if curie.startswith("CL:") or not 2 <= len(words) <= 5 or words[-1] not in _HEAD_FIRST:
        return
    what = words[:-1]
    if any(w.lower() in _NOT_A_WHAT or not w[-1:].isalnum() for w in what):
        return
    head, printed = words[-1], " ".join(what)
    yield f"{head} of {printed}"
    yield f"{head} of the {printed}"
    if head == "deficiency":
        yield f"{printed}-deficient"
        yield f"deficient in {printed}"


# a disease name that ends in its type's number: "atelosteogenesis type II", "von
# Willebrand disease type 1", "spinocerebellar ataxia 3", "glycogen storage disease Ia"
_NUMBERED = re.compile(
    r"^(?P<base>.*?[^\W\d_]),?\s+(?:type\s+)?(?P<number>\d{1,2}|[IVX]{1,4})(?P<sub>[A-Za-z]?)$"
)
_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


def numbered_type(curie: str, text: str, words: list[str]) -> Iterator[str]:
    """A disease type's number written the other ways papers write it (the numeral sieve
    of D'Souza and Ng, 2015): in Roman or Arabic numerals, with or without "type", and
    "type" first: "atelosteogenesis type II" -> "atelosteogenesis 2", "von Willebrand
    disease type 1" -> "type I von Willebrand disease"."""
    match = _NUMBERED.match(text)
    if curie.startswith("CL:") or match is None or is_acronym(match["base"]):
        return
    number, base, sub = match["number"], match["base"], match["sub"]
    value = int(number) if number.isdigit() else _ROMAN.index(number) + 1 if number in _ROMAN else 0
    if not 1 <= value <= len(_ROMAN):
        return
    for written in (str(value), _ROMAN[value - 1]):
        yield f"{base} type {written}{sub}"
        yield f"{base} {written}{sub}"
        yield f"type {written}{sub} {base}"


# CL names cells by their markers, and T cells by their receptor's chains too,
# "CD4-positive, alpha-beta T cell", "CD34-positive common lymphoid progenitor"; papers
# leave out the chains and write a marker bare or with a plus sign ("CD4 T cells", "CD4+
# T cells"; the plus sign is read "positive" as a word of its own, see litkg.link.tokens),
# as CL's own synonyms do ("naive CD4+ T cell", "CD8+ regulatory T cell")
_CHAINS_AFTER_MARKER = re.compile(r"(?<=-positive),? alpha-beta(?= )")
# a marker: a symbol of capitals and digits ("CD4", "CXCR3"), then "-positive"
_POSITIVE_MARKER = re.compile(r"\b([A-Z][A-Z0-9]*[0-9][A-Za-z0-9]*)-positive,?(?= )")


def marker_named(curie: str, text: str, words: list[str]) -> Iterator[str]:
    """A cell named by its markers without the receptor's chains, and with the markers
    bare: "CD4-positive, alpha-beta T cell" -> "CD4-positive T cell", "CD4 T cell"."""
    if not curie.startswith("CL:") or "-positive" not in text:
        return
    plain = _CHAINS_AFTER_MARKER.sub("", text)
    if plain != text:
        yield plain
    bare = _POSITIVE_MARKER.sub(r"\1", plain)
    if bare != plain:
        yield bare


VariantRule = Callable[[str, str, list[str]], Iterator[str]]
# Every way a name of a term is also written; a new one is added here.
NAME_VARIANTS: tuple[VariantRule, ...] = (
    eponym,
    organ_adjective,
    fated_cell,
    latin_plural,
    glia,
    place_first,
    cell_adjective,
    disease_adjective,
    without_semantic_tag,
    numbered_type,
    marker_named,
)


def name_variants(curie: str, text: str) -> Iterator[str]:
    """The name itself, then every variant :data:`NAME_VARIANTS` makes of it."""
    yield text
    words = text.split()
    for rule in NAME_VARIANTS:
        yield from rule(curie, text, words)


def cell_variants(
    key: tuple[str, ...], nouns: Sequence[str] = ()
) -> Iterator[tuple[tuple[str, ...], tuple[str, ...], bool]]:
    """Shorter ways papers write a cell-type name, each with the word stems the
    document must contain for it to mean this cell type:

    - the leading modifier left out once the context is set: "retinal cone cell" ->
      "cone cell" in a document about the retina, "cochlear outer hair cell" -> "outer
      hair cell" where the cochlea is mentioned;
    - "cell" named by the noun of a broader cell type the term falls under (``nouns``):
      "retinal rod cell", a photoreceptor cell -> "retinal rod photoreceptor", and "rod
      photoreceptor" about the retina;
    - the initials of a long name before "cell": "embryonic stem cell" -> "ES cell".
    """
    if len(key) < 2 or key[-1] not in CELL_HEADS or not all(t.isalpha() for t in key):
        return
    droppable = len(key) >= 3 and len(key[0]) >= 4 and key[0] not in GENERIC_WORDS
    if key[-1] == "cell":
        for noun in nouns:
            yield (*key[:-1], noun), (), False
            if droppable:
                yield (*key[1:-1], noun), (stem(key[0]),), False
    if droppable:
        yield key[1:], (stem(key[0]),), False
    if key[-1] == "cell" and 2 <= len(key) - 1 <= 4 and not set(key[:-1]) & GENERIC_WORDS:
        yield ("".join(t[0] for t in key[:-1]), "cell"), (), True


def cell_nouns(module: OntologyModule) -> dict[str, tuple[str, ...]]:
    """For each cell type, the nouns that name the broader types it falls under, where
    such a type is named "<noun> cell" and the noun is a cell noun of its own
    ("photoreceptor cell" -> "photoreceptor"), not the type itself."""
    nouns: dict[str, str] = {}
    for curie, label in module.labels.items():
        words = label.split()
        if curie.startswith("CL:") and len(words) == 2 and words[1] == "cell" and CELL_NOUN.search(words[0]):
            nouns[curie] = words[0].lower()
    found: dict[str, tuple[str, ...]] = {}
    for curie in module.labels:
        if curie.startswith("CL:") and curie not in nouns:
            broader = sorted({nouns[a] for a in module.ancestors(curie) if a in nouns})
            if broader:
                found[curie] = tuple(broader)
    return found


def spelled_cell(acronym: str) -> tuple[str, ...] | None:
    """ "ESC" -> ("es", "cell"), "iPSC" -> ("ips", "cell"): an acronym of a cell type whose
    last letter stands for "cell", with at least two letters before it."""
    match = _SPELLED_CELL.match(acronym)
    if match is None or len(match.group(1)) < 2:
        return None
    return (normal_token(match.group(1)), "cell")


def matched(curie: str, text: str, kind: str, heads: Counter[str], modifiers: Counter[str]) -> bool:
    """Whether a name of the module is matched at all (``heads``, ``modifiers``: the
    :func:`word_roles` of all names). Not: other kinds than labels and exact or related
    synonyms, excluded terms, a root's names other than its label and class nouns
    ("disorder"), and a one-word synonym that other names use only as a modifier, never as
    their last word ("amyloid" for amyloidosis, "epididymal")."""
    if kind not in MATCHED_KINDS or curie in EXCLUDED_TERMS:
        return False
    key = name_key(text)
    one_word = len(key) == 1
    if curie in ROOT_TERMS and kind != "label" and not (one_word and heads[key[0]] >= CLASS_NOUN_HEADS):
        return False
    return not (
        one_word and kind != "label" and heads[key[0]] == 0 and modifiers[key[0]] and not is_acronym(text)
    )


# "pituitary gland inflammation", "inflammation of the seminal vesicle": the site a name
# of an inflammation says is inflamed
_INFLAMED = re.compile(r"^(?:(?P<site>.+?)\s+inflammation|inflammation\s+of\s+(?:the\s+)?(?P<of>.+))$", re.I)


def inflamed_sites(module: OntologyModule) -> frozenset[tuple[str, tuple[str, ...]]]:
    """(term, name key) of the synonyms of an inflammation that name the organ inflamed,
    which the ontology's pooled synonyms carry ("pituitary gland", "pituitary" and
    "hypophysis" for hypophysitis, "epididymis" and "epididymal" for epididymitis,
    "seminal vesicle" for vesiculitis): the site that another of its names says is
    inflamed, or that site's first word, and the organ or its adjective that a one-word
    label in "-itis" is made from (not its plural, "hypophysitides", nor another disease
    of the same stem, "osteoarthrosis")."""
    found = set()
    for curie, text, kind, _ in module.names:
        if kind not in MATCHED_KINDS or kind == "label" or not curie.startswith("MONDO:"):
            continue
        match = _INFLAMED.match(text)
        if match:
            site = name_key(match["site"] or match["of"])
            # the organ named by its first word too: "pituitary" for the "pituitary gland"
            found.update({(curie, site), (curie, site[:1])})
        label = module.labels.get(curie, "")
        key = name_key(text)
        if label.endswith("itis") and " " not in label and len(key) == 1:
            organ = label[: -len("itis")].lower()
            if key[0] in (name_key(organ + "is")[0], name_key(organ + "al")[0]):
                found.add((curie, key))
    return frozenset(found)


# "von Willebrand disease" -> "von Willebrand": an eponym before the disease noun
_EPONYM_DISEASE = re.compile(r"^(?P<name>.*\b[A-Z][a-z]{3,}[\w\-']*)\s+(?:disease|syndrome)$")


def unconfirmed_entries(curie: str, text: str, kind: str) -> Iterator[tuple[tuple[str, ...], Entry]]:
    """Names only the learned step may link: a related synonym of a disease, and a disease
    named after a person without its head noun ("Lesch-Nyhan" for Lesch-Nyhan syndrome)."""
    if not curie.startswith("MONDO:"):
        return
    if kind == "related":
        yield name_key(text), Entry(curie, text, False, False, False, unconfirmed=True)
    elif kind in MATCHED_KINDS:
        match = _EPONYM_DISEASE.match(text)
        if match:
            yield name_key(match.group("name")), Entry(curie, text, False, False, False, unconfirmed=True)


def keyed_entries(
    curie: str, text: str, kind: str, nouns: Sequence[str] = ()
) -> Iterator[tuple[tuple[str, ...], Entry]]:
    """(key, entry) for a name and each of its variants; ``nouns``: the cell nouns of the
    broader types the term falls under (:func:`cell_nouns`)."""
    entry = Entry(curie, text, is_acronym(text), is_short(text, kind), kind == "label")
    for variant in name_variants(curie, text):
        yield name_key(variant), entry
    if not entry.ambiguous:
        inverted = replace(entry, head_first=True)
        for variant in head_first(curie, text, text.split()):
            yield name_key(variant), inverted
    if not curie.startswith("CL:"):
        return
    if entry.acronym:
        spelled_key = spelled_cell(text)
        if spelled_key:
            # the ontology's own abbreviation with "cell" written out: "ESC" -> "ES cell"
            yield spelled_key, Entry(curie, text, False, False, False, initials=True)
    if not entry.ambiguous:
        for shorter, context, initials in cell_variants(name_key(text), nouns):
            yield shorter, Entry(curie, text, False, False, False, context, True, initials)


@dataclass(frozen=True)
class NameStarts:
    """Where the names of a trie may start in a text: at a word that is a name, or at two
    words that begin one. Most words start no name (those that may are found in one pass in
    C), and many that do ("of", "in") start only names the next word does not continue."""

    first: frozenset[str]  # the first words of the names
    whole: frozenset[str]  # the names of one word
    pairs: frozenset[tuple[str, str]]  # the first two words of the longer names

    @classmethod
    def of(cls, trie: dict[str, Any]) -> NameStarts:
        whole = frozenset(word for word, node in trie.items() if END in node)
        pairs = frozenset((word, second) for word, node in trie.items() for second in node if second != END)
        return cls(frozenset(trie), whole, pairs)

    def positions(self, words: list[str]) -> list[int]:
        """The indices of ``words`` where a name may start, in order."""
        whole, pairs, last = self.whole, self.pairs, len(words) - 1
        return [
            i
            for i in compress(count(), map(self.first.__contains__, words))
            if words[i] in whole or (i < last and (words[i], words[i + 1]) in pairs)
        ]


class Lexicon:
    """Token-sequence dictionary (a trie) of every matchable name, with variants."""

    def __init__(self, module: OntologyModule) -> None:
        self.module = module
        self._ancestors: dict[str, list[str]] = {}
        heads, modifiers = word_roles(text for _, text, kind, _ in module.names if kind in MATCHED_KINDS)
        nouns = cell_nouns(module)
        # the words that end a cell-type name: "cell", and "photoreceptor" in "rod photoreceptor"
        self.cell_heads = frozenset({"cell"}.union(*nouns.values()))
        entries: dict[tuple[str, ...], dict[str, Entry]] = defaultdict(dict)
        animal = animal_diseases(module)
        human = human_counterparts(module, animal)
        sites = inflamed_sites(module)
        for curie, text, kind, _ in module.names:
            if curie in human and not text.endswith(ANIMAL_SUFFIX):
                # the animal's term keeps only the names that say whose disease it is
                curie, kind = human[curie], "exact" if kind == "label" else kind
            if matched(curie, text, kind, heads, modifiers) and (curie, name_key(text)) not in sites:
                for key, entry in keyed_entries(curie, text, kind, nouns.get(curie, ())):
                    _add(entries, key, entry)
            if curie not in EXCLUDED_TERMS and curie not in ROOT_TERMS:
                for key, entry in unconfirmed_entries(curie, text, kind):
                    _add(entries, key, entry)
        _swap_disease_nouns(entries)
        self.trie: dict[str, Any] = {}
        for key, by_curie in entries.items():
            node = self.trie
            for token in key:
                node = node.setdefault(token, {})
            node[END] = tuple(sorted(by_curie.values(), key=lambda e: e.curie))
        self.starts = NameStarts.of(self.trie)
        self.similar = similar_names(module, animal)

    def ancestors(self, curie: str) -> list[str]:
        """The term's ancestors in the module (memoised)."""
        found = self._ancestors.get(curie)
        if found is None:
            found = self._ancestors[curie] = self.module.ancestors(curie)
        return found

    def lookup(self, key: Sequence[str]) -> tuple[Entry, ...]:
        """The entries of exactly the name ``key``, or ()."""
        node = self.trie
        for token in key:
            child = node.get(token)
            if child is None:
                return ()
            node = child
        found: tuple[Entry, ...] = node.get(END, ())
        return found


def similar_names(module: OntologyModule, animal: frozenset[str]) -> SimilarNames:
    """The index of the names of the tagged ontology's terms (:mod:`litkg.link.similar`),
    less its roots and the diseases of non-human animals (``animal``; a mention in a
    paper is no "Becker type muscular dystrophy, dog"): built with the lexicon, so the
    lexicon cache holds it too (1 s to build, cold)."""
    prefix = TAGGED_ONTOLOGY + ":"
    return SimilarNames(
        (c, name_key(t))
        for c, t, _, _ in module.names
        if c.startswith(prefix) and c not in ROOT_TERMS and c not in animal
    )


def animal_diseases(module: OntologyModule) -> frozenset[str]:
    """The terms of :data:`ANIMAL_DISEASE` and below."""
    return frozenset(c for c in module.labels if c == ANIMAL_DISEASE or ANIMAL_DISEASE in module.ancestors(c))


def human_counterparts(module: OntologyModule, animal: frozenset[str]) -> dict[str, str]:
    """{a non-human animal's disease: the human disease it copies}, where exactly one
    other term has its label less :data:`ANIMAL_SUFFIX`. MONDO gives some names to the
    animal's term only ("C2 deficiency" for "complement component 2 deficiency,
    non-human animal"); a paper that does not say whose disease it names means a human's."""

    def folded(label: str) -> str:
        return " ".join(label.casefold().split())

    prefix = TAGGED_ONTOLOGY + ":"  # MONDO's
    by_label: dict[str, set[str]] = defaultdict(set)
    for curie, label in module.labels.items():
        if curie.startswith(prefix) and curie not in animal:
            by_label[folded(label)].add(curie)
    found = {}
    for curie in animal:
        label = module.labels[curie]
        if label.endswith(ANIMAL_SUFFIX):
            human = by_label.get(folded(label.removesuffix(ANIMAL_SUFFIX)), set())
            if len(human) == 1:
                found[curie] = next(iter(human))
    return found


# head nouns a disease name is written with either of: "X-linked disorder" for X-linked
# disease, "neurodegenerative disorder" (not "Cushing syndrome" for Cushing disease)
_DISEASE_NOUNS = {"disease": "disorder", "disorder": "disease"}


def _swap_disease_nouns(entries: dict[tuple[str, ...], dict[str, Entry]]) -> None:
    """Give each name ending in "disease" or "disorder" the other noun too, where no name
    of the module is written so."""
    swapped = {
        (*key[:-1], _DISEASE_NOUNS[key[-1]]): by_curie
        for key, by_curie in entries.items()
        if len(key) >= 2 and key[-1] in _DISEASE_NOUNS
    }
    for key, by_curie in swapped.items():
        if key not in entries:
            entries[key] = dict(by_curie)


def _add(entries: dict[tuple[str, ...], dict[str, Entry]], key: tuple[str, ...], entry: Entry) -> None:
    """Keep, for each key and term, the most trusted entry."""
    if not key:
        return
    current = entries[key].get(entry.curie)
    if current is None or preference(entry) < preference(current):
        entries[key][entry.curie] = entry
