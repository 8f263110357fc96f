"""A build with nothing to do stops early ("up to date"), and any change to an input or to the published site
makes a real build again (generator/incremental/stamp.py)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from test_incremental import make_project, tree, write_paper

from generator.build import BuildResult, build
from generator.cli import main

HOUR = 3600


def age(root: Path) -> None:
    """Date every input an hour back: files written a moment ago are not trusted by their metadata."""
    past = time.time() - HOUR
    for file in (root / "content").rglob("*"):
        os.utime(file, (past, past))


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The build's "now" pinned: status.json and the status page carry it, and a repaired site must equal the
    site as first built, to the byte."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1770422400")


@pytest.fixture
def built(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "site-project")
    age(root)
    first = build(root, search=False)
    assert first.ok and not first.up_to_date, first.problems
    return root


def rebuild(root: Path, **options: object) -> BuildResult:
    result = build(root, search=False, **options)  # type: ignore[arg-type]
    assert result.ok, result.problems
    return result


def test_second_build_with_nothing_changed_is_up_to_date(built: Path) -> None:
    before = tree(built / "site")
    again = rebuild(built)
    assert again.up_to_date
    assert (again.papers, again.pages) == (24, build(built, search=False).pages)
    assert tree(built / "site") == before


def test_up_to_date_build_reports_the_same_warnings(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p")
    write_paper(root, 99)
    page = root / "content" / "papers" / "paper-099.md"
    page.write_text(page.read_text().replace("listed:", "topics: [no-such-topic]\nlisted:"))
    age(root)
    first = rebuild(root)
    again = rebuild(root)
    assert again.up_to_date
    assert [str(p) for p in again.problems] == [str(p) for p in first.problems]
    assert any("no-such-topic" in str(p) for p in again.problems)


@pytest.mark.slow
@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda root: write_paper(root, 5, "A new sentence."), id="edited content file"),
        pytest.param(lambda root: write_paper(root, 40), id="new content file"),
        pytest.param(lambda root: (root / "content/papers/paper-007.md").unlink(), id="removed content file"),
        pytest.param(lambda root: os.utime(root / "content/papers/paper-003.md"), id="touched content file"),
        pytest.param(
            lambda root: (root / "site.toml").write_text((root / "site.toml").read_text().replace("5", "6", 1)),
            id="site.toml",
        ),
        pytest.param(
            lambda root: (root / "themes/default/templates/404.html").write_text(
                (root / "themes/default/templates/404.html").read_text() + "\n"
            ),
            id="theme template",
        ),
    ],
)
def test_a_changed_input_means_a_real_build(built: Path, change: Callable[[Path], object]) -> None:
    change(built)
    result = rebuild(built)
    assert not result.up_to_date


@pytest.mark.slow
@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda site: (site / "index.html").write_text("defaced"), id="edited page"),
        pytest.param(lambda site: (site / "papers/paper-002/index.html").unlink(), id="deleted page"),
        pytest.param(lambda site: (site / "papers/paper-002/stray.html").write_text("x"), id="stray file"),
        pytest.param(lambda site: (site / "feed.xml").unlink(), id="deleted feed"),
    ],
)
def test_a_changed_site_is_built_again_and_repaired(built: Path, damage: Callable[[Path], object]) -> None:
    want = tree(built / "site")
    damage(built / "site")
    result = rebuild(built)
    assert not result.up_to_date
    assert tree(built / "site") == want


@pytest.mark.slow
def test_other_options_or_day_mean_a_real_build(built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert not rebuild(built, base_url="https://example.org/sub/").up_to_date
    assert not rebuild(built).up_to_date  # back to the configured base URL
    assert rebuild(built).up_to_date
    assert not rebuild(built, use_cache=False).up_to_date  # --no-cache never takes the shortcut
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(time.time()) + 3 * 86400))
    assert not rebuild(built).up_to_date  # "now" moved to another day: the freshness check may say otherwise


def test_a_content_file_written_just_now_is_not_trusted(built: Path) -> None:
    write_paper(built, 5, "Edited a moment ago.")  # inside the racy window: no stamp is taken
    assert not rebuild(built).up_to_date
    assert not rebuild(built).up_to_date


def test_cli_says_the_site_is_up_to_date(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(built), "build", "--no-search"]) == 0
    assert main(["--root", str(built), "build", "--no-search"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[-1].startswith("site is up to date: 24 papers")


def test_an_edit_that_keeps_size_and_mtime_is_still_seen(built: Path) -> None:
    """Content files are trusted by size, times and inode (not read again when those match); the change time
    catches an edit whose size and modification time were put back."""
    page = built / "content" / "papers" / "paper-004.md"
    before = page.stat()
    text = page.read_text(encoding="utf-8")
    edited = text.replace("Paper 4 on", "Paper 4 in", 1)
    assert edited != text and len(edited) == len(text)
    page.write_text(edited, encoding="utf-8")
    os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))
    result = rebuild(built)
    assert not result.up_to_date
    assert "Paper 4 in" in (built / "site" / "papers" / "paper-004" / "index.html").read_text(encoding="utf-8")
