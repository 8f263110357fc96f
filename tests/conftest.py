"""Shared fixtures: small scratch projects (Lektor style), built from inline text and the repo's real theme.

Test modules use these through fixtures, never ``import conftest`` (``tests/quality/conftest.py`` shares the name):

- ``new_project(path, site_toml=SITE_TOML)``: a folder with ``site.toml``, ``themes/default`` (copied from the
  repo), ``content/papers`` and ``content/listings``; the ``project`` fixture is one with the default config.
- ``paper_writer(root, slug, meta, body)``: one content file, written through ``dump_document``.
- ``cli(root, *args)``: ``python -m generator ARGS`` in a subprocess with cwd = the project and the clock pinned
  (``SOURCE_DATE_EPOCH``); returns the ``CompletedProcess``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from generator.content.document import dump_document

# No per-example deadline for any property test: a deadline is a timing assertion, and on a loaded CI runner (or
# with the tests on every core) it fails examples that are merely slow. Speed goals live in `make bench`.
settings.register_profile("papersite", deadline=None)
settings.load_profile("papersite")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EPOCH = "1770422400"
"""2026-02-07T00:00:00Z: the day after the seed listing's page date, so freshness checks stay quiet."""

SITE_TOML = """\
base_url = "https://example.org/"
title = "Test Papers"
description = "A scratch site for tests."
theme = "default"
per_page = 20
freshness_days = 3650

[[topics]]
slug = "memory"
name = "Memory"
description = "Memory for models and agents."
include = ["memory"]

[[topics]]
slug = "vision"
name = "Vision"
description = "Images and video."
include = ["vision", "image", "video"]
"""


def make_project(root: Path, site_toml: str = SITE_TOML) -> Path:
    """A scratch project in ``root`` using the repo's real default theme."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "site.toml").write_text(site_toml, encoding="utf-8")
    shutil.copytree(ROOT / "themes" / "default", root / "themes" / "default")
    (root / "content" / "papers").mkdir(parents=True)
    (root / "content" / "listings").mkdir(parents=True)
    return root


def write_paper(root: Path, slug: str, meta: dict[str, Any], body: str = "") -> Path:
    """Write ``content/papers/<slug>.md`` with ``slug`` added to the front matter."""
    path = root / "content" / "papers" / f"{slug}.md"
    path.write_text(dump_document({"slug": slug, **meta}, body), encoding="utf-8")
    return path


def cli_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PAPERSITE_")}
    env["SOURCE_DATE_EPOCH"] = EPOCH
    env["PYTHONPATH"] = str(ROOT)
    return env


def run_cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m generator ARGS`` with cwd = ``root``; never raises on a non-zero exit."""
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=root,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project")


@pytest.fixture
def pinned_clock(monkeypatch: pytest.MonkeyPatch) -> str:
    """Pin "now" for in-process builds."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    return EPOCH


@pytest.fixture
def new_project() -> Callable[..., Path]:
    return make_project


@pytest.fixture
def paper_writer() -> Callable[..., Path]:
    return write_paper


@pytest.fixture
def cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    return run_cli
