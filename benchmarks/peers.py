"""Field-by-field agreement of litkg's JATS reading with two peer parsers on real files.

Peers: eLife's own ``elifetools`` and ``pubmed_parser`` (both on PyPI; install them
with ``pip install -e '.[peers]'``). For each article: title, DOI, year,
volume, e-location, author surnames (people, in order), reference count and the
references' DOIs; then the recall of the references' DOIs and PMIDs that the XML prints
(``pub-id``, ``object-id``, ``ext-link``), counted from the XML itself.

    .venv/bin/python benchmarks/peers.py ../shared/corpus/elife

Prints one table of agreement per field and every disagreement, so each class of
difference can be read (the README explains them).
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from lxml import etree

from litkg.parse import iter_inputs, parse_file
from litkg.parse.references import normalise_doi
from litkg.parse.repair import repair_article
from litkg.records import Article

Fields = dict[str, object]


def _clean(value: object) -> object:
    if isinstance(value, str):
        return " ".join(value.split()).casefold() or None
    return value


def litkg_fields(article: Article) -> Fields:
    return {
        "title": article.title,
        "doi": article.doi,
        "year": article.year,
        "volume": article.volume,
        "elocation": article.first_page if (article.first_page or "").startswith("e") else None,
        "surnames": [p.family for p in article.authors if not p.group],
        "references": len(article.references),
        "reference DOIs": sorted({r.doi for r in article.references if r.doi}),
    }


def elifetools_fields(path: Path) -> Fields:
    import elifetools.parseJATS as jats

    soup = jats.parse_document(str(path))
    date = jats.pub_date(soup)
    refs = jats.refs(soup)
    return {
        "title": jats.title(soup),
        "doi": (jats.doi(soup) or "").lower() or None,
        "year": date.tm_year if date else None,
        "volume": jats.volume(soup),
        "elocation": jats.elocation_id(soup),
        "surnames": [
            a["surname"] for a in jats.authors(soup) if a.get("type") != "group" and a.get("surname")
        ],
        "references": len(refs),
        "reference DOIs": sorted({normalise_doi(r["doi"]) for r in refs if r.get("doi")}),
    }


def pubmed_parser_fields(path: Path) -> Fields:
    import pubmed_parser

    meta = pubmed_parser.parse_pubmed_xml(str(path))
    refs = pubmed_parser.parse_pubmed_references(str(path)) or []
    authors = meta.get("author_list") or []
    return {
        "title": meta.get("full_title"),
        "doi": (meta.get("doi") or "").lower() or None,
        "year": int(meta["publication_year"]) if meta.get("publication_year") else None,
        "volume": None,  # not read by pubmed_parser
        "elocation": None,  # not read
        "surnames": [a[0] for a in authors],
        "references": len(refs),
        "reference DOIs": sorted({normalise_doi(r["doi_cited"]) for r in refs if r.get("doi_cited")}),
    }


def printed_identifiers(root: etree._Element) -> list[tuple[set[str], set[str]]]:
    """Per ``ref``: the DOIs and PMIDs it prints in a pub-id, object-id or ext-link."""
    found = []
    for ref in root.iter("ref"):
        dois, pmids = set(), set()
        for element in ref.iter("pub-id", "object-id"):
            kind, text = element.get("pub-id-type"), "".join((element.text or "").split())
            if kind == "doi":
                dois.add(normalise_doi(text))
            elif kind == "pmid":
                pmids.add(re.sub(r"\D", "", text))
        for link in ref.iter("ext-link"):
            href = link.get("{http://www.w3.org/1999/xlink}href") or ""
            if link.get("ext-link-type") == "doi" or "doi.org/" in href:
                dois.add(normalise_doi(href))
        found.append((dois, pmids))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", nargs="+", help="JATS files or directories (gzip allowed)")
    args = parser.parse_args(argv)
    peers: dict[str, Callable[[Path], Fields]] = {
        "elifetools": elifetools_fields,
        "pubmed_parser": pubmed_parser_fields,
    }
    agree: dict[tuple[str, str], int] = {}
    compared: dict[tuple[str, str], int] = {}
    disagreements: list[str] = []
    recall = {"doi": [0, 0], "pmid": [0, 0]}
    paths = list(iter_inputs(args.inputs))
    with tempfile.TemporaryDirectory() as scratch:
        for path in paths:
            data = path.read_bytes()
            plain = Path(scratch) / path.name.removesuffix(".gz")
            plain.write_bytes(gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data)
            article, _ = repair_article(parse_file(path))
            mine = litkg_fields(article)
            for peer, read in peers.items():
                try:
                    theirs = read(plain)
                except Exception as exc:  # noqa: BLE001 - a peer failing on a file is a finding
                    disagreements.append(f"{path.name}: {peer} failed: {type(exc).__name__}: {exc}")
                    continue
                for field, value in mine.items():
                    other = theirs.get(field)
                    if other is None and field in ("volume", "elocation") and peer == "pubmed_parser":
                        continue
                    key = (peer, field)
                    compared[key] = compared.get(key, 0) + 1
                    if _clean(value) == _clean(other):
                        agree[key] = agree.get(key, 0) + 1
                    else:
                        disagreements.append(f"{path.name}: {field}: litkg {value!r} | {peer} {other!r}")
            root = etree.fromstring(plain.read_bytes())
            for (dois, pmids), reference in zip(printed_identifiers(root), article.references, strict=False):
                for scheme, wanted, got in (("doi", dois, reference.doi), ("pmid", pmids, reference.pmid)):
                    if wanted:
                        recall[scheme][1] += 1
                        recall[scheme][0] += got in wanted
    fields = list(litkg_fields(article).keys()) if paths else []
    print(f"{len(paths)} articles: agreement of litkg with each peer, field by field")
    print(f"{'field':<16}" + "".join(f"{peer:>16}" for peer in peers))
    for field in fields:
        cells = []
        for peer in peers:
            n = compared.get((peer, field), 0)
            cells.append(f"{agree.get((peer, field), 0)}/{n}" if n else "not read")
        print(f"{field:<16}" + "".join(f"{cell:>16}" for cell in cells))
    for scheme, (kept, printed) in recall.items():
        share = kept / printed if printed else 1.0
        print(
            f"reference {scheme.upper()}s printed in the XML and kept by litkg: "
            f"{kept}/{printed} ({share:.3f})"
        )
    print(f"\n{len(disagreements)} disagreement(s):")
    for line in disagreements:
        print("  " + line[:300])
    return 0


if __name__ == "__main__":
    sys.exit(main())
