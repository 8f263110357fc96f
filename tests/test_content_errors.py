"""Broken content files, end to end: ``papersite build`` names the file and line, exits 1, and leaves ``site/``
byte for byte as it was; ``papersite ingest`` refuses to write anything. Also: ingest writes content files only
through a temp file + rename (``content.write_atomic``).

(Field-level validation of a single document is unit-tested in ``test_content.py``; this is the command level.)
"""

from __future__ import annotations

import builtins
import hashlib
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from generator.content.paper import duplicate_papers
from generator.ingest.merge import ingest

REPO = Path(__file__).resolve().parents[1]
SITE_TOML = """\
base_url = "https://example.org/"
title = "Content errors"
freshness_days = 100000

[[topics]]
slug = "memory"
name = "Memory"
include = ["memory"]
"""
GOOD = {
    "episodic-memory": '---\ntitle: Episodic memory\nslug: episodic-memory\narxiv: "2601.00001"\n'
    "listed: 2026-02-06\n---\n\nAn abstract about memory.\n",
    "vision-paper": "---\ntitle: A vision paper\nslug: vision-paper\nlisted: 2026-02-05\n---\n\nImages.\n",
}
LISTING = """Daily Papers

Feb 6

A Brand New Paper About Memory

Its abstract.

  • 2 authors
·
Jan 30, 2026 1
"""

# (file name, text, expected "path:line: error: message" prefix and message part)
BROKEN = {
    "broken-yaml": (
        "broken-yaml.md",
        "---\ntitle: Broken\nauthors: [Ann, Bob\nlisted: 2026-02-06\n---\n\nBody.\n",
        "content/papers/broken-yaml.md:4: error: invalid YAML front matter",
    ),
    "unclosed-front-matter": (
        "unclosed.md",
        "---\ntitle: Never closed\n\nBody.\n",
        "content/papers/unclosed.md:1: error: front matter is not closed",
    ),
    "missing-title": (
        "no-title.md",
        "---\nslug: no-title\nlisted: 2026-02-06\n---\n\nBody.\n",
        "content/papers/no-title.md:2: error: missing `title`",
    ),
    "slug-not-file-name": (
        "renamed.md",
        "---\ntitle: Renamed\nslug: episodic-memory\n---\n\nBody.\n",
        "content/papers/renamed.md:3: error: `slug` 'episodic-memory' must equal the file name `renamed`",
    ),
    "duplicate-arxiv": (
        "the-same-paper-again.md",
        '---\ntitle: Episodic memory (copy)\nslug: the-same-paper-again\narxiv: "2601.00001v2"\n---\n\nBody.\n',
        "content/papers/the-same-paper-again.md:4: error: arXiv id 2601.00001v2 is also claimed by "
        "content/papers/episodic-memory.md:4",
    ),
    "impossible-date": (
        "bad-date.md",
        "---\ntitle: Bad date\nlisted: 2026-02-30\n---\n\nBody.\n",
        "content/papers/bad-date.md:3: error: invalid YAML front matter: day is out of range for month",
    ),
    "slug-differs-only-in-case": (
        "Vision-Paper.md",
        "---\ntitle: A vision paper, again\n---\n\nBody.\n",
        "error: slug 'vision-paper' differs from content/papers/Vision-Paper.md only in case",
    ),
}


def run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1770595200", "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "generator", *args], cwd=root, env=env, capture_output=True, text=True, timeout=300
    )


def tree_hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small project, built once: the good site/ every broken build must leave alone."""
    root = tmp_path_factory.mktemp("content-errors")
    (root / "site.toml").write_text(SITE_TOML, encoding="utf-8")
    shutil.copytree(REPO / "themes", root / "themes")
    papers = root / "content" / "papers"
    papers.mkdir(parents=True)
    for slug, text in GOOD.items():
        (papers / f"{slug}.md").write_text(text, encoding="utf-8")
    result = run(root, "build")
    assert result.returncode == 0, result.stderr
    return root


@pytest.fixture
def project(built: Path, tmp_path: Path) -> Path:
    """A fresh copy of the built project (site/ included) for one test to break."""
    root = tmp_path / "project"
    shutil.copytree(built, root, symlinks=True)
    return root


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_build_names_file_and_line_and_leaves_site_alone(case: str, project: Path) -> None:
    name, text, expected = BROKEN[case]
    (project / "content" / "papers" / name).write_text(text, encoding="utf-8")
    before = tree_hashes(project / "site")

    result = run(project, "build")

    assert result.returncode == 1, result.stderr
    assert expected in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert "site/ left as it was" in result.stderr
    assert tree_hashes(project / "site") == before
    assert not (project / ".site.staging").exists()


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_ingest_refuses_and_writes_nothing(case: str, project: Path) -> None:
    name, text, expected = BROKEN[case]
    papers = project / "content" / "papers"
    (papers / name).write_text(text, encoding="utf-8")
    listings = project / "content" / "listings"
    listings.mkdir(parents=True)
    (listings / "hf-papers-2026-02-06.txt").write_text(LISTING, encoding="utf-8")
    before = tree_hashes(papers)

    result = run(project, "ingest")

    if case == "missing-title" or case == "slug-not-file-name":
        # Ingest reads only the YAML; field rules are the build's. It must still not lose the file.
        assert result.returncode == 0, result.stderr
        assert (papers / name).read_text(encoding="utf-8").startswith("---\n")
        return
    assert result.returncode == 1, result.stderr
    assert expected.split(": error: ")[0] in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert tree_hashes(papers) == before


def test_duplicate_papers_names_both_files_and_ignores_versions() -> None:
    problems = duplicate_papers([("a.md", "2601.00001"), ("b.md", "2601.00001v3"), ("c.md", None), ("A.md", None)])
    assert [(p.path, p.severity) for p in problems] == [("b.md", "error"), ("A.md", "error")]
    assert "a.md" in problems[0].message
    assert "a.md" in problems[1].message


def test_ingest_writes_content_files_only_through_temp_file_and_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every write under content/papers goes to a hidden ``.tmp`` file that ``os.replace`` then renames."""
    papers = tmp_path / "content" / "papers"
    papers.mkdir(parents=True)
    (papers / "episodic-memory.md").write_text(GOOD["episodic-memory"], encoding="utf-8")
    listing = tmp_path / "hf-papers-2026-02-06.txt"
    listing.write_text(LISTING + "\n" + LISTING.split("Feb 6\n\n", 1)[1].replace("Brand New", "Second"), "utf-8")
    writes: list[str] = []
    renames: list[tuple[str, str]] = []
    real_open, real_os_open, real_replace, real_rename = builtins.open, os.open, os.replace, os.rename

    def spy_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if isinstance(file, (str, Path)) and any(flag in mode for flag in "wax+"):
            writes.append(str(file))
        return real_open(file, mode, *args, **kwargs)

    def spy_os_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            writes.append(str(path))
        return real_os_open(path, flags, *args, **kwargs)

    def spy_replace(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
        renames.append((str(src), str(dst)))
        real_replace(src, dst, *args, **kwargs)

    def spy_rename(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
        renames.append((str(src), str(dst)))
        real_rename(src, dst, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", spy_open)
    monkeypatch.setattr(os, "open", spy_os_open)
    monkeypatch.setattr(os, "replace", spy_replace)
    monkeypatch.setattr(os, "rename", spy_rename)
    report = ingest([listing], papers, date(2026, 2, 6))
    monkeypatch.undo()

    assert len(report.written) >= 2
    inside = [w for w in writes if Path(w).parent == papers]
    assert inside, "ingest wrote no content file at all"
    for written in inside:
        name = Path(written).name
        assert name.startswith(".") and name.endswith(".tmp"), f"{written} was written in place"
    finals = {Path(dst).name for src, dst in renames if Path(src).parent == papers}
    assert finals == {Path(p).name for p in report.written}
    assert not [p for p in papers.iterdir() if p.name.startswith(".")], "a temp file was left behind"
