"""The whole build, in order. This is the only place that knows the order of the stages.

``build`` reads as the table of contents: gather and check everything (config, theme, content, topics), then
write every output into the staging folder, then swap it in for ``site/``. Two slow steps run in other processes
meanwhile (the related papers, from the moment the content is read; the search index, once the paper pages are
written); every such job is registered with one ``ExitStack``, so a build that stops early, fails or is
interrupted never leaves one running.
"""

from __future__ import annotations

import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import jinja2

from generator.config import load_config
from generator.content.paper import duplicate_papers
from generator.content.scrape_log import SCRAPE_LOG
from generator.desk.files import write_desk
from generator.desk.vectors import Vectors
from generator.desk.vectors_job import start_vectors
from generator.feeds.sitemap import write_sitemap
from generator.feeds.write import write_feeds
from generator.incremental.cache import BuildCache
from generator.incremental.memory import frozen, lasting
from generator.incremental.output import Output, recover
from generator.incremental.parallel import Background, Forked, Helper
from generator.incremental.stamp import Stamp, inputs_digest, last_stamp, save_stamp
from generator.model import Problem, SearchIndex
from generator.progress import Progress
from generator.render.archive import render_archive
from generator.render.feed_pages import render_feed_pages
from generator.render.pages import (
    Renderer,
    render_desk,
    render_home,
    render_not_found,
    render_papers,
    render_search,
    render_topics,
)
from generator.render.queue import PageQueue, site_salt
from generator.render.status import render_status
from generator.render.theme import Theme, copy_static, load_theme, template_problem
from generator.search.pagefind import INDEX_DIR, SearchIndexError
from generator.search.shards import SEARCH_MODULES, start_indexing
from generator.site.assemble import Site, assemble, check_freshness, sort_key
from generator.site.load import load_papers
from generator.site.related import Lists
from generator.site.related_job import related_papers, with_related
from generator.site.status import History, load_history


@dataclass(frozen=True, slots=True)
class BuildResult:
    """What a build did, for the command line's summary."""

    ok: bool
    """The site was written (or was already up to date); false when any error (or, with ``strict``, warning)."""
    problems: tuple[Problem, ...]
    pages: int = 0
    """HTML pages in the published site."""
    papers: int = 0
    seconds: float = 0.0
    search: SearchIndex | None = None
    """What the search index step produced (pages, size, time), when the build got that far."""
    up_to_date: bool = False
    """Nothing changed since the last build: ``site/`` was already this build's output (``incremental/stamp.py``)."""

    @classmethod
    def unchanged(cls, stamp: Stamp, seconds: float) -> BuildResult:
        """The result of a build that found ``site/`` up to date: what the stamped build reported."""
        return cls(True, stamp.problems, stamp.pages, stamp.papers, seconds, stamp.search, up_to_date=True)


@dataclass(frozen=True, slots=True)
class Started:
    """The slow jobs started as soon as the content is read, each in another process, taken when needed."""

    related: Background[Lists] | Forked[Lists]
    """The related papers (paper pages show them)."""
    vectors: Background[Vectors] | Forked[Vectors]
    """The desk's vectors (``desk.json`` and ``desk/recent.bin`` hold them)."""


@frozen()  # what the build freezes below (``lasting``) is thawed when it returns
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
    progress.start()
    target = out_dir or root / "site"
    recover(target)  # a build killed mid-swap may have left no site/: put the previous one back first
    cache = BuildCache(root, enabled=use_cache)
    config, problems = load_config(root / "site.toml", base_url, display="site.toml")
    theme, theme_problems = load_theme(root, config.theme if config else "default")
    problems += theme_problems
    options = (base_url, strict, search, str(target.resolve()))
    read_too = (root / SCRAPE_LOG, root / "content" / "listings")  # what the status page reads besides the papers
    inputs = inputs_digest(root, options, theme.folders(), read_too) if theme is not None else None
    stamp, site_changed = last_stamp(cache, inputs, target)
    if stamp is not None:
        return BuildResult.unchanged(stamp, time.perf_counter() - started)

    with progress.stage("content") as stage, lasting():
        papers, content_problems = load_papers(root / "content" / "papers", cache.content)
        stage.count = len(papers)
        history, history_problems = load_history(root)  # the scrape log, for the status page
    problems += content_problems + history_problems + duplicate_papers([(paper.path, paper.arxiv) for paper in papers])
    if config is None or theme is None or _failed(problems, strict):
        return BuildResult(False, tuple(problems))

    with ExitStack() as background:  # every job still running when this block ends is stopped
        # the related papers read titles and abstracts only: computed in another process from here on
        in_order = sorted(papers, key=sort_key, reverse=True)  # site order
        relating = related_papers(in_order, cache.related_state())
        background.callback(relating.cancel)
        # the desk's vectors read the same text: another process too, taken when the desk files are written
        vectoring = start_vectors(in_order, cache.desk_state())
        background.callback(vectoring.cancel)
        with progress.stage("topics") as stage, lasting():
            site, topic_problems = assemble(config, papers, cache.content)
            stage.count = len(site.topics)
        problems += topic_problems + check_freshness(site)
        if _failed(problems, strict):
            return BuildResult(False, tuple(problems))
        # the files the last two builds left alone are trusted (journal.py), unless site/ changed meanwhile
        out = Output(target, trust=use_cache and not site_changed, untrusted=(INDEX_DIR,))
        try:
            started_jobs = Started(relating, vectoring)
            index = write_site(
                site, theme, out, cache, progress, background, started_jobs, search=search, jobs=jobs, history=history
            )
        except SearchIndexError as exc:  # site/ is untouched; the next build reconciles the staging folder
            return BuildResult(False, (*problems, Problem("site/pagefind", 0, "error", str(exc))))
        except jinja2.TemplateError as exc:
            return BuildResult(False, (*problems, template_problem(exc, root)))

    with progress.stage("publish"), cache.replacing_site():
        out.publish()
    pages = sum(1 for file in out.files if file.endswith(".html"))
    save_stamp(
        cache,
        inputs,
        target,
        out.files,
        problems=tuple(problems),
        pages=pages,
        papers=len(site.papers),
        search=index,
        may_differ=out.may_differ(),
    )
    return BuildResult(True, tuple(problems), pages, len(site.papers), time.perf_counter() - started, index)


def write_site(
    site: Site,
    theme: Theme,
    out: Output,
    cache: BuildCache,
    progress: Progress,
    background: ExitStack,
    started: Started,
    *,
    search: bool = True,
    jobs: int | None = None,
    history: History | None = None,
) -> SearchIndex | None:
    """Every output, in order. Pages are queued by the ``render_*`` functions and rendered together (on every core)
    at ``flush``. The related papers (which only paper pages show) are taken after the list pages; the search index
    (which reads only paper pages) is built while the feeds are written and the content cache saved. The jobs
    started here are registered with ``background``."""
    helper = Helper(*SEARCH_MODULES) if search else None  # starts now, to index the paper pages once written
    if helper is not None:
        background.callback(helper.cancel)
    env = theme.environment()
    queue = PageQueue(env, out, cache, site_salt(site, theme), jobs)
    queue.fingerprint.learn(site.papers, cache.content)
    renderer = Renderer(site, env, out, queue)
    with progress.stage("list pages") as stage:
        lists = (render_home, render_topics, render_not_found, render_search, render_feed_pages, render_archive)
        for render in (*lists, render_desk):
            render(renderer)
        render_status(renderer, history or History())  # None: no scrape log read (bench, tests)
        renderer.flush()
        stage.count, stage.detail = queue.rendered + queue.reused, f"{queue.reused:,} unchanged"
    with progress.stage("related papers") as stage:
        site = renderer.site = with_related(site, started.related)
        stage.count = len(site.related)
    with progress.stage("paper pages") as stage:
        rendered, reused = queue.rendered, queue.reused
        render_papers(renderer)
        renderer.flush()
        stage.count = queue.rendered - rendered + queue.reused - reused
        stage.detail = f"{queue.reused - reused:,} unchanged"
    indexing = start_indexing(site.papers, out, site.config.language, cache.previous_pages, helper) if helper else None
    if indexing is not None:
        background.callback(indexing.cancel)
    with progress.stage("feeds"):
        write_feeds(site, out)
        write_sitemap(site, out)
        copy_static(theme, out)
    with progress.stage("desk files") as stage:
        written = write_desk(site, out, started.vectors.result(), queue.fingerprint, cache.pages, cache.previous_pages)
        stage.count, stage.detail = len(site.papers), f"{len(site.papers) - written:,} unchanged"
    cache.save_content()  # and keep the related papers' new state
    if indexing is None:
        return None
    with progress.stage("search") as stage:
        index, shards, files = indexing.result()
        stage.count, stage.detail = index.pages, "unchanged" if index.seconds == 0 else f"{index.seconds:.2f}s"
    out.files.extend(files)
    cache.pages.search_result = shards
    return index


def _failed(problems: list[Problem], strict: bool) -> bool:
    return any(p.severity == "error" or strict for p in problems)
