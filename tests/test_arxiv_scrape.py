"""``papersite scrape --arxiv`` (generator/ingest/arxiv_scrape.py) against a real HTTP server on 127.0.0.1 that plays
the arXiv API: paging, the 3-second spacing on an injected clock, the error feed, an empty page, a time-out, a
retry; and ``papersite scrape`` with no arguments over every configured source."""

from __future__ import annotations

import argparse
import itertools
import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from generator.ingest import arxiv_scrape, fetch, scrape
from generator.ingest.listings import read_listing

FIXTURES = Path(__file__).parent / "fixtures"
TYPICAL = (FIXTURES / "arxiv_api_atom_typical_response_2007_usermanual.xml").read_text(encoding="utf-8")
ERROR_FEED = (FIXTURES / "arxiv_api_atom_error_response_2007_usermanual.xml").read_bytes()
HEAD, _, REST = TYPICAL.partition("  <entry")
ENTRY = "  <entry" + REST.rpartition("</feed>")[0]
DAY = date(2026, 2, 10)
SUBMITTED = date(2026, 2, 6)  # ARXIV_SETTLE_DAYS before DAY
EPOCH_DAY = str(int(datetime(2026, 2, 10, 12, tzinfo=UTC).timestamp()))


def page(ids: list[str], total: int) -> bytes:
    """An arXiv API answer in the shape of the API's own example: ``ids`` as entries, ``total`` results in all."""
    head = HEAD.replace(">1000<", f">{total}<")
    entries = "".join(
        ENTRY.replace("hep-ex/0307015", f"2602.{number}").replace("Multi-Electron", f"Paper {number}: Multi-Electron")
        for number in ids
    )
    return (head + entries + "</feed>\n").encode()


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    delay: float = 0.0


@dataclass
class FakeArxiv:
    """Scripted replies per ``start``; the last reply of a script repeats. Records each request's query, its
    User-Agent and the injected clock's time when it came."""

    url: str = ""
    script: dict[int, list[Reply]] = field(default_factory=dict)
    requests: list[dict[str, str]] = field(default_factory=list)
    now: list[float] = field(default_factory=lambda: [1000.0])

    def reply(self, start: int) -> Reply:
        replies = self.script.get(start)
        if not replies:
            return Reply(400, b"no such page")
        return replies.pop(0) if len(replies) > 1 else replies[0]


@pytest.fixture
def arxiv() -> Iterator[FakeArxiv]:
    fake = FakeArxiv()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
            query["user_agent"] = self.headers.get("User-Agent", "")
            query["accept"] = self.headers.get("Accept", "")
            query["at"] = str(fake.now[0])
            fake.requests.append(query)
            reply = fake.reply(int(query.get("start", "0")))
            time.sleep(reply.delay)
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/atom+xml")
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request: object, client_address: object) -> None:
            pass  # the client gave up on a slow reply

    server = Server(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/api/query"
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


def fetcher(fake: FakeArxiv, sleeps: list[float], **options: float) -> fetch.Fetcher:
    """An arXiv fetcher on the fake's clock: sleeping moves the clock on, no real time passes."""

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        fake.now[0] += seconds

    base = fetch.Fetcher(
        **{"timeout": 0.3, "retries": 2, "rate": 0.0, **options}, sleep=sleep, clock=lambda: fake.now[0]
    )  # type: ignore[arg-type]
    return arxiv_scrape.arxiv_fetcher(base)


def scrape_day(fake: FakeArxiv, out: Path, sleeps: list[float] | None = None, **options: float) -> bool:
    got = fetcher(fake, sleeps if sleeps is not None else [], **options)
    return arxiv_scrape.scrape_arxiv(got, fake.url, out, ("cs.CL", "cs.LG"), DAY, out / "log.jsonl", size=2)


def logged(out: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (out / "log.jsonl").read_text(encoding="utf-8").splitlines()]


NAME = "arxiv-cs.CL-cs.LG-2026-02-10.xml"


def test_pages_are_fetched_in_turn_and_saved_as_one_listing(arxiv: FakeArxiv, tmp_path: Path) -> None:
    arxiv.script = {
        0: [Reply(body=page(["00001", "00002"], 5))],
        2: [Reply(body=page(["00003", "00004"], 5))],
        4: [Reply(body=page(["00005"], 5))],
    }
    assert scrape_day(arxiv, tmp_path)
    assert [(r["start"], r["max_results"]) for r in arxiv.requests] == [("0", "2"), ("2", "2"), ("4", "2")]
    first = arxiv.requests[0]
    assert first["search_query"] == "(cat:cs.CL OR cat:cs.LG) AND submittedDate:[202602060000 TO 202602062359]"
    assert (first["sortBy"], first["sortOrder"]) == ("submittedDate", "descending")
    assert first["user_agent"] == fetch.USER_AGENT and "papersite" in first["user_agent"]
    assert first["accept"].startswith("application/atom+xml")
    # one listing, every entry once, in the API's order, that the arXiv parser reads
    saved = tmp_path / NAME
    listing = read_listing(saved)
    assert [entry.arxiv for entry in listing.entries] == [f"2602.0000{n}" for n in range(1, 6)]
    assert listing.date == DAY and listing.problems == ()
    assert not list(tmp_path.glob(".*.tmp"))
    assert logged(tmp_path)[0] | {"at": None} == {
        "at": None,
        "source": "arxiv:cs.CL,cs.LG",
        "day": "2026-02-10",
        "outcome": "saved",
        "papers": 5,
        "error": None,
        "file": NAME,
        "served": None,
    }


def test_requests_are_three_seconds_apart_on_the_injected_clock(arxiv: FakeArxiv, tmp_path: Path) -> None:
    arxiv.script = {
        0: [Reply(body=page(["00001", "00002"], 5))],
        2: [Reply(500, b"busy"), Reply(body=page(["00003", "00004"], 5))],
        4: [Reply(body=page(["00005"], 5))],
    }
    sleeps: list[float] = []
    started = time.monotonic()
    assert scrape_day(arxiv, tmp_path, sleeps, backoff=0.5)  # --rate 0 asks for none: arXiv's 3 s hold anyway
    times = [float(r["at"]) for r in arxiv.requests]
    assert len(times) == 4
    assert all(later - earlier >= arxiv_scrape.ARXIV_RATE for earlier, later in itertools.pairwise(times))
    assert time.monotonic() - started < 2.5  # the clock was injected: nothing slept for real
    assert 0.5 in sleeps  # the retry's backoff


def test_an_error_feed_is_reported_logged_and_never_saved(
    arxiv: FakeArxiv, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arxiv.script = {0: [Reply(body=ERROR_FEED)]}
    assert not scrape_day(arxiv, tmp_path)
    assert not (tmp_path / NAME).exists()
    err = capsys.readouterr().err
    assert "arxiv-cs.CL-cs.LG-2026-02-10: error: arXiv API error: incorrect id format for 1234.12345; not saved" in err
    (line,) = logged(tmp_path)
    assert line["outcome"] == "failed" and line["error"] == "arXiv API error: incorrect id format for 1234.12345"
    assert len(arxiv.requests) == 1  # an error feed is an answer: not retried


def test_an_error_on_a_later_page_keeps_the_saved_listing(arxiv: FakeArxiv, tmp_path: Path) -> None:
    (tmp_path / NAME).write_bytes(b"the listing saved before")
    arxiv.script = {0: [Reply(body=page(["00001", "00002"], 3))], 2: [Reply(body=b"<html>oops</html>")]}
    assert not scrape_day(arxiv, tmp_path)
    assert (tmp_path / NAME).read_bytes() == b"the listing saved before"
    assert "not an Atom feed" in str(logged(tmp_path)[0]["error"])


def test_an_empty_page_is_asked_again_then_fails(arxiv: FakeArxiv, tmp_path: Path) -> None:
    arxiv.script = {0: [Reply(body=page(["00001", "00002"], 4))], 2: [Reply(body=page([], 4))]}
    sleeps: list[float] = []
    assert not scrape_day(arxiv, tmp_path, sleeps)
    assert [r["start"] for r in arxiv.requests] == ["0", "2", "2", "2"]  # the first try and two retries
    assert not (tmp_path / NAME).exists()
    assert logged(tmp_path)[0]["error"] == "the API answered an empty page at start=2 of 4 results"
    # and a spurious empty page followed by the real one is no failure
    arxiv.requests.clear()
    arxiv.script = {
        0: [Reply(body=page(["00001", "00002"], 3))],
        2: [Reply(body=page([], 3)), Reply(body=page(["00003"], 3))],
    }
    assert scrape_day(arxiv, tmp_path)
    assert [e.arxiv for e in read_listing(tmp_path / NAME).entries] == ["2602.00001", "2602.00002", "2602.00003"]


def test_a_day_without_papers_is_reported_and_not_saved(
    arxiv: FakeArxiv, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arxiv.script = {0: [Reply(body=page([], 0))]}
    assert scrape_day(arxiv, tmp_path)
    assert list(tmp_path.glob("*.xml")) == []
    assert "warning: no papers submitted on 2026-02-06 in cs.CL, cs.LG; not saved" in capsys.readouterr().err
    assert logged(tmp_path)[0]["outcome"] == "empty"


def test_a_time_out_is_retried(arxiv: FakeArxiv, tmp_path: Path) -> None:
    arxiv.script = {0: [Reply(delay=1.0, body=page(["00001"], 1)), Reply(body=page(["00001"], 1))]}
    assert scrape_day(arxiv, tmp_path)
    assert len(arxiv.requests) == 2 and (tmp_path / NAME).exists()


def test_time_outs_every_time_fail_the_day(arxiv: FakeArxiv, tmp_path: Path) -> None:
    arxiv.script = {0: [Reply(delay=1.0, body=page(["00001"], 1))]}
    assert not scrape_day(arxiv, tmp_path, retries=1)
    assert len(arxiv.requests) == 2 and not (tmp_path / NAME).exists()
    assert "timed out" in str(logged(tmp_path)[0]["error"])


def test_a_paper_repeated_across_pages_is_kept_once(arxiv: FakeArxiv, tmp_path: Path) -> None:
    arxiv.script = {0: [Reply(body=page(["00001", "00002"], 4))], 2: [Reply(body=page(["00002", "00003"], 4))]}
    # the second page overlaps the first; the total says 4, but page 2 brought 2 entries: start reaches 4
    assert scrape_day(arxiv, tmp_path)
    assert [e.arxiv for e in read_listing(tmp_path / NAME).entries] == ["2602.00001", "2602.00002", "2602.00003"]


# --- papersite scrape: options and [[sources]] ------------------------------------------------------------------


def run(project: Path, *argv: str, hf_url: str = "http://127.0.0.1:9/api", arxiv_url: str = "") -> int:
    parser = argparse.ArgumentParser()
    scrape.add_arguments(parser)
    options = ["--api-url", hf_url, "--arxiv-url", arxiv_url, "--rate", "0", "--timeout", "0.3", "--retries", "0"]
    args = parser.parse_args([*options, "--page-size", "2", *argv])
    args.root = str(project)
    return scrape.run(args, sleep=lambda seconds: None)


def project(tmp_path: Path, sources: str) -> Path:
    (tmp_path / "site.toml").write_text(f'base_url = "https://example.org/"\n{sources}', encoding="utf-8")
    return tmp_path


def test_arxiv_option_scrapes_a_range(arxiv: FakeArxiv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH_DAY)
    arxiv.script = {0: [Reply(body=page(["00001"], 1))]}
    assert run(tmp_path, "--arxiv", "cs.CL,cs.LG", "--since", "2026-02-09", arxiv_url=arxiv.url) == 0
    days = [r["search_query"][-13:-5] for r in arxiv.requests]
    assert days == ["20260205", "20260206"]  # listings of Feb 9 and 10: the papers of four days before
    listings = sorted(p.name for p in (tmp_path / "content" / "listings").iterdir())
    assert listings == ["arxiv-cs.CL-cs.LG-2026-02-09.xml", "arxiv-cs.CL-cs.LG-2026-02-10.xml"]


def test_no_arguments_scrape_every_configured_source_and_one_failure_stops_none(
    arxiv: FakeArxiv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH_DAY)
    arxiv.script = {0: [Reply(body=page(["00001"], 1))]}
    sources = '[[sources]]\nhf = "daily"\n[[sources]]\narxiv = ["cs.CL", "cs.LG"]\n[[sources]]\nhf_search = "memory"\n'
    root = project(tmp_path, sources)
    # the HF address answers nothing (port 9): both HF sources fail, arXiv is still scraped
    assert run(root, arxiv_url=arxiv.url) == 1
    assert (root / "content" / "listings" / NAME).exists()
    err = capsys.readouterr().err
    assert "papersite scrape: error: 2 of 3 sources failed: hf-daily, hf-search:memory" in err
    log = root / "content" / "status" / "scrape-log.jsonl"
    outcomes = [(line["source"], line["outcome"]) for line in map(json.loads, log.read_text().splitlines())]
    assert outcomes == [("hf-daily", "failed"), ("arxiv:cs.CL,cs.LG", "saved"), ("hf-search:memory", "failed")]


def test_an_unknown_source_key_stops_with_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path, '[[sources]]\nhf = "daily"\n\n[[sources]]\narxv = ["cs.CL"]\n')
    assert run(root) == 1
    err = capsys.readouterr().err
    assert f"{root / 'site.toml'}:6: error: unknown key `arxv` in sources[1]; did you mean `arxiv`?" in err
    assert not (root / "content").exists()  # nothing fetched, nothing logged


def test_bad_categories_are_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    scrape.add_arguments(parser)
    with pytest.raises(SystemExit) as stop:
        parser.parse_args(["--arxiv", "cs.CL,not a category"])
    assert stop.value.code == 2
    assert "expected arXiv categories such as cs.CL,cs.LG" in capsys.readouterr().err
