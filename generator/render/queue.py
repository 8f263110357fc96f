"""The page queue: ``Renderer.page`` calls become jobs, rendered together at ``flush`` on every core, and skipped
when nothing that goes into a page changed since the published site was built.

A page's fingerprint covers its template name, its path, its context (every value passed to ``Renderer.page``)
and a salt: papersite's code, the theme's files, the config, and the site summary templates may read from the
``site`` global (the number of papers, each topic's slug, name, description and size). A template must not read
anything else from ``site``: what a page shows beyond that summary is passed in its context, so that a change
reaches exactly the pages it should. ``tests/test_incremental.py`` checks incremental builds against clean ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jinja2
import jinja2.meta
import jinja2.nodes

from generator.incremental.cache import BuildCache, code_fingerprint, folder_fingerprint
from generator.incremental.fingerprint import Fingerprint
from generator.incremental.output import Output
from generator.incremental.parallel import run_jobs
from generator.model import Paper
from generator.render.cards import CARD_TEMPLATE, Cards
from generator.render.pagination import Pager
from generator.render.theme import Theme
from generator.site.assemble import Site
from generator.urls import output_file


@dataclass(frozen=True, slots=True)
class PageJob:
    template: str
    path: str
    """The page's site path (``papers/x/``); the file is ``output_file(path)``."""
    context: dict[str, Any]


def site_salt(site: Site, theme: Theme) -> tuple[str, str]:
    """What every page may depend on besides its own context, and the site summary that only pages whose
    templates read the ``site`` global depend on (see the module docstring)."""
    folders = theme.folders()
    names = [(t.slug, t.name, t.description) for t in site.topics]
    summary = [len(t.papers) for t in site.topics]
    return (
        f"{code_fingerprint()} {folder_fingerprint(folders)} {site.config!r} {names!r}",
        f"{summary} {len(site.papers)}",
    )


def reads_site(env: jinja2.Environment, name: str) -> bool:
    """Whether template ``name``, or a template it extends or includes, reads the ``site`` global."""
    return reads_name(env, name, "site")


def reads_name(env: jinja2.Environment, name: str, variable: str, seen: set[str] | None = None) -> bool:
    """Whether template ``name``, or a template it extends or includes (or renders through ``paper_card``), reads
    the variable ``variable``."""
    seen = seen if seen is not None else set()
    if name in seen:
        return False
    seen.add(name)
    loaded, refs = _names(env, name)
    if variable in loaded:
        return True
    # a template named by an expression cannot be followed: assume it reads the variable
    return any(ref is None or reads_name(env, ref, variable, seen) for ref in refs)


def _names(env: jinja2.Environment, name: str) -> tuple[frozenset[str], tuple[str | None, ...]]:
    """The variables template ``name`` reads and the templates it extends or includes (``paper_card``'s
    included), parsed once per environment (a base template is asked about by every page template)."""
    known: dict[str, tuple[frozenset[str], tuple[str | None, ...]]] = env.__dict__.setdefault("_papersite_names", {})
    if name not in known:
        assert env.loader is not None
        source, _, _ = env.loader.get_source(env, name)
        tree = env.parse(source)
        loaded = frozenset(node.name for node in tree.find_all(jinja2.nodes.Name) if node.ctx == "load")
        refs = tuple(jinja2.meta.find_referenced_templates(tree))
        known[name] = (loaded, (*refs, CARD_TEMPLATE) if "paper_card" in loaded else refs)
    return known[name]


def listed_papers(context: dict[str, Any]) -> list[Paper]:
    """The papers a page's context lists (``pager.items``, tuples of papers), whose cards the page may show."""
    papers: list[Paper] = []
    for value in context.values():
        if isinstance(value, Pager):
            value = value.items
        if isinstance(value, Paper):
            papers.append(value)
        elif isinstance(value, (tuple, list)):
            papers += (item for item in value if isinstance(item, Paper))
    return papers


class PageQueue:
    """Jobs collected from ``Renderer.page``; ``flush`` renders or reuses them all."""

    def __init__(
        self,
        env: jinja2.Environment,
        out: Output,
        cache: BuildCache | None,
        salt: tuple[str, str],
        jobs: int | None = None,
    ) -> None:
        self.env = env
        self.out = out
        self.cache = cache
        self.fingerprint = Fingerprint(salt[0])
        self.summary = salt[1]
        self._reads_site: dict[str, bool] = {}
        self._shows_cards: dict[str, bool] = {}
        self.cards: Cards | None = None
        """Set by ``Renderer``: the cards of the papers a page lists (list pages, and paper pages, which carry their
        paper's card for search) are rendered (in parallel) before the pages themselves."""
        self.workers = jobs
        self.jobs: list[PageJob] = []
        self.rendered = 0
        self.reused = 0

    def add(self, template: str, path: str, context: dict[str, Any]) -> None:
        self.jobs.append(PageJob(template, path, context))

    def flush(self) -> None:
        """Reuse every page whose fingerprint is unchanged, render the rest, record them all, on every core.
        Each page is checked (fingerprinted, and linked from the published site when unchanged) where it would be
        rendered; only pages that show paper cards are all checked first, so that just the cards of the pages to
        render are rendered (``Cards.prepare``)."""
        jobs, self.jobs = self.jobs, []
        files = [output_file(job.path) for job in jobs]
        templates = sorted({job.template for job in jobs})
        salts = {name: self._salt(name) for name in templates}  # before forking
        previous = self.cache.previous_pages.pages if self.cache else {}

        def fingerprint(index: int) -> bytes:
            if self.cache is None:
                return b""
            job = jobs[index]
            return self.fingerprint.of(job.template, job.path, job.context, salts[job.template])

        def check(index: int) -> tuple[bytes, bool]:
            """The page's fingerprint, and whether its file was linked from the published site."""
            print_, old = fingerprint(index), previous.get(files[index])
            return print_, old is not None and old[0] == print_ and self.out.link(files[index], old[1], old[2])

        def reuse(index: int, print_: bytes) -> None:
            old = previous[files[index]]
            self.out.files.append(files[index])
            self.out.note(files[index], written=False)  # (checked in a worker: its Output is not this one)
            self._record(files[index], print_, old[1], old[2])
            self.reused += 1

        prints: list[bytes | None] = [None] * len(jobs)
        todo = list(range(len(jobs)))
        shown = self.cards is not None and any(self._cards(name) for name in templates)
        cards = self.cards if shown else None  # the cards these pages show, rendered before them
        if previous and cards is not None:
            todo = []
            for index, (print_, linked) in enumerate(run_jobs(len(jobs), check, jobs=self.workers)):
                prints[index] = print_
                if linked:
                    reuse(index, print_)
                else:
                    todo.append(index)
        for name in sorted({jobs[index].template for index in todo}):
            self.env.get_template(name)  # compile once, before forking
        if cards is not None:
            listed = [listed_papers(jobs[index].context) for index in todo if self._cards(jobs[index].template)]
            cards.prepare([paper for papers in listed for paper in papers], self.workers)

        def render(number: int) -> tuple[bytes, int, int, bool] | bytes:
            """The page's fingerprint, its file's size and mtime, and whether the file was written anew (not the
            published one); only the fingerprint when it was linked."""
            index = todo[number]
            job = jobs[index]
            print_ = prints[index]
            if print_ is None and previous:
                print_, linked = check(index)
                if linked:
                    return print_
            html = self.env.get_template(job.template).render(path=job.path, **job.context)
            size, mtime = self.out.put(files[index], html)
            return (fingerprint(index) if print_ is None else print_, size, mtime, files[index] in self.out.changed)

        for index, result in zip(todo, run_jobs(len(todo), render, jobs=self.workers), strict=True):
            if isinstance(result, bytes):
                reuse(index, result)
                continue
            print_, size, mtime, written = result
            self.out.files.append(files[index])
            self.out.note(files[index], written=written)
            self._record(files[index], print_, size, mtime)
            self.rendered += 1

    def _cards(self, template: str) -> bool:
        shows = self._shows_cards.get(template)
        if shows is None:
            shows = self._shows_cards[template] = reads_name(self.env, template, "paper_card")
        return shows

    def _salt(self, template: str) -> str:
        reads = self._reads_site.get(template)
        if reads is None:
            reads = self._reads_site[template] = reads_site(self.env, template)
        return self.summary if reads else ""

    def _record(self, file: str, fingerprint: bytes, size: int, mtime: int) -> None:
        if self.cache is not None:
            self.cache.pages.pages[file] = (fingerprint, size, mtime)
