"""``feeds.opml`` (OPML 2.0): every feed of the site in one file a feed reader can import.

One ``outline type="rss"`` per feed with ``xmlUrl`` (the RSS file) and ``htmlUrl`` (the page it mirrors); the
topic feeds sit in a "Topics" folder.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from generator.feeds.model import FORMATS, Feed
from generator.site.assemble import Site
from generator.text.markup import plain_text


def _outline(parent: ET.Element, site: Site, feed: Feed) -> None:
    ET.SubElement(
        parent,
        "outline",
        {
            "type": "rss",
            "text": feed.title,
            "title": feed.title,
            "description": feed.description,
            "xmlUrl": site.urls.absolute(feed.path(FORMATS[0])),
            "htmlUrl": site.urls.absolute(feed.page),
            "language": site.config.language.replace("_", "-"),
            "version": "RSS2",
        },
    )


def opml(site: Site, feeds: Sequence[Feed]) -> bytes:
    """OPML for ``feeds``: the ones outside ``topics/`` at the top, topic feeds in a "Topics" folder."""
    root = ET.Element("opml", {"version": "2.0"})
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = f"{plain_text(site.config.title)}: feeds"
    ET.SubElement(head, "docs").text = "https://opml.org/spec2.opml"
    body = ET.SubElement(root, "body")
    topics = [feed for feed in feeds if feed.folder.startswith("topics/")]
    for feed in feeds:
        if feed not in topics:
            _outline(body, site, feed)
    if topics:
        folder = ET.SubElement(body, "outline", {"text": "Topics", "title": "Topics"})
        for feed in topics:
            _outline(folder, site, feed)
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode").encode() + b"\n"
