"""The text parts of an article that are searched for mentions, with stable part names.

A part name is the path of the part inside its article ("title", "abstract",
"section/2/paragraph/3", "figure/1/caption"); annotations are placed on it, and the RDF
mapping mints the part's IRI from the same path.
"""

from __future__ import annotations

from litkg.records import Article


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
