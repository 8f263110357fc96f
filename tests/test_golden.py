"""Golden site: build a small fixed site and compare every output file with the stored expected output.

Each case is an input folder ``tests/fixtures/golden-<case>/`` (``site.toml`` + ``content/papers/*.md``), built
with the repo's real ``themes/default`` and the clock pinned (``SOURCE_DATE_EPOCH``), and compared with
``tests/golden/<case>/``. A failure prints a unified diff per differing file, then the missing and extra files.

After an intended change to the output (templates, feeds, new pages), regenerate and review::

    PAPERSITE_REGEN_GOLDEN=1 .venv/bin/pytest tests/test_golden.py
    git diff tests/golden/            # read it: this is exactly what changed in the output

and commit the new goldens with the change.

Not compared: ``pagefind/`` (the search index: binary, tested elsewhere) and ``static/`` (verbatim copies of the
theme's static files; checked to be byte copies instead). Determinism is checked on everything, ``pagefind/``
included: two builds from scratch give identical bytes.
"""

from __future__ import annotations

import difflib
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

Cli = Callable[..., subprocess.CompletedProcess[str]]
ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"

GOLDEN = Path(__file__).resolve().parent / "golden"
CASES = ["small"]
EXCLUDED = ("pagefind", "static")
"""Top-level output folders left out of the comparison (see the module docstring)."""
REGEN = os.environ.get("PAPERSITE_REGEN_GOLDEN") == "1"
MAX_DIFF_LINES = 80
"""Per file, so one broken template does not bury the rest of the report."""


def build_case(cli: Cli, case: str, where: Path) -> Path:
    """Copy the case's input and the default theme into ``where``, build, return ``site/``."""
    shutil.copytree(FIXTURES / f"golden-{case}", where)
    shutil.copytree(ROOT / "themes" / "default", where / "themes" / "default")
    result = cli(where, "build")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return where / "site"


def output_files(site: Path, excluded: tuple[str, ...] = EXCLUDED) -> dict[str, bytes]:
    return {
        path.relative_to(site).as_posix(): path.read_bytes()
        for path in sorted(site.rglob("*"))
        if path.is_file() and path.relative_to(site).parts[0] not in excluded
    }


def _text(data: bytes) -> list[str]:
    return data.decode("utf-8", errors="replace").splitlines(keepends=True)


def compare(actual: dict[str, bytes], expected: dict[str, bytes]) -> str:
    """A readable report of every difference; empty when the two trees are identical."""
    report: list[str] = []
    for name in sorted(set(actual) & set(expected)):
        if actual[name] == expected[name]:
            continue
        diff = list(difflib.unified_diff(_text(expected[name]), _text(actual[name]), f"golden/{name}", f"built/{name}"))
        if not diff:  # same text, different bytes (line endings, invalid UTF-8)
            diff = [f"--- golden/{name}\n+++ built/{name}\n(bytes differ; text is the same)\n"]
        if len(diff) > MAX_DIFF_LINES:
            diff = [*diff[:MAX_DIFF_LINES], f"... {len(diff) - MAX_DIFF_LINES} more diff lines\n"]
        report.append("".join(line if line.endswith("\n") else line + "\n" for line in diff))
    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected))
    if missing:
        report.append("missing from the build (in the golden only):\n" + "".join(f"  {n}\n" for n in missing))
    if extra:
        report.append("extra in the build (not in the golden):\n" + "".join(f"  {n}\n" for n in extra))
    return "\n".join(report)


def regenerate(actual: dict[str, bytes], folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    for name, data in actual.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


@pytest.mark.parametrize("case", CASES)
def test_golden_site(cli: Cli, case: str, tmp_path: Path) -> None:
    site = build_case(cli, case, tmp_path / case)
    actual = output_files(site)
    if REGEN:
        regenerate(actual, GOLDEN / case)
    expected = output_files(GOLDEN / case)
    assert expected, f"no golden output in tests/golden/{case}/; run with PAPERSITE_REGEN_GOLDEN=1"
    report = compare(actual, expected)
    if report:
        pytest.fail(
            f"built site differs from tests/golden/{case}/ "
            f"(if the change is intended: PAPERSITE_REGEN_GOLDEN=1 pytest tests/test_golden.py)\n\n{report}",
            pytrace=False,
        )


@pytest.mark.slow
def test_static_files_are_byte_copies_of_the_theme(cli: Cli, tmp_path: Path) -> None:
    site = build_case(cli, "small", tmp_path / "small")
    theme_static = ROOT / "themes" / "default" / "static"
    expected = {p.relative_to(theme_static).as_posix(): p.read_bytes() for p in theme_static.rglob("*") if p.is_file()}
    assert expected
    assert output_files(site / "static", ()) == expected


@pytest.mark.slow
def test_two_builds_give_identical_bytes(cli: Cli, tmp_path: Path) -> None:
    first = output_files(build_case(cli, "small", tmp_path / "one"), ())
    second = output_files(build_case(cli, "small", tmp_path / "two"), ())
    assert any(name.startswith("pagefind/") for name in first)
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []
    # Rebuilding in place (whatever a build remembers between runs) changes nothing either.
    again = cli(tmp_path / "one", "build")
    assert again.returncode == 0, again.stderr
    third = output_files(tmp_path / "one" / "site", ())
    assert [name for name in first if first[name] != third.get(name)] == []
    assert third.keys() == first.keys()


def test_compare_reports_diffs_and_missing_and_extra() -> None:
    report = compare({"a.html": b"one\ntwo\n", "new.xml": b""}, {"a.html": b"one\nthree\n", "gone.txt": b"x"})
    assert "--- golden/a.html\n+++ built/a.html\n" in report
    assert "-three\n+two\n" in report
    assert "missing from the build (in the golden only):\n  gone.txt\n" in report
    assert "extra in the build (not in the golden):\n  new.xml\n" in report
    assert compare({"a": b"x"}, {"a": b"x"}) == ""
