"""RDF: map article records to triples in the OpenCitations Data Model and Dublin Core.

Takes :class:`~litkg.records.Article` records (with their mentions, and the identity index
that makes a work cited by many articles one node) and gives triples, or the N-Triples
lines the build publishes.

Modules: ``namespaces`` (every vocabulary term, checked against the official files),
``iris`` (every IRI litkg mints), ``identity`` (which descriptions are the same work,
across a corpus), ``mapping`` (records -> triples), ``ntriples`` (the line writer),
``lines`` (an article's lines, with the shared descriptions memoised), ``metadata`` (the
dataset's VoID/DCAT/PROV description).
"""
