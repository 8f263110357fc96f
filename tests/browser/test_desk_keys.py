"""Keys on list pages (static/desk/keys.js): j / k move between cards, s saves, o or Enter opens, ? lists the keys;
keys typed into a field are left alone. At the root and under a sub-path (``served``)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.browser.conftest import Console, Served

CARDS = "main article.card"


def focused_card(page: Page) -> str | None:
    """The slug of the card whose title link has the focus, or None."""
    slug: str | None = page.evaluate(
        """() => {
          const link = document.activeElement;
          const card = link && link.closest("main article.card");
          return card && link.matches(".card-title a") ? card.dataset.slug : null;
        }"""
    )
    return slug


def slugs(page: Page) -> list[str]:
    found: list[str] = page.locator(CARDS).evaluate_all("cards => cards.map((c) => c.dataset.slug)")
    return found


def current(page: Page) -> list[str]:
    found: list[str] = page.locator(f"{CARDS}.is-current").evaluate_all("cards => cards.map((c) => c.dataset.slug)")
    return found


def test_j_and_k_move_between_cards(served: Served, page: Page, console: Console) -> None:
    page.goto(served.url())
    cards = slugs(page)
    page.keyboard.press("j")
    assert focused_card(page) == cards[0] and current(page) == [cards[0]]
    page.keyboard.press("j")
    assert focused_card(page) == cards[1] and current(page) == [cards[1]]
    page.keyboard.press("k")
    assert focused_card(page) == cards[0] and current(page) == [cards[0]]
    page.keyboard.press("k")  # the first stays the first
    assert focused_card(page) == cards[0]
    for _ in range(len(cards) + 2):
        page.keyboard.press("j")
    assert focused_card(page) == cards[-1]
    assert page.locator(f"{CARDS}.is-current").is_visible()
    # keys with Ctrl or Alt are the browser's
    page.keyboard.press("Control+k")
    page.keyboard.press("Alt+j")
    assert focused_card(page) == cards[-1]
    console.assert_clean()


def test_s_saves_the_current_card(served: Served, page: Page, console: Console) -> None:
    page.goto(served.url())
    page.keyboard.press("j")
    page.keyboard.press("j")
    button = page.locator(CARDS).nth(1).locator("button[data-save]")
    assert button.get_attribute("aria-pressed") == "false"
    page.keyboard.press("s")
    assert button.get_attribute("aria-pressed") == "true"
    assert page.locator(CARDS).first.locator("button[data-save]").get_attribute("aria-pressed") == "false"
    page.keyboard.press("s")
    assert button.get_attribute("aria-pressed") == "false"
    console.assert_clean()


def test_o_and_enter_open_the_current_card(served: Served, page: Page, console: Console) -> None:
    page.goto(served.url())
    first, second = slugs(page)[:2]
    page.keyboard.press("j")
    page.keyboard.press("o")
    page.wait_for_url(served.url(f"papers/{first}/"))
    page.go_back()
    page.wait_for_url(served.url())
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.wait_for_url(served.url(f"papers/{second}/"))
    assert page.evaluate("history.length") == 3  # home, first, second: Enter navigated once
    console.assert_clean()


def test_question_mark_shows_the_keys(served: Served, page: Page, console: Console) -> None:
    page.goto(served.url())
    page.keyboard.press("j")
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    assert dialog.is_visible()
    assert page.evaluate("document.activeElement.closest('dialog') !== null")
    assert re.search(r"j\s+Next paper", dialog.inner_text())
    page.keyboard.press("j")  # the list does not move under the dialog
    page.keyboard.press("Escape")
    assert dialog.is_hidden()
    assert focused_card(page) == slugs(page)[0]  # the focus is back where it was
    page.keyboard.press("?")
    assert dialog.is_visible()
    page.keyboard.press("?")
    assert dialog.is_hidden()
    page.keyboard.press("?")
    dialog.get_by_role("button", name="Close").click()
    assert dialog.is_hidden()
    assert page.locator("dialog").count() == 1
    console.assert_clean()


def test_keys_typed_into_a_field_are_text(served: Served, page: Page, console: Console) -> None:
    page.goto(served.url())
    page.locator("#header-q").press_sequentially("jks?o")
    assert page.input_value("#header-q") == "jks?o"
    assert page.evaluate("document.activeElement.id") == "header-q"
    assert current(page) == []
    assert page.locator("dialog[open]").count() == 0
    console.assert_clean()


def test_search_results_are_a_list_too(served: Served, page: Page, console: Console) -> None:
    page.goto(served.url("search/?q=memory"))
    page.locator("#search[data-state=results]").wait_for(state="attached")
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press("j")
    page.keyboard.press("j")
    results = page.locator("#search-results article.card")
    assert focused_card(page) == results.nth(1).get_attribute("data-slug")
    console.assert_clean()


def test_pages_without_cards_keep_their_keys(served: Served, page: Page, console: Console) -> None:
    page.goto(served.url("topics/"))
    page.keyboard.press("?")
    page.keyboard.press("j")
    assert page.locator("dialog").count() == 0
    console.assert_clean()
