"""The whole build, in order. This is the only place that knows the order of the stages."""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import jinja2

from generator.config import load_config
from generator.content.paper import duplicate_papers
from generator.feeds.sitemap import write_sitemap
from generator.feeds.write import write_feeds
from generator.incremental.cache import BuildCache
from generator.incremental.output import Output, recover
from generator.incremental.parallel import Background, Forked, Helper, collection_paused, frozen
from generator.incremental.stamp import Stamp, inputs_digest, site_digest, site_paths
from generator.model import Problem, SearchIndex
from generator.progress import Progress
from generator.render.archive import render_archive
from generator.render.feed_pages import render_feed_pages
from generator.render.pages import Renderer, render_home, render_not_found, render_papers, render_search, render_topics
from generator.render.queue import PageQueue, site_salt
from generator.render.theme import Theme, load_theme, template_problem
from generator.search.pagefind import SearchIndexError
from generator.search.shards import IndexResult, ShardCache, index_in_worker, plan_shards, shard_limits
from generator.site.assemble import Site, assemble, sort_key
from generator.site.load import load_papers
from generator.site.related import Lists
from generator.site.related_job import related_papers, with_related


@dataclass(frozen=True, slots=True)
class BuildResult:
    ok: bool
    problems: tuple[Problem, ...]
    pages: int = 0
    papers: int = 0
    seconds: float = 0.0
    search: SearchIndex | None = None
    """What the search index step produced (pages, size, time), when the build got that far."""
    up_to_date: bool = False
    """Nothing changed since the last build: ``site/`` was already this build's output (``generator/stamp.py``)."""


@frozen()  # what the build freezes below (gc.freeze) is thawed when it returns
def build(
    root: Path,
    *,
    base_url: str | None = None,
    strict: bool = False,
    out_dir: Path | None = None,
    use_cache: bool = True,
    search: bool = True,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Gather and validate everything, then write ``site/`` through a staging folder and swap it in.
    ``use_cache=False`` ignores every cache (a full build); ``jobs`` processes render pages (default: every core)."""
    started, progress = time.perf_counter(), progress or Progress()
    target = out_dir or root / "site"
    recover(target)  # a build killed mid-swap may have left no site/: put the previous one back first
    cache = BuildCache(root, enabled=use_cache)
    config, problems = load_config(root / "site.toml", base_url, display="site.toml")
    theme, found = load_theme(root, config.theme if config else "default")
    problems += found
    options = (base_url, strict, search, str(target.resolve()))
    inputs = inputs_digest(root, options, theme.folders()) if theme is not None else None
    if inputs is not None and (done := _unchanged(cache, inputs, target)) is not None:
        seconds = time.perf_counter() - started
        return BuildResult(True, done.problems, done.pages, done.papers, seconds, done.search, up_to_date=True)
    # The content and its cache, then the site, live to the end: no garbage collection need walk them (while they
    # are made, nor ever again: frozen)
    with progress.stage("content") as stage, collection_paused():
        papers, found = load_papers(root / "content" / "papers", cache.content)
        stage.count = len(papers)
    gc.freeze()
    problems += found + duplicate_papers([(paper.path, paper.arxiv) for paper in papers])
    if config is None or theme is None or _failed(problems, strict):
        return BuildResult(False, tuple(problems))
    # the related papers read titles and abstracts only: computed in another process from here on
    relating = related_papers(sorted(papers, key=sort_key, reverse=True), cache.related_state())  # site order
    try:
        with progress.stage("topics") as stage, collection_paused():
            site, found = assemble(config, papers, cache.content)
            stage.count = len(site.topics)
        gc.freeze()
        problems += found + check_freshness(site)
        if _failed(problems, strict):
            relating.cancel()
            return BuildResult(False, tuple(problems))
        out = Output(target)
        index = write_site(site, theme, out, cache, progress, search=search, jobs=jobs, relating=relating)
    except SearchIndexError as exc:  # site/ is untouched; the next build reconciles the staging folder
        return BuildResult(False, (*problems, Problem("site/pagefind", 0, "error", str(exc))))
    except jinja2.TemplateError as exc:
        return BuildResult(False, (*problems, template_problem(exc, root)))
    except BaseException:
        relating.cancel()
        raise
    cache.forget_pages()  # until the swap is done, the page cache and the stamp describe no site
    cache.forget(STAMP)
    with progress.stage("publish"):
        out.publish()
    cache.save_pages()
    pages = sum(1 for f in out.files if f.endswith(".html"))
    paths = site_paths(out.files)
    published = site_digest(target, paths)
    if inputs is not None and published is not None:
        cache.save(STAMP, Stamp(inputs, published, paths, tuple(problems), pages, len(site.papers), index))
    return BuildResult(True, tuple(problems), pages, len(site.papers), time.perf_counter() - started, index)


STAMP = "stamp"
"""The cache entry of the last build's ``Stamp``."""


def _unchanged(cache: BuildCache, inputs: bytes, target: Path) -> Stamp | None:
    """The last build's stamp when its inputs were ``inputs`` and ``target`` is still the site it published."""
    done = cache.read(STAMP)
    if isinstance(done, Stamp) and done.inputs == inputs and done.site == site_digest(target, done.paths):
        return done
    return None


def write_site(
    site: Site,
    theme: Theme,
    out: Output,
    cache: BuildCache | None = None,
    progress: Progress | None = None,
    *,
    search: bool = True,
    jobs: int | None = None,
    relating: Background[Lists] | Forked[Lists] | None = None,
) -> SearchIndex | None:
    """Every output, in order. Pages are queued by the ``render_*`` functions and rendered together (on every core)
    at ``flush``. Two slow steps run in other processes meanwhile: the related papers (which only paper pages show;
    ``relating``, when the caller started them) while the list pages are written, and the search index (which
    reads only paper pages) while the feeds are written and the content cache saved."""
    progress = progress or Progress(enabled=False)
    relating = relating or related_papers(site.papers, cache.related_state() if cache is not None else None)
    helper = Helper(*SEARCH_MODULES) if search else None  # starts now, to index the paper pages once written
    indexing: Background[IndexResult] | None = None
    try:
        env = theme.environment()
        queue = PageQueue(env, out, cache, site_salt(site, theme), jobs)
        if cache is not None:
            queue.fingerprint.learn(site.papers, cache.content)
        renderer = Renderer(site, env, out, queue)
        with progress.stage("list pages") as stage:
            render_home(renderer)
            render_topics(renderer)
            render_not_found(renderer)
            render_search(renderer)
            render_feed_pages(renderer)
            render_archive(renderer)
            renderer.flush()
            stage.count, stage.detail = queue.rendered + queue.reused, f"{queue.reused:,} unchanged"
        with progress.stage("related papers") as stage:
            site = renderer.site = with_related(site, relating)
            stage.count = len(site.related)
        with progress.stage("paper pages") as stage:
            done = queue.rendered + queue.reused, queue.reused
            render_papers(renderer)
            renderer.flush()
            stage.count = queue.rendered + queue.reused - done[0]
            stage.detail = f"{queue.reused - done[1]:,} unchanged"
        indexing = search_index(site, out, cache, helper) if helper is not None else None
        with progress.stage("feeds"):
            write_feeds(site, out)
            write_sitemap(site, out)
            copy_static(theme, out)
        if cache is not None:
            cache.save_content()  # and keep the related papers' new state
        if indexing is None:
            return None
        with progress.stage("search") as stage:
            index, kept, files = indexing.result()
            stage.count, stage.detail = index.pages, "unchanged" if index.seconds == 0 else f"{index.seconds:.2f}s"
    except BaseException:
        relating.cancel()
        if indexing is not None:
            indexing.cancel()
        if helper is not None:
            helper.cancel()
        raise
    out.files.extend(files)
    if cache is not None:
        cache.pages.search_result = kept
    return index


SEARCH_MODULES = ("generator.search.shards", "pagefind.service")
"""What the search index's process imports before it has its job."""


def search_index(site: Site, out: Output, cache: BuildCache | None, helper: Helper) -> Background[IndexResult]:
    """Start indexing the paper pages (written by now) in ``helper``: shard by shard (one index on a small site);
    a shard none of whose pages changed (in what Pagefind reads) is linked from the published site."""
    shards = plan_shards(site.papers, *shard_limits())
    old = cache.previous_pages.search_result if cache else None
    previous = old if isinstance(old, ShardCache) else None
    return Background(index_in_worker, shards, out.target, site.config.language, previous, helper=helper)


def copy_static(theme: Theme, out: Output) -> None:
    """Theme static files, parents first so a child theme's files win (through ``out``: never in place)."""
    files: dict[str, Path] = {}
    for folder in theme.static_dirs():
        for file in sorted(p for p in folder.rglob("*") if p.is_file()):
            files[(Path("static") / file.relative_to(folder)).as_posix()] = file
    for path, file in files.items():
        out.copy(file, path)


def check_freshness(site: Site) -> list[Problem]:
    """Warn when the newest listed day is older than ``freshness_days`` (feeds that go stale silently)."""
    days = [p.listed for p in site.papers if p.listed]
    if not days:
        return []
    newest = max(days)
    if site.now.date() - newest > timedelta(days=site.config.freshness_days):
        return [
            Problem(
                "content/papers",
                0,
                "warning",
                f"newest listed paper is from {newest}, more than "
                f"{site.config.freshness_days} days ago (freshness_days in site.toml); is the scrape running?",
            )
        ]
    return []


def _failed(problems: list[Problem], strict: bool) -> bool:
    return any(p.severity == "error" or strict for p in problems)
