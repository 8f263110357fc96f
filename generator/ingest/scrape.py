"""``papersite scrape``: save raw HF papers API responses into ``content/listings/``.

One request per day (``/daily_papers?date=YYYY-MM-DD``) or per search (``/papers/search?q=TEXT``), polite
(User-Agent, rate limit, retries with exponential backoff honouring ``Retry-After``). A response is saved
only when it is valid JSON, via a temporary file and ``os.replace``, so a listing is never half-written and a
good file is never replaced by a failed response. HF answers a day without papers (a weekend) with the
previous papers-day: such a snapped-back day is reported and not saved.

Every attempt, whatever its outcome, appends one line to the scrape log (``content/scrape_log.py``,
``content/status/scrape-log.jsonl``), which the status page reads.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from http.client import HTTPException
from pathlib import Path
from typing import Any, get_type_hints

from generator import __version__
from generator.clock import build_time, day_argument, today
from generator.content.scrape_log import DAILY, SCRAPE_LOG, Attempt, append_attempt

API_URL = "https://huggingface.co/api"
USER_AGENT = f"papersite/{__version__} (+https://github.com/papersite/papersite)"
MAX_WAIT = 300.0
"""Longest pause a ``Retry-After`` may impose, in seconds."""

Sleep = Callable[[float], None]


class FetchError(Exception):
    """A request that failed for good (after any retries)."""


@dataclass(slots=True)
class Fetcher:
    """GET with a User-Agent, a timeout, a minimum interval between requests and retries."""

    timeout: float = 20.0
    """Seconds to wait for each request."""
    retries: int = 3
    """Extra attempts after the first, on 5xx, 429, timeouts and connection errors."""
    rate: float = 1.0
    """Minimum seconds between the starts of two requests."""
    backoff: float = 1.0
    """First retry delay in seconds; doubled for each further retry."""
    sleep: Sleep = time.sleep
    """Called to wait a number of seconds (between requests, before a retry)."""
    clock: Callable[[], float] = time.monotonic
    """Seconds on a clock that never goes back, for the rate limit."""
    last: float | None = field(default=None)
    """When the last request started, on ``clock``; None before the first."""

    def get(self, url: str) -> bytes:
        """The response body of ``url``; raises :class:`FetchError`."""
        for attempt in range(self.retries + 1):
            self._wait_turn()
            try:
                return self._get_once(url)
            except urllib.error.HTTPError as err:
                err.close()
                if not (err.code == 429 or err.code >= 500) or attempt == self.retries:
                    raise FetchError(f"HTTP {err.code} {err.reason} from {url}") from None
                delay = retry_after(err.headers.get("Retry-After"), self.clock_now())
                self.sleep(min(delay, MAX_WAIT) if delay is not None else self.backoff * 2**attempt)
            except (OSError, HTTPException) as err:  # URLError, timeouts, resets, IncompleteRead
                if attempt == self.retries:
                    raise FetchError(f"{_reason(err)} from {url} (after {attempt + 1} attempts)") from None
                self.sleep(self.backoff * 2**attempt)
        raise FetchError(f"no attempt made for {url}")  # only when retries < 0

    def _get_once(self, url: str) -> bytes:
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        request = urllib.request.Request(url, headers=headers)
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            body: bytes = response.read()
            return body

    def _wait_turn(self) -> None:
        now = self.clock()
        if self.last is not None and now - self.last < self.rate:
            self.sleep(self.rate - (now - self.last))
        self.last = self.clock()

    @staticmethod
    def clock_now() -> datetime:
        return datetime.now(UTC)


def retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP-date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def _reason(err: BaseException) -> str:
    reason = getattr(err, "reason", None) or err
    if isinstance(reason, TimeoutError) or "timed out" in str(reason):
        return "timed out"
    return str(reason) or type(reason).__name__


def slugify(text: str) -> str:
    """``"Source citations!"`` -> ``source-citations``."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].strip("-") or "query"


def snapped_back_to(body: object, day: date) -> date | None:
    """The earlier day HF served instead of ``day`` (all items listed before it), else None."""
    if not isinstance(body, list) or not body:
        return None
    # here, not at the top: importing the formats (BeautifulSoup) would slow every command (cli imports this)
    from generator.ingest.formats.arxiv_atom import parse_day

    days = [parse_day(item.get("publishedAt")) if isinstance(item, dict) else None for item in body]
    if any(d is None or d >= day for d in days):
        return None
    return max(d for d in days if d is not None)


def save(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` atomically; False (nothing touched) if the file already holds it."""
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def previous_saved(out: Path, day: date) -> Path | None:
    """The latest ``hf-daily-*.json`` in ``out`` for a day before ``day``."""
    earlier = [p for p in out.glob("hf-daily-????-??-??.json") if p.stem[len("hf-daily-") :] < day.isoformat()]
    return max(earlier, default=None)


def report(name: str, severity: str, message: str) -> None:
    """Print ``name: severity: message`` to stderr, compiler style."""
    print(f"{name}: {severity}: {message}", file=sys.stderr)


def fetch_json(fetcher: Fetcher, url: str, name: str) -> tuple[bytes, object] | str:
    """The raw body of ``url`` and its parsed JSON, or (reported) why either failed."""
    try:
        data = fetcher.get(url)
    except FetchError as err:
        report(name, "error", str(err))
        return str(err)
    try:
        return data, json.loads(data)
    except (ValueError, RecursionError) as err:
        report(name, "error", f"response is not valid JSON ({err}); not saved")
        return f"response is not valid JSON ({err})"


def log_attempt(log: Path | None, source: str, day: date, outcome: str, **details: Any) -> None:
    """Append the attempt to the scrape log (none when ``log`` is None)."""
    if log is not None:
        append_attempt(log, Attempt(build_time(), source, day, outcome, **details))


def scrape_day(fetcher: Fetcher, api: str, out: Path, day: date, log: Path | None = None) -> bool:
    """Fetch and save one day; report problems to stderr and the attempt to ``log``; False if the day failed."""
    name = f"hf-daily-{day.isoformat()}"
    fetched = fetch_json(fetcher, f"{api}/daily_papers?date={day.isoformat()}", name)
    if isinstance(fetched, str):
        log_attempt(log, DAILY, day, "failed", error=fetched)
        return False
    data, body = fetched
    if not isinstance(body, list):
        why = f"expected a JSON array of papers, got {type(body).__name__}"
        report(name, "error", f"{why}; not saved")
        log_attempt(log, DAILY, day, "failed", error=why)
        return False
    earlier = snapped_back_to(body, day)
    previous = previous_saved(out, day)
    if earlier is None and previous is not None and previous.read_bytes() == data:
        earlier = date.fromisoformat(previous.stem[len("hf-daily-") :])
    if earlier is not None:
        report(name, "warning", f"HF served the papers of {earlier} (none listed on {day}); not saved")
        log_attempt(log, DAILY, day, "snapped-back", papers=len(body), served=earlier)
        return True
    if not body:
        report(name, "warning", "no papers listed; not saved")
        log_attempt(log, DAILY, day, "empty", papers=0)
        return True
    path = out / f"{name}.json"
    written = save(path, data)
    print(f"{path}: {len(body)} papers{'' if written else ', unchanged'}")
    log_attempt(log, DAILY, day, "saved", papers=len(body), file=path.name)
    return True


def scrape_query(fetcher: Fetcher, api: str, out: Path, query: str, day: date, log: Path | None = None) -> bool:
    """Fetch and save one search; report the attempt to ``log``; False if it failed."""
    name = f"hf-search-{slugify(query)}-{day.isoformat()}"
    source = f"hf-search:{query}"
    fetched = fetch_json(fetcher, f"{api}/papers/search?{urllib.parse.urlencode({'q': query})}", name)
    if isinstance(fetched, str):
        log_attempt(log, source, day, "failed", error=fetched)
        return False
    data, body = fetched
    path = out / f"{name}.json"
    written = save(path, data)
    count = len(body) if isinstance(body, list) else 1
    print(f"{path}: {count} results{'' if written else ', unchanged'}")
    log_attempt(log, source, day, "saved", papers=count, file=path.name)
    return True


FETCHER_DEFAULTS: dict[str, Any] = {f.name: f.default for f in fields(Fetcher)}
TUNING = (
    ("timeout", "seconds per request"),
    ("retries", "retries on 5xx, 429, timeouts and connection errors"),
    ("rate", "minimum seconds between two requests"),
    ("backoff", "first retry delay in seconds, doubled each retry"),
)
"""The :class:`Fetcher` fields ``scrape`` takes as options (``--timeout``), with their help; the field gives the
option's type and default."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``scrape`` options."""
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--date", type=day_argument, metavar="YYYY-MM-DD", help="fetch one day's daily papers")
    what.add_argument(
        "--since",
        type=day_argument,
        metavar="YYYY-MM-DD",
        help="fetch every day from this one to today (SOURCE_DATE_EPOCH if set)",
    )
    what.add_argument("--query", metavar="TEXT", help="fetch HF paper search results for TEXT")
    parser.add_argument("--api-url", default=API_URL, help=f"HF API base URL (default {API_URL})")
    parser.add_argument("--out", help="folder for the raw responses (default content/listings under --root)")
    parser.add_argument(
        "--log", help=f"the scrape log, one JSON line appended per attempt (default {SCRAPE_LOG} under --root)"
    )
    kinds = get_type_hints(Fetcher)
    for name, text in TUNING:
        default = FETCHER_DEFAULTS[name]
        parser.add_argument(f"--{name}", type=kinds[name], default=default, help=f"{text} (default {default:g})")


def run(args: argparse.Namespace, *, sleep: Sleep = time.sleep) -> int:
    """Run ``papersite scrape``: 0 if every request succeeded, 1 if any failed, 2 for a bad range."""
    root = Path(getattr(args, "root", "."))
    out = Path(args.out) if args.out else root / "content" / "listings"
    log = Path(args.log) if args.log else root / SCRAPE_LOG
    fetcher = Fetcher(
        timeout=args.timeout,
        retries=max(0, args.retries),
        rate=max(0.0, args.rate),
        backoff=max(0.0, args.backoff),
        sleep=sleep,
    )
    api = args.api_url.rstrip("/")
    if args.query is not None:
        return 0 if scrape_query(fetcher, api, out, args.query, today(), log) else 1
    first = args.date or args.since
    last = args.date or today()
    if first > last:
        print(f"papersite scrape: error: --since {first} is after today ({last})", file=sys.stderr)
        return 2
    failed = 0
    for offset in range((last - first).days + 1):
        failed += not scrape_day(fetcher, api, out, first + timedelta(days=offset), log)
    return 1 if failed else 0
