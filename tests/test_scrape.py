"""``papersite scrape`` against a real HTTP server on 127.0.0.1 that serves fixture days and injects faults."""

from __future__ import annotations

import argparse
import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from generator.ingest import fetch, scrape

FIXTURES = Path(__file__).parent / "fixtures"
DAY_25 = (FIXTURES / "hf_api_daily_papers_2024-10-25_first4_excerpt.json").read_bytes()
TRUNCATED = (FIXTURES / "hf_api_daily_papers_truncated.json").read_bytes()
DAY_28 = json.dumps(
    [{"paper": {"id": "2410.19000", "title": "Monday paper"}, "publishedAt": "2024-10-28T01:00:00.000Z"}]
).encode()
# What HF serves on a weekend day: the papers of the last papers-day, in a different byte layout.
SNAPPED = json.dumps(json.loads(DAY_25), indent=1).encode()
EPOCH_28 = str(int(datetime(2024, 10, 28, 12, tzinfo=UTC).timestamp()))


@dataclass
class Reply:
    status: int = 200
    body: bytes = b"[]"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class FakeHF:
    """Scripted replies per request path; the last reply of a script repeats."""

    url: str = ""
    script: dict[str, list[Reply]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)

    def reply(self, path: str) -> Reply:
        replies = self.script.get(path)
        if not replies:
            return Reply(404, b'{"error": "not found"}')
        return replies.pop(0) if len(replies) > 1 else replies[0]


@pytest.fixture
def hf() -> Iterator[FakeHF]:
    fake = FakeHF()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            fake.requests.append((self.path, self.headers.get("User-Agent", "")))
            reply = fake.reply(self.path)
            time.sleep(reply.delay)
            self.send_response(reply.status)
            for name, value in {"Content-Type": "application/json", **reply.headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request: object, client_address: object) -> None:
            pass  # the client gave up on a slow reply: expected in the timeout tests

    server = Server(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/api"
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


def daily(day: str) -> str:
    return f"/api/daily_papers?date={day}"


def run(hf: FakeHF, out: Path, *argv: str, sleeps: list[float] | None = None) -> int:
    """``scrape`` into ``out``; its log is ``log_of(out)``, beside it."""
    parser = argparse.ArgumentParser()
    scrape.add_arguments(parser)
    options = ["--api-url", hf.url, "--out", str(out), "--log", str(log_of(out)), "--rate", "0", "--timeout", "0.3"]
    args = parser.parse_args([*options, "--retries", "2", *argv])
    args.root = str(out.with_name(f"{out.name}-project"))  # no site.toml there: the default [[sources]], HF daily
    return scrape.run(args, sleep=(sleeps if sleeps is not None else []).append)


def log_of(out: Path) -> Path:
    return out.with_name(f"{out.name}-scrape-log.jsonl")


def logged(out: Path) -> list[dict[str, object]]:
    """The scrape log's lines, ``at`` left out (checked to be the pinned clock's or now's)."""
    lines = [json.loads(line) for line in log_of(out).read_text(encoding="utf-8").splitlines()]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", str(line.pop("at"))) for line in lines)
    return lines


def listing(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())} if out.exists() else {}


def test_one_day_saves_the_raw_bytes(hf: FakeHF, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hf.script[daily("2024-10-25")] = [Reply(body=DAY_25)]
    assert run(hf, tmp_path / "out", "--date", "2024-10-25") == 0
    assert listing(tmp_path / "out") == {"hf-daily-2024-10-25.json": DAY_25}
    assert hf.requests == [(daily("2024-10-25"), fetch.USER_AGENT)]
    assert fetch.USER_AGENT.startswith("papersite/") and "(+https://github.com/papersite/papersite)" in fetch.USER_AGENT
    assert "4 papers" in capsys.readouterr().out


def test_500_then_success_retries_with_backoff(hf: FakeHF, tmp_path: Path) -> None:
    hf.script[daily("2024-10-25")] = [Reply(500, b"oops"), Reply(502, b"oops"), Reply(body=DAY_25)]
    sleeps: list[float] = []
    assert run(hf, tmp_path, "--date", "2024-10-25", "--backoff", "0.5", sleeps=sleeps) == 0
    assert sleeps == [0.5, 1.0]
    assert listing(tmp_path) == {"hf-daily-2024-10-25.json": DAY_25}


def test_429_honours_retry_after_seconds_and_http_date(hf: FakeHF, tmp_path: Path) -> None:
    later = formatdate(time.time() + 30, usegmt=True)
    hf.script[daily("2024-10-25")] = [
        Reply(429, b"slow down", {"Retry-After": "7"}),
        Reply(503, b"busy", {"Retry-After": later}),
        Reply(body=DAY_25),
    ]
    sleeps: list[float] = []
    assert run(hf, tmp_path, "--date", "2024-10-25", sleeps=sleeps) == 0
    assert sleeps[0] == 7.0
    assert 25 <= sleeps[1] <= 31
    assert listing(tmp_path) == {"hf-daily-2024-10-25.json": DAY_25}


def test_slow_response_times_out_then_retries(hf: FakeHF, tmp_path: Path) -> None:
    hf.script[daily("2024-10-25")] = [Reply(body=DAY_25, delay=0.6), Reply(body=DAY_25)]
    sleeps: list[float] = []
    assert run(hf, tmp_path, "--date", "2024-10-25", sleeps=sleeps) == 0
    assert sleeps == [1.0]
    assert listing(tmp_path) == {"hf-daily-2024-10-25.json": DAY_25}


def test_timeouts_every_time_fail_the_day(hf: FakeHF, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hf.script[daily("2024-10-25")] = [Reply(body=DAY_25, delay=0.5)]
    assert run(hf, tmp_path, "--date", "2024-10-25", "--retries", "1") == 1
    assert listing(tmp_path) == {}
    assert capsys.readouterr().err.startswith("hf-daily-2024-10-25: error: timed out from http://127.0.0.1:")
    assert len(hf.requests) == 2


def test_truncated_json_is_not_saved_and_keeps_the_old_file(
    hf: FakeHF, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = tmp_path / "hf-daily-2024-10-25.json"
    old.write_bytes(DAY_25)
    before = old.stat().st_mtime_ns
    hf.script[daily("2024-10-25")] = [Reply(body=TRUNCATED)]
    assert run(hf, tmp_path, "--date", "2024-10-25") == 1
    assert listing(tmp_path) == {"hf-daily-2024-10-25.json": DAY_25}
    assert old.stat().st_mtime_ns == before
    err = capsys.readouterr().err
    assert err.startswith("hf-daily-2024-10-25: error: response is not valid JSON (")
    assert err.rstrip().endswith("not saved")
    assert len(hf.requests) == 1  # a complete but invalid body is not retried


def test_client_error_is_not_retried(hf: FakeHF, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(hf, tmp_path, "--date", "2024-10-25") == 1
    assert len(hf.requests) == 1
    assert "hf-daily-2024-10-25: error: HTTP 404" in capsys.readouterr().err


def test_since_skips_snapped_back_days(
    hf: FakeHF, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH_28)
    hf.script.update(
        {
            daily("2024-10-25"): [Reply(body=DAY_25)],
            daily("2024-10-26"): [Reply(body=DAY_25)],  # byte-identical to the saved previous day
            daily("2024-10-27"): [Reply(body=SNAPPED)],  # same papers, listed on the 25th
            daily("2024-10-28"): [Reply(body=DAY_28)],
        }
    )
    assert run(hf, tmp_path, "--since", "2024-10-25") == 0
    assert listing(tmp_path) == {"hf-daily-2024-10-25.json": DAY_25, "hf-daily-2024-10-28.json": DAY_28}
    assert [path for path, _ in hf.requests] == [daily(f"2024-10-{d}") for d in (25, 26, 27, 28)]
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "hf-daily-2024-10-26: warning: HF served the papers of 2024-10-25 (none listed on 2024-10-26); not saved",
        "hf-daily-2024-10-27: warning: HF served the papers of 2024-10-25 (none listed on 2024-10-27); not saved",
    ]


def test_a_failed_day_is_skipped_and_the_exit_code_is_1(
    hf: FakeHF, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH_28)
    (tmp_path / "hf-daily-2024-10-27.json").write_bytes(b"kept as it was")
    hf.script.update(
        {
            daily("2024-10-27"): [Reply(500, b"down")],
            daily("2024-10-28"): [Reply(body=DAY_28)],
        }
    )
    assert run(hf, tmp_path, "--since", "2024-10-27") == 1
    assert listing(tmp_path) == {"hf-daily-2024-10-27.json": b"kept as it was", "hf-daily-2024-10-28.json": DAY_28}


def test_since_after_today_is_a_usage_error(hf: FakeHF, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH_28)
    assert run(hf, tmp_path, "--since", "2024-10-29") == 2
    assert hf.requests == []


def test_query_saves_search_results(hf: FakeHF, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH_28)
    body = (FIXTURES / "hf_api_papers_search_small.json").read_bytes()
    hf.script["/api/papers/search?q=Source+citations%21"] = [Reply(body=body)]
    assert run(hf, tmp_path, "--query", "Source citations!") == 0
    assert listing(tmp_path) == {"hf-search-source-citations-2024-10-28.json": body}


def test_cli_wires_scrape(hf: FakeHF, tmp_path: Path) -> None:
    from generator.cli import main

    hf.script[daily("2024-10-25")] = [Reply(body=DAY_25)]
    argv = ["--root", str(tmp_path), "scrape", "--date", "2024-10-25", "--api-url", hf.url, "--rate", "0"]
    assert main(argv) == 0
    assert listing(tmp_path / "content" / "listings") == {"hf-daily-2024-10-25.json": DAY_25}


def test_rate_limit_spaces_requests() -> None:
    now = [100.0]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    fetcher = scrape.Fetcher(rate=2.0, sleep=sleep, clock=lambda: now[0])
    for _ in range(3):
        fetcher._wait_turn()
        now[0] += 0.5
    assert sleeps == [1.5, 1.5]


def test_retry_after_forms() -> None:
    now = datetime(2024, 10, 25, 12, 0, 0, tzinfo=UTC)
    assert fetch.retry_after("120", now) == 120.0
    assert fetch.retry_after("Fri, 25 Oct 2024 12:00:30 GMT", now) == 30.0
    assert fetch.retry_after("Fri, 25 Oct 2024 11:00:00 GMT", now) == 0.0
    assert fetch.retry_after("soon", now) is None
    assert fetch.retry_after(None, now) is None


def test_slugify_and_today(monkeypatch: pytest.MonkeyPatch) -> None:
    assert scrape.slugify("Source citations!") == "source-citations"
    assert scrape.slugify("???") == "query"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH_28)
    assert scrape.today() == date(2024, 10, 28)


def test_option_defaults_and_help_come_from_the_fetcher() -> None:
    parser = argparse.ArgumentParser()
    scrape.add_arguments(parser)
    args = parser.parse_args(["--date", "2024-10-25"])
    default = scrape.Fetcher()
    for name, _ in scrape.TUNING:
        assert getattr(args, name) == getattr(default, name)
        assert type(getattr(args, name)) is type(getattr(default, name))
    text = " ".join(parser.format_help().split())
    assert "seconds per request (default 20)" in text
    assert "connection errors (default 3)" in text
    assert "between two requests (default 1)" in text
    assert "doubled each retry (default 1)" in text


# --- the scrape log: one line per attempt -----------------------------------------------------------------------


def test_every_attempt_appends_one_line_to_the_log(hf: FakeHF, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH_28)
    out = tmp_path / "listings"
    hf.script.update(
        {
            daily("2024-10-24"): [Reply(500, b"down")],
            daily("2024-10-25"): [Reply(body=DAY_25)],
            daily("2024-10-26"): [Reply(body=SNAPPED)],  # a Saturday: HF serves Friday's papers
            daily("2024-10-27"): [Reply(body=b"[]")],
            daily("2024-10-28"): [Reply(body=b'{"error": "odd"}')],
        }
    )
    assert run(hf, out, "--since", "2024-10-24", "--retries", "0") == 1
    common = {"source": "hf-daily", "papers": None, "error": None, "file": None, "served": None}
    assert logged(out) == [
        {
            **common,
            "day": "2024-10-24",
            "outcome": "failed",
            "error": f"HTTP 500 Internal Server Error from {hf.url}/daily_papers?date=2024-10-24",
        },
        {**common, "day": "2024-10-25", "outcome": "saved", "papers": 4, "file": "hf-daily-2024-10-25.json"},
        {**common, "day": "2024-10-26", "outcome": "snapped-back", "papers": 4, "served": "2024-10-25"},
        {**common, "day": "2024-10-27", "outcome": "empty", "papers": 0},
        {**common, "day": "2024-10-28", "outcome": "failed", "error": "expected a JSON array of papers, got dict"},
    ]
    assert json.loads(log_of(out).read_text().splitlines()[0])["at"] == "2024-10-28T12:00:00Z"  # the pinned clock
    # a second run appends; the lines already there stay as they were
    before = log_of(out).read_bytes()
    hf.script[daily("2024-10-25")] = [Reply(body=TRUNCATED)]
    assert run(hf, out, "--date", "2024-10-25") == 1
    after = log_of(out).read_bytes()
    assert after.startswith(before) and after.count(b"\n") == before.count(b"\n") + 1
    last = logged(out)[-1]
    assert last["outcome"] == "failed" and str(last["error"]).startswith("response is not valid JSON (")


def test_a_search_is_logged_with_its_query(hf: FakeHF, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH_28)
    hf.script["/api/papers/search?q=memory"] = [Reply(body=b'[{"paper": {"id": "1"}}, {"paper": {"id": "2"}}]')]
    assert run(hf, tmp_path / "out", "--query", "memory") == 0
    assert run(hf, tmp_path / "out", "--query", "agents") == 1
    assert [(line["source"], line["outcome"], line["papers"]) for line in logged(tmp_path / "out")] == [
        ("hf-search:memory", "saved", 2),
        ("hf-search:agents", "failed", None),
    ]


def test_the_log_defaults_to_content_status_under_the_root(hf: FakeHF, tmp_path: Path) -> None:
    from generator.cli import main

    hf.script[daily("2024-10-25")] = [Reply(500, b"down")]
    argv = ["--root", str(tmp_path), "scrape", "--date", "2024-10-25", "--api-url", hf.url, "--rate", "0"]
    assert main([*argv, "--retries", "0"]) == 1
    (line,) = (tmp_path / "content" / "status" / "scrape-log.jsonl").read_text().splitlines()
    assert json.loads(line)["outcome"] == "failed"
