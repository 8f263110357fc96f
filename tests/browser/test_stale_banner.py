"""The stale-site banner (``static/status.js``) in Chromium, its clock set with ``page.clock.set_fixed_time``: the
site is built at 2026-02-07T00:00Z with its newest papers listed on 2026-02-06 (``freshness_days = 3``). Ten days
later every page says when the site was last updated and links to ``status/``; at the build's own time none does. A
missing or corrupt ``status.json`` shows nothing and throws nothing. At the root and under a sub-path (``served``);
the console stays clean."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Route

    from tests.browser.conftest import Console, Served

BUILT = datetime(2026, 2, 7, tzinfo=UTC)
"""The builds' SOURCE_DATE_EPOCH (tests/browser/conftest.py)."""
BANNER = "main > .stale-banner[role=status]"
TEXT = "This site was last updated on Feb 6, 2026. See its status."
PAGES = ("", "papers/a-mem-agentic-memory-for-llm-agents/", "topics/", "status/", "saved/")


def settled(page: Page) -> None:
    """Wait until status.js has run: it fetched status.json and had every chance to add the banner."""
    page.wait_for_load_state("networkidle")
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)))")


@pytest.mark.parametrize("path", PAGES)
def test_ten_days_after_the_build_every_page_shows_the_banner(
    served: Served, page: Page, console: Console, path: str
) -> None:
    page.clock.set_fixed_time(BUILT + timedelta(days=10))
    page.goto(served.url(path))
    banner = page.locator(BANNER)
    banner.wait_for()
    assert banner.inner_text() == TEXT
    assert page.locator("main > *").first.get_attribute("class") == "stale-banner", "at the top of <main>"
    link = banner.locator("a")
    assert link.get_attribute("href") == served.base_path + "status/"
    link.click()
    page.wait_for_url(served.url("status/"))
    assert page.locator("h1").inner_text() == "Status"
    console.assert_clean()


@pytest.mark.parametrize("path", PAGES[:2])
def test_at_the_build_time_and_within_freshness_days_there_is_none(
    served: Served, page: Page, console: Console, path: str
) -> None:
    for moment in (BUILT, BUILT + timedelta(days=2, hours=23)):  # the newest papers: 3 days old at most
        page.clock.set_fixed_time(moment)
        page.goto(served.url(path))
        settled(page)
        assert page.locator(".stale-banner").count() == 0, moment
    page.clock.set_fixed_time(BUILT + timedelta(days=3))  # Feb 10: four days after Feb 6, more than three
    page.goto(served.url(path))
    page.locator(BANNER).wait_for()
    console.assert_clean()


def test_the_footer_links_to_the_status_page_without_javascript(served: Served, browser: Browser) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(served.url())
        link = page.locator("footer a", has_text="Status")
        assert link.get_attribute("href") == served.base_path + "status/"
        link.click()
        page.wait_for_url(served.url("status/"))
        assert "Built on Feb 7, 2026, 00:00 UTC" in page.locator("main .lead").inner_text()
        assert page.locator(".stale-banner").count() == 0
    finally:
        context.close()


@pytest.mark.parametrize(
    "body", ["{not json", "null", '"text"', '{"newest_listed_day": "Feb 6", "freshness_days": "3"}', ""]
)
def test_a_corrupt_status_json_shows_nothing_and_throws_nothing(
    site_at_root: Served, page: Page, console: Console, body: str
) -> None:
    def corrupt(route: Route) -> None:
        route.fulfill(status=200, content_type="application/json", body=body)

    page.route("**/status.json", corrupt)
    page.clock.set_fixed_time(BUILT + timedelta(days=10))
    page.goto(site_at_root.url())
    settled(page)
    assert page.locator(".stale-banner").count() == 0
    console.assert_clean()


def test_a_missing_status_json_shows_nothing_and_throws_nothing(
    site_at_root: Served, page: Page, console: Console
) -> None:
    page.route("**/status.json", lambda route: route.fulfill(status=404, body="not found"))
    page.clock.set_fixed_time(BUILT + timedelta(days=10))
    page.goto(site_at_root.url())
    settled(page)
    assert page.locator(".stale-banner").count() == 0
    # the browser itself logs the failed request; the script adds nothing to it
    assert [m for m in console.messages if "404" not in m] == []
