"""Archive pages: every month with papers (by listed date) with counts, each month paginated."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from generator.build import build
from generator.content.document import dump_document
from generator.model import Paper
from generator.render.archive import archive_months


def _paper(slug: str, listed: date | None, published: date | None = None) -> Paper:
    return Paper(
        slug=slug, title=slug, abstract="", path=f"content/papers/{slug}.md", listed=listed, published=published
    )


def test_months_grouped_by_listed_date_newest_first() -> None:
    papers = (
        _paper("a", date(2025, 1, 31), date(2020, 1, 1)),
        _paper("b", date(2025, 3, 2)),
        _paper("c", date(2025, 1, 1)),
        _paper("d", None, date(2024, 12, 5)),
        _paper("e", None, None),
    )
    months = archive_months(papers)
    assert [(m.year, m.month, [p.slug for p in m.papers]) for m in months] == [
        (2025, 3, ["b"]),
        (2025, 1, ["a", "c"]),
        (2024, 12, ["d"]),
    ]
    assert months[0].name == "March 2025"
    assert months[0].path == "archive/2025/03/"


def _write(root: Path, slug: str, title: str, listed: date) -> None:
    meta = {"slug": slug, "title": title, "listed": listed}
    (root / "content" / "papers" / f"{slug}.md").write_text(dump_document(meta, "Memory."), encoding="utf-8")


def test_built_archive_pages(project: Path, tmp_path: Path, pinned_clock: str) -> None:
    root = project
    toml = (root / "site.toml").read_text()
    (root / "site.toml").write_text(toml.replace("per_page = 20", "per_page = 2"))
    for day in range(1, 6):
        _write(root, f"jan-{day}", f"January paper {day}", date(2025, 1, day))
    _write(root, "feb-1", "February paper", date(2025, 2, 1))
    result = build(root, out_dir=tmp_path / "out")
    assert result.ok, result.problems
    out = tmp_path / "out"
    index = (out / "archive" / "index.html").read_text()
    assert re.search(r'href="/archive/2025/02/">February</a> <span class="count">1 paper</span>', index)
    assert re.search(r'href="/archive/2025/01/">January</a> <span class="count">5 papers</span>', index)
    # 5 papers, 2 a page: the first page holds the newest 3, page/1/ the oldest 2 (older pages count from the oldest)
    january = (out / "archive" / "2025" / "01" / "index.html").read_text()
    assert january.count('class="card"') == 3 and "5 papers listed this month" in january
    assert 'rel="next" href="/archive/2025/01/page/1/"' in january and "Page 1 of" not in january
    assert 'href="/archive/2025/02/">← February 2025</a>' in january
    oldest = (out / "archive" / "2025" / "01" / "page" / "1" / "index.html").read_text()
    assert oldest.count('class="card"') == 2 and "January paper 1<" in oldest and "January paper 2<" in oldest
    assert 'rel="prev" href="/archive/2025/01/"' in oldest and 'rel="next"' not in oldest
    assert "February 2025" not in oldest  # the months nav is on the month's first page only
    assert not (out / "archive" / "2025" / "01" / "page" / "2").exists()
    assert 'href="/archive/"' in (out / "index.html").read_text()  # in the header nav
