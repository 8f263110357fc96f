"""``search/lists.json``: each list's pages, size and papers per year, exactly as the list pages hold them, so that a
search without words (``static/search/listing.js``) finds its n-th result on the right page."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

from generator.build import build
from generator.content.document import dump_document


def _write(root: Path, slug: str, published: date | None, listed: date | None, body: str) -> None:
    meta = {"slug": slug, "title": f"{body} {slug}", "published": published, "listed": listed}
    meta = {key: value for key, value in meta.items() if value is not None}
    (root / "content" / "papers" / f"{slug}.md").write_text(dump_document(meta, body), encoding="utf-8")


def _slugs(html: str) -> list[str]:
    return re.findall(r'<article class="card" data-slug="([^"]+)"', html)


def _page(lists: dict[str, Any], entry: dict[str, Any], position: int) -> tuple[str, int]:
    """The page and place of the ``position``-th paper of ``entry``, as ``listing.js`` computes them."""
    count, per_page = entry["count"], lists["per_page"]
    older = max(0, count // per_page - 1)
    cut = count - older * per_page
    if position < cut:
        return entry["first"], position
    number = (count - 1 - position) // per_page + 1
    return entry["older"].replace("{n}", str(number)), position - (count - (number - 1) * per_page - per_page)


def test_lists_give_exact_counts_and_find_every_paper_on_its_page(
    project: Path, tmp_path: Path, pinned_clock: str
) -> None:
    root = project
    toml = (root / "site.toml").read_text()
    (root / "site.toml").write_text(toml.replace("per_page = 20", "per_page = 3"))
    for number in range(17):
        day = date(2023 + number % 3, 1 + number % 12, 1 + number)
        body = "Memory and video" if number % 2 else "Vision only"
        _write(root, f"paper-{number:02d}", day, date(2026, 1, 1), body)
    _write(root, "undated", None, None, "Memory without a date")
    result = build(root, out_dir=tmp_path / "out")
    assert result.ok, result.problems
    out = tmp_path / "out"
    lists = json.loads((out / "search" / "lists.json").read_text(encoding="utf-8"))
    assert lists["per_page"] == 3 and set(lists["topics"]) == {"Memory", "Vision"}
    assert lists["all"]["count"] == 18 and lists["all"]["years"] == [[2025, 5], [2024, 6], [2023, 6]]
    assert lists["topics"]["Memory"]["first"] == "topics/memory/"
    assert lists["topics"]["Memory"]["older"] == "topics/memory/page/{n}/"
    for entry in (lists["all"], *lists["topics"].values()):
        shown = []
        for position in range(entry["count"]):
            path, place = _page(lists, entry, position)
            shown.append(_slugs((out / path / "index.html").read_text(encoding="utf-8"))[place])
        assert len(set(shown)) == entry["count"], shown  # every paper once, each where the lists say
        years = [int(slug.split("-")[1]) % 3 + 2023 for slug in shown if slug != "undated"]
        assert years == sorted(years, reverse=True)
        assert sum(n for _, n in entry["years"]) == entry["count"] - shown.count("undated")


def test_two_builds_write_the_same_lists(project: Path, tmp_path: Path, pinned_clock: str) -> None:
    _write(project, "a-paper", date(2025, 3, 1), None, "Memory")
    texts = []
    for name in ("one", "two"):
        assert build(project, out_dir=tmp_path / name).ok
        texts.append((tmp_path / name / "search" / "lists.json").read_bytes())
    assert texts[0] == texts[1]
