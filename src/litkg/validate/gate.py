"""The SHACL gate at the smallest unit: a part that fails the shapes costs that part, not
its article.

:func:`failing_parts` places each violation of an article's graph on the part it comes
from -- an annotation, a figure (with its caption and supplements), a reference (its
entry, its citation or the description of the work it cites), a text part, an
optional field of the article itself -- and :func:`without_failing_parts` gives the
article without them, with a :class:`~litkg.parse.repair.Repair` for each. A reference that
cannot be published keeps its entry with the printed string only. A violation that no
part explains (the article's title, its authors, its year) leaves the article rejected.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from litkg.link import Mention
from litkg.parse.repair import Repair
from litkg.rdf.namespaces import DCTERMS, PRISM
from litkg.records import Article, Reference
from litkg.validate import Violation

# Properties of the article node whose values can be left out without the article
# losing what describes it, and the record field each comes from.
_OPTIONAL_ARTICLE_FIELDS = {
    str(PRISM.startingPage): "first_page",
    str(PRISM.endingPage): "last_page",
    str(PRISM.publicationDate): "published",
    str(PRISM.keyword): "keywords",
    str(DCTERMS.abstract): "abstract",
    str(DCTERMS.dateAccepted): "accepted",
    str(DCTERMS.bibliographicCitation): "citation",
    str(DCTERMS.publisher): "publisher",
}
# Statements the article graph holds as parts {article}/{slug}, and their record fields.
_OPTIONAL_PARTS = {
    "acknowledgements": "acknowledgements",
    "competing-interests": "competing_interests",
    "funding": "funding",
}
_EMPTY: dict[str, object] = {
    "keywords": (),
    "funding": (),
}


@dataclass
class FailingParts:
    """Where the violations of one article graph come from."""

    mentions: dict[int, list[str]] = field(default_factory=dict)  # index -> messages
    figures: dict[str, list[str]] = field(default_factory=dict)  # part path -> messages
    references: dict[int, list[str]] = field(default_factory=dict)  # index -> messages
    fields: dict[str, list[str]] = field(default_factory=dict)  # record field -> messages
    sections: dict[str, list[str]] = field(default_factory=dict)  # appendix, sub-article path -> messages
    unplaced: list[Violation] = field(default_factory=list)

    @property
    def droppable(self) -> bool:
        return bool(self.mentions or self.figures or self.references or self.fields or self.sections)


def failing_parts(
    violations: Sequence[Violation],
    article: Article,
    node: str,
    mentions: Sequence[Mention],
    cited: Sequence[str],
    described: Mapping[tuple[str, str], Sequence[str]],
) -> FailingParts:
    """Place each violation on the part of the article it comes from.

    ``node`` is the article's IRI, ``cited`` the IRI of the work each reference cites
    (in reference order), ``described`` the description lines by key as
    :func:`~litkg.rdf.mapping.article_lines` gives them."""
    found = FailingParts()
    figure_parts = sorted((figure.part for figure in article.figures), key=len, reverse=True)
    numbers = {reference.number: i for i, reference in enumerate(article.references)}
    for violation in violations:
        message = violation.describe()
        placed = _place_own(violation, message, node, article, mentions, figure_parts, numbers, found)
        if not placed and not _place_described(violation, message, mentions, cited, described, found):
            found.unplaced.append(violation)
    return found


def _place_own(
    violation: Violation,
    message: str,
    node: str,
    article: Article,
    mentions: Sequence[Mention],
    figure_parts: Sequence[str],
    numbers: Mapping[int | None, int],
    found: FailingParts,
) -> bool:
    """A violation on the article node or one of the parts minted under it."""
    focus = violation.focus
    if focus == node:
        name = _OPTIONAL_ARTICLE_FIELDS.get(violation.path or "")
        if name is None:
            return False
        found.fields.setdefault(name, []).append(message)
        return True
    if not focus.startswith(node + "/"):
        return False
    rest = focus[len(node) + 1 :]
    kind, _, tail = rest.partition("/")
    number = tail.split("/", 1)[0]
    if kind == "annotation" and number.isdigit() and 0 < int(number) <= len(mentions):
        found.mentions.setdefault(int(number) - 1, []).append(message)
        return True
    if kind in ("reference", "citation") and number.isdigit() and int(number) in numbers:
        found.references.setdefault(numbers[int(number)], []).append(message)
        return True
    figure = next((p for p in figure_parts if rest == p or rest.startswith(p + "/")), None)
    if figure is not None:
        found.figures.setdefault(figure, []).append(message)
        return True
    section = next(
        (s.path for s in article.sections if s.path and (rest == s.path or rest.startswith(s.path + "/"))),
        None,
    )
    if section is not None:
        found.sections.setdefault(section, []).append(message)
        return True
    if kind in _OPTIONAL_PARTS:
        found.fields.setdefault(_OPTIONAL_PARTS[kind], []).append(message)
        return True
    in_part = [i for i, mention in enumerate(mentions) if rest == mention.part]
    for index in in_part:  # a text part described for the mentions in it
        found.mentions.setdefault(index, []).append(message)
    return bool(in_part)


def _place_described(
    violation: Violation,
    message: str,
    mentions: Sequence[Mention],
    cited: Sequence[str],
    described: Mapping[tuple[str, str], Sequence[str]],
    found: FailingParts,
) -> bool:
    """A violation on a node the article's graph describes: a cited work (or its people,
    journal, identifiers) or an ontology term."""
    subject = f"<{violation.focus}> "
    placed = False
    for (kind, key), lines in described.items():
        if kind == "about" or not any(line.startswith(subject) for line in lines):
            continue
        if kind == "work":
            for index, work in enumerate(cited):
                if work == key:
                    found.references.setdefault(index, []).append(message)
                    placed = True
        elif kind == "term":
            for index, mention in enumerate(mentions):
                if mention.curie == key:
                    found.mentions.setdefault(index, []).append(message)
                    placed = True
    return placed


def printed_only(reference: Reference) -> Reference:
    """A reference reduced to its entry: the printed string, its number and line."""
    return Reference(
        number=reference.number,
        raw=reference.raw,
        note=reference.note,
        line=reference.line,
        element=reference.element,
    )


def without_failing_parts(
    article: Article, mentions: Sequence[Mention], failing: FailingParts
) -> tuple[Article, list[Mention], list[Repair]]:
    """The article and mentions without the failing parts, and a repair for each part
    dropped (or, for a reference, reduced to its printed string)."""
    source = article.source
    repairs: list[Repair] = []

    def why(messages: list[str]) -> str:
        return "; ".join(dict.fromkeys(messages))

    kept_mentions = []
    for index, mention in enumerate(mentions):
        if index in failing.mentions:
            repairs.append(
                Repair(
                    source,
                    f"annotation {index + 1}",
                    "",
                    "dropped",
                    why(failing.mentions[index]),
                    f"{mention.curie} {mention.exact!r} in {mention.part}",
                )
            )
        else:
            kept_mentions.append(mention)
    dropped = set(failing.figures)
    figures = []
    for figure in article.figures:
        gone = figure.part in dropped or any(figure.part.startswith(f"{p}/") for p in dropped)
        if gone:
            reason = why(failing.figures.get(figure.part, [])) or "its figure was dropped"
            repairs.append(Repair(source, figure.part, "", "dropped", reason, figure.label))
            kept_mentions = [m for m in kept_mentions if not m.part.startswith(f"{figure.part}/")]
        else:
            figures.append(figure)
    sections = []
    for section in article.sections:
        if section.path in failing.sections:
            repairs.append(
                Repair(
                    source, section.path, "", "dropped", why(failing.sections[section.path]), section.title
                )
            )
            kept_mentions = [m for m in kept_mentions if not m.part.startswith(f"{section.path}/")]
        else:
            sections.append(section)
    references = list(article.references)
    for index, messages in sorted(failing.references.items()):
        reference = references[index]
        references[index] = printed_only(reference)
        repairs.append(
            Repair(
                source,
                f"reference {reference.number}",
                "description",
                "dropped",
                why(messages),
                reference.raw,
                line=reference.line,
                element=reference.element,
            )
        )
    changes: dict[str, object] = {}
    for name, messages in sorted(failing.fields.items()):
        before = getattr(article, name)
        changes[name] = _EMPTY.get(name)
        repairs.append(Repair(source, "article", name, "dropped", why(messages), str(before)))
    cut = replace(
        article,
        figures=tuple(figures),
        sections=tuple(sections),
        references=tuple(references),
        **changes,  # type: ignore[arg-type]  # each field gets its own empty value (_EMPTY)
    )
    return cut, kept_mentions, repairs
