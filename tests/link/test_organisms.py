"""Cell types CL qualifies for a group of organisms, fitted to the document's organisms."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import shared_or_skip
from litkg.link import Annotator
from litkg.link.ontology import shipped_module
from litkg.link.organisms import ORGANISM_WORDS, QualifiedTerms, organisms_of, qualifier_groups, unqualified
from litkg.parse import parse_file

NEUROBLAST_VERTEBRATE = "CL:0000031"
NEUROBLAST_INVERTEBRATE = "CL:0000338"  # sensu Nematoda and Protostomia
SECONDARY_NEURON_FISH = "CL:0000535"  # sensu Teleostei
CNS_NEURON = "CL:2000029"


@pytest.fixture(scope="module")
def qualified():
    return QualifiedTerms.of(shipped_module())


@pytest.mark.parametrize(
    ("label", "groups", "name"),
    [
        ("neuroblast (sensu Vertebrata)", {"Vertebrata"}, "neuroblast"),
        ("glioblast (sensu Nematoda and Protostomia)", {"Nematoda", "Protostomia"}, "glioblast"),
        ("cardiac muscle cell (sensu Arthopoda)", {"Arthropoda"}, "cardiac muscle cell"),
        ("neuron", None, "neuron"),
    ],
)
def test_qualifiers_are_read_from_labels(label, groups, name):
    assert qualifier_groups(label) == (None if groups is None else frozenset(groups))
    assert unqualified(label) == name


def test_organisms_are_counted_by_their_words():
    found = organisms_of(
        ["Flies and C. elegans; Drosophila-specific genes. Anti-mouse IgG, transfected yeast."]
    )
    assert found.names == 4  # Flies, elegans, Drosophila, yeast; not the antibody's "mouse"
    assert found.fit(frozenset({"Arthropoda"}))  # two of four
    assert not found.fit(frozenset({"Vertebrata"}))
    assert organisms_of(["no organism here"]).fit(frozenset({"Teleostei"}))  # nothing to go by


def test_a_term_moves_to_its_namesake_or_its_ancestor(qualified):
    fly = organisms_of(["Drosophila neuroblasts; the fly larva"])
    mouse = organisms_of(["neuroblasts of mouse embryos"])
    fish = organisms_of(["zebrafish embryos"])
    assert qualified.fitted(NEUROBLAST_VERTEBRATE, fly) == NEUROBLAST_INVERTEBRATE
    assert qualified.fitted(NEUROBLAST_INVERTEBRATE, mouse) == NEUROBLAST_VERTEBRATE
    assert qualified.fitted(NEUROBLAST_VERTEBRATE, mouse) == NEUROBLAST_VERTEBRATE
    assert qualified.fitted(SECONDARY_NEURON_FISH, fish) == SECONDARY_NEURON_FISH
    # no term of that name for flies: the most specific ancestor qualified for no other group
    assert qualified.fitted(SECONDARY_NEURON_FISH, fly) == CNS_NEURON
    assert qualified.fitted("CL:0000540", fly) == "CL:0000540"  # neuron: unqualified


@pytest.mark.parametrize("model", [None, "shipped"])
def test_the_annotator_links_the_documents_organisms_term(model):
    annotator = Annotator(model=model)
    fly = annotator.annotate_texts(
        [("text", "Drosophila neuroblasts divide asymmetrically in the fly embryo.")]
    )
    mouse = annotator.annotate_texts([("text", "Neuroblasts divide in the developing mouse cortex.")])
    assert {m.curie for m in fly if m.exact == "neuroblasts"} == {NEUROBLAST_INVERTEBRATE}
    assert {m.curie for m in mouse if m.exact == "Neuroblasts"} == {NEUROBLAST_VERTEBRATE}


def test_a_fly_article_links_the_invertebrate_terms():
    """eLife 04493 (Harris et al., 2015: Drosophila hemilineages) writes "NB" and "secondary
    neurons" throughout; nothing vertebrate or teleost is linked in it."""
    article = parse_file(shared_or_skip("corpus", "elife", "elife04493.xml.gz"))
    curies = [m.curie for m in Annotator().annotate_article(article)]
    assert curies.count(NEUROBLAST_INVERTEBRATE) >= 20
    assert NEUROBLAST_VERTEBRATE not in curies
    assert SECONDARY_NEURON_FISH not in curies
    assert CNS_NEURON in curies


EGG_CELL = "CL:0000025"


def test_a_name_learnt_from_papers_on_mice_is_not_read_in_a_paper_on_insects():
    """The shipped model learnt "eggs" for the egg cell from CRAFT's papers on mice; a paper
    on flies or moths lays and collects eggs, embryos and not cells. eLife 05502 (Schuman
    et al. 2015, Manduca sexta on Nicotiana) wrote "eggs" and "egg" 27 times, all once
    linked as the egg cell."""
    annotator = Annotator()
    mice = annotator.annotate_texts([("text", "Eggs were flushed from the oviducts of superovulated mice.")])
    flies = annotator.annotate_texts([("text", "Eggs were collected from Drosophila females and aged for 5 hr.")])
    assert [(m.exact, m.curie) for m in mice] == [("Eggs", EGG_CELL)]
    assert flies == []
    article = parse_file(shared_or_skip("corpus", "elife", "elife05502.xml.gz"))
    assert EGG_CELL not in {m.curie for m in annotator.annotate_article(article)}


PRINTED = {**{w[:1].upper() + w[1:]: g for w, g in ORGANISM_WORDS.items()}, **ORGANISM_WORDS}
# the words as one pattern, each standing alone: what organisms_of counts, read the slow way
ONE_PATTERN = re.compile(r"(?<![\w\-])(" + "|".join(sorted(PRINTED, key=len, reverse=True)) + r")(?!\w)")


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(sorted(PRINTED)),
            st.sampled_from([" ", "-", "_", "2", ".", "(", "é", "s", "anti", "'s", "\n"]),
        ),
        max_size=25,
    )
)
def test_organisms_are_the_words_standing_alone(pieces):
    text = "".join(pieces)
    expected = Counter(PRINTED[m.group(1)] for m in ONE_PATTERN.finditer(text))
    assert organisms_of([text]).groups == expected
    assert all(re.fullmatch("[A-Za-z]+", word) for word in ORGANISM_WORDS)  # letters only
