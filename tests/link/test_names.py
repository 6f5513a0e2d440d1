"""Names learnt from gold mentions (litkg.link.names): what is learnt, how it is matched,
how the model uses it, and that a training document never teaches its own rows."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import shared_or_skip
from litkg.link.annotator import Annotator
from litkg.link.evaluate import GoldDocument, GoldMention, folds, read_gold, subset
from litkg.link.model import LinkingModel
from litkg.link.names import LearnedName, LearnedNames
from litkg.link.organisms import organisms_of
from litkg.link.tokens import name_key, words_of
from litkg.link.train import NAME_FOLDS, Trainer

NCBI = ("corpus", "ncbi-disease", "ncbi-disease-train-dev.jsonl.gz")
THROMBOCYTOPENIA = "MONDO:0002049"
COLON_CARCINOMA = "MONDO:0002032"
COLORECTAL_CANCER = "MONDO:0005575"
POLYPOSIS = "MONDO:0021055"


def document(identifier, text, *mentions):
    """A gold document whose mentions are (surface, concepts...) found in ``text``."""
    found = []
    for surface, *concepts in mentions:
        start = text.index(surface)
        found.append(GoldMention(start, start + len(surface), "MONDO", frozenset(concepts), surface))
    return GoldDocument(identifier, text, tuple(found))


def test_a_name_keeps_the_term_its_mentions_name_most_often_with_how_often_and_how_consistently():
    documents = [
        document("1", "Isolated thrombocytopenia was seen.", ("Isolated thrombocytopenia", "MONDO:1")),
        document("2", "isolated thrombocytopenias", ("isolated thrombocytopenias", "MONDO:1", "MONDO:2")),
        document("3", "isolated thrombocytopenia", ("isolated thrombocytopenia", "MONDO:2", "MONDO:3")),
        document("4", "a tumour", ("tumour", "MONDO:4")),
        document("5", "an unmappable thing", ("unmappable thing",)),
        document("6", "an unknown thing", ("unknown thing", "MONDO:404")),
    ]
    names = LearnedNames.learn(documents, known=lambda curie: curie != "MONDO:404")
    # the plural and the case fold to the one key; MONDO:1 and MONDO:2 tie, the first wins
    assert names.get(name_key("isolated thrombocytopenia")) == LearnedName("MONDO:1", 3, 0.6667)
    assert names.get(name_key("tumor")) == LearnedName("MONDO:4", 1, 1.0)  # British spelling folded
    assert names.get(name_key("unmappable thing")) is None
    assert names.get(name_key("unknown thing")) is None
    assert len(names) == 2
    assert LearnedName("MONDO:1", 3, 0.6667).description == "2-3|most"
    assert LearnedName("MONDO:1", 9, 0.4).description == "4+|some"


def test_an_acronym_counts_only_where_printed_as_one_and_a_letter_is_no_name():
    documents = [
        document("1", "The WAS protein. WAS patients", ("WAS", "MONDO:1")),
        document("2", "Patients with WAS.", ("WAS", "MONDO:1")),
        document("3", "the A cells and B cells", ("A", "CL:1")),
    ]
    names = LearnedNames.learn(documents, known=lambda curie: True)
    # both documents are about patients
    assert names.get(("was",)) == LearnedName("MONDO:1", 2, 1.0, acronym=True, organisms=frozenset({"Vertebrata"}))
    assert names.get(("a",)) is None
    text = "It was WAS."
    found = [(text[m.start : m.end], m.start) for m in names.matches(text, words_of(text))]
    assert found == [("WAS", 7)]
    assert names.printed("was") is None and names.printed("WAS") == names.get(("was",))


EGG_CELL = "CL:0000025"


def test_a_name_applies_in_documents_about_the_organisms_its_documents_were_about():
    """Papers on mice name the mouse's egg cell "eggs"; papers on moths a laid egg. A
    name's organisms are the groups most of its documents' names of organisms name; a
    name one of whose documents names none applies everywhere."""
    documents = [
        document("1", "Eggs were flushed from superovulated mice; the mice were mated.", ("Eggs", "CL:1")),
        document("2", "Mouse eggs and human eggs in Drosophila-free mouse work.", ("eggs", "CL:1")),
        document("3", "Patients had isolated thrombocytopenia.", ("isolated thrombocytopenia", "MONDO:1")),
        document("4", "Isolated thrombocytopenia was seen.", ("Isolated thrombocytopenia", "MONDO:1")),
    ]
    names = LearnedNames.learn(documents, known=lambda curie: True)
    eggs = names.get(name_key("eggs"))
    assert eggs is not None and eggs.organisms == frozenset({"Vertebrata", "Mus"})
    assert names.get(name_key("isolated thrombocytopenia")).organisms is None  # document 4 names none
    moths = organisms_of(["Manduca sexta eggs were laid on the leaves by the moths."])
    assert not eggs.applies(moths)
    assert eggs.applies(organisms_of(["Eggs of mice and rats."])) and eggs.applies(organisms_of(["Eggs."]))
    assert eggs.applies(organisms_of(["Human eggs, not those of the fly, were used by the patients."]))
    # a name from before names had organisms applies everywhere, and reads back as it was written
    rows = [[" ".join(name_key("eggs")), EGG_CELL, 9, 1.0, False]]
    assert LearnedNames.from_json(rows).get(name_key("eggs")) == LearnedName(EGG_CELL, 9, 1.0)
    assert LearnedNames.from_json(names.to_json()).names == names.names


def test_a_learnt_name_is_not_proposed_in_a_document_about_other_organisms():
    names = LearnedNames({name_key("eggs"): LearnedName(EGG_CELL, 9, 1.0, organisms=frozenset({"Vertebrata"}))})
    model = LinkingModel({"learned=4+|all": 3.0}, -1.0, 0.5, names=names)
    annotator = Annotator(model=model)
    mice = "Eggs were flushed from the oviducts of mice."
    assert [(m.exact, m.curie) for m in annotator.annotate_texts([("text", mice)])] == [("Eggs", EGG_CELL)]
    moths = "Eggs were laid by Manduca moths on the leaves; the eggs hatched."
    assert annotator.annotate_texts([("text", moths)]) == []
    assert annotator.proposals([("text", moths)]) == []


def test_the_longest_name_wins_and_no_name_crosses_punctuation():
    names = LearnedNames(
        {
            name_key("thrombocytopenia"): LearnedName("MONDO:1", 1, 1.0),
            name_key("isolated thrombocytopenia"): LearnedName("MONDO:2", 1, 1.0),
        }
    )
    text = "Isolated thrombocytopenia; isolated, thrombocytopenia and iso-lated thrombocytopenia."
    found = [(text[m.start : m.end], m.name.curie) for m in names.matches(text, words_of(text))]
    assert found == [
        ("Isolated thrombocytopenia", "MONDO:2"),
        ("thrombocytopenia", "MONDO:1"),
        ("thrombocytopenia", "MONDO:1"),
    ]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(["isolated", "thrombocytopenia", "of", "the", "cancer", ",", "-", "(", ")"]),
        max_size=30,
    ),
    st.lists(
        st.lists(st.sampled_from(["isolated", "thrombocytopenia", "cancer", "the"]), min_size=1, max_size=3),
        max_size=5,
    ),
)
def test_matches_are_learnt_names_in_order_and_never_overlap(words, keys):
    names = LearnedNames({tuple(key): LearnedName("MONDO:1", 1, 1.0) for key in keys})
    text = " ".join(words)
    found = list(names.matches(text, words_of(text)))
    assert all(a.end <= b.start for a, b in zip(found, found[1:], strict=False))
    assert all(names.get(name_key(text[m.start : m.end])) == m.name for m in found)


def test_the_names_are_written_with_the_model_byte_identical_and_read_back(tmp_path):
    names = LearnedNames(
        {
            name_key("isolated thrombocytopenia"): LearnedName(THROMBOCYTOPENIA, 3, 0.6667),
            name_key("ITP"): LearnedName(THROMBOCYTOPENIA, 2, 1.0, acronym=True),
        }
    )
    model = LinkingModel({"a": 1.0}, 0.0, 0.5, names=names)
    first, second = tmp_path / "1.json.gz", tmp_path / "2.json.gz"
    model.dump(first)
    read = LinkingModel.load(first)
    read.dump(second)
    assert first.read_bytes() == second.read_bytes()
    assert read.names.names == names.names


def test_a_learnt_name_the_lexicon_lacks_is_linked_when_the_model_trusts_it():
    text = "Patients had pigmented ocular fundus lesions."
    names = LearnedNames({name_key("pigmented ocular fundus lesion"): LearnedName(POLYPOSIS, 4, 1.0)})
    trusting = LinkingModel({"learned=4+|all": 3.0}, -1.0, 0.5, names=names)
    [linked] = Annotator(model=trusting).annotate_texts([("text", text)])
    assert (linked.exact, linked.curie, linked.via) == (
        "pigmented ocular fundus lesions",
        POLYPOSIS,
        "learned",
    )
    assert Annotator(model=None).annotate_texts([("text", text)]) == []
    doubting = LinkingModel({"learned=4+|all": -3.0, "via=learned": -2.0}, 1.0, 0.5, names=names)
    assert Annotator(model=doubting).annotate_texts([("text", text)]) == []


def test_a_learnt_name_marks_the_option_it_agrees_with_over_the_words_it_covers():
    text = "Two patients had isolated thrombocytopenia."
    names = LearnedNames({name_key("isolated thrombocytopenia"): LearnedName(THROMBOCYTOPENIA, 2, 1.0)})
    model = LinkingModel({"learned=2-3|all|rel=self+1": 3.0}, -1.0, 0.5, names=names)
    annotator = Annotator(model=model)
    [proposal] = annotator.proposals([("text", text)])
    marked = [(text[o.start or proposal.span.start : proposal.span.end], o.learned) for o in proposal.options]
    assert ("isolated thrombocytopenia", "2-3|all") in marked and ("thrombocytopenia", "") in marked
    [linked] = annotator.annotate_texts([("text", text)])
    assert (linked.exact, linked.curie) == ("isolated thrombocytopenia", THROMBOCYTOPENIA)


def test_a_learnt_name_offers_its_term_for_a_span_the_rules_found():
    text = "Patients with colon carcinoma were seen."
    names = LearnedNames({name_key("colon carcinoma"): LearnedName(COLORECTAL_CANCER, 7, 0.9)})
    model = LinkingModel({"learned=4+|most|rel=learned": 2.0}, 0.0, 0.5, names=names)
    annotator = Annotator(model=model)
    [proposal] = annotator.proposals([("text", text)])
    assert proposal.span.curie == COLON_CARCINOMA
    learned = [o for o in proposal.options if o.relation == "learned"]
    assert [(o.curie, o.start, o.learned) for o in learned] == [(COLORECTAL_CANCER, None, "4+|most")]
    [linked] = annotator.annotate_texts([("text", text)])
    assert (linked.exact, linked.curie) == ("colon carcinoma", COLORECTAL_CANCER)
    # with no names, the annotator proposes what the rules alone do
    assert Annotator(model=LinkingModel({}, 0.0, 0.5)).proposals([("text", text)])[0].options == tuple(
        o for o in proposal.options if o.relation != "learned"
    )


def test_a_training_document_is_never_given_the_names_its_own_mentions_taught():
    ncbi = subset(read_gold(shared_or_skip(*NCBI)), "train")[:40]
    trainer = Trainer()
    trainer._cross_fit_names(ncbi)
    unique = 0
    for fold in folds(ncbi, NAME_FOLDS):
        others = trainer._learned([d for d in ncbi if d not in fold])
        for doc in fold:
            given_names = trainer._names_of[doc.id]
            assert given_names.names == others.names
            taught_only_here = set(trainer._learned([doc]).names) - set(others.names)
            assert not any(given_names.get(k) for k in taught_only_here)
            unique += len(taught_only_here)
    assert unique > 20
    model = trainer.train(ncbi)
    assert len(model.names) == model.about["names"] == len(trainer._learned(ncbi)) > 0
    assert Trainer(learn_names=False).train(ncbi).names.names == {}


BREAST_CANCER, BREAST_NEOPLASM = "MONDO:0007254", "MONDO:0021100"


def corpus(name, concept, size=12):
    """``size`` documents of one corpus that annotate "breast cancer" with ``concept``."""
    text = "We studied breast cancer in forty women; the disease was mild."
    start = text.index("breast cancer")
    mention = GoldMention(start, start + len("breast cancer"), "MONDO", frozenset({concept}), "breast cancer")
    return [GoldDocument(f"{name}{i}", text, (mention,), None, name) for i in range(size)]


def test_a_model_trained_on_two_corpora_follows_the_conventions_of_its_target():
    """One corpus links "breast cancer" to breast cancer, another to breast neoplasm (NCBI's
    MeSH mapping): a model adapted to either follows that corpus."""
    documents = corpus("articles", BREAST_CANCER) + corpus("abstracts", BREAST_NEOPLASM)
    text = "Breast cancer was treated."
    for target, expected in (("articles", BREAST_CANCER), ("abstracts", BREAST_NEOPLASM)):
        trainer = Trainer(regularisation=(1.0,), thresholds=(0.3,), learn_names=False, target=target)
        model = trainer.train(documents)
        assert model.about["adapted_to"] == target
        assert not any("§" in feature for feature in model.weights)
        [linked] = Annotator(model=model).annotate_texts([("text", text)])
        assert linked.curie == expected
    with pytest.raises(ValueError, match="not among the training corpora"):
        Trainer(target="elsewhere").train(documents)
    # one corpus only: nothing to adapt
    alone = Trainer(regularisation=(1.0,), thresholds=(0.3,), learn_names=False, target="articles")
    assert "adapted_to" not in alone.train(corpus("articles", BREAST_CANCER)).about
