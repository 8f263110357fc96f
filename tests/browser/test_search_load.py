"""What the search page fetches, on the sharded site (``site_sharded``: one Pagefind shard per year or run of months):
a topic or a year without words comes from the list pages (``search/lists.json``), with the exact count and no
Pagefind file; a year with words loads only the shards that can hold that year (and from the newest shard's folder
only Pagefind's script and wasm, which live there); the page never has more than six of its search files in flight,
retries a refused one, and says so when one cannot be fetched."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from generator.search.pagefind import read_fragment

if TYPE_CHECKING:
    from playwright.sync_api import Page, Request, Route

    from tests.browser.conftest import Console, Served

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 6
"""At most this many of the search page's own fetches in flight (``static/search/fetches.js``)."""


def settle(page: Page) -> str:
    """Wait for the latest search's final outcome; return the state."""
    page.locator("#search[data-complete=true]").wait_for()
    return page.get_attribute("#search", "data-state") or ""


def count(page: Page) -> int:
    status = page.inner_text("#search-status")
    found = re.match(r"(\d+) results?", status)
    assert found or status.startswith("No results"), status
    return int(found[1]) if found else 0


def year_counts() -> dict[int, int]:
    """Papers per year of the repository's content files (``published``, else ``listed``)."""
    years: dict[int, int] = {}
    for file in (ROOT / "content" / "papers").glob("*.md"):
        head = file.read_text(encoding="utf-8").split("\n---", 1)[0]
        day = re.search(r"^published: '?(\d{4})", head, re.M) or re.search(r"^listed: '?(\d{4})", head, re.M)
        if day:
            years[int(day[1])] = years.get(int(day[1]), 0) + 1
    return years


def requested(page: Page) -> list[str]:
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    return urls


@pytest.mark.parametrize("year", [2025, 2024, 2023])
def test_a_year_alone_is_read_from_the_list_pages_with_the_exact_count(
    site_sharded: Served, page: Page, console: Console, year: int
) -> None:
    urls = requested(page)
    page.goto(site_sharded.url(f"search/?year={year}"))
    assert settle(page) == "results"
    assert count(page) == year_counts()[year] > 0
    assert not [url for url in urls if "/pagefind" in url]  # no search index at all
    days = page.locator("#search-results time").evaluate_all("els => els.map(e => e.dateTime)")
    assert days and all(day.startswith(str(year)) for day in days)
    console.assert_clean()


def test_a_topic_alone_shows_every_paper_of_its_pages(site_sharded: Served, page: Page, console: Console) -> None:
    page.goto(site_sharded.url("topics/agents/"))
    lead = re.search(r"(\d+) papers?\.", page.inner_text(".lead"))
    assert lead
    urls = requested(page)
    page.goto(site_sharded.url("search/?topic=Agents&sort=oldest"))
    settle(page)
    assert count(page) == int(lead[1])
    while page.locator("#search-more").is_visible():
        shown = page.locator("#search-results > li").count()
        page.click("#search-more")
        page.locator(f"#search-results > li:nth-child({shown + 1})").wait_for()
    days = page.locator("#search-results .byline time").evaluate_all("els => els.map(e => e.dateTime)")
    assert page.locator("#search-results > li").count() == int(lead[1]) and days == sorted(days)
    assert not [url for url in urls if "/pagefind" in url]
    console.assert_clean()


def test_words_and_a_year_load_only_that_years_shards(site_sharded: Served, page: Page, console: Console) -> None:
    urls = requested(page)
    page.goto(site_sharded.url("search/?q=memory&year=2024"))
    assert settle(page) == "results"
    folders = {m[1] for url in urls if (m := re.search(r"/(pagefind[^/]*)/", url))}
    assert folders == {"pagefind", "pagefind-2024"}, folders
    newest = {url.rsplit("/pagefind/", 1)[1] for url in urls if "/pagefind/" in url}
    assert newest == {"pagefind.js", "shards.json", "wasm.en.pagefind"}, newest  # no index file of the newest shard
    console.assert_clean()


def test_at_most_six_fetches_at_once(site_sharded: Served, page: Page, console: Console) -> None:
    in_flight: set[str] = set()
    most = 0

    def started(request: Request) -> None:
        nonlocal most
        if "/pagefind" in request.url:
            in_flight.add(request.url)
            most = max(most, len(in_flight))

    page.on("request", started)
    page.on("requestfinished", lambda request: in_flight.discard(request.url))
    page.goto(site_sharded.url("search/?q=memory&sort=oldest"))
    settle(page)
    page.click("#search-more")
    page.locator("#search-results > li:nth-child(21)").wait_for()
    assert 2 < most <= LIMIT + 1  # (the page's own import of pagefind.js does not go through the queue)
    console.assert_clean()


def test_a_refused_fetch_is_retried(site_sharded: Served, page: Page) -> None:
    refused: list[str] = []

    def once(route: Route) -> None:
        if not refused:
            refused.append(route.request.url)
            route.abort("failed")
        else:
            route.continue_()

    page.route(re.compile(r".*/pagefind-2024/index/.*"), once)
    page.goto(site_sharded.url("search/?q=memory&year=2024"))
    assert settle(page) == "results" and refused
    assert count(page) == page.locator("#search-results > li").count() > 0


def test_a_fetch_that_keeps_failing_is_shown(site_sharded: Served, page: Page) -> None:
    page.route(re.compile(r".*/pagefind-2024/.*"), lambda route: route.abort("failed"))
    page.goto(site_sharded.url("search/?q=memory"))
    assert settle(page) == "error"
    assert "could not load" in page.inner_text("#search-status")
    page.unroute(re.compile(r".*/pagefind-2024/.*"))
    page.route(re.compile(r".*/topics/agents/.*"), lambda route: route.fulfill(status=503, body="busy"))
    page.goto(site_sharded.url("search/?topic=Agents"))
    assert settle(page) == "error"


def test_the_newest_shard_is_shown_before_the_others_load(site_sharded: Served, page: Page) -> None:
    """The first page comes from the newest shard while older ones are held back; the count says "at least"."""
    held: list[Route] = []
    holding = True

    def hold(route: Route) -> None:
        if holding:
            held.append(route)
        else:
            route.continue_()

    page.route(re.compile(r".*/pagefind-2024/.*"), hold)
    page.goto(site_sharded.url("search/?q=memory"))
    page.locator("#search[data-state=results]").wait_for()
    assert page.get_attribute("#search", "data-complete") is None
    assert page.inner_text("#search-status").startswith("At least ")
    newest = max(page.locator("#search-results .byline time").evaluate_all("els => els.map(e => e.dateTime)"))
    assert newest >= date(2026, 1, 1).isoformat()
    holding = False
    for route in held:
        route.continue_()
    settle(page)
    assert re.match(r"\d+ results", page.inner_text("#search-status"))


def shard_pieces(site: Path) -> dict[str, set[str]]:
    """Shard folder -> the lowercased pieces of text of its papers (their fragments' content)."""
    manifest = json.loads((site / "pagefind" / "shards.json").read_text(encoding="utf-8"))
    pieces: dict[str, set[str]] = {}
    for shard in manifest["shards"]:
        folder = shard["bundle"].rstrip("/")
        pieces[folder] = set()
        for file in (site / folder / "fragment").glob("*.pf_fragment"):
            pieces[folder].update(read_fragment(file)["content"].lower().split())
    return pieces


def index_folders(urls: list[str]) -> set[str]:
    """The index folders whose data (anything but Pagefind's script, wasm and manifest) was fetched."""
    data = [url for url in urls if not re.search(r"/(pagefind\.js|wasm\.\w+\.pagefind|shards\.json)$", url)]
    return {m[1] for url in data if (m := re.search(r"/(pagefind[^/]*)/", url))}


def test_a_word_no_paper_has_reads_only_the_first_shard_and_the_words_index(
    site_sharded: Served, page: Page, console: Console
) -> None:
    urls = requested(page)
    page.goto(site_sharded.url("search/?q=qzxjvkwplm"))
    assert settle(page) == "empty"
    assert page.inner_text("#search-status").startswith("No results")
    assert index_folders(urls) == {"pagefind", "pagefind-words"}
    console.assert_clean()


def test_a_word_of_one_older_shard_reads_only_that_shard(site_sharded: Served, page: Page, console: Console) -> None:
    pieces = shard_pieces(site_sharded.directory)
    newest = "pagefind"
    # a word of one older shard whose first four letters no piece of text of any other shard holds (Pagefind matches
    # prefixes of stems)
    found = [
        (word, folder)
        for folder, words in sorted(pieces.items())
        if folder != newest
        for word in sorted(words)
        if word.isalpha()
        and len(word) >= 7
        and not any(word[:4] in piece for other, more in pieces.items() if other != folder for piece in more)
    ]
    assert found, "the sharded site has no word of one shard only"
    word, folder = found[0]
    urls = requested(page)
    page.goto(site_sharded.url(f"search/?q={word}"))
    assert settle(page) == "results"
    assert count(page) == page.locator("#search-results > li").count() > 0
    assert index_folders(urls) == {newest, folder, "pagefind-words"}, (word, index_folders(urls))
    console.assert_clean()


def test_the_newest_shard_which_the_words_index_leaves_out_is_always_read(
    site_sharded: Served, page: Page, console: Console
) -> None:
    pieces = shard_pieces(site_sharded.directory)
    only_newest = [
        word
        for word in sorted(pieces["pagefind"])
        if word.isalpha()
        and len(word) >= 7
        and not any(word[:4] in piece for other, more in pieces.items() if other != "pagefind" for piece in more)
    ]
    assert only_newest, "the newest shard has no word of its own"
    urls = requested(page)
    page.goto(site_sharded.url(f"search/?q={only_newest[0]}&sort=oldest"))  # the oldest shard is read first
    assert settle(page) == "results"
    assert count(page) == page.locator("#search-results > li").count() > 0
    oldest = json.loads((site_sharded.directory / "pagefind" / "shards.json").read_text(encoding="utf-8"))["shards"][-1]
    # (with no word of the words index beginning with it, Pagefind falls back to the longest indexed word that begins
    # it, which may name other shards: generator/search/words.py)
    assert {oldest["bundle"].rstrip("/"), "pagefind-words", "pagefind"} <= index_folders(urls)
    days = page.locator("#search-results .byline time").evaluate_all("els => els.map(e => e.dateTime)")
    newest = json.loads((site_sharded.directory / "pagefind" / "shards.json").read_text(encoding="utf-8"))["shards"][0]
    assert any(day.startswith(newest["name"][:4]) for day in days)
    console.assert_clean()
