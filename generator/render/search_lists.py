"""``search/lists.json``: where the search page finds a topic's or a year's papers without the word index.

A search with no words is a date-ordered list, and the build has already written it: the home page and its older
pages list every paper, a topic's pages its papers, all newest first (``Site.papers`` order, ``assemble.sort_key``:
``Paper.date``, then the listed day, then the slug). A year is a run of consecutive papers in each of those lists,
since the year filter is ``Paper.date``'s year. So ``static/search/listing.js`` needs only each list's pages and how
many papers of each year it holds, newest year first, to know which page holds the n-th result: exact counts, a
page or two fetched per page of results, and no Pagefind file at all::

    {"per_page": 20,
     "all": {"first": "", "older": "page/{n}/", "count": 120, "years": [[2026, 40], [2025, 80]]},
     "topics": {"Agents": {"first": "topics/agents/", "older": "topics/agents/page/{n}/", "count": 30,
                           "years": [[2026, 10], [2025, 20]]}}}

Paths are relative to the site's base; ``{n}`` is a page number as ``render.pagination.paginate`` numbers them
(1 holds the oldest papers). Papers without a date come last in every list and belong to no year.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from typing import Any

from generator.model import Paper
from generator.site.assemble import Site
from generator.urls import home_path, topic_path

LISTS = "search/lists.json"
"""The file, relative to the site root."""

_MARK = 987654321
"""A page number no list reaches, replaced by ``{n}`` in the older pages' path."""


def search_lists(site: Site) -> str:
    """The text of ``search/lists.json`` for ``site`` (one line, keys in a fixed order)."""
    topics = {t.name: _entry(t.papers, functools.partial(topic_path, t.slug)) for t in site.topics if t.papers}
    lists = {"per_page": site.config.per_page, "all": _entry(site.papers, home_path), "topics": topics}
    return json.dumps(lists, ensure_ascii=False, separators=(",", ":")) + "\n"


def _entry(papers: Sequence[Paper], path_for: Callable[[int], str]) -> dict[str, Any]:
    """One list: its first page, the pattern of its older pages, its size and its papers per year."""
    years: list[list[int]] = []
    for paper in papers:
        if paper.date is None:
            break  # undated papers come last, and have no year
        if years and years[-1][0] == paper.date.year:
            years[-1][1] += 1
        else:
            years.append([paper.date.year, 1])
    older = path_for(_MARK).replace(str(_MARK), "{n}")
    return {"first": path_for(0), "older": older, "count": len(papers), "years": years}
