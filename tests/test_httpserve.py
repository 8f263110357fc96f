"""``generator/httpserve.py``: a built site served as GitHub Pages serves it, under a base path."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.httpserve import SiteHandler, site_server

NOT_FOUND = b"<html><body>not here</body></html>"


class Marked(SiteHandler):
    def page_body(self, body: bytes) -> bytes:
        return body.replace(b"</body>", b"<i>marked</i></body>")


def serve(directory: Path, prefix: str, handler: type[SiteHandler] = SiteHandler) -> Iterator[int]:
    server = site_server(directory, prefix, handler=handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def get(port: int, path: str, method: str = "GET") -> tuple[int, http.client.HTTPMessage, bytes]:
    """Status, headers (names in any case) and body of one request."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path)
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def make_site(root: Path) -> Path:
    (root / "papers" / "a").mkdir(parents=True)
    (root / "papers" / "a" / "index.html").write_bytes(b"<html><body>paper a</body></html>")
    (root / "empty").mkdir()
    (root / "index.html").write_bytes(b"<html><body>home</body></html>")
    (root / "style.css").write_bytes(b"body{}")
    (root / "404.html").write_bytes(NOT_FOUND)
    return root


@pytest.fixture(scope="module")
def port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """The site of :func:`make_site` served at ``/sub/path/``."""
    yield from serve(make_site(tmp_path_factory.mktemp("httpserve") / "site"), "/sub/path/")


def test_files_and_folders_under_the_base_path(port: int) -> None:
    assert get(port, "/sub/path/")[2] == b"<html><body>home</body></html>"
    assert get(port, "/sub/path/papers/a/")[2] == b"<html><body>paper a</body></html>"
    assert get(port, "/sub/path/papers/a/index.html")[0] == 200
    status, headers, body = get(port, "/sub/path/style.css?v=1")
    assert (status, headers["Content-Type"], body) == (200, "text/css", b"body{}")
    status, headers, body = get(port, "/sub/path/papers/a/", "HEAD")
    assert (status, headers["Content-Length"], body) == (200, "33", b"")


@pytest.mark.parametrize(
    ("path", "location"), [("/sub/path/papers/a?q=1", "/sub/path/papers/a/?q=1"), ("/sub/path", "/sub/path/")]
)
def test_a_folder_without_its_slash_is_redirected(port: int, path: str, location: str) -> None:
    status, headers, _ = get(port, path)
    assert (status, headers["Location"]) == (301, location)


@pytest.mark.parametrize(
    "path", ["/sub/path/missing", "/sub/path/papers/b/", "/sub/path/empty/", "/papers/a/", "/", "/sub/pathx/"]
)
def test_missing_outside_or_without_index_is_the_404_page(port: int, path: str) -> None:
    status, headers, body = get(port, path)
    assert (status, headers["Content-Type"], body) == (404, "text/html; charset=utf-8", NOT_FOUND)


def test_without_a_404_page_a_plain_404(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    (site / "404.html").unlink()
    for port in serve(site, "/"):
        assert get(port, "/missing")[0] == 404
        assert get(port, "/")[0] == 200


def test_html_pages_pass_through_page_body(tmp_path: Path) -> None:
    for port in serve(make_site(tmp_path / "site"), "sub/path", Marked):  # the slashes a base path lacks are added
        assert get(port, "/sub/path/")[2] == b"<html><body>home<i>marked</i></body></html>"
        assert get(port, "/sub/path/nothing")[2] == b"<html><body>not here<i>marked</i></body></html>"
        assert get(port, "/sub/path/style.css")[2] == b"body{}"
