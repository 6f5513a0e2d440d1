"""Cell types that CL names for one group of organisms, linked only where the document is
about that group.

CL keeps apart cells that share a name across distant animals: "neuroblast (sensu
Vertebrata)" and "neuroblast (sensu Nematoda and Protostomia)", "secondary neuron (sensu
Teleostei)". The lexicon finds both under the name without its qualifier ("neuroblast",
:func:`litkg.link.lexicon.without_semantic_tag`), and the rules and the model choose
between them by the text around the name, which says nothing of the organism: a paper
on Drosophila neuroblasts was linked to the vertebrate term 29 times. What the document
is about is in its words for organisms ("Drosophila", "flies", "zebrafish", "mice").

A linked term whose label is qualified "(sensu X)" is kept when at least half of the
document's words for organisms name organisms of X, or when it has none (nothing to go
by). Otherwise it becomes the term of the same name qualified for the document's
organisms, when CL has one, or else the most specific of its ancestors that is not
qualified for other organisms ("central nervous system neuron" for a fly's secondary
neurons).

The words are common names and genera of the model organisms of the literature, each with
the groups that CL's qualifiers name and the organism belongs to (NCBI Taxonomy's
lineages); they are not drawn from any document.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from litkg.link.ontology import OntologyModule

_VERTEBRATE = frozenset({"Vertebrata"})
_MOUSE = frozenset({"Vertebrata", "Mus"})
_FISH = frozenset({"Vertebrata", "Teleostei"})
_HOLOMETABOLOUS = frozenset({"Protostomia", "Arthropoda", "Endopterygota"})
_ARTHROPOD = frozenset({"Protostomia", "Arthropoda"})
_NEMATODE = frozenset({"Protostomia", "Nematoda"})
_PROTOSTOME = frozenset({"Protostomia"})
_FUNGUS = frozenset({"Fungi"})

# a word for an organism (matched whole, case-sensitive where it is a genus) and the groups
# of CL's qualifiers it belongs to
ORGANISM_WORDS: Mapping[str, frozenset[str]] = {
    # mammals and other vertebrates
    "mouse": _MOUSE,
    "mice": _MOUSE,
    "murine": _MOUSE,
    "Mus": _MOUSE,
    "rat": _VERTEBRATE,
    "rats": _VERTEBRATE,
    "human": _VERTEBRATE,
    "humans": _VERTEBRATE,
    "patient": _VERTEBRATE,
    "patients": _VERTEBRATE,
    "chick": _VERTEBRATE,
    "chicken": _VERTEBRATE,
    "Xenopus": _VERTEBRATE,
    "frog": _VERTEBRATE,
    "frogs": _VERTEBRATE,
    "monkey": _VERTEBRATE,
    "monkeys": _VERTEBRATE,
    "macaque": _VERTEBRATE,
    "macaques": _VERTEBRATE,
    "primate": _VERTEBRATE,
    "primates": _VERTEBRATE,
    "bovine": _VERTEBRATE,
    "porcine": _VERTEBRATE,
    "canine": _VERTEBRATE,
    "feline": _VERTEBRATE,
    "rabbit": _VERTEBRATE,
    "rabbits": _VERTEBRATE,
    "hamster": _VERTEBRATE,
    "hamsters": _VERTEBRATE,
    "mammal": _VERTEBRATE,
    "mammals": _VERTEBRATE,
    "mammalian": _VERTEBRATE,
    "vertebrate": _VERTEBRATE,
    "vertebrates": _VERTEBRATE,
    # teleost fish
    "zebrafish": _FISH,
    "Danio": _FISH,
    "medaka": _FISH,
    "Oryzias": _FISH,
    "teleost": _FISH,
    "teleosts": _FISH,
    "fish": _FISH,
    # insects and other arthropods
    "Drosophila": _HOLOMETABOLOUS,
    "fly": _HOLOMETABOLOUS,
    "flies": _HOLOMETABOLOUS,
    "Manduca": _HOLOMETABOLOUS,
    "moth": _HOLOMETABOLOUS,
    "moths": _HOLOMETABOLOUS,
    "Tribolium": _HOLOMETABOLOUS,
    "beetle": _HOLOMETABOLOUS,
    "beetles": _HOLOMETABOLOUS,
    "mosquito": _HOLOMETABOLOUS,
    "mosquitoes": _HOLOMETABOLOUS,
    "Anopheles": _HOLOMETABOLOUS,
    "Aedes": _HOLOMETABOLOUS,
    "honeybee": _HOLOMETABOLOUS,
    "honeybees": _HOLOMETABOLOUS,
    "Apis": _HOLOMETABOLOUS,
    "insect": _ARTHROPOD,
    "insects": _ARTHROPOD,
    "locust": _ARTHROPOD,
    "locusts": _ARTHROPOD,
    "grasshopper": _ARTHROPOD,
    "grasshoppers": _ARTHROPOD,
    "cockroach": _ARTHROPOD,
    "cockroaches": _ARTHROPOD,
    "Oncopeltus": _ARTHROPOD,
    "crustacean": _ARTHROPOD,
    "crustaceans": _ARTHROPOD,
    "crayfish": _ARTHROPOD,
    "Daphnia": _ARTHROPOD,
    "arthropod": _ARTHROPOD,
    "arthropods": _ARTHROPOD,
    # nematodes
    "elegans": _NEMATODE,
    "Caenorhabditis": _NEMATODE,
    "nematode": _NEMATODE,
    "nematodes": _NEMATODE,
    # other protostomes
    "Aplysia": _PROTOSTOME,
    "leech": _PROTOSTOME,
    "leeches": _PROTOSTOME,
    "mollusc": _PROTOSTOME,
    "molluscs": _PROTOSTOME,
    "mollusk": _PROTOSTOME,
    "mollusks": _PROTOSTOME,
    "annelid": _PROTOSTOME,
    "annelids": _PROTOSTOME,
    "Platynereis": _PROTOSTOME,
    "planarian": _PROTOSTOME,
    "planarians": _PROTOSTOME,
    # fungi
    "yeast": _FUNGUS,
    "yeasts": _FUNGUS,
    "Saccharomyces": _FUNGUS,
    "Neurospora": _FUNGUS,
    "Aspergillus": _FUNGUS,
    "fungi": _FUNGUS,
    "fungal": _FUNGUS,
}
# the words as printed: a common name also first in a sentence ("Flies"), a genus as it is
_PRINTED = {
    **{word[:1].upper() + word[1:]: groups for word, groups in ORGANISM_WORDS.items()},
    **ORGANISM_WORDS,
}
# a run of letters that stands alone (not after a hyphen: "anti-mouse"): each is looked up
# in _PRINTED, whose words are all such runs. Twice as fast as one pattern of the ~200
# words, which the re module tries one by one at every position (every document is read
# for its organisms since session 39).
_ALONE = re.compile(r"(?<![\w\-])[A-Za-z]+(?!\w)")
_QUALIFIER = re.compile(r"\s*\(sensu ([^)]*)\)\s*$")
_MISSPELT = {"Arthopoda": "Arthropoda"}  # as one CL label spells it


def qualifier_groups(label: str) -> frozenset[str] | None:
    """The groups of organisms a label's "(sensu ...)" names, else None."""
    found = _QUALIFIER.search(label)
    if found is None:
        return None
    names = (name.strip() for name in found.group(1).split(" and "))
    return frozenset(_MISSPELT.get(name, name) for name in names if name)


def unqualified(label: str) -> str:
    """A label less its "(sensu ...)"."""
    return _QUALIFIER.sub("", label)


@dataclass(frozen=True)
class Organisms:
    """How often a document names organisms of each group, of how many names in all."""

    groups: Counter[frozenset[str]]  # by the groups a word names (see ORGANISM_WORDS)
    names: int

    def fit(self, groups: frozenset[str]) -> bool:
        """Whether a term qualified for ``groups`` fits the document: at least half its
        names of organisms name an organism of one of the groups, or it names none."""
        within = sum(n for named, n in self.groups.items() if named & groups)
        return not self.names or 2 * within >= self.names

    def most_named(self) -> frozenset[str] | None:
        """The groups at least half the document's names of organisms name (a paper on
        mice: Vertebrata and Mus), or None when it names none."""
        if not self.names:
            return None
        named = frozenset(group for groups in self.groups for group in groups)
        return frozenset(group for group in named if self.fit(frozenset({group})))


def organisms_of(texts: Iterable[str]) -> Organisms:
    """The organisms ``texts`` name, by the group sets of their words."""
    counts: Counter[frozenset[str]] = Counter(
        _PRINTED[word] for text in texts for word in _ALONE.findall(text) if word in _PRINTED
    )
    return Organisms(counts, sum(counts.values()))


@dataclass(frozen=True)
class QualifiedTerms:
    """The terms of an ontology qualified for a group of organisms: their groups, the terms
    of the same name, and their ancestors."""

    groups: Mapping[str, frozenset[str]]
    namesakes: Mapping[str, tuple[str, ...]]  # by a qualified term: the others of its name
    ancestors: Mapping[str, tuple[str, ...]]  # most specific first

    @classmethod
    def of(cls, ontology: OntologyModule) -> QualifiedTerms:
        groups = {c: g for c, label in ontology.labels.items() if (g := qualifier_groups(label)) is not None}
        by_name: dict[str, list[str]] = {}
        for curie in sorted(groups):
            by_name.setdefault(unqualified(ontology.labels[curie]), []).append(curie)
        namesakes = {c: tuple(o for o in by_name[unqualified(ontology.labels[c])] if o != c) for c in groups}

        def specific_first(curie: str) -> tuple[str, ...]:
            found = ontology.ancestors(curie)
            return tuple(sorted(found, key=lambda a: (-len(ontology.ancestors(a)), a)))

        return cls(groups, namesakes, {c: specific_first(c) for c in groups})

    def fitted(self, curie: str, organisms: Organisms) -> str:
        """``curie``, or the term that names the same cells in the document's organisms."""
        groups = self.groups.get(curie)
        if groups is None or organisms.fit(groups):
            return curie
        for other in self.namesakes[curie]:
            if organisms.fit(self.groups[other]):
                return other
        for ancestor in self.ancestors[curie]:
            qualified = self.groups.get(ancestor)
            if qualified is None or organisms.fit(qualified):
                return ancestor
        return curie


def fitted_terms(terms: QualifiedTerms, organisms: Organisms, curies: Sequence[str]) -> list[str]:
    """Each of ``curies`` fitted to the ``organisms`` a document names (:meth:`QualifiedTerms.fitted`)."""
    return [terms.fitted(c, organisms) for c in curies]
