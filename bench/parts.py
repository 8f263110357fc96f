"""`python bench/parts.py [--n 10000]` (dev only): the CPU time of each part of a full build, each run alone on one
core with every cache cleared, over the bench corpus of N papers (``bench/out/n<N>``, made by ``make bench``).

A build spreads these parts over the cores (``generator/build.py``), plus what it costs to start, to hand work
between processes, to fingerprint pages for the next build and to write files; the sum is the CPU a full build
cannot do without, the floor of its wall time on a given number of cores. Nothing is written.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
os.environ["PAPERSITE_JOBS"] = "1"  # every part on this core alone

from generator.config import load_config  # noqa: E402
from generator.feeds.write import feed_files  # noqa: E402
from generator.render.archive import render_archive  # noqa: E402
from generator.render.feed_pages import render_feed_pages  # noqa: E402
from generator.render.pages import Renderer, render_home, render_papers, render_search, render_topics  # noqa: E402
from generator.render.theme import load_theme  # noqa: E402
from generator.site.assemble import Site, assemble  # noqa: E402
from generator.site.load import load_papers  # noqa: E402
from generator.site.related import update_related  # noqa: E402
from generator.text import markup, mathml  # noqa: E402

Job = tuple[str, str, dict[str, Any]]


class _Jobs:
    """A page queue that only collects the pages (``Renderer`` renders through it)."""

    cards = None

    def __init__(self) -> None:
        self.jobs: list[Job] = []

    def add(self, template: str, path: str, context: dict[str, Any]) -> None:
        self.jobs.append((template, path, context))


def _cold() -> None:
    """Forget what the text helpers remember (a build's render workers start without it)."""
    for helper in (markup.render_markdown, markup.plain_text, mathml.render_tex, mathml.plain_tex):
        helper.cache_clear()


def timed(label: str, work: Callable[[], Any], rows: list[tuple[str, float]]) -> Any:
    _cold()
    started = time.process_time()
    value = work()
    rows.append((label, time.process_time() - started))
    return value


def parts(root: Path) -> list[tuple[str, float]]:
    rows: list[tuple[str, float]] = []
    config, _ = load_config(root / "site.toml", None, display="site.toml")
    theme, _ = load_theme(root, config.theme if config else "default")
    if config is None or theme is None:
        sys.exit(f"parts: no valid site.toml and theme in {root}")
    papers, _ = timed("read and parse the content files", lambda: load_papers(root / "content" / "papers"), rows)
    site: Site = timed("match topics, order, group", lambda: assemble(config, papers)[0], rows)
    lists = timed("related papers", lambda: update_related(site.papers, None).result, rows)
    site = replace(site, related=lists)
    env = theme.environment()
    queue = _Jobs()
    renderer = Renderer(site, env, None, queue)  # type: ignore[arg-type]  # renders nothing itself
    render_papers(renderer)
    paper_jobs, queue.jobs = queue.jobs, []
    for render in (render_home, render_topics, render_search, render_feed_pages, render_archive):
        render(renderer)
    list_jobs = queue.jobs

    def render_all(jobs: list[Job]) -> None:
        for template, path, context in jobs:
            env.get_template(template).render(path=path, **context)

    for template in {job[0] for job in paper_jobs + list_jobs}:
        env.get_template(template)  # compiled before timing, as a build does before forking
    timed(f"templates: {len(paper_jobs):,} paper pages (with Markdown)", lambda: render_all(paper_jobs), rows)
    timed(f"templates: {len(site.papers):,} cards", lambda: [renderer.cards(p) for p in site.papers], rows)
    timed(f"templates: {len(list_jobs):,} list pages (cards ready)", lambda: render_all(list_jobs), rows)
    timed("feeds (RSS, Atom, JSON Feed, OPML)", lambda: feed_files(site), rows)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=int(os.environ.get("BENCH_N", "10000").split(",")[-1]))
    args = parser.parse_args()
    root = HERE / "out" / f"n{args.n}"
    if not (root / "content" / "papers").is_dir():
        sys.exit(f"parts: no ingested corpus in {root}; run `make bench` (or BENCH_N={args.n} make bench) first")
    rows = parts(root)
    print(f"CPU of each part of a full build of {args.n:,} papers, alone on one core:")
    for label, seconds in rows:
        print(f"  {label:50s} {seconds:6.2f} s")
    print(f"  {'sum':50s} {sum(s for _, s in rows):6.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
