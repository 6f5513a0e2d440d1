"""Link: find the cell types (Cell Ontology) and diseases (MONDO) an article mentions.

Takes an :class:`~litkg.records.Article` and gives :class:`Mention` records (term, text
part, offsets, the quoted text around it), through an :class:`Annotator` over the shipped
ontology module's lexicon. Also here: which references an article discusses
(:mod:`litkg.link.discussed`) and the evaluation of mentions against gold corpora
(:mod:`litkg.link.evaluate`).

Modules: ``tokens`` (how words are compared), ``lexicon`` (the dictionary and its variant
rules), ``cache`` (the lexicon cached between processes), ``abbreviations`` (definitions in
the text), ``annotator`` (choosing mentions), ``parts`` (which text is searched),
``ontology`` (the shipped module and how it is derived).
"""

from litkg.link.annotator import Annotator, Mention
from litkg.link.parts import article_text_parts

__all__ = ["Annotator", "Mention", "article_text_parts"]
