"""Polite HTTP for the scrapers (``scrape`` for HF, ``arxiv_scrape`` for arXiv): a User-Agent naming papersite, a
time-out, a minimum interval between requests, retries with exponential backoff honouring ``Retry-After``; and what
every scraper does with an answer: save it atomically, report problems compiler style, log the attempt.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from http.client import HTTPException
from pathlib import Path
from typing import Any

from generator import __version__
from generator.clock import build_time
from generator.content.scrape_log import Attempt, append_attempt

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
    accept: str = "application/json"
    """The ``Accept`` header: what the scraper wants back."""
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
        headers = {"User-Agent": USER_AGENT, "Accept": self.accept}
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


def report(name: str, severity: str, message: str) -> None:
    """Print ``name: severity: message`` to stderr, compiler style."""
    print(f"{name}: {severity}: {message}", file=sys.stderr)


def log_attempt(log: Path | None, source: str, day: date, outcome: str, **details: Any) -> None:
    """Append the attempt to the scrape log (none when ``log`` is None)."""
    if log is not None:
        append_attempt(log, Attempt(build_time(), source, day, outcome, **details))
