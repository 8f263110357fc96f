"""No broken internal link: crawl the built site over HTTP from its home page, at the root and under a sub-path.

Every internal reference is followed: ``<a href>``, ``<link href>``, ``<script src>``, ``<img src>``, ``<source>``,
``<form action>``, ``url()`` in stylesheets, the sitemap's ``<loc>``, feed links (RSS, Atom, JSON Feed, OPML)
and ``Sitemap:`` in robots.txt. A reference is broken when it does not answer 200 (a redirect counts: links
should name the final URL) or its ``#fragment`` names no element of the target page. Failures read
``source page -> broken URL: reason``.
"""

from __future__ import annotations

import http.client
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any
from urllib.parse import urldefrag, urljoin, urlsplit

if TYPE_CHECKING:
    from tests.quality.conftest import Served

# (tag, attribute) pairs whose value is a URL to follow.
HTML_REFERENCES = {
    ("a", "href"),
    ("link", "href"),
    ("script", "src"),
    ("img", "src"),
    ("source", "src"),
    ("iframe", "src"),
    ("form", "action"),
    ("video", "poster"),
}
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)""")
XML_URL_ATTRIBUTES = {"href", "url", "xmlUrl", "htmlUrl", "src"}
XML_URL_ELEMENTS = {"loc", "link", "comments", "docs"}
JSON_URL_KEYS = {"url", "home_page_url", "feed_url", "icon", "favicon", "image", "banner_image", "next_url"}


class _Page(HTMLParser):
    """References and element ids of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.references: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in {"id", "name"} and (name == "id" or tag == "a"):
                self.ids.add(value)
            if (tag, name) in HTML_REFERENCES:
                self.references.append(value)
            elif name == "srcset":
                self.references.extend(part.split()[0] for part in value.split(",") if part.strip())


def xml_references(text: str) -> Iterator[str]:
    """URLs in a sitemap, RSS, Atom or OPML document."""
    for element in ET.fromstring(text).iter():
        local = element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""
        for name, value in element.attrib.items():
            if name.rsplit("}", 1)[-1] in XML_URL_ATTRIBUTES:
                yield value
        if local in XML_URL_ELEMENTS and element.text and element.text.strip():
            yield element.text.strip()
        if local == "guid" and element.get("isPermaLink", "true") == "true" and element.text:
            yield element.text.strip()


def json_references(data: Any) -> Iterator[str]:
    """URLs in a JSON Feed."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key in JSON_URL_KEYS and isinstance(value, str):
                yield value
            else:
                yield from json_references(value)
    elif isinstance(data, list):
        for item in data:
            yield from json_references(item)


@dataclass
class Crawl:
    """The result of crawling one served site."""

    base_url: str
    fetched: dict[str, int] = field(default_factory=dict)
    """URL (no fragment) -> HTTP status."""
    ids: dict[str, set[str]] = field(default_factory=dict)
    """HTML page URL -> its element ids, for fragment checks."""
    edges: list[tuple[str, str]] = field(default_factory=list)
    """(source URL, target URL with fragment) for every internal reference."""
    problems: list[str] = field(default_factory=list)
    """Fetch-time problems: unparsable feeds and the like."""

    def broken(self) -> list[str]:
        """``source -> target: reason`` for every reference that does not resolve, one line per pair."""
        lines: set[str] = set()
        for source, target in self.edges:
            url, fragment = urldefrag(target)
            status = self.fetched.get(url)
            if status != 200:
                lines.add(f"{source} -> {target}: HTTP {status}")
            elif fragment and url in self.ids and fragment not in self.ids[url]:
                lines.add(f"{source} -> {target}: no element with id {fragment!r}")
        return sorted(lines) + self.problems


def fetch(base: str, url: str) -> tuple[int, str, str]:
    """(status, content type, body text) for a GET of ``url``; redirects are not followed."""
    parts = urlsplit(base)
    target = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    try:
        connection.request("GET", target.path + (f"?{target.query}" if target.query else ""))
        response = connection.getresponse()
        body = response.read()
        kind = response.getheader("Content-Type", "").split(";")[0].strip()
        return response.status, kind, body.decode("utf-8", "replace")
    finally:
        connection.close()


def references(url: str, kind: str, text: str, crawl: Crawl) -> list[str]:
    """Raw references found in one fetched document, by its type."""
    path = urlsplit(url).path
    if kind == "text/html":
        page = _Page()
        page.feed(text)
        crawl.ids[url] = page.ids
        return page.references
    if kind == "text/css":
        return CSS_URL.findall(text)
    if path.endswith("robots.txt"):
        return [line.split(":", 1)[1].strip() for line in text.splitlines() if line.lower().startswith("sitemap:")]
    try:
        if kind == "application/json" or path.endswith(".json"):
            return list(json_references(json.loads(text)))
        if kind in {"application/xml", "text/xml"} or path.endswith((".xml", ".opml")):
            return list(xml_references(text))
    except (ValueError, ET.ParseError) as error:
        crawl.problems.append(f"{url}: cannot parse: {error}")
    return []


def crawl(site: Served, seeds: tuple[str, ...] = ("", "robots.txt", "404.html")) -> Crawl:
    """Follow every internal reference reachable from ``seeds`` (site-relative paths)."""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(site.base_url))
    result = Crawl(site.base_url)
    queue = [site.url(seed) for seed in seeds]
    while queue:
        url = queue.pop()
        if url in result.fetched:
            continue
        status, kind, text = fetch(site.base_url, url)
        result.fetched[url] = status
        if status != 200:
            continue
        for reference in references(url, kind, text, result):
            target = urljoin(url, reference.strip())
            if not target.startswith(origin + "/"):
                continue  # external: another host, mailto:, data: ...
            result.edges.append((url, target))
            queue.append(urldefrag(target)[0])
    return result


def check(site: Served) -> Crawl:
    result = crawl(site)
    html_pages = [p for p in site.directory.rglob("*.html") if p.name != "404.html"]
    assert len(result.fetched) >= len(html_pages) > 10, "the crawl should reach every page"
    broken = result.broken()
    assert not broken, f"{len(broken)} broken internal reference(s) from {site.base_url}:\n" + "\n".join(broken)
    return result


def unreached(site: Served, result: Crawl) -> list[str]:
    """Built HTML pages that no link reaches (orphans), as site-relative paths."""
    reached = {urlsplit(url).path for url, status in result.fetched.items() if status == 200}
    base_path = urlsplit(site.base_url).path
    orphans = []
    for page in sorted(site.directory.rglob("*.html")):
        relative = page.relative_to(site.directory).as_posix()
        if relative == "404.html" or relative.startswith("pagefind/"):
            continue
        pretty = relative.removesuffix("index.html")
        if base_path + pretty not in reached and base_path + relative not in reached:
            orphans.append(relative)
    return orphans


def test_no_broken_links_at_root(site_at_root: Served) -> None:
    result = check(site_at_root)
    assert not unreached(site_at_root, result), "pages no link reaches: " + ", ".join(unreached(site_at_root, result))


def test_no_broken_links_under_a_sub_path(site_at_subpath: Served) -> None:
    result = check(site_at_subpath)
    outside = [url for url in result.fetched if not url.startswith(site_at_subpath.base_url)]
    assert not outside, "links that leave the base path:\n" + "\n".join(sorted(outside))
    assert not unreached(site_at_subpath, result), "pages no link reaches: " + ", ".join(
        unreached(site_at_subpath, result)
    )


def test_the_crawler_finds_a_broken_link(site_at_root: Served) -> None:
    """The gate itself works: references to missing pages and missing fragments are reported."""
    result = Crawl(site_at_root.base_url)
    home = site_at_root.url()
    result.fetched[home] = 200
    result.ids[home] = {"main"}
    result.fetched[site_at_root.url("nope/")] = 404
    result.edges += [(home, site_at_root.url("nope/")), (home, home + "#main"), (home, home + "#gone")]
    assert result.broken() == [f"{home} -> {home}#gone: no element with id 'gone'", f"{home} -> {home}nope/: HTTP 404"]
