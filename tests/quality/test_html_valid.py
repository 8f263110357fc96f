"""Every HTML page of the built site passes the Nu HTML Checker (vnu.jar from the ``vnu-jar`` npm package) with
no errors. One run over the whole tree; the failure lists each error as ``file:line:column: message``.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.quality.conftest import Served


def run_vnu(java: str, jar: Path, directory: Path) -> list[dict[str, object]]:
    """Nu HTML Checker messages (errors only) for every .html file under ``directory``."""
    command = [java, "-jar", str(jar), "--errors-only", "--format", "json", "--skip-non-html", str(directory)]
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
    assert not errors, f"{len(errors)} HTML error(s) in {len(pages)} pages:\n" + "\n".join(
        describe(m, site_at_root.directory) for m in errors
    )
