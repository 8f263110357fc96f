"""Shared fixtures for the quality gates (issue 6): the real site built into a temporary folder and served over
HTTP on 127.0.0.1, at the root and under a sub-path ``base_url``, plus the tools the gates run.

The site is built from the repository's own ``site.toml`` and ``content/papers`` (what ships), with ``base_url``
set to the local server so canonical links, feeds and the sitemap point back at it. The server is strict: a
request outside the base path is a 404, so a link that forgets the sub-path is caught.

Node tools (vnu-jar, axe-core) come from ``node_modules/``, installed by ``make test`` (``npm ci`` from the
committed lock file). A missing tool or browser skips on a developer machine and fails under ``CI=true``.
"""

from __future__ import annotations

import functools
import http.server
import io
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO
from urllib.parse import unquote, urlsplit

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser

from generator.build import build

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def missing(what: str) -> None:
    """Skip on a developer machine, fail under CI: the gates must never silently not run there."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} (CI=true: quality gates must run)")
    pytest.skip(what)


def node_file(relative: str) -> Path:
    """A file inside node_modules/, or skip/fail naming the install step."""
    path = NODE_MODULES / relative
    if not path.is_file():
        missing(f"{relative} not installed: run `make test` (npm ci) first")
    return path


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files under ``prefix`` only; ``a/`` serves ``a/index.html``; anything else is a 404."""

    prefix = "/"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def translate_path(self, path: str) -> str:
        url_path = unquote(urlsplit(path).path)
        if not url_path.startswith(self.prefix):
            return str(Path(self.directory) / "\0outside-base-path")  # never exists: 404
        return super().translate_path("/" + url_path[len(self.prefix) :])

    def send_head(self) -> io.BytesIO | BinaryIO | None:
        """Like GitHub Pages: a missing file gets the site's 404.html with status 404."""
        path = Path(self.translate_path(self.path))
        if not path.exists() and not (path / "index.html").exists():
            page = Path(self.directory) / "404.html"
            if page.is_file():
                body = page.read_bytes()
                self.send_response(404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                return io.BytesIO(body)
        return super().send_head()

    def guess_type(self, path: str | os.PathLike[str]) -> str:
        name = os.fspath(path)
        if name.endswith(".json"):
            return "application/json"
        if name.endswith((".xml", ".opml")):
            return "application/xml"
        return super().guess_type(path)


@dataclass(frozen=True, slots=True)
class Served:
    """A built site served on 127.0.0.1."""

    directory: Path
    """The built site (what ``site/`` would hold)."""
    base_url: str
    """``http://127.0.0.1:PORT/`` or ``http://127.0.0.1:PORT/sub/path/``; the site was built with it."""

    def url(self, path: str = "") -> str:
        """Absolute URL of a site-relative path."""
        return self.base_url + path.lstrip("/")


def _serve_and_build(tmp: Path, prefix: str) -> Iterator[Served]:
    """Bind a server first (the port goes into ``base_url``), build into ``tmp``, serve until the session ends."""
    directory = tmp / "site"
    handler = functools.partial(type("Handler", (_Handler,), {"prefix": prefix}), directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    base_url = f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    result = build(ROOT, base_url=base_url, out_dir=directory)
    errors = [str(p) for p in result.problems if p.severity == "error"]
    if not result.ok:
        server.server_close()
        pytest.fail("site build failed:\n" + "\n".join(errors or map(str, result.problems)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Served(directory, base_url)
    finally:
        server.shutdown()
        server.server_close()
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def served_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The site built for and served at ``http://127.0.0.1:PORT/``."""
    yield from _serve_and_build(tmp_path_factory.mktemp("quality-root"), "/")


@pytest.fixture(scope="session")
def served_subpath_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The site built for and served at ``http://127.0.0.1:PORT/sub/path/`` (a project-pages style base)."""
    yield from _serve_and_build(tmp_path_factory.mktemp("quality-sub"), "/sub/path/")


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


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's chromium driven by Playwright (Playwright's own browser download cannot work here)."""
    if not CHROMIUM.exists():
        missing(f"{CHROMIUM} not found: apt-get install chromium (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()
