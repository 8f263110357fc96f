"""Build progress on stderr: one line per stage with its count and time. Quiet unless stderr is a terminal
(or ``PAPERSITE_PROGRESS=1``; ``0`` keeps it quiet on a terminal too); every stage is kept in ``Progress.stages``
either way."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TextIO


@dataclass
class Stage:
    name: str
    count: int | None = None
    """How many things the stage handled (pages, papers, files), when that means something."""
    detail: str = ""
    """A short note, e.g. ``9,950 reused``."""
    seconds: float = 0.0

    def __str__(self) -> str:
        count = f"{self.count:>8,}" if self.count is not None else " " * 8
        detail = f"  ({self.detail})" if self.detail else ""
        return f"  {self.name:<16} {count} in {self.seconds:6.2f}s{detail}"


class Progress:
    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        if enabled is None:
            forced = os.environ.get("PAPERSITE_PROGRESS", "").strip()
            enabled = forced == "1" or (forced != "0" and self.stream.isatty())
        self.enabled = enabled
        self.stages: list[Stage] = []

    @contextmanager
    def stage(self, name: str) -> Iterator[Stage]:
        """Time the block; the caller may set ``count`` and ``detail`` on the stage it gets."""
        stage = Stage(name)
        tty = self.enabled and self.stream.isatty()
        if tty:
            print(f"  {name} ...", end="\r", file=self.stream, flush=True)
        started = time.perf_counter()
        try:
            yield stage
        finally:
            stage.seconds = time.perf_counter() - started
            self.stages.append(stage)
            if self.enabled:
                print(f"{stage}\033[K" if tty else str(stage), file=self.stream, flush=True)
