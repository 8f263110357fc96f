"""Every HTML page (and stylesheet) of the built site passes the Nu HTML Checker (vnu.jar from the ``vnu-jar``
npm package) with no errors. One run over the whole tree; a failure lists each error as ``file:line:col: message``.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

ROOT = Path(__file__).resolve().parents[2]

if TYPE_CHECKING:
    from playwright.sync_api import Browser

    from tests.quality.conftest import Desk, Served, ThreadedChromium


def run_vnu(java: str, jar: Path, directory: Path) -> list[dict[str, object]]:
    """Nu HTML Checker messages (errors only) for every .html and .css file under ``directory``.

    Two runs: ``--also-check-css`` in a run over HTML shifts the HTML line numbers by one (vnu 26.9).
    """
    messages = _vnu(java, jar, ["--skip-non-html", str(directory)])
    stylesheets = sorted(str(p) for p in directory.rglob("*.css"))
    return messages + (_vnu(java, jar, ["--css", *stylesheets]) if stylesheets else [])


def _vnu(java: str, jar: Path, arguments: list[str]) -> list[dict[str, object]]:
    command = [java, "-jar", str(jar), "--errors-only", "--format", "json", *arguments]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    # vnu writes its JSON report to stderr and exits 1 when it found errors.
    try:
        report = json.loads(done.stderr or done.stdout)
    except json.JSONDecodeError:
        raise AssertionError(f"vnu.jar exited {done.returncode} without a JSON report:\n{done.stderr}") from None
    messages: list[dict[str, object]] = report["messages"]
    return messages


def describe(message: dict[str, object], directory: Path) -> str:
    """``papers/x/index.html:12:5: error: message`` and the offending extract."""
    url = str(message.get("url", ""))
    name = url.split(directory.as_posix(), 1)[-1].lstrip("/") or url
    where = f"{name}:{message.get('lastLine', 0)}:{message.get('firstColumn', message.get('lastColumn', 0))}"
    extract = str(message.get("extract", "")).replace("\n", " ").strip()
    return f"{where}: {message.get('type')}: {message.get('message')}" + (f"\n    {extract}" if extract else "")


def test_every_page_is_valid_html(site_at_root: Served, java: str, vnu_jar: Path) -> None:
    pages = sorted(site_at_root.directory.rglob("*.html"))
    assert len(pages) > 10, "the built site should have pages"
    messages = run_vnu(java, vnu_jar, site_at_root.directory)
    errors = [m for m in messages if m.get("type") in {"error", "non-document-error"}]
    assert not errors, f"{len(errors)} error(s) in {len(pages)} pages and their stylesheets:\n" + "\n".join(
        describe(m, site_at_root.directory) for m in errors
    )


def test_golden_site_is_valid_html(java: str, vnu_jar: Path) -> None:
    """The golden test's small site (tests/golden/small): math as MathML, odd characters, a sub-path base URL."""
    golden = ROOT / "tests" / "golden" / "small"
    pages = sorted(golden.rglob("*.html"))
    assert pages, f"{golden} has no pages"
    errors = [m for m in run_vnu(java, vnu_jar, golden) if m.get("type") in {"error", "non-document-error"}]
    assert not errors, f"{len(errors)} error(s) in {len(pages)} golden pages:\n" + "\n".join(
        describe(m, golden) for m in errors
    )


def test_the_checker_reports_errors(tmp_path: Path, java: str, vnu_jar: Path) -> None:
    """The gate itself works: an invalid page and an invalid stylesheet are reported, other files are skipped."""
    (tmp_path / "bad.html").write_text('<!doctype html>\n<html lang="en"><title>x</title>\n<meta content="1">\n')
    (tmp_path / "bad.css").write_text("a { colr: red; }")
    (tmp_path / "feed.xml").write_text("<rss/>")
    lines = [describe(m, tmp_path) for m in run_vnu(java, vnu_jar, tmp_path)]
    assert len(lines) == 2, lines
    assert lines[0].startswith("bad.html:3:") and "meta" in lines[0]
    assert lines[1].startswith("bad.css:1:") and "colr" in lines[1]


def _rendered(browser: Browser, url: str, init: str, ready: str) -> str:
    context = browser.new_context()
    try:
        context.add_init_script(init)
        page = context.new_page()
        page.goto(url)
        page.wait_for_selector(ready)
        return page.content()
    finally:
        context.close()


@pytest.mark.browser
def test_desk_pages_filled_in_by_script_are_valid_html(
    site_at_root: Served, chromium: ThreadedChromium, desk: Desk, java: str, vnu_jar: Path, tmp_path: Path
) -> None:
    """The saved and "for you" pages with papers saved, and the home page with "New" and "Read" badges, as the
    desk's script leaves them (the DOM serialised); with nothing saved they are the built pages checked above."""
    init = desk.state(site_at_root.directory, site_at_root.base_path)
    for name, path in desk.pages.items():
        html = chromium.run(_rendered, site_at_root.url(path), init, desk.ready[name])
        (tmp_path / f"{name}.html").write_text(html, encoding="utf-8")
    errors = [m for m in run_vnu(java, vnu_jar, tmp_path) if m.get("type") in {"error", "non-document-error"}]
    assert not errors, "\n".join(describe(m, tmp_path) for m in errors)
