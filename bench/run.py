"""`make bench`: papersite's build speed on a deterministic synthetic corpus, as ratios from alternating runs.

    python bench/run.py [--n 1000,10000] [--runs 3]        (BENCH_N=100000 sets --n)

For each N: generate N papers as HF API listings (bench/make_corpus.py), ingest them once (timed for
information), then per round, in this order:
  full      `papersite build --no-cache`  every page, feed and the search index, ignoring every cache;
  no-change `papersite build`             nothing changed since the previous build;
  add-50    `papersite build`             after ingesting one new 50-paper daily listing (ingest timed apart);
  daily run `papersite ingest` + the add-50 build: what `make build` runs each day (the ingest is incremental:
            it reads the new listing and the files it touches, generator/ingest/ledger.py);
then the listing and its papers are removed, and everything ingested and rebuilt (untimed) for the next round.
Absolute seconds on a shared machine swing by ±30%; the ratios are taken pair by pair within a round.
When N=10,000 is among the sizes, Hugo + the Pagefind CLI are timed on the same papers too (bench/hugo.py, with
the shared kit; skipped with a note when it or hugo is missing). Then, for the largest N, the search page in Chromium
over bench/search.py's fixed queries (time to first results, bytes, failures, exact counts). Prints the tables and
writes bench/results.md.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import shutil
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import day  # noqa: E402
import hugo  # noqa: E402
import make_corpus  # noqa: E402
import project  # noqa: E402
import search  # noqa: E402
import timer  # noqa: E402

SEED = day.SEED


@dataclass
class Result:
    n: int
    ingest: timer.Run | None = None
    full: list[timer.Run] = field(default_factory=list)
    nochange: list[timer.Run] = field(default_factory=list)
    add: list[timer.Run] = field(default_factory=list)
    add_ingest: list[timer.Run] = field(default_factory=list)
    pages: str = ""


def check(run: timer.Run, what: str, log: Path) -> timer.Run:
    if run.rc != 0:
        sys.exit(f"bench: {what} failed with exit code {run.rc}; see {log}")
    return run


def prepare(n: int, out: Path) -> Path:
    """A project folder with N papers as listings, the repo's site.toml and theme, ingested once."""
    folder = out / f"n{n}"
    stamp = folder / ".corpus"
    want = f"n={n} seed={SEED} {(HERE / 'make_corpus.py').stat().st_size}"
    if not (stamp.is_file() and stamp.read_text() == want):
        shutil.rmtree(folder, ignore_errors=True)
        (folder / "content").mkdir(parents=True)
        records = list(make_corpus.generate(n, SEED, make_corpus.DEFAULT_SEED_FILE))
        make_corpus.write_hf_api(records, str(folder))
    # always the repository's current config and theme
    shutil.copy(REPO / "site.toml", folder / "site.toml")
    shutil.rmtree(folder / "themes", ignore_errors=True)
    shutil.copytree(REPO / "themes", folder / "themes")
    return folder


def bench_n(n: int, runs: int, out: Path) -> Result:
    folder = prepare(n, out)
    log = folder / "bench.log"
    log.unlink(missing_ok=True)
    result = Result(n)
    stamp = folder / ".corpus"
    if not stamp.is_file():
        print(f"  N={n}: ingesting", file=sys.stderr)
        result.ingest = check(
            timer.run([*project.papersite(), "ingest"], cwd=folder, env=project.env(), log=log), "ingest", log
        )
        stamp.write_text(f"n={n} seed={SEED} {(HERE / 'make_corpus.py').stat().st_size}")
    build = [*project.papersite(), "build"]
    ingest = [*project.papersite(), "ingest"]  # every listing, as `make build` ingests them
    check(timer.run(ingest, cwd=folder, env=project.env(), log=log), "warm-up ingest (the ingest ledger)", log)
    check(timer.run(build, cwd=folder, env=project.env(), log=log), "warm-up build", log)
    for round_ in range(runs):
        print(f"  N={n}: round {round_ + 1}/{runs}", file=sys.stderr)
        result.full.append(
            check(timer.run([*build, "--no-cache"], cwd=folder, env=project.env(), log=log), "full", log)
        )
        result.nochange.append(check(timer.run(build, cwd=folder, env=project.env(), log=log), "no-change", log))
        before = day.add_day(folder, n)
        result.add_ingest.append(check(timer.run(ingest, cwd=folder, env=project.env(), log=log), "ingest extra", log))
        result.add.append(check(timer.run(build, cwd=folder, env=project.env(), log=log), "add-50 build", log))
        day.remove_day(folder, before)
        check(timer.run(ingest, cwd=folder, env=project.env(), log=log), "restoring ingest", log)
        check(timer.run(build, cwd=folder, env=project.env(), log=log), "restoring build", log)
    result.pages = summary_line(log)
    return result


def summary_line(log: Path) -> str:
    lines = [line for line in log.read_text(errors="replace").splitlines() if line.startswith("built ")]
    return lines[0] if lines else ""


def machine() -> list[str]:
    cpu = ""
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    mem = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    versions = ", ".join(
        f"{pkg} {_version(pkg)}" for pkg in ("jinja2", "markdown-it-py", "feedgen", "PyYAML", "pagefind")
    )
    return [
        f"- Machine: {platform.machine()}, {os.cpu_count()} cores ({cpu}), {mem} RAM, {platform.system()} "
        f"{platform.release()}",
        f"- Python {platform.python_version()}; {versions}",
        f"- papersite at {project.snapshot}",
    ]


def _version(pkg: str) -> str:
    try:
        return metadata.version(pkg)
    except metadata.PackageNotFoundError:
        return "missing"


def table(results: list[Result], runs: int) -> list[str]:
    rows = [
        "| N | full build s | no-change s | add-50 s | no-change / full | add-50 / full | peak MiB (largest "
        "process) | peak MiB (process tree, PSS) | ingest N s | ingest +50 s | daily run s | daily run / full |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        med = timer.median
        rows.append(
            f"| {r.n:,} | {med([x.wall for x in r.full]):.2f} | {med([x.wall for x in r.nochange]):.2f} | "
            f"{med([x.wall for x in r.add]):.2f} | {timer.ratios(r.nochange, r.full):.3f} | "
            f"{timer.ratios(r.add, r.full):.3f} | "
            f"{max(x.peak_mib for x in r.full):.0f} | {max(x.tree_mib for x in r.full):.0f} | "
            f"{f'{r.ingest.wall:.1f}' if r.ingest else ''} | {med([x.wall for x in r.add_ingest]):.2f} | "
            f"{med(daily(r)):.2f} | {med([d / f.wall for d, f in zip(daily(r), r.full, strict=True)]):.3f} |"
        )
    if len(results) > 1:
        a, b = results[0], results[-1]
        growth = timer.median([x.wall for x in b.full]) / timer.median([x.wall for x in a.full])
        rows += ["", f"Full build time grows {growth:.1f}x from N={a.n:,} to N={b.n:,} ({b.n / a.n:.0f}x papers)."]
    rows += [
        "",
        f"Medians of {runs} round(s); ratios are medians of per-round pairs. Ingest N is blank when the "
        "corpus was already ingested by an earlier run.",
    ]
    rows += [f"- N={r.n:,}: {r.pages}" for r in results if r.pages]
    return rows


def daily(result: Result) -> list[float]:
    """Each round's daily run: the incremental ingest of the new day and the build after it, in seconds."""
    return [i.wall + b.wall for i, b in zip(result.add_ingest, result.add, strict=True)]


HUGO_N = 10_000
"""The size at which the goals against Hugo are set."""


def against_hugo(sizes: list[int], runs: int) -> list[str]:
    """Goals 1 and 2: Hugo + the Pagefind CLI on the same papers (``bench/hugo.py``), when this run includes
    ``HUGO_N`` and the shared kit and hugo are at hand."""
    if HUGO_N not in sizes:
        return []
    missing = hugo.available()
    if missing is not None:
        return ["", f"Against Hugo: not measured ({missing}); see `make bench-hugo`."]
    heading = f"Against Hugo + the Pagefind CLI (bench/hugo.py: alternating runs, the same {HUGO_N:,} papers):"
    return ["", heading, "", "```", *hugo.compare(HUGO_N, runs, snapshot=False), "```"]


def search_table(folder: Path, n: int) -> list[str]:
    """bench/search.py's queries against the site of ``folder`` (as the last round left it), or why not."""
    try:
        import playwright  # noqa: F401
    except ImportError:
        return [f"Search at N={n:,}: not measured (playwright is not installed: `make .venv/.installed-test`)."]
    base = search.load_config(folder / "site.toml")[0]
    return search.table(search.measure(folder / "site", base.base_path if base else "/", folder), n)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", default=os.environ.get("BENCH_N", "1000,10000"), help="comma-separated paper counts")
    parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", "3")))
    parser.add_argument("--out", default=str(HERE / "out"))
    parser.add_argument("--results", default=str(HERE / "results.md"))
    args = parser.parse_args()
    sizes = [int(part) for part in args.n.split(",") if part.strip()]
    project.snapshot_code()
    results = [bench_n(n, args.runs, Path(args.out)) for n in sizes]
    lines = table(results, args.runs) + against_hugo(sizes, args.runs)
    lines += ["", *search_table(Path(args.out) / f"n{sizes[-1]}", sizes[-1])]
    print("\n".join(lines))
    text = ["# papersite build benchmark", "", "Written by `make bench` (bench/run.py).", "", *machine(), "", *lines]
    Path(args.results).write_text("\n".join(text) + "\n", encoding="utf-8")
    print(f"wrote {args.results}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
