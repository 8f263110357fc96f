"""RSS 2.0 and Atom 1.0, written with feedgen from a ``Feed`` record."""

from __future__ import annotations

import html

from feedgen.feed import FeedGenerator

from generator.feeds.model import FORMATS, GENERATOR, Feed, FeedFormat
from generator.site.assemble import Site
from generator.text.markup import plain_text


def language(site: Site) -> str:
    """``config.language`` as an IETF tag (``en_US`` -> ``en-US``), as RSS and Atom's ``xml:lang`` expect."""
    return plain_text(site.config.language).replace("_", "-") or "en"


def _generator(site: Site, feed: Feed, fmt: FeedFormat) -> FeedGenerator:
    """Feed-level fields shared by RSS and Atom. The self link goes first: feedgen uses the last link as the
    RSS channel link, which must be the HTML page."""
    fg = FeedGenerator()
    fg.id(site.urls.absolute(feed.path(fmt)))
    fg.title(feed.title)
    fg.subtitle(feed.description)
    fg.link(href=site.urls.absolute(feed.path(fmt)), rel="self", type=fmt.media_type)
    fg.link(href=site.urls.absolute(feed.page), rel="alternate", type="text/html")
    fg.language(language(site))
    fg.generator(GENERATOR)
    fg.updated(feed.updated)
    fg.lastBuildDate(feed.updated)
    return fg


def _category_scheme(site: Site) -> str:
    return site.urls.absolute("topics/")


def rss_feed(site: Site, feed: Feed) -> bytes:
    """RSS 2.0 with ``content:encoded`` for the HTML and ``dc:creator`` for authors (RSS ``author`` must be an
    email address, which papers do not have)."""
    fg = _generator(site, feed, FORMATS[0])
    # The channel description is read as HTML too (Atom's subtitle stays type="text", unescaped).
    fg.description(html.escape(feed.description, quote=False))
    fg.load_extension("dc", atom=False, rss=True)
    for item in feed.items:
        fe = fg.add_entry(order="append")
        fe.guid(item.id, permalink=True)
        fe.title(item.title)
        fe.link(href=item.link)
        # RSS readers treat description as HTML: escape the plain text so "<script>" stays text.
        fe.description(html.escape(item.summary, quote=False))
        fe.content(item.content_html)
        fe.pubDate(item.published)
        for term, label in item.categories:
            fe.category(term=term, label=label, scheme=_category_scheme(site))
        for name in item.authors:
            fe.dc.dc_creator(name)
    return bytes(fg.rss_str(pretty=True))


def atom_feed(site: Site, feed: Feed) -> bytes:
    """Atom 1.0 (RFC 4287). The feed-level author is the site, so entries without authors stay valid."""
    fg = _generator(site, feed, FORMATS[1])
    fg.author({"name": plain_text(site.config.title) or GENERATOR, "uri": site.urls.absolute()})
    for item in feed.items:
        fe = fg.add_entry(order="append")
        fe.id(item.id)
        fe.title(item.title)
        fe.link(href=item.link, rel="alternate", type="text/html")
        fe.summary(item.summary)
        fe.content(item.content_html, type="html")
        fe.published(item.published)
        fe.updated(item.updated)
        for term, label in item.categories:
            fe.category(term=term, label=label, scheme=_category_scheme(site))
        for name in item.authors:
            fe.author({"name": name})
    return bytes(fg.atom_str(pretty=True))
