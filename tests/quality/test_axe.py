"""axe-core finds no accessibility violation on the main kinds of page, in light and dark colour schemes.

axe-core comes from ``node_modules/axe-core`` (``npm ci``) and is injected into each page served over HTTP in
Debian's chromium; the browser context bypasses the pages' CSP so the injected script may run. A failure lists
each violation as ``rule (impact): help`` with the offending elements' selectors.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser

    from tests.quality.conftest import Desk, Served, ThreadedChromium

pytestmark = pytest.mark.browser

# WCAG 2.x A and AA plus axe's best practices: what Lighthouse's accessibility category also draws on.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]},
    "resultTypes": ["violations"],
}

# Kinds of page; page_path() picks one of each from the built site.
PAGES = ["home", "paper", "topic", "topics", "archive", "search", "search-results", "feeds", "digest", "not-found"]
PAGES += ["saved", "for-you"]  # the reader's desk with nothing saved
PAGES += ["status"]  # when the site was built, its sources and days (status/)
DESK_PAGES = ("for-you-with-papers", "home-with-new", "saved-with-papers")
"""The reader's desk pages filled in by script (``desk`` fixture: tests/quality/conftest.py)."""


def first_dir(directory: Path) -> str | None:
    """Name of the alphabetically first sub-folder holding an index.html, or None."""
    names = sorted(p.parent.name for p in directory.glob("*/index.html")) if directory.is_dir() else []
    return names[0] if names else None


def page_path(site: Path, name: str) -> str | None:
    """The site-relative URL path of one page of kind ``name``, or None when the site has none."""
    simple = {"home": "", "topics": "topics/", "archive": "archive/", "search": "search/", "feeds": "feeds/"}
    simple |= {"saved": "saved/", "for-you": "for-you/", "status": "status/"}
    if name in simple:
        path = simple[name]
        return path if (site / path / "index.html").is_file() else None
    if name == "search-results":
        return "search/?q=memory" if (site / "search" / "index.html").is_file() else None
    if name == "not-found":
        return "no-such-page/" if (site / "404.html").is_file() else None
    folder = {"paper": "papers", "topic": "topics", "digest": "digest"}[name]
    if name == "paper":
        with_math = sorted(p.parent.name for p in (site / folder).glob("*/index.html") if "<math" in p.read_text())
        if with_math:
            return f"{folder}/{with_math[0]}/"
    found = first_dir(site / folder)
    return f"{folder}/{found}/" if found else None


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation.get('impact')}): {violation['help']}  {violation['helpUrl']}")
        for node in violation["nodes"][:8]:
            target = " ".join(str(t) for t in node["target"])
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    {target}: {summary[:300]}")
        if len(violation["nodes"]) > 8:
            lines.append(f"    ... and {len(violation['nodes']) - 8} more")
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class Audit:
    """What one page load and axe run found."""

    status: int
    violations: list[dict[str, Any]]
    problems: list[str]
    """Uncaught exceptions, console errors and failed requests."""


def audit_page(
    browser: Browser, url: str, scheme: str, axe_source: str, wait_for: str | None, init: str | None = None
) -> Audit:
    """Load ``url`` in a fresh context with ``scheme`` (after the ``init`` script, when given), inject axe-core and
    run it (in the browser's thread)."""
    context = browser.new_context(color_scheme=scheme, bypass_csp=True)  # type: ignore[arg-type]
    try:
        if init:
            context.add_init_script(init)
        page = context.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
        page.on("console", lambda m: problems.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
        page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
        response = page.goto(url, wait_until="networkidle" if wait_for else "load")
        assert response is not None
        if wait_for:
            page.wait_for_selector(wait_for)
        page.add_script_tag(content=axe_source)
        result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
        return Audit(response.status, result["violations"], problems)
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", PAGES)
def test_no_axe_violations(
    site_at_root: Served, chromium: ThreadedChromium, axe_source: str, name: str, scheme: str
) -> None:
    path = page_path(site_at_root.directory, name)
    assert path is not None, f"the built site has no {name} page"
    url = site_at_root.url(path)
    # Search results are rendered by script: wait for them, so axe audits results and not an empty list.
    wait_for = "#search-results > *" if name == "search-results" else None
    audit = chromium.run(audit_page, url, scheme, axe_source, wait_for)
    problems = audit.problems
    if name == "not-found":
        assert audit.status == 404, f"{path}: HTTP {audit.status}"
        expected = (f"HTTP 404: {url}", "console.error: Failed to load resource")  # the page itself is a 404
        problems = [p for p in problems if not p.startswith(expected)]
    else:
        assert audit.status == 200, f"{path}: HTTP {audit.status}"
    assert not audit.violations, f"{path} ({scheme}): {len(audit.violations)} axe violation(s):\n" + describe(
        audit.violations
    )
    assert not problems, f"{path} ({scheme}): problems in the browser:\n" + "\n".join(problems)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", DESK_PAGES)
def test_no_axe_violations_with_a_desk(
    site_at_root: Served, chromium: ThreadedChromium, axe_source: str, desk: Desk, name: str, scheme: str
) -> None:
    """The desk's pages filled in by script: saved papers, recommendations, "New" and "Read" badges."""
    assert set(DESK_PAGES) == set(desk.pages)
    url = site_at_root.url(desk.pages[name])
    init = desk.state(site_at_root.directory, site_at_root.base_path)
    audit = chromium.run(audit_page, url, scheme, axe_source, desk.ready[name], init)
    assert audit.status == 200
    assert not audit.violations, f"{name} ({scheme}): {len(audit.violations)} axe violation(s):\n" + describe(
        audit.violations
    )
    assert not audit.problems, f"{name} ({scheme}): problems in the browser:\n" + "\n".join(audit.problems)
