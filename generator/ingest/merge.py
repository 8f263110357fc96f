"""Ingest: listings -> one content file per paper, merged, deduplicated, idempotent.

Merge rules (also in the README):
- Identity: the arXiv id, else the normalised title as a listing showed it (``title_keys``), else the
  normalised current title (``Identities``). Editing a title never creates a second file.
- Listings apply oldest first (by listing date, then path), so the newest listing that has a counter wins;
  ``listed`` (and ``published``, which a listing may only guess) is the earliest day seen; a listing that lacks a
  field never erases it.
- Once a file exists its title, body, topics and any key papersite does not know belong to the maintainer.
- The slug (file name) never changes, even when an arXiv id is learned later.
"""

from __future__ import annotations

import bisect
import contextlib
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from generator.config import POPULAR_UPVOTES
from generator.content.document import DocumentError, dump_document, keep_comments, read_document, write_atomic
from generator.content.fields import FROM_LISTING
from generator.content.paper import duplicate_papers
from generator.content.paths import display_path
from generator.ingest.ledger import Changes, Keys, Ledger, changes, known, read_ledger, save_ledger
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
    text: str = ""
    """The file's text as last written (or found unchanged)."""


@dataclass(frozen=True, slots=True)
class IngestReport:
    problems: tuple[Problem, ...]
    listings: int
    entries: int
    written: tuple[str, ...]
    papers: int
    full: bool = True
    """Every listing and content file was read (else only the new listings and the files they touch)."""


def listing_order(listing: Listing) -> tuple[date, str]:
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


def _apply(record: _Record, entry: Entry, listing: Listing, popular: int = POPULAR_UPVOTES) -> None:
    """Fold one entry into a record. Later (newer) listings overwrite counters and machine fields. ``popular`` is the
    number of upvotes from which a paper is popular: the first listing day that shows them sets ``popular_since``,
    which never moves after (the upvotes falling back leave it)."""
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
    if (
        day
        and entry.upvotes is not None
        and entry.upvotes >= popular
        and not isinstance(meta.get("popular_since"), date)
    ):
        meta["popular_since"] = day
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


def keys_of(meta: dict[str, Any]) -> Keys:
    """What identity resolution needs of a content file's front matter."""
    arxiv = meta.get("arxiv")
    title = meta.get("title")
    titles = [k for k in meta.get("title_keys") or [] if isinstance(k, str) and k]
    if isinstance(title, str) and normalize_title(title):
        titles.append(normalize_title(title))
    sources = [s for s in meta.get("sources") or [] if isinstance(s, str)]
    return Keys(arxiv if isinstance(arxiv, str) and arxiv else None, tuple(sorted(set(titles))), tuple(sources))


class Identities:
    """Which content file an entry belongs to: the file with its arXiv id, else a file one of whose title keys is
    the entry's and whose arXiv id does not contradict it. When several files fit a title, the one the same listing
    merged into before (its ``sources``) wins; failing that the first by slug, with a warning: the answer depends on
    the files' data only, never on the order they were read or on what an earlier run did first."""

    def __init__(self) -> None:
        self.arxiv: dict[str, str] = {}
        self.titles: dict[str, list[str]] = {}
        self.keys: dict[str, Keys] = {}

    def add(self, slug: str, keys: Keys) -> None:
        """Know (or know again) a file's keys; call in slug order for the files read at the start."""
        self.keys[slug] = keys
        if keys.arxiv:
            self.arxiv.setdefault(keys.arxiv, slug)
        for key in keys.titles:
            slugs = self.titles.setdefault(key, [])
            if slug not in slugs:
                bisect.insort(slugs, slug)

    def resolve(self, entry: Entry, key: str, listing: str) -> tuple[str | None, list[str]]:
        """The slug ``entry`` (of the listing named ``listing``) merges into, or None for a new file; and the
        candidates when its title fit several files and none was the listing's own."""
        if entry.arxiv and entry.arxiv in self.arxiv:
            return self.arxiv[entry.arxiv], []
        fits = [
            slug
            for slug in self.titles.get(key, ())
            if not (entry.arxiv and self.keys[slug].arxiv and self.keys[slug].arxiv != entry.arxiv)
        ]
        if len(fits) <= 1:
            return (fits[0] if fits else None), []
        own = [slug for slug in fits if listing in self.keys[slug].sources]
        if len(own) == 1:
            return own[0], []
        return (own or fits)[0], (own or fits)


def _read_record(path: Path) -> tuple[_Record | None, Problem | None]:
    shown = display_path(path)
    try:
        source = path.read_text(encoding="utf-8")
        meta, body, _ = read_document(source)
    except DocumentError as exc:
        return None, Problem(shown, exc.line, "error", f"{exc}; fix it before ingesting")
    except (OSError, UnicodeDecodeError) as exc:
        return None, Problem(shown, 0, "error", f"cannot read content file: {exc}")
    return _Record(meta=meta, body=body, existed=True, path=path, source=source), None


class _Merge:
    """Listings folded into content files: the records read so far (``load`` reads one on demand) and who is who."""

    def __init__(
        self, papers_dir: Path, records: dict[str, _Record], identities: Identities, popular: int = POPULAR_UPVOTES
    ) -> None:
        self.papers_dir = papers_dir
        self.popular = popular
        self.records = records
        self.identities = identities
        self.touched: set[str] = set()
        self.problems: list[Problem] = []
        self.entries = 0

    def record(self, slug: str) -> _Record:
        if slug not in self.records:
            record, problem = _read_record(self.papers_dir / f"{slug}.md")
            if record is None:  # the ledger said it was fine: it changed under us, which a full ingest reports
                raise _Stale(problem)
            self.records[slug] = record
        return self.records[slug]

    def new_slug(self, entry: Entry) -> str:
        base = arxiv_slug(entry.arxiv) if entry.arxiv else slugify(entry.title)
        slug, number = base, 2
        while slug in self.identities.keys or slug in self.records or (self.papers_dir / f"{slug}.md").exists():
            slug, number = numbered_slug(base, number), number + 1
        self.records[slug] = _Record(
            meta={"title": entry.title, "slug": slug, "topics": []},
            body="",
            existed=False,
            path=self.papers_dir / f"{slug}.md",
        )
        return slug

    def listing(self, listing: Listing) -> None:
        self.problems += listing.problems
        name = Path(listing.path).name
        seen_here: dict[str, int] = {}
        for entry in listing.entries:
            self.entries += 1
            if len(entry.title) > TITLE_MAX:
                message = f"title is {len(entry.title):,} characters; cut to {TITLE_MAX} (is the abstract in it?)"
                entry = replace(entry, title=shorten_title(entry.title))
                self.problems.append(Problem(listing.path, entry.line, "warning", message))
            key = normalize_title(entry.title)
            if not key and not entry.arxiv:
                self.problems.append(Problem(listing.path, entry.line, "warning", "entry has no title; skipped"))
                continue
            slug, candidates = self.identities.resolve(entry, key, name)
            if candidates:
                files = ", ".join(f"{c}.md" for c in candidates)
                message = f"title matches {len(candidates)} papers ({files}); merged into {slug}.md"
                self.problems.append(Problem(listing.path, entry.line, "warning", message))
            slug = slug or self.new_slug(entry)
            if slug in seen_here:
                message = f"duplicate of the entry on line {seen_here[slug]}; merged"
                self.problems.append(Problem(listing.path, entry.line, "warning", message))
            seen_here.setdefault(slug, entry.line)
            record = self.record(slug)
            _apply(record, entry, listing, self.popular)
            self.touched.add(slug)
            self.identities.add(slug, keys_of(record.meta))


class _Stale(Exception):
    """A content file the ledger trusted cannot be read: fall back to a full ingest."""


def ingest(
    listing_paths: list[Path],
    papers_dir: Path,
    page_date: date | None = None,
    *,
    ledger: Path | None = None,
    full: bool = False,
    popular: int = POPULAR_UPVOTES,
) -> IngestReport:
    """Merge every listing into ``papers_dir``. Writes nothing if an existing content file is broken.

    With a ``ledger`` (``ledger.ledger_path``), what the last ingest applied is remembered: when only new listings
    came (none re-saved or deleted, none older than the newest applied, no content file edited by hand), only they
    and the files they touch are read, which gives what reading everything gives. Otherwise, or with ``full``,
    everything is read (and the ledger saved anew), as it is when ``popular`` (``[feeds] popular_upvotes``) is not the
    one the ledger's ingest used."""
    for stale in papers_dir.glob(".*.md.*.tmp") if papers_dir.is_dir() else []:
        stale.unlink(missing_ok=True)  # write_atomic's temp file, left by a killed ingest: never content
    previous = read_ledger(ledger) if ledger is not None and not full else None
    if previous is not None and ledger is not None and previous.popular == popular:
        found = changes(previous, listing_paths, papers_dir)
        if not found.changed and not found.edited:
            listings = sorted((read_listing(path, page_date) for path in found.new), key=listing_order)
            if all(listing_order(listing) > previous.newest for listing in listings):
                with contextlib.suppress(_Stale):
                    return _ingest_new(listings, papers_dir, previous, found, ledger, popular)
    return _ingest_all(listing_paths, papers_dir, page_date, ledger, popular)


def _ingest_new(
    listings: list[Listing], papers_dir: Path, previous: Ledger, found: Changes, ledger: Path, popular: int
) -> IngestReport:
    """Apply only ``listings`` (newer than every listing applied) to the files they touch."""
    identities = Identities()
    for slug in sorted(previous.keys):
        identities.add(slug, previous.keys[slug])
    merge = _Merge(papers_dir, {}, identities, popular)
    for listing in listings:
        merge.listing(listing)
    written = _write(merge.records, merge.touched)
    saved = Ledger(dict(found.listings), dict(found.files), dict(previous.keys), previous.newest, popular)
    _remember(saved, listings, merge.records, merge.touched, ledger)
    papers = len(set(previous.keys) | set(merge.records))
    return IngestReport(tuple(merge.problems), len(listings), merge.entries, written, papers, full=False)


def _ingest_all(
    listing_paths: list[Path], papers_dir: Path, page_date: date | None, ledger: Path | None, popular: int
) -> IngestReport:
    """Read every content file and apply every listing, oldest first."""
    problems: list[Problem] = []
    records: dict[str, _Record] = {}
    for path in sorted(papers_dir.glob("*.md")) if papers_dir.is_dir() else []:
        record, problem = _read_record(path)
        if record is None:
            problems.append(problem)  # type: ignore[arg-type]
        else:
            records[path.stem] = record
    claims = [
        (display_path(r.path), r.meta.get("arxiv") if isinstance(r.meta.get("arxiv"), str) else None)
        for r in records.values()
    ]
    problems += duplicate_papers(claims)
    if any(p.severity == "error" for p in problems):
        return IngestReport(tuple(problems), 0, 0, (), len(records))
    identities = Identities()
    for slug, record in sorted(records.items()):
        identities.add(slug, keys_of(record.meta))
    merge = _Merge(papers_dir, records, identities, popular)
    listings = sorted((read_listing(path, page_date) for path in listing_paths), key=listing_order)
    for listing in listings:
        merge.listing(listing)
    written = _write(records, set(records))
    if ledger is not None:
        _remember(Ledger(popular=popular), listings, records, set(records), ledger)
    return IngestReport(tuple(problems + merge.problems), len(listings), merge.entries, written, len(records))


def _write(records: dict[str, _Record], slugs: set[str]) -> tuple[str, ...]:
    """Write the records ``slugs`` (those whose text changed), each through a temporary file; the paths written."""
    written = []
    for slug in sorted(slugs):
        record = records[slug]
        record.meta.setdefault("slug", slug)
        record.text = keep_comments(record.source, dump_document(record.meta, record.body))
        if write_atomic(record.path, record.text):
            written.append(display_path(record.path))
    return tuple(written)


def _remember(
    saved: Ledger, listings: list[Listing], records: dict[str, _Record], slugs: set[str], ledger: Path
) -> None:
    """Add what was applied and written to ``saved`` and save it at ``ledger``."""
    with contextlib.suppress(OSError):
        for listing in listings:
            path = Path(listing.path)
            saved.listings[listing.path] = known(path)
            saved.newest = max(saved.newest, listing_order(listing))
        for slug in slugs:
            record = records[slug]
            saved.files[slug] = known(record.path, record.text.encode("utf-8"))
            saved.keys[slug] = keys_of(record.meta)
        save_ledger(ledger, saved)
