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

The output is deterministic: the same text and lexicon give the same mentions.
"""

from __future__ import annotations

import gc
import hashlib
import itertools
import os
import pickle
import re
import sys
import time
import unicodedata
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from litkg.ontology import OntologyModule, load_module
from litkg.records import Article
from litkg.resources import data_dir

MATCHED_KINDS = ("label", "exact", "synonym")
# Names too generic to be worth a link: the root "cell" of CL.
EXCLUDED_TERMS = frozenset({"CL:0000000"})
# Generic roots: MONDO's "disease" is matched by its label and by one-word names that
# are class nouns of the lexicon (the last word of many names: "disorder"), not by
# "condition" or "medical condition", which mostly mean something else in a paper.
ROOT_TERMS = frozenset({"MONDO:0000001"})
CLASS_NOUN_HEADS = 100
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
_JOINER = re.compile(r"^[\s\-‐‑–/'’]*$")
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
# Heads of "X cell" names that are cell nouns on their own ("photoreceptor", "osteocyte").
# Not "-blast": CL says "trophoblast cell" and "epiblast cell" because the bare words name
# tissues (the layers of the embryo); the cell "-blasts" are CL labels themselves.
_CELL_NOUN = re.compile(r"(?:cyte|phage|\wreceptor|clast|phil)$")
# Disease nouns and their adjectives: thrombosis/thrombotic, anemia/anemic, diabetes/diabetic.
_DISEASE_ADJECTIVES = (
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
_CONTEXT = 30
# "non-neuronal cells" are not neurons
_NEGATED = re.compile(r"\b(?:non|anti|pseudo)[\s\-‐‑–]?$", re.IGNORECASE)
_END = ""  # trie key marking the end of a name


def fold_token(token: str) -> str:
    """Case-fold, spell out Greek letters, strip accents."""
    token = token.casefold()
    token = "".join(_GREEK.get(c, c) for c in token)
    decomposed = unicodedata.normalize("NFKD", token)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def lemma(token: str) -> str:
    """A singular form of a folded token ("macrophages" -> "macrophage"); consistent
    rather than linguistically perfect, since text and names go through the same rule."""
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


# British spellings folded to American ones: haemorrhage, oedema, tumour, fibre.
_BRITISH = (
    (re.compile(r"(?<=.)ae(?=.)"), "e"),
    (re.compile(r"(?:^|(?<=[^aeiou]))oe(?=[^aeiou]|a)"), "e"),
    (re.compile(r"(?<=...)our$"), "or"),
    (re.compile(r"(?<=..[bt])re$"), "er"),
)


def american(token: str) -> str:
    """The American spelling of a folded token (applied to text and names alike)."""
    for pattern, replacement in _BRITISH:
        token = pattern.sub(replacement, token)
    return token


@lru_cache(maxsize=500_000)
def normal_token(raw: str) -> str:
    """The comparison form of one word as printed."""
    return american(lemma(fold_token(raw)))


def tokens_with_offsets(text: str) -> list[tuple[str, int, int]]:
    """Word tokens of ``text``: (normalised token, start, end)."""
    return [(normal_token(m.group()), m.start(), m.end()) for m in _TOKEN.finditer(text)]


@lru_cache(maxsize=262_144)  # above the lexicon's ~100k distinct names: built once per process
def name_key(name: str) -> tuple[str, ...]:
    return tuple(t for t, _, _ in tokens_with_offsets(name))


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


@dataclass(frozen=True)
class Entry:
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

    @property
    def ambiguous(self) -> bool:
        return self.acronym or self.short


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


class Lexicon:
    """Token-sequence dictionary (a trie) of every matchable name, with variants."""

    def __init__(self, module: OntologyModule) -> None:
        self.module = module
        self._ancestors: dict[str, list[str]] = {}
        entries: dict[tuple[str, ...], dict[str, Entry]] = defaultdict(dict)
        heads, modifiers = word_roles(text for _, text, kind, _ in module.names if kind in MATCHED_KINDS)
        cell_nouns = _cell_nouns(module)
        # the words that end a cell-type name: "cell", and "photoreceptor" in "rod photoreceptor"
        self.cell_heads = frozenset({"cell"}.union(*cell_nouns.values()))
        for curie, text, kind, _ in module.names:
            if kind not in MATCHED_KINDS or curie in EXCLUDED_TERMS:
                continue
            key = name_key(text)
            one_word = len(key) == 1
            if (
                curie in ROOT_TERMS
                and kind != "label"
                and not (one_word and heads[key[0]] >= CLASS_NOUN_HEADS)
            ):
                continue
            if (
                one_word
                and kind != "label"
                and heads[key[0]] == 0
                and modifiers[key[0]]
                and not is_acronym(text)
            ):
                # A one-word synonym that other names use only as a modifier, never as
                # their last word, is not a disease or a cell: "amyloid" (for
                # amyloidosis), "epididymal".
                continue
            entry = Entry(curie, text, is_acronym(text), is_short(text, kind), kind == "label")
            for variant in self._variants(curie, text):
                self._add(entries, name_key(variant), entry)
            if curie.startswith("CL:") and entry.acronym:
                spelled = _spelled_cell(text)
                if spelled:
                    # the ontology's own abbreviation with "cell" written out: "ESC" -> "ES cell"
                    self._add(entries, spelled, Entry(curie, text, False, False, False, initials=True))
            if curie.startswith("CL:") and not entry.ambiguous:
                nouns = cell_nouns.get(curie, ())
                for variant, context, initials in _cell_variants(key, nouns):
                    derived = Entry(curie, text, False, False, False, context, True, initials)
                    self._add(entries, variant, derived)
        self.trie: dict = {}
        for key, by_curie in entries.items():
            node = self.trie
            for token in key:
                node = node.setdefault(token, {})
            node[_END] = tuple(sorted(by_curie.values(), key=lambda e: e.curie))

    @staticmethod
    def _add(entries: dict[tuple[str, ...], dict[str, Entry]], key: tuple[str, ...], entry: Entry) -> None:
        if not key:
            return
        current = entries[key].get(entry.curie)
        if current is None or _preference(entry) < _preference(current):
            entries[key][entry.curie] = entry

    def ancestors(self, curie: str) -> list[str]:
        found = self._ancestors.get(curie)
        if found is None:
            found = self._ancestors[curie] = self.module.ancestors(curie)
        return found

    def lookup(self, key: Sequence[str]) -> tuple[Entry, ...]:
        node = self.trie
        for token in key:
            node = node.get(token)
            if node is None:
                return ()
        return node.get(_END, ())

    @staticmethod
    def _variants(curie: str, text: str) -> Iterable[str]:
        yield text
        words = text.split()
        if curie.startswith("CL:") and len(words) >= 2 and words[0].isalpha():
            first = words[0]
            if len(words) == 2 and words[1] == "cell" and len(first) >= 5 and first.istitle():
                yield first  # eponyms: "Sertoli cell" -> "Sertoli"
            for noun, adjective, stem in _ORGAN_ADJECTIVES:
                if first.endswith(noun) and len(first) >= len(noun) + stem:
                    # "striatum neuron" -> "striatal neuron"
                    yield " ".join((first[: -len(noun)] + adjective, *words[1:]))
                    break
        if curie.startswith("CL:") and len(words) == 3 and words[1] == "fated" and words[2] == "cell":
            # a cell fated to a process is named by the process's adjective:
            # "apoptosis fated cell" -> "apoptotic cell"
            for noun, adjective in _DISEASE_ADJECTIVES:
                if words[0].endswith(noun) and len(words[0]) > len(noun) + 2:
                    yield f"{words[0][: -len(noun)]}{adjective} cell"
                    break
        if (
            curie.startswith("CL:")
            and words[-1].endswith("ium")
            and len(words[-1]) >= 8
            and " of " not in text
        ):
            # Latin plural of the head noun: "spermatogonium" -> "spermatogonia"
            yield text[: -len("um")] + "a"
        if (
            curie.startswith("CL:")
            and len(words) >= 2
            and words[-2].endswith("glial")
            and words[-1] == "cell"
        ):
            yield text[: -len(" cell")]  # "radial glial cell" -> "radial glial", "glial cell" -> "glial"
            yield text[: -len("l cell")]  # -> "radial glia", "glia"
        if curie.startswith("CL:") and " of " in text:
            # "sensory neuron of dorsal root ganglion" -> "dorsal root ganglion sensory neuron"
            head, _, place = text.partition(" of ")
            place = place.removeprefix("the ")
            if head.split()[-1] in _CELL_HEADS and " of " not in place and len(place.split()) <= 3:
                yield f"{place} {head}"
        if len(words) != 1 and not (len(words) == 2 and words[1] == "cell"):
            return
        if not all(w.replace("-", "").isalpha() for w in words) or not text.islower() or len(text) <= 4:
            return
        if curie.startswith("CL:"):
            if len(words) == 1:
                stem = text[:-1] if text.endswith("e") else text
                for adjective in (stem + "al", stem + "ic"):
                    yield adjective  # neuron -> neuronal, astrocyte -> astrocytic
                    yield adjective + " cell"  # "neuronal cells"
            elif _CELL_NOUN.search(words[0]):
                yield words[0]  # "photoreceptor cell" -> "photoreceptor"

        elif len(words) == 1:
            for noun, adjective in _DISEASE_ADJECTIVES:
                if text.endswith(noun) and len(text) > len(noun) + 2:
                    yield text[: -len(noun)] + adjective
                    break


def _preference(entry: Entry) -> tuple[bool, bool, bool, bool]:
    return (entry.acronym, entry.short, entry.derived, not entry.label)


# Heads of cell-type names, and words that only ever name what kind of thing a cell is.
_CELL_HEADS = frozenset({"cell", "neuron"})
_GENERIC_WORDS = frozenset({"cell", "neuron", "of", "the", "and", "in", "type", "to", "a", "an"})


def stem(word: str) -> str:
    """A crude stem that an adjective and its noun share: retinal/retina -> "retin",
    cochlear/cochlea -> "cochle", pancreatic/pancreas -> "pancrea", striatal/striatum ->
    "striat"."""
    for suffix in ("atic", "eal", "ial", "al", "ar", "ic", "ory", "um", "us", "as", "a", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _cell_variants(
    key: tuple[str, ...], nouns: Sequence[str] = ()
) -> Iterable[tuple[tuple[str, ...], tuple[str, ...], bool]]:
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
    if len(key) < 2 or key[-1] not in _CELL_HEADS or not all(t.isalpha() for t in key):
        return
    if key[-1] == "cell":
        for noun in nouns:
            yield (*key[:-1], noun), (), False
            if len(key) >= 3 and len(key[0]) >= 4 and key[0] not in _GENERIC_WORDS:
                yield (*key[1:-1], noun), (stem(key[0]),), False
    if len(key) >= 3 and len(key[0]) >= 4 and key[0] not in _GENERIC_WORDS:
        yield key[1:], (stem(key[0]),), False
    if key[-1] == "cell" and 2 <= len(key) - 1 <= 4 and not set(key[:-1]) & _GENERIC_WORDS:
        yield ("".join(t[0] for t in key[:-1]), "cell"), (), True


def _cell_nouns(module: OntologyModule) -> dict[str, tuple[str, ...]]:
    """For each cell type, the nouns that name the broader types it falls under, where
    such a type is named "<noun> cell" and the noun is a cell noun of its own
    ("photoreceptor cell" -> "photoreceptor"), not the type itself."""
    nouns: dict[str, str] = {}
    for curie, label in module.labels.items():
        words = label.split()
        if curie.startswith("CL:") and len(words) == 2 and words[1] == "cell" and _CELL_NOUN.search(words[0]):
            nouns[curie] = words[0].lower()
    found: dict[str, tuple[str, ...]] = {}
    for curie in module.labels:
        if curie.startswith("CL:") and curie not in nouns:
            broader = sorted({nouns[a] for a in module.ancestors(curie) if a in nouns})
            if broader:
                found[curie] = tuple(broader)
    return found


_SPELLED_CELL = re.compile(r"^([A-Za-z]*[A-Z])C$")


def _spelled_cell(acronym: str) -> tuple[str, ...] | None:
    """ "ESC" -> ("es", "cell"), "iPSC" -> ("ips", "cell"): an acronym of a cell type whose
    last letter stands for "cell", with at least two letters before it."""
    match = _SPELLED_CELL.match(acronym)
    if match is None or len(match.group(1)) < 2:
        return None
    return (normal_token(match.group(1)), "cell")


@lru_cache(maxsize=1)
def shipped_lexicon() -> Lexicon:
    """The lexicon of the shipped ontology module, once per process: from the lexicon
    cache when it holds one built by this code from these files (0.3 s), else built
    (about 2.2 s) and cached for the next process."""
    return cached_lexicon(data_dir("ontology"), lexicon_cache_dir())


def lexicon_cache_dir() -> Path | None:
    """Where built lexicons are cached: ``$LITKG_CACHE_DIR`` ("off" or empty: no
    cache), else ``$XDG_CACHE_HOME/litkg``, else ``~/.cache/litkg``."""
    chosen = os.environ.get("LITKG_CACHE_DIR")
    if chosen is not None:
        return None if chosen.strip().lower() in ("", "off", "0", "no") else Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "litkg"


def lexicon_cache_file(directory: Path, cache: Path) -> Path:
    """The cache file of the lexicon of ``directory``: named by a hash of the module's
    files, of the code that builds and reads lexicons and of the Python version."""
    digest = hashlib.sha256(f"{sys.version_info[:2]}".encode())
    for path in (
        *(directory / name for name in ("lexicon.tsv.gz", "terms.ttl.gz", "release.json")),
        Path(__file__),
        Path(__file__).with_name("ontology.py"),
        Path(__file__).with_name("records.py"),
    ):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return cache / f"lexicon-{digest.hexdigest()[:24]}.pickle"


def cached_lexicon(directory: Path, cache: Path | None) -> Lexicon:
    """The lexicon of the ontology module in ``directory``, through the cache in
    ``cache`` (None: always built). The file is named by :func:`lexicon_cache_file`,
    so a changed module or litkg never reads a stale one; an unreadable one is rebuilt.
    It is only ever read from the user's own cache directory."""
    if cache is None:
        return Lexicon(load_module(directory))
    target = lexicon_cache_file(directory, cache)
    try:
        data = target.read_bytes()
    except OSError:
        data = None
    if data is not None:
        collecting = gc.isenabled()
        gc.disable()  # millions of small objects: the collector would triple the load time
        try:
            lexicon = pickle.loads(data)
            if isinstance(lexicon, Lexicon):
                return lexicon
        except Exception:  # noqa: BLE001 - a damaged cache file is rebuilt, whatever the damage
            pass
        finally:
            if collecting:
                gc.enable()
    lexicon = Lexicon(load_module(directory))
    try:
        cache.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(pickle.dumps(lexicon, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(partial, target)  # whole or absent, even with builds side by side
        _forget_old_lexicons(cache, target)
    except OSError:
        pass  # a read-only home: no cache, the next process builds it again
    return lexicon


def _forget_old_lexicons(cache: Path, kept: Path, days: float = 30) -> None:
    """Remove the cached lexicons of other litkg versions left unused for ``days``
    (25 MB each): another installation still in use keeps its own."""
    limit = time.time() - days * 86_400
    for path in cache.glob("lexicon-*.pickle"):
        if path != kept and path.stat().st_atime < limit and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)


_ABBREVIATION = re.compile(r"\(\s*([A-Za-z0-9][\w\-αβγδ]{0,9})\s*[;,)]")


# a gene symbol written with an allele ("XpdTTD", "Xpd†XP", "Pten+"), in a genotype
_ALLELE = re.compile(r"[A-Za-z][a-z]+(?:[A-Z]|[†‡+])|[†‡]")
_CHUNK_SPACE = re.compile(r"[^\S\u200a\u200b]")  # hair and zero-width spaces join a genotype


def in_genotype(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is written inside a genotype ("XpdTTD/TTD mice",
    "Xpd†XP/†XPCS"), where a disease's short form names an allele, not the disease."""
    left = max(
        (m.end() for m in _CHUNK_SPACE.finditer(text, max(0, start - 40), start)), default=max(0, start - 40)
    )
    right = _CHUNK_SPACE.search(text, end, end + 40)
    around = text[left:start] + " " + text[end : right.start() if right else min(len(text), end + 40)]
    return bool(_ALLELE.search(around))


@dataclass(frozen=True)
class Abbreviation:
    short: str
    long_start: int  # where the long form starts
    long_end: int  # where it ends (before the parenthesis)
    after: int  # just after the closing parenthesis


def find_abbreviations(text: str) -> list[Abbreviation]:
    """Schwartz & Hearst: "long form (SF)" -> the short form and where its long form is."""
    found = []
    for match in _ABBREVIATION.finditer(text):
        short = match.group(1)
        if not any(c.isalpha() for c in short) or len(short) < 2 or (short.islower() and len(short) > 5):
            continue
        before = text[: match.start()].rstrip()
        words = [m.start() for m in re.finditer(r"\S+", before[-300:])]
        offset = max(0, len(before) - 300)
        window = [offset + w for w in words[-min(len(short) + 5, len(short) * 2) :]]
        start = _long_form_start(short, before, window)
        if start is None:
            start = _initials_start(short, before, window)
        if start is not None:
            found.append(Abbreviation(short, start, len(before), match.end()))
    return found


def _initials_start(short: str, before: str, word_starts: Sequence[int]) -> int | None:
    """Where the long form starts when the capitals of ``short`` are the initials of the
    last words before it in another order: "prostate cancer (CaP)"."""
    capitals = sorted(c.lower() for c in short if c.isupper())
    if len(capitals) < 2 or len(capitals) > len(word_starts):
        return None
    starts = word_starts[-len(capitals) :]
    if sorted(before[i].lower() for i in starts) == capitals:
        return starts[0]
    return None


def _long_form_start(short: str, before: str, word_starts: Sequence[int]) -> int | None:
    if not word_starts:
        return None
    lo = word_starts[0]
    s_index = len(short) - 1
    l_index = len(before) - 1
    while s_index >= 0:
        char = short[s_index].lower()
        if not char.isalnum():
            s_index -= 1
            continue
        while l_index >= lo and (
            before[l_index].lower() != char
            or (s_index == 0 and l_index > lo and before[l_index - 1].isalnum())
        ):
            l_index -= 1
        if l_index < lo:
            return None
        l_index -= 1
        s_index -= 1
    start = l_index + 1
    while start > 0 and not before[start - 1].isspace():
        start -= 1
    return start


@dataclass
class _Candidate:
    start: int
    end: int
    entries: tuple[Entry, ...]
    name: str
    # the longest match made of names proper, when this one is made of derived names
    # only and so may not apply in the document ("expressing neurons" / "neurons")
    fallback: _Candidate | None = None


@dataclass(frozen=True)
class _Definition:
    curie: str
    head: tuple[str, ...]  # words that follow the short form in the term ("cells" in "ES cells")
    long_key: tuple[str, ...] = ()  # the words the short form stands for


# "inner and outer hair cells": the word before "and"/"or" just before a mention
_COORDINATED = re.compile(r"(?<![\w\-])([^\W\d_][\w\-]*)\s+(?:and|or|and/or)\s+$")
_CAPITALS = re.compile(r"[A-Z]{2,}\b")


def _most_general(options: list[Entry], ancestors: Callable[[str], list[str]]) -> list[Entry]:
    """Drop options whose term descends from another option's term: a derived "hair
    cell" means the sensory hair cell, not each kind of it."""
    curies = {e.curie for e in options}
    return [e for e in options if not curies & set(ancestors(e.curie))]


class _Document:
    """The words of one document, for names that depend on context."""

    def __init__(
        self,
        tokens: Iterable[list[tuple[str, int, int]]],
        labels: dict[str, str],
        ancestors: Callable[[str], list[str]],
    ) -> None:
        self.words = sorted({token for part in tokens for token, _, _ in part})
        self.labels = labels
        self.ancestors = ancestors
        self._stems: dict[str, bool] = {}

    def has_stem(self, stem: str) -> bool:
        found = self._stems.get(stem)
        if found is None:
            at = bisect_left(self.words, stem)
            found = self._stems[stem] = at < len(self.words) and self.words[at].startswith(stem)
        return found

    def support(self, curie: str, matched: str) -> float:
        """The share of the words of the term's label, other than those matched, that the
        document uses."""
        used = set(name_key(matched))
        words = {
            w
            for w in name_key(self.labels.get(curie, ""))
            if w not in used and w not in _GENERIC_WORDS and w.isalpha() and len(w) > 2
        }
        return sum(self.has_stem(stem(w)) for w in words) / len(words) if words else 1.0


class Annotator:
    """Annotates articles (all their text parts, as one document) with CL and MONDO terms."""

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self.lexicon = lexicon or shipped_lexicon()

    def _candidates(self, text: str, tokens: list[tuple[str, int, int]]) -> list[_Candidate]:
        trie = self.lexicon.trie
        found: list[_Candidate] = []
        i = 0
        n = len(tokens)
        while i < n:
            node = trie.get(tokens[i][0])
            if node is None:
                i += 1
                continue
            best = plain = None
            j = i + 1
            while True:
                hit = node.get(_END)
                if hit:
                    best = (j, hit)
                    if not all(e.derived for e in hit):
                        plain = best
                if j >= n or not _JOINER.match(text[tokens[j - 1][2] : tokens[j][1]]):
                    break
                node = node.get(tokens[j][0])
                if node is None:
                    break
                j += 1
            if best is None:
                i += 1
                continue
            start = tokens[i][1]
            # "non-neuronal cells" are no neurons; "non-BC individuals" still name the disease
            negated = bool(_NEGATED.search(text[max(0, start - 5) : start]))
            candidate = fallback = None
            for option in (plain, best) if plain is not best else (best,):
                if option is None:
                    continue
                entries = tuple(e for e in option[1] if not (negated and e.curie.startswith("CL:")))
                if entries:
                    end = tokens[option[0] - 1][2]
                    candidate = _Candidate(start, end, entries, text[start:end], fallback)
                    fallback = candidate
            if candidate is not None:
                found.append(candidate)
            # a match of derived names only may not apply: scan on inside it too
            i = best[0] if plain is not None else i + 1
        return found

    def _definitions(
        self, parts: Sequence[tuple[str, str]], candidates: dict[str, list[_Candidate]]
    ) -> tuple[dict[str, _Definition], list[tuple[str, int, int, str]]]:
        """Abbreviations whose long form is a whole term, and the spans of
        "long form (SF) head" definitions that name a term across the parenthesis."""
        definitions: dict[str, _Definition] = {}
        spans: list[tuple[str, int, int, str]] = []
        for name, text in parts:
            for abbreviation in find_abbreviations(text):
                if abbreviation.short in definitions:
                    continue
                covering = [
                    c
                    for c in candidates[name]
                    if c.end == abbreviation.long_end and c.start <= abbreviation.long_start
                ]
                # the name the initials spell wins over a longer one around it: in "type I
                # alveolar epithelial cells (AECs)", AEC is the alveolar epithelial cell
                # and "type I AECs" the narrower type (found below)
                long_key = name_key(text[abbreviation.long_start : abbreviation.long_end])
                exact = [e for e in self.lexicon.lookup(long_key) if not e.derived]
                chosen: set[str | None] = set()
                for group in (exact, [e for c in covering for e in c.entries]):
                    chosen = {self._preferred([e for e in group if not e.ambiguous])}
                    chosen.discard(None)
                    if chosen:
                        break
                if len(chosen) == 1:
                    curie = chosen.pop()
                    assert curie is not None
                    definitions[abbreviation.short] = _Definition(curie, (), long_key)
                    continue
                # "embryonic stem (ES) cells": the term continues after the parenthesis
                following = re.match(r"\s+([^\W\d_]+)", text[abbreviation.after :])
                if following is None:
                    continue
                head = (normal_token(following.group(1)),)
                curie = self._preferred([e for e in self.lexicon.lookup(long_key + head) if not e.ambiguous])
                if curie is not None:
                    definitions[abbreviation.short] = _Definition(curie, head)
                    end = abbreviation.after + following.end()
                    spans.append((name, abbreviation.long_start, end, curie))
                    # the short form in its definition names the term too, as "ALS" does
                    # in "amyotrophic lateral sclerosis (ALS)": here with the head word
                    # after the parenthesis, "ES ... cells"
                    spans.append((name, text.rindex(abbreviation.short, 0, abbreviation.after), end, curie))
        return definitions, spans

    def annotate_texts(self, parts: Sequence[tuple[str, str]]) -> list[Mention]:
        """Mentions in the named text parts of one document, in part then offset order."""
        tokens = {name: tokens_with_offsets(text) for name, text in parts}
        candidates = {name: self._candidates(text, tokens[name]) for name, text in parts}
        definitions, definition_spans = self._definitions(parts, candidates)
        document = _Document(tokens.values(), self.lexicon.module.labels, self.lexicon.ancestors)
        named_in_full = {
            e.curie
            for found in candidates.values()
            for c in found
            for e in c.entries
            if not e.ambiguous and not e.derived
        }
        named_in_full.update(d.curie for d in definitions.values())
        mentions: list[Mention] = []
        chosen_by_part: dict[str, list[tuple[int, int, str, str]]] = {}
        for name, text in parts:
            chosen = [(s, e, curie, "abbreviation") for part, s, e, curie in definition_spans if part == name]
            covered = 0
            for c in candidates[name]:
                if c.start < covered:
                    continue  # inside a longer match already taken
                if c.name in definitions or any(s <= c.start and c.end <= e for s, e, _, _ in chosen):
                    continue  # defined short forms are found below, with their head word
                option: _Candidate | None = c
                while option is not None:
                    curie = self._choose(option, named_in_full, document)
                    if curie:
                        name_used = next(e.name for e in option.entries if e.curie == curie)
                        chosen.append((option.start, option.end, curie, name_used))
                        covered = option.end
                        break
                    option = option.fallback
            for short, definition in sorted(definitions.items()):
                # "ES cells" / "MCAD deficiency": when the term continues after the short
                # form, the short form alone names something else (the cell's origin, the
                # enzyme), so only short form + head word is a mention.
                head = r"".join(rf"[\s\-]+{re.escape(h)}\w*" for h in definition.head)
                before = (
                    r"(?:(?<![\w\-])|(?<=\bnon-))"
                    if not definition.curie.startswith("CL:")
                    else r"(?<![\w\-])"
                )
                plural = "s?" if short[-1].isupper() else ""  # "RPCs" for RPC
                pattern = rf"{before}{re.escape(short)}{plural}{head}(?![\w\-])"
                for m in re.finditer(pattern, text):
                    if not definition.curie.startswith("CL:") and in_genotype(text, m.start(), m.end()):
                        continue
                    start, curie = self._qualified(tokens[name], m.start(), definition)
                    if not any(s < m.end() and start < e for s, e, _, _ in chosen):
                        chosen.append((start, m.end(), curie, "abbreviation"))
            chosen.extend(self._coordinated(text, chosen, named_in_full, document))
            chosen_by_part[name] = chosen
        heads = self._elliptic_heads(parts, chosen_by_part)
        for name, text in parts:
            chosen = chosen_by_part[name]
            taken = [(s, e) for s, e, _, _ in chosen]
            for token, start, end in tokens[name]:
                curie = heads.get(token)
                if not curie or any(s < end and start < e for s, e in taken):
                    continue
                # "cone photoreceptors": the head word before a broader cell noun
                following = next((c for c in chosen if c[0] > end and _JOINER.match(text[end : c[0]])), None)
                if following and following[2] in self.lexicon.ancestors(curie):
                    chosen.remove(following)
                    chosen.append((start, following[1], curie, "ellipsis"))
                else:
                    chosen.append((start, end, curie, "ellipsis"))
            for start, end, curie, via in sorted(chosen):
                mentions.append(
                    Mention(
                        curie=curie,
                        part=name,
                        start=start,
                        end=end,
                        exact=text[start:end],
                        prefix=text[max(0, start - _CONTEXT) : start],
                        suffix=text[end : end + _CONTEXT],
                        via=via,
                    )
                )
        return mentions

    def _qualified(
        self, tokens: Sequence[tuple[str, int, int]], start: int, definition: _Definition
    ) -> tuple[int, str]:
        """A defined short form after words that make its long form a narrower term:
        "type II AECs" is the type II alveolar epithelial cell. (start, term)."""
        if definition.head or not definition.long_key:
            return start, definition.curie
        index = bisect_left(tokens, start, key=lambda t: t[1])
        for count in (2, 1):
            before = tokens[max(0, index - count) : index]
            if len(before) < count or any(
                b[1] > a[2] + 1 for a, b in itertools.pairwise([*before, (None, start, start)])
            ):
                continue
            key = tuple(t for t, _, _ in before) + definition.long_key
            curie = self._preferred(
                [e for e in self.lexicon.lookup(key) if not e.ambiguous and not e.derived]
            )
            if curie is not None:
                return before[0][1], curie
        return start, definition.curie

    def _elliptic_heads(
        self, parts: Sequence[tuple[str, str]], chosen_by_part: dict[str, list[tuple[int, int, str, str]]]
    ) -> dict[str, str]:
        """Cell nouns the document also uses without "cell": where it names "cone cells"
        (or "cone photoreceptors") for the retinal cone cell, "cones" and "cone" name it
        too. Only for a shortened "X cell" name (not the term's own label: "muscle cell"
        does not make "muscle" a cell) whose X is no name of its own and is used in the
        plural alone ("cones"), so mass nouns ("blood", "hair") never qualify."""
        texts = dict(parts)
        found: dict[str, set[str]] = defaultdict(set)
        for name, chosen in chosen_by_part.items():
            for start, end, curie, via in chosen:
                key = name_key(texts[name][start:end])
                shortened = name_key(via) != key  # "cone cell" for the retinal cone cell
                if (
                    len(key) == 2
                    and key[1] in self.lexicon.cell_heads
                    and key[0].isalpha()
                    and len(key[0]) >= 3
                    and shortened
                ):
                    found[key[0]].add(curie)
        heads = {}
        for head, curies in found.items():
            if len(curies) != 1 or self.lexicon.lookup((head,)):
                continue
            plural = re.compile(rf"\b{re.escape(head)}s\b(?![\s\-]+cells?\b)", re.IGNORECASE)
            if any(plural.search(text) for _, text in parts):
                heads[head] = next(iter(curies))
        return heads

    def _coordinated(
        self,
        text: str,
        chosen: list[tuple[int, int, str, str]],
        named_in_full: set[str],
        document: _Document,
    ) -> list[tuple[int, int, str, str]]:
        """Terms whose head word is shared with the next mention: "inner and outer hair
        cells" names the inner hair cell too, over the span "inner and outer hair cells"."""
        found = []
        taken = [(s, e) for s, e, _, _ in chosen]
        for start, end, _, _ in chosen:
            before = _COORDINATED.search(text, max(0, start - 40), start)
            if before is None:
                continue
            key = name_key(text[start:end])
            if len(key) < 2:
                continue
            first = before.start(1)
            if any(s < start and first < e for s, e in taken):
                continue
            name = before.group(1) + " " + text[start:end]
            entries = self.lexicon.lookup((normal_token(before.group(1)), *key[1:]))
            candidate = _Candidate(first, end, entries, name)
            curie = self._choose(candidate, named_in_full, document) if entries else None
            if curie:
                found.append((first, end, curie, "coordination"))
        return found

    @staticmethod
    def _preferred(entries: Sequence[Entry]) -> str | None:
        """The one term these entries name, or the one whose label they are; else None."""
        curies = {e.curie for e in entries}
        if len(curies) > 1:
            curies = {e.curie for e in entries if e.label}
        return next(iter(curies)) if len(curies) == 1 else None

    @staticmethod
    def _choose(candidate: _Candidate, named_in_full: set[str], document: _Document) -> str | None:
        options = []
        for entry in candidate.entries:
            if entry.acronym:
                continue  # acronyms only where the document defines them (handled above)
            if entry.short and entry.curie not in named_in_full:
                continue
            if not all(document.has_stem(s) for s in entry.context):
                continue
            if entry.initials and not _CAPITALS.match(candidate.name):
                continue
            options.append(entry)
        if not options:
            return None
        if len({e.curie for e in options}) > 1 and any(e.derived for e in options):
            proper = [e for e in options if not e.derived]
            guessed = [e for e in options if e.derived and e.initials]
            if proper and guessed and len(proper) + len(guessed) == len(options):
                # initials that spell out other names ("ES cell": epithelial stem cell,
                # enamel secreting cell ...) give way to the ontology's own abbreviation
                # ("ESC"), unless the document uses all the words of one of them
                if all(document.support(e.curie, candidate.name) < 1 for e in guessed):
                    options = proper
                else:
                    options = _most_general(options, document.ancestors)
            elif proper and any(document.support(e.curie, candidate.name) for e in proper):
                # a derived reading gives way to a term that has the name as its own,
                # unless nothing else in the document points to that term
                options = proper
            else:
                options = _most_general(options, document.ancestors)
            # the term whose label's other words the document uses: "alpha cell" is the
            # pancreatic A cell in a paper about islets, the retinal ganglion cell in one
            # about the retina
            support = {e.curie: document.support(e.curie, candidate.name) for e in options}
            best = max(support.values())
            if best > 0:
                options = [e for e in options if support[e.curie] == best]
        if len(options) > 1:
            in_context = [e for e in options if e.curie in named_in_full and not e.ambiguous]
            labels = [e for e in options if e.label]
            options = in_context if len(in_context) == 1 else labels or options
        return options[0].curie if len({e.curie for e in options}) == 1 else None

    def annotate_article(self, article: Article) -> list[Mention]:
        """Mentions in the title, standfirst/abstract, captions and body of ``article``."""
        return self.annotate_texts(article_text_parts(article))


def article_text_parts(article: Article) -> list[tuple[str, str]]:
    """The text parts of an article that are searched, with stable part names."""
    parts = [("title", article.title)]
    summary = article.abstract or article.standfirst
    if summary:
        parts.append(("abstract", summary))
    for number, section in enumerate(article.sections, start=1):
        base = section.path or f"section/{number}"
        if section.title:
            parts.append((f"{base}/title", section.title))
        for p_number, paragraph in enumerate(section.paragraphs, start=1):
            parts.append((f"{base}/paragraph/{p_number}", paragraph))
    for figure in article.figures:
        if figure.caption:
            parts.append((f"{figure.part}/caption", figure.caption))
    return parts
