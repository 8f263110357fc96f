"""HTML pages: one ``render_*`` function per page family, each writing through ``Output``."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import TYPE_CHECKING, Any
from urllib.parse import quote_plus

import jinja2
from markupsafe import Markup

from generator.markup import plain_text, render_markdown
from generator.model import Paper
from generator.output import Output
from generator.paperpage import FILTERS, GLOBALS
from generator.parallel import run_jobs
from generator.site import Site, Topic
from generator.urls import home_path, output_file, paper_path, topic_path

if TYPE_CHECKING:
    from generator.pagejobs import PageQueue

PathFor = Callable[[int], str]
"""The path of a list's page by number: 0 is the first page, 1 the oldest of the older pages (see ``paginate``)."""


@dataclass(frozen=True, slots=True)
class Pager:
    """One page of a newest-first list, paginated by ``paginate``."""

    number: int
    """0 for the first page (the newest items); older pages count from the oldest end: 1 holds the oldest."""
    items: tuple[Paper, ...]
    """The page's items, newest first."""
    path: str
    newer_path: str | None
    """The page with the next newer items (``rel="prev"``); None on the first page."""
    older_path: str | None
    """The page with the next older items (``rel="next"``); None on the oldest page."""

    @property
    def first(self) -> bool:
        return self.number == 0

    @property
    def days(self) -> tuple[date, date] | None:
        """The earliest and latest day (published, else listed) of the page's items, when any has one."""
        found = [day for paper in self.items if (day := paper.published or paper.listed) is not None]
        return (min(found), max(found)) if found else None


def paginate(items: Sequence[Paper], per_page: int, path_for: PathFor) -> Iterator[Pager]:
    """Pages of a newest-first list whose older pages keep their items and address as newer items arrive.

    Older pages hold exactly ``per_page`` items each, counted from the oldest end and numbered from it (page 1
    holds the oldest); the first page (number 0) holds the rest, the newest: between ``per_page`` and
    ``2 * per_page - 1`` items, or all of them when there are fewer. Adding newer items changes only the first
    page, and every ``per_page`` additions a new older page appears (and the one before it gets a newer link).
    An empty list still gets its first page."""
    older = max(0, len(items) // per_page - 1)
    cut = len(items) - older * per_page
    yield Pager(0, tuple(items[:cut]), path_for(0), None, path_for(older) if older else None)
    for number in range(older, 0, -1):
        end = len(items) - (number - 1) * per_page
        newer = path_for(number + 1 if number < older else 0)
        yield Pager(
            number,
            tuple(items[end - per_page : end]),
            path_for(number),
            newer,
            path_for(number - 1) if number > 1 else None,
        )


def source_links(paper: Paper) -> list[tuple[str, str]]:
    """(label, URL) of where the paper lives: arXiv and HF when the id is known, else an arXiv title search."""
    if paper.arxiv:
        return [
            ("arXiv", f"https://arxiv.org/abs/{paper.arxiv}"),
            ("PDF", f"https://arxiv.org/pdf/{paper.arxiv}"),
            ("Hugging Face", f"https://huggingface.co/papers/{paper.arxiv}"),
        ]
    return [("Search arXiv", f"https://arxiv.org/search/?query={quote_plus(paper.title)}&searchtype=title")]


CARD_TEMPLATE = "partials/paper_card.html"


class Cards:
    """``paper_card(paper)`` in templates: a paper's card (``partials/paper_card.html``), rendered once per build
    and reused on every list page that shows the paper (home, topics, archive, digest). A card sees ``paper`` and
    the globals, never the page it is on: it is the same on every page."""

    def __init__(self, env: jinja2.Environment) -> None:
        self.env = env
        self.html: dict[str, tuple[Paper, Markup]] = {}

    def __call__(self, paper: Paper) -> Markup:
        found = self.html.get(paper.slug)
        if found is not None and found[0] is paper:
            return found[1]
        html = self.render(paper)
        self.html[paper.slug] = (paper, html)
        return html

    def render(self, paper: Paper) -> Markup:
        return Markup(self.env.get_template(CARD_TEMPLATE).render(paper=paper))

    def prepare(self, papers: Sequence[Paper], jobs: int | None = None) -> None:
        """Render the cards of ``papers`` not rendered yet, on every core (before list pages are rendered)."""
        todo = list({paper.slug: paper for paper in papers if paper.slug not in self.html}.values())
        if not todo:
            return
        self.env.get_template(CARD_TEMPLATE)  # compile once, before forking
        for paper, html in zip(todo, run_jobs(len(todo), lambda i: str(self.render(todo[i])), jobs=jobs), strict=True):
            self.html[paper.slug] = (paper, Markup(html))


class Renderer:
    """Renders templates for one site into one output."""

    def __init__(self, site: Site, env: jinja2.Environment, out: Output, queue: PageQueue | None = None) -> None:
        self.site = site
        self.out = out
        self.env = env
        self.queue = queue
        """When set (a build), ``page`` only queues the page; ``flush`` renders the queue on every core."""
        self.cards = Cards(env)
        if queue is not None:
            queue.cards = self.cards
        env.auto_reload = False  # templates do not change during a build: no stat per template per page
        names = site.topic_names
        href = functools.lru_cache(maxsize=None)(site.urls.href)  # the same few links on every page
        env.globals.update(
            site=site,
            config=site.config,
            href=href,
            absolute=site.urls.absolute,
            paper_path=paper_path,
            topic_path=topic_path,
            topic_names=names,
            source_links=source_links,
            markdown=render_markdown,
            plain_text=plain_text,
            paper_card=self.cards,
        )
        env.filters["markdown"] = render_markdown
        env.filters["plain"] = plain_text
        # ``{{ 'feed.xml' | href }}``: the filter form of ``href()``; on a constant, Jinja computes it once, when it
        # compiles the template (a call of a global costs a lookup and checks on every page)
        env.filters["href"] = href
        env.filters.update(FILTERS)
        env.globals.update(GLOBALS)

    def page(self, template: str, path: str, **context: Any) -> None:
        """Render ``template`` to the file that serves ``path`` (or queue it; see ``generator/pagejobs.py`` for what
        a page may depend on)."""
        if self.queue is not None:
            self.queue.add(template, path, context)
            return
        html = self.env.get_template(template).render(path=path, **context)
        self.out.write(output_file(path), html)

    def flush(self) -> None:
        """Render every queued page."""
        if self.queue is not None:
            self.queue.flush()


def render_home(r: Renderer) -> None:
    """The home page and its older pages. Only the first page gets the number of papers (``count``; None on the
    others), so that older pages stay unchanged as papers are added."""
    count = len(r.site.papers)
    for pager in paginate(r.site.papers, r.site.config.per_page, home_path):
        title = r.site.config.title if pager.first else f"{r.site.config.title}, page {pager.number}"
        r.page("index.html", pager.path, pager=pager, count=count if pager.first else None, title=title)


def render_papers(r: Renderer) -> None:
    papers = r.site.papers
    by_slug = {paper.slug: paper for paper in papers}
    for index, paper in enumerate(papers):
        newer = papers[index - 1] if index > 0 else None
        older = papers[index + 1] if index + 1 < len(papers) else None
        related = tuple(by_slug[slug] for slug in r.site.related.get(paper.slug, ()))
        r.page(
            "paper.html",
            paper_path(paper.slug),
            paper=paper,
            newer=newer,
            older=older,
            related=related,
            title=paper.title,
        )


def render_topics(r: Renderer) -> None:
    r.page("topics.html", "topics/", topics=r.site.topics, title="Topics")
    for topic in r.site.topics:
        render_topic(r, topic)


@dataclass(frozen=True, slots=True)
class TopicHead:
    """A topic as its list pages see it: without its papers, so that a page's context (and so the page cache's
    fingerprint) covers only the papers the page lists."""

    slug: str
    name: str
    description: str


def render_topic(r: Renderer, topic: Topic) -> None:
    """A topic's first page and its older pages; only the first gets the topic's size (``count``)."""

    def path_for(number: int) -> str:
        return topic_path(topic.slug, number)

    head = TopicHead(topic.slug, topic.name, topic.description)
    for pager in paginate(topic.papers, r.site.config.per_page, path_for):
        title = topic.name if pager.first else f"{topic.name}, page {pager.number}"
        count = len(topic.papers) if pager.first else None
        r.page("topic.html", pager.path, topic=head, pager=pager, count=count, title=title)


def render_not_found(r: Renderer) -> None:
    html = r.env.get_template("404.html").render(path="404.html", title="Page not found")
    r.out.write("404.html", html)


def render_search(r: Renderer) -> None:
    """``search/``: the client-side search page (Pagefind, see generator/search.py and static/search.js)."""
    years = sorted({p.date.year for p in r.site.papers if p.date}, reverse=True)
    topics = [t for t in r.site.topics if t.papers]
    r.page("search.html", "search/", title="Search", topics=topics, years=years)


def write_sitemap(site: Site, out: Output) -> None:
    """``sitemap.xml`` for every HTML page written so far (not 404), and ``robots.txt`` pointing at it."""
    lastmod = {output_file(paper_path(p.slug)): p.updated or p.listed for p in site.papers}
    rows = []
    for file in sorted(out.files):
        if not file.endswith("index.html"):
            continue
        url = site.urls.absolute(file[: -len("index.html")])
        day = lastmod.get(file)
        stamp = f"<lastmod>{day.isoformat()}</lastmod>" if day else ""
        rows.append(f"<url><loc>{escape(url, quote=False)}</loc>{stamp}</url>")
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + "\n".join(rows) + "\n</urlset>\n"
    )
    out.write("sitemap.xml", xml)
    out.write("robots.txt", f"User-agent: *\nAllow: /\n\nSitemap: {site.urls.absolute('sitemap.xml')}\n")
