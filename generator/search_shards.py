"""A large site's search index in shards: one Pagefind index per year (or part of a year), merged in the browser.

Pagefind holds every page it indexes in memory (about 160 KiB a paper page, 1.6 GB at 10,000 papers) and one run
indexes everything again. Past ``SHARD_ABOVE`` papers the paper pages are split by the year of their date
(``Paper.date``; undated papers join the oldest year), and a year of more than ``SHARD_MOST`` papers is split
further into runs of whole months. Each shard is indexed by its own Pagefind run over a folder of hard links to
just its pages, at most two runs at a time and only while the pages in flight stay under ``PARALLEL_PAGES`` (so
peak memory is bounded by the shard size, not the site size). A shard is indexed again only when one of its pages
changed in what Pagefind reads (:func:`indexed_part`; a paper page also lists related papers, which change as
papers are added, but are not indexed); otherwise the published shard folder is hard-linked, as for a page. New
papers land in the newest shard, so a daily listing re-indexes one small shard.

Layout: the newest shard is ``site/pagefind/`` (Pagefind's scripts and the language ``wasm`` live there, and a
small site keeps its single index there exactly as before), every older one ``site/pagefind-<name>/`` holding only
its data files (a merged index reuses the primary's scripts and ``wasm``). ``site/pagefind/shards.json`` lists the
shards newest first, with bundle paths relative to the site's base (so sub-path sites work)::

    {"shards": [{"name": "2026", "bundle": "pagefind/"}, {"name": "2025", "bundle": "pagefind-2025/"}]}

``static/search.js`` loads the first and merges every other with Pagefind's ``mergeIndex``, tagging each with a
synthetic ``shard`` filter so that date-ordered results can be read shard by shard in order (Pagefind orders merged
results by a per-index score, which for a sort is a position inside that index).

``PAPERSITE_SEARCH_SHARDS=ABOVE[,MOST]`` overrides the two limits. It is internal, for tests and benchmarks that
need sharding on a few dozen papers; sites are not meant to set it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from generator.model import Paper
from generator.output import Output
from generator.parallel import Background, Inbox
from generator.search import (
    EXCLUDE_SELECTORS,
    INDEX_DIR,
    PAPER_GLOB,
    SearchIndex,
    SearchIndexError,
    write_search_index,
)
from generator.urls import output_file, paper_path

SHARD_ABOVE = 2000
"""Sites with more papers than this get one index per year; smaller ones one index."""
SHARD_MOST = 5000
"""A year with more papers than this is split into runs of whole months of at most this many (where a month
allows)."""
PARALLEL_PAGES = 2 * SHARD_MOST
"""Two Pagefind runs go at once only while their pages add up to at most this (about 160 KB of Pagefind memory a
page: 1.6 GB). At 5,000 two shards of a 100k site (of about 4,500 papers each) went one at a time, and the index
took twice as long."""
PROCESSES = 2
"""Pagefind runs at most at once. Each is mostly single-threaded, so two keep two cores busy."""
MANIFEST = f"{INDEX_DIR}/shards.json"
"""The list of shards ``static/search.js`` reads, relative to the site root."""
DATA = ("index", "filter", "fragment", "pagefind-entry.json")
"""What a merged (non-primary) shard folder keeps besides its ``*.pf_meta`` file: Pagefind's data, not its scripts,
styles or ``wasm``."""


@dataclass(frozen=True, slots=True)
class Shard:
    """One Pagefind index: a set of paper pages and the folder its index is written to."""

    name: str
    """``2025``, ``2025-07`` (a year split by months, named by its first month), or ``all`` (an unsharded site)."""
    folder: str
    """``pagefind`` for the newest shard, else ``pagefind-<name>``; relative to the site root."""
    pages: tuple[str, ...]
    """The paper pages indexed (``papers/<slug>/index.html``), sorted."""


@dataclass
class ShardCache:
    """What the page cache keeps about the published index, so that an unchanged shard is linked, not indexed."""

    shards: dict[str, tuple[bytes, SearchIndex]] = field(default_factory=dict)
    """Shard folder -> (digest of what Pagefind reads from its pages, its result)."""
    pages: dict[str, tuple[int, int, bytes]] = field(default_factory=dict)
    """Paper page -> (size, mtime_ns, digest of what Pagefind reads from it): a page file that is still the same
    file is not read again."""


def shard_limits() -> tuple[int, int]:
    """``(SHARD_ABOVE, SHARD_MOST)``, or the values of ``PAPERSITE_SEARCH_SHARDS=ABOVE[,MOST]``."""
    above, most = SHARD_ABOVE, SHARD_MOST
    parts = [p.strip() for p in os.environ.get("PAPERSITE_SEARCH_SHARDS", "").split(",")]
    if parts[0].isdigit():
        above = int(parts[0])
    if len(parts) > 1 and parts[1].isdigit() and int(parts[1]) > 0:
        most = int(parts[1])
    return above, most


def plan_shards(papers: Sequence[Paper], above: int = SHARD_ABOVE, most: int = SHARD_MOST) -> tuple[Shard, ...]:
    """The shards of ``papers``, newest first: one (``all``) up to ``above`` papers, else by year and month runs."""
    if len(papers) <= above:
        return (Shard("all", INDEX_DIR, tuple(sorted(output_file(paper_path(p.slug)) for p in papers))),)
    dated = [p.date for p in papers if p.date]
    oldest = min(dated).year if dated else 0
    by_year: dict[int, list[Paper]] = {}
    for paper in papers:
        by_year.setdefault(paper.date.year if paper.date else oldest, []).append(paper)
    groups: list[tuple[str, list[Paper]]] = []
    for year in sorted(by_year):
        members, label = by_year[year], str(year) if year else "undated"
        if len(members) <= most:
            groups.append((label, members))
            continue
        by_month: dict[int, list[Paper]] = {}
        for paper in members:  # undated papers are month 0 of the oldest year
            by_month.setdefault(paper.date.month if paper.date else 0, []).append(paper)
        run: list[Paper] = []
        first = 0
        for month in sorted(by_month):
            if run and len(run) + len(by_month[month]) > most:
                groups.append((f"{label}-{first:02d}", run))
                run = []
            if not run:
                first = month
            run += by_month[month]
        groups.append((f"{label}-{first:02d}", run))
    shards = []
    for number, (name, members) in enumerate(reversed(groups)):
        folder = INDEX_DIR if number == 0 else f"{INDEX_DIR}-{name}"
        shards.append(Shard(name, folder, tuple(sorted(output_file(paper_path(p.slug)) for p in members))))
    return tuple(shards)


def index_shards(
    shards: Sequence[Shard],
    out: Output,
    language: str,
    previous: ShardCache | None,
    ready: Iterable[str] = (),
) -> tuple[SearchIndex, ShardCache]:
    """Index every shard whose pages changed, for Pagefind, since ``previous`` (link the published folder of the
    others), write the manifest, record every file in ``out``; return the summary and what the cache keeps.
    ``ready`` names shard folders as their pages are written (by a build still writing the others); the shards are
    taken in that order, and those it never names once it ends."""
    previous = previous or ShardCache()
    published = {key: (folder, result) for folder, (key, result) in previous.shards.items()}
    kept = ShardCache()

    def digest(shard: Shard) -> bytes:
        return _shard_digest(shard, out, language, previous.pages, kept.pages)

    started: float | None = None
    # nothing to reuse: each shard's digest is taken after it is indexed, while the others are
    with _Indexer(out, language, None if published else digest) as indexer:
        for shard in _in_order(shards, ready):
            started = started or time.perf_counter()
            if not published:
                indexer.start(shard, b"")
                continue
            key = digest(shard)
            old = published.get(key)
            # linked from the published folder it had (a shard keeps its digest when its folder is renamed)
            if old is not None and out.link_folder(old[0], shard.folder, exclude=(Path(MANIFEST).name,)):
                kept.shards[shard.folder] = (key, old[1])
            else:
                indexer.start(shard, key)
        indexer.all_started()
    for shard, key, result in indexer.done:
        kept.shards[shard.folder] = (key, result)
    for shard in shards:
        folder = out.staging / shard.folder
        out.files.extend(sorted(f.relative_to(out.staging).as_posix() for f in folder.rglob("*") if f.is_file()))
    manifest = [{"name": shard.name, "bundle": f"{shard.folder}/"} for shard in shards]
    out.write(MANIFEST, json.dumps({"shards": manifest}, separators=(",", ":")) + "\n")
    results = [kept.shards[shard.folder][1] for shard in shards]
    files = sum(r.files for r in results) + 1
    size = sum(r.bytes for r in results) + (out.staging / MANIFEST).stat().st_size
    seconds = time.perf_counter() - started if indexer.done and started is not None else 0.0
    summary = SearchIndex(sum(r.pages for r in results), files, size, seconds, len(shards), len(indexer.done))
    return summary, kept


def _in_order(shards: Sequence[Shard], ready: Iterable[str]) -> Iterator[Shard]:
    """``shards`` in the order ``ready`` names their folders, then the ones it did not name."""
    waiting = {shard.folder: shard for shard in shards}
    if not waiting:
        return
    for folder in ready:
        shard = waiting.pop(folder, None)
        if shard is not None:
            yield shard
            if not waiting:  # the last one: do not wait for the end of ``ready``
                return
    yield from waiting.values()


class _Indexer:
    """Pagefind runs, started in turn: at most ``PROCESSES`` at once (one while the build is still rendering the
    paper pages on every core: a second would only take turns with them) and only while the pages in flight stay
    under ``PARALLEL_PAGES``. ``then(shard)``, run in the same thread after a shard is indexed, gives its digest
    (when ``start`` had none). Leaving the ``with`` block waits for them all; ``done`` then holds (shard, digest,
    result) in the order they were started."""

    def __init__(self, out: Output, language: str, then: Callable[[Shard], bytes] | None) -> None:
        self.out, self.language, self.then = out, language, then
        self.done: list[tuple[Shard, bytes, SearchIndex]] = []
        self._lock = threading.Condition()
        self._in_flight = 0
        self._running = 0
        self._most = 1
        self._pool = ThreadPoolExecutor(PROCESSES)
        self._runs: list[tuple[Shard, bytes, Future[tuple[SearchIndex, bytes]]]] = []

    def start(self, shard: Shard, key: bytes) -> None:
        self.out.fresh_folder(shard.folder)  # here, not in the threads: Output is not thread-safe
        self._runs.append((shard, key, self._pool.submit(self._index, shard, key)))

    def all_started(self) -> None:
        """Every shard is ready (the paper pages are written): up to ``PROCESSES`` runs at once from now on."""
        with self._lock:
            self._most = PROCESSES
            self._lock.notify_all()

    def _index(self, shard: Shard, key: bytes) -> tuple[SearchIndex, bytes]:
        need = min(len(shard.pages), PARALLEL_PAGES)
        with self._lock:
            self._lock.wait_for(lambda: self._in_flight + need <= PARALLEL_PAGES and self._running < self._most)
            self._in_flight += need
            self._running += 1
        try:
            result = index_shard(shard, self.out, self.language, primary=shard.folder == INDEX_DIR)
        finally:
            with self._lock:
                self._in_flight -= need
                self._running -= 1
                self._lock.notify_all()
        return result, key if key or self.then is None else self.then(shard)

    def __enter__(self) -> _Indexer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.all_started()
        self._pool.shutdown(wait=True, cancel_futures=exc[0] is not None)
        if exc[0] is None:
            for shard, _, run in self._runs:
                result, key = run.result()
                self.done.append((shard, key, result))


IndexResult = tuple[SearchIndex, ShardCache, list[str]]
"""What ``index_in_worker`` returns: the summary, what the page cache keeps, the files written."""


class SearchRun:
    """A build's search index, made in a helper process (``index_in_worker``) while the build writes the paper
    pages: each shard is handed over as soon as its pages are written, so Pagefind starts on the first shard while
    the others are still being rendered."""

    def __init__(self, papers: Sequence[Paper], out: Output, language: str, previous: ShardCache | None) -> None:
        shards = plan_shards(papers, *shard_limits())
        order = {output_file(paper_path(paper.slug)): number for number, paper in enumerate(papers)}
        # (papers whose pages must be written, folder) for each shard
        self._due = sorted((max((order[p] + 1 for p in shard.pages), default=0), shard.folder) for shard in shards)
        self._ready = Inbox()
        self._job = Background(index_in_worker, shards, out.target, language, previous, self._ready)
        self.written(0)

    def written(self, count: int) -> None:
        """The pages of the first ``count`` papers (in the order of ``papers``) are written."""
        while self._due and self._due[0][0] <= count:
            self._ready.send(self._due.pop(0)[1])

    def result(self) -> IndexResult:
        """Wait for the index (every page must be written by now)."""
        return self._job.result()

    def cancel(self) -> None:
        self._job.cancel()


def index_in_worker(
    shards: Sequence[Shard], target: Path, language: str, previous: ShardCache | None, ready: Iterable[str] = ()
) -> IndexResult:
    """``index_shards`` for the build whose output is ``target``, run in a helper process
    (``parallel.Background``) while the build writes its pages; the build records the files."""
    out = Output(target, worker=True)
    try:
        index, kept = index_shards(shards, out, language, previous, ready)
    finally:
        out.settle()
    return index, kept, out.files


def _shard_digest(
    shard: Shard,
    out: Output,
    language: str,
    known: dict[str, tuple[int, int, bytes]],
    pages: dict[str, tuple[int, int, bytes]],
) -> bytes:
    """A digest of what Pagefind reads from ``shard``'s pages; each page's own digest is recorded in ``pages``."""
    primary = shard.folder == INDEX_DIR  # a primary shard folder also holds Pagefind's scripts
    digest = hashlib.blake2b(f"{primary}\0{language}\0{EXCLUDE_SELECTORS!r}".encode(), digest_size=16)
    for page in shard.pages:
        file = out.staging / page
        stat = file.stat()
        entry = known.get(page)
        if entry is None or entry[:2] != (stat.st_size, stat.st_mtime_ns):
            view = hashlib.blake2b(indexed_part(file.read_bytes()), digest_size=16).digest()
            entry = (stat.st_size, stat.st_mtime_ns, view)
        pages[page] = entry
        digest.update(f"\0{page}\0".encode() + entry[2])
    return digest.digest()


def indexed_part(html: bytes) -> bytes:
    """The part of a page Pagefind reads: everything up to the end of its last ``data-pagefind-body`` element, or
    the whole page when it has none or carries ``data-pagefind-*`` attributes after it. What follows the body
    (related papers, links to the newer and older paper) changes when other papers are added; it is not indexed,
    so a shard whose pages changed only there is not indexed again."""
    at = html.rfind(b"data-pagefind-body")
    start = html.rfind(b"<", 0, at)
    opening = re.match(rb"<([A-Za-z][A-Za-z0-9-]*)", html[start:]) if at >= 0 and start >= 0 else None
    if opening is None:
        return html
    depth = 0
    for tag in re.compile(rb"<(/?)" + re.escape(opening[1]) + rb"[\s/>]", re.IGNORECASE).finditer(html, start):
        depth += -1 if tag[1] else 1
        if depth == 0:
            end = html.find(b">", tag.end() - 1) + 1
            return html if end == 0 or b"data-pagefind-" in html[end:] else html[:end]
    return html


def index_shard(shard: Shard, out: Output, language: str, *, primary: bool) -> SearchIndex:
    """Index ``shard``'s pages into the (fresh, empty) ``<staging>/<folder>/`` through a folder of hard links."""
    folder = out.staging / shard.folder
    # Named like Output's trash folders, so the next build deletes it if this one is killed.
    pages = Path(tempfile.mkdtemp(prefix=f"{out.staging.name}.trash.search-", dir=out.staging.parent))
    try:
        for page in shard.pages:
            (pages / page).parent.mkdir(parents=True)
            os.link(out.staging / page, pages / page)
        result = write_search_index(pages, PAPER_GLOB, language, output=folder)
    except OSError as exc:
        raise SearchIndexError(f"cannot prepare the pages of search shard {shard.name}: {exc}") from exc
    finally:
        shutil.rmtree(pages, ignore_errors=True)
    if primary:
        return result
    for item in sorted(folder.iterdir()):
        if not _is_data(item.name):
            item.unlink()
    files = [f for f in folder.rglob("*") if f.is_file()]
    return SearchIndex(result.pages, len(files), sum(f.stat().st_size for f in files), result.seconds)


def _is_data(name: str) -> bool:
    """Whether ``name``, at the top of an index folder, is Pagefind data (kept in a merged shard)."""
    return name in DATA or name.endswith(".pf_meta")
