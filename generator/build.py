"""The whole build, in order. This is the only place that knows the order of the stages."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import jinja2

from generator.archive import render_archive
from generator.config import load_config
from generator.content import duplicate_papers
from generator.feed_pages import render_feed_pages
from generator.feeds import write_feeds
from generator.model import Problem
from generator.output import Output
from generator.render import (
    Renderer,
    render_home,
    render_not_found,
    render_papers,
    render_search,
    render_topics,
    write_sitemap,
)
from generator.search import SearchIndex, SearchIndexError, index_site
from generator.site import Site, assemble, load_papers
from generator.theme import Theme, load_theme, template_problem


@dataclass(frozen=True, slots=True)
class BuildResult:
    ok: bool
    problems: tuple[Problem, ...]
    pages: int = 0
    papers: int = 0
    seconds: float = 0.0
    search: SearchIndex | None = None
    """What the search index step produced (pages, size, time), when the build got that far."""


def build(root: Path, *, base_url: str | None = None, strict: bool = False, out_dir: Path | None = None) -> BuildResult:
    """Gather and validate everything, then write ``site/`` through a staging folder and swap it in."""
    started = time.perf_counter()
    config, problems = load_config(root / "site.toml", base_url, display="site.toml")
    theme, found = load_theme(root, config.theme if config else "default")
    problems += found
    papers, found = load_papers(root / "content" / "papers")
    problems += found + duplicate_papers([(paper.path, paper.arxiv) for paper in papers])
    if config is None or theme is None or _failed(problems, strict):
        return BuildResult(False, tuple(problems))
    site, found = assemble(config, papers)
    problems += found + check_freshness(site)
    if _failed(problems, strict):
        return BuildResult(False, tuple(problems))

    out = Output(out_dir or root / "site")
    try:
        search = write_site(site, theme, out)
    except SearchIndexError as exc:
        out.discard()
        return BuildResult(False, (*problems, Problem("site/pagefind", 0, "error", str(exc))))
    except jinja2.TemplateError as exc:
        out.discard()
        return BuildResult(False, (*problems, template_problem(exc, root)))
    except BaseException:
        out.discard()
        raise
    out.publish()
    pages = sum(1 for f in out.files if f.endswith(".html"))
    return BuildResult(True, tuple(problems), pages, len(site.papers), time.perf_counter() - started, search)


def write_site(site: Site, theme: Theme, out: Output) -> SearchIndex:
    """Every output, in order; the search index comes last because it reads the pages."""
    renderer = Renderer(site, theme.environment(), out)
    render_home(renderer)
    render_papers(renderer)
    render_topics(renderer)
    render_not_found(renderer)
    render_search(renderer)
    render_feed_pages(renderer)
    render_archive(renderer)
    write_feeds(site, out)
    write_sitemap(site, out)
    copy_static(theme, out)
    return index_site(site, out)


def copy_static(theme: Theme, out: Output) -> None:
    """Theme static files, parents first so a child theme's files win."""
    for folder in theme.static_dirs():
        shutil.copytree(folder, out.staging / "static", dirs_exist_ok=True)


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
