"""How the bench runs papersite: a snapshot of the package taken when a bench starts, the environment (the clock
pinned) and the command. Shared by ``run.py`` and ``hugo.py``."""

from __future__ import annotations

import compileall
import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


EPOCH = str(int(dt.datetime(2026, 7, 2, tzinfo=dt.UTC).timestamp()))
"""SOURCE_DATE_EPOCH for every build: the day after the extra listing, so the freshness check passes."""


def papersite() -> list[str]:
    return [sys.executable, "-m", "generator"]


CODE = HERE / "out" / "code"
"""A snapshot of the generator package taken when the bench starts: edits made to the working tree while it runs
(which would change papersite's code fingerprint and so empty its caches) do not reach the builds."""


snapshot = "?"
"""The commit the snapshot was taken at (and whether the package differed from it), for ``bench/results.md``."""


def snapshot_code() -> None:
    """Copy the package and compile it to bytecode, as installing a package does (pip compiles what it installs):
    with PYTHONDONTWRITEBYTECODE set, every build would otherwise compile every module from source first."""
    global snapshot
    snapshot = revision()
    shutil.rmtree(CODE, ignore_errors=True)
    shutil.copytree(REPO / "generator", CODE / "generator", ignore=shutil.ignore_patterns("__pycache__"))
    compileall.compile_dir(CODE / "generator", quiet=1)


def env() -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(CODE), os.environ.get("PYTHONPATH", "")) if p)
    return {
        **os.environ,
        "SOURCE_DATE_EPOCH": EPOCH,
        "PYTHONHASHSEED": "0",
        "PAPERSITE_PROGRESS": "1",
        "PYTHONPATH": path,
    }


def revision() -> str:
    """The commit of the working tree, and whether the package has changes not committed."""
    rev = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(
        ["git", "-C", str(REPO), "status", "--porcelain", "generator"], capture_output=True, text=True
    )
    return f"{rev.stdout.strip() or '?'}{' (with uncommitted changes)' if dirty.stdout.strip() else ''}"
