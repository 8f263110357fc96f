"""``papersite serve``: build, serve ``site/`` on 127.0.0.1, rebuild on changes, reload the open tab.

The reload script is injected into HTML responses by this server only; built files carry no JavaScript.
"""

from __future__ import annotations

import http.server
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

from generator.build import build
from generator.console import print_summary, report
from generator.httpserve import SiteHandler, site_server

RELOAD_PATH = "/__papersite/reload"
# A script file, not inline script: pages carry a Content-Security-Policy that allows scripts from 'self' only.
RELOAD_JS_PATH = "/__papersite/reload.js"
RELOAD_JS = ("new EventSource('" + RELOAD_PATH + "').addEventListener('reload', () => location.reload());\n").encode()
RELOAD_SCRIPT = f'<script src="{RELOAD_JS_PATH}"></script>'.encode()


class _State:
    def __init__(self) -> None:
        self.generation = 0
        self.changed = threading.Condition()

    def bump(self) -> None:
        with self.changed:
            self.generation += 1
            self.changed.notify_all()


class ReloadHandler(SiteHandler):
    """:class:`SiteHandler` for development: the reload script in every HTML page, its event stream, no caching,
    and 4xx/5xx responses logged."""

    state: _State

    def log_message(self, format: str, *args: object) -> None:
        if args and str(args[1] if len(args) > 1 else "").startswith(("4", "5")):
            http.server.BaseHTTPRequestHandler.log_message(self, format, *args)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def do_GET(self) -> None:
        if self.path == RELOAD_PATH:
            self._events()
            return
        if self.path == RELOAD_JS_PATH:
            self.copyfile(self.send_body_head(200, "text/javascript; charset=utf-8", RELOAD_JS), self.wfile)
            return
        super().do_GET()

    def page_body(self, body: bytes) -> bytes:
        return body.replace(b"</body>", RELOAD_SCRIPT + b"</body>", 1)

    def _events(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        seen = self.state.generation
        try:
            while True:
                with self.state.changed:
                    self.state.changed.wait(timeout=15)
                    current = self.state.generation
                if current != seen:
                    self.wfile.write(b"event: reload\ndata: {}\n\n")
                    seen = current
                else:
                    self.wfile.write(b": keep-alive\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return


def _rebuild(root: Path, base_url: str) -> bool:
    result = build(root, base_url=base_url)
    report(result.problems)
    if result.ok:
        print_summary(result)
    else:
        print("build failed; still serving the previous site", file=sys.stderr)
    return result.ok


def _watch(root: Path, base_url: str, state: _State, ready: threading.Event) -> None:
    from watchfiles import watch

    paths = [str(p) for p in (root / "content", root / "themes", root / "templates", root / "site.toml") if p.exists()]
    # yield_on_timeout: the first (empty) yield says the watches are in place, so no early edit is missed.
    for changes in watch(*paths, debounce=300, yield_on_timeout=True, rust_timeout=200):
        ready.set()
        if changes and _rebuild(root, base_url):
            state.bump()


def serve(
    root: Path, host: str = "127.0.0.1", port: int = 8000, watch: bool = True, base_url: str | None = None
) -> int:
    url = base_url or f"http://{host}:{port}/"
    if not _rebuild(root, url):
        return 1
    state = _State()
    try:
        server = site_server(root / "site", urlsplit(url).path, host, port, ReloadHandler, state=state)
    except OSError as exc:
        print(f"{host}:{port}: error: cannot listen: {exc.strerror}; try --port", file=sys.stderr)
        return 1
    if watch:
        ready = threading.Event()
        threading.Thread(target=_watch, args=(root, url, state, ready), daemon=True).start()
        ready.wait(timeout=30)
    print(f"serving {url} (Ctrl-C to stop)", file=sys.stderr)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
