"""What the status page tells: each source's last scrape attempts, each listing's papers, and for each of the last
``DAYS`` days the papers listed, or why there were none.

The build gathers the scrape log and the names of the saved listings (``load_history``) with the content; the rest
is pure: records in, records out. A day without papers is explained from, in order: the day's last ``hf-daily``
attempt in the log (failed, snapped back, empty, or saved but nothing new), a listing saved for that day, the
weekday (Saturday and Sunday: HF's usual days off), else "no listing saved".
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from generator.content.paths import display_path
from generator.content.scrape_log import DAILY, SCRAPE_LOG, Attempt, parse_log
from generator.model import Paper, Problem

DAYS = 60
"""How many days the status page shows, ending on the build's day."""
LISTINGS = 20
"""How many listings it shows, newest first (a year of daily listings would make a long page)."""
REASONS = {
    "failed": "scrape failed",
    "snapped-back": "HF snapped back to the previous day",
    "day-off": "HF's day off: it listed no papers",
    "no-new-papers": "a listing was saved, but none of its papers is new",
    "weekend": "weekend or HF's day off",
    "no-listing": "no listing saved",
}
"""Why a day has no papers: the stable code (``status.json``) and what the page says."""
_DAY_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")


@dataclass(frozen=True, slots=True)
class History:
    """What the build reads for the status page besides the papers."""

    attempts: tuple[Attempt, ...] = ()
    """The scrape log, in file order (empty when there is no log yet)."""
    listings: tuple[str, ...] = ()
    """The names of the files in ``content/listings/``, sorted."""
    log_exists: bool = False
    """Whether the log file exists at all."""


@dataclass(frozen=True, slots=True)
class DayStatus:
    """One day of the status page."""

    day: date
    papers: int
    """Papers first listed that day."""
    reason: str | None = None
    """Why there are none: a key of ``REASONS``; None when there are papers."""
    note: str | None = None
    """More on the reason: the error of a failed scrape, the day HF served instead."""

    @property
    def why(self) -> str:
        """The reason as the page says it ("" when there are papers)."""
        return REASONS[self.reason] if self.reason else ""


@dataclass(frozen=True, slots=True)
class SourceStatus:
    """One source of the scrape log: ``hf-daily`` or ``hf-search:<query>``."""

    source: str
    last_attempt: Attempt
    last_success: Attempt | None
    """The last attempt that got an answer (saved, snapped back or empty), if any did."""
    attempts: int
    """Attempts in the log."""


@dataclass(frozen=True, slots=True)
class ListingStatus:
    """A listing file as the papers name it (their ``sources``)."""

    file: str
    papers: int
    """Papers that name this listing."""
    newest_listed: date | None
    """The newest ``listed`` day among them."""


@dataclass(frozen=True, slots=True)
class Status:
    """Everything ``status/`` and ``status.json`` show."""

    built_at: datetime
    """The build's "now" (``clock.build_time``)."""
    newest_listed: date | None
    """The newest day papers were listed on."""
    freshness_days: int
    papers: int
    topics: int
    """Topic pages ("Other" included)."""
    feeds: int
    """Feeds, each written as RSS, Atom and JSON Feed."""
    sources: tuple[SourceStatus, ...]
    listings: tuple[ListingStatus, ...]
    """The ``LISTINGS`` newest listings."""
    listings_total: int
    """Listings named by the papers, shown or not."""
    days: tuple[DayStatus, ...]
    """The last ``DAYS`` days, oldest first, ending on the build's day."""
    log_lines: int
    """Attempts read from the scrape log."""
    log_exists: bool


def load_history(root: Path) -> tuple[History, list[Problem]]:
    """Read the scrape log and list ``content/listings/``; a missing log or folder is an empty history, a line that
    cannot be read a warning."""
    path = root / SCRAPE_LOG
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        text, exists = "", False
    except OSError as err:
        return History(), [Problem(display_path(path), 0, "warning", f"cannot read the scrape log: {err}")]
    else:
        exists = True
    attempts, problems = parse_log(text, display_path(path))
    try:
        names = sorted(entry.name for entry in os.scandir(root / "content" / "listings") if entry.is_file())
    except OSError:
        names = []
    return History(attempts, tuple(names), exists), problems


def source_statuses(attempts: tuple[Attempt, ...]) -> tuple[SourceStatus, ...]:
    """Each source's last attempt and last success, sources by name (``hf-daily`` first)."""
    by_source: dict[str, list[Attempt]] = {}
    for attempt in sorted(attempts, key=lambda a: (a.at, a.line)):
        by_source.setdefault(attempt.source, []).append(attempt)
    return tuple(
        SourceStatus(
            source,
            tried[-1],
            next((a for a in reversed(tried) if a.succeeded), None),
            len(tried),
        )
        for source, tried in sorted(by_source.items(), key=lambda item: (item[0] != DAILY, item[0]))
    )


def listing_statuses(papers: tuple[Paper, ...], limit: int | None = None) -> tuple[ListingStatus, ...]:
    """The listings the papers came from, newest listed day first (then by name), the first ``limit`` of them."""
    counts: Counter[str] = Counter()
    newest: dict[str, date] = {}
    for paper in papers:
        for source in paper.sources:
            counts[source] += 1
            if paper.listed and (source not in newest or paper.listed > newest[source]):
                newest[source] = paper.listed
    names = sorted(counts, key=lambda name: (-(newest[name].toordinal() if name in newest else 0), name))
    return tuple(ListingStatus(name, counts[name], newest.get(name)) for name in names[:limit])


def listing_count(papers: tuple[Paper, ...]) -> int:
    """How many listings the papers name."""
    return len({source for paper in papers for source in paper.sources})


def day_statuses(
    papers: tuple[Paper, ...], history: History, last_day: date, days: int = DAYS
) -> tuple[DayStatus, ...]:
    """The ``days`` days ending on ``last_day``, oldest first: papers listed, or why none were."""
    listed = Counter(paper.listed for paper in papers if paper.listed)
    last_daily: dict[date, Attempt] = {}
    for attempt in sorted(history.attempts, key=lambda a: (a.at, a.line)):
        if attempt.source == DAILY:
            last_daily[attempt.day] = attempt
    saved_days = {match.group(1) for name in history.listings if (match := _DAY_IN_NAME.search(name))}
    result = []
    for offset in range(days - 1, -1, -1):
        day = last_day - timedelta(days=offset)
        count = listed.get(day, 0)
        if count:
            result.append(DayStatus(day, count))
        else:
            result.append(_empty_day(day, last_daily.get(day), day.isoformat() in saved_days))
    return tuple(result)


def _empty_day(day: date, attempt: Attempt | None, saved: bool) -> DayStatus:
    if attempt is not None and attempt.outcome == "failed":
        return DayStatus(day, 0, "failed", attempt.error)
    if attempt is not None and attempt.outcome == "snapped-back":
        served = f"HF served the papers of {attempt.served.isoformat()}" if attempt.served else None
        return DayStatus(day, 0, "snapped-back", served)
    if attempt is not None and attempt.outcome == "empty":
        return DayStatus(day, 0, "day-off")
    if saved or (attempt is not None and attempt.outcome == "saved"):
        return DayStatus(day, 0, "no-new-papers")
    if day.weekday() >= 5:
        return DayStatus(day, 0, "weekend")
    return DayStatus(day, 0, "no-listing")


def site_status(
    papers: tuple[Paper, ...], history: History, now: datetime, *, freshness_days: int, topics: int, feeds: int
) -> Status:
    """The status of a site built at ``now`` from ``papers`` and ``history``."""
    listed = [paper.listed for paper in papers if paper.listed]
    return Status(
        built_at=now,
        newest_listed=max(listed, default=None),
        freshness_days=freshness_days,
        papers=len(papers),
        topics=topics,
        feeds=feeds,
        sources=source_statuses(history.attempts),
        listings=listing_statuses(papers, LISTINGS),
        listings_total=listing_count(papers),
        days=day_statuses(papers, history, now.date()),
        log_lines=len(history.attempts),
        log_exists=history.log_exists,
    )
