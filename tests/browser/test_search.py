"""The search page in Chromium: query from the URL, the header box, no results, topic filter, ordering, sub-path
sites, and a clean console (no errors, no Content-Security-Policy violations). Results show the paper's card as list
pages do (``partials/paper_card.html``, a site's own one included), or a title link when the index has no card.
Then the same content with its index
split into shards (generator/search/shards.py, limits lowered through ``PAPERSITE_SEARCH_SHARDS``), served under a
sub-path: every query, filter and order must give what the single index gives."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

    from tests.browser.conftest import Console, Served

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
"""Git-ignored output for people to look at."""

GES = "GES: Generalized Exponential Splatting for Efficient Radiance Field Rendering"
HIPPOCAMPUS = ("The AI Hippocampus: How Far are We From Human Memory?", "HEMA")
DONE = re.compile("^(results|empty)$")


def settle(page: Page) -> None:
    """Wait until the search page has shown the outcome of the latest search, its count final."""
    from playwright.sync_api import expect

    expect(page.locator("#search")).to_have_attribute("data-complete", "true")
    expect(page.locator("#search")).to_have_attribute("data-state", DONE)


def titles(page: Page) -> list[str]:
    return page.locator("#search-results .card-title").all_inner_texts()


def open_search(page: Page, served: Served, query: str) -> None:
    page.goto(served.url(f"search/?q={query}"))
    settle(page)


def test_query_in_the_url_runs_on_load(served: Served, page: Page, console: Console) -> None:
    open_search(page, served, "splatting")
    assert titles(page)[0] == GES
    assert page.input_value("#search-q") == "splatting"
    assert re.match(r"\d+ results? for “splatting”", page.inner_text("#search-status"))
    link = page.locator("#search-results .card-title a").first
    assert (link.get_attribute("href") or "").startswith(served.base_path + "papers/")
    link.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == GES
    console.assert_clean()


def test_header_box_on_the_home_page(served: Served, page: Page, console: Console) -> None:
    page.goto(served.url())
    page.fill("#header-q", "hippocampus")
    page.press("#header-q", "Enter")
    page.wait_for_url(re.compile(re.escape(served.url("search/")) + r"\?q=hippocampus$"))
    settle(page)
    found = titles(page)
    for expected in HIPPOCAMPUS:
        assert any(title.startswith(expected) for title in found), found
    console.assert_clean()


def test_nonsense_shows_no_results(served: Served, page: Page, console: Console) -> None:
    open_search(page, served, "qzxjvkwplm")
    assert page.get_attribute("#search", "data-state") == "empty"
    assert titles(page) == []
    assert page.inner_text("#search-status").startswith("No results for “qzxjvkwplm”")
    console.assert_clean()


def test_topic_filter_narrows_results(served: Served, page: Page, console: Console) -> None:
    open_search(page, served, "memory")
    everything = len(titles(page))
    page.select_option("#search-topic", label="Agents")
    settle(page)
    results = page.locator("#search-results > li")
    assert 0 < results.count() < everything
    for index in range(results.count()):
        topics = results.nth(index).locator(".chips a").all_inner_texts()
        assert "Agents" in topics, (index, topics)
    assert "topic=Agents" in page.url
    console.assert_clean()


def test_newest_first_orders_by_date(served: Served, page: Page, console: Console) -> None:
    open_search(page, served, "memory")
    page.select_option("#search-sort", "newest")
    settle(page)
    days = [d for d in page.locator("#search-results time").evaluate_all("els => els.map(e => e.dateTime)")]
    assert len(days) > 5
    assert days == sorted(days, reverse=True)
    page.select_option("#search-sort", "oldest")
    settle(page)
    oldest = page.locator("#search-results time").evaluate_all("els => els.map(e => e.dateTime)")
    assert oldest == sorted(oldest)
    console.assert_clean()


def test_year_filter_and_reload_keep_state(served: Served, page: Page, console: Console) -> None:
    open_search(page, served, "memory")
    page.select_option("#search-year", "2024")
    settle(page)
    days = page.locator("#search-results time").evaluate_all("els => els.map(e => e.dateTime)")
    assert days and all(day.startswith("2024-") for day in days)
    page.reload()
    settle(page)
    assert page.input_value("#search-year") == "2024"
    assert page.input_value("#search-q") == "memory"
    console.assert_clean()


def cards(page: Page, selector: str) -> list[str]:
    """The HTML of every element ``selector`` matches, its whitespace runs made one space (Pagefind's metadata
    keeps the card's HTML that way)."""
    found: list[str] = page.locator(selector).evaluate_all("els => els.map(e => e.outerHTML)")
    return [re.sub(r"\s+", " ", html) for html in found]


def test_results_show_the_card_of_the_list_pages(site_at_root: Served, page: Page, console: Console) -> None:
    page.goto(site_at_root.url("topics/agents/"))
    listed = cards(page, "main .card")
    assert len(listed) > 5
    page.goto(site_at_root.url("search/?topic=Agents"))
    settle(page)
    # without words to search for, a result is exactly the card: the same HTML, the same links
    assert page.locator("#search-results > li").count() == len(listed)
    assert sorted(cards(page, "#search-results > li > .card")) == sorted(listed)
    console.assert_clean()


def test_with_words_the_card_shows_the_excerpt(site_at_root: Served, page: Page, console: Console) -> None:
    open_search(page, site_at_root, "splatting")
    first = page.locator("#search-results > li").first
    assert first.locator(".card .card-title").inner_text() == GES
    summary = first.locator(".card-summary")
    assert summary.locator("mark").first.inner_text().lower() == "splatting"
    assert summary.inner_text().endswith(" …")
    assert first.locator(".byline time").get_attribute("datetime") == "2024-02-15"
    assert first.locator(".chips a").all_inner_texts() == ["3D and graphics"]
    console.assert_clean()


def test_a_sites_own_card_template_shows_in_results(site_with_own_card: Served, page: Page, console: Console) -> None:
    page.goto(site_with_own_card.url("topics/agents/"))
    listed = cards(page, ".my-card")
    assert len(listed) > 5 and page.locator("main .card").count() == 0
    page.goto(site_with_own_card.url("search/?topic=Agents"))
    settle(page)
    assert page.locator("#search-results .card").count() == 0
    assert sorted(cards(page, "#search-results > li > .my-card")) == sorted(listed)
    assert page.locator("#search-results .my-note").first.inner_text() == "my own card"
    # with words, the card's summary gives way to the excerpt; the rest of the card stays
    open_search(page, site_with_own_card, "splatting")
    first = page.locator("#search-results > li").first
    assert first.locator(".my-card .card-title").inner_text() == GES
    assert first.locator(".my-card .card-summary mark").count() > 0
    assert first.locator(".my-note").inner_text() == "my own card"
    console.assert_clean()


@pytest.mark.parametrize("query", ["href", "chips"])
def test_the_card_is_not_searched(site_at_root: Served, page: Page, console: Console, query: str) -> None:
    """Words of the card's HTML alone (Pagefind searches metadata) find nothing."""
    open_search(page, site_at_root, query)
    assert page.get_attribute("#search", "data-state") == "empty"
    console.assert_clean()


def test_results_without_a_card_are_title_links(site_without_cards: Served, page: Page, console: Console) -> None:
    open_search(page, site_without_cards, "splatting")
    first = page.locator("#search-results > li").first
    assert first.inner_text() == GES
    link = first.locator(".card-title a")
    assert (link.get_attribute("href") or "").startswith("/papers/ges-")
    assert json.loads(first.get_attribute("data-topics") or "") == ["3D and graphics"]
    console.assert_clean()


@pytest.mark.parametrize("path", ["", "topics/", "feeds/", "search/", "search/?q=agent"])
def test_pages_run_without_console_errors_or_csp_violations(
    site_at_subpath: Served, page: Page, console: Console, path: str
) -> None:
    page.goto(site_at_subpath.url(path))
    if path.startswith("search/"):
        settle(page) if "q=" in path else page.wait_for_selector("#search[data-state=idle]")
    else:
        page.wait_for_load_state("load")
    assert page.locator('meta[http-equiv="Content-Security-Policy"]').count() == 1
    console.assert_clean()


def test_a_paper_page_is_clean(site_at_root: Served, page: Page, console: Console) -> None:
    page.goto(site_at_root.url())
    page.locator(".card-title a").first.click()
    page.wait_for_load_state("load")
    console.assert_clean()


def test_inline_script_is_blocked(site_at_root: Served, page: Page, console: Console) -> None:
    """The policy is really enforced: an injected inline script is refused and reported."""
    page.goto(site_at_root.url())
    page.evaluate("""() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';
                     document.body.append(s); }""")
    page.wait_for_timeout(100)
    assert page.evaluate("window.ran") is None
    assert console.csp_violations


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshot(site_at_root: Served, page: Page, console: Console, scheme: str) -> None:
    """Saved for people to look at: tests/artifacts/search.png and search-dark.png."""
    page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
    open_search(page, site_at_root, "memory")
    page.select_option("#search-topic", label="Long context")
    settle(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = "search.png" if scheme == "light" else f"search-{scheme}.png"
    page.screenshot(path=str(ARTIFACTS / name), full_page=False)
    console.assert_clean()


def test_without_javascript_the_page_says_so(browser: Browser, site_at_root: Served) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        tab = context.new_page()
        tab.goto(site_at_root.url("search/?q=memory"))
        notice = tab.locator(".search-noscript")
        assert notice.is_visible()
        assert "needs JavaScript" in notice.inner_text()
        assert notice.locator("a").count() > 5
    finally:
        context.close()


SUBPATH = "/sub/path/"
"""Where ``site_sharded`` is served."""

Result = tuple[str, str, list[str]]
"""A search result as shown: title, date, topics."""


def everything(page: Page) -> list[Result]:
    """(title, date, topics) of every result, pressing "Show more results" until all are shown."""
    more = page.locator("#search-more")
    while more.is_visible():
        shown = page.locator("#search-results > li").count()
        more.click()
        page.locator(f"#search-results > li:nth-child({shown + 1})").wait_for()
    return [
        (row["title"], row["date"], row["topics"])
        for row in page.locator("#search-results > li").evaluate_all(
            """items => items.map(li => ({title: li.querySelector('.card-title').innerText,
                date: li.querySelector('time')?.dateTime || '', topics: JSON.parse(li.dataset.topics)}))"""
        )
    ]


def search_both(page: Page, sharded: Served, single: Served, query: str) -> tuple[list[Result], list[Result]]:
    """Every result of ``search/?<query>`` on the sharded site, then on the single-index site."""
    found: list[list[Result]] = []
    for site in (sharded, single):
        page.goto(site.url(f"search/?{query}"))
        settle(page)
        found.append(everything(page))
        count = re.match(r"(\d+) results?", page.inner_text("#search-status"))
        assert count and int(count[1]) == len(found[-1]), page.inner_text("#search-status")
    return found[0], found[1]


def test_the_sharded_site_is_split(site_sharded: Served) -> None:
    manifest = json.loads((site_sharded.directory / "pagefind" / "shards.json").read_text(encoding="utf-8"))
    assert len(manifest["shards"]) >= 3
    assert all(
        (site_sharded.directory / shard["bundle"] / "pagefind-entry.json").is_file() for shard in manifest["shards"]
    )


def test_sharded_search_finds_matches_in_every_shard(
    site_sharded: Served, site_at_root: Served, page: Page, console: Console
) -> None:
    split, single = search_both(page, site_sharded, site_at_root, "q=memory")
    assert len({day[:4] for _, day, _ in split}) >= 3  # the matches live in several shards (one per year here)
    assert sorted(split) == sorted(single) and len(split) > 20
    link = page.locator("#search-results .card-title a").first
    assert (link.get_attribute("href") or "").startswith("/papers/")  # single site at the root
    page.goto(site_sharded.url("search/?q=memory"))
    settle(page)
    assert (page.locator("#search-results .card-title a").first.get_attribute("href") or "").startswith(
        SUBPATH + "papers/"
    )
    console.assert_clean()


@pytest.mark.parametrize("order", ["newest", "oldest"])
def test_sharded_ordering_runs_across_shards(
    site_sharded: Served, site_at_root: Served, page: Page, console: Console, order: str
) -> None:
    split, single = search_both(page, site_sharded, site_at_root, f"q=memory&sort={order}")
    days = [day for _, day, _ in split]
    assert days == sorted(days, reverse=order == "newest") and len(set(d[:4] for d in days)) >= 3
    assert days == [day for _, day, _ in single]
    assert sorted(split) == sorted(single)
    console.assert_clean()


def test_sharded_topic_filter(site_sharded: Served, site_at_root: Served, page: Page, console: Console) -> None:
    split, single = search_both(page, site_sharded, site_at_root, "q=memory&topic=Agents")
    assert split and all("Agents" in topics for _, _, topics in split)
    assert sorted(split) == sorted(single)
    # a topic alone: newest first, across shards
    split, single = search_both(page, site_sharded, site_at_root, "topic=Agents")
    assert [day for _, day, _ in split] == sorted((day for _, day, _ in split), reverse=True)
    assert [day for _, day, _ in split] == [day for _, day, _ in single]
    assert sorted(split) == sorted(single) and len({day[:4] for _, day, _ in split}) >= 2
    console.assert_clean()


def test_sharded_year_filter(site_sharded: Served, site_at_root: Served, page: Page, console: Console) -> None:
    for query in ("q=memory&year=2024", "year=2025&sort=oldest"):
        split, single = search_both(page, site_sharded, site_at_root, query)
        year = query.split("year=")[1][:4]
        assert split and all(day.startswith(year) for _, day, _ in split), query
        assert sorted(split) == sorted(single)
        if "sort=oldest" in query:
            assert [day for _, day, _ in split] == sorted(day for _, day, _ in split)
    console.assert_clean()
