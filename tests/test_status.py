"""The status page: the scrape log read and written (``content/scrape_log.py``), each day's papers or why there were
none (``site/status.py``), ``status/`` and ``status.json`` as built (``render/status.py``), and the size of the
stale-site banner's script."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.build import build
from generator.content.scrape_log import SCRAPE_LOG, Attempt, append_attempt, attempt_line, parse_log
from generator.model import Paper
from generator.site.status import REASONS, History, day_statuses, listing_count, listing_statuses, source_statuses

ROOT = Path(__file__).resolve().parents[1]
STATUS_JS = ROOT / "themes" / "default" / "static" / "status.js"
AT = datetime(2026, 2, 7, 6, 0, 12, tzinfo=UTC)
DAY_SECONDS = 86400


def attempt(day: str, outcome: str, minute: int = 0, source: str = "hf-daily", **more: Any) -> Attempt:
    return Attempt(AT.replace(minute=minute), source, date.fromisoformat(day), outcome, **more)


def paper(slug: str, listed: str, *sources: str) -> Paper:
    return Paper(slug, slug, "", f"content/papers/{slug}.md", listed=date.fromisoformat(listed), sources=sources)


# The log a week of scraping might leave: a success, a failure, a snapped-back day, an empty day, a failure that a
# later retry fixed, a saved listing whose papers were all listed before; the weekend has no line.
LOG = [
    attempt("2026-02-02", "saved", papers=2, file="hf-daily-2026-02-02.json"),
    attempt("2026-02-03", "failed", error="HTTP 503 Service Unavailable from the HF API"),
    attempt("2026-02-04", "snapped-back", papers=2, served=date(2026, 2, 2)),
    attempt("2026-02-05", "empty", papers=0),
    attempt("2026-02-06", "failed", 1, error="timed out"),
    attempt("2026-02-06", "saved", 2, papers=1, file="hf-daily-2026-02-06.json"),
    attempt("2026-01-30", "saved", 3, papers=4, file="hf-daily-2026-01-30.json"),
    attempt("2026-02-07", "saved", 4, source="hf-search:memory", papers=3, file="hf-search-memory-2026-02-07.json"),
]
PAPERS = (
    paper("a", "2026-02-02", "hf-daily-2026-02-02.json"),
    paper("b", "2026-02-02", "hf-daily-2026-02-02.json"),
    paper("c", "2026-02-06", "hf-daily-2026-02-06.json", "hf-papers-search-memory.txt"),
)


def log_text(attempts: list[Attempt]) -> str:
    return b"".join(attempt_line(a) for a in attempts).decode()


# --- the log ---------------------------------------------------------------------------------------------------


def test_a_line_round_trips_with_every_key_in_a_fixed_order() -> None:
    line = attempt_line(LOG[2])
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    data = json.loads(line)
    assert list(data) == ["at", "source", "day", "outcome", "papers", "error", "file", "served"]
    assert data["at"] == "2026-02-07T06:00:12Z" and data["served"] == "2026-02-02"
    (read,), problems = parse_log(line.decode(), "log")
    assert problems == [] and read == Attempt(**{**_fields(LOG[2]), "line": 1})


def _fields(a: Attempt) -> dict[str, object]:
    return {name: getattr(a, name) for name in Attempt.__dataclass_fields__}


def test_malformed_lines_are_warnings_naming_file_and_line() -> None:
    good = attempt_line(LOG[0]).decode().strip()
    text = "\n".join(
        [
            good,
            "",
            "{not json",
            "[1, 2]",
            good.replace('"saved"', '"maybe"'),
            good.replace('"2026-02-02"', '"2026-02-31"'),
            good.replace('"papers": 2', '"papers": -1'),
            '{"source": "hf-daily"}',
            good.replace('"hf-daily"', '"hf-daily", "later_key": true'),  # unknown keys are for later versions
        ]
    )
    attempts, problems = parse_log(text, "content/status/scrape-log.jsonl")
    assert [a.line for a in attempts] == [1, 9]
    assert [(p.path, p.line, p.severity) for p in problems] == [
        ("content/status/scrape-log.jsonl", line, "warning") for line in (3, 4, 5, 6, 7, 8)
    ]
    assert str(problems[0]).startswith("content/status/scrape-log.jsonl:3: warning: not a JSON line (")
    assert "`outcome` must be one of saved, failed, snapped-back, empty, got 'maybe'" in problems[2].message
    assert all(p.message.endswith("; line skipped") for p in problems)


@given(st.text())
def test_any_text_reads_without_raising(text: str) -> None:
    attempts, problems = parse_log(text, "log")
    assert len(attempts) + len(problems) <= len(text.splitlines())


def test_append_adds_one_line_per_attempt_and_ends_a_cut_line_first(tmp_path: Path) -> None:
    log = tmp_path / "content" / "status" / "scrape-log.jsonl"
    append_attempt(log, LOG[0])
    append_attempt(log, LOG[1])
    assert log.read_bytes() == attempt_line(LOG[0]) + attempt_line(LOG[1])
    with log.open("ab") as cut:
        cut.write(b'{"at": "2026-02')  # a write cut short
    append_attempt(log, LOG[2])
    attempts, problems = parse_log(log.read_text(), "log")
    assert [a.outcome for a in attempts] == ["saved", "failed", "snapped-back"]
    assert [p.line for p in problems] == [3]


# --- days and sources ------------------------------------------------------------------------------------------


def test_each_day_says_how_many_papers_or_why_none() -> None:
    history = History(tuple(LOG), ("hf-daily-2026-01-30.json", "hf-daily-2026-02-02.json"), True)
    days = day_statuses(PAPERS, history, date(2026, 2, 8), days=11)
    assert [d.day for d in days] == [date(2026, 1, 29 + i) if i < 3 else date(2026, 2, i - 2) for i in range(11)]
    got = {d.day.isoformat(): (d.papers, d.reason, d.note) for d in days}
    assert got == {
        "2026-01-29": (0, "no-listing", None),  # a weekday: no listing file, no log line
        "2026-01-30": (0, "no-new-papers", None),  # saved, but every paper in it was listed earlier
        "2026-01-31": (0, "weekend", None),
        "2026-02-01": (0, "weekend", None),
        "2026-02-02": (2, None, None),
        "2026-02-03": (0, "failed", "HTTP 503 Service Unavailable from the HF API"),
        "2026-02-04": (0, "snapped-back", "HF served the papers of 2026-02-02"),
        "2026-02-05": (0, "day-off", None),
        "2026-02-06": (1, None, None),  # failed, then saved: the papers count
        "2026-02-07": (0, "weekend", None),  # a search that day is not the daily listing
        "2026-02-08": (0, "weekend", None),
    }
    assert days[5].why == "scrape failed" and days[6].why == "HF snapped back to the previous day"
    assert days[2].why == "weekend or HF's day off" and days[0].why == "no listing saved" and days[4].why == ""


def test_the_last_attempt_of_a_day_decides_its_reason() -> None:
    later_failure = [LOG[1], attempt("2026-02-03", "snapped-back", 5, served=date(2026, 2, 2))]
    (day,) = day_statuses((), History(tuple(later_failure)), date(2026, 2, 3), days=1)
    assert day.reason == "snapped-back"
    (day,) = day_statuses((), History(tuple(reversed(later_failure))), date(2026, 2, 3), days=1)
    assert day.reason == "snapped-back", "ordered by time, not by line"


def test_each_source_has_its_last_attempt_and_last_success() -> None:
    failing = attempt("2026-02-07", "failed", 9, error="HTTP 500")
    sources = source_statuses((*LOG, failing))
    assert [s.source for s in sources] == ["hf-daily", "hf-search:memory"]
    daily, search = sources
    assert daily.last_attempt is failing and daily.attempts == 8
    assert daily.last_success == LOG[6]  # 2026-01-30 ran last (minute 3)
    assert search.last_attempt is search.last_success is LOG[7]
    assert source_statuses((LOG[1],))[0].last_success is None


def test_listings_are_named_by_the_papers_sources() -> None:
    rows = [(row.file, row.papers, row.newest_listed) for row in listing_statuses(PAPERS)]
    assert rows == [  # newest listed day first, then by name
        ("hf-daily-2026-02-06.json", 1, date(2026, 2, 6)),
        ("hf-papers-search-memory.txt", 1, date(2026, 2, 6)),
        ("hf-daily-2026-02-02.json", 2, date(2026, 2, 2)),
    ]
    assert [row.file for row in listing_statuses(PAPERS, 1)] == ["hf-daily-2026-02-06.json"]
    assert listing_count(PAPERS) == 3


# --- the built site --------------------------------------------------------------------------------------------


def seed_project(where: Path) -> Path:
    """The repository's own site: ``site.toml``, ``content/`` (papers and listings) and the themes."""
    where.mkdir(parents=True)
    shutil.copy(ROOT / "site.toml", where / "site.toml")
    shutil.copytree(ROOT / "content", where / "content")
    shutil.copytree(ROOT / "themes", where / "themes")
    return where


@pytest.fixture
def seed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1770422400")  # 2026-02-07T00:00:00Z, the day after the seed's page
    return seed_project(tmp_path / "seed")


def status_of(project: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((project / "site" / "status.json").read_text(encoding="utf-8"))
    return data


def page_text(project: Path) -> str:
    html = (project / "site" / "status" / "index.html").read_text(encoding="utf-8")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")
    return re.sub(r" (?=[.,;:)])", "", text)


@pytest.mark.slow
def test_the_seed_site_tells_its_status_truthfully(seed: Path) -> None:
    assert not (seed / SCRAPE_LOG).exists(), "the repository has no scrape log yet"
    assert build(seed, search=False).ok
    status = status_of(seed)
    assert status["version"] == 1
    assert status["built_at"] == "2026-02-07T00:00:00Z"
    assert status["newest_listed_day"] == "2026-02-06"  # the seed's page date "Feb 6", its year inferred
    assert status["freshness_days"] == 3
    # feeds: the site, the digest, the popular papers and the 19 topics
    assert status["counts"] == {"papers": 59, "topics": 19, "feeds": 22, "listings": 1}
    assert status["scrape_log"] == {"exists": False, "attempts": 0} and status["sources"] == []
    assert status["listings"] == [
        {"file": "hf-papers-search-memory.txt", "papers": 59, "newest_listed_day": "2026-02-06"}
    ]
    days = status["days"]
    assert isinstance(days, list) and len(days) == 60
    assert days[0]["day"] == "2025-12-10" and days[-1]["day"] == "2026-02-07"
    assert days[-2] == {"day": "2026-02-06", "papers": 59, "reason": None, "why": None, "note": None}
    assert days[-1]["reason"] == "weekend" and days[-3]["reason"] == "no-listing"
    assert sum(day["papers"] for day in days) == 59
    text = page_text(seed)
    assert "Built on Feb 7, 2026, 00:00 UTC." in text
    assert "The newest papers were listed on Feb 6, 2026." in text
    assert "No scrape has been logged yet: content/status/scrape-log.jsonl does not exist." in text
    assert "Fri, Feb 6 59" in text and "Thu, Feb 5 0 no listing saved" in text


@pytest.mark.slow
def test_a_scrape_log_shows_every_reason_and_a_bad_line_is_a_warning(seed: Path) -> None:
    log = seed / SCRAPE_LOG
    log.parent.mkdir(parents=True)
    log.write_text(log_text(LOG) + "not json\n", encoding="utf-8")
    (seed / "content" / "listings" / "hf-daily-2026-01-30.json").write_text("[]", encoding="utf-8")
    result = build(seed, search=False)
    assert result.ok
    assert [str(p) for p in result.problems if "scrape-log" in p.path] == [
        f"{log}:9: warning: not a JSON line (Expecting value: line 1 column 1 (char 0)); line skipped"
    ]
    status = status_of(seed)
    assert status["scrape_log"] == {"exists": True, "attempts": 8}
    daily = status["sources"][0]  # type: ignore[index]
    assert daily["source"] == "hf-daily" and daily["attempts"] == 7
    assert daily["last_attempt"]["day"] == "2026-01-30" and daily["last_success"] == daily["last_attempt"]
    reasons = {day["day"]: (day["reason"], day["note"]) for day in status["days"]}  # type: ignore[attr-defined]
    assert reasons["2026-02-03"] == ("failed", "HTTP 503 Service Unavailable from the HF API")
    assert reasons["2026-02-04"] == ("snapped-back", "HF served the papers of 2026-02-02")
    assert reasons["2026-02-05"] == ("day-off", None)
    assert reasons["2026-02-01"] == ("weekend", None)
    assert reasons["2026-01-30"] == ("no-new-papers", None)
    assert reasons["2026-01-29"] == ("no-listing", None)
    text = page_text(seed)
    for why in REASONS.values():
        assert why in text
    assert "scrape failed: HTTP 503 Service Unavailable from the HF API" in text
    assert "HF snapped back to the previous day: HF served the papers of 2026-02-02" in text
    assert "hf-search:memory" in text and "(8 attempts)" in text


@pytest.mark.slow
def test_a_new_day_rewrites_only_the_status_files(seed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert build(seed, search=False).ok
    before = {p: p.read_bytes() for p in (seed / "site").rglob("*") if p.is_file()}
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(1770422400 + DAY_SECONDS))
    assert build(seed, search=False).ok
    after = {p: p.read_bytes() for p in (seed / "site").rglob("*") if p.is_file()}
    assert sorted(before) == sorted(after)
    changed = sorted(str(p.relative_to(seed / "site")) for p in after if after[p] != before[p])
    assert changed == ["status.json", "status/index.html"]
    assert status_of(seed)["built_at"] == "2026-02-08T00:00:00Z"


@pytest.mark.slow
def test_a_new_log_line_is_seen_by_a_build_that_would_otherwise_be_up_to_date(
    seed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert build(seed, search=False).ok
    assert build(seed, search=False).up_to_date
    log = seed / SCRAPE_LOG
    append_attempt(log, attempt("2026-02-06", "failed", error="HTTP 502"))
    old = 1770422400 - 60  # settled: the stamp trusts the metadata of a file older than two seconds
    os.utime(log, (old, old))
    os.utime(log.parent, (old, old))
    result = build(seed, search=False)
    assert result.ok and not result.up_to_date
    assert status_of(seed)["scrape_log"] == {"exists": True, "attempts": 1}


# --- the banner's script ---------------------------------------------------------------------------------------


def test_the_banner_script_is_small_and_parses_as_an_es_module(tmp_path: Path) -> None:
    data = STATUS_JS.read_bytes()
    assert len(gzip.compress(data, 9)) < 1024
    text = data.decode()
    assert "innerHTML" not in text and "eval(" not in text and "import " not in text
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI"):
            pytest.fail("node is not installed (CI=true: make test needs it for npm)")
        pytest.skip("node is not installed")
    copy = tmp_path / "status.mjs"
    copy.write_bytes(data)
    done = subprocess.run([node, "--check", str(copy)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_every_page_loads_the_banner_and_links_to_the_status_page_in_its_footer(
    project: Path, paper_writer: Callable[..., Path], pinned_clock: str
) -> None:
    paper_writer(project, "one", {"title": "One", "listed": date(2026, 2, 6)}, "About memory.")
    assert build(project, search=False).ok
    pages = sorted((project / "site").rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        html = page.read_text(encoding="utf-8")
        if page.name == "404.html":
            continue
        assert '<script type="module" src="/static/status.js"></script>' in html, page
        assert '<a href="/status/">Status</a>' in html, page
        assert "2026-02-07" not in html or page.parent.name == "status", f"{page} carries the build day"
