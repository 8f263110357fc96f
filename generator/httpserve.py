"""A built site served over HTTP on this machine the way GitHub Pages serves it.

:class:`SiteHandler` answers for the files of one folder under a base path (``/`` or ``/sub/path/``):

- a request outside the base path is a 404, so a link that forgets the sub-path fails here as it would there;
- a folder without its trailing slash, the base path itself included, is redirected to the slash form (301);
- a folder serves its ``index.html``; a folder without one is a 404 (no listings);
- a missing file gets the site's ``404.html`` with status 404 (a plain 404 when the site has none).

HTML pages pass through :meth:`SiteHandler.page_body` on their way out, so a subclass can change them
(``papersite serve`` adds its reload script there). Used by ``papersite serve``, the browser and quality tests,
and ``tools/audit.py``. Standard library only: importing it loads nothing of the build.
"""

from __future__ import annotations

import functools
import http.server
import io
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit, urlunsplit

HTML = "text/html; charset=utf-8"


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """The files of ``directory`` at the URL path ``prefix``; quiet (logs nothing)."""

    prefix = "/"
    """The base path the site is served under, with a slash at both ends: ``/`` or ``/sub/path/``."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def translate_path(self, path: str) -> str:
        """The file for a URL whose path starts with ``prefix`` (:meth:`send_head` turns away the others)."""
        url_path = urlsplit(path).path
        return super().translate_path("/" + url_path[len(self.prefix) :])

    def send_head(self) -> io.BytesIO | BinaryIO | None:
        url = urlsplit(self.path)
        url_path = url.path
        if url_path + "/" == self.prefix:
            self.send_response(301)
            self.send_header("Location", urlunsplit(("", "", self.prefix, url.query, url.fragment)))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if not url_path.startswith(self.prefix):
            return self.send_not_found()
        target = Path(self.translate_path(self.path))
        if target.is_dir():
            if not url_path.endswith("/"):
                return super().send_head()  # the 301 to the slash form
            target = target / "index.html"
        if not target.is_file():
            return self.send_not_found()
        if target.suffix == ".html":
            return self.send_page(target, 200)
        return super().send_head()

    def send_not_found(self) -> io.BytesIO | None:
        """The site's ``404.html`` with status 404, or a plain 404 when the site has no such page."""
        page = Path(self.directory, "404.html")
        if page.is_file():
            return self.send_page(page, 404)
        self.send_error(404, "File not found")
        return None

    def send_page(self, file: Path, status: int) -> io.BytesIO:
        """Headers for an HTML page; its body (after :meth:`page_body`) is returned for the caller to copy out."""
        return self.send_body_head(status, HTML, self.page_body(file.read_bytes()))

    def send_body_head(self, status: int, content_type: str, body: bytes) -> io.BytesIO:
        """The status line and headers of a response of ``body``; ``body`` is returned for the caller to copy out."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def page_body(self, body: bytes) -> bytes:
        """The bytes sent for an HTML page (a page of the site or its 404 page): here, the file as it is."""
        return body


def site_server(
    directory: Path,
    prefix: str = "/",
    host: str = "127.0.0.1",
    port: int = 0,
    handler: type[SiteHandler] = SiteHandler,
    **attributes: object,
) -> http.server.ThreadingHTTPServer:
    """A server bound to ``host:port`` (port 0: a free one, read it from ``server_address``) but not yet serving,
    for ``directory`` at the base path ``prefix`` (a slash is added at an end that lacks one) with ``handler``,
    whose class attributes ``attributes`` sets. Its request threads are daemons. Raises ``OSError`` when the
    address cannot be bound."""
    prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
    bound = type(handler.__name__, (handler,), {"prefix": prefix, **attributes})
    server = http.server.ThreadingHTTPServer((host, port), functools.partial(bound, directory=str(directory)))
    server.daemon_threads = True
    return server
