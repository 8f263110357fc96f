"""The journal (``incremental/journal.py``): a build trusts the files the last two builds left alone, touches only
the others, and still gives what a build that checks every file gives."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from test_incremental import assert_same_as_clean, make_project, tree, write_paper

from generator.build import build
from generator.incremental import journal
from generator.incremental.output import Output


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1770422400")
    monkeypatch.delenv("PAPERSITE_JOBS", raising=False)


def looked_at(monkeypatch: pytest.MonkeyPatch, under: Path) -> list[str]:
    """The paths under ``under`` that publishing (``output.py``, ``prune.py``, ``stamp.py``) calls ``os.stat``,
    ``os.lstat``, ``os.link`` and ``os.unlink`` with, from now on (in this process: build with ``jobs=1``); a path
    relative to a folder (``dir_fd``) is given as ``<folder>/<path>``."""
    seen: list[str] = []
    prefix = str(under)
    for name in ("stat", "lstat", "link", "unlink"):
        real = getattr(os, name)

        def spy(*args: Any, _real: Any = real, **kwargs: Any) -> Any:
            caller = Path(sys._getframe(1).f_code.co_filename).name
            if caller in ("output.py", "prune.py", "stamp.py"):
                if "dir_fd" in kwargs:
                    seen.append(f"<folder>/{args[0]}")
                seen.extend(str(arg) for arg in args[:2] if str(arg).startswith(prefix))
            return _real(*args, **kwargs)

        monkeypatch.setattr(os, name, spy)
    return seen


def test_a_build_looks_only_at_what_changed_in_the_last_two_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(tmp_path / "project")
    for file in (project / "content" / "papers").iterdir():
        settle(file)  # else no stamp is taken (``metadata.settled``), which the end of this test needs
    assert build(project, search=False, jobs=1).ok
    made = made_files(monkeypatch)
    upvote(project, 5)  # not the text: the related papers and the desk vectors stay as they are
    assert build(project, search=False, jobs=1).ok  # the first build's journal: it wrote every file
    upvote(project, 7)
    seen = looked_at(monkeypatch, project)
    assert build(project, search=False, jobs=1).ok
    # The files this build or the last one made (paper 5, paper 7, the pages that show them): the staging folder
    # may hold another file there. No other paper's files are looked at, nor linked.
    papers = {path.split("/")[1] for path in made if path.startswith("papers/")}
    looked = {path.split("/papers/")[1].split("/")[0] for path in seen if "/papers/" in path}
    assert {"paper-005", "paper-007"} <= looked <= papers
    # the stamp, which took the metadata of those files only, describes the whole site as it is
    assert build(project, search=False, jobs=1).up_to_date
    assert len(papers) < 24  # (on a site this small, most papers show paper 5 or paper 7 as a related paper)


def test_the_trees_restored_from_an_archive_are_trusted_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The deploy workflow saves both trees, their records and the caches in one archive (actions/cache: tar) and
    restores them on a fresh runner: new inodes, the same times, the files the trees share still shared."""
    project = make_project(tmp_path / "project")
    assert build(project, search=False, jobs=1).ok
    made = made_files(monkeypatch)
    upvote(project, 5)
    assert build(project, search=False, jobs=1).ok
    saved = ["site", ".site.staging", ".site.journal", ".site.folders", ".papersite-cache"]
    subprocess.run(["tar", "--posix", "-cf", str(tmp_path / "cache.tar"), *saved], cwd=project, check=True)
    for name in saved:
        path = project / name
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    subprocess.run(["tar", "-xf", str(tmp_path / "cache.tar")], cwd=project, check=True)
    upvote(project, 7)
    seen = looked_at(monkeypatch, project)
    assert build(project, search=False, jobs=1).ok
    papers = {path.split("/")[1] for path in made if path.startswith("papers/")}
    looked = {path.split("/papers/")[1].split("/")[0] for path in seen if "/papers/" in path}
    assert {"paper-005", "paper-007"} <= looked <= papers


def made_files(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths ``Output.put`` is called with from now on (files made, not linked from the published site)."""
    made: list[str] = []
    real = Output.put

    def put(self: Output, path: str, data: str | bytes) -> tuple[int, int]:
        made.append(path)
        return real(self, path, data)

    monkeypatch.setattr(Output, "put", put)
    return made


def upvote(project: Path, number: int) -> None:
    file = project / "content" / "papers" / f"paper-{number:03d}.md"
    text = file.read_text(encoding="utf-8")
    file.write_text(text.replace(f"upvotes: {number % 7}\n", "upvotes: 99\n", 1), encoding="utf-8")
    settle(file)


def settle(file: Path) -> None:
    """Date ``file`` a minute back: settled (``metadata.RACY_NS``), so the stamp may trust its metadata."""
    past = time.time_ns() - 60 * 10**9
    os.utime(file, ns=(past, past))


def test_trusted_builds_match_clean_builds(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    assert build(project, search=False).ok
    write_paper(project, 5, "First edit about memory.")
    assert_same_as_clean(project, scratch)
    write_paper(project, 9, "An edit about agents.")
    assert_same_as_clean(project, scratch)
    write_paper(project, 5)  # back as it was two builds ago: the staging folder holds that very page
    assert_same_as_clean(project, scratch)
    (project / "content" / "papers" / "paper-011.md").unlink()
    assert_same_as_clean(project, scratch)
    write_paper(project, 11)  # back again, in a folder the last build removed from the published site
    assert_same_as_clean(project, scratch)
    for number in range(24, 28):
        write_paper(project, number)
    assert_same_as_clean(project, scratch)


def test_a_site_changed_since_the_last_build_is_checked_file_by_file(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    assert build(project, search=False).ok
    write_paper(project, 5, "An edit.")
    assert build(project, search=False).ok
    want = tree(project / "site")
    page = project / "site" / "papers" / "paper-012" / "index.html"
    page.write_text("damaged", encoding="utf-8")  # in place: the staging folder shares the file
    assert build(project, search=False).ok
    assert tree(project / "site") == want


def test_the_journal_ends_when_a_build_starts_writing(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    assert build(project, search=False).ok
    write_paper(project, 5, "An edit.")
    assert build(project, search=False).ok
    target = project / "site"
    file = target.with_name(".site.journal")
    assert file.is_file()
    out = Output(target, trust=True)
    assert out.journal is not None and not out.journal.trusts("papers/paper-005/index.html")
    assert any(out.trusts(f"papers/paper-{number:03d}/index.html") for number in range(24))
    assert not out.trusts("pagefind/pagefind-entry.json")  # a tool writes there itself
    assert not file.exists()  # a build killed from here on leaves no journal: the next one checks every file
    assert Output(target, trust=True).journal is None


def test_a_journal_of_other_trees_is_not_taken(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    assert build(project, search=False).ok
    write_paper(project, 5, "An edit.")
    assert build(project, search=False).ok
    target, staging = project / "site", project / ".site.staging"
    file = target.with_name(".site.journal")
    saved = file.read_bytes()
    staging.rename(project / "elsewhere")
    staging.mkdir()  # another staging folder (a restored archive, a deleted folder made again)
    assert journal.take(file, target, staging) is None
    file.write_bytes(b"not a journal")
    assert journal.take(file, target, staging) is None and not file.exists()
    file.write_bytes(saved[:-3])  # torn
    assert journal.take(file, target, staging) is None
