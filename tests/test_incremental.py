"""Incremental builds give the same bytes as clean ones; the output swap reuses the previous tree safely."""

from __future__ import annotations

import io
import os
import pickle
import shutil
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from generator.build import build
from generator.content.document import dump_document
from generator.incremental.cache import BuildCache
from generator.incremental.fingerprint import Fingerprint
from generator.incremental.output import Output
from generator.progress import Progress
from generator.site.load import load_papers

ROOT = Path(__file__).resolve().parent.parent

SITE_TOML = """\
base_url = "https://example.org/"
title = "Incremental"
description = "A scratch site."
theme = "default"
per_page = 5
freshness_days = 36500

[[topics]]
slug = "memory"
name = "Memory"
include = ["memory"]

[[topics]]
slug = "agents"
name = "Agents"
include = ["agent", "agents"]
"""

WORDS = ("memory", "agents", "retrieval", "vision", "long context", "graphs")


def write_paper(root: Path, number: int, extra: str = "") -> None:
    day = date(2025, 1, 1) + timedelta(days=number * 3)
    meta = {
        "title": f"Paper {number} on {WORDS[number % len(WORDS)]}",
        "slug": f"paper-{number:03d}",
        "arxiv": f"2501.{number:05d}",
        "published": day,
        "listed": day,
        "authors": [f"Author {number}", "Someone Else"],
        "upvotes": number % 7,
    }
    body = f"We study {WORDS[number % len(WORDS)]} and {WORDS[(number + 1) % len(WORDS)]}. {extra}".strip()
    (root / "content" / "papers" / f"paper-{number:03d}.md").write_text(dump_document(meta, body), encoding="utf-8")


def make_project(root: Path, count: int = 24) -> Path:
    (root / "content" / "papers").mkdir(parents=True)
    shutil.copytree(ROOT / "themes", root / "themes")
    (root / "site.toml").write_text(SITE_TOML, encoding="utf-8")
    for number in range(count):
        write_paper(root, number)
    return root


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_same_as_clean(project: Path, scratch: Path, search: bool = False) -> None:
    """Build ``project`` incrementally, then a copy of its inputs from nothing, and compare every byte."""
    result = build(project, search=search)
    assert result.ok, result.problems
    clean = scratch / f"clean-{len(list(scratch.iterdir()))}"
    clean.mkdir()
    for name in ("content", "themes", "site.toml"):
        source = project / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, clean / name)
    assert build(clean, use_cache=False, search=search).ok
    got, want = tree(project / "site"), tree(clean / "site")
    assert sorted(got) == sorted(want)
    changed = [path for path in want if got[path] != want[path]]
    assert not changed, f"incremental build differs from a clean build in {changed[:10]}"


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1770422400")
    monkeypatch.delenv("PAPERSITE_JOBS", raising=False)


@pytest.mark.slow
def test_incremental_builds_match_clean_builds(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    assert build(project, search=False).ok
    assert_same_as_clean(project, scratch)  # nothing changed
    write_paper(project, 5, "A new sentence about agents.")  # edit one paper: its topics change too
    assert_same_as_clean(project, scratch)
    for number in range(24, 30):  # a new listing: newest papers shift every list page
        write_paper(project, number)
    assert_same_as_clean(project, scratch)
    (project / "content" / "papers" / "paper-003.md").unlink()  # a paper goes away
    assert_same_as_clean(project, scratch)
    toml = project / "site.toml"
    toml.write_text(toml.read_text().replace('title = "Incremental"', 'title = "Renamed"'), encoding="utf-8")
    assert_same_as_clean(project, scratch)
    template = project / "themes" / "default" / "templates" / "paper.html"
    template.write_text(template.read_text() + "\n", encoding="utf-8")
    assert_same_as_clean(project, scratch)


@pytest.mark.slow
def test_unchanged_pages_are_not_rendered_again(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    assert build(project, search=False).ok
    before = {p: p.stat().st_ino for p in (project / "site" / "papers").rglob("index.html")}
    assert build(project, search=False).ok
    after = {p: p.stat().st_ino for p in (project / "site" / "papers").rglob("index.html")}
    assert before == after  # the very same files, hard-linked, not rewritten


@pytest.mark.slow
def test_search_index_is_reused_only_when_paper_pages_are_unchanged(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", count=8)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    first = build(project)
    assert first.ok and first.search is not None and first.search.seconds > 0
    again = build(project)
    assert again.search is not None and again.search.seconds == 0  # reused
    assert_same_as_clean(project, scratch, search=True)
    write_paper(project, 2, "Now also about vision.")
    changed = build(project)
    assert changed.search is not None and changed.search.seconds > 0  # indexed again
    assert_same_as_clean(project, scratch, search=True)


@pytest.mark.slow
def test_a_build_that_parsed_few_files_saves_only_those(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", count=30)
    assert build(project, search=False).ok
    folder = project / ".papersite-cache"
    (base,) = folder.glob("parsed-*.pickle")
    saved = base.stat().st_ino
    write_paper(project, 30)  # one new file: 1 of 31 entries
    write_paper(project, 4, "An edit.")  # one edited file: its old entry goes unused
    assert build(project, search=False).ok
    assert base.stat().st_ino == saved  # not written again
    (added,) = folder.glob("parsed.new-*.pickle")
    assert len(pickle.loads(added.read_bytes())) == 2
    cache = BuildCache(project)
    names = {Path(path).name for path, _ in cache.content.parsed}  # both files are read
    assert {f"paper-{number:03d}.md" for number in range(31)} <= names
    for number in range(31, 34):  # more than PARSED_SHARE of the entries added or unused: all are saved afresh
        write_paper(project, number)
    assert build(project, search=False).ok
    assert base.stat().st_ino != saved and not list(folder.glob("parsed.new-*.pickle"))
    assert len(pickle.loads(base.read_bytes())) == 34


def test_a_paper_is_known_by_its_file_and_topics_only_while_the_rest_is_its_parse(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", count=3)
    cache = BuildCache(project)
    papers, _ = load_papers(project / "content" / "papers", cache.content)
    site = [replace(paper, topics=("memory",)) for paper in papers]  # as the site resolves them
    print_ = Fingerprint("salt")
    print_.learn(site, cache.content)
    by_file = print_.of(site[0])
    assert print_.of(site[0]) == by_file
    retopiced = [replace(paper, topics=("agents",)) for paper in papers]
    other = Fingerprint("salt")
    other.learn(retopiced, cache.content)
    assert other.of(retopiced[0]) != by_file  # other topics: another paper
    again = [replace(paper, topics=("memory",)) for paper in papers]  # new objects, the same papers
    other = Fingerprint("salt")
    other.learn(again, cache.content)
    assert other.of(again[0]) == by_file
    edited = replace(site[0], title="Another title")  # not the parse result any more: hashed field by field
    other = Fingerprint("salt")
    other.learn([edited], cache.content)
    assert other.of(edited) != by_file
    assert other.of(edited) == Fingerprint("salt").of(edited)


@pytest.mark.slow
def test_no_cache_ignores_a_corrupt_or_stale_cache(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    assert build(project, search=False).ok
    for file in (project / ".papersite-cache").iterdir():
        file.write_bytes(b"not a pickle")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    assert_same_as_clean(project, scratch)


def test_writes_never_change_the_published_site_in_place(tmp_path: Path) -> None:
    target = tmp_path / "site"
    out = Output(target)
    out.write("a/index.html", "one")
    out.write("b.txt", "bee")
    out.publish()
    # the next build links an unchanged file from site/ and rewrites a changed one
    out = Output(target)
    stat = (target / "a" / "index.html").stat()
    assert out.link("a/index.html", stat.st_size, stat.st_mtime_ns)
    out.files.append("a/index.html")
    out.write("b.txt", "changed")
    assert (target / "b.txt").read_text() == "bee"  # site/ untouched until the swap
    out.publish()
    assert (target / "b.txt").read_text() == "changed"
    assert (target / "a" / "index.html").read_text() == "one"
    out = Output(target)
    out.write("a/index.html", "two")  # the staging copy may be a hard link to site/'s file
    assert (target / "a" / "index.html").read_text() == "one"  # a build given up here leaves site/ as it was
    assert sorted(os.listdir(target)) == ["a", "b.txt"]


def test_files_a_build_no_longer_writes_are_removed(tmp_path: Path) -> None:
    target = tmp_path / "site"
    for files in (["x/index.html", "y/index.html"], ["x/index.html"], ["x"]):
        out = Output(target)
        for path in files:
            out.write(path, path)
        out.publish()
        assert sorted(tree(target)) == files


def test_named_records_fingerprint_as_the_tuples_they_are() -> None:
    from datetime import date

    from generator.render.archive import MonthHead, MonthLink
    from generator.render.pagination import DaySpan

    month = MonthHead(2026, 2, "February 2026", "archive/2026/02/")
    print_ = Fingerprint("salt")
    assert print_.of(month) == print_.of((2026, 2, "February 2026", "archive/2026/02/"))
    assert print_.of(month) != print_.of(MonthHead(2026, 1, "January 2026", "archive/2026/01/"))
    assert print_.of(MonthLink("January 2026", "archive/2026/01/")) != print_.of(MonthLink("March 2026", "x/"))
    assert print_.of(DaySpan(date(2026, 2, 1), date(2026, 2, 6))) == print_.of((date(2026, 2, 1), date(2026, 2, 6)))


@pytest.mark.slow
def test_a_new_day_rewrites_only_the_new_papers_desk_files_and_the_window(tmp_path: Path) -> None:
    """The desk's files (generator/desk/files.py): with more papers than the vector model's reference (100), a newer
    paper leaves every other paper's ``desk.json`` and ``cite.bib`` the very same files; the window's vectors change."""
    project = make_project(tmp_path / "project", count=110)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    assert build(project, search=False).ok
    site = project / "site"
    desk = {p: p.stat().st_ino for name in ("desk.json", "cite.bib") for p in site.glob(f"papers/*/{name}")}
    window = (site / "desk" / "recent.bin").read_bytes()
    assert len(desk) == 220
    write_paper(project, 110)  # the newest paper, listed three days after the others
    progress = Progress(io.StringIO())
    assert build(project, search=False, progress=progress).ok
    (stage,) = [stage for stage in progress.stages if stage.name == "desk files"]
    assert (stage.count, stage.detail) == (111, "110 unchanged")  # the other papers' files were linked, not made
    after = {p: p.stat().st_ino for name in ("desk.json", "cite.bib") for p in site.glob(f"papers/*/{name}")}
    new = {p for p in after if "paper-110" in str(p)}
    assert len(new) == 2 and {p: after[p] for p in after if p not in new} == desk
    assert (site / "desk" / "recent.bin").read_bytes() != window
    assert_same_as_clean(project, scratch)
