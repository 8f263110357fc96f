"""HTML pages: one ``render_*`` function per page family, each writing through ``Output``."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import jinja2

from generator.desk.files import cite
from generator.incremental.output import Output
from generator.render.cards import Cards
from generator.render.filters import FILTERS, GLOBALS, source_links
from generator.render.pagination import paginate
from generator.render.search_lists import LISTS, search_lists
from generator.site.assemble import Site, Topic
from generator.text.markup import plain_text, render_markdown
from generator.urls import home_path, output_file, paper_path, topic_path

if TYPE_CHECKING:
    from generator.render.queue import PageQueue


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
            bibtex=functools.partial(cite, site),
        )
        env.filters["markdown"] = render_markdown
        env.filters["plain"] = plain_text
        # ``{{ 'feed.xml' | href }}``: the filter form of ``href()``; on a constant, Jinja computes it once, when it
        # compiles the template (a call of a global costs a lookup and checks on every page)
        env.filters["href"] = href
        env.filters.update(FILTERS)
        env.globals.update(GLOBALS)

    def page(self, template: str, path: str, **context: Any) -> None:
        """Render ``template`` to the file that serves ``path`` (or queue it; see ``generator/render/queue.py`` for what
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


def render_desk(r: Renderer) -> None:
    """The reader's desk pages: ``saved/`` and ``for-you/``. Their content lives in the reader's browser; the pages
    say what they are for and how to start, and ``static/desk/`` fills them in."""
    r.page("saved.html", "saved/", title="Saved papers")
    r.page("for_you.html", "for-you/", title="For you", recent_days=r.site.config.desk_recent_days)


def render_search(r: Renderer) -> None:
    """``search/``: the client-side search page (Pagefind, see generator/search/ and static/search.js), and the
    lists its searches without words read (``search/lists.json``, see ``render/search_lists.py``)."""
    r.out.write(LISTS, search_lists(r.site))
    years = sorted({p.date.year for p in r.site.papers if p.date}, reverse=True)
    topics = [t for t in r.site.topics if t.papers]
    r.page("search.html", "search/", title="Search", topics=topics, years=years)
