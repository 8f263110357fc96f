"""Whole-process measurements for the benchmarks: wall time, CPU, and peak memory of a command.

Peak memory is reported two ways, because a build may fork worker processes:
- ``peak MiB``: the largest single process (``ru_maxrss`` from ``wait4``, which covers waited-for children);
- ``tree MiB``: the largest sum over the whole process group of each process's proportional set size (PSS, from
  ``/proc/<pid>/smaps_rollup``: a page shared by k processes counts 1/k in each, so pages a forked worker shares
  with its parent are counted once), sampled every 250 ms, or less often when a sample is slow (reading
  ``smaps_rollup`` walks a process's page tables, in the kernel: every 100 ms, over a build's four or five
  processes, it slowed a 3.5 s build by about half a second; one sample of a 3 GB process tree, a 100k build's,
  takes 80-140 ms, which every 250 ms would take a third to half of one of the build's two cores). The next
  sample waits at least ``COST_FACTOR`` times as long as the last one took, so the sampling costs at most about
  5% of one core at any size.
  Where PSS is unavailable, resident sizes (VmRSS) are summed instead, which counts shared pages once per process
  (an upper bound).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

SAMPLE_SECONDS = 0.25
"""How often the process tree's memory is read, at most."""
COST_FACTOR = 20
"""The wait before the next sample is at least this many times the time the last sample took."""


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    peak_mib: float
    tree_mib: float
    rc: int


def _group_rss_kib(pgid: int) -> int:
    """Sum of PSS (else VmRSS) over the processes of group ``pgid`` (0 when /proc cannot tell)."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
            # fields after the command name "(...)": state ppid pgrp ...
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(fields[2]) != pgid:
                continue
            total += _memory_kib(entry.path)
        except (OSError, ValueError, IndexError):
            continue
    return total


def _memory_kib(proc: str) -> int:
    """One process's PSS in KiB, or its VmRSS when the kernel does not give PSS."""
    for name, key in (("smaps_rollup", "Pss:"), ("status", "VmRSS:")):
        try:
            for line in Path(proc, name).read_text().splitlines():
                if line.startswith(key):
                    return int(line.split()[1])
        except OSError:
            continue
    return 0


def run(
    cmd: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 3600,
    log: Path | None = None,
) -> Run:
    """Run ``cmd`` once in its own process group and measure it. Output goes to ``log`` (or nowhere)."""
    sink = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115
    try:
        t0 = time.monotonic()
        proc = subprocess.Popen(
            list(cmd),
            cwd=cwd,
            env=dict(env) if env else None,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=sink,
            start_new_session=True,
        )
        tree = 0
        next_sample = t0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            now = time.monotonic()
            if now > t0 + timeout:
                os.killpg(proc.pid, 9)
                os.wait4(proc.pid, 0)
                raise TimeoutError(" ".join(cmd))
            if now >= next_sample:
                tree = max(tree, _group_rss_kib(proc.pid))
                took = time.monotonic() - now
                next_sample = now + max(SAMPLE_SECONDS, COST_FACTOR * took)
            time.sleep(0.005)
        wall = time.monotonic() - t0
    finally:
        if log:
            sink.close()  # type: ignore[union-attr]
    return Run(
        wall,
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss / 1024,
        max(tree, usage.ru_maxrss) / 1024,
        os.waitstatus_to_exitcode(status),
    )


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def ratios(a: list[Run], b: list[Run]) -> float:
    """The median of the ratios of ``a``'s wall times to ``b``'s, pair by pair."""
    return median([x.wall / y.wall for x, y in zip(a, b, strict=True)])
