"""Malformed listings, one folder per case under ``tests/malformed/`` (like Zola's ``test_sites_invalid``).

Each folder holds the listing file(s) and ``expected.txt``:

- ``# ...`` comment lines;
- ``exit: N``: the exit status of ``python -m generator ingest``;
- ``paper: SLUG``: a content file the case must still produce;
- any other line must appear in stderr (``re:`` prefix: a regular expression, searched).

Every case runs beside a well-formed control listing, whose paper must always be written: one bad listing
never stops the others. Two cases are generated at test time rather than committed (see ``GENERATED``). A last
test puts every case in one ingest run.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CASES_DIR = Path(__file__).resolve().parent / "malformed"
CASES = sorted(p.name for p in CASES_DIR.iterdir() if (p / "expected.txt").is_file())
CONTROL = """Daily Papers

Feb 6

Control Paper That Always Ingests

A well-formed control listing beside every malformed case: its paper must always be written.

  • 2 authors
·
Jan 30, 2026 1
"""
CONTROL_SLUG = "control-paper-that-always-ingests"
PROBLEM_LINE = re.compile(r"^\S[^:]*(?::\d+)?: (?:warning|error): \S")
HUGE_BYTES = 50 * 1024 * 1024
MAX_RSS_KB = 400 * 1024
"""Peak memory allowed for ingesting the 50 MB listing (the interpreter and imports take about 60 MB)."""


def generate_huge(folder: Path) -> None:
    """A 50 MB HF daily-papers JSON array of plausible items, written in chunks."""
    item = {
        "paper": {
            "id": "ID",
            "title": "A plausible title about memory in language models",
            "summary": "word " * 180,
            "authors": [{"name": "A. Author"}] * 5,
            "publishedAt": "2026-02-01T00:00:00.000Z",
        },
        "publishedAt": "2026-02-06T08:00:00.000Z",
        "numComments": 1,
    }
    template = json.dumps(item)
    written = 0
    with (folder / "hf-daily-2026-02-06.json").open("w", encoding="utf-8") as handle:
        handle.write("[\n")
        number = 0
        while written < HUGE_BYTES:
            chunk = ",\n".join(
                template.replace('"ID"', f'"{2401 + (number + i) // 90000}.{(number + i) % 90000:05d}"')
                for i in range(1000)
            )
            handle.write(("," if number else "") + chunk + "\n")
            written += len(chunk) + 2
            number += 1000
        handle.write("]\n")


def generate_long_title(folder: Path) -> None:
    """A 100,000-character title, in a plain-text listing and in an HF JSON listing."""
    title = ("Memory " * 20_000)[:100_000]
    (folder / "hf-papers-2026-02-06.txt").write_text(
        f"Daily Papers\n\nFeb 6\n\n{title}\n\nAn abstract.\n\n  • 2 authors\n·\nJan 30, 2026\n", encoding="utf-8"
    )
    items = [{"paper": {"id": "2601.00042", "title": title, "summary": "An abstract."}}]
    (folder / "hf-daily-2026-02-06.json").write_text(json.dumps(items, indent=1), encoding="utf-8")


GENERATED: dict[str, Callable[[Path], None]] = {"huge": generate_huge, "long-title": generate_long_title}


def expectations(case: str) -> tuple[int, list[str], list[str]]:
    """(exit status, stderr patterns, slugs that must be written) from the case's ``expected.txt``."""
    status, patterns, slugs = 0, [], []
    for line in (CASES_DIR / case / "expected.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("exit:"):
            status = int(line.split(":", 1)[1])
        elif line.startswith("paper:"):
            slugs.append(line.split(":", 1)[1].strip())
        else:
            patterns.append(line)
    return status, patterns, slugs


def place_case(case: str, listings: Path) -> None:
    """Copy (or generate) the case's listing files into ``listings``."""
    listings.mkdir(parents=True, exist_ok=True)
    for path in (CASES_DIR / case).iterdir():
        if path.name != "expected.txt":
            shutil.copy(path, listings / path.name)
    if case in GENERATED:
        GENERATED[case](listings)


def ingest(root: Path) -> tuple[int, str, int]:
    """Run ``python -m generator ingest`` in ``root``: (exit status, stderr, peak memory in KiB)."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "SOURCE_DATE_EPOCH": "1770595200"}
    with open(root / "stderr.txt", "w+b") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "generator", "ingest"], cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=err
        )
        _pid, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        return proc.returncode, err.read().decode("utf-8", "replace"), usage.ru_maxrss


def check_stderr(stderr: str, patterns: list[str]) -> list[str]:
    """Patterns missing from ``stderr``, and lines that are neither problems nor the summary."""
    missing = []
    for pattern in patterns:
        found = re.search(pattern[3:], stderr) if pattern.startswith("re:") else pattern in stderr
        if not found:
            missing.append(f"missing: {pattern}")
    for line in stderr.splitlines():
        if not (PROBLEM_LINE.match(line) or line.startswith("ingested ")):
            missing.append(f"unexpected output line: {line[:200]}")
    return missing


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES)
def test_malformed_listing(case: str, tmp_path: Path) -> None:
    listings = tmp_path / "content" / "listings"
    place_case(case, listings)
    (listings / "control-2026-02-06.txt").write_text(CONTROL, encoding="utf-8")
    status, patterns, slugs = expectations(case)

    code, stderr, peak_kb = ingest(tmp_path)

    assert "Traceback" not in stderr
    assert not check_stderr(stderr, patterns), f"{check_stderr(stderr, patterns)}\n--- stderr:\n{stderr[:4000]}"
    assert code == status, stderr[:4000]
    papers = tmp_path / "content" / "papers"
    for slug in [CONTROL_SLUG, *slugs]:
        assert (papers / f"{slug}.md").is_file(), f"{slug}.md not written; stderr:\n{stderr[:4000]}"
    if case == "huge":
        assert peak_kb < MAX_RSS_KB, f"ingest of a 50 MB listing peaked at {peak_kb // 1024} MB"
    if case == "long-title":
        for path in papers.glob("*.md"):
            title_line = next(
                line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("title:")
            )
            assert len(title_line) < 520


def test_every_case_in_one_run(tmp_path: Path) -> None:
    """All malformed listings side by side in one ingest: every message still appears, the control still ingests."""
    listings = tmp_path / "content" / "listings"
    wanted: list[str] = []
    for case in CASES:
        if case != "huge":  # 50 MB once is enough
            place_case(case, listings / case)
            wanted += expectations(case)[1]
    (listings / "control-2026-02-06.txt").write_text(CONTROL, encoding="utf-8")

    code, stderr, _ = ingest(tmp_path)

    assert "Traceback" not in stderr
    assert not check_stderr(stderr, wanted), check_stderr(stderr, wanted)
    assert code == 1
    assert (tmp_path / "content" / "papers" / f"{CONTROL_SLUG}.md").is_file()


def test_cases_are_all_here() -> None:
    """The issue's list of malformed inputs, each with its folder."""
    required = {
        "empty",
        "binary",
        "truncated-json",
        "huge",
        "long-title",
        "broken-embedded-json",
        "wrong-types",
        "arxiv-error",
        "text-no-date",
        "duplicate-cards",
    }
    assert required <= set(CASES)


@pytest.mark.slow
def test_fuzz_smoke(tmp_path: Path) -> None:
    """A few seconds of ``make fuzz`` (fuzz/fuzz_listings.py): the seeds and some mutations of them never crash a
    parser. The full run is ``make fuzz`` (FUZZ_SECONDS, default 300)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    result = subprocess.run(
        [
            sys.executable,
            str(REPO / "fuzz" / "fuzz_listings.py"),
            "-runs=3000",
            "-max_total_time=5",
            f"-artifact_prefix={tmp_path}/",
            str(corpus),
            str(REPO / "fuzz" / "seeds"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert not list(tmp_path.glob("crash-*"))
