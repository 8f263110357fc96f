"""``papersite scrape``: save raw HF papers API responses (and, through ``arxiv_scrape``, arXiv API answers) into
``content/listings/``. Without an option naming a source, it fetches every source of ``site.toml``'s ``[[sources]]``
(``config.Source``); one source failing does not stop the others, and the exit status says whether any failed.

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
import re
import sys
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import fields
from datetime import date, timedelta
from pathlib import Path
from typing import Any, get_type_hints

from generator.clock import day_argument, today
from generator.config import ARXIV_CATEGORY_RE, DEFAULT_SOURCES, Source, load_config
from generator.content.paths import display_path
from generator.content.scrape_log import DAILY, SCRAPE_LOG
from generator.ingest.arxiv_scrape import ARXIV_PAGE, ARXIV_SETTLE_DAYS, ARXIV_URL, arxiv_fetcher, scrape_arxiv
from generator.ingest.fetch import Fetcher, FetchError, Sleep, log_attempt, report, save

API_URL = "https://huggingface.co/api"


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


def previous_saved(out: Path, day: date) -> Path | None:
    """The latest ``hf-daily-*.json`` in ``out`` for a day before ``day``."""
    earlier = [p for p in out.glob("hf-daily-????-??-??.json") if p.stem[len("hf-daily-") :] < day.isoformat()]
    return max(earlier, default=None)


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


def categories_argument(text: str) -> tuple[str, ...]:
    """``--arxiv cs.CL,cs.LG``: the categories, in order, without repeats."""
    categories = tuple(dict.fromkeys(c.strip() for c in text.split(",") if c.strip()))
    if not categories or not all(ARXIV_CATEGORY_RE.match(c) for c in categories):
        raise argparse.ArgumentTypeError(f"expected arXiv categories such as cs.CL,cs.LG, got {text!r}")
    return categories


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``scrape`` options."""
    when = parser.add_mutually_exclusive_group()
    when.add_argument("--date", type=day_argument, metavar="YYYY-MM-DD", help="the day to fetch (default today, UTC)")
    when.add_argument(
        "--since",
        type=day_argument,
        metavar="YYYY-MM-DD",
        help="fetch every day from this one to today (SOURCE_DATE_EPOCH if set)",
    )
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--hf", action="store_true", help="fetch the HF daily papers only")
    what.add_argument(
        "--arxiv",
        type=categories_argument,
        metavar="CATS",
        help=f"fetch arXiv's papers in these categories only (cs.CL,cs.LG); the listing of a day holds the papers "
        f"submitted {ARXIV_SETTLE_DAYS} days before it, when arXiv has announced them all",
    )
    what.add_argument("--query", metavar="TEXT", help="fetch HF paper search results for TEXT only (dated today)")
    parser.add_argument("--api-url", default=API_URL, help=f"HF API base URL (default {API_URL})")
    parser.add_argument("--arxiv-url", default=ARXIV_URL, help=f"arXiv API query URL (default {ARXIV_URL})")
    parser.add_argument(
        "--page-size", type=int, default=ARXIV_PAGE, help=f"arXiv results per request (default {ARXIV_PAGE})"
    )
    parser.add_argument("--out", help="folder for the raw responses (default content/listings under --root)")
    parser.add_argument(
        "--log", help=f"the scrape log, one JSON line appended per attempt (default {SCRAPE_LOG} under --root)"
    )
    kinds = get_type_hints(Fetcher)
    for name, text in TUNING:
        default = FETCHER_DEFAULTS[name]
        parser.add_argument(f"--{name}", type=kinds[name], default=default, help=f"{text} (default {default:g})")


def chosen_sources(args: argparse.Namespace, root: Path) -> tuple[Source, ...] | None:
    """The sources the options name, else ``site.toml``'s ``[[sources]]`` (the default ones when the project has
    no ``site.toml``); None, with the problems printed, when ``site.toml`` is not valid."""
    if args.hf:
        return (Source(hf="daily"),)
    if args.arxiv:
        return (Source(arxiv=args.arxiv),)
    if args.query is not None:
        return (Source(hf_search=args.query),)
    path = root / "site.toml"
    if not path.exists():
        return DEFAULT_SOURCES
    config, problems = load_config(path, display=display_path(path))
    for problem in problems:
        print(problem, file=sys.stderr)
    return config.sources if config is not None else None


def run(args: argparse.Namespace, *, sleep: Sleep = time.sleep, clock: Callable[[], float] = time.monotonic) -> int:
    """Run ``papersite scrape``: 0 if every source succeeded, 1 if any failed (or ``site.toml`` is not valid), 2 for
    a bad range. One source failing does not stop the others."""
    root = Path(getattr(args, "root", "."))
    out = Path(args.out) if args.out else root / "content" / "listings"
    log = Path(args.log) if args.log else root / SCRAPE_LOG
    if args.query is not None and (args.date or args.since):
        print("papersite scrape: error: --query runs the search once, today: no --date or --since", file=sys.stderr)
        return 2
    first = args.date or args.since or today()
    last = args.date or today()
    if first > last:
        print(f"papersite scrape: error: --since {first} is after today ({last})", file=sys.stderr)
        return 2
    sources = chosen_sources(args, root)
    if sources is None:
        return 1
    fetcher = Fetcher(
        timeout=args.timeout,
        retries=max(0, args.retries),
        rate=max(0.0, args.rate),
        backoff=max(0.0, args.backoff),
        sleep=sleep,
        clock=clock,
    )
    arxiv = arxiv_fetcher(fetcher)  # its own interval: arXiv's 3 seconds do not slow the HF requests
    days = [first + timedelta(days=offset) for offset in range((last - first).days + 1)]
    failed: list[str] = []
    for source in sources:
        if source.arxiv:
            url, size = args.arxiv_url, max(1, args.page_size)
            ok = [scrape_arxiv(arxiv, url, out, source.arxiv, day, log, size) for day in days]
        elif source.hf_search is not None:
            ok = [scrape_query(fetcher, args.api_url.rstrip("/"), out, source.hf_search, today(), log)]
        else:
            ok = [scrape_day(fetcher, args.api_url.rstrip("/"), out, day, log) for day in days]
        if not all(ok):
            failed.append(source.name)
    if failed and len(sources) > 1:
        names = ", ".join(failed)
        print(f"papersite scrape: error: {len(failed)} of {len(sources)} sources failed: {names}", file=sys.stderr)
    return 1 if failed else 0
