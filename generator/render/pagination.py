"""Pagination of newest-first lists: pages keep their items and address as newer items arrive."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from generator.model import Paper

PathFor = Callable[[int], str]
"""The path of a list's page by number: 0 is the first page, 1 the oldest of the older pages (see ``paginate``)."""


class DaySpan(NamedTuple):
    """``pager.days``: the days a list page covers (a tuple, so ``span[0]``, ``span[1]`` still work)."""

    earliest: date
    """The earliest day (published, else listed) of the page's papers."""
    latest: date
    """The latest day of the page's papers; the same as ``earliest`` when they all share one day."""


@dataclass(frozen=True, slots=True)
class Pager:
    """One page of a newest-first list, paginated by ``paginate``."""

    number: int
    """0 for the first page (the newest items); older pages count from the oldest end: 1 holds the oldest."""
    items: tuple[Paper, ...]
    """The page's items, newest first."""
    path: str
    newer_path: str | None
    """The page with the next newer items (``rel="prev"``); None on the first page."""
    older_path: str | None
    """The page with the next older items (``rel="next"``); None on the oldest page."""

    @property
    def first(self) -> bool:
        return self.number == 0

    @property
    def days(self) -> DaySpan | None:
        """The earliest and latest day (published, else listed) of the page's items, when any has one."""
        days = [day for paper in self.items if (day := paper.published or paper.listed) is not None]
        return DaySpan(min(days), max(days)) if days else None


def paginate(items: Sequence[Paper], per_page: int, path_for: PathFor) -> Iterator[Pager]:
    """Pages of a newest-first list whose older pages keep their items and address as newer items arrive.

    Older pages hold exactly ``per_page`` items each, counted from the oldest end and numbered from it (page 1
    holds the oldest); the first page (number 0) holds the rest, the newest: between ``per_page`` and
    ``2 * per_page - 1`` items, or all of them when there are fewer. Adding newer items changes only the first
    page, and every ``per_page`` additions a new older page appears (and the one before it gets a newer link).
    An empty list still gets its first page."""
    older = max(0, len(items) // per_page - 1)
    cut = len(items) - older * per_page
    yield Pager(0, tuple(items[:cut]), path_for(0), None, path_for(older) if older else None)
    for number in range(older, 0, -1):
        end = len(items) - (number - 1) * per_page
        newer = path_for(number + 1 if number < older else 0)
        yield Pager(
            number,
            tuple(items[end - per_page : end]),
            path_for(number),
            newer,
            path_for(number - 1) if number > 1 else None,
        )
