"""The reader's desk in Chromium (static/desk/): save from the home page, a paper page and a search result; the
saved page with Remove, its BibTeX, JSON and Markdown exports, and the JSON import; the Cite section; the "for you"
ranking on a corpus built for it; a corrupt stored value; all of it at the root and under a sub-path. Screenshots of
the saved and "for you" pages, light and dark, desktop and phone, go to tests/artifacts/."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from pybtex.database import parse_string

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

    from tests.browser.conftest import Console, Served

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
SAVE = re.compile("^Save “")

ANNOUNCER = "p.visually-hidden[role=status]"
"""The desk's live region (store.js ``announce``); the stale-site banner is a ``role=status`` too."""


def key(served: Served) -> str:
    """The desk's localStorage key for ``served`` (static/desk/store.js)."""
    return f"papersite.desk.v1:{served.base_path}"


def stored(page: Page, served: Served) -> dict:  # type: ignore[type-arg]
    return json.loads(page.evaluate("key => localStorage.getItem(key)", key(served)) or "null")


def save_buttons(page: Page):  # type: ignore[no-untyped-def]
    return page.locator("article.card").get_by_role("button", name=SAVE)


def card_title(page: Page, index: int) -> str:
    return page.locator("article.card .card-title a").nth(index).inner_text().strip()


def wait_complete(page: Page, served: Served, count: int) -> None:
    """Wait until ``count`` papers are saved, each completed from its desk.json (BibTeX and vector)."""
    page.wait_for_function(
        """([key, count]) => {
             const saved = Object.values((JSON.parse(localStorage.getItem(key) || "null") || {}).saved || {});
             return saved.length === count && saved.every(r => r.bib && r.vector) }""",
        arg=[key(served), count],
    )


def save_first(page: Page, served: Served, count: int) -> list[str]:
    """Save the first ``count`` cards of the page shown; their titles, once each record is complete."""
    titles = [card_title(page, i) for i in range(count)]
    for i in range(count):
        save_buttons(page).nth(i).click()
    wait_complete(page, served, count)
    return titles


def test_save_two_from_home_then_saved_page_and_bibtex_export(served: Served, page: Page, console: Console) -> None:
    from playwright.sync_api import expect

    page.goto(served.url())
    buttons = save_buttons(page)
    expect(buttons.first).to_be_visible()
    first, second = card_title(page, 0), card_title(page, 2)
    buttons.nth(0).click()
    expect(buttons.nth(0)).to_have_attribute("aria-pressed", "true")
    expect(page.locator(ANNOUNCER)).to_have_text(f"Saved “{first}”")
    buttons.nth(2).focus()
    page.keyboard.press("Enter")  # a real button: the keyboard reaches it
    expect(buttons.nth(2)).to_have_attribute("aria-pressed", "true")
    wait_complete(page, served, 2)
    page.reload()
    expect(save_buttons(page).nth(0)).to_have_attribute("aria-pressed", "true")
    expect(save_buttons(page).nth(1)).to_have_attribute("aria-pressed", "false")

    page.goto(served.url("saved/"))
    cards = page.locator("#saved-list article.card")
    expect(cards).to_have_count(2)
    assert cards.locator(".card-title a").all_inner_texts() == [second, first]  # newest saved first
    expect(page.locator("#saved-count")).to_have_text("2 saved papers.")
    assert cards.first.locator(".card-summary").inner_text()  # completed from desk.json
    href = cards.first.locator(".card-title a").get_attribute("href") or ""
    assert href.startswith(served.base_path + "papers/")

    link = page.get_by_role("link", name="BibTeX")
    with page.expect_download() as download:
        link.click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    entries = parse_string(text, "bibtex").entries
    assert len(entries) == 2
    titles = [" ".join(entry.fields["title"].split()) for entry in entries.values()]
    for title in (first, second):
        assert any(title.split(":")[0] in t for t in titles), (title, titles)
    with page.expect_download() as download:
        page.get_by_role("link", name="Markdown").click()
    markdown = Path(download.value.path()).read_text(encoding="utf-8")
    assert markdown.startswith("# Saved papers") and markdown.count("\n- [") == 2
    console.assert_clean()


def test_remove_and_json_export_import_round_trip(site_at_subpath: Served, page: Page, console: Console) -> None:
    from playwright.sync_api import expect

    served = site_at_subpath
    page.goto(served.url("topics/"))
    page.locator("main a[href*='/topics/']").first.click()
    saved = save_first(page, served, 3)
    page.goto(served.url("saved/"))
    with page.expect_download() as download:
        page.get_by_role("link", name="JSON").click()
    exported = Path(download.value.path())
    data = json.loads(exported.read_text(encoding="utf-8"))
    assert data["format"] == "papersite-saved" and len(data["papers"]) == 3

    remove = page.locator("#saved-list").get_by_role("button", name=re.compile("^Remove “"))
    expect(remove).to_have_count(3)
    remove.first.click()
    expect(remove).to_have_count(2)
    assert page.evaluate("document.activeElement.dataset.remove") is not None  # focus stays in the list
    page.evaluate("key => localStorage.removeItem(key)", key(served))
    page.reload()
    expect(page.locator("#saved-empty")).to_be_visible()
    page.set_input_files("#saved-import", str(exported))
    expect(page.locator("#saved-list article.card")).to_have_count(3)
    assert sorted(page.locator("#saved-list .card-title a").all_inner_texts()) == sorted(saved)
    expect(page.locator(ANNOUNCER)).to_contain_text("Imported 3 new papers")
    # an import merges: the same file again adds nothing
    page.set_input_files("#saved-import", str(exported))
    expect(page.locator(ANNOUNCER)).to_contain_text("Imported 0 new papers; 3 saved in all")
    console.assert_clean()


def test_import_of_a_hostile_file_injects_nothing(
    site_at_root: Served, page: Page, console: Console, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    hostile = {
        "format": "papersite-saved",
        "papers": [
            {"slug": "x", "title": "<img src=x onerror=alert(1)>", "topics": [["y", "<b>bold</b>"]], "at": 1},
            {"slug": "javascript:alert(1)", "title": "bad slug"},
            {"slug": "../../etc", "title": "bad path"},
            "not a record",
        ],
    }
    file = tmp_path / "hostile.json"
    file.write_text(json.dumps(hostile), encoding="utf-8")
    page.goto(site_at_root.url("saved/"))
    page.set_input_files("#saved-import", str(file))
    expect(page.locator("#saved-list article.card")).to_have_count(1)
    assert page.locator("#saved-list img").count() == 0 and page.locator("#saved-list b").count() == 0
    assert page.locator("#saved-list .card-title a").inner_text() == "<img src=x onerror=alert(1)>"
    # the unknown paper's desk.json is a 404, reported as such; nothing else went wrong
    console.messages[:] = [m for m in console.messages if "/papers/x/desk.json" not in m and "404" not in m]
    console.assert_clean()


def test_save_from_a_paper_page_and_from_a_search_result(served: Served, page: Page, console: Console) -> None:
    from playwright.sync_api import expect

    page.goto(served.url("search/?q=memory"))
    expect(page.locator("#search")).to_have_attribute("data-state", re.compile("^(results|empty)$"))
    result = page.locator("#search-results article.card").first
    found = result.locator(".card-title a").inner_text().strip()
    result.get_by_role("button", name=SAVE).click()
    expect(result.get_by_role("button", name=SAVE)).to_have_attribute("aria-pressed", "true")

    page.goto(served.url())
    page.locator("article.card .card-title a").nth(1).click()
    title = page.locator("h1").inner_text().strip()
    button = page.locator(".actions").get_by_role("button", name=SAVE)
    expect(button).to_be_visible()
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    wait_complete(page, served, 2)
    page.goto(served.url("saved/"))
    expect(page.locator("#saved-list article.card")).to_have_count(len({found, title}))
    assert sorted(page.locator("#saved-list .card-title a").all_inner_texts()) == sorted({found, title})
    console.assert_clean()


def test_cite_section_copy_and_cite_bib(served: Served, browser: Browser, console: Console) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.on("pageerror", console.on_page_error)
    page.on("console", console.on_console)
    page.goto(served.url())
    page.locator("article.card .card-title a").first.click()
    shown = page.locator("#bibtex").inner_text()
    assert shown.startswith("@misc{") and "title = {" in shown
    page.get_by_role("button", name="Copy BibTeX").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == shown
    cite = page.locator(".cite a[download]").get_attribute("href") or ""
    assert cite.startswith(served.base_path + "papers/") and cite.endswith("/cite.bib")
    body = page.evaluate("url => fetch(url).then(r => r.text())", cite)
    assert body == shown and len(parse_string(body, "bibtex").entries) == 1
    context.close()
    console.assert_clean()


def test_a_corrupt_stored_desk_breaks_no_page(served: Served, page: Page, console: Console) -> None:
    from playwright.sync_api import expect

    for value in ("{not json", json.dumps({"version": 1, "saved": 5, "read": [], "views": "x"}), '{"version": 99}'):
        page.add_init_script(f"localStorage.setItem({json.dumps(key(served))}, {json.dumps(value)})")
        for path in ("", "saved/", "for-you/"):
            page.goto(served.url(path))
            expect(page.locator("[data-desk-ready], article.card .desk-tools").first).to_be_visible()
        expect(page.locator("#for-you-empty")).to_be_visible()
    console.assert_clean()


def test_for_you_ranks_the_saved_topic_first(topic_site: Served, page: Page, console: Console) -> None:
    from playwright.sync_api import expect

    page.goto(topic_site.url("for-you/"))
    expect(page.locator("#for-you-empty")).to_be_visible()  # nothing saved: how to start
    page.goto(topic_site.url("topics/proteins/"))
    saved = save_first(page, topic_site, 3)
    page.goto(topic_site.url("for-you/"))
    cards = page.locator("#for-you-list article.card")
    expect(cards).to_have_count(20)
    titles = cards.locator(".card-title a").all_inner_texts()
    assert not set(titles) & set(saved)  # never recommends what is saved
    assert all(t.startswith("Proteins study") for t in titles[:10]), titles
    assert sum(t.startswith("Proteins study") for t in titles) >= 15, titles
    because = cards.first.locator(".because").inner_text()
    assert because.startswith("Because you saved ") and because.removeprefix("Because you saved ") in saved
    expect(page.locator("#for-you-status")).to_contain_text("like the 3 you saved")
    console.assert_clean()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("device", "viewport"), [("desktop", (1280, 900)), ("phone", (390, 844))])
def test_screenshots_of_the_desk(
    topic_site: Served, browser: Browser, scheme: str, device: str, viewport: tuple[int, int]
) -> None:
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, color_scheme=scheme)  # type: ignore[arg-type]
    page = context.new_page()
    page.goto(topic_site.url("topics/speech/"))
    save_first(page, topic_site, 3)
    ARTIFACTS.mkdir(exist_ok=True)
    for name, path, ready in (
        ("saved", "saved/", "#saved-list article.card"),
        ("for-you", "for-you/", "#for-you-list article.card"),
    ):
        page.goto(topic_site.url(path))
        page.wait_for_selector(ready)
        shot = ARTIFACTS / f"desk-{name}-{device}-{scheme}.png"
        page.screenshot(path=str(shot), full_page=False)
        assert shot.stat().st_size > 5000
    context.close()
