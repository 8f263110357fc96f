"""Hugging Face papers API JSON.

Accepted shapes (everything but ``paper.id`` is optional, and fields were added over time):

- ``/api/daily_papers`` and ``/api/papers/search``: an array of items ``{"paper": {...}, "publishedAt",
  "title", "numComments", ...}``; the item's ``publishedAt`` is the day it was listed, ``paper.publishedAt``
  the arXiv date;
- ``/api/papers/<id>``: one paper object ``{"id", "title", "authors", ...}``;
- the ``data-props`` objects of HF pages (``{"dailyPapers": [...], "dateString"}``,
  ``{"searchResults": [...]}``, ``{"paper": {...}, "comments": [...]}``), so a saved props blob reads too.

:func:`read_items` turns items into entries; :mod:`generator.ingest.formats.hf_html` uses it as well.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime

from generator.ingest.formats.arxiv_atom import arxiv_id, collapse_space, parse_day
from generator.model import Entry, Listing, Problem

NAME = "hf-json"

Locate = Callable[[int, str | None], int]
"""Line of an item, by its number (from 1) and its paper id when it has one (0 when unknown)."""

_JSON_START = re.compile(r'^\ufeff?\s*(?:\[\s*[{\]]|\{\s*["}])')
_COUNT = re.compile(r"^\d{1,3}(?:,\d{3})*$|^\d+$")


def sniff(text: str, name: str) -> bool:
    """JSON: an array of objects (or empty), or an object with a key, e.g. not a Markdown ``[link](...)``."""
    return _JSON_START.match(text) is not None


def parse(text: str, path: str, page_date: date | None) -> Listing:
    """Entries of an HF API response."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        error = Problem(path, err.lineno, "error", f"invalid JSON: {err.msg} (column {err.colno})")
        return Listing(path, NAME, page_date, (), (error,))
    except (ValueError, RecursionError) as err:
        return Listing(path, NAME, page_date, (), (Problem(path, 1, "error", f"invalid JSON: {err}"),))
    items, day, problems = items_of(data, path)
    entries, item_problems = read_items(items, path, locate_in(text))
    return Listing(path, NAME, day or page_date, tuple(entries), tuple(problems + item_problems))


def items_of(data: object, path: str) -> tuple[list[object], date | None, list[Problem]]:
    """The items of any accepted shape, the listing day it names (``dateString``), and shape problems."""
    if isinstance(data, list):
        return data, None, []
    if isinstance(data, dict):
        day = parse_day(data.get("dateString"))
        for key in ("searchResults", "dailyPapers"):
            if isinstance(data.get(key), list):
                return list(data[key]), day, []
        if isinstance(data.get("paper"), dict):
            return [page_item(data)], day, []
        if "id" in data:
            return [{"paper": data}], day, []
        if isinstance(data.get("error"), str):
            return [], None, [Problem(path, 1, "error", f"the HF API answered with an error: {data['error']!r}")]
    kind = type(data).__name__
    return [], None, [Problem(path, 1, "error", f"unrecognised JSON ({kind}): expected HF papers items")]


def page_item(props: dict[str, object]) -> dict[str, object]:
    """An item from a single-paper page's props: its visible comments and submitting organization."""
    item: dict[str, object] = {"paper": props["paper"]}
    comments = props.get("comments")
    if isinstance(comments, list):
        item["numComments"] = sum(
            1 for c in comments if not (isinstance(c, dict) and _get(c, "data", "hidden") is True)
        )
    if "submitterOrganization" in props:
        item["organization"] = props["submitterOrganization"]
    return item


def locate_in(text: str) -> Locate:
    """A locator finding each item in ``text``: by its paper id, searching on from the previous hit; an item
    without one by its place in the items array (which the text is read again for, once, only then)."""
    start = 0
    line = 1  # line number at ``start``; counted on from there so a big file stays linear
    starts: list[int] | None = None

    def locate(number: int, ident: str | None) -> int:
        nonlocal start, line, starts
        if ident is None:
            if starts is None:
                starts = item_lines(text)
            return starts[number - 1] if number <= len(starts) else 0
        match = re.compile(r'"id"\s*:\s*"' + re.escape(ident) + '"').search(text, start)
        if match is None:
            return 0
        item_line = line + text.count("\n", start, match.start())
        start, line = match.end(), item_line + text.count("\n", match.start(), match.end())
        return item_line

    return locate


_SPACE = re.compile(r"[ \t\n\r]*")


def item_lines(text: str) -> list[int]:
    """The line each item starts on, for the shapes ``items_of`` reads: the elements of a top-level array, or of
    the object's ``searchResults`` (else ``dailyPapers``) array; else the object's own line. Empty for text that
    is not such JSON."""
    decoder = json.JSONDecoder()

    def space(pos: int) -> int:
        return _SPACE.match(text, pos).end()  # type: ignore[union-attr]  # matches the empty string

    def after(pos: int) -> int:
        """Past the value at ``pos`` and the comma after it, if any."""
        pos = space(decoder.raw_decode(text, pos)[1])
        return space(pos + 1) if text[pos] == "," else pos

    def elements(pos: int) -> list[int]:  # ``pos`` at a '['
        element_starts, pos = [], space(pos + 1)
        while text[pos] != "]":
            element_starts.append(pos)
            pos = after(pos)
        return element_starts

    try:
        top = space(1 if text.startswith("\ufeff") else 0)
        if text[top] == "[":
            starts = elements(top)
        elif text[top] != "{":
            return []
        else:
            arrays: dict[str, int] = {}  # the last value of a key counts, as for json.loads
            pos = space(top + 1)
            while text[pos] == '"':
                key, pos = json.decoder.scanstring(text, pos + 1)  # type: ignore[attr-defined]
                pos = space(space(pos) + 1)  # past the ':'
                arrays[key] = pos
                pos = after(pos)
            item_arrays = [arrays[k] for k in ("searchResults", "dailyPapers") if text[arrays.get(k, top)] == "["]
            starts = elements(item_arrays[0]) if item_arrays else [top]
    except (ValueError, IndexError):
        return []
    return [text.count("\n", 0, pos) + 1 for pos in starts]


def read_items(items: Sequence[object], path: str, locate: Locate) -> tuple[list[Entry], list[Problem]]:
    """Entries for ``items``; a malformed item is skipped with a warning, a wrong-typed field dropped."""
    entries: list[Entry] = []
    problems: list[Problem] = []
    for number, item in enumerate(items, 1):
        entry = _read_item(item, number, path, locate, problems)
        if entry is not None:
            entries.append(entry)
    return entries, problems


def _read_item(item: object, number: int, path: str, locate: Locate, problems: list[Problem]) -> Entry | None:
    paper = item.get("paper") if isinstance(item, dict) else None
    if not isinstance(item, dict) or not isinstance(paper, dict):
        problems.append(Problem(path, locate(number, None), "warning", f"item {number}: no paper object; skipped"))
        return None
    ident = paper.get("id")
    if not isinstance(ident, str) or not ident.strip():
        line = locate(number, None)
        problems.append(Problem(path, line, "warning", f"item {number}: paper.id is not a string; skipped"))
        return None
    line = locate(number, ident)
    where = f"item {number} ({ident})"

    def field(owner: dict[str, object], key: str, kind: type | tuple[type, ...]) -> object:
        value = owner.get(key)
        if value is None or (isinstance(value, kind) and not isinstance(value, bool)):
            return value
        problems.append(Problem(path, line, "warning", f"{where}: {key} is {type(value).__name__}; ignored"))
        return None

    title = field(paper, "title", str) or field(item, "title", str)
    if not isinstance(title, str) or not collapse_space(title):
        problems.append(Problem(path, line, "warning", f"{where}: no title; skipped"))
        return None
    summary = field(paper, "summary", str)
    raw_upvotes = field(paper, "upvotes", (int, str))
    upvotes = _count(raw_upvotes)
    if isinstance(raw_upvotes, str) and upvotes is None:
        problems.append(Problem(path, line, "warning", f"{where}: upvotes {raw_upvotes!r} is not a count"))
    comments = field(item, "numComments", int)
    stars = field(paper, "githubStars", int)
    # When the paper was put on the daily list: the item's publishedAt, else (newer API) paper.submittedOnDailyAt.
    on_list = [field(item, "publishedAt", str), field(paper, "submittedOnDailyAt", str)]
    listed = next((day for day in map(parse_day, on_list) if day), None)
    listed_at = next((moment for moment in map(parse_instant, on_list) if moment), None)
    return Entry(
        title=collapse_space(title),
        line=line,
        abstract=collapse_space(summary) if isinstance(summary, str) else "",
        arxiv=arxiv_id(ident),
        authors=_names(field(paper, "authors", list), where, path, line, problems),
        organization=_organization(field(paper, "organization", dict) or field(item, "organization", dict)),
        published=parse_day(field(paper, "publishedAt", str)),
        listed=listed,
        listed_at=listed_at if listed_at and listed and listed_at.startswith(listed.isoformat()) else None,
        upvotes=upvotes,
        comments=comments if isinstance(comments, int) else None,
        links=_links(field(paper, "githubRepo", str), field(paper, "projectPage", str)),
        github_stars=stars if isinstance(stars, int) else None,
        keywords=_strings(field(paper, "ai_keywords", list)),
    )


def parse_instant(value: object) -> str | None:
    """An ISO 8601 timestamp with a time zone (``2024-10-25T00:57:09.392Z``) as ``2024-10-25T00:57:09Z``: UTC, whole
    seconds (fractions dropped); None for anything else, a bare date included."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.utcoffset() is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _get(owner: dict[object, object], *keys: str) -> object:
    value: object = owner
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _count(value: object) -> int | None:
    """An HF count: ``118``, ``"1,056"``, or ``"-"`` for none."""
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        value = value.strip()
        if value == "-":
            return 0
        if _COUNT.match(value):
            return int(value.replace(",", ""))
    return None


def _names(authors: object, where: str, path: str, line: int, problems: list[Problem]) -> tuple[str, ...]:
    names: list[str] = []
    for author in authors if isinstance(authors, list) else ():
        name = author.get("name") if isinstance(author, dict) else None
        if isinstance(name, str) and collapse_space(name):
            names.append(collapse_space(name))
        else:
            problems.append(Problem(path, line, "warning", f"{where}: an author has no name; left out"))
    return tuple(names)


def _organization(org: object) -> str | None:
    """Display name: ``fullname`` over ``name``."""
    for key in ("fullname", "name"):
        value = org.get(key) if isinstance(org, dict) else None
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _links(github: object, project: object) -> tuple[tuple[str, str], ...]:
    pairs = (("github", github), ("project", project))
    return tuple((name, url.strip()) for name, url in pairs if isinstance(url, str) and url.strip())


def _strings(values: object) -> tuple[str, ...]:
    if not isinstance(values, list):
        return ()
    return tuple(v.strip() for v in values if isinstance(v, str) and v.strip())
