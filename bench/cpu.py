"""`python bench/cpu.py [--n 10000] [--runs 3]` (dev only): where the CPU of a real full build goes.

Runs `papersite build --no-cache` as `make bench` does (the package snapshot, the pinned clock) over the bench
corpus of N papers (`bench/out/n<N>`, made by `make bench` or here), and sets the CPU of each stage, which the
build prints with `PAPERSITE_PROGRESS=1` (generator/progress.py: this process and the processes it waited for
during the stage, user and system), against the whole build's CPU (`wait4` of the command: every process it
waited for). `start` is the interpreter and the imports; a background job's CPU counts in the stage that takes
its result (the related papers', the desk vectors', the search helper's with Pagefind). What no stage holds is
the rest: between stages, and after the last one (the exit). Prints a Markdown table, medians of the runs.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import project  # noqa: E402
import run as bench_run  # noqa: E402
import timer  # noqa: E402

STAGE = re.compile(r"^  (?P<name>\S(?:.*?\S)?)\s{2,}.*?cpu\s+(?P<cpu>[\d.]+)s")


def stages(log: str) -> dict[str, float]:
    """Stage name -> CPU seconds, from a build's progress lines."""
    return {m["name"]: float(m["cpu"]) for line in log.splitlines() if (m := STAGE.match(line))}


def measure(folder: Path, runs: int) -> tuple[list[dict[str, float]], list[float], list[float]]:
    """Per run: the stages' CPU, the whole build's CPU and its wall time."""
    parts, totals, walls = [], [], []
    log = folder / "cpu.log"
    for number in range(runs):
        print(f"  run {number + 1}/{runs}", file=sys.stderr)
        log.unlink(missing_ok=True)
        done = timer.run([*project.papersite(), "build", "--no-cache"], cwd=folder, env=project.env(), log=log)
        if done.rc != 0:
            sys.exit(f"build failed; see {log}")
        parts.append(stages(log.read_text(encoding="utf-8")))
        totals.append(done.cpu)
        walls.append(done.wall)
    return parts, totals, walls


def table(parts: list[dict[str, float]], totals: list[float], walls: list[float]) -> list[str]:
    total = statistics.median(totals)
    names = list(parts[0])
    medians = {name: statistics.median(p.get(name, 0.0) for p in parts) for name in names}
    counted = statistics.median(sum(p.values()) for p in parts)
    lines = ["| part | CPU s | share |", "|---|---:|---:|"]
    lines += [f"| {name} | {medians[name]:.2f} | {medians[name] / total:.1%} |" for name in names]
    lines += [
        f"| **in the stages** | **{counted:.2f}** | **{counted / total:.1%}** |",
        f"| the rest (between stages, the exit) | {total - counted:.2f} | {(total - counted) / total:.1%} |",
        f"| **the whole build** (`wait4`) | **{total:.2f}** | 100% |",
        "",
        f"Wall {statistics.median(walls):.2f} s; medians of {len(totals)} run(s), papersite at {project.snapshot}.",
    ]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", default=str(HERE / "out"))
    args = parser.parse_args()
    project.snapshot_code()
    folder = bench_run.prepare(args.n, Path(args.out))
    if not (folder / ".corpus").is_file():
        sys.exit(f"{folder}: not ingested yet; run `make bench` (or bench/run.py --n {args.n}) first")
    print("\n".join(table(*measure(folder, args.runs))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
