"""Reading every content file into ``Paper`` records, on every core, through the content cache."""

from __future__ import annotations

import os
from pathlib import Path

from generator.content.paper import load_paper
from generator.content.paths import display_paths
from generator.incremental.cache import ContentCache
from generator.incremental.parallel import run_jobs
from generator.model import Paper, Problem


def load_papers(papers_dir: Path, cache: ContentCache | None = None) -> tuple[list[Paper], list[Problem]]:
    """Read every content file; broken files are errors that name the file and line. With a ``cache``, a file
    whose bytes are unchanged since the last build is not parsed again, and one whose size, times and inode are
    unchanged is not even read."""
    try:  # names as ``glob("*.md")`` finds them, in the same order; links known from the folder read (no lstat)
        with os.scandir(papers_dir) as listed:
            entries = sorted((e for e in listed if e.name.endswith(".md")), key=lambda e: e.name)
    except OSError:  # no folder (or an unreadable one, which glob also passed over): no papers
        entries = []
    shown = display_paths([entry.path for entry in entries], [entry.is_symlink() for entry in entries])
    results: list[tuple[Paper | None, tuple[Problem, ...]]] = []
    todo: list[tuple[int, str, tuple[str, bytes] | None]] = []  # files to parse: (index, text, cache key)
    for index, entry in enumerate(entries):
        try:
            key, cached = None, None
            if cache is not None:
                stat = entry.stat()
                key, cached = cache.unchanged(shown[index], stat)
                if cached is None:
                    raw = Path(entry.path).read_bytes()
                    key, cached = cache.paper(shown[index], raw, stat)
            else:
                raw = Path(entry.path).read_bytes()
            if cached is None:
                # universal newlines, as Path.read_text would give
                todo.append((index, raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n"), key))
        except (OSError, UnicodeDecodeError) as exc:
            cached = (None, (Problem(shown[index], 0, "error", f"cannot read content file: {exc}"),))
        results.append(cached or (None, ()))
    # parsing (YAML) is most of the time of a build without a cache: on every core
    parsed = run_jobs(len(todo), lambda number: load_paper(todo[number][1], shown[todo[number][0]]))
    for (index, _, key), (paper, file_problems) in zip(todo, parsed, strict=True):
        results[index] = (paper, tuple(file_problems))
        if cache is not None and key is not None:
            cache.store_paper(key, results[index])
    papers = [paper for paper, _ in results if paper is not None]
    return papers, [problem for _, file_problems in results for problem in file_problems]
