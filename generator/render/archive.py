"""Archives: ``archive/`` lists every month that has papers (by the day they were listed), with counts;
``archive/YYYY/MM/`` lists that month's papers, paginated like the home page (older pages numbered from the
oldest, ``archive/YYYY/MM/page/1/`` holding the month's first papers)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from generator.model import Paper
from generator.render.pages import Renderer
from generator.render.pagination import paginate
from generator.site.assemble import sort_key
from generator.urls import archive_path


@dataclass(frozen=True, slots=True)
class Month:
    """One month of the archive."""

    year: int
    month: int
    papers: tuple[Paper, ...]
    """Papers listed that month, newest listing first (then newest published, then slug)."""

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def name(self) -> str:
        """``February 2026``."""
        return self.first_day.strftime("%B %Y")

    @property
    def path(self) -> str:
        return archive_path(self.year, self.month)


class MonthHead(NamedTuple):
    """``month`` on a month's pages: the month without its papers (a tuple, so ``month[2]`` still works)."""

    year: int
    """``2026``."""
    month: int
    """1 to 12."""
    name: str
    """``February 2026``."""
    path: str
    """The month's first page: ``archive/2026/02/``."""


class MonthLink(NamedTuple):
    """``newer`` and ``older`` on a month's first page: the neighbouring month."""

    name: str
    """``January 2026``."""
    path: str
    """The month's first page: ``archive/2026/01/``."""


class MonthSummary(NamedTuple):
    """One of the ``months`` of the archive index: a month and how many papers were listed in it."""

    year: int
    """``2026``."""
    month: int
    """1 to 12."""
    name: str
    """``February 2026``."""
    path: str
    """The month's first page: ``archive/2026/02/``."""
    size: int
    """How many papers the month has (on all its pages). Not ``count``: that is a tuple's method."""


def archive_day(paper: Paper) -> date | None:
    """The day that files a paper in the archive: listed, else published."""
    return paper.listed or paper.published


def archive_months(papers: tuple[Paper, ...]) -> tuple[Month, ...]:
    """Months that have papers, newest first."""
    groups: dict[tuple[int, int], list[Paper]] = defaultdict(list)
    for paper in papers:
        day = archive_day(paper)
        if day is not None:
            groups[(day.year, day.month)].append(paper)
    months = []
    for (year, month), members in sorted(groups.items(), reverse=True):
        members.sort(key=lambda p: (archive_day(p) or date.min, *sort_key(p)), reverse=True)
        months.append(Month(year, month, tuple(members)))
    return tuple(months)


def render_archive(r: Renderer) -> None:
    """The archive index and each month's pages. A month's first page has its count and links to the
    neighbouring months; its older pages have neither, so they stay unchanged as papers and months are added."""
    months = archive_months(r.site.papers)
    summary = tuple(MonthSummary(m.year, m.month, m.name, m.path, len(m.papers)) for m in months)
    years = tuple(sorted({m.year for m in months}, reverse=True))
    r.page("archive.html", archive_path(), months=summary, years=years, title="Archive")
    for index, month in enumerate(months):
        newer = months[index - 1] if index > 0 else None
        older = months[index + 1] if index + 1 < len(months) else None

        def path_for(number: int, month: Month = month) -> str:
            return archive_path(month.year, month.month, number)

        for pager in paginate(month.papers, r.site.config.per_page, path_for):
            first = pager.first
            r.page(
                "archive_month.html",
                pager.path,
                month=MonthHead(month.year, month.month, month.name, month.path),
                count=len(month.papers) if first else None,
                newer=MonthLink(newer.name, newer.path) if newer and first else None,
                older=MonthLink(older.name, older.path) if older and first else None,
                pager=pager,
                title=month.name if first else f"{month.name}, page {pager.number}",
            )
