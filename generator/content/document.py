"""Content files: ``content/papers/<slug>.md`` = YAML front matter between ``---`` lines + the abstract.

``read_document``/``dump_document`` are the round trip; ``load_paper`` validates a document into a ``Paper``.
Front matter in the shapes ``dump_document`` writes is read by ``read_simple_front`` (same result as PyYAML, several
times faster); anything else by PyYAML.
Every problem names the file and line; nothing here raises on bad input.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml

from generator.content.fields import NAMES
from generator.content.frontmatter import read_simple_front

_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader parses front matter about ten times faster than the pure-Python one (same results)."""


class _Dumper(yaml.SafeDumper):
    """Block style, no aliases, stable output."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # PyYAML writes NEL/LS/PS raw inside single quotes and reads them back as spaces: escape them instead.
    style = '"' if any(ch in value for ch in "\x85\u2028\u2029") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def dump_document(meta: dict[str, Any], body: str) -> str:
    """Serialise front matter (known fields first, in ``fields.NAMES`` order) and body to file text."""
    ordered = {key: meta[key] for key in NAMES if key in meta}
    ordered.update((key, value) for key, value in meta.items() if key not in ordered)
    front = yaml.dump(ordered, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1_000_000)
    body = body.strip("\n")
    return f"---\n{front}---\n" + (f"\n{body}\n" if body else "")


class DocumentError(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


_TOP_KEY = re.compile(r"^([^\s#'\"-][^:#]*?)\s*:(?:\s|$)")


def _front_lines(text: str) -> tuple[list[str], list[str], list[str]] | None:
    """(lines before, front-matter lines, lines from the closing ``---`` on), or None without front matter."""
    lines = text.replace("\r\n", "\n").split("\n")
    if not lines or lines[0].lstrip("\ufeff") != "---":
        return None
    for index, line in enumerate(lines[1:], 1):
        if re.fullmatch(r"---[ \t]*", line):
            return lines[:1], lines[1:index], lines[index:]
    return None


def keep_comments(old: str, new: str) -> str:
    """``new`` with the full-line ``#`` comments of ``old``'s front matter put back, each above the key it stood
    above (at the end when that key is gone). YAML loses comments in a load/dump round trip; a maintainer's notes
    must survive re-ingest. (Comments at the end of a value line are not kept.)"""
    old_parts, new_parts = _front_lines(old), _front_lines(new)
    if old_parts is None or new_parts is None or not any(line.lstrip().startswith("#") for line in old_parts[1]):
        return new
    above: dict[str, list[str]] = {}
    pending: list[str] = []
    for line in old_parts[1]:
        if line.lstrip().startswith("#"):
            pending.append(line.strip())
        elif (match := _TOP_KEY.match(line)) and pending:
            above.setdefault(match.group(1), []).extend(pending)
            pending = []
    front: list[str] = []
    for line in new_parts[1]:
        match = _TOP_KEY.match(line)
        if match:
            front += above.pop(match.group(1), [])
        front.append(line)
    front += [comment for comments in above.values() for comment in comments] + pending
    return "\n".join(new_parts[0] + front + new_parts[2])


def read_document(text: str) -> tuple[dict[str, Any], str, int]:
    """Split file text into (front matter mapping, body, first line of body). Raises ``DocumentError``."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    if not text.startswith("---\n"):
        raise DocumentError(1, "missing front matter: the file must start with a `---` line")
    end = re.search(r"^---[ \t]*$", text[4:], re.MULTILINE)
    if end is None:
        raise DocumentError(1, "front matter is not closed: add a `---` line after it")
    front = text[4 : 4 + end.start()]
    body_start = 4 + end.end()
    meta = read_simple_front(front)
    if meta is None:  # not only the shapes papersite writes: PyYAML reads it (and words any error)
        meta = _load_yaml(front)
    if meta is None:
        meta = {}
    if not isinstance(meta, dict) or not all(isinstance(key, str) for key in meta):
        raise DocumentError(2, "front matter must be a mapping of `key: value` lines")
    rest = text[body_start:]
    body_line = text.count("\n", 0, body_start + len(rest) - len(rest.lstrip("\n"))) + 1
    return meta, rest.strip("\n"), body_line


def _load_yaml(front: str) -> Any:
    """``front`` as PyYAML's safe loader reads it. Raises ``DocumentError`` naming the line of the problem."""
    try:
        try:
            return yaml.load(front, Loader=_FAST_LOADER)  # a safe loader: libyaml's when available
        except yaml.YAMLError:
            return yaml.safe_load(front)  # the pure-Python loader words its errors as our messages expect
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 2 if mark is not None else 1
        raise DocumentError(line, f"invalid YAML front matter: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise DocumentError(1, f"invalid YAML front matter: {exc}") from None
    except ValueError as exc:  # PyYAML builds unquoted dates itself: 2026-13-01 raises ValueError
        line = next((n for n, row in enumerate(front.split("\n"), 2) if _impossible_date(row)), 2)
        raise DocumentError(line, f"invalid YAML front matter: {exc} (not a real date?)") from None
    except RecursionError:
        raise DocumentError(2, "invalid YAML front matter: nested too deeply") from None


def _impossible_date(row: str) -> bool:
    """Does this front-matter line hold an unquoted date that is not a real day (``listed: 2026-02-30``)?"""
    match = re.match(r"^[^#'\"]*?(\d{4})-(\d{1,2})-(\d{1,2})(?:[Tt ](\d{1,2}):(\d{2}):(\d{2}))?", row)
    if match is None:
        return False
    try:
        year, month, day, hour, minute, second = (int(part or 0) for part in match.groups())
        dt.datetime(year, month, day, hour, minute, second)
    except ValueError:
        return True
    return False


def key_line(text: str, key: str) -> int:
    """Line of ``key:`` in the front matter, or 1."""
    match = re.search(rf"^{re.escape(key)}\s*:", text.replace("\r\n", "\n"), re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def write_atomic(path: Path, data: str | bytes) -> bool:
    """Write through a temp file + rename, so a reader never sees half a file. False when unchanged."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        if path.read_bytes() == raw:
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True
