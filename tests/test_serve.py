"""``papersite serve``: a template edit rebuilds the site and sends ``event: reload`` to open pages."""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from generator.httpserve import site_server
from generator.serve import RELOAD_JS, RELOAD_JS_PATH, RELOAD_SCRIPT, ReloadHandler, _State

ROOT = Path(__file__).resolve().parent.parent
PAPER = """\
---
title: 'Served paper about $L_2$ memory'
slug: served
listed: 2026-02-06
---

An abstract about memory.
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_page(port: int, proc: subprocess.Popen[str]) -> str:
    """The served home page, once the first build is done (give up after a minute: never hang the suite)."""
    for _ in range(600):
        if proc.poll() is not None:
            pytest.fail(f"serve exited early:\n{proc.stderr.read() if proc.stderr else ''}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/")
            return conn.getresponse().read().decode()
        except OSError:
            time.sleep(0.1)
    pytest.fail("serve did not answer")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "content" / "papers").mkdir(parents=True)
    shutil.copy(ROOT / "site.toml", root / "site.toml")
    shutil.copytree(ROOT / "themes" / "default", root / "themes" / "default")
    (root / "content" / "papers" / "served.md").write_text(PAPER, encoding="utf-8")
    return root


@pytest.mark.slow
def test_template_edit_triggers_rebuild_and_reload_event(project: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERSITE_")}
    env.update(SOURCE_DATE_EPOCH="1770422400", PYTHONPATH=str(ROOT))
    args = [sys.executable, "-m", "generator", "serve", "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(args, cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        home = _wait_for_page(port, proc)
        assert "<msub><mi>L</mi><mn>2</mn></msub>" in home  # the math title, rendered by the dev build
        assert "/__papersite/reload" in home  # reload script injected by the dev server only
        assert "__papersite" not in (project / "site" / "index.html").read_text()

        events = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        events.request("GET", "/__papersite/reload")
        stream = events.getresponse()
        assert stream.getheader("Content-Type") == "text/event-stream"

        template = project / "themes" / "default" / "templates" / "base.html"
        template.write_text(template.read_text().replace("</footer>", "<p>edited-by-test</p></footer>"))
        deadline = time.monotonic() + 60  # keep-alives come every 15 s: bound the wait by time, not lines
        line = ""
        while time.monotonic() < deadline:
            line = stream.fp.readline().decode()
            if line.startswith("event: reload") or not line:
                break
        assert line.startswith("event: reload")
        assert "edited-by-test" in (project / "site" / "index.html").read_text()
        events.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_reload_handler_serves_its_script_and_adds_it_to_every_page(tmp_path: Path) -> None:
    """``papersite serve``'s handler, in this process: the reload script at its own path (a file, as the pages'
    Content-Security-Policy requires), a ``<script src>`` of it in every HTML page, and no caching."""
    (tmp_path / "index.html").write_bytes(b"<html><body>home</body></html>")
    server = site_server(tmp_path, "/", handler=ReloadHandler, state=_State())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        for path, body in ((RELOAD_JS_PATH, RELOAD_JS), ("/", b"<html><body>home" + RELOAD_SCRIPT + b"</body></html>")):
            conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
            conn.request("GET", path)
            response = conn.getresponse()
            assert (response.status, response.read()) == (200, body)
            assert response.headers["Cache-Control"] == "no-store"
            conn.close()
    finally:
        server.shutdown()
        server.server_close()
