"""The instants a feed gives its entries, and the order it lists them in.

Feed readers and the W3C validator expect every entry of a feed to have its own ``updated`` (and RSS its own
``pubDate``), but most papers only have a day. The instants come from the content alone, never the clock:

- **published** (RSS ``pubDate``, Atom ``published``, JSON ``date_published``): the paper's ``listed_at`` when it
  has one on its ``listed`` day (HF records when a paper was put on the daily list: a real time). Otherwise its day
  (``listed``, else ``published``) at midnight UTC minus ``listing_rank - 1`` seconds: the listing's first paper is
  dated midnight, its second one second earlier, and so on, so the listing's order is the order of the instants and
  a paper's instant depends on its own day and rank only. These seconds record an order, not a time of day.
  A paper with neither (a hand-written file, an older one) comes after the ranked papers of its day, in the order
  below. A paper with no day at all is dated ``EPOCH``.
- **order**: newest day first; within a day the papers with ``listed_at`` or a rank by that instant, newest first,
  then the others by ``published``, then slug, newest first. The first feed entry is the newest.
- Instants are whole seconds (RSS dates have no fractions). Where two papers would share one (two listings of one
  day, a hand-written paper), the later paper in that order takes one second before the earlier one: dates are
  strictly decreasing down the order, so no two entries of any feed share one.
- **updated** (Atom ``updated``, JSON ``date_modified``): the published instant, unless a later listing changed the
  paper (``updated`` is a later day than its own day): then midnight of that day minus ``listing_rank - 1`` seconds
  (the rank is the newest listing's). Where two papers would share one, the earlier one in time keeps it and the
  next takes one second later, so updated is never before published.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from generator.feeds.model import EPOCH
from generator.model import Paper

SECOND = timedelta(seconds=1)


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


@dataclass(frozen=True, slots=True)
class Times:
    """A paper's place in every feed and the instants its entry shows."""

    position: int
    """0 for the newest paper of the site; feeds list papers by increasing position."""
    published: datetime
    """RSS ``pubDate``, Atom ``published``: unique on the site."""
    updated: datetime
    """Atom ``updated``, JSON ``date_modified``: unique on the site, never before ``published``."""


def day_of(paper: Paper) -> date | None:
    """The day a paper's entry is dated on: listed, else published."""
    return paper.listed or paper.published


def ranked_instant(day: date, rank: int | None) -> datetime:
    """Midnight of ``day``, minus ``rank - 1`` seconds: the first of a listing at midnight, the next a second before."""
    return midnight(day) - (max(rank or 1, 1) - 1) * SECOND


def listed_instant(paper: Paper) -> datetime | None:
    """When the paper was put on its listing (``listed_at``, whole seconds), if that is on its ``listed`` day; else
    the instant its rank gives; None when it has neither (or no day)."""
    at = paper.listed_at
    if at is not None and paper.listed is not None and at.astimezone(UTC).date() == paper.listed:
        return at.astimezone(UTC).replace(microsecond=0)
    day = day_of(paper)
    if day is None or paper.listing_rank is None:
        return None
    return ranked_instant(day, paper.listing_rank)


def _order_key(paper: Paper) -> tuple[date, bool, datetime, date, str]:
    """Newest first with reverse=True: day, then papers with an instant before those without, the instant, then
    published and slug."""
    day = day_of(paper)
    instant = listed_instant(paper)
    first = instant or (midnight(day) if day else EPOCH)
    return (day or date.min, instant is not None, first, paper.published or date.min, paper.slug)


def paper_times(papers: Iterable[Paper]) -> dict[str, Times]:
    """Every paper's ``Times`` by slug (see the module docstring for the rules)."""
    ordered = sorted(papers, key=_order_key, reverse=True)
    published: list[datetime] = []
    for paper in ordered:
        day = day_of(paper)
        wanted = listed_instant(paper) or (midnight(day) if day else EPOCH)
        published.append(min(wanted, published[-1] - SECOND) if published else wanted)
    wanted_updates = []
    for paper, first in zip(ordered, published, strict=True):
        day = day_of(paper)
        later = paper.updated is not None and day is not None and paper.updated > day
        change = ranked_instant(paper.updated, paper.listing_rank) if later and paper.updated else first
        wanted_updates.append(max(change, first))
    updated = distinct_later(wanted_updates)
    return {
        paper.slug: Times(position, published[position], updated[position]) for position, paper in enumerate(ordered)
    }


def distinct_later(wanted: list[datetime]) -> list[datetime]:
    """``wanted`` (listed newest first) made distinct by moving instants later, never earlier: from the earliest up,
    an instant taken already becomes one second after the last one given; of two equal ones, the entry further down
    the list keeps it."""
    given = list(wanted)
    last: datetime | None = None
    for index in sorted(range(len(wanted)), key=lambda i: (wanted[i], -i)):
        last = given[index] = max(wanted[index], last + SECOND) if last else wanted[index]
    return given
