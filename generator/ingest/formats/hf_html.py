"""Hugging Face papers pages (daily, week, month, trending, search, and single-paper pages).

The stable data is the HTML-escaped JSON in ``div[data-target="DailyPapers"]`` (``dailyPapers``,
``dateString``, ``searchResults``) or ``div[data-target="PaperContent"]`` (``paper``, ``comments``,
``submitterOrganization``), attribute ``data-props``. Its items are read by
:func:`generator.ingest.formats.hf_json.read_items`. CSS classes change often, so the visible cards (``h3 > a``
linking ``/papers/<id>``) are only a fallback, with a warning, when that JSON is missing or broken.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Callable
from datetime import date

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, ParserRejectedMarkup, Tag

from generator.ingest.formats.arxiv_atom import arxiv_id, collapse_space
from generator.ingest.formats.hf_json import items_of, read_items
from generator.model import Entry, Listing, Problem

NAME = "hf-html"
TARGETS = ["DailyPapers", "PaperContent"]

_PAPER_HREF = re.compile(r"^(?:https?://huggingface\.co)?/papers/(\d{4}\.\d{4,5}(?:v\d+)?)/?$")
_COUNT = re.compile(r"^(?:-|\d{1,3}(?:,\d{3})+|\d+)$")


def sniff(text: str, name: str) -> bool:
    """HTML: an ``<html`` tag near the top, or HF's hydration attribute anywhere."""
    return "<html" in text[:4096].lower() or "data-target=" in text


def parse(text: str, path: str, page_date: date | None) -> Listing:
    """Entries of an HF papers page."""
    try:
        with warnings.catch_warnings():  # a listing is text, never a file name or URL, however it looks
            warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
            soup = BeautifulSoup(text, "html.parser")
    except ParserRejectedMarkup as err:  # html.parser gives up on some broken markup, e.g. "<![octype"
        cause = str(err).strip().splitlines()[-1].strip()
        return Listing(path, NAME, page_date, (), (Problem(path, 1, "error", f"unreadable HTML: {cause}"),))
    div = soup.find("div", attrs={"data-target": TARGETS})
    line = (div.sourceline or 0) if isinstance(div, Tag) else 0
    if isinstance(div, Tag):
        target = div.get("data-target")
        try:
            props = json.loads(str(div.get("data-props", "")))
        except (ValueError, RecursionError) as err:
            reason = f'embedded JSON in div[data-target="{target}"] is broken ({err})'
        else:
            items, day, problems = items_of(props, path)
            if not problems:
                entries, item_problems = read_items(items, path, lambda _number, _ident: line)
                return Listing(path, NAME, day or page_date, tuple(entries), tuple(item_problems))
            reason = f'embedded JSON in div[data-target="{target}"] has no papers items'
    else:
        reason = 'no div[data-target="DailyPapers"] or div[data-target="PaperContent"] with embedded JSON'
    entries = _cards(soup) or _single_page(soup)
    if not entries:
        error = Problem(path, line, "error", f"{reason}; no paper cards")
        return Listing(path, NAME, page_date, (), (error,))
    warning = Problem(path, line, "warning", f"{reason}; read {len(entries)} visible card(s) instead")
    return Listing(path, NAME, page_date, tuple(entries), (warning,))


def _cards(soup: BeautifulSoup) -> list[Entry]:
    """Fallback: every ``h3 > a`` linking a paper, with the counts its card shows."""
    entries: list[Entry] = []
    for heading in soup.find_all("h3"):
        link = heading.find("a", href=_PAPER_HREF) if isinstance(heading, Tag) else None
        title = collapse_space(link.get_text(" ")) if isinstance(link, Tag) else ""
        if not isinstance(link, Tag) or not title:
            continue
        match = _PAPER_HREF.match(str(link.get("href")))
        ident = arxiv_id(match.group(1)) if match else None
        card = heading.find_parent("article") or heading.parent
        entries.append(
            Entry(
                title=title,
                line=link.sourceline or 0,
                arxiv=ident,
                upvotes=_card_count(card, lambda href: "next=%2Fpapers%2F" in href),
                comments=_card_count(card, lambda href: href.endswith("#community")),
            )
        )
    return entries


def _card_count(card: object, wanted: Callable[[str], bool]) -> int | None:
    """The number shown by the first link in ``card`` whose href ``wanted`` accepts (``-`` is 0)."""
    if not isinstance(card, Tag):
        return None
    for link in card.find_all("a", href=True):
        text = collapse_space(link.get_text(" ")) if isinstance(link, Tag) else ""
        if isinstance(link, Tag) and wanted(str(link["href"])) and _COUNT.match(text):
            return 0 if text == "-" else int(text.replace(",", ""))
    return None


def _single_page(soup: BeautifulSoup) -> list[Entry]:
    """Fallback for a single-paper page: its ``<h1>`` and canonical ``/papers/<id>`` URL."""
    canonical = soup.find("link", rel="canonical")
    heading = soup.find("h1")
    match = _PAPER_HREF.match(str(canonical.get("href"))) if isinstance(canonical, Tag) else None
    title = collapse_space(heading.get_text(" ")) if isinstance(heading, Tag) else ""
    if match is None or not title or not isinstance(heading, Tag):
        return []
    return [Entry(title=title, line=heading.sourceline or 0, arxiv=arxiv_id(match.group(1)))]
