"""Reading listing files: bytes -> text -> the right format's parser -> ``Listing``."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path

from generator.content.paths import display_path
from generator.model import Listing, Problem

LISTING_SUFFIXES = {".txt", ".md", ".html", ".htm", ".json", ".xml", ".atom"}
MAX_LISTING_BYTES = 20 * 1024 * 1024
"""Larger files are refused unread: HF pages and API responses and arXiv feeds are a few MB at most."""
_FILE_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")


def date_from_name(name: str) -> date | None:
    """The last valid ``YYYY-MM-DD`` in a file name."""
    for match in reversed(list(_FILE_DATE.finditer(name))):
        try:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            continue
    return None


def decode(raw: bytes, path: str) -> tuple[str | None, Problem | None]:
    """UTF-8 text (BOM dropped), or a problem for empty and binary files."""
    if not raw.strip():
        return None, Problem(path, 1, "warning", "empty listing; nothing to ingest")
    if b"\x00" in raw[:8192]:
        return None, Problem(path, 1, "error", "binary file, not a listing (expected text, HTML, JSON or Atom)")
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        return None, Problem(path, line, "error", f"not valid UTF-8 at byte {exc.start}; save the listing as UTF-8")


def read_listing(path: Path, page_date: date | None = None) -> Listing:
    """Parse one listing file. Never raises for bad content: problems are in the result."""
    from generator.ingest.formats import find_format  # here: the parsers (BeautifulSoup) are not needed by a build

    shown = display_path(path)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_LISTING_BYTES + 1)
            size = len(raw) if len(raw) <= MAX_LISTING_BYTES else handle.seek(0, 2)
    except OSError as exc:
        return Listing(shown, "unknown", None, problems=(Problem(shown, 1, "error", f"cannot read: {exc.strerror}"),))
    if size > MAX_LISTING_BYTES:
        message = (
            f"listing is {size / 2**20:.1f} MB, over the {MAX_LISTING_BYTES // 2**20} MB limit; not read "
            "(HF and arXiv listings are a few MB: is this the right file?)"
        )
        return Listing(shown, "unknown", None, problems=(Problem(shown, 1, "error", message),))
    text, problem = decode(raw, shown)
    if text is None:
        return Listing(shown, "unknown", None, problems=(problem,) if problem else ())
    detected = find_format(text, path.name)
    if detected is None:
        return Listing(shown, "unknown", None, problems=(Problem(shown, 1, "error", "unrecognised listing format"),))
    _name, parse = detected
    return ranked(parse(text, shown, page_date or date_from_name(path.name)))


def ranked(listing: Listing) -> Listing:
    """The listing with each entry's ``listing_rank``: its place among the entries, 1 for the first. A listing's
    order is data (HF orders a day by upvotes, a search by relevance); feeds use it to order a day's papers."""
    entries = tuple(replace(entry, listing_rank=rank) for rank, entry in enumerate(listing.entries, 1))
    return replace(listing, entries=entries)


def find_listings(paths: list[Path]) -> tuple[list[Path], list[Problem]]:
    """Expand folders into listing files (sorted); missing paths are errors."""
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            files += sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in LISTING_SUFFIXES and not p.name.startswith(".")
            )
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem(str(path), 0, "error", "no such file or folder"))
    return files, problems
