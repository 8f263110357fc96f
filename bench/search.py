"""Search in the browser at scale: a fixed set of queries against a built bench site, in Chromium.

    python bench/search.py [--n 10000]        (BENCH_N sets --n; the site is bench/out/n<N>/site, built by run.py)

The site is served on 127.0.0.1 at its base path (``generator/httpserve.py``) and each query opens ``search/?...``
in a fresh browser context (a cold cache), as a reader following a link would. Per query: seconds from navigation
to the first results shown (``#search[data-state]`` is ``results`` or ``empty``), seconds until the count is exact
(``data-complete``), bytes fetched (every resource's transfer size, the page included), requests, failed requests
(refused, or HTTP >= 400) and console errors. For queries without words the count shown is checked against the
content files: a year's papers by their front matter (``published``, else ``listed``), a topic's by the topic rules
(``generator.site.assemble`` over the loaded papers).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

if TYPE_CHECKING:
    from playwright.sync_api import Browser

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from generator.config import load_config  # noqa: E402
from generator.httpserve import site_server  # noqa: E402
from generator.site.assemble import assemble  # noqa: E402
from generator.site.load import load_papers  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]

QUERIES = (
    ("words", "q=memory"),
    ("words", "q=long+context"),
    ("words", "q=agent"),
    ("words", "q=retrieval+augmented"),
    ("words", "q=diffusion"),
    ("topic", "topic=Language+models"),
    ("topic", "topic=Agents"),
    ("topic", "topic=Memory+mechanisms"),
    ("topic", "topic=Agents&sort=oldest"),
    ("year", "year=2026"),
    ("year", "year=2025"),
    ("year", "year=2022"),
    ("topic+year", "topic=Agents&year=2025"),
    ("topic+year", "topic=Language+models&year=2026"),
    ("topic+year", "topic=Retrieval+and+RAG&year=2023&sort=oldest"),
    ("words+filters", "q=memory&topic=Agents"),
    ("words+filters", "q=memory&year=2024"),
    ("words+filters", "q=agent&topic=Language+models&year=2025"),
    ("words+filters", "q=memory&sort=newest"),
    ("words+filters", "q=memory&sort=oldest"),
    ("nothing", "q=qzxjvkwplm"),
    ("nothing", "q=qzxjvkwplm&year=2023"),
)
"""(kind, query): words; topic only; year only; topic and year; words with filters or an order; no match."""


@dataclass
class Row:
    kind: str
    query: str
    first: float
    complete: float
    bytes: int
    requests: int
    failed: list[str]
    errors: list[str]
    shown: int | None
    expected: int | None
    urls: list[str] = field(default_factory=list)
    """Every URL requested."""


def expected_counts(project: Path) -> tuple[dict[str, int], dict[str, int], dict[tuple[str, str], int]]:
    """From the content files: papers per year (front matter), per topic name, per (topic name, year)."""
    years: dict[str, int] = {}
    for file in (project / "content" / "papers").glob("*.md"):
        head = file.read_text(encoding="utf-8").split("\n---", 1)[0]
        day = re.search(r"^published: ['\"]?(\d{4})", head, re.M) or re.search(r"^listed: ['\"]?(\d{4})", head, re.M)
        if day:
            years[day[1]] = years.get(day[1], 0) + 1
    config, _ = load_config(project / "site.toml")
    assert config is not None
    papers, _ = load_papers(project / "content" / "papers")
    site, _ = assemble(config, papers)
    topics = {t.name: len(t.papers) for t in site.topics}
    both = {(t.name, str(p.date.year)): 0 for t in site.topics for p in t.papers if p.date}
    for topic in site.topics:
        for paper in topic.papers:
            if paper.date:
                both[topic.name, str(paper.date.year)] += 1
    return years, topics, both


def expected(query: str, counts: tuple[dict[str, int], dict[str, int], dict[tuple[str, str], int]]) -> int | None:
    params = {key: values[0] for key, values in parse_qs(query).items()}
    if "q" in params:
        return 0 if params["q"] == "qzxjvkwplm" else None
    years, topics, both = counts
    if "topic" in params and "year" in params:
        return both.get((params["topic"], params["year"]), 0)
    return topics.get(params["topic"], 0) if "topic" in params else years.get(params["year"], 0)


def served(site: Path, prefix: str) -> Iterator[str]:
    server = site_server(site, prefix)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()


def measure(
    site: Path, prefix: str, project: Path | None = None, queries: Sequence[tuple[str, str]] = QUERIES
) -> list[Row]:
    """Run ``queries`` against ``site`` (built for base path ``prefix``); counts checked when ``project`` is given."""
    from playwright.sync_api import sync_playwright

    counts = expected_counts(project) if project is not None else None
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for base in served(site, prefix):
            for kind, query in queries:
                rows.append(run_query(browser, base, kind, query))
                if counts is not None:
                    rows[-1].expected = expected(query, counts)
        browser.close()
    return rows


def run_query(browser: Browser, base: str, kind: str, query: str) -> Row:
    """One query in a fresh browser context: its times, bytes, requests, failures and the count shown."""
    context = browser.new_context()
    page = context.new_page()
    page.add_init_script("performance.setResourceTimingBufferSize(100000)")
    failed: list[str] = []
    errors: list[str] = []
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("requestfailed", lambda request: failed.append(f"{request.failure}: {request.url}"))
    page.on(
        "response",
        lambda response: failed.append(f"HTTP {response.status}: {response.url}") if response.status >= 400 else None,
    )
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    started = time.perf_counter()
    page.goto(base + "search/?" + query)
    page.wait_for_selector(
        "#search[data-state=results], #search[data-state=empty], #search[data-state=error]", timeout=120_000
    )
    first = time.perf_counter() - started
    page.wait_for_selector("#search[data-complete=true]", timeout=300_000)
    complete = time.perf_counter() - started
    size = page.evaluate(
        """() => [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
              .reduce((sum, e) => sum + (e.transferSize || e.encodedBodySize || 0), 0)"""
    )
    status = page.inner_text("#search-status")
    if page.get_attribute("#search", "data-state") == "error":
        errors.append(f"shown: {status}")
    found = re.match(r"(\d+) results?", status)
    shown = 0 if status.startswith("No results") else int(found[1]) if found else None
    context.close()
    return Row(kind, query, first, complete, int(size), len(requests), failed, errors, shown, None, requests)


def table(rows: list[Row], n: int) -> list[str]:
    lines = [
        f"Search at N={n:,} (bench/search.py: {len(rows)} queries, Chromium, a cold cache each):",
        "",
        "| kind | queries | first results median s | worst s | exact count, worst s | KB fetched median | worst "
        "| failed requests | console errors | counts exact |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for kind in dict.fromkeys(row.kind for row in rows):
        group = [row for row in rows if row.kind == kind]
        checked = [row for row in group if row.expected is not None]
        exact = f"{sum(r.shown == r.expected for r in checked)}/{len(checked)}" if checked else "n/a"
        lines.append(
            f"| {kind} | {len(group)} | {statistics.median(r.first for r in group):.2f} | "
            f"{max(r.first for r in group):.2f} | {max(r.complete for r in group):.2f} | "
            f"{statistics.median(r.bytes for r in group) / 1024:.0f} | {max(r.bytes for r in group) / 1024:.0f} | "
            f"{sum(len(r.failed) for r in group)} | {sum(len(r.errors) for r in group)} | {exact} |"
        )
    every = [r.first for r in rows]
    lines += ["", f"All queries: first results median {statistics.median(every):.2f} s, worst {max(every):.2f} s."]
    lines += [
        f"- `{r.query}`: {r.first:.2f} s / {r.complete:.2f} s, {r.bytes / 1024:.0f} KB, {r.requests} requests, "
        f"shown {r.shown}"
        + (f" (expected {r.expected})" if r.expected is not None else "")
        + "".join(f"; {problem}" for problem in (r.failed + r.errors)[:3])
        for r in rows
    ]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=int(os.environ.get("BENCH_N", "10000").split(",")[-1]))
    parser.add_argument("--out", default=str(HERE / "out"))
    args = parser.parse_args()
    project = Path(args.out) / f"n{args.n}"
    config, _ = load_config(project / "site.toml")
    assert config is not None
    rows = measure(project / "site", config.base_path, project)
    print("\n".join(table(rows, args.n)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
