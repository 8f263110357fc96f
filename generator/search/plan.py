"""Which paper pages go into which search index (``shards.py`` builds them).

One index up to ``SHARD_ABOVE`` papers; past it, one per year of the papers' date (``Paper.date``; undated papers
join the oldest year), and a year of more than ``SHARD_MOST`` papers split further into runs of whole months (the
newest year past ``SHARD_NEWEST`` papers, in runs of at most that many). New papers land in the newest shard, so a
daily listing re-indexes one small run. Runs are cut from the oldest month on, so a paper added to the newest month
changes only the last run (or, when that run is full, moves its newest month into a run of its own), and when a new
year begins, the year before is indexed again, once, as a whole year.

``PAPERSITE_SEARCH_SHARDS=ABOVE[,MOST[,NEWEST]]`` overrides the three limits (``shard_limits``). It is internal, for
tests and benchmarks that need sharding on a few dozen papers; sites are not meant to set it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from generator.model import Paper
from generator.search.pagefind import INDEX_DIR
from generator.urls import output_file, paper_path

SHARD_ABOVE = 2000
"""Sites with more papers than this get one index per year; smaller ones one index."""

SHARD_MOST = 5000
"""A year with more papers than this is split into runs of whole months of at most this many (where a month
allows)."""

SHARD_NEWEST = 500
"""The newest year (where daily listings land) is split into runs of whole months of at most this many papers
(where a month allows), so a daily listing re-indexes one small run, not the whole year."""


@dataclass(frozen=True, slots=True)
class Shard:
    """One Pagefind index: a set of paper pages and the folder its index is written to."""

    name: str
    """``2025``, ``2025-07`` (a year split by months, named by its first month), or ``all`` (an unsharded site)."""
    folder: str
    """``pagefind`` for the newest shard, else ``pagefind-<name>``; relative to the site root."""
    pages: tuple[str, ...]
    """The paper pages indexed (``papers/<slug>/index.html``), sorted."""


def shard_limits() -> tuple[int, int, int]:
    """``(SHARD_ABOVE, SHARD_MOST, SHARD_NEWEST)``, or the values of
    ``PAPERSITE_SEARCH_SHARDS=ABOVE[,MOST[,NEWEST]]``."""
    limits = [SHARD_ABOVE, SHARD_MOST, SHARD_NEWEST]
    parts = [p.strip() for p in os.environ.get("PAPERSITE_SEARCH_SHARDS", "").split(",")]
    for number, part in enumerate(parts[:3]):
        if part.isdigit() and (number == 0 or int(part) > 0):
            limits[number] = int(part)
    return limits[0], limits[1], limits[2]


def plan_shards(
    papers: Sequence[Paper], above: int = SHARD_ABOVE, most: int = SHARD_MOST, newest: int = SHARD_NEWEST
) -> tuple[Shard, ...]:
    """The shards of ``papers``, newest first: one (``all``) up to ``above`` papers, else by year and month runs
    (of at most ``most`` papers, ``newest`` in the newest year)."""
    if len(papers) <= above:
        return (Shard("all", INDEX_DIR, tuple(sorted(output_file(paper_path(p.slug)) for p in papers))),)
    dated = [p.date for p in papers if p.date]
    oldest = min(dated).year if dated else 0
    by_year: dict[int, list[Paper]] = {}
    for paper in papers:
        by_year.setdefault(paper.date.year if paper.date else oldest, []).append(paper)
    groups: list[tuple[str, list[Paper]]] = []
    years = sorted(by_year)
    for year in years:
        members, label = by_year[year], str(year) if year else "undated"
        limit = min(most, newest) if year == years[-1] else most
        if len(members) <= limit:
            groups.append((label, members))
            continue
        by_month: dict[int, list[Paper]] = {}
        for paper in members:  # undated papers are month 0 of the oldest year
            by_month.setdefault(paper.date.month if paper.date else 0, []).append(paper)
        run: list[Paper] = []
        first = 0
        for month in sorted(by_month):
            if run and len(run) + len(by_month[month]) > limit:
                groups.append((f"{label}-{first:02d}", run))
                run = []
            if not run:
                first = month
            run += by_month[month]
        groups.append((f"{label}-{first:02d}", run))
    shards = []
    for number, (name, members) in enumerate(reversed(groups)):
        folder = INDEX_DIR if number == 0 else f"{INDEX_DIR}-{name}"
        shards.append(Shard(name, folder, tuple(sorted(output_file(paper_path(p.slug)) for p in members))))
    return tuple(shards)
