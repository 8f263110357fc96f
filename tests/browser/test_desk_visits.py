"""What is new since the reader's previous visit, and which papers they have read (static/desk/visits.js).

The repository's papers were all listed on one day, so these tests build a copy of the site whose papers are listed
over twelve days (``site_with_days``: the later a paper was published, the later it is listed), at the root and
under a sub-path. The clock is Playwright's (``page.clock.set_fixed_time``), and the desk's state is seeded straight
into ``localStorage`` under the site's key (``papersite.desk.v1:`` + its base path), as store.js reads it.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.browser.conftest import Console, Served

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"

EPOCH = "1770422400"
"""2026-02-07T00:00:00Z, as ``tests/browser/conftest.py`` builds its sites."""
NEWEST = date(2026, 2, 6)  # conftest.DAYS_NEWEST
"""The newest listed day of the site (the day before the build's SOURCE_DATE_EPOCH)."""
PER_DAY = 5  # conftest.DAYS_PER_DAY
NOW = datetime(2026, 2, 7, 12, 0, tzinfo=UTC)
"""The browser's clock in these tests."""
MINUTE = 60_000
DAY = 24 * 60 * MINUTE
CARDS = "main article.card"


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def seed(page: Page, site: Served, state: dict[str, Any] | str) -> None:
    """Open a page of ``site`` and put ``state`` (an object, or any string) in its desk's localStorage key."""
    page.goto(site.url("feeds/"))
    value = state if isinstance(state, str) else json.dumps(state)
    page.evaluate("([key, value]) => localStorage.setItem(key, value)", [f"papersite.desk.v1:{site.base_path}", value])


def stored(page: Page, site: Served) -> dict[str, Any]:
    value = page.evaluate("(key) => localStorage.getItem(key)", f"papersite.desk.v1:{site.base_path}")
    result: dict[str, Any] = json.loads(value)
    return result


def visited(day: str, at: datetime = NOW - timedelta(days=2)) -> dict[str, Any]:
    """A desk whose previous visit, at ``at``, saw papers listed up to ``day``."""
    return {"version": 1, "saved": {}, "read": {}, "views": [{"at": ms(at), "newest": day}], "cleared": ""}


def listed(page: Page) -> list[tuple[str, str]]:
    """(slug, listed day) of every card, in page order."""
    found: list[tuple[str, str]] = page.locator(CARDS).evaluate_all(
        "cards => cards.map((c) => [c.dataset.slug, c.dataset.listed || ''])"
    )
    return found


def new_slugs(page: Page) -> list[str]:
    found: list[str] = page.locator(f"{CARDS}.is-new").evaluate_all("cards => cards.map((c) => c.dataset.slug)")
    badges = page.locator(f"{CARDS} .card-title .badge.new")
    assert badges.count() == len(found)
    assert all(text == "New" for text in badges.all_text_contents())
    return found


def assert_no_news(page: Page) -> None:
    assert new_slugs(page) == []
    assert page.locator(".seen-divider").count() == 0
    assert page.locator("[data-desk-news]").is_hidden()


def assert_news(page: Page, since: str) -> list[str]:
    """Exactly the cards listed after ``since`` are new, the divider follows the last of them and the header counts
    them; returns their slugs."""
    cards = listed(page)
    expected = [slug for slug, day in cards if day > since]
    assert 0 < len(expected) < len(cards), "pick a day with new and seen cards on the page"
    # the site's order puts the new ones first, so "seen before" starts right after them
    assert [slug for slug, _ in cards[: len(expected)]] == expected
    assert new_slugs(page) == expected
    assert page.locator(".seen-divider").count() == 1
    after_divider = page.locator(".seen-divider + article.card")
    assert after_divider.get_attribute("data-slug") == cards[len(expected)][0]
    assert page.locator(".seen-divider").text_content() == "Seen before"
    assert page.locator(".seen-divider").get_attribute("role") == "separator"
    news = page.locator("[data-desk-news]")
    assert news.is_visible()
    assert re.match(rf"^{len(expected)} new\b", news.inner_text()), news.inner_text()
    # the title link stays the first thing to focus in a card
    link = page.locator(f"{CARDS}.is-new .card-title > a").first
    assert link.evaluate("(a) => a.closest('article').querySelector('a, button') === a")
    return expected


def test_new_since_the_previous_visit(site_with_days: Served, page: Page, console: Console) -> None:
    page.clock.set_fixed_time(NOW)
    seed(page, site_with_days, visited("2026-02-04"))
    page.goto(site_with_days.url())
    assert len(assert_news(page, "2026-02-04")) == 2 * PER_DAY
    if site_with_days.base_path == "/":  # the home page with "New" badges, light and dark, desktop and phone
        ARTIFACTS.mkdir(exist_ok=True)
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
            for device, (width, height) in (("desktop", (1280, 900)), ("phone", (390, 844))):
                page.set_viewport_size({"width": width, "height": height})
                page.screenshot(path=str(ARTIFACTS / f"desk-new-{device}-{scheme}.png"))
        page.emulate_media(color_scheme="light")
        page.set_viewport_size({"width": 1280, "height": 900})

    # a reload within half an hour is the same visit: the badges stay
    page.clock.set_fixed_time(NOW + timedelta(minutes=10))
    page.reload()
    assert_news(page, "2026-02-04")

    page.get_by_role("button", name="Mark all as seen").click()
    assert_no_news(page)
    assert page.evaluate("document.activeElement.tagName") == "H1"
    status = page.get_by_role("status")
    status.filter(has_text="Marked all as seen").wait_for()
    assert stored(page, site_with_days)["cleared"] == NEWEST.isoformat()
    page.reload()
    assert_no_news(page)
    console.assert_clean()


def test_a_later_visit_starts_from_the_last_one(site_with_days: Served, page: Page, console: Console) -> None:
    page.clock.set_fixed_time(NOW)
    seed(page, site_with_days, visited("2026-02-04"))
    page.goto(site_with_days.url())
    assert new_slugs(page)
    # an hour later the previous visit is the one just made, which saw everything
    page.clock.set_fixed_time(NOW + timedelta(hours=1))
    page.reload()
    assert_no_news(page)
    views = stored(page, site_with_days)["views"]
    assert [view["at"] for view in views] == [ms(NOW), ms(NOW + timedelta(hours=1))]
    assert {view["newest"] for view in views} == {NEWEST.isoformat()}
    console.assert_clean()


def test_the_first_visit_shows_nothing_new(site_with_days: Served, page: Page, console: Console) -> None:
    page.clock.set_fixed_time(NOW)
    page.goto(site_with_days.url())
    assert_no_news(page)
    assert stored(page, site_with_days)["views"] == [{"at": ms(NOW), "newest": NEWEST.isoformat()}]
    page.clock.set_fixed_time(NOW + timedelta(days=1))
    page.reload()
    assert_no_news(page)
    console.assert_clean()


def test_a_topic_page_follows_the_same_rule(site_with_days: Served, page: Page, console: Console) -> None:
    page.clock.set_fixed_time(NOW)
    page.goto(site_with_days.url("topics/agents/"))
    days = sorted({day for _, day in listed(page)})
    assert len(days) > 2
    since = days[len(days) // 2]
    seed(page, site_with_days, visited(since))
    page.goto(site_with_days.url("topics/agents/"))
    assert_news(page, since)
    console.assert_clean()


def test_a_page_that_is_all_new_says_there_are_more(site_with_days: Served, page: Page, console: Console) -> None:
    page.clock.set_fixed_time(NOW)
    seed(page, site_with_days, visited("2025-12-31"))
    page.goto(site_with_days.url())
    cards = listed(page)
    assert page.locator("a[rel=next]").count() == 1
    assert len(new_slugs(page)) == len(cards)
    assert page.locator("[data-desk-news]").inner_text().startswith(f"{len(cards)}+ new")
    assert page.locator(".seen-divider").count() == 0
    console.assert_clean()


def test_a_visit_without_a_newest_day_counts_from_its_date(
    site_with_days: Served, page: Page, console: Console
) -> None:
    page.clock.set_fixed_time(NOW)
    seed(page, site_with_days, visited("", at=datetime(2026, 2, 4, 23, 0, tzinfo=UTC)))
    page.goto(site_with_days.url())
    assert_news(page, "2026-02-04")
    console.assert_clean()


def test_mark_all_as_seen_lasts_past_the_visit(site_with_days: Served, page: Page, console: Console) -> None:
    page.clock.set_fixed_time(NOW)
    seed(page, site_with_days, visited("2026-02-01") | {"cleared": "2026-02-04"})
    page.goto(site_with_days.url())
    assert_news(page, "2026-02-04")
    console.assert_clean()


def test_an_opened_paper_reads_as_read(site_with_days: Served, page: Page, console: Console) -> None:
    page.goto(site_with_days.url())
    second = page.locator(CARDS).nth(1)
    slug = second.get_attribute("data-slug")
    second.locator(".card-title a").click()
    page.wait_for_url(site_with_days.url(f"papers/{slug}/"))
    page.go_back()
    page.wait_for_url(site_with_days.url())
    read = page.locator(f"{CARDS}.is-read")
    read.first.wait_for()
    assert read.count() == 1 and read.get_attribute("data-slug") == slug
    badge = read.locator(".card-title .badge.read")
    assert badge.is_visible()
    assert badge.text_content() == "✓ Read"
    assert badge.locator("[aria-hidden=true]").count() == 1
    # a fresh load shows it too, and so do search results, added to the page after it loads
    page.reload()
    assert page.locator(f"{CARDS}.is-read").count() == 1
    title = read.locator(".card-title a").inner_text()
    page.goto(site_with_days.url(f"search/?q={quote(title)}"))
    result = page.locator(f"#search-results article[data-slug='{slug}']")
    result.locator(".badge.read").wait_for()
    assert "is-read" in (result.get_attribute("class") or "")
    assert stored(page, site_with_days)["read"].keys() == {slug}
    console.assert_clean()


@pytest.mark.parametrize("value", ["{not json", '{"version":1,"saved":5,"views":"x"}', '{"version":1,"views":[7]}'])
def test_a_corrupt_desk_breaks_nothing(site_with_days: Served, page: Page, console: Console, value: str) -> None:
    seed(page, site_with_days, value)
    page.goto(site_with_days.url())
    assert_no_news(page)
    first = page.locator(CARDS).first
    slug = first.get_attribute("data-slug")
    first.locator(".card-title a").click()
    page.wait_for_url(site_with_days.url(f"papers/{slug}/"))
    page.goto(site_with_days.url("search/?q=memory"))
    page.locator("#search[data-state=results]").wait_for(state="attached")
    assert page.locator("#search-results > li").count() > 0
    desk = stored(page, site_with_days)
    assert desk["version"] == 1 and list(desk["read"]) == [slug] and len(desk["views"]) == 3
    console.assert_clean()
