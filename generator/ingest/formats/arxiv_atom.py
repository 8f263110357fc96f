"""arXiv API responses (Atom 1.0 with the ``arxiv:`` extension namespace).

Each ``<entry>`` is one paper: its ``<id>`` is the abs URL (``http://arxiv.org/abs/2509.24002v1`` or the
old style ``http://arxiv.org/abs/hep-th/0601001v2``). The API reports a bad query as a feed whose single
entry has an ``http://arxiv.org/api/errors#...`` id; that becomes a warning, not a paper.

Files with a DOCTYPE or entity declarations are refused (the API never sends them; they are how XML
entity-expansion attacks start), so the stdlib parser is safe to use on what is left.

This module is also the home of the two arXiv text rules the HF formats share: :func:`arxiv_id` and
:func:`collapse_space`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date

from generator.model import Entry, Listing, Problem

NAME = "arxiv-atom"
ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"

_SPACE = re.compile(r"[ \t\r\n]+")
_VERSION = re.compile(r"^(.*\d)v\d+$")
_ABS = re.compile(r"arxiv\.org/abs/(\S+?)/?$")
_FEED_TAG = re.compile(r"<(?:[\w.-]+:)?feed[\s>]")
_ENTRY_TAG = re.compile(r"<(?:[\w.-]+:)?entry[\s/>]")
_GITHUB = re.compile(r"https?://github\.com/[\w.-]+/[\w.-]*\w")
_FORBIDDEN = re.compile(r"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


def collapse_space(text: str) -> str:
    """Join arXiv's hard-wrapped lines: runs of ASCII whitespace become one space (LaTeX is untouched)."""
    return _SPACE.sub(" ", text).strip(" ")


def arxiv_id(text: str) -> str:
    """An arXiv id without its version suffix: ``2509.24002v2`` -> ``2509.24002``."""
    text = text.strip()
    match = _VERSION.match(text)
    return match.group(1) if match else text


def parse_day(value: object) -> date | None:
    """The calendar day of an ISO 8601 timestamp (``2024-10-25T00:57:09.392Z``), as written."""
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def sniff(text: str, name: str) -> bool:
    """An Atom feed: a ``<feed`` element in the Atom namespace."""
    return _FEED_TAG.search(text[:4096]) is not None and "http://www.w3.org/2005/Atom" in text


def parse(text: str, path: str, page_date: date | None) -> Listing:
    """Entries of an arXiv API Atom response."""
    if _FORBIDDEN.search(text):
        return _failed(path, page_date, "DOCTYPE or ENTITY declarations are not allowed in an Atom listing")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as err:
        line = err.position[0] if err.position else 0
        return _failed(path, page_date, f"not well-formed XML: {err}", line)
    except (ValueError, LookupError, RecursionError, UnicodeError) as err:
        return _failed(path, page_date, f"cannot read XML: {err}")
    if root.tag != ATOM + "feed":
        return _failed(path, page_date, f"root element is {root.tag!r}, not an Atom <feed>")

    lines = _entry_lines(text)
    nodes = root.findall(ATOM + "entry")
    if len(lines) != len(nodes):
        lines = [0] * len(nodes)
    entries: list[Entry] = []
    problems: list[Problem] = []
    for node, line in zip(nodes, lines, strict=True):
        entry = _read_entry(node, path, line, problems)
        if entry is not None:
            entries.append(entry)
    return Listing(path, NAME, page_date, tuple(entries), tuple(problems))


def _read_entry(node: ET.Element, path: str, line: int, problems: list[Problem]) -> Entry | None:
    """One ``<entry>``; problems are appended to ``problems``."""
    ident = _text(node, ATOM + "id")
    if "arxiv.org/api/errors" in ident:
        message = _text(node, ATOM + "summary") or ident
        problems.append(Problem(path, line, "warning", f"arXiv API error: {collapse_space(message)}"))
        return None
    title = collapse_space(_text(node, ATOM + "title"))
    if not title:
        problems.append(Problem(path, line, "warning", f"entry {ident or '(no id)'} has no title; skipped"))
        return None
    match = _ABS.search(ident)
    if match is None:
        problems.append(Problem(path, line, "warning", f"entry id {ident!r} is not an arXiv abs URL"))
    authors = tuple(name for a in node.findall(ATOM + "author") if (name := collapse_space(_text(a, ATOM + "name"))))
    return Entry(
        title=title,
        line=line,
        abstract=collapse_space(_text(node, ATOM + "summary")),
        arxiv=arxiv_id(match.group(1)) if match else None,
        authors=authors,
        published=parse_day(_text(node, ATOM + "published")),
        links=_links(node),
        categories=_categories(node),
    )


def _entry_lines(text: str) -> list[int]:
    """Line of each ``<entry>`` tag, counting newlines once through the text (linear in its size)."""
    lines: list[int] = []
    line, last = 1, 0
    for match in _ENTRY_TAG.finditer(text):
        line += text.count("\n", last, match.start())
        last = match.start()
        lines.append(line)
    return lines


def _text(node: ET.Element, tag: str) -> str:
    child = node.find(tag)
    return "".join(child.itertext()) if child is not None else ""


def _categories(node: ET.Element) -> tuple[str, ...]:
    """Primary category first, then the others in feed order, without repeats."""
    primary = node.find(ARXIV + "primary_category")
    terms = [primary.get("term", "")] if primary is not None else []
    terms += [c.get("term", "") for c in node.findall(ATOM + "category")]
    return tuple(dict.fromkeys(t.strip() for t in terms if t.strip()))


def _links(node: ET.Element) -> tuple[tuple[str, str], ...]:
    """``pdf`` and ``doi`` links, and a GitHub URL quoted in the author comment."""
    links: dict[str, str] = {}
    for link in node.findall(ATOM + "link"):
        kind, href = link.get("title", ""), link.get("href", "").strip()
        if kind in ("pdf", "doi") and href and kind not in links:
            links[kind] = href
    github = _GITHUB.search(_text(node, ARXIV + "comment"))
    if github:
        links["github"] = github.group(0)
    return tuple(sorted(links.items()))


def _failed(path: str, page_date: date | None, message: str, line: int = 0) -> Listing:
    return Listing(path, NAME, page_date, (), (Problem(path, line, "error", message),))
