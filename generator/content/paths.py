"""File paths as messages show them: relative to the working directory when inside it."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path


def display_path(path: Path) -> str:
    """``path`` relative to the working directory when it is inside it, for messages."""
    return _shown(path, path.resolve(), Path.cwd().resolve())


def display_paths(paths: Sequence[str | Path], links: list[bool] | None = None) -> list[str]:
    """``display_path`` of many files: the working directory and each folder are resolved once, not once per file
    (a file that is a symbolic link is still resolved itself), and a path is taken apart as a string (pathlib's
    parts and parents cost more, once per content file). ``links``: whether each path is a symbolic link, when
    already known (``os.DirEntry.is_symlink``), so that it is not asked again."""
    cwd = str(Path.cwd().resolve())
    inside = cwd if cwd.endswith(os.sep) else cwd + os.sep
    folders: dict[str, str] = {}
    shown = []
    for number, path in enumerate(paths):
        text = os.fspath(path)
        if os.altsep:
            text = text.replace(os.altsep, os.sep)
        link = links[number] if links is not None else os.path.islink(text)
        parent, sep, name = text.rpartition(os.sep)
        # with ``..`` after a missing folder, realpath still resolves a link that islink cannot see
        if name in ("", ".", "..") or f"{os.sep}..{os.sep}" in f"{os.sep}{text}{os.sep}" or link:
            shown.append(_shown(Path(text), Path(text).resolve(), Path(cwd)))
            continue
        parent = parent or (sep or ".")  # "x" is in ".", "/x" in "/"
        folder = folders.get(parent)
        if folder is None:
            folder = folders[parent] = str(Path(parent).resolve())
        resolved = os.path.join(folder, name)
        if resolved.startswith(inside):
            shown.append(resolved[len(inside) :])
        else:
            shown.append("." if resolved == cwd else str(Path(text)))  # the working directory itself, as relative_to
    return shown


def _shown(path: Path, resolved: Path, cwd: Path) -> str:
    try:
        return str(resolved.relative_to(cwd))
    except ValueError:
        return str(path)
