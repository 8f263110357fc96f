"""Feeds subscribers can trust: RSS 2.0, Atom 1.0 and JSON Feed 1.1 for the whole site, each topic and the
daily digest, plus ``feeds.opml`` listing them all.

Every feed is first described by one ``Feed`` record (links, title, ``FeedItem`` entries), then written in each
format from that record, so the three formats always say the same thing. Output depends on content alone: every
date comes from the entries, never from the clock, so two builds of the same content give the same bytes.

Entry dates and the order of entries are ``feeds.times``'s: every entry of a feed has its own instant.

Each format gets its own ``FeedGenerator``: feedgen keeps RSS and Atom fields in one object and mixes them
otherwise. Every string passes through ``text.markup.clean_text`` (XML-forbidden characters removed, all other
Unicode kept) before it reaches feedgen; feedgen (lxml) escapes ``&``, ``<`` and ``]]>``. Entry HTML shows math as
its TeX source and holds only the characters ``xml.html_chars`` lets through; how RSS and Atom write plain
text is ``feeds.xml``'s.
"""

from __future__ import annotations

import heapq
import html
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import date, datetime
from itertools import islice
from typing import NamedTuple

from generator.feeds.model import EPOCH, FORMATS, SUMMARY_CHARS, Feed, FeedFormat, FeedItem
from generator.feeds.times import SECOND, Times, distinct_later, midnight, paper_times
from generator.feeds.xml import html_chars
from generator.model import Paper
from generator.site.assemble import Site
from generator.text.markup import plain_text, render_markdown_tex, strip_tags
from generator.text.mathml import plain_tex
from generator.urls import digest_path, home_path, paper_path, popular_path, topic_path


def paper_title(paper: Paper) -> str:
    """The title as plain text, LaTeX math as Unicode (``PanGu-$\\pi$`` -> ``PanGu-π``), else the slug."""
    return plain_text(plain_tex(paper.title)) or paper.slug


def abstract_summary(rendered: str) -> str:
    """Plain text of an abstract rendered from Markdown (markup removed, entities decoded), cut near
    ``SUMMARY_CHARS``."""
    return plain_text(html.unescape(strip_tags(rendered)), SUMMARY_CHARS)


def paper_item(site: Site, paper: Paper, times: Times) -> FeedItem:
    """A paper's entry. Its content is the abstract as HTML, math as TeX source (the W3C validator takes MathML
    for tags that are not HTML, and readers' sanitizers do not all keep it); its summary the content's text, or the
    title when that is empty."""
    url = site.urls.absolute(paper_path(paper.slug))
    names = site.topic_names
    content = html_chars(render_markdown_tex(paper.abstract))
    title = paper_title(paper)
    return FeedItem(
        id=url,
        title=title,
        link=url,
        summary=abstract_summary(content) or title,
        content_html=content,
        published=times.published,
        updated=times.updated,
        authors=tuple(name for name in (plain_text(a) for a in paper.authors) if name),
        categories=tuple((slug, plain_text(names.get(slug, slug))) for slug in paper.topics),
    )


def popular_papers(site: Site) -> tuple[Paper, ...]:
    """The papers that ever reached ``[feeds] popular_upvotes`` (their ``popular_since``, which ingest wrote), newest
    first by that day, then in site order, capped at ``feed_max_items``: the popular feed and its page."""
    chosen = [(paper.popular_since, index, paper) for index, paper in enumerate(site.papers) if paper.popular_since]
    newest = heapq.nsmallest(site.config.feed_max_items, chosen, key=lambda item: (-item[0].toordinal(), item[1]))
    return tuple(paper for _, _, paper in newest)


def popular_item(site: Site, paper: Paper, instant: datetime, times: Times) -> FeedItem:
    """A paper's entry in the popular feed: its usual entry, dated when it became popular."""
    return replace(paper_item(site, paper, times), published=instant, updated=instant)


def popular_instants(papers: tuple[Paper, ...]) -> list[datetime]:
    """Each popular paper's instant, in feed order: midnight of its ``popular_since`` minus one second per paper
    before it on that day, made strictly decreasing (``feeds.times``' rule)."""
    instants: list[datetime] = []
    for index, paper in enumerate(papers):
        day = paper.popular_since or date.min
        same_day = sum(1 for other in papers[:index] if other.popular_since == day)
        wanted = midnight(day) - same_day * SECOND
        instants.append(min(wanted, instants[-1] - SECOND) if instants else wanted)
    return instants


def listed_days(site: Site) -> list[tuple[date, tuple[Paper, ...]]]:
    """Every day papers were listed on, newest first, with that day's papers in site order."""
    days: dict[date, list[Paper]] = {}
    for paper in site.papers:
        if paper.listed:
            days.setdefault(paper.listed, []).append(paper)
    return [(day, tuple(days[day])) for day in sorted(days, reverse=True)]


def day_title(day: date, count: int) -> str:
    return f"{count} paper{'s' if count != 1 else ''} listed on {day.isoformat()}"


def day_item(site: Site, day: date, papers: tuple[Paper, ...], updated: datetime) -> FeedItem:
    """A digest entry: one listed day, linking each of its papers; ``updated`` from ``digest_updates``."""
    url = site.urls.absolute(digest_path(day))
    links = ((site.urls.absolute(paper_path(p.slug)), paper_title(p)) for p in papers)
    rows = "".join(f'<li><a href="{html.escape(href)}">{html.escape(title)}</a></li>\n' for href, title in links)
    return FeedItem(
        id=url,
        title=day_title(day, len(papers)),
        link=url,
        summary=plain_text("; ".join(paper_title(p) for p in papers), SUMMARY_CHARS),
        content_html=html_chars(f"<ul>\n{rows}</ul>\n"),
        published=midnight(day),
        updated=updated,
    )


def digest_updates(days: list[tuple[date, tuple[Paper, ...]]], times: dict[str, Times]) -> list[datetime]:
    """Each digest day's ``updated``: its newest paper's (midnight of the day if that is later), made distinct."""
    wanted = [max(midnight(day), *(times[p.slug].updated for p in papers)) for day, papers in days]
    return distinct_later(wanted)


def make_feed(
    site: Site, folder: str, title: str, description: str, page: str, items: Iterable[FeedItem], empty: datetime
) -> Feed:
    """A feed of the first ``feed_max_items`` of ``items`` (only those are built when ``items`` is lazy), dated
    ``empty`` when it has none."""
    cap = tuple(islice(items, site.config.feed_max_items))
    newest = max((item.updated for item in cap), default=None) or empty
    return Feed(folder, plain_text(title), plain_text(description) or plain_text(title), page, cap, newest)


def site_updated(times: dict[str, Times]) -> datetime:
    """Date of a feed with no entries: the newest ``updated`` on the site (``EPOCH`` for an empty site), so it still
    depends on content only."""
    return max((t.updated for t in times.values()), default=EPOCH)


def paper_feed(
    site: Site,
    folder: str,
    title: str,
    description: str,
    papers: Iterable[Paper],
    times: dict[str, Times],
    items: dict[str, FeedItem],
    empty: datetime,
) -> Feed:
    """Papers newest first (by ``Times.position``); the feed mirrors the page at ``folder``. ``items`` keeps each
    paper's entry (by slug) for the next feed it is in: the entry of a paper is the same in every feed. ``empty``
    dates the feed when it has no papers (``site_updated``)."""
    # the newest (sorted(...)[:n], without sorting them all)
    ordered = heapq.nsmallest(site.config.feed_max_items, papers, key=lambda p: times[p.slug].position)
    for paper in ordered:
        if paper.slug not in items:
            items[paper.slug] = paper_item(site, paper, times[paper.slug])
    items_in_order = (items[p.slug] for p in ordered)
    return make_feed(site, folder, title, description, folder, items_in_order, empty)


_last_feeds: list[tuple[tuple[object, ...], tuple[Feed, ...]]] = []
"""The feeds of the last site asked for (by what they read of it: not its related papers, which the site gains
between the /feeds/ page and the feed files of one build, so both share them)."""


def site_feeds(site: Site) -> tuple[Feed, ...]:
    """The site feed, the digest feed, the popular feed and one feed per topic (empty topics included), in that
    order."""
    key = (site.config, site.urls, site.papers, site.topics, site.now)
    if _last_feeds and all(a is b for a, b in zip(_last_feeds[0][0], key, strict=True)):
        return _last_feeds[0][1]
    feeds = _site_feeds(site)
    _last_feeds[:] = [(key, feeds)]
    return feeds


def _site_feeds(site: Site) -> tuple[Feed, ...]:
    title = site.config.title
    days = listed_days(site)
    times = paper_times(site.papers)
    updates = digest_updates(days, times)
    empty = site_updated(times)  # the date of any feed without entries
    items: dict[str, FeedItem] = {}
    description = site.config.description or f"Latest papers on {title}"
    feeds = [
        paper_feed(site, home_path(), title, description, site.papers, times, items, empty),
        make_feed(
            site,
            digest_path(),
            f"{title}: daily digest",
            "One entry per day, listing the papers added that day.",
            digest_path(),
            (day_item(site, day, papers, update) for (day, papers), update in zip(days, updates, strict=True)),
            empty,
        ),
    ]
    popular = popular_papers(site)
    votes = site.config.popular_upvotes
    feeds.append(
        make_feed(
            site,
            popular_path(),
            f"{title}: popular",
            f"Papers that reached {votes} upvotes on Hugging Face, dated the day they did.",
            popular_path(),
            (
                popular_item(site, paper, instant, times[paper.slug])
                for paper, instant in zip(popular, popular_instants(popular), strict=True)
            ),
            empty,
        )
    )
    for topic in site.topics:
        description = topic.description or f"Papers on {topic.name}"
        path, name = topic_path(topic.slug), f"{title}: {topic.name}"
        feeds.append(paper_feed(site, path, name, description, topic.papers, times, items, empty))
    return tuple(feeds)


class FeedURL(NamedTuple):
    """One format of a feed, as the /feeds/ page links it."""

    format: FeedFormat
    """RSS, Atom or JSON Feed (``format.label``, ``format.media_type``)."""
    url: str
    """The feed file's absolute URL."""


class FeedLinks(NamedTuple):
    """One feed on the /feeds/ page: the feed and its URL in every format."""

    feed: Feed
    """The feed (``feed.title``, ``feed.page``, ``feed.items``)."""
    links: tuple[FeedURL, ...]
    """One per format, in the order of ``FORMATS``."""


def feed_links(site: Site) -> Iterator[FeedLinks]:
    """Each feed with its absolute URL per format, for the /feeds/ page."""
    for feed in site_feeds(site):
        yield FeedLinks(feed, tuple(FeedURL(fmt, site.urls.absolute(feed.path(fmt))) for fmt in FORMATS))
