"""JSON Feed 1.1 (https://jsonfeed.org/version/1.1), written with the standard library: fixed key order,
UTF-8 without escapes, two-space indent, trailing newline."""

from __future__ import annotations

import json
from typing import Any

from generator.feeds.model import FORMATS, GENERATOR, Feed, FeedItem
from generator.site.assemble import Site
from generator.text.markup import plain_text

VERSION = "https://jsonfeed.org/version/1.1"


def _item(item: FeedItem) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": item.id,
        "url": item.link,
        "title": item.title,
        "summary": item.summary,
        "content_html": item.content_html,
        "date_published": item.published.isoformat(),
        "date_modified": item.updated.isoformat(),
    }
    if item.authors:
        data["authors"] = [{"name": name} for name in item.authors]
    if item.categories:
        data["tags"] = [label for _, label in item.categories]
    return data


def json_feed(site: Site, feed: Feed) -> bytes:
    """The feed as JSON Feed 1.1 bytes; ``feed_url`` is its own absolute URL."""
    language = site.config.language.replace("_", "-")
    data: dict[str, Any] = {
        "version": VERSION,
        "title": feed.title,
        "home_page_url": site.urls.absolute(feed.page),
        "feed_url": site.urls.absolute(feed.path(FORMATS[2])),
        "description": feed.description,
        "language": language,
        "authors": [{"name": plain_text(site.config.title) or GENERATOR, "url": site.urls.absolute()}],
        "items": [_item(item) for item in feed.items],
    }
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
