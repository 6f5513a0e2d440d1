"""Train the linking model (:mod:`litkg.link.model`) on gold documents.

Each span the rules propose in a gold document gives one example per option: positive
when a gold mention has the same span and the option among its concepts. Spans that
overlap a gold mention with no term of the ontology are left out, as the scoring leaves
them out. The regression is scikit-learn's (liblinear, L2); its regularisation and the
decision threshold are chosen by an inner cross-validation over the training documents
only, so nothing is ever chosen on the documents a figure is reported on.

scikit-learn is needed only here (``pip install 'litkg[learn]'``); linking with a trained
model does not use it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from litkg.link.annotator import TAGGED_PREFIX, Annotator, Proposal, RuleSpans
from litkg.link.cache import out_of_collectors_sight
from litkg.link.evaluate import GoldDocument, folds
from litkg.link.lexicon import EXCLUDED_TERMS, ROOT_TERMS
from litkg.link.model import LinkingModel, named_term, option_features, span_features
from litkg.link.names import NO_NAMES, LearnedNames
from litkg.link.tagger import ONTOLOGY as TAGGED_ONTOLOGY
from litkg.link.tagger import SpanTagger, features, labels, marks, train_taggers, windows

if TYPE_CHECKING:
    import numpy as np
    from scipy.sparse import csr_matrix

REGULARISATION = (0.1, 0.3, 1.0, 3.0)  # the values of C tried
THRESHOLDS = tuple(round(0.1 + 0.01 * i, 2) for i in range(71))  # 0.1 .. 0.8
# inner cross-validated F1 this close to the best is as good: a few mentions either way
# (see Trainer._choose)
PLATEAU = 0.001
INNER_FOLDS = 3
NAME_FOLDS = 5  # the folds of cross-fitted names (see Trainer.train)
CORPUS_MARK = "§"  # "corpus§feature": a feature's copy for one corpus (see Trainer.train)


@dataclass(frozen=True)
class Example:
    """One span of one document: its options' features and which options are right."""

    options: tuple[tuple[str, ...], ...]
    right: tuple[bool, ...]


def _overlapping(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def examples_of(document: GoldDocument, proposals: Sequence[Proposal]) -> list[Example]:
    """The training examples of one gold document, given the rules' proposals over its text."""
    unscored: dict[str, list[tuple[int, int]]] = defaultdict(list)
    concepts: dict[tuple[str, int, int], set[str]] = defaultdict(set)  # by (ontology, start, end)
    for g in document.mentions:
        if g.mappable:
            concepts[g.ontology, g.start, g.end] |= g.concepts
        else:
            unscored[g.ontology].append((g.start, g.end))
    found = []
    for proposal in proposals:
        span = proposal.span
        ontology = span.curie.split(":", 1)[0]
        if any(_overlapping(u, (span.start, span.end)) for u in unscored.get(ontology, ())):
            continue
        shared = span_features(proposal.context)
        found.append(
            Example(
                tuple(tuple(option_features(proposal.context, o, shared)) for o in proposal.options),
                tuple(
                    o.curie
                    in concepts.get((ontology, span.start if o.start is None else o.start, span.end), ())
                    for o in proposal.options
                ),
            )
        )
    return found


@dataclass(frozen=True)
class DocumentRows:
    """One document's (span, option) pairs as feature columns, one row per pair."""

    columns: list[list[int]]
    labels: list[bool]
    sizes: list[int]  # the number of options of each span, in order
    gold: int  # the document's scored gold mentions


@dataclass(frozen=True)
class Rows:
    """The (span, option) pairs of some documents as a sparse matrix, the rows of one span
    together: ``starts`` holds the first row of each span."""

    matrix: csr_matrix
    labels: np.ndarray
    starts: np.ndarray
    gold: int


@dataclass
class Trainer:
    """Trains linking models on gold documents. Each document's proposals are computed and
    turned into matrix rows once and reused by every fold; a feature's column is fixed on
    first sight, and a column no training row uses gets no weight."""

    annotator: Annotator = field(default_factory=lambda: Annotator(model=None))
    regularisation: tuple[float, ...] = REGULARISATION
    thresholds: tuple[float, ...] = THRESHOLDS
    learn_names: bool = True  # whether the model learns names from the gold mentions
    learn_tagger: bool = True  # whether the model has a mention tagger (litkg.link.tagger)
    # the corpus whose conventions the model follows when it is trained on several (see train)
    target: str | None = None
    _vocabulary: dict[str, int] = field(default_factory=dict)
    _documents: dict[str, DocumentRows] = field(default_factory=dict)
    # the learnt names each training document's rows are made with (see train)
    _names_of: dict[str, LearnedNames] = field(default_factory=dict)
    # the tagger each training document's rows are made with (see train)
    _taggers_of: dict[str, SpanTagger | None] = field(default_factory=dict)
    _rules: dict[str, RuleSpans] = field(default_factory=dict)  # each document's, once
    _sequences: dict[str, list[tuple[list[list[str]], list[str]]]] = field(default_factory=dict)
    _final_tagger: SpanTagger | None = None  # trained on all the documents (see train)
    _adapting: bool = False  # whether the rows in hand carry per-corpus copies of their features

    def _rows_of(self, document: GoldDocument) -> DocumentRows:
        found = self._documents.get(document.id)
        if found is None:
            names = self._names_of.get(document.id, NO_NAMES)
            parts = [("text", document.text)]
            with out_of_collectors_sight():
                rules = self._rules_of(document)
                proposals = self.annotator.proposals(parts, names, rules, self._taggers_of.get(document.id))
                examples = examples_of(document, proposals)
            vocabulary = self._vocabulary
            own = self._corpus_copies(document)
            found = self._documents[document.id] = DocumentRows(
                [
                    [vocabulary.setdefault(f, len(vocabulary)) for f in own(o)]
                    for e in examples
                    for o in e.options
                ],
                [right for e in examples for right in e.right],
                [len(e.options) for e in examples],
                sum(m.mappable for m in document.mentions),
            )
        return found

    def _rules_of(self, document: GoldDocument) -> RuleSpans:
        rules = self._rules.get(document.id)
        if rules is None:
            rules = self._rules[document.id] = self.annotator.rule_spans([("text", document.text)])
        return rules

    def _sequences_of(self, document: GoldDocument) -> list[tuple[list[list[str]], list[str]]]:
        """The tagger's training sequences of one document: the sentences that hold a
        disease span of the rules or a gold disease mention, the rules' spans marked,
        labelled by the gold mentions."""
        found = self._sequences.get(document.id)
        if found is None:
            text = document.text
            rules = self._rules_of(document)
            words = rules.tokens["text"]
            chosen = [(s.start, s.end) for s in rules.chosen["text"] if s.curie.startswith(TAGGED_PREFIX)]
            gold = [(m.start, m.end) for m in document.mentions if m.ontology == TAGGED_ONTOLOGY]
            marked = marks(words, chosen)
            found = self._sequences[document.id] = [
                (features(text, words, lo, hi, marked), labels(words, lo, hi, gold))
                for lo, hi in windows(text, words, chosen + gold)
            ]
        return found

    def _taggers(
        self, documents: Sequence[GoldDocument], jobs: Sequence[Sequence[int]]
    ) -> list[SpanTagger | None]:
        """A tagger per job, trained on the documents it names (indices into
        ``documents``), the jobs in parallel (:func:`litkg.link.tagger.train_taggers`)."""
        with out_of_collectors_sight():
            sequences = [self._sequences_of(d) for d in documents]
        return train_taggers(sequences, jobs)

    def rows(self, documents: Sequence[GoldDocument]) -> Rows:
        """The matrix rows of ``documents``' (span, option) pairs."""
        import numpy as np
        from scipy.sparse import csr_matrix

        parts = [self._rows_of(d) for d in documents]
        indices = [c for part in parts for row in part.columns for c in row]
        lengths = [len(row) for part in parts for row in part.columns]
        pointers = np.concatenate(([0], np.cumsum(lengths, dtype=np.int64))).astype(np.int32)
        labels = np.array([label for part in parts for label in part.labels], dtype=bool)
        sizes = [size for part in parts for size in part.sizes]
        starts = np.concatenate(([0], np.cumsum(sizes, dtype=np.int64)))[:-1]
        matrix = csr_matrix(
            (np.ones(len(indices)), np.array(indices, dtype=np.int32), pointers),
            shape=(len(labels), max(len(self._vocabulary), 1)),
        )
        return Rows(matrix, labels, starts, sum(part.gold for part in parts))

    def _corpus_copies(self, document: GoldDocument) -> Callable[[Sequence[str]], Sequence[str]]:
        """The features of one option as a row has them: as they are, and, when the model
        is adapted to a target corpus, also copied for the document's corpus, with the
        corpus's own constant ("corpus§")."""
        if not self._adapting:
            return lambda features: features
        mark = document.corpus + CORPUS_MARK
        return lambda features: [*features, mark, *(mark + f for f in features)]

    def unlearnt(self, rows: Rows) -> np.ndarray:
        """The columns of term features about a term no training span is right for: a gold
        corpus annotated with an older release never uses the terms added since (CRAFT's CL
        has no "bone marrow cell"), and the model must not learn to drop them everywhere."""
        import numpy as np

        names = [name.rpartition(CORPUS_MARK)[2] for name in self._names()]
        right = rows.matrix[np.flatnonzero(rows.labels)]
        right_terms = {named_term(names[c]) for c in np.unique(right.indices)} - {None}
        return np.array(
            [
                c
                for c, name in enumerate(names)
                if (t := named_term(name)) is not None and t not in right_terms
            ],
            dtype=np.int64,
        )

    def _names(self) -> list[str]:
        """The feature of each column: a feature's column is its place of first sight."""
        return list(self._vocabulary)

    def __call__(self, documents: Sequence[GoldDocument]) -> Annotator:
        """An annotator with a model trained on ``documents`` only."""
        return Annotator(self.annotator.lexicon, self.train(documents))

    def train(self, documents: Sequence[GoldDocument], about: dict[str, Any] | None = None) -> LinkingModel:
        """A model trained on ``documents``, its C and threshold chosen by inner folds.

        Its names are learnt from all of ``documents``. The rows it is fitted on are
        cross-fitted: a document's rows are made with the names learnt from the documents
        outside its fold of :data:`NAME_FOLDS`, never from its own mentions, as a text the
        model links was never trained on; else a learnt name would always be right.

        Trained on several corpora with a ``target``, the model follows the target's
        conventions (Daumé's feature augmentation, "Frustratingly easy domain adaptation",
        2007): every feature has a shared weight and one per corpus, so what a corpus does
        its own way ("breast neoplasm" for breast cancer in NCBI's MeSH conventions) is
        learnt by its own copy, what all do alike by the shared one. The model shipped is
        the shared weights plus the target's: the same sums at run time, no cost."""
        self._adapt(documents)
        self._cross_fit_names(documents)
        c, threshold, inner_f1 = self._choose(documents)
        rows = self.rows(documents)
        coefficients, intercept = fit(rows, c, self.unlearnt(rows))
        weights, intercept = self._for_target(coefficients, intercept)
        details: dict[str, Any] = {"C": c, "inner_cv_f1": round(inner_f1, 4), "documents": len(documents)}
        if self._adapting:
            details["adapted_to"] = self.target
        trained_on = tuple(sorted(d.id for d in documents))
        # names and a tagger only for a model whose rows were made with them
        names = self._learned(documents) if self._names_of else NO_NAMES
        details["names"] = len(names)
        tagger = self._final_tagger if any(self._taggers_of.values()) else None
        return LinkingModel(
            weights, intercept, threshold, trained_on, {**details, **(about or {})}, names, tagger
        )

    def _adapt(self, documents: Sequence[GoldDocument]) -> None:
        """Copy the features per corpus when the documents come from several and a target
        is one of them; forget rows made the other way."""
        corpora = {d.corpus for d in documents}
        adapting = self.target is not None and len(corpora) > 1
        if adapting and self.target not in corpora:
            raise ValueError(
                f"the target corpus {self.target!r} is not among the training corpora {sorted(corpora)}"
            )
        if adapting != self._adapting:
            self._documents.clear()
        self._adapting = adapting

    def _for_target(self, coefficients: np.ndarray, intercept: float) -> tuple[dict[str, float], float]:
        """The weights of the features as the model uses them (the shared weight plus the
        target corpus's copy), and the intercept (plus the target's own constant)."""
        totals: dict[str, float] = defaultdict(float)
        target = f"{self.target}{CORPUS_MARK}"
        for name, w in zip(self._names(), coefficients, strict=False):
            if CORPUS_MARK not in name:
                totals[name] += float(w)
            elif name == target:
                intercept += float(w)
            elif name.startswith(target):
                totals[name[len(target) :]] += float(w)
        weights = {name: round(w, 6) for name, w in totals.items() if abs(w) >= 1e-6}
        return weights, round(intercept, 6)

    def _learned(self, documents: Sequence[GoldDocument]) -> LearnedNames:
        if not self.learn_names:
            return NO_NAMES
        module = self.annotator.lexicon.module
        return LearnedNames.learn(
            documents, lambda c: c in module.labels and c not in ROOT_TERMS and c not in EXCLUDED_TERMS
        )

    def _cross_fit_names(self, documents: Sequence[GoldDocument]) -> None:
        """Give each document the names and the tagger learnt outside its name fold, and
        forget rows made with others; train the tagger of all ``documents`` with the
        folds' (they train side by side)."""
        names_of: dict[str, LearnedNames] = {}
        taggers_of: dict[str, SpanTagger | None] = {}
        self._final_tagger = None
        if len({d.id for d in documents}) >= NAME_FOLDS:
            place = {id(d): n for n, d in enumerate(documents)}
            parts = folds(documents, NAME_FOLDS)
            outside = [[d for other in parts if other is not fold for d in other] for fold in parts]
            if self.learn_names:
                for fold, others in zip(parts, outside, strict=True):
                    names = self._learned(others)
                    names_of.update((d.id, names) for d in fold)
            if self.learn_tagger:
                jobs = [[place[id(d)] for d in others] for others in outside]
                *fold_taggers, self._final_tagger = self._taggers(documents, [*jobs, range(len(documents))])
                for fold, tagger in zip(parts, fold_taggers, strict=True):
                    taggers_of.update((d.id, tagger) for d in fold)
        if names_of or self._names_of or taggers_of or self._taggers_of:
            self._documents.clear()
        self._names_of = names_of
        self._taggers_of = taggers_of

    def _choose(self, documents: Sequence[GoldDocument]) -> tuple[float, float, float]:
        """The (C, threshold) with the best F1 over inner held-out folds of ``documents``,
        and that F1. The C is the best one's; the threshold is the middle one of those
        whose F1 is within :data:`PLATEAU` of the best. The F1 is flat over a wide range
        of thresholds (0.8433 to 0.8442 from 0.18 to 0.35 for the shipped model), and the
        best of a flat range moved by 0.05 at each retraining on slightly changed rows."""
        if len(self.regularisation) * len(self.thresholds) == 1 or len(documents) < INNER_FOLDS * 2:
            return self.regularisation[0], self.thresholds[0], 0.0
        self.rows(documents)  # every feature of these documents gets its column first
        inner = folds(documents, INNER_FOLDS)
        best: tuple[float, float, list[float]] = (-1.0, self.regularisation[0], [])
        for c in self.regularisation:
            decided = []
            for i, fold in enumerate(inner):
                training = self.rows([d for j, f in enumerate(inner) if j != i for d in f])
                coefficients, intercept = fit(training, c, self.unlearnt(training))
                decided.append(_best_options(self.rows(fold), coefficients, intercept))
            curve = [_f1(decided, threshold) for threshold in self.thresholds]
            if max(curve) > best[0] + 1e-9:
                best = (max(curve), c, curve)
        f1, c, curve = best
        return c, middle_of_best(self.thresholds, curve), f1


def middle_of_best(thresholds: Sequence[float], curve: Sequence[float], plateau: float = PLATEAU) -> float:
    """The middle one (the lower of two) of the ``thresholds`` whose F1 in ``curve`` is
    within ``plateau`` of the best."""
    best = max(curve)
    near = [t for t, f in zip(thresholds, curve, strict=True) if f >= best - plateau]
    return near[(len(near) - 1) // 2]


def _best_options(
    rows: Rows, coefficients: np.ndarray, intercept: float
) -> tuple[np.ndarray, np.ndarray, int]:
    """For each span of ``rows``: the probability of its best option (the first of equals)
    and whether that option is right; and the rows' scored gold mentions."""
    import numpy as np

    width = rows.matrix.shape[1]
    coefficients = np.pad(coefficients[:width], (0, max(0, width - len(coefficients))))
    scores = rows.matrix @ coefficients + intercept
    best = np.empty(len(rows.starts))
    right = np.zeros(len(rows.starts), dtype=bool)
    ends = np.append(rows.starts[1:], len(scores))
    for n, (start, end) in enumerate(zip(rows.starts, ends, strict=True)):
        at = start + int(np.argmax(scores[start:end]))
        best[n], right[n] = scores[at], rows.labels[at]
    return 1.0 / (1.0 + np.exp(-best)), right, rows.gold


def _f1(decided: Sequence[tuple[np.ndarray, np.ndarray, int]], threshold: float) -> float:
    """Strict F1 of linking each span to its best option when that reaches ``threshold``
    (gold mentions the rules never proposed count as misses)."""
    tp = sum(int((right & (p >= threshold)).sum()) for p, right, _ in decided)
    linked = sum(int((p >= threshold).sum()) for p, _, _ in decided)
    gold = sum(g for _, _, g in decided)
    precision = tp / linked if linked else 0.0
    recall = tp / gold if gold else 0.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def fit(rows: Rows, c: float, unlearnt: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """The coefficients (one per column) and intercept of a logistic regression over
    ``rows``; a column no row uses, or listed in ``unlearnt``, gets 0."""
    import numpy as np
    from scipy.sparse import diags
    from sklearn.linear_model import LogisticRegression

    if rows.labels.all() or not rows.labels.any():
        return np.zeros(rows.matrix.shape[1]), 10.0 if rows.labels.all() else -10.0
    matrix = rows.matrix
    if unlearnt is not None and len(unlearnt):
        keep = np.ones(matrix.shape[1])
        keep[unlearnt[unlearnt < matrix.shape[1]]] = 0.0
        matrix = (matrix @ diags(keep)).tocsr()
    # to 1e-6, not liblinear's 1e-4: at 1e-4 the weights it stops at depend on the order of
    # the columns (the order the documents first show the features in), and two correct
    # cross-validations of the same code differed by 20 true positives on NCBI
    regression = LogisticRegression(C=c, solver="liblinear", max_iter=1000, random_state=0, tol=1e-6)
    regression.fit(matrix, rows.labels.astype(int))
    return regression.coef_[0], float(regression.intercept_[0])
