"""The mention tagger (litkg.link.tagger) and the similar-names candidates
(litkg.link.similar) the model weighs for the spans the tagger finds."""

from __future__ import annotations

import pickle

from hypothesis import given, settings
from hypothesis import strategies as st

from litkg.link.model import LinkingModel, Option, SpanContext, tagged_relation
from litkg.link.similar import MOST, SimilarNames
from litkg.link.tagger import (
    SpanTagger,
    bracketed,
    decoded,
    features,
    labels,
    marks,
    train_tagger,
    windows,
)
from litkg.link.tokens import name_key, words_of


def test_windows_are_the_sentences_that_hold_the_spans():
    text = "Cells grew. Patients with Wolfram syndrome were seen. No more.\nA next line"
    words = words_of(text)
    start = text.index("Wolfram")
    (window,) = windows(text, words, [(start, start + len("Wolfram syndrome"))])
    lo, hi = window
    assert text[words.starts[lo] : words.ends[hi - 1]] == "Patients with Wolfram syndrome were seen"
    assert windows(text, words, []) == []


def test_two_spans_of_one_sentence_make_one_window():
    text = "Breast cancer and ovarian cancer in one family."
    words = words_of(text)
    assert windows(text, words, [(0, 13), (18, 32)]) == [(0, len(words))]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(["ataxia", "of", "the", "Wolfram", "syndrome", "C2", "X"]), min_size=1, max_size=12
    ),
    st.data(),
)
def test_labels_of_gold_mentions_decode_to_those_mentions(tokens, data):
    """B/I/O labels and the spans decoded from them are one another's inverse, for any
    non-overlapping mentions on word boundaries."""
    text = " ".join(tokens)
    words = words_of(text)
    cuts = sorted(data.draw(st.sets(st.integers(0, len(words)), max_size=6)))
    mentions = [
        (words.starts[a], words.ends[b - 1]) for a, b in zip(cuts[::2], cuts[1::2], strict=False) if b > a
    ]
    tags = labels(words, 0, len(words), mentions)
    assert sorted(decoded(words, 0, tags)) == sorted(mentions)


def test_a_span_with_half_a_pair_of_brackets_is_no_tagged_mention():
    assert not bracketed("Deficiency of glucose-6-phosphate dehydrogenase (G6PD")
    assert not bracketed("RB) tumor")
    assert not bracketed("PKU), a disorder of amino acid metabolism")
    assert not bracketed("a) (b")
    assert not bracketed("(RB]")
    assert bracketed("retinoblastoma (RB) tumor")
    assert bracketed("Glucose-6-phosphate dehydrogenase [G6PD] deficiency")
    assert bracketed("X-linked muscular dystrophy")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["(", ")", "[", "]", "RB", " ", "tumor"]), max_size=10))
def test_brackets_match_when_striking_out_pairs_leaves_none(pieces):
    """``bracketed`` against another reading: strike out "()" and "[]" (once the words
    are gone) until none is left; the brackets match when nothing is left."""
    surface = "".join(pieces)
    left = "".join(c for c in surface if c in "()[]")
    while "()" in left or "[]" in left:
        left = left.replace("()", "").replace("[]", "")
    assert bracketed(surface) == (left == "")


def test_the_tagger_drops_its_runs_with_half_a_parenthesis(monkeypatch):
    text = "the hepatic enzyme phenylalanine hydroxylase (PAH) here"
    words = words_of(text)
    cut = text.index(" here")
    # a CRF whose run ends inside the parenthesis, and one whose run closes it
    runs = {"half": (text.index("phenylalanine"), text.index(")")), "whole": (0, cut)}
    for name, run in runs.items():
        monkeypatch.setattr("litkg.link.tagger.decoded", lambda *_, run=run: iter([run]))
        tagger = SpanTagger(b"")
        tagger._tagger = type("Fixed", (), {"tag": lambda self, xseq: ["O"] * len(xseq)})()
        found = tagger.spans(text, words, [(0, 5)])
        assert found == (frozenset() if name == "half" else frozenset({run}))


def test_marks_are_begin_then_inside():
    words = words_of("an X-linked muscular dystrophy here")
    start = 3
    assert marks(words, [(start, start + len("X-linked muscular dystrophy"))]) == {
        1: "B",
        2: "I",
        3: "I",
        4: "I",
    }


def _tiny_data() -> list[tuple[list[list[str]], list[str]]]:
    sentences = [
        "Patients with Wolfram syndrome were seen",
        "A family with Usher syndrome was studied",
        "Children with Alport syndrome were treated",
        "The gene was cloned in mice",
        "Members with Stickler syndrome were examined",
    ]
    data = []
    for text in sentences:
        words = words_of(text)
        gold = []
        if "syndrome" in text:
            at = text.index(" with ") + 6
            gold = [(at, text.index("syndrome") + len("syndrome"))]
        data.append((features(text, words, 0, len(words), {}), labels(words, 0, len(words), gold)))
    return data


def _tiny_tagger() -> SpanTagger:
    tagger = train_tagger(_tiny_data())
    assert tagger is not None
    return tagger


def test_a_trained_tagger_finds_a_mention_it_was_not_shown():
    tagger = _tiny_tagger()
    text = "Patients with Pfeiffer syndrome were seen"
    words = words_of(text)
    start = text.index("syndrome")
    assert (text.index("Pfeiffer"), start + len("syndrome")) in tagger.spans(
        text, words, [(start, start + 8)]
    )


def test_a_tagger_round_trips_through_json_and_pickle_deterministically():
    tagger = _tiny_tagger()
    assert tagger == _tiny_tagger()  # the same data give the same model's bytes
    assert SpanTagger.from_json(tagger.to_json()) == tagger
    text = "Children with Alport syndrome were treated"
    words = words_of(text)
    at = text.index("Alport")
    tagger.spans(text, words, [(at, at + 6)])  # opened
    copy = pickle.loads(pickle.dumps(tagger))
    assert copy.spans(text, words, [(at, at + 6)]) == tagger.spans(text, words, [(at, at + 6)])


def test_no_sequences_no_tagger():
    assert train_tagger([]) is None


def test_taggers_trained_side_by_side_in_processes_are_those_trained_one_by_one(monkeypatch):
    """A cross-fitted model trains a tagger per fold and one of all the documents: in
    spawned processes, one per core, each the same model's bytes as trained alone."""
    import litkg.link.tagger as tagger_module

    monkeypatch.setattr(tagger_module, "_cores", lambda: 2)
    documents = [[sequence] for sequence in _tiny_data()]
    jobs = [[0, 1, 2, 3], [1, 2, 3, 4], [], [0, 1, 2, 3, 4]]
    alone = [train_tagger(s for n in job for s in documents[n]) for job in jobs]
    assert alone[2] is None and alone[0] != alone[1]
    assert tagger_module.train_taggers(documents, jobs) == alone


def test_a_model_with_a_tagger_round_trips(tmp_path):
    model = LinkingModel({"tag=same": 1.5}, -0.5, 0.4, ("1",), {}, tagger=_tiny_tagger())
    model.dump(tmp_path / "m.json.gz")
    assert LinkingModel.load(tmp_path / "m.json.gz") == model


def _context(start, end, tagged):
    return SpanContext("x" * 80, "text", start, end, "MONDO:1", "n", False, 1, 1, False, tagged)


def test_an_options_span_is_compared_with_the_tagged_mentions():
    option = Option("MONDO:1", "self", 1)
    widened = Option("MONDO:1", "self", 1, start=5, added=("a",))
    assert tagged_relation(_context(10, 20, None), option) is None
    assert tagged_relation(_context(10, 20, frozenset()), option) == "none"
    assert tagged_relation(_context(10, 20, frozenset({(10, 20)})), option) == "same"
    assert tagged_relation(_context(10, 20, frozenset({(5, 20)})), option) == "inside"
    assert tagged_relation(_context(10, 20, frozenset({(5, 20)})), widened) == "same"
    assert tagged_relation(_context(10, 20, frozenset({(12, 18)})), option) == "covers"
    assert tagged_relation(_context(10, 20, frozenset({(15, 30)})), option) == "crosses"


NAMES = [
    ("MONDO:A", name_key("complement component 2 deficiency")),
    ("MONDO:A", name_key("C2 deficiency")),
    ("MONDO:B", name_key("complement component 3 deficiency")),
    ("MONDO:C", name_key("Wolfram syndrome")),
    ("MONDO:D", name_key("Wolfram syndrome 1")),
    ("MONDO:E", name_key("iron deficiency anemia")),
]


def test_similar_terms_share_the_rare_words_in_any_order():
    index = SimilarNames(NAMES)
    found = index.of(name_key("deficiency of the C2"))
    assert found[0] == ("MONDO:A", 1.0)  # function words are no words of a name
    assert [c for c, _ in index.of(name_key("Wolfram syndromes"))][:2] == ["MONDO:C", "MONDO:D"]
    assert index.of(name_key("the of and")) == []
    assert index.of(name_key("unrelated words entirely")) == []


@settings(max_examples=50, deadline=None)
@given(st.sampled_from(NAMES), st.permutations(range(4)))
def test_a_name_is_most_like_itself_in_any_word_order(named, order):
    index = SimilarNames(NAMES)
    curie, key = named
    shuffled = [key[i] for i in order if i < len(key)]
    found = index.of(shuffled)
    assert len(found) <= MOST
    assert found[0][1] == 1.0 and curie in {c for c, s in found if s == 1.0}
    assert found == sorted(found, key=lambda item: (-item[1], item[0]))


class _FixedTagger(SpanTagger):
    """A tagger that finds the mentions it is given, wherever the rules found a disease."""

    def __init__(self, found):
        super().__init__(b"")
        self.found = frozenset(found)

    def spans(self, text, words, rule_spans, around=None, kinds=None):
        return self.found if (around or rule_spans) else frozenset()


def _annotator(tagger):
    from litkg.link.annotator import Annotator

    return Annotator(model=LinkingModel({}, 0.0, 0.5, tagger=tagger))


def test_a_tagged_mention_no_option_spans_is_proposed_with_the_terms_most_like_it():
    text = "Boys with X-linked recessive muscular dystrophy were seen."
    start, end = text.index("X-linked"), text.index(" were")
    proposals = _annotator(_FixedTagger({(start, end)})).proposals([("text", text)])
    tagged = [p for p in proposals if p.span.via == "tagged"]
    assert [(p.span.start, p.span.end) for p in tagged] == [(start, end)]
    (proposal,) = tagged
    assert proposal.options and all(o.relation == "similar" for o in proposal.options)
    assert proposal.span.curie == proposal.options[0].curie
    assert proposal.context.tagged == frozenset({(start, end)})
    # the rules' own span inside it is still proposed, and knows it lies inside a tagged one
    inner = [p for p in proposals if p.span.via != "tagged" and p.span.curie.startswith("MONDO:")]
    assert inner and tagged_relation(inner[0].context, inner[0].options[0]) == "inside"


def test_the_tagger_never_makes_an_undefined_acronym_a_mention():
    """A gene symbol or an everyday acronym that spells a disease's short form is a
    mention only where the document defines it; the tagger's opinion is not asked."""
    text = "The segmental set of NBs divides. ALS is rare."
    at = text.index("NBs")
    proposals = _annotator(_FixedTagger({(at, at + 3)})).proposals([("text", text)])
    assert not [p for p in proposals if p.span.via == "tagged"]
    acronyms = [p for p in proposals if text[p.span.start : p.span.end] in ("NBs", "ALS")]
    assert [p.span.via for p in acronyms] == ["unconfirmed", "unconfirmed"]
    assert all(p.context.tagged is None for p in acronyms)
