"""The pages that go with the feeds: ``feeds/`` (every feed and its URLs), the daily digest (``digest/`` lists
the days, ``digest/YYYY-MM-DD/`` one day's papers, the page each digest feed entry links to) and ``popular/`` (the
papers of the popular feed)."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from generator.feeds.entries import feed_links, listed_days, popular_papers
from generator.render.pages import Renderer
from generator.urls import digest_path, popular_path

DIGEST_TITLE = "Daily digest"


class DigestDay(NamedTuple):
    """One of the ``days`` of the digest index."""

    day: date
    """The day papers were listed on; its page is ``digest_path(day)``."""
    size: int
    """How many papers were listed that day. Not ``count``: that is a tuple's method."""


def render_feeds_page(r: Renderer) -> None:
    r.page(
        "feeds.html", "feeds/", feeds=tuple(feed_links(r.site)), opml=r.site.urls.absolute("feeds.opml"), title="Feeds"
    )


def render_digest(r: Renderer) -> None:
    """The digest index and one page per listed day, with links to the newer and older day. Only the index gets
    the list of days (``days``): a day page stays unchanged when other days are added."""
    days = listed_days(r.site)
    counts = tuple(DigestDay(day, len(papers)) for day, papers in days)
    r.page(
        "digest.html",
        digest_path(),
        day=None,
        papers=(),
        days=counts,
        newer=None,
        older=None,
        digest_path=digest_path,
        title=DIGEST_TITLE,
    )
    for index, (day, papers) in enumerate(days):
        newer = days[index - 1][0] if index > 0 else None
        older = days[index + 1][0] if index + 1 < len(days) else None
        r.page(
            "digest.html",
            digest_path(day),
            day=day,
            papers=papers,
            newer=newer,
            older=older,
            digest_path=digest_path,
            title=f"Papers listed on {day.isoformat()}",
        )


def render_popular(r: Renderer) -> None:
    """``popular/``: the popular feed's papers, newest to reach the threshold first, each with that day."""
    r.page(
        "popular.html",
        popular_path(),
        papers=popular_papers(r.site),
        upvotes=r.site.config.popular_upvotes,
        title="Popular papers",
    )


def render_feed_pages(r: Renderer) -> None:
    """``feeds/``, the digest pages and ``popular/``."""
    render_feeds_page(r)
    render_digest(r)
    render_popular(r)
