"""The scrape log: ``content/status/scrape-log.jsonl``, committed and append-only, one JSON object per line and one
line per scrape attempt. ``papersite scrape`` appends to it (``append_attempt``); the build reads it
(``parse_log``) for the status page. Both sides meet here, in ``content/``, as they meet nowhere else.

A line: ``{"at": "2026-02-07T06:00:12Z", "source": "hf-daily", "day": "2026-02-06", "outcome": "saved",
"papers": 12, "error": null, "file": "hf-daily-2026-02-06.json", "served": null}``. Keys a reader does not know are
ignored, so later versions may add some.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from generator.model import Problem

SCRAPE_LOG = Path("content", "status", "scrape-log.jsonl")
"""Where the log lives, relative to the project folder."""
OUTCOMES = ("saved", "failed", "snapped-back", "empty")
"""``saved``: a listing was written (or already held those bytes); ``failed``: no usable answer (the ``error`` says
why); ``snapped-back``: HF served an earlier day's papers (``served``), not saved; ``empty``: HF listed no papers."""
DAILY = "hf-daily"
"""The ``source`` of a daily-papers attempt; a search is ``hf-search:<query>``."""


@dataclass(frozen=True, slots=True)
class Attempt:
    """One scrape attempt, one line of the log."""

    at: datetime
    """When it ran (UTC)."""
    source: str
    """``hf-daily`` or ``hf-search:<query>``."""
    day: date
    """The day asked for (a search: the day it ran)."""
    outcome: str
    """One of ``OUTCOMES``."""
    papers: int | None = None
    """Papers in the answer, when there was one."""
    error: str | None = None
    """Why it failed."""
    file: str | None = None
    """The listing file written, by name (in ``content/listings/``)."""
    served: date | None = None
    """A snapped-back day: the day whose papers HF served instead."""
    line: int = 0
    """Line of the log it was read from (0 when not read from a log)."""

    @property
    def succeeded(self) -> bool:
        """HF answered with something usable (a snapped-back or empty day is an answer too)."""
        return self.outcome != "failed"

    def as_json(self) -> dict[str, Any]:
        """The line's object: every key, in a fixed order, null when unknown."""
        return {
            "at": self.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "source": self.source,
            "day": self.day.isoformat(),
            "outcome": self.outcome,
            "papers": self.papers,
            "error": self.error,
            "file": self.file,
            "served": self.served.isoformat() if self.served else None,
        }


def attempt_line(attempt: Attempt) -> bytes:
    """The log line of ``attempt``, newline included."""
    return (json.dumps(attempt.as_json(), ensure_ascii=False, separators=(", ", ": ")) + "\n").encode()


def append_attempt(path: Path, attempt: Attempt) -> None:
    """Append one line to the log at ``path`` (created with its folder when missing): opened with ``O_APPEND`` and
    written with one ``write``, so concurrent writers never interleave within a line. A last line left without its
    newline (a write cut short) is ended first, so it spoils only itself."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = attempt_line(attempt)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            data = b"\n" + data
        os.write(fd, data)
    finally:
        os.close(fd)


def parse_log(text: str, path: str) -> tuple[tuple[Attempt, ...], list[Problem]]:
    """The attempts of a log's ``text``, in file order; a line that is not a valid attempt is a warning naming
    ``path`` and its line, and is skipped. Blank lines are ignored."""
    attempts: list[Attempt] = []
    problems: list[Problem] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        attempt, why = _attempt(line, number)
        if attempt is None:
            problems.append(Problem(path, number, "warning", f"{why}; line skipped"))
        else:
            attempts.append(attempt)
    return tuple(attempts), problems


def _attempt(line: str, number: int) -> tuple[Attempt | None, str]:
    try:
        data = json.loads(line)
    except (ValueError, RecursionError) as err:
        return None, f"not a JSON line ({err})"
    if not isinstance(data, dict):
        return None, f"expected a JSON object, got {type(data).__name__}"
    try:
        at = datetime.fromisoformat(_text(data, "at"))
        day = date.fromisoformat(_text(data, "day"))
        served = data.get("served")
        served_day = date.fromisoformat(served) if isinstance(served, str) else None
    except ValueError as err:
        return None, str(err)
    source, outcome = data.get("source"), data.get("outcome")
    if not isinstance(source, str) or not source:
        return None, "`source` must be a non-empty string"
    if outcome not in OUTCOMES:
        return None, f"`outcome` must be one of {', '.join(OUTCOMES)}, got {outcome!r}"
    papers = data.get("papers")
    if papers is not None and (not isinstance(papers, int) or isinstance(papers, bool) or papers < 0):
        return None, f"`papers` must be a count, got {papers!r}"
    error, file = data.get("error"), data.get("file")
    return Attempt(
        at if at.tzinfo else at.replace(tzinfo=UTC),
        source,
        day,
        str(outcome),
        papers,
        error if isinstance(error, str) else None,
        file if isinstance(file, str) else None,
        served_day,
        number,
    ), ""


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise ValueError(f"`{key}` must be a string, got {value!r}")
    return value
