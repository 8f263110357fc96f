"""``papersite scrape --arxiv CATS``: save the arXiv API's Atom answer for one day's papers in some categories.

The query is the API's ``search_query`` (``(cat:cs.CL OR cat:cs.LG) AND submittedDate:[... TO ...]``), sorted by
submitted date, newest first, read a page at a time (``start``, ``max_results``) until ``opensearch:totalResults``
entries came. arXiv's terms ask for at most one request every 3 seconds: the fetcher's interval is never shorter
than ``ARXIV_RATE``, whatever ``--rate`` says.

**Which papers a day's listing holds.** arXiv announces a paper a day or more after it is submitted (a Friday
afternoon's, US Eastern time, on Monday evening, which is Tuesday in UTC), and the API finds it only then. The
listing of day D (``arxiv-<cats>-D.xml``) therefore holds the papers first submitted on D minus ``ARXIV_SETTLE_DAYS``
days (UTC), a day arXiv has announced in full by the time the daily run scrapes D. Naming the listing by the day it is
scraped for, as the HF listings are, keeps every new listing newer than those already ingested, which is what lets
ingest read only the new ones (``ingest/ledger.py``).

The pages are joined into one Atom document (the first page's feed with every page's entries, a repeated entry
dropped), checked, and saved atomically. An answer that is the API's error feed, not an Atom feed, or a page with no
entries where the total says there are more (the API does that at times; the page is asked for again, as a retry) is
reported, logged and never saved. A day with no papers is reported (``empty``) and not saved.
"""

from __future__ import annotations

import re
import urllib.parse
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from generator.ingest.fetch import Fetcher, FetchError, log_attempt, report, save

ARXIV_URL = "https://export.arxiv.org/api/query"
ARXIV_RATE = 3.0
"""Least seconds between two requests to the arXiv API (its terms of use)."""
ARXIV_PAGE = 200
"""Entries asked for per request."""
ARXIV_SETTLE_DAYS = 4
"""The listing of day D holds the papers submitted on D minus this many days: by then arXiv has announced them all,
the weekend's and Friday afternoon's included (holidays aside)."""
MAX_RESULTS = 30000
"""The API serves no more results than this for one query; paging stops there."""
ATOM_TYPES = "application/atom+xml, application/xml;q=0.9"

_ATOM = "{http://www.w3.org/2005/Atom}"
_TOTAL = "{http://a9.com/-/spec/opensearch/1.1/}totalResults"
_ENTRY = re.compile(rb"<entry[\s>].*?</entry>\s*", re.DOTALL)
_ID = re.compile(rb"<id(?:\s[^>]*)?>\s*(.*?)\s*</id>", re.DOTALL)
_FORBIDDEN = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


class PageError(Exception):
    """An answer that is not a usable page of results (the message says why)."""


@dataclass(frozen=True, slots=True)
class Page:
    """One answer of the API, checked."""

    data: bytes
    entries: int
    """Entries it holds."""
    total: int
    """``opensearch:totalResults``: entries the whole query holds."""


def source_name(categories: tuple[str, ...]) -> str:
    """``arxiv:cs.CL,cs.LG``: the source as the scrape log names it (``config.Source.name``)."""
    return "arxiv:" + ",".join(categories)


def listing_name(categories: tuple[str, ...], day: date) -> str:
    """``arxiv-cs.CL-cs.LG-2026-02-06.xml``."""
    return f"arxiv-{'-'.join(categories)}-{day.isoformat()}.xml"


def submitted_day(day: date) -> date:
    """The day whose submissions the listing of ``day`` holds."""
    return day - timedelta(days=ARXIV_SETTLE_DAYS)


def query(categories: tuple[str, ...], submitted: date) -> str:
    """The API's ``search_query`` for the papers of ``categories`` submitted on ``submitted`` (UTC)."""
    cats = " OR ".join(f"cat:{category}" for category in categories)
    stamp = submitted.strftime("%Y%m%d")
    return f"({cats}) AND submittedDate:[{stamp}0000 TO {stamp}2359]"


def page_url(api: str, categories: tuple[str, ...], submitted: date, start: int, size: int) -> str:
    params = {
        "search_query": query(categories, submitted),
        "sortBy": "submittedDate",
        "sortOrder": "descending",
        "start": str(start),
        "max_results": str(size),
    }
    return f"{api}?{urllib.parse.urlencode(params)}"


def read_page(data: bytes) -> Page:
    """``data`` checked as a page of the API's Atom answer; raises :class:`PageError`."""
    if _FORBIDDEN.search(data):
        raise PageError("the answer declares a DOCTYPE or entities; not an arXiv API answer")
    try:
        root = ET.fromstring(data)
    except (ET.ParseError, ValueError) as err:
        raise PageError(f"the answer is not well-formed XML ({err})") from None
    if root.tag != _ATOM + "feed":
        raise PageError(f"the answer is not an Atom feed (root element {root.tag!r})")
    entries = root.findall(_ATOM + "entry")
    for entry in entries:
        ident = entry.findtext(_ATOM + "id") or ""
        if "arxiv.org/api/errors" in ident:
            message = " ".join((entry.findtext(_ATOM + "summary") or ident).split())
            raise PageError(f"arXiv API error: {message}")
    total_text = (root.findtext(_TOTAL) or "").strip()
    if not total_text.isdigit():
        raise PageError("the answer has no opensearch:totalResults")
    return Page(data, len(entries), int(total_text))


def join_pages(pages: list[Page]) -> tuple[bytes, int]:
    """One Atom document: the first page with the entries of the others before its ``</feed>``, an entry whose
    ``<id>`` came already dropped. Returns it and its number of entries."""
    seen: set[bytes] = set()
    kept: list[bytes] = []
    for page in pages:
        for match in _ENTRY.finditer(page.data):
            ident = _ID.search(match.group(0))
            key = ident.group(1) if ident else match.group(0)
            if key not in seen:
                seen.add(key)
                kept.append(match.group(0))
    first = pages[0].data
    head = _ENTRY.search(first)
    end = first.rfind(b"</feed>")
    start = head.start() if head else end
    return first[:start] + b"".join(kept) + first[end:], len(kept)


def fetch_pages(fetcher: Fetcher, api: str, categories: tuple[str, ...], submitted: date, size: int) -> list[Page]:
    """Every page of the day's query; raises :class:`FetchError` or :class:`PageError`."""
    pages: list[Page] = []
    start, empty_tries = 0, 0
    while True:
        page = read_page(fetcher.get(page_url(api, categories, submitted, start, size)))
        if page.entries == 0 and start < page.total:
            if empty_tries >= fetcher.retries:
                raise PageError(f"the API answered an empty page at start={start} of {page.total} results")
            fetcher.sleep(fetcher.backoff * 2**empty_tries)
            empty_tries += 1
            continue
        if page.entries == 0:
            return pages
        pages.append(page)
        start += page.entries
        if start >= min(page.total, MAX_RESULTS):
            return pages


def scrape_arxiv(
    fetcher: Fetcher,
    api: str,
    out: Path,
    categories: tuple[str, ...],
    day: date,
    log: Path | None = None,
    size: int = ARXIV_PAGE,
) -> bool:
    """Fetch and save the listing of ``day``; report problems to stderr and the attempt to ``log``; False if it
    failed."""
    name = listing_name(categories, day).removesuffix(".xml")
    source = source_name(categories)
    submitted = submitted_day(day)
    try:
        pages = fetch_pages(fetcher, api, categories, submitted, size)
    except (FetchError, PageError) as err:
        report(name, "error", f"{err}; not saved")
        log_attempt(log, source, day, "failed", error=str(err))
        return False
    if not pages:
        report(name, "warning", f"no papers submitted on {submitted} in {', '.join(categories)}; not saved")
        log_attempt(log, source, day, "empty", papers=0)
        return True
    data, count = join_pages(pages)
    path = out / f"{name}.xml"
    written = save(path, data)
    print(f"{path}: {count} papers submitted on {submitted}{'' if written else ', unchanged'}")
    log_attempt(log, source, day, "saved", papers=count, file=path.name)
    return True


def arxiv_fetcher(fetcher: Fetcher) -> Fetcher:
    """A fetcher for the arXiv API: ``fetcher``'s settings, Atom wanted, never more than one request per
    ``ARXIV_RATE`` seconds."""
    return Fetcher(
        timeout=fetcher.timeout,
        retries=fetcher.retries,
        rate=max(ARXIV_RATE, fetcher.rate),
        backoff=fetcher.backoff,
        accept=ATOM_TYPES,
        sleep=fetcher.sleep,
        clock=fetcher.clock,
    )
