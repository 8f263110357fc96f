"""Fixtures for the quality gates (issue 6), reusing the browser tests' fixtures in ``tests/browser/conftest.py``.

``site_at_root`` / ``site_at_subpath`` (the repository's real site built with the command line and served on
127.0.0.1, strictly under its base path, 404.html for missing files) come from there: that module is loaded under
its own name and its fixtures re-exported, because pytest does not share fixtures between sibling folders.
``chromium`` is Debian's Chromium driven by Playwright from a worker thread: the browser tests' session-wide
sync Playwright already owns the main thread's event loop, and a second one cannot start beside it there.

Every test here is marked ``slow`` (they build the real site and start Java, node or Chromium; the axe tests are
``browser`` too), so ``make check`` leaves the gates to ``make test``.

The gates add the node tools from ``node_modules/`` (installed by ``make test``: ``npm ci`` from the committed
lock file) and Java for vnu.jar. A missing tool or browser skips on a developer machine and fails under
``CI=true``.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, TypeVar

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright

T = TypeVar("T")

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"


def _load_browser_fixtures() -> ModuleType:
    name = "papersite_browser_fixtures"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "tests" / "browser" / "conftest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


_shared = _load_browser_fixtures()
Served = _shared.Served
missing = _shared.missing
site_at_root = _shared.site_at_root
site_at_subpath = _shared.site_at_subpath
CHROMIUM = _shared.CHROMIUM
CHROMIUM_ARGS = _shared.CHROMIUM_ARGS


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.slow)


def node_file(relative: str) -> Path:
    """A file inside node_modules/, or skip/fail naming the install step."""
    path = NODE_MODULES / relative
    if not path.is_file():
        missing(f"node_modules/{relative} not installed: run `make test` (npm ci) first")
    return path


@pytest.fixture(scope="session")
def java() -> str:
    """The ``java`` executable (vnu.jar needs Java 11+)."""
    found = shutil.which("java")
    if found is None:
        missing("java not found: install a JRE (`apt-get install default-jre-headless`; .ci/run does)")
    assert found is not None
    return found


@pytest.fixture(scope="session")
def vnu_jar() -> Path:
    """The Nu HTML Checker from the ``vnu-jar`` npm package."""
    return node_file("vnu-jar/build/dist/vnu.jar")


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's browser bundle, to inject into pages."""
    return node_file("axe-core/axe.min.js").read_text(encoding="utf-8")


class ThreadedChromium:
    """A Chromium browser owned by one worker thread; ``run(fn, *args)`` calls ``fn(browser, *args)`` there."""

    def __init__(self) -> None:
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chromium")
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._thread.submit(self._start).result()

    def _start(self) -> None:
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)

    def _stop(self) -> None:
        if self._browser is not None:
            self._browser.close()
        if self._playwright is not None:
            self._playwright.stop()

    def run(self, fn: Callable[..., T], *args: object) -> T:
        assert self._browser is not None
        return self._thread.submit(fn, self._browser, *args).result()

    def close(self) -> None:
        self._thread.submit(self._stop).result()
        self._thread.shutdown()


@pytest.fixture(scope="session")
def chromium() -> Iterator[ThreadedChromium]:
    """Debian's Chromium through Playwright, in its own thread (see the module docstring)."""
    if not Path(CHROMIUM).exists():
        missing(f"{CHROMIUM} not found: apt-get install chromium (.ci/run does)")
    launched = ThreadedChromium()
    yield launched
    launched.close()


DESK_PAGES = {"saved-with-papers": "saved/", "for-you-with-papers": "for-you/", "home-with-new": ""}
"""The reader's desk pages with papers saved (and the home page after an earlier visit), as ``desk_state`` sets."""
DESK_READY = {
    "saved-with-papers": "#saved-list article.card",
    "for-you-with-papers": "#for-you-list article.card",
    "home-with-new": ".badge",
}


def desk_state(site: Path, base_path: str) -> str:
    """An init script storing a reader's desk for the site in ``site``: the first three papers of the home page
    saved, one of them opened, and a visit two hours ago that saw the home page's fifth-newest listing day."""
    home = (site / "index.html").read_text(encoding="utf-8")
    slugs = re.findall(r'<article class="card" data-slug="([^"]+)"', home)
    days = sorted(set(re.findall(r'data-listed="([0-9-]+)"', home)), reverse=True)
    saved = {slug: {"slug": slug, "title": slug, "at": 1000 + i} for i, slug in enumerate(slugs[:3])}
    state = {
        "version": 1,
        "saved": saved,
        "read": {slugs[1]: 1},
        "views": [{"at": 0, "newest": days[min(4, len(days) - 1)]}],
    }
    return (
        f"const state = {json.dumps(state)}; state.views[0].at = Date.now() - 7200000;"
        f"localStorage.setItem({json.dumps('papersite.desk.v1:' + base_path)}, JSON.stringify(state));"
    )


@dataclass(frozen=True, slots=True)
class Desk:
    """The reader's desk pages as the quality gates check them once filled in (``desk`` fixture)."""

    pages: dict[str, str]
    """Name -> site-relative path."""
    ready: dict[str, str]
    """Name -> a selector present once the desk's script has filled the page in."""
    state: Callable[[Path, str], str]
    """``desk_state``: the init script storing a desk for a built site and its base path."""


@pytest.fixture(scope="session")
def desk() -> Desk:
    return Desk(DESK_PAGES, DESK_READY, desk_state)
