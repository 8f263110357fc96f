"""The records every feed format is written from: a ``Feed`` with its ``FeedItem`` entries, and the formats."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
"""The date of a feed with no entries on a site with no entries: fixed, so output never depends on the clock."""
SUMMARY_CHARS = 300
GENERATOR = "papersite"


@dataclass(frozen=True, slots=True)
class FeedFormat:
    file: str
    """File name inside the feed's folder."""
    media_type: str
    label: str


FORMATS = (
    FeedFormat("feed.xml", "application/rss+xml", "RSS"),
    FeedFormat("atom.xml", "application/atom+xml", "Atom"),
    FeedFormat("feed.json", "application/feed+json", "JSON Feed"),
)


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One entry, as every format shows it. Strings are clean (no XML-forbidden characters)."""

    id: str
    """Absolute permanent URL: RSS ``guid isPermaLink="true"``, Atom ``id``, JSON ``id``."""
    title: str
    """Plain text, never empty."""
    link: str
    """Absolute URL of the HTML page."""
    summary: str
    """Plain text, about ``SUMMARY_CHARS`` characters, never empty (the title when the abstract has no text)."""
    content_html: str
    """Rendered HTML (markdown-it with raw HTML off: never a live ``<script>``; math as TeX source; the characters
    ``xml.html_chars`` lets through). Empty when the abstract is: RSS and Atom then write no content."""
    published: datetime
    """When it was listed (``feeds.times``): RSS ``pubDate``, Atom ``published``, JSON ``date_published``."""
    updated: datetime
    """Its last change (``feeds.times``): Atom ``updated``, JSON ``date_modified``. No two entries of a feed share
    one, nor a ``published``."""
    authors: tuple[str, ...] = ()
    categories: tuple[tuple[str, str], ...] = ()
    """``(term, label)``: topic slug and topic name."""


@dataclass(frozen=True, slots=True)
class Feed:
    """One feed: where it lives, what it describes and its entries, newest first."""

    folder: str
    """Site-relative folder of its three files: ``""``, ``topics/<slug>/`` or ``digest/``."""
    title: str
    description: str
    page: str
    """Site-relative path of the HTML page the feed mirrors (home, topic page, digest)."""
    items: tuple[FeedItem, ...]
    updated: datetime
    """Newest ``updated`` of its entries (the site's newest when it has none, else ``EPOCH``)."""

    def path(self, fmt: FeedFormat) -> str:
        return self.folder + fmt.file
