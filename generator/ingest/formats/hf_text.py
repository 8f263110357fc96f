"""HF Papers page as visible plain text (what a browser's "select all, copy" or a text scraper gives).

A page is a header ending in the page date (``Feb 6``, no year), then cards::

    Title

    Abstract paragraph(s)

      • 4 authors            <- or an organization line: "tencent Tencent" (avatar alt, display name)
    ·
    Nov 12, 2024 1          <- arXiv date (no year when it is the current year), then the comment count

A card may lack its metadata lines entirely; it is kept, dated with the page date, with a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date

from generator.model import Entry, Listing, Problem

MONTHS = {
    m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)
}
_MONTH = r"(?P<month>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
DATE_LINE = re.compile(_MONTH + r"\s+(?P<day>\d{1,2})(?:,\s*(?P<year>\d{4}))?(?:\s+(?P<count>\d[\d,]*))?$", re.I)
AUTHORS_LINE = re.compile(r"^[•·*\-]?\s*(?P<n>\d[\d,]*)\s+authors?$", re.I)
SEPARATORS = {"·", "•", "-", "|"}
CHROME = {
    "new",
    "subscribe",
    "daily papers",
    "get trending papers in your email inbox!",
    "byak and the research community",
    "by ak and the research community",
}


@dataclass
class _Card:
    line: int
    title: str
    abstract: list[str] = field(default_factory=list)
    meta: tuple[int, list[str]] | None = None


def sniff(text: str, name: str) -> bool:
    """Plain text is the fallback format: anything that is not markup or JSON."""
    head = text.lstrip("\ufeff \t\r\n")[:1]
    return head not in ("<", "{", "[")


def _blocks(lines: list[str]) -> list[tuple[int, list[str]]]:
    """Runs of non-blank lines as (first line number, stripped lines)."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(lines, 1):
        if line.strip():
            if not current:
                start = number
            current.append(line.strip())
        elif current:
            blocks.append((start, current))
            current = []
    if current:
        blocks.append((start, current))
    return blocks


def _is_meta(block: list[str]) -> bool:
    """Metadata block: ends in a date line and has a separator or author line before it."""
    if not DATE_LINE.match(block[-1]) or len(block) > 4:
        return False
    return len(block) == 1 or any(line in SEPARATORS or AUTHORS_LINE.match(line) for line in block[:-1])


def _looks_like_title(block: list[str]) -> bool:
    line = block[0]
    return len(block) == 1 and len(line) <= 400 and not line.endswith(".")


def _month_day(match: re.Match[str]) -> tuple[int, int]:
    return MONTHS[match.group("month").lower()[:3]], int(match.group("day"))


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _infer_year(page_md: tuple[int, int], dated: list[date]) -> int | None:
    """Earliest year that puts the page date on or after every card with an explicit year."""
    if not dated:
        return None
    newest = max(dated)
    for year in range(newest.year, min(newest.year + 9, 10_000)):  # Feb 29 can be 8 years away; no year 10000
        day = _safe_date(year, *page_md)
        if day is not None and day >= newest:
            return year
    return None


def parse(text: str, path: str, page_date: date | None = None) -> Listing:
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks = _blocks(lines)
    problems: list[Problem] = []

    # Header: chrome lines, then the page date on a line of its own.
    header_md: tuple[int, int] | None = None
    header_line = 0
    index = 0
    while index < len(blocks) and index < 12:
        number, block = blocks[index]
        if all(line.lower() in CHROME for line in block):
            index += 1
            continue
        match = DATE_LINE.match(block[0])
        if len(block) == 1 and match and not match.group("year") and not match.group("count"):
            header_md, header_line = _month_day(match), number
            index += 1
        break

    # Cards: title block, abstract block(s), optional metadata block.
    raw: list[_Card] = []
    card: _Card | None = None
    for number, block in blocks[index:]:
        if _is_meta(block):
            if card is None:
                problems.append(Problem(path, number, "warning", "metadata lines with no card before them; skipped"))
                continue
            card.meta = (number, block)
            raw.append(card)
            card = None
            continue
        if card is not None and card.abstract and _looks_like_title(block):
            raw.append(card)
            card = None
        if card is None:
            card = _Card(number, " ".join(block))
        else:
            card.abstract.append(" ".join(block))
    if card is not None:
        raw.append(card)

    # Dates: explicit years first, so the page year can be inferred.
    explicit: list[date] = []
    for item in raw:
        if item.meta:
            match = DATE_LINE.match(item.meta[1][-1])
            if match and match.group("year"):
                card_date = _safe_date(int(match.group("year")), *_month_day(match))
                if card_date:
                    explicit.append(card_date)
    if page_date is None and header_md is not None:
        year = _infer_year(header_md, explicit)
        if year is None:
            problems.append(
                Problem(
                    path,
                    header_line,
                    "warning",
                    "cannot infer the page year from the cards; pass --date or put YYYY-MM-DD in the file name",
                )
            )
        else:
            page_date = _safe_date(year, *header_md)
    elif page_date is None:
        problems.append(
            Problem(path, 1, "warning", "no page date found; pass --date or put YYYY-MM-DD in the file name")
        )

    entries: list[Entry] = []
    for item in raw:
        entry, card_problems = _card(item, path, page_date)
        problems += card_problems
        if entry is not None:
            entries.append(entry)
    return Listing(path=path, format="hf-text", date=page_date, entries=tuple(entries), problems=tuple(problems))


def _card(item: _Card, path: str, page_date: date | None) -> tuple[Entry | None, list[Problem]]:
    line, title, abstract = item.line, " ".join(item.title.split()), "\n\n".join(item.abstract)
    entry = Entry(title=title, line=line, abstract=abstract, listed=page_date)
    problems: list[Problem] = []
    if not abstract:
        problems.append(Problem(path, line, "warning", f"card {title[:60]!r} has no abstract"))
    if not item.meta:
        when = page_date.isoformat() if page_date else "no date"
        problems.append(
            Problem(
                path,
                line,
                "warning",
                f"card {title[:60]!r} has no metadata lines; using the page date ({when})",
            )
        )
        return replace(entry, published=page_date), problems
    meta_line, block = item.meta
    match = DATE_LINE.match(block[-1])
    assert match is not None  # _is_meta checked it
    month, day = _month_day(match)
    year = int(match.group("year")) if match.group("year") else (page_date.year if page_date else None)
    published = _safe_date(year, month, day) if year else None
    if published is None:
        problems.append(Problem(path, meta_line, "warning", f"cannot date {block[-1]!r}; using the page date"))
        published = page_date
    elif page_date is not None and not match.group("year") and published > page_date:
        problems.append(Problem(path, meta_line, "warning", f"date {block[-1]!r} is after the page date {page_date}"))
    comments = int(match.group("count").replace(",", "")) if match.group("count") else 0
    authors_count = None
    organization = None
    for text in block[:-1]:
        if text in SEPARATORS:
            continue
        authors_match = AUTHORS_LINE.match(text)
        if authors_match:
            authors_count = int(authors_match.group("n").replace(",", ""))
        else:
            words = text.split(None, 1)
            organization = words[-1].strip()
    return replace(
        entry, published=published, comments=comments, authors_count=authors_count, organization=organization
    ), problems
