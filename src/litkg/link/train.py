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
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from litkg.link.annotator import Annotator, Proposal
from litkg.link.cache import out_of_collectors_sight
from litkg.link.evaluate import GoldDocument, folds
from litkg.link.model import LinkingModel, named_term, option_features, span_features

if TYPE_CHECKING:
    import numpy as np
    from scipy.sparse import csr_matrix

REGULARISATION = (0.1, 0.3, 1.0, 3.0)  # the values of C tried
THRESHOLDS = tuple(round(0.2 + 0.05 * i, 2) for i in range(13))  # 0.2 .. 0.8
INNER_FOLDS = 3


@dataclass(frozen=True)
class Example:
    """One span of one document: its options' features and which options are right."""

    options: tuple[tuple[str, ...], ...]
    right: tuple[bool, ...]


def _overlapping(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def examples_of(document: GoldDocument, proposals: Sequence[Proposal]) -> list[Example]:
    """The training examples of one gold document, given the rules' proposals over its text."""
    found = []
    for proposal in proposals:
        span = proposal.span
        ontology = span.curie.split(":", 1)[0]
        gold = [m for m in document.mentions if m.ontology == ontology]
        if any(not g.mappable and _overlapping((g.start, g.end), (span.start, span.end)) for g in gold):
            continue
        concepts: dict[tuple[int, int], set[str]] = defaultdict(set)
        for g in gold:
            if g.end == span.end:
                concepts[g.start, g.end] |= g.concepts
        shared = span_features(proposal.context)
        found.append(
            Example(
                tuple(tuple(option_features(proposal.context, o, shared)) for o in proposal.options),
                tuple(
                    o.curie in concepts.get((span.start if o.start is None else o.start, span.end), ())
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
    _vocabulary: dict[str, int] = field(default_factory=dict)
    _documents: dict[str, DocumentRows] = field(default_factory=dict)

    def _rows_of(self, document: GoldDocument) -> DocumentRows:
        found = self._documents.get(document.id)
        if found is None:
            with out_of_collectors_sight():
                examples = examples_of(document, self.annotator.proposals([("text", document.text)]))
            vocabulary = self._vocabulary
            found = self._documents[document.id] = DocumentRows(
                [[vocabulary.setdefault(f, len(vocabulary)) for f in o] for e in examples for o in e.options],
                [right for e in examples for right in e.right],
                [len(e.options) for e in examples],
                sum(m.mappable for m in document.mentions),
            )
        return found

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

    def unlearnt(self, rows: Rows) -> np.ndarray:
        """The columns of term features about a term no training span is right for: a gold
        corpus annotated with an older release never uses the terms added since (CRAFT's CL
        has no "bone marrow cell"), and the model must not learn to drop them everywhere."""
        import numpy as np

        names = self._names()
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
        """A model trained on ``documents``, its C and threshold chosen by inner folds."""
        c, threshold, inner_f1 = self._choose(documents)
        rows = self.rows(documents)
        coefficients, intercept = fit(rows, c, self.unlearnt(rows))
        names = self._names()
        weights = {
            name: round(float(w), 6)
            for name, w in zip(names, coefficients[: len(names)], strict=True)
            if abs(w) >= 1e-6
        }
        details = {"C": c, "inner_cv_f1": round(inner_f1, 4), "documents": len(documents)}
        trained_on = tuple(sorted(d.id for d in documents))
        return LinkingModel(weights, round(intercept, 6), threshold, trained_on, {**details, **(about or {})})

    def _choose(self, documents: Sequence[GoldDocument]) -> tuple[float, float, float]:
        """The (C, threshold) with the best F1 over inner held-out folds of ``documents``."""
        if len(self.regularisation) * len(self.thresholds) == 1 or len(documents) < INNER_FOLDS * 2:
            return self.regularisation[0], self.thresholds[0], 0.0
        self.rows(documents)  # every feature of these documents gets its column first
        inner = folds(documents, INNER_FOLDS)
        best = (-1.0, self.regularisation[0], self.thresholds[0])
        for c in self.regularisation:
            decided = []
            for i, fold in enumerate(inner):
                training = self.rows([d for j, f in enumerate(inner) if j != i for d in f])
                coefficients, intercept = fit(training, c, self.unlearnt(training))
                decided.append(_best_options(self.rows(fold), coefficients, intercept))
            for threshold in self.thresholds:
                f1 = _f1(decided, threshold)
                if f1 > best[0] + 1e-9:
                    best = (f1, c, threshold)
        return best[1], best[2], best[0]


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
    regression = LogisticRegression(C=c, solver="liblinear", max_iter=1000, random_state=0)
    regression.fit(matrix, rows.labels.astype(int))
    return regression.coef_[0], float(regression.intercept_[0])
