"""The content file as a paper: its fields (one table, the schema of every content file), validated into a ``Paper``."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from generator.content.document import DocumentError, key_line, read_document
from generator.content.fields import _DATE_FIELDS, _INT_FIELDS, _LIST_FIELDS, _STR_FIELDS, FIELDS
from generator.model import Paper, Problem


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def load_paper(text: str, path: str) -> tuple[Paper | None, list[Problem]]:
    """Validate one content file. Errors make the paper None; each names the line of the bad key."""
    try:
        meta, body, _ = read_document(text)
    except DocumentError as exc:
        return None, [Problem(path, exc.line, "error", str(exc))]
    problems: list[Problem] = []

    def error(key: str, message: str) -> None:
        problems.append(Problem(path, key_line(text, key), "error", message))

    stem = Path(path).stem
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        problems.append(Problem(path, 2, "error", "missing `title` (every paper needs a non-empty title)"))
    slug = meta.get("slug", stem)
    if slug != stem:
        error("slug", f"`slug` {slug!r} must equal the file name `{stem}` (slugs are permanent URLs)")
    for key in _STR_FIELDS:
        if key in meta and meta[key] is not None and not isinstance(meta[key], str):
            if key == "arxiv" and isinstance(meta[key], (int, float)):
                error(key, f'`arxiv` must be a quoted string, e.g. arxiv: "{meta[key]}" (numbers lose zeros)')
            else:
                error(key, f"`{key}` must be text")
    for key in _INT_FIELDS:
        value = meta.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            error(key, f"`{key}` must be a whole number >= 0, got {value!r}")
    dates: dict[str, dt.date | None] = {}
    for key in _DATE_FIELDS:
        value = meta.get(key)
        dates[key] = _as_date(value)
        if value is not None and dates[key] is None:
            error(key, f"`{key}` must be a date like 2025-01-31, got {value!r}")
    for key in _LIST_FIELDS:
        value = meta.get(key)
        if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            error(key, f"`{key}` must be a list of text values")
    links = meta.get("links") or {}
    if not isinstance(links, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in links.items()):
        error("links", "`links` must be a mapping of name: URL")
        links = {}
    if problems:
        return None, problems
    extra = tuple((key, value) for key, value in meta.items() if key not in FIELDS)
    paper = Paper(
        slug=stem,
        title=str(title).strip(),
        abstract=body,
        path=path,
        arxiv=meta.get("arxiv"),
        published=dates["published"],
        listed=dates["listed"],
        updated=dates["updated"],
        authors=tuple(meta.get("authors") or ()),
        authors_count=meta.get("authors_count"),
        organization=meta.get("organization"),
        upvotes=meta.get("upvotes"),
        comments=meta.get("comments"),
        topics=tuple(meta.get("topics") or ()),
        links=tuple(sorted(links.items())),
        github_stars=meta.get("github_stars"),
        keywords=tuple(meta.get("keywords") or ()),
        categories=tuple(meta.get("categories") or ()),
        sources=tuple(meta.get("sources") or ()),
        extra=extra,
    )
    return paper, []


def duplicate_papers(papers: list[tuple[str, str | None]]) -> list[Problem]:
    """Errors for content files that claim the same paper: the same arXiv id (versions ignored), or slugs that
    differ only in case (one URL on a case-insensitive file system). ``papers`` is (path, arxiv) per file, in
    path order; each error names both files and the line of the key."""
    problems: list[Problem] = []
    by_arxiv: dict[str, str] = {}
    by_slug: dict[str, str] = {}
    for path, arxiv in papers:
        if arxiv and arxiv.strip():
            key = arxiv.strip().lower()
            head, v, version = key.rpartition("v")  # the version (``v\d+`` at the end) is ignored
            key = head if v and version.isdecimal() else key
            first = by_arxiv.setdefault(key, path)
            if first != path:
                problems.append(
                    Problem(
                        path,
                        _file_key_line(path, "arxiv"),
                        "error",
                        f"arXiv id {arxiv.strip()} is also claimed by {first}:{_file_key_line(first, 'arxiv')}; "
                        "one paper, one file: merge them (keep the older slug so its URL survives)",
                    )
                )
        first = by_slug.setdefault(os.path.splitext(os.path.basename(path))[0].casefold(), path)
        if first != path:
            problems.append(
                Problem(
                    path,
                    _file_key_line(path, "slug"),
                    "error",
                    f"slug {Path(path).stem!r} differs from {first} only in case; "
                    "they would share one URL on case-insensitive file systems",
                )
            )
    return problems


def _file_key_line(path: str, key: str) -> int:
    """Line of ``key:`` in the file at ``path`` (as messages show it), 0 when it cannot be read."""
    try:
        return key_line(Path(path).read_text(encoding="utf-8"), key)
    except (OSError, UnicodeDecodeError):
        return 0
