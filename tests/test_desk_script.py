"""The reader's desk script (themes/default/static/desk/): its budget, and that it stays on this site."""

from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

DESK = Path(__file__).resolve().parents[1] / "themes" / "default" / "static" / "desk"
BUDGET = 8 * 1024
"""The issue's budget: at most 8 KB gzipped on any page."""


EVERY_PAGE = ("desk.js", "store.js", "keys.js")
PAGES = {
    "list or paper page": ("visits.js",),
    "saved/": ("saved.js", "cards.js"),
    "for-you/": ("foryou.js", "cards.js"),
}
"""The modules each kind of page loads (templates/base.html): every page the entry, the state and the keys; the desk
pages their own module and the cards; the others "new" and "read"."""


def test_every_page_loads_at_most_the_budget_gzipped() -> None:
    sizes = {file.name: len(gzip.compress(file.read_bytes(), 9)) for file in sorted(DESK.glob("*.js"))}
    assert set(sizes) == set(EVERY_PAGE) | {name for more in PAGES.values() for name in more}
    for page, more in PAGES.items():
        loaded = sum(sizes[name] for name in (*EVERY_PAGE, *more))
        assert loaded <= BUDGET, f"{page}: {loaded} bytes gzipped ({sizes})"


def test_modules_import_only_each_other() -> None:
    for file in DESK.glob("*.js"):
        text = file.read_text(encoding="utf-8")
        for spec in re.findall(r"""(?:\bfrom\s+|\bimport\(|^import\s+)["']([^"']+)["']""", text, re.M):
            assert spec.startswith("./") and (DESK / spec[2:]).is_file(), (file.name, spec)
        assert "innerHTML" not in text and "eval(" not in text, file.name


def test_every_module_parses_as_an_es_module(tmp_path: Path) -> None:
    """A syntax error would silently leave every page without its desk: node checks each module (as ``.mjs``)."""
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI"):
            pytest.fail("node is not installed (CI=true: make test needs it for npm)")
        pytest.skip("node is not installed (make test installs the quality tools with npm, which needs it)")
    for file in sorted(DESK.glob("*.js")):
        copy = tmp_path / (file.stem + ".mjs")
        copy.write_bytes(file.read_bytes())
        done = subprocess.run([node, "--check", str(copy)], capture_output=True, text=True, check=False)
        assert done.returncode == 0, f"{file.name}:\n{done.stderr}"
