"""Writing every feed file and ``feeds.opml``."""

from __future__ import annotations

from pathlib import Path

from generator.feeds.entries import site_feeds
from generator.feeds.json_feed import json_feed
from generator.feeds.model import FORMATS
from generator.feeds.opml import opml
from generator.feeds.xml import atom_feed, rss_feed
from generator.incremental.output import Output
from generator.site.assemble import Site


def feed_files(site: Site) -> dict[str, bytes]:
    """Every feed file and ``feeds.opml``, by site-relative path, in a fixed order."""
    feeds = site_feeds(site)
    files: dict[str, bytes] = {}
    for feed in feeds:
        files[feed.path(FORMATS[0])] = rss_feed(site, feed)
        files[feed.path(FORMATS[1])] = atom_feed(site, feed)
        files[feed.path(FORMATS[2])] = json_feed(site, feed)
    files["feeds.opml"] = opml(site, feeds)
    return files


def write_feeds(site: Site, out: Path | Output) -> list[str]:
    """Write every feed and ``feeds.opml`` under ``out`` (a folder, or the build's ``Output``, which records
    the files). Returns the site-relative paths written."""
    files = feed_files(site)
    for path, data in files.items():
        if isinstance(out, Output):
            out.write(path, data)
        else:
            (out / path).parent.mkdir(parents=True, exist_ok=True)
            (out / path).write_bytes(data)
    return list(files)
