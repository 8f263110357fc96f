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
from generator.incremental.cache import PageCache
from generator.incremental.fingerprint import Fingerprint
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


def paper_files(site: Site, paper: Paper, vector: bytes | None) -> tuple[tuple[str, bytes], tuple[str, bytes]]:
    """A paper's ``cite.bib`` and ``desk.json``, by site-relative path."""
    folder = paper_path(paper.slug)
    record = desk_record(site, paper, vector)
    return (
        (folder + "cite.bib", record["bib"].encode("utf-8")),
        (folder + "desk.json", json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")),
    )


def desk_files(site: Site, vectors: Mapping[str, bytes]) -> Iterator[tuple[str, bytes]]:
    """Every desk file, by site-relative path, in a fixed order."""
    for paper in site.papers:
        yield from paper_files(site, paper, vectors.get(paper.slug))
    days = site.config.desk_recent_days
    yield RECENT, recent_file(window(site.papers, days), vectors, days)


def write_desk(
    site: Site,
    out: Output,
    vectors: Mapping[str, bytes],
    fingerprint: Fingerprint | None = None,
    pages: PageCache | None = None,
    previous: PageCache | None = None,
) -> int:
    """Write every desk file into the build's output; return for how many papers they were made, not linked.

    With ``fingerprint`` (the page queue's: its salt covers papersite's code and the config), a paper whose files'
    inputs (the paper, its vector, its topics' names) are those the published site's files were made from gets both
    hard-linked from it, as an unchanged page is (``previous``: the published site's page cache). A new day makes
    the files of its new papers only. ``pages`` records every file for the next build."""
    names = site.topic_names
    known = previous.pages if previous is not None else {}
    made = 0
    for paper in site.papers:
        vector = vectors.get(paper.slug)
        folder = paper_path(paper.slug)
        key = b""
        if fingerprint is not None:
            topics = repr([(slug, names.get(slug)) for slug in paper.topics]).encode("utf-8", "surrogatepass")
            key = fingerprint.of_paper(paper, b"desk %d" % FORMAT, b"-" if vector is None else b"v" + vector, topics)
            if _linked(out, known, key, (folder + "cite.bib", folder + "desk.json"), pages):
                continue
        for file, data in paper_files(site, paper, vector):
            size, mtime = out.put(file, data)
            out.files.append(file)
            if pages is not None:
                pages.pages[file] = (key, size, mtime)
        made += 1
    days = site.config.desk_recent_days
    out.write(RECENT, recent_file(window(site.papers, days), vectors, days))
    return made


def _linked(
    out: Output,
    known: Mapping[str, tuple[bytes, int, int]],
    key: bytes,
    files: tuple[str, str],
    pages: PageCache | None,
) -> bool:
    """Whether both ``files`` were made from ``key`` for the published site and are linked from it now."""
    olds = [known.get(file) for file in files]
    for file, old in zip(files, olds, strict=True):
        if old is None or old[0] != key or not out.link(file, old[1], old[2]):
            return False
    for file, old in zip(files, olds, strict=True):
        out.files.append(file)
        if pages is not None and old is not None:
            pages.pages[file] = old
    return True
