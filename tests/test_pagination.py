"""Stable pagination: list pages (home, topics, archive months) keep their papers and address as newer papers
arrive. The first page holds the newest papers; older pages hold exactly ``per_page`` each, counted and numbered
from the oldest end (``page/1/`` holds the oldest), so a daily listing re-renders only a few list pages."""

from __future__ import annotations

import itertools
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest

from generator.build import build
from generator.content.document import dump_document
from generator.incremental.cache import BuildCache
from generator.model import Paper
from generator.render.pagination import Pager, paginate
from generator.urls import archive_path, home_path, topic_path


def papers(count: int, start: int = 0) -> list[Paper]:
    """``count`` papers numbered from ``start``, newest (highest number) first."""
    return [Paper(f"p{n}", f"P{n}", "", f"p{n}.md") for n in range(start + count - 1, start - 1, -1)]


def pages(items: list[Paper], per_page: int) -> list[Pager]:
    return list(paginate(items, per_page, home_path))


def slugs(pager: Pager) -> list[str]:
    return [paper.slug for paper in pager.items]


def test_paths() -> None:
    assert home_path() == "" and home_path(1) == "page/1/"
    assert topic_path("memory") == "topics/memory/" and topic_path("memory", 3) == "topics/memory/page/3/"
    assert archive_path(2026, 2) == "archive/2026/02/" and archive_path(2026, 2, 1) == "archive/2026/02/page/1/"


@pytest.mark.parametrize("per_page", [1, 2, 3, 5])
@pytest.mark.parametrize("count", range(0, 23))
def test_page_sizes_order_and_links(count: int, per_page: int) -> None:
    items = papers(count)
    found = pages(items, per_page)
    first, older = found[0], found[1:]
    assert first.first and first.number == 0 and first.path == "" and first.newer_path is None
    if count < 2 * per_page:  # everything on the first page
        assert not older and len(first.items) == count and first.older_path is None
    else:
        assert per_page <= len(first.items) <= 2 * per_page - 1
    assert all(len(pager.items) == per_page for pager in older)
    # newest first: first page, then older pages from the highest number down to page 1 (the oldest papers)
    assert [pager.number for pager in older] == list(range(len(older), 0, -1))
    assert [slug for pager in found for slug in slugs(pager)] == [paper.slug for paper in items]
    assert all(pager.path == home_path(pager.number) for pager in found)
    # "Older" walks every page once, in order; "Newer" walks back
    for newer, next_older in itertools.pairwise(found):
        assert newer.older_path == next_older.path and next_older.newer_path == newer.path
    assert found[-1].older_path is None


@pytest.mark.parametrize("per_page", [1, 2, 3, 7])
def test_older_pages_never_change_as_newer_papers_arrive(per_page: int) -> None:
    """Add newer papers one at a time: every older page keeps its papers and address; only the newest older page
    gains a newer link, when a new page appears."""
    for count in range(0, 40):
        before = {pager.path: pager for pager in pages(papers(count), per_page)[1:]}
        after = {pager.path: pager for pager in pages(papers(count + 1), per_page)[1:]}
        assert set(before) <= set(after)
        added = len(after) - len(before)
        assert added in (0, 1) and added == (1 if count + 1 >= 2 * per_page and (count + 1) % per_page == 0 else 0)
        for path, old in before.items():
            new = after[path]
            assert (new.number, new.items, new.older_path) == (old.number, old.items, old.older_path)
            if new.newer_path != old.newer_path:
                assert added and old.number == len(before) and new.newer_path == home_path(len(after))


def test_days_span_of_a_page() -> None:
    items = [
        Paper("a", "A", "", "a.md", published=date(2025, 3, 2)),
        Paper("b", "B", "", "b.md", listed=date(2025, 3, 1)),
        Paper("c", "C", "", "c.md"),
    ]
    span = Pager(1, tuple(items), "page/1/", None, None).days
    assert span == (date(2025, 3, 1), date(2025, 3, 2))  # a tuple, as before it had names
    assert span is not None and (span.earliest, span.latest) == (date(2025, 3, 1), date(2025, 3, 2))
    assert Pager(1, tuple(items[2:]), "page/1/", None, None).days is None


SITE_TOML = """\
base_url = "https://example.org/"
title = "Stable"
description = "A scratch site."
theme = "default"
per_page = 3
freshness_days = 36500

[[topics]]
slug = "memory"
name = "Memory"
include = ["memory"]

[[topics]]
slug = "agents"
name = "Agents"
include = ["agents"]
"""


def write_paper(root: Path, number: int) -> None:
    """Paper ``number``: one a day from 2025-01-01 (so higher numbers are newer), about memory or agents."""
    day = date(2025, 1, 1) + timedelta(days=number)
    word = ("memory", "agents")[number % 2]
    meta = {"slug": f"paper-{number:03d}", "title": f"Paper {number} on {word}", "published": day, "listed": day}
    (root / "content" / "papers" / f"paper-{number:03d}.md").write_text(
        dump_document(meta, f"We study {word}."), encoding="utf-8"
    )


def fingerprints(root: Path) -> dict[str, bytes]:
    return {file: entry[0] for file, entry in BuildCache(root).previous_pages.pages.items()}


@pytest.fixture
def stable_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1770422400")
    root = tmp_path / "project"
    (root / "content" / "papers").mkdir(parents=True)
    shutil.copytree(Path(__file__).resolve().parent.parent / "themes", root / "themes")
    (root / "site.toml").write_text(SITE_TOML, encoding="utf-8")
    for number in range(25):  # 25 papers, January 1 to 25, 2025
        write_paper(root, number)
    assert build(root, search=False).ok
    return root


@pytest.mark.slow
def test_built_list_pages(stable_project: Path) -> None:
    """25 papers, 3 a page: the first page holds the newest 4, ``page/7/`` to ``page/1/`` 3 each; counts only on
    first pages, no page totals anywhere."""
    site = stable_project / "site"
    home = (site / "index.html").read_text()
    assert home.count('class="card"') == 4 and "25 papers, newest first." in home
    assert 'rel="next" href="/page/7/">Older' in home and 'rel="prev"' not in home
    newest_older = (site / "page" / "7" / "index.html").read_text()
    assert 'rel="prev" href="/">' in newest_older and 'rel="next" href="/page/6/">' in newest_older
    assert "<h1>Latest papers, page 7</h1>" in newest_older and "<title>Stable, page 7 · Stable</title>" in newest_older
    oldest = (site / "page" / "1" / "index.html").read_text()
    assert re.findall(r'card-title"><a [^>]*>Paper (\d+) on', oldest) == ["2", "1", "0"]
    assert 'rel="prev" href="/page/2/">' in oldest and 'rel="next"' not in oldest
    assert 'Papers from <time datetime="2025-01-01">Jan 1, 2025</time> to <time datetime="2025-01-03">' in oldest
    assert "25 papers" not in oldest
    assert not (site / "page" / "8").exists()
    memory = (site / "topics" / "memory" / "index.html").read_text()  # papers 0, 2, ..., 24
    assert "13 papers." in memory and 'href="/topics/memory/page/3/"' in memory
    memory_oldest = (site / "topics" / "memory" / "page" / "1" / "index.html").read_text()
    titles = re.findall(r'card-title"><a [^>]*>Paper (\d+) on', memory_oldest)
    assert titles == ["4", "2", "0"] and "13 papers" not in memory_oldest
    assert "<h1>Memory, page 1</h1>" in memory_oldest
    for page in site.rglob("*.html"):
        assert not re.search(r"Page \d+ of", page.read_text()), page


@pytest.mark.slow
def test_a_new_day_re_renders_few_list_pages(stable_project: Path) -> None:
    """Three newer papers, one a day: of the list pages, only the first pages, the newest older page of a list
    that gets a new older page, the new pages, and the pages that count or list everything change."""
    root = stable_project
    before = fingerprints(root)
    for number in range(25, 28):
        write_paper(root, number)
    assert build(root, search=False).ok
    after = fingerprints(root)
    changed = sorted(file for file in after if before.get(file) != after[file] and not file.startswith("papers/"))
    assert changed == [
        "archive/2025/01/index.html",  # the month's first page
        "archive/2025/01/page/7/index.html",  # its newer link now goes to the new page 8
        "archive/2025/01/page/8/index.html",  # new: 28 papers are 8 older pages of 3 and a first page of 4
        "archive/index.html",  # counts
        "digest/2025-01-25/index.html",  # the day before: it links to the newer day
        "digest/2025-01-26/index.html",
        "digest/2025-01-27/index.html",
        "digest/2025-01-28/index.html",
        "digest/index.html",
        "feeds/index.html",
        "index.html",
        "page/7/index.html",
        "page/8/index.html",
        "search/index.html",  # "Search 28 papers"
        "status/index.html",  # its papers per day
        "topics/agents/index.html",  # 12 papers, then 14: more on the first page, no new page
        "topics/index.html",
        "topics/memory/index.html",
    ]
