"""Ingest: listings -> one content file per paper, merged, deduplicated, idempotent.

Merge rules (also in the README):
- Identity: the arXiv id, else the normalised title as a listing showed it (``title_keys``), else the
  normalised current title. Editing a title never creates a second file.
- Listings apply oldest first (by listing date, then path), so the newest listing that has a counter wins;
  ``listed`` (and ``published``, which a listing may only guess) is the earliest day seen; a listing that lacks a
  field never erases it.
- Once a file exists its title, body, topics and any key papersite does not know belong to the maintainer.
- The slug (file name) never changes, even when an arXiv id is learned later.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from generator.content.document import DocumentError, dump_document, keep_comments, read_document, write_atomic
from generator.content.fields import FROM_LISTING
from generator.content.paper import duplicate_papers
from generator.content.paths import display_path
from generator.ingest.listings import read_listing
from generator.model import Entry, Listing, Problem

SLUG_MAX = 80
TITLE_MAX = 500
"""Longer titles are cut (with a warning): real ones stay under 300 characters; longer is a broken scrape."""


def normalize_title(title: str) -> str:
    """Identity form of a title: ASCII-folded where possible, lowercase, words of letters and digits."""
    folded = unicodedata.normalize("NFKD", title).casefold()
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return " ".join(re.findall(r"\w+", folded))


def slugify(title: str) -> str:
    """ASCII, lowercase, dashes, at most 80 characters cut at a word boundary; a hash if nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", ascii_text)
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > SLUG_MAX:
            break
        slug = candidate
    if not slug and words:
        slug = words[0][:SLUG_MAX]
    return slug or "paper-" + hashlib.sha1(title.encode("utf-8", "surrogatepass")).hexdigest()[:10]


def shorten_title(title: str) -> str:
    """``title`` cut to at most ``TITLE_MAX`` characters, at a space when one is near the end, with an ellipsis."""
    cut = title[: TITLE_MAX - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > TITLE_MAX // 2 else cut).rstrip() + "…"


def numbered_slug(base: str, number: int) -> str:
    """``base-N`` within ``SLUG_MAX``, shortening ``base`` at a word boundary when it must."""
    suffix = f"-{number}"
    if len(base) + len(suffix) <= SLUG_MAX:
        return base + suffix
    cut = base[: SLUG_MAX - len(suffix) + 1]
    cut = cut.rsplit("-", 1)[0] if "-" in cut else cut[:-1]
    return cut + suffix


def arxiv_slug(arxiv: str) -> str:
    return re.sub(r"[^A-Za-z0-9.]+", "-", arxiv).strip("-").lower()


@dataclass
class _Record:
    """A content file being merged: its front matter, body, and whether it existed before."""

    meta: dict[str, Any]
    body: str
    existed: bool
    path: Path
    newest_abstract: tuple[date, str] | None = None
    touched: set[str] = field(default_factory=set)
    source: str = ""
    """The file's text as read, so a rewrite keeps the maintainer's ``#`` comments."""


@dataclass(frozen=True, slots=True)
class IngestReport:
    problems: tuple[Problem, ...]
    listings: int
    entries: int
    written: tuple[str, ...]
    papers: int


def _listing_order(listing: Listing) -> tuple[date, str]:
    """Oldest first: the listing's own date, else its newest entry's listed day, then the path."""
    days = [entry.listed for entry in listing.entries if entry.listed]
    return (listing.date or max(days, default=date.min), listing.path)


def _listing_values(entry: Entry) -> dict[str, Any]:
    """The entry's value of each field the newest listing sets (``fields.FROM_LISTING``): None where the listing has
    none, lists as lists; ``authors_count`` is the number of names when the entry has them."""
    values: dict[str, Any] = {}
    for spec in FROM_LISTING:
        value = getattr(entry, spec.name)
        values[spec.name] = (list(value) or None) if spec.kind == "list" else value
    if entry.authors:
        values["authors_count"] = len(entry.authors)
    return values


def _apply(record: _Record, entry: Entry, listing: Listing) -> None:
    """Fold one entry into a record. Later (newer) listings overwrite counters and machine fields."""
    meta = record.meta
    day = entry.listed or listing.date
    # Older than what the file already reflects (e.g. `ingest old.txt` run alone): fill gaps, overwrite nothing.
    last = meta.get("updated")
    older = bool(day and isinstance(last, date) and day < last)
    if entry.arxiv and not meta.get("arxiv"):
        meta["arxiv"] = entry.arxiv
    if day and (not isinstance(meta.get("listed"), date) or day < meta["listed"]):
        meta["listed"] = day
    if day and (not isinstance(meta.get("updated"), date) or day > meta["updated"]):
        meta["updated"] = day
    # The arXiv date never moves later; a later one is a listing's fallback (its page date), so keep the earliest.
    if entry.published and (not isinstance(meta.get("published"), date) or entry.published < meta["published"]):
        meta["published"] = entry.published
    for key, value in _listing_values(entry).items():
        if value is not None and not (older and meta.get(key) is not None):
            meta[key] = value
    if entry.links:
        links = dict(meta.get("links") or {})
        links.update((k, v) for k, v in entry.links if not (older and k in links))
        meta["links"] = dict(sorted(links.items()))
    name = Path(listing.path).name
    meta["sources"] = sorted({*meta.get("sources", []), name})
    meta["title_keys"] = sorted({*meta.get("title_keys", []), normalize_title(entry.title)})
    if not record.existed:
        meta["title"] = entry.title
        if entry.abstract and (record.newest_abstract is None or (day or date.min) >= record.newest_abstract[0]):
            record.newest_abstract = (day or date.min, entry.abstract)
            record.body = entry.abstract


def ingest(listing_paths: list[Path], papers_dir: Path, page_date: date | None = None) -> IngestReport:
    """Merge every listing into ``papers_dir``. Writes nothing if an existing content file is broken."""
    problems: list[Problem] = []
    records: dict[str, _Record] = {}
    for stale in papers_dir.glob(".*.md.*.tmp") if papers_dir.is_dir() else []:
        stale.unlink(missing_ok=True)  # write_atomic's temp file, left by a killed ingest: never content
    for path in sorted(papers_dir.glob("*.md")) if papers_dir.is_dir() else []:
        shown = display_path(path)
        try:
            source = path.read_text(encoding="utf-8")
            meta, body, _ = read_document(source)
        except DocumentError as exc:
            problems.append(Problem(shown, exc.line, "error", f"{exc}; fix it before ingesting"))
            continue
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(shown, 0, "error", f"cannot read content file: {exc}"))
            continue
        records[path.stem] = _Record(meta=meta, body=body, existed=True, path=path, source=source)
    claims = [
        (display_path(r.path), r.meta.get("arxiv") if isinstance(r.meta.get("arxiv"), str) else None)
        for r in records.values()
    ]
    problems += duplicate_papers(claims)
    if any(p.severity == "error" for p in problems):
        return IngestReport(tuple(problems), 0, 0, (), len(records))

    by_arxiv: dict[str, str] = {}
    by_title: dict[str, str] = {}
    for known, record in sorted(records.items()):
        arxiv = record.meta.get("arxiv")
        if isinstance(arxiv, str) and arxiv:
            by_arxiv.setdefault(arxiv, known)
        keys = [k for k in record.meta.get("title_keys") or [] if isinstance(k, str)]
        title = record.meta.get("title")
        for key in [*keys, normalize_title(title) if isinstance(title, str) else ""]:
            if key:
                by_title.setdefault(key, known)

    listings = sorted((read_listing(path, page_date) for path in listing_paths), key=_listing_order)
    entries = 0
    for listing in listings:
        problems += listing.problems
        seen_here: dict[str, int] = {}
        for entry in listing.entries:
            entries += 1
            if len(entry.title) > TITLE_MAX:
                message = f"title is {len(entry.title):,} characters; cut to {TITLE_MAX} (is the abstract in it?)"
                entry = replace(entry, title=shorten_title(entry.title))
                problems.append(Problem(listing.path, entry.line, "warning", message))
            key = normalize_title(entry.title)
            if not key and not entry.arxiv:
                problems.append(Problem(listing.path, entry.line, "warning", "entry has no title; skipped"))
                continue
            slug = by_arxiv.get(entry.arxiv) if entry.arxiv else None
            if slug is None and key in by_title:
                candidate = by_title[key]
                other = records[candidate].meta.get("arxiv")
                if not (entry.arxiv and other and other != entry.arxiv):
                    slug = candidate
            if slug is None:
                base = arxiv_slug(entry.arxiv) if entry.arxiv else slugify(entry.title)
                slug, number = base, 2
                while slug in records:
                    slug, number = numbered_slug(base, number), number + 1
                records[slug] = _Record(
                    meta={"title": entry.title, "slug": slug, "topics": []},
                    body="",
                    existed=False,
                    path=papers_dir / f"{slug}.md",
                )
            if slug in seen_here:
                problems.append(
                    Problem(
                        listing.path,
                        entry.line,
                        "warning",
                        f"duplicate of the entry on line {seen_here[slug]}; merged",
                    )
                )
            seen_here.setdefault(slug, entry.line)
            _apply(records[slug], entry, listing)
            if entry.arxiv:
                by_arxiv.setdefault(entry.arxiv, slug)
            by_title.setdefault(key, slug)

    written = []
    for slug, record in sorted(records.items()):
        record.meta.setdefault("slug", slug)
        text = keep_comments(record.source, dump_document(record.meta, record.body))
        if write_atomic(record.path, text):
            written.append(display_path(record.path))
    return IngestReport(tuple(problems), len(listings), entries, tuple(written), len(records))
