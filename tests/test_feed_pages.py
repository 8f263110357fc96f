"""The feeds page, the digest pages, and feed discovery links on every page (default theme)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from generator.config import Config, TopicRule
from generator.incremental.output import Output
from generator.model import Paper
from generator.render.feed_pages import render_feed_pages
from generator.render.pages import Renderer, render_home, render_not_found, render_papers, render_topics
from generator.render.theme import load_theme
from generator.site.assemble import Site, assemble

ROOT = Path(__file__).parent.parent
BASE = "https://user.github.io/repo/"
TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json")
FILES = ("feed.xml", "atom.xml", "feed.json")
HOSTILE = "<script>alert(1)</script> & ]]> 🚀 مرحبا"


def make_site() -> Site:
    papers = [
        Paper("alpha", "A language model paper", "About a language model.", "a.md", listed=date(2024, 10, 25)),
        Paper("beta", HOSTILE, "Other things.", "b.md", listed=date(2024, 10, 25), published=date(2024, 10, 24)),
        Paper("gamma", "Gamma", "Other.", "c.md", listed=date(2024, 10, 23)),
    ]
    topics = (TopicRule("llm", "Language Models", include=("language model",)), TopicRule("empty", "Empty"))
    site, _ = assemble(Config(base_url=BASE, title="Test Papers", topics=topics), papers)
    return site


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Every HTML page of the scratch site, rendered with the default theme (no search index: it is slow)."""
    theme, problems = load_theme(ROOT, "default")
    assert theme is not None, problems
    out = Output(tmp_path_factory.mktemp("build") / "site")
    renderer = Renderer(make_site(), theme.environment(), out)
    for render in (render_home, render_papers, render_topics, render_not_found, render_feed_pages):
        render(renderer)
    return {path: (out.staging / path).read_text(encoding="utf-8") for path in out.files if path.endswith(".html")}


def alternates(html: str) -> set[tuple[str, str]]:
    links = re.findall(r'<link rel="alternate" type="([^"]+)"[^>]* href="([^"]+)"', html)
    return set(links)


def test_feeds_page_lists_every_feed_url(pages: dict[str, str]) -> None:
    html = pages["feeds/index.html"]
    for folder in ("", "digest/", "topics/llm/", "topics/empty/", "topics/other/"):
        for name in ("feed.xml", "atom.xml", "feed.json"):
            assert f'href="{BASE}{folder}{name}"' in html, folder + name
    assert f'href="{BASE}feeds.opml"' in html


def test_digest_pages(pages: dict[str, str]) -> None:
    index = pages["digest/index.html"]
    assert 'href="/repo/digest/2024-10-25/"' in index and 'href="/repo/digest/2024-10-23/"' in index
    assert index.index("2024-10-25") < index.index("2024-10-23")
    day = pages["digest/2024-10-25/index.html"]
    assert 'href="/repo/papers/alpha/"' in day and 'href="/repo/papers/beta/"' in day
    assert "/repo/papers/gamma/" not in day
    assert 'rel="next" href="/repo/digest/2024-10-23/"' in day
    assert "<script>alert" not in day and "&lt;script&gt;alert(1)&lt;/script&gt;" in day
    assert (TYPES[0], "/repo/digest/feed.xml") in alternates(day)


def test_every_page_links_the_site_feeds(pages: dict[str, str]) -> None:
    site_feeds = {(kind, f"/repo/{name}") for kind, name in zip(TYPES, FILES, strict=True)}
    assert len(pages) > 8
    for path, html in pages.items():
        assert site_feeds <= alternates(html), path


@pytest.mark.parametrize("slug", ["llm", "empty", "other"])
def test_topic_pages_link_their_topic_feeds(pages: dict[str, str], slug: str) -> None:
    found = alternates(pages[f"topics/{slug}/index.html"])
    for kind, name in zip(TYPES, FILES, strict=True):
        assert (kind, f"/repo/topics/{slug}/{name}") in found
