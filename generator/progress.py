"""Build progress on stderr: one line per stage with its count, time and CPU. Quiet unless stderr is a terminal
(or ``PAPERSITE_PROGRESS=1``; ``0`` keeps it quiet on a terminal too); every stage is kept in ``Progress.stages``
either way.

A stage's CPU is what this process and the processes it waited for during the stage (render workers, and a
background job whose result the stage took) spent in it, user and system: ``bench/cpu.py`` adds them up against
the whole build's."""

from __future__ import annotations

import os
import resource
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
    cpu: float = 0.0
    """CPU seconds of this process and of the processes it waited for, during the stage."""

    def __str__(self) -> str:
        count = f"{self.count:>8,}" if self.count is not None else " " * 8
        detail = f"  ({self.detail})" if self.detail else ""
        return f"  {self.name:<16} {count} in {self.seconds:6.2f}s, cpu {self.cpu:6.2f}s{detail}"


def cpu_seconds() -> float:
    """User and system CPU of this process and of every child process it has waited for, so far."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class Progress:
    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        if enabled is None:
            forced = os.environ.get("PAPERSITE_PROGRESS", "").strip()
            enabled = forced == "1" or (forced != "0" and self.stream.isatty())
        self.enabled = enabled
        self.stages: list[Stage] = []

    def start(self) -> None:
        """Record the CPU the process spent before the build (the interpreter, the imports) as the stage
        ``start``, whose time is not known."""
        stage = Stage("start", cpu=cpu_seconds(), detail="the interpreter and the imports")
        self.stages.append(stage)
        if self.enabled:
            print(f"  {stage.name:<16} {'':8}    {'':7}  cpu {stage.cpu:6.2f}s  ({stage.detail})", file=self.stream)

    @contextmanager
    def stage(self, name: str) -> Iterator[Stage]:
        """Time the block; the caller may set ``count`` and ``detail`` on the stage it gets."""
        stage = Stage(name)
        tty = self.enabled and self.stream.isatty()
        if tty:
            print(f"  {name} ...", end="\r", file=self.stream, flush=True)
        started, cpu = time.perf_counter(), cpu_seconds()
        try:
            yield stage
        finally:
            stage.seconds = time.perf_counter() - started
            stage.cpu = cpu_seconds() - cpu
            self.stages.append(stage)
            if self.enabled:
                print(f"{stage}\033[K" if tty else str(stage), file=self.stream, flush=True)
