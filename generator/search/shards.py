"""A large site's search index in shards: one Pagefind index per year (or part of a year), merged in the browser.

Pagefind holds every page it indexes in memory, and one run indexes everything again, so a large site's paper pages
are split into shards (``plan.py`` decides which pages go where). Each shard is indexed by its own Pagefind run over
just its pages (named in a glob), at most two runs at a time and only while the pages in flight stay under
``PARALLEL_PAGES`` (so peak memory is bounded by the shard size, not the site size). A shard is indexed again only
when one of its pages changed in what Pagefind reads (:func:`indexed_part`; a paper page also lists related papers,
which change as papers are added, but are not indexed); otherwise the published shard folder is hard-linked, as for
a page.

Layout: the newest shard is ``site/pagefind/`` (Pagefind's scripts and the language ``wasm`` live there, and a
small site keeps its single index there), every older one ``site/pagefind-<name>/`` holding only its data files
(a merged index reuses the primary's scripts and ``wasm``). ``site/pagefind/shards.json`` lists the
shards newest first, with bundle paths relative to the site's base (so sub-path sites work)::

    {"shards": [{"name": "2026", "bundle": "pagefind/"}, {"name": "2025", "bundle": "pagefind-2025/"}],
     "words": "pagefind-words/"}

``words`` is the words index (``words.py``): which of the older shards a query can match, read before them.

``themes/default/static/search/shards.js`` loads the first and merges only the others a query needs (those that can
hold its year, by name) with Pagefind's ``mergeIndex``, tagging each with a synthetic ``shard`` filter so that
results can be read shard by shard in order (Pagefind orders merged results by a per-index score, which for a sort
is a position inside that index). A shard's name starts with the year of its papers (``2025``, ``2025-07``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from generator.incremental.cache import PageCache
from generator.incremental.output import Output, walk_files
from generator.incremental.parallel import Background, Helper
from generator.model import Paper, SearchIndex
from generator.search.pagefind import (
    EXCLUDE_SELECTORS,
    INDEX_DIR,
    PAPER_GLOB,
    REUSED,
    SearchIndexError,
    is_data,
    page_glob,
    write_search_index,
)
from generator.search.plan import SHARD_MOST, Shard, plan_shards, shard_limits
from generator.search.words import WORDS_DIR, published_words, shard_words, words_key, write_words

PARALLEL_PAGES = 2 * SHARD_MOST
"""Two Pagefind runs go at once only while their pages add up to at most this, which bounds Pagefind's memory (it
grows with the pages in flight). Twice ``SHARD_MOST``, so that two full shards still run at once."""
PROCESSES = 2
"""Pagefind runs at most at once. Each is mostly single-threaded, so two keep two cores busy."""
MANIFEST = f"{INDEX_DIR}/shards.json"
"""The list of shards ``themes/default/static/search.js`` reads, relative to the site root."""


@dataclass
class ShardCache:
    """What the page cache keeps about the published index, so that an unchanged shard is linked, not indexed."""

    shards: dict[str, tuple[bytes, SearchIndex]] = field(default_factory=dict)
    """Shard folder -> (digest of what Pagefind reads from its pages, its result)."""
    pages: dict[str, tuple[int, int, bytes]] = field(default_factory=dict)
    """Paper page -> (size, mtime_ns, digest of what Pagefind reads from it): a page file that is still the same
    file is not read again."""
    words: tuple[bytes, int, int] | None = None
    """The published words index (``words.py``): (``words_key`` of the shards, its files, its bytes); None when
    the site has one index."""


def index_shards(
    shards: Sequence[Shard], out: Output, language: str, previous: ShardCache | None
) -> tuple[SearchIndex, ShardCache]:
    """Index every shard whose pages changed, for Pagefind, since ``previous`` (link the published folder of the
    others), write the manifest, record every file in ``out``; return the summary and what the cache keeps."""
    started = time.perf_counter()
    previous = previous or ShardCache()
    published = {key: (folder, result) for folder, (key, result) in previous.shards.items()}
    next_cache = ShardCache()
    todo: list[tuple[Shard, bytes]] = []

    def digest(shard: Shard) -> bytes:
        return _shard_digest(shard, out, language, previous.pages, next_cache.pages)

    for shard in shards:
        if not published:  # nothing to reuse: each shard's digest is taken while the others are indexed
            todo.append((shard, b""))
            continue
        key = digest(shard)
        old = published.get(key)
        # linked from the published folder it had (a shard keeps its digest when its folder is renamed)
        reused = _reuse(out, old[0], shard, old[1]) if old is not None else None
        if reused is not None:
            next_cache.shards[shard.folder] = (key, reused)
        else:
            todo.append((shard, key))
    sharded = len(shards) > 1
    covered = shards[1:]  # the words index leaves out the newest shard, where each day's papers land
    words_of = frozenset(shard.folder for shard in covered)
    indexed = _index_all([s for s, _ in todo], out, language, None if published else digest, words_of=words_of)
    fresh: dict[str, list[str]] = {}
    for (shard, key), (result, late, words) in zip(todo, indexed, strict=True):
        next_cache.shards[shard.folder] = (key or late, result)
        fresh[shard.folder] = words
    manifest: dict[str, object] = {"shards": [{"name": shard.name, "bundle": f"{shard.folder}/"} for shard in shards]}
    folders = [shard.folder for shard in shards]
    if sharded:
        next_cache.words = _words_index(covered, fresh, next_cache, previous.words, out, language)
        manifest["words"] = f"{WORDS_DIR}/"
        folders.append(WORDS_DIR)
    for folder in folders:
        out.files.extend(sorted(path for path, _ in walk_files(out.staging / folder, f"{folder}/")))
    out.write(MANIFEST, json.dumps(manifest, separators=(",", ":")) + "\n")
    results = [next_cache.shards[shard.folder][1] for shard in shards]
    files = sum(r.files for r in results) + 1 + (next_cache.words[1] if next_cache.words else 0)
    size = sum(r.bytes for r in results) + (out.staging / MANIFEST).stat().st_size
    size += next_cache.words[2] if next_cache.words else 0
    seconds = time.perf_counter() - started if todo else 0.0
    summary = SearchIndex(sum(r.pages for r in results), files, size, seconds, len(shards), len(todo))
    return summary, next_cache


SEARCH_MODULES = ("generator.search.shards", "pagefind.service")
"""What the search index's process imports before it has its job (``parallel.Helper``)."""


def start_indexing(
    papers: Sequence[Paper], out: Output, language: str, pages: PageCache, helper: Helper
) -> Background[IndexResult]:
    """Start indexing the paper pages of ``papers`` (written by now) in ``helper``: shard by shard (one index on a
    small site); a shard none of whose pages changed (in what Pagefind reads) since the published site's index
    (kept in the page cache ``pages``) is linked from the published site."""
    shards = plan_shards(papers, *shard_limits())
    previous = pages.search_result if isinstance(pages.search_result, ShardCache) else None
    return Background(index_in_worker, shards, out.target, language, previous, helper=helper)


IndexResult = tuple[SearchIndex, ShardCache, list[str]]
"""What ``index_in_worker`` returns: the summary, what the page cache keeps, the files written."""


def index_in_worker(shards: Sequence[Shard], target: Path, language: str, previous: ShardCache | None) -> IndexResult:
    """``index_shards`` for the build whose output is ``target``, run in a helper process
    (``parallel.Background``) while the build writes its other pages; the build records the files."""
    out = Output(target, worker=True)
    index, next_cache = index_shards(shards, out, language, previous)
    return index, next_cache, out.files


def _shard_digest(
    shard: Shard,
    out: Output,
    language: str,
    known: dict[str, tuple[int, int, bytes]],
    pages: dict[str, tuple[int, int, bytes]],
) -> bytes:
    """A digest of what Pagefind reads from ``shard``'s pages; each page's own digest is recorded in ``pages``."""
    digest = hashlib.blake2b(f"{language}\0{EXCLUDE_SELECTORS!r}".encode(), digest_size=16)
    base = os.path.join(out.staging, "")
    for page in shard.pages:
        file = base + page
        stat = os.stat(file)
        entry = known.get(page)
        if entry is None or entry[0] != stat.st_size or entry[1] != stat.st_mtime_ns:
            with open(file, "rb") as handle:
                view = hashlib.blake2b(indexed_part(handle.read()), digest_size=16).digest()
            entry = (stat.st_size, stat.st_mtime_ns, view)
        pages[page] = entry
        digest.update(b"\0%s\0%s" % (page.encode(), entry[2]))
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


def _words_index(
    shards: Sequence[Shard],
    fresh: dict[str, list[str]],
    cache: ShardCache,
    published: tuple[bytes, int, int] | None,
    out: Output,
    language: str,
) -> tuple[bytes, int, int]:
    """Link the published words index when its ``shards`` (names and digests: every shard but the newest) are this
    build's, else index it again (``words.py``) with the words of ``fresh`` (shard folder -> words, for the shards
    indexed in this build), of the published words index, or read from a shard's folder; return what the cache
    keeps."""
    named = [(shard.name, cache.shards[shard.folder][0]) for shard in shards]
    key = words_key(named)
    if published is not None and published[0] == key and out.link_folder(WORDS_DIR, WORDS_DIR):
        return published
    known = published_words(out.target / WORDS_DIR) if len(fresh) < len(shards) else {}
    pages = []
    for shard, (name, digest) in zip(shards, named, strict=True):
        words = fresh.get(shard.folder) or known.get(digest.hex()) or shard_words(out.staging / shard.folder)
        pages.append((name, digest, words))
    result = _counted(write_words(pages, out, language), len(pages), 0.0, data_only=True)
    return key, result.files, result.bytes


def _reuse(out: Output, source: str, shard: Shard, result: SearchIndex) -> SearchIndex | None:
    """Link the published index folder ``source``, indexed from the very pages of ``shard``, as ``shard``'s
    folder; its result then, or None when it cannot serve: the primary folder needs Pagefind's scripts, which only
    the published primary has. The published primary serves a merged shard with its data files alone (when the
    newest shard of a month run grows into an older one)."""
    primary, was_primary = shard.folder == INDEX_DIR, source == INDEX_DIR
    if primary and not was_primary:
        return None
    exclude = {Path(MANIFEST).name}
    if was_primary and not primary:
        with contextlib.suppress(OSError):
            exclude.update(name for name in os.listdir(out.target / source) if not is_data(name))
    if not out.link_folder(source, shard.folder, exclude=exclude):
        return None
    if was_primary == primary:
        return result
    # what an older build left there (link_folder keeps what it excludes)
    return _counted(out.staging / shard.folder, result.pages, result.seconds, data_only=True)


def _index_all(
    shards: Sequence[Shard],
    out: Output,
    language: str,
    then: Callable[[Shard], bytes] | None = None,
    *,
    words_of: frozenset[str] = frozenset(),
) -> list[tuple[SearchIndex, bytes, list[str]]]:
    """Index ``shards`` with at most ``PROCESSES`` Pagefind runs at once and ``PARALLEL_PAGES`` pages in flight,
    the largest first (so that the small ones fill in at the end); ``then(shard)``, run in the same thread after a
    shard is indexed, gives the second item of its result; the third is the shard's words (``words.shard_words``)
    when its folder is in ``words_of``, else empty."""
    lock = threading.Condition()
    in_flight = 0

    def index(shard: Shard) -> tuple[SearchIndex, bytes, list[str]]:
        nonlocal in_flight
        need = min(len(shard.pages), PARALLEL_PAGES)
        with lock:
            lock.wait_for(lambda: in_flight + need <= PARALLEL_PAGES)
            in_flight += need
        try:
            result = index_shard(shard, out, language, primary=shard.folder == INDEX_DIR)
        finally:
            with lock:
                in_flight -= need
                lock.notify_all()
        found = shard_words(out.staging / shard.folder) if shard.folder in words_of else []
        return result, then(shard) if then is not None else b"", found

    for shard in shards:  # here, not in the threads: Output is not thread-safe
        out.reuse_folder(shard.folder, lambda rel: rel.startswith(REUSED))
    order = sorted(range(len(shards)), key=lambda number: -len(shards[number].pages))
    if len(shards) < 2:
        indexed = [index(shard) for shard in shards]
    else:
        with ThreadPoolExecutor(PROCESSES) as pool:
            indexed = list(pool.map(index, [shards[number] for number in order]))
    results = dict(zip(order, indexed, strict=True))
    return [results[number] for number in range(len(shards))]


def index_shard(shard: Shard, out: Output, language: str, *, primary: bool) -> SearchIndex:
    """Index ``shard``'s pages into ``<staging>/<folder>/`` (``Output.reuse_folder``: it holds at most the data
    files Pagefind may reuse), read from the staging folder. Pages no glob can name are read through a folder of
    hard links to them instead."""
    folder = out.staging / shard.folder
    glob = page_glob(shard.pages)
    if glob is not None:
        pages, seconds = write_search_index(out.staging, glob, language, output=folder)
    else:
        # Named like Output's trash folders, so the next build deletes it if this one is killed.
        links = Path(tempfile.mkdtemp(prefix=f"{out.staging.name}.trash.search-", dir=out.staging.parent))
        try:
            for page in shard.pages:
                (links / page).parent.mkdir(parents=True)
                os.link(out.staging / page, links / page)
            pages, seconds = write_search_index(links, PAPER_GLOB, language, output=folder)
        except OSError as exc:
            raise SearchIndexError(f"cannot prepare the pages of search shard {shard.name}: {exc}") from exc
        finally:
            shutil.rmtree(links, ignore_errors=True)
    out.complete(shard.folder)
    return _counted(folder, pages, seconds, data_only=not primary)


def _counted(folder: Path, pages: int, seconds: float, *, data_only: bool) -> SearchIndex:
    """The result of the index ``folder`` (of ``pages`` pages, indexed in ``seconds``) with its files counted,
    once only Pagefind's data is left there when ``data_only`` (a merged shard's folder)."""
    for item in sorted(folder.iterdir()) if data_only else ():
        if not is_data(item.name):
            item.unlink()
    sizes = [entry.stat(follow_symlinks=False).st_size for _, entry in walk_files(folder)]
    return SearchIndex(pages, len(sizes), sum(sizes), seconds)
