"""`make bench-hugo` (dev only): papersite against Hugo + the Pagefind CLI on the same N papers, in alternating runs.

    python bench/hugo.py [--n 10000] [--runs 3]       (BENCH_N sets --n)

Needs the shared benchmark kit beside the repository (../shared/bench: make_corpus.py and the anchors-hugo site);
installs Debian's hugo with apt when it is missing. For each round, in turn:
  ours         `papersite build --no-cache`            pages, feeds and search index, every cache ignored
  ours-pages   `papersite build --no-cache --no-search` pages and feeds alone
  hugo         `hugo` over the same papers              pages and RSS
  hugo+search  `hugo` then `python -m pagefind` over Hugo's output
  daily        one new 50-paper day (bench/day.py), then `papersite ingest` and `papersite build`, as `make build`
               runs them each day, after an untimed `papersite build` (the last day's build); the day is taken away
               again (untimed) after it
and prints the ratios ours / (hugo + pagefind), ours-pages / hugo and daily / (hugo + pagefind), pair by pair.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
KIT = REPO.parent / "shared" / "bench"
sys.path.insert(0, str(HERE))

import day  # noqa: E402
import project  # noqa: E402
import timer  # noqa: E402


def ensure_hugo() -> str:
    found = shutil.which("hugo")
    if found:
        return found
    print("bench-hugo: installing hugo with apt-get", file=sys.stderr)
    subprocess.run(["apt-get", "install", "-y", "hugo"], check=True, stdout=subprocess.DEVNULL)
    return shutil.which("hugo") or sys.exit("bench-hugo: hugo is still missing after apt-get install")


def prepare(n: int, out: Path) -> tuple[Path, Path]:
    """Our project (HF API listings from the kit's generator, ingested) and the Hugo site, for the same papers."""
    seed_file = str(HERE / "seed-listing.txt")
    mine, hugo = out / f"hugo-n{n}-papersite", out / f"hugo-n{n}-hugo"
    if not (mine / ".corpus").is_file():
        shutil.rmtree(mine, ignore_errors=True)
        make = [sys.executable, str(KIT / "make_corpus.py"), "--n", str(n), "--seed-file", seed_file]
        subprocess.run([*make, "--format", "hf-api", "--out", str(mine)], check=True)
        shutil.copy(REPO / "site.toml", mine / "site.toml")
        shutil.copytree(REPO / "themes", mine / "themes")
        subprocess.run([*project.papersite(), "ingest"], cwd=mine, env=project.env(), check=True, capture_output=True)
        shutil.rmtree(hugo, ignore_errors=True)
        subprocess.run([*make, "--format", "hugo", "--out", str(hugo)], check=True)
        shutil.copytree(KIT / "anchors-hugo", hugo, dirs_exist_ok=True)
        (mine / ".corpus").write_text(str(n))
    shutil.rmtree(mine / "themes")
    shutil.copytree(REPO / "themes", mine / "themes")
    return mine, hugo


def compare(n: int, runs: int, *, snapshot: bool = True) -> list[str]:
    """Time the four commands in alternating rounds (a first, uncounted round warms caches); the result lines.
    ``snapshot=False``: use the code snapshot a calling bench already took (``run.snapshot_code``)."""
    hugo_bin = ensure_hugo()
    if snapshot:
        project.snapshot_code()
    mine, hugo = prepare(n, HERE / "out")
    public = hugo.parent / (hugo.name + "-public")
    trash = Trash(hugo.parent / (hugo.name + "-trash"))
    commands = {
        "ours": [*project.papersite(), "build", "--no-cache"],
        "ours-pages": [*project.papersite(), "build", "--no-cache", "--no-search"],
        # Hugo and Pagefind write into a fresh folder, as the kit's anchors were timed: the last output is moved
        # aside before the timer starts (see Trash; writing over it instead would let Pagefind skip every data file
        # it finds already written).
        "hugo": [hugo_bin, "--quiet", "-s", str(hugo), "-d", str(public)],
        "hugo+search": [
            "sh",
            "-c",
            f"'{hugo_bin}' --quiet -s '{hugo}' -d '{public}' && "
            f"'{sys.executable}' -m pagefind --site '{public}' >/dev/null",
        ],
    }
    results: dict[str, list[timer.Run]] = {name: [] for name in (*commands, "daily")}
    log = HERE / "out" / "bench-hugo.log"
    trash.empty()  # a killed run's leftovers: deleted before the uncounted round

    def run(name: str, cmd: list[str]) -> timer.Run:
        timed = timer.run(cmd, cwd=mine, env=project.env(), log=log)
        if timed.rc != 0:
            sys.exit(f"bench-hugo: {name} failed (exit {timed.rc}); see {log}")
        return timed

    build, ingest = [*project.papersite(), "build"], [*project.papersite(), "ingest"]
    for round_ in range(runs + 1):
        for name, cmd in commands.items():
            trash.keep(public)  # ours keeps its own output, as it does
            timed = run(name, cmd)
            if round_:
                results[name].append(timed)
        run("the last day's build", build)
        before = day.add_day(mine, n)
        timed = run("daily", ["sh", "-c", f"{shlex.join(ingest)} && {shlex.join(build)}"])
        if round_:
            results["daily"].append(timed)
        day.remove_day(mine, before)
        run("the ingest without the day", ingest)
        print(f"  Hugo comparison, N={n}: round {round_}/{runs}", file=sys.stderr)
    trash.empty()
    lines = [f"N={n:,}, median of {runs} rounds (wall s, peak MiB largest process / process tree)"]
    for name, timed in results.items():
        lines.append(
            f"  {name:12s} {timer.median([r.wall for r in timed]):8.2f} s  "
            f"{max(r.peak_mib for r in timed):6.0f} / {max(r.tree_mib for r in timed):6.0f} MiB"
        )
    full = timer.ratios(results["ours"], results["hugo+search"])
    pages = timer.ratios(results["ours-pages"], results["hugo"])
    lines.append(f"  ours / (hugo + pagefind) = {full:.2f}   (goal <= 0.75)")
    lines.append(f"  ours pages+feeds / hugo  = {pages:.2f}   (goal <= 1.0)")
    daily = timer.ratios(results["daily"], results["hugo+search"])
    lines.append(f"  daily / (hugo + pagefind) = {daily:.3f}  (goal <= 0.1)")
    return lines


class Trash:
    """Where old output goes between timed commands: moved there (a rename), deleted only outside the counted
    rounds. Deleting a 10k-file tree on these disks (ext4 with discard) leaves the disk busy for many seconds after
    ``rmtree`` returns: Hugo into a fresh folder took 2.6-3.0 s with nothing deleted, 4.5-7.6 s after the last
    output was deleted untimed just before (even 3 s before), which flattered every ratio to Hugo."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def keep(self, path: Path) -> None:
        """Move ``path`` (when it exists) into the trash."""
        if path.exists():
            self.folder.mkdir(exist_ok=True)
            path.rename(self.folder / str(len(list(self.folder.iterdir()))))

    def empty(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def available() -> str | None:
    """Why the comparison cannot run here (None when it can): the kit is missing, or hugo is and apt cannot
    install it."""
    if not (KIT / "make_corpus.py").is_file():
        return "the shared benchmark kit (../shared/bench) is missing"
    if shutil.which("hugo") is None and (shutil.which("apt-get") is None or os.geteuid() != 0):
        return "hugo is not installed and apt-get cannot install it here"
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=int(os.environ.get("BENCH_N", "10000").split(",")[-1]))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    missing = available()
    if missing is not None:
        sys.exit(f"bench-hugo: {missing}")
    print("\n".join(compare(args.n, args.runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
