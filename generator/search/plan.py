"""Which paper pages go into which search index (``shards.py`` builds them).

One index up to ``SHARD_ABOVE`` papers; past it, one per year of the papers' date (``Paper.date``; undated papers
join the oldest year), and a year of more than ``SHARD_MOST`` papers split further into runs of whole months (a
month larger than a run may be is cut into runs of whole days). The newest year past ``SHARD_NEWEST`` papers is cut
into runs of at most that many, from its oldest month on: new papers land in the newest run, so a daily listing
re-indexes one small run, a paper added to the newest month changes only the last run (or, when that run is full,
starts a run of its own), and when a new year begins, the year before is indexed again, once. An older year is cut
from its newest day back, its newest run holding at most ``SHARD_NEWEST`` papers and the others ``SHARD_MOST``: a
search with words shows the first shard it reads alone first (newest first, also within a year), and a small shard
is searched fast.

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
"""A year with more papers than this is split into runs of whole months (or days) of at most this many."""

SHARD_NEWEST = 500
"""The newest year (where daily listings land) is split into runs of at most this many papers, so a daily listing
re-indexes one small run, not the whole year; an older year's newest run holds at most this many, so a search of
that year shows its first results fast."""


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
    """The shards of ``papers``, newest first: one (``all``) up to ``above`` papers, else by year and runs of
    months or days (of at most ``most`` papers; ``newest`` in the newest year and in an older year's newest run)."""
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
        small = min(most, newest)
        if len(members) <= (small if year == years[-1] else most):
            groups.append((label, members))
        elif year == years[-1]:  # from the oldest month on, so that new papers change only the last run
            groups += _runs(_units(members, label, small, small), [small])
        else:  # from the newest day back: the year's newest run, read first, is small
            units = _units(members, label, most, small)[::-1]
            groups += [(name, run[::-1]) for name, run in _runs(units, [small, most])][::-1]
    shards = []
    for number, (name, members) in enumerate(reversed(groups)):
        folder = INDEX_DIR if number == 0 else f"{INDEX_DIR}-{name}"
        shards.append(Shard(name, folder, tuple(sorted(output_file(paper_path(p.slug)) for p in members))))
    return tuple(shards)


def _units(members: Sequence[Paper], label: str, limit: int, last: int) -> list[tuple[str, list[Paper]]]:
    """A year's papers as the units runs are cut from, oldest first: its months (``2025-07``; undated papers are
    month 0 of the oldest year), a month of more than ``limit`` papers (the newest month: ``last``) as its days
    (``2025-07-14``)."""
    by_month: dict[int, list[Paper]] = {}
    for paper in members:
        by_month.setdefault(paper.date.month if paper.date else 0, []).append(paper)
    units: list[tuple[str, list[Paper]]] = []
    for month in sorted(by_month):
        if len(by_month[month]) <= (last if month == max(by_month) else limit) or month == 0:
            units.append((f"{label}-{month:02d}", by_month[month]))
            continue
        by_day: dict[int, list[Paper]] = {}
        for paper in by_month[month]:
            by_day.setdefault(paper.date.day if paper.date else 0, []).append(paper)
        units += [(f"{label}-{month:02d}-{day:02d}", by_day[day]) for day in sorted(by_day)]
    return units


def _runs(units: Sequence[tuple[str, list[Paper]]], limits: Sequence[int]) -> list[tuple[str, list[Paper]]]:
    """``units`` cut in order into runs: the first of at most ``limits[0]`` papers, each next one of at most the
    next limit (the last limit for the rest), where a unit allows. A run is named by its oldest unit."""
    runs: list[tuple[list[str], list[Paper]]] = []
    for name, papers in units:
        limit = limits[min(len(runs) - 1, len(limits) - 1)] if runs else limits[0]
        if not runs or len(runs[-1][1]) + len(papers) > limit:
            runs.append(([], []))
        runs[-1][0].append(name)
        runs[-1][1].extend(papers)
    return [(min(names), papers) for names, papers in runs]
