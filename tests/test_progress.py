"""Build progress (generator/progress.py): each stage's CPU covers the processes the build waited for during it,
which `bench/cpu.py` adds up against the whole build's CPU."""

from __future__ import annotations

import io
import subprocess
import sys

from generator.progress import Progress

BURN = "import time\nwhile time.process_time() < 0.3:\n    pass\n"
"""A child that spends 0.3 CPU-seconds, however loaded the machine is."""


def test_a_stage_counts_the_cpu_of_the_children_it_waited_for() -> None:
    stream = io.StringIO()
    progress = Progress(stream, enabled=True)
    progress.start()
    with progress.stage("work") as stage:
        subprocess.run([sys.executable, "-c", BURN], check=True)
    with progress.stage("idle"):
        pass
    start, work, idle = progress.stages
    assert start.name == "start" and start.cpu > 0  # this interpreter, its imports and pytest's
    assert work is stage and work.cpu >= 0.3
    assert idle.cpu < 0.3
    lines = stream.getvalue().splitlines()
    assert lines[0].split()[:2] == ["start", "cpu"] and "(the interpreter and the imports)" in lines[0]
    assert lines[1].startswith("  work") and f"cpu {work.cpu:6.2f}s" in lines[1]
