"""The staging folder and the swap (generator/incremental/output.py): a prune reads only the folders that changed since
the last prune of the same tree, stray files are removed wherever they are, and nothing waits for a deletion."""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from test_incremental import assert_same_as_clean, make_project, write_paper

import generator.incremental.metadata as metadata
import generator.incremental.output as output
import generator.incremental.prune as prune
from generator.build import build as build_site
from generator.incremental.output import Output, walk_files

HOUR_NS = 3600 * 10**9
PAGES = [f"papers/p{n}/index.html" for n in range(12)] + ["index.html", "feed.xml", "archive/2026/01/index.html"]


def files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() or p.is_symlink())


def age(folder: Path) -> None:
    """Date the folders under ``folder`` changed in the last minute an hour back, so that the prune records them
    (a folder changed within ``RACY_NS`` of a prune is never trusted); a later change gives one a new time."""
    now = time.time_ns()
    for path in [folder, *folder.rglob("*")]:
        if path.is_dir() and not path.is_symlink() and path.stat().st_mtime_ns > now - 60 * 10**9:
            os.utime(path, ns=(now - HOUR_NS, now - HOUR_NS))


def build(target: Path, pages: dict[str, str], *, aged: bool = True) -> Output:
    out = Output(target)
    for path, text in pages.items():
        out.write(path, text)
    if aged:
        age(out.staging)
    out.publish()
    return out


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A site built twice (so both trees are recorded), the folders of each dated an hour back."""
    monkeypatch.setattr(metadata, "RACY_NS", 0)
    target = tmp_path / "site"
    for _ in range(2):
        build(target, {path: path for path in PAGES}).wait()
    yield target


@pytest.fixture
def reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The folders of the staging folder that generator/incremental/ (output.py and prune.py) reads (``os.scandir``)
    from now on."""
    seen: list[str] = []
    scandir = os.scandir
    staging = os.path.join(tmp_path, ".site.staging")

    def spy(path: str | int) -> object:
        ours = sys._getframe(1).f_code.co_filename in (output.__file__, prune.__file__)
        if ours and not isinstance(path, int) and os.fspath(path).startswith(staging):
            seen.append(os.fspath(path))
        return scandir(path)

    monkeypatch.setattr(output.os, "scandir", spy)
    return seen


def test_a_prune_reads_only_the_folders_that_changed(site: Path, reads: list[str]) -> None:
    pages = {path: path for path in PAGES} | {"papers/p7/index.html": "changed"}
    out = build(site, pages, aged=False)
    staging = out.staging.parent / ".site.staging"
    changed = {os.path.join(staging, ""), os.path.join(staging, "papers/p7")}
    assert os.path.join(staging, "papers/p7") in reads
    assert set(reads) <= changed, reads  # the root's change time moves with every swap
    assert files(site) == sorted(PAGES)
    assert (site / "papers/p7/index.html").read_text() == "changed"


def test_a_build_that_writes_less_removes_the_rest(site: Path, reads: list[str]) -> None:
    fewer = [path for path in PAGES if not path.startswith(("papers/p3/", "archive/"))]
    for _ in range(2):
        out = build(site, {path: path for path in fewer})
        assert files(site) == sorted(fewer)
        out.wait()
    assert not list(site.parent.glob(".site.staging.trash.*"))
    assert not (site.parent / ".site.staging" / "archive").exists()
    assert not any("papers/p" in path for path in reads), reads


def replace_with_a_copy(site: Path) -> None:
    """Every folder gets another inode: the record does not describe this tree."""
    shutil.copytree(site, site.with_name("copy"), symlinks=True)
    shutil.rmtree(site)
    site.with_name("copy").rename(site)
    (site / "papers/p2/stray.html").write_text("x")


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda site: (site / "papers/p2/stray.html").write_text("x"), id="stray file"),
        pytest.param(lambda site: (site / "extra.html").write_text("x"), id="stray file at the root"),
        pytest.param(lambda site: shutil.copytree(site / "papers/p2", site / "papers/p2/sub"), id="stray folder"),
        pytest.param(lambda site: (site / "papers/p2/index.html").unlink(), id="deleted page"),
        pytest.param(lambda site: (site / "papers/p2").rename(site / "papers/p2-moved"), id="moved folder"),
        pytest.param(lambda site: (site / "papers/link").symlink_to(site.parent), id="link to a folder"),
        pytest.param(replace_with_a_copy, id="site replaced by a copy"),
    ],
)
def test_stray_and_missing_files_are_repaired_in_a_recorded_tree(site: Path, damage: Callable[[Path], object]) -> None:
    """A change made in ``site/`` while it was published shows in its folders' times: two builds later, when that
    tree is published again, it holds exactly what the build wrote."""
    (site.parent / "outside.txt").write_text("not the site's")
    damage(site)
    for _ in range(2):
        build(site, {path: path for path in PAGES}).wait()
        assert files(site) == sorted(PAGES)
    assert files(site.parent / ".site.staging") == sorted(PAGES)
    assert (site.parent / "outside.txt").read_text() == "not the site's"  # a link is never followed


def test_an_unreadable_or_stale_record_means_reading_every_folder(site: Path, reads: list[str]) -> None:
    (site / "papers/p4/stray.html").write_text("x")
    record = site.parent / ".site.folders"
    record.write_bytes(b"not a record")
    build(site, {path: path for path in PAGES})
    assert len(reads) > len(PAGES) - 3  # no record: every folder is read
    reads.clear()
    build(site, {path: path for path in PAGES})
    assert files(site) == sorted(PAGES)


def test_a_folder_changed_just_before_the_prune_is_not_trusted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reads: list[str]
) -> None:
    """Within ``RACY_NS`` of its last change a folder may change again without its modification time moving (the
    time has a coarse tick): such a folder is read by the next prune of its tree."""
    monkeypatch.setattr(metadata, "RACY_NS", HOUR_NS)
    target = tmp_path / "site"
    for _ in range(3):
        build(target, {path: path for path in PAGES}).wait()
    assert os.path.join(tmp_path, ".site.staging", "papers/p5") in reads


def test_publish_does_not_wait_for_deletions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "site"
    build(target, {"index.html": "one", "pagefind/a.js": "a"}, aged=False).wait()
    build(target, {"index.html": "one", "pagefind/a.js": "a"}, aged=False).wait()
    release = threading.Event()
    rmtree = output.shutil.rmtree

    def slow(path: str, ignore_errors: bool = False) -> None:
        release.wait(30)
        rmtree(path, ignore_errors=ignore_errors)

    monkeypatch.setattr(output.shutil, "rmtree", slow)
    out = Output(target)
    out.write("index.html", "two")
    (out.fresh_folder("pagefind") / "b.js").write_text("b")  # as Pagefind would
    out.files.append("pagefind/b.js")
    out.publish()  # returns while the old folder is still being deleted
    assert files(target) == ["index.html", "pagefind/b.js"]
    assert list(tmp_path.glob(".site.staging.trash.*"))
    release.set()
    out.wait()
    assert not list(tmp_path.glob(".site.staging.trash.*"))


def test_trash_left_behind_is_deleted_by_the_next_build_and_by_publish(tmp_path: Path) -> None:
    target = tmp_path / "site"
    build(target, {"index.html": "one"}).wait()
    killed = tmp_path / ".site.staging.trash.killed"  # a build killed while deleting it
    (killed / "deep/er").mkdir(parents=True)
    (killed / "deep/er/file").write_text("x")
    (tmp_path / ".site.folders.x1y2.tmp").write_bytes(b"half a record")
    out = Output(target)
    out.wait()
    assert not killed.exists()
    assert not (tmp_path / ".site.folders.x1y2.tmp").exists()
    # a helper process's trash, left when it exits: publish deletes it
    helper = Output(target, worker=True)
    helper.fresh_folder("pagefind")
    helper.fresh_folder("pagefind")  # replaces the folder made just before; the helper exits without waiting
    out.write("index.html", "two")
    out.publish()
    out.wait()
    assert not list(tmp_path.glob(".site.staging.trash.*"))
    assert files(target) == ["index.html"]


def test_two_outputs_in_one_process_do_not_collide_in_the_trash(tmp_path: Path) -> None:
    target = tmp_path / "site"
    for text in ("one", "two", "three"):
        out = Output(target)
        out.write("index.html", text)
        out.fresh_folder("pagefind")
        out.fresh_folder("pagefind")
        (out.staging / "pagefind" / "x.js").write_text(text)
        out.files.append("pagefind/x.js")
        out.publish()  # no wait in between: each trash folder has a name of its own
        assert (target / "pagefind" / "x.js").read_text() == text


@pytest.mark.slow
def test_builds_that_trust_the_record_match_clean_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whole builds, every folder recorded (dated back before each prune): each incremental build still gives the
    bytes of a clean one, and a stray file put in ``site/`` is gone once that tree is published again."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1770422400")
    monkeypatch.setattr(metadata, "RACY_NS", 0)
    prune = Output.prune

    def aged_prune(self: Output) -> None:
        age(self.staging)
        prune(self)

    monkeypatch.setattr(Output, "prune", aged_prune)
    project = make_project(tmp_path / "project", count=10)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    assert build_site(project, search=False).ok
    assert_same_as_clean(project, scratch)
    write_paper(project, 4, "Now also about agents.")
    assert_same_as_clean(project, scratch)
    (project / "content" / "papers" / "paper-002.md").unlink()
    assert_same_as_clean(project, scratch)
    (project / "site" / "papers" / "paper-005" / "stray.html").write_text("x")
    write_paper(project, 12)
    assert_same_as_clean(project, scratch)
    write_paper(project, 13)
    assert_same_as_clean(project, scratch)  # the tree with the stray file is published again, without it


def test_walk_files_lists_every_file_below_a_folder_but_not_through_links(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "deep.txt").write_text("x")
    (tmp_path / "top.txt").write_text("y")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "hidden.txt").write_text("z")
    (tmp_path / "a" / "link").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    found = dict(walk_files(tmp_path / "a", "site/"))
    assert sorted(found) == ["site/b/deep.txt"]
    assert found["site/b/deep.txt"].inode() == (tmp_path / "a" / "b" / "deep.txt").stat().st_ino
    assert sorted(path for path, _ in walk_files(tmp_path)) == ["a/b/deep.txt", "elsewhere/hidden.txt", "top.txt"]


def test_reuse_folder_keeps_what_is_accepted_and_gives_up_on_a_marked_folder(tmp_path: Path) -> None:
    target = tmp_path / "site"
    build(target, {"pagefind/data/a": "a", "pagefind/data/b": "b", "pagefind/script.js": "s"}).wait()
    build(target, {"index.html": "one"}).wait()  # the staging folder now holds the first site
    out = Output(target)
    staged = out.staging / "pagefind"
    (staged / "data" / "link").symlink_to(staged / "data" / "a")
    inode = (staged / "data" / "a").stat().st_ino
    assert out.reuse_folder("pagefind", lambda rel: rel.startswith("data/")) == staged
    assert sorted(rel for rel, _ in walk_files(staged, links=True)) == [".incomplete", "data/a", "data/b"]
    assert (staged / "data" / "a").stat().st_ino == inode  # kept, not copied
    out.reuse_folder("pagefind", lambda rel: True)  # still marked: a tool was killed while writing it
    assert [rel for rel, _ in walk_files(staged, links=True)] == [".incomplete"]
    (staged / "data").mkdir()
    (staged / "data" / "c").write_text("c")
    out.complete("pagefind")
    out.reuse_folder("pagefind", lambda rel: True)
    assert sorted(rel for rel, _ in walk_files(staged)) == [".incomplete", "data/c"]
    out.complete("pagefind")
    out.files.append("pagefind/data/c")
    out.publish()
    out.wait()
    assert files(target) == ["pagefind/data/c"]


def test_identical_files_and_reused_folders_are_the_published_files(tmp_path: Path) -> None:
    target = tmp_path / "site"
    build(target, {"a.html": "one", "pagefind/data/x": "x", "pagefind/data/y": "y"}).wait()
    build(target, {"a.html": "two", "pagefind/data/x": "x2", "pagefind/data/z": "z"}).wait()
    out = Output(target)  # staging: the first site; published: the second
    assert (out.staging / "a.html").stat().st_ino != (target / "a.html").stat().st_ino
    out.write("a.html", "two")  # the published bytes: the staging folder gets the published file itself
    assert (out.staging / "a.html").stat().st_ino == (target / "a.html").stat().st_ino
    folder = out.reuse_folder("pagefind", lambda rel: rel.startswith("data/"))
    held = {rel: entry.inode() for rel, entry in walk_files(folder)}
    published = {rel: entry.inode() for rel, entry in walk_files(target / "pagefind")}
    assert held == {".incomplete": held[".incomplete"], **published}  # y (only in the staging copy) is gone
    out.complete("pagefind")


def test_link_folder_replaces_only_the_files_that_are_not_the_published_ones(tmp_path: Path) -> None:
    target = tmp_path / "site"
    build(target, {"index.html": "one"}).wait()
    build(target, {"pagefind/a": "a", "pagefind/b": "b", "pagefind/sub/c": "c", "pagefind/keep.me": "k"}).wait()
    out = Output(target)
    staged = out.staging / "shard"
    out.link_folder("pagefind", "shard")  # first: every file linked
    published = {rel: entry.inode() for rel, entry in walk_files(target / "pagefind")}
    assert {rel: entry.inode() for rel, entry in walk_files(staged)} == published
    (staged / "b").unlink()
    (staged / "b").write_text("not the published b")
    (staged / "stray").write_text("x")
    (staged / "sub" / "link").symlink_to(staged / "a")
    (staged / "keep.me").unlink()
    (staged / "keep.me").write_text("left as it is")
    a = (staged / "a").stat()
    assert out.link_folder("pagefind", "shard", exclude={"keep.me"})
    held = {rel: entry.inode() for rel, entry in walk_files(staged, links=True)}
    assert sorted(held) == ["a", "b", "keep.me", "sub/c"]
    assert all(held[rel] == published[rel] for rel in ("a", "b", "sub/c"))
    assert (staged / "a").stat().st_ctime_ns == a.st_ctime_ns  # untouched, not unlinked and linked again
    assert (staged / "keep.me").read_text() == "left as it is"
    shutil.rmtree(staged / "sub")
    (staged / "sub").write_text("a file where a folder goes")  # cannot be fixed in place: filled afresh
    assert out.link_folder("pagefind", "shard")
    assert {rel: entry.inode() for rel, entry in walk_files(staged)} == published
    assert not out.link_folder("missing", "other")


def test_reuse_folder_starts_empty_when_a_link_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "site"
    build(target, {"pagefind/data/x": "x"}).wait()
    out = Output(target)

    def refuse(source: object, link: object) -> None:
        raise OSError("too many links")

    monkeypatch.setattr(output.os, "link", refuse)
    folder = out.reuse_folder("pagefind", lambda rel: True)
    assert [rel for rel, _ in walk_files(folder)] == [".incomplete"]  # no traceback, nothing half-linked
