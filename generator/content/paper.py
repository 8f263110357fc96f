"""The content file as a paper: its front matter checked kind by kind against the field table
(``content.fields.FIELDS``) and built into a ``Paper``."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from generator.content.document import DocumentError, key_line, read_document
from generator.content.fields import KINDS, KNOWN, NAMES, Kind
from generator.model import Paper, Problem

_Report = Callable[[str, str], None]
"""Records an error: (key, message)."""

_Reader = Callable[[dict[str, Any], tuple[str, ...], dict[str, Any], _Report], None]
"""Checks the fields ``names`` of one kind in the front matter ``meta``: reports each bad one, and puts each good
one's ``Paper`` value into ``values``."""


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


def _read_text(meta: dict[str, Any], names: tuple[str, ...], values: dict[str, Any], error: _Report) -> None:
    for key in names:
        value = meta.get(key)
        if value is not None and not isinstance(value, str):
            if key == "arxiv" and isinstance(value, (int, float)):
                error(key, f'`arxiv` must be a quoted string, e.g. arxiv: "{value}" (numbers lose zeros)')
            else:
                error(key, f"`{key}` must be text")
        values[key] = value


def _read_int(meta: dict[str, Any], names: tuple[str, ...], values: dict[str, Any], error: _Report) -> None:
    for key in names:
        value = meta.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            error(key, f"`{key}` must be a whole number >= 0, got {value!r}")
        values[key] = value


def _read_date(meta: dict[str, Any], names: tuple[str, ...], values: dict[str, Any], error: _Report) -> None:
    for key in names:
        value = meta.get(key)
        day = values[key] = _as_date(value)
        if value is not None and day is None:
            error(key, f"`{key}` must be a date like 2025-01-31, got {value!r}")


def _as_instant(value: Any) -> dt.datetime | None:
    """A UTC date and time from an ISO 8601 string with a time zone (``2024-10-25T00:57:09Z``) or a YAML timestamp
    that has one; None for anything else (a bare date, a time without a zone)."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    if not isinstance(value, dt.datetime) or value.utcoffset() is None:
        return None
    return value.astimezone(dt.UTC)


def _read_instant(meta: dict[str, Any], names: tuple[str, ...], values: dict[str, Any], error: _Report) -> None:
    for key in names:
        value = meta.get(key)
        instant = values[key] = _as_instant(value)
        if value is not None and instant is None:
            error(key, f"`{key}` must be a UTC date and time like '2025-01-31T08:15:00Z', got {value!r}")


def _read_list(meta: dict[str, Any], names: tuple[str, ...], values: dict[str, Any], error: _Report) -> None:
    for key in names:
        value = meta.get(key)
        if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            error(key, f"`{key}` must be a list of text values")
        else:
            values[key] = tuple(value or ())


def _read_links(meta: dict[str, Any], names: tuple[str, ...], values: dict[str, Any], error: _Report) -> None:
    for key in names:
        links = meta.get(key) or {}
        if not isinstance(links, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in links.items()):
            error(key, f"`{key}` must be a mapping of name: URL")
            links = {}
        values[key] = tuple(sorted(links.items()))


_READERS: dict[Kind, _Reader] = {
    "text": _read_text,
    "int": _read_int,
    "date": _read_date,
    "instant": _read_instant,
    "list": _read_list,
    "links": _read_links,
}

_ON_PAPER = tuple(name for name in NAMES if name in Paper.__dataclass_fields__)
"""The fields a ``Paper`` holds (every one but ``title_keys``), each under its own name."""


def load_paper(text: str, path: str) -> tuple[Paper | None, list[Problem]]:
    """Validate one content file. Errors make the paper None; each names the line of the bad key. Errors come in a
    fixed order: title, slug, then each kind of ``fields.KINDS`` in turn, its fields in file order."""
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
    values: dict[str, Any] = {}
    for kind, names in KINDS:
        _READERS[kind](meta, names, values, error)
    if problems:
        return None, problems
    values["slug"], values["title"] = stem, str(title).strip()
    extra = tuple((key, value) for key, value in meta.items() if key not in KNOWN)
    paper = Paper(abstract=body, path=path, extra=extra, **{name: values[name] for name in _ON_PAPER})
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
