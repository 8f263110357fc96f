"""The files the reader's desk script (``static/desk/``) reads, written beside the pages:

- ``papers/<slug>/cite.bib``: the paper's BibTeX entry, as its page's "Cite" section shows it.
- ``papers/<slug>/desk.json``: what a card shows (plain-text title, byline, summary, topics), the BibTeX entry and
  the paper's vector, base64. Saving a paper stores this record in the reader's browser, so the saved list, its
  exports and the recommendations keep working once the paper has left every list page.
- ``desk/recent.bin``: the vectors of the papers listed in the last ``[desk] recent_days`` days, for the "for you"
  page. Gzip (fixed header, no name, no time) of: a little-endian ``uint32`` header length, the header (UTF-8
  JSON: ``{"version", "dims", "days", "newest", "papers": [slug, ...]}``, papers in site order) and then one row
  of ``dims`` signed bytes per paper, in the header's order. The browser inflates it with ``DecompressionStream``.

A paper's two files change only when the paper (or its topics' names, or the site's title and base URL) does, or
when its vector does; vectors change only for new and edited papers until the vector model's reference grows
(``desk/vectors.py``). A new day therefore rewrites ``desk/recent.bin`` and the new papers' files.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import json
import struct
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from generator.desk.bibtex import bibtex_entry
from generator.desk.vectors import DIMS
from generator.incremental.output import Output
from generator.model import Paper
from generator.site.assemble import Site
from generator.text.markup import plain_text
from generator.text.mathml import plain_tex
from generator.urls import paper_path

FORMAT = 1
"""The version of ``desk.json`` and ``desk/recent.bin``; ``static/desk/`` reads this version only."""
RECENT = "desk/recent.bin"
SUMMARY = 260
"""Characters of the abstract a card shows (``partials/paper_card.html``: ``plain(260)``)."""
BYLINE_AUTHORS = 3
"""Authors a card names (``partials/byline.html``)."""


def cite(site: Site, paper: Paper) -> str:
    """The paper's BibTeX entry, for its page, its ``cite.bib`` and its ``desk.json``."""
    return bibtex_entry(paper, page_url=site.urls.absolute(paper_path(paper.slug)), site_title=site.config.title)


def desk_record(site: Site, paper: Paper, vector: bytes | None) -> dict[str, Any]:
    """``desk.json``: what the desk keeps of a saved paper (``static/desk/store.js:cleanRecord`` reads it)."""
    names = site.topic_names
    record: dict[str, Any] = {
        "version": FORMAT,
        "slug": paper.slug,
        "title": plain_text(plain_tex(paper.title)),
        "date": paper.date.isoformat() if paper.date else None,
        "listed": paper.listed.isoformat() if paper.listed else None,
        "authors": list(paper.authors[:BYLINE_AUTHORS]) or None,
        "authors_count": len(paper.authors) or paper.authors_count,
        "organization": paper.organization,
        "upvotes": paper.upvotes,
        "comments": paper.comments,
        "topics": [[slug, names[slug]] for slug in paper.topics if slug in names],
        "summary": plain_text(plain_tex(paper.abstract), SUMMARY),
        "bib": cite(site, paper),
        "vector": base64.b64encode(vector or bytes(DIMS)).decode("ascii"),
    }
    return {key: value for key, value in record.items() if value is not None}


def window(papers: Sequence[Paper], days: int) -> list[Paper]:
    """The papers listed in the ``days`` days up to the newest listed day, in the order given."""
    listed = [paper.listed for paper in papers if paper.listed]
    if not listed:
        return []
    first = max(listed) - dt.timedelta(days=days - 1)
    return [paper for paper in papers if paper.listed and paper.listed >= first]


def recent_file(papers: Sequence[Paper], vectors: Mapping[str, bytes], days: int) -> bytes:
    """``desk/recent.bin`` for the window ``papers`` (see the module text)."""
    newest = max((paper.listed for paper in papers if paper.listed), default=None)
    header = {
        "version": FORMAT,
        "dims": DIMS,
        "days": days,
        "newest": newest.isoformat() if newest else None,
        "papers": [paper.slug for paper in papers],
    }
    head = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    rows = b"".join(vectors.get(paper.slug) or bytes(DIMS) for paper in papers)
    return gzip.compress(struct.pack("<I", len(head)) + head + rows, compresslevel=9, mtime=0)


def desk_files(site: Site, vectors: Mapping[str, bytes]) -> Iterator[tuple[str, bytes]]:
    """Every desk file, by site-relative path, in a fixed order."""
    for paper in site.papers:
        folder = paper_path(paper.slug)
        record = desk_record(site, paper, vectors.get(paper.slug))
        yield folder + "cite.bib", record["bib"].encode("utf-8")
        yield folder + "desk.json", json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    days = site.config.desk_recent_days
    yield RECENT, recent_file(window(site.papers, days), vectors, days)


def write_desk(site: Site, out: Output, vectors: Mapping[str, bytes]) -> None:
    """Write every desk file into the build's output."""
    for path, data in desk_files(site, vectors):
        out.write(path, data)
