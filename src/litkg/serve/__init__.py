"""Serve: the published graph to people and programs.

Takes a build directory (the dumps and ``metadata.ttl``) and gives SPARQL answers
(``query``), loads into SPARQL 1.1 stores such as Oxigraph and Virtuoso (``load``), and
dereferenceable linked data with HTML pages and a SPARQL endpoint (``app``, over
``views`` of the store and the time-limited ``endpoint``).
"""
