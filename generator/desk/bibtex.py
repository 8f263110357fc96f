"""A BibTeX entry per paper, for ``cite.bib`` and the reader's saved-papers export.

One ``@misc`` entry, fields in a fixed order (title, author, year, eprint, archivePrefix, primaryClass, url, note),
two-space indent, one ``field = {value},`` line each, the closing ``}`` on its own line. Same paper, same bytes.

- With an arXiv id: ``eprint``, ``archivePrefix = {arXiv}``, ``primaryClass`` (the first category, when known) and
  the arXiv abstract page as ``url``. Without one: the paper's page on this site as ``url``, and
  ``note = {Listed on <site>, <Mon D, YYYY>}``.
- ``author`` joins the names with `` and ``. A name holding the word "and" or a comma is braced, so BibTeX keeps it
  one name. No names, no field. ``year`` is the year of ``paper.date``.

Free text (title, names, site title) keeps its LaTeX (``$\\mathcal{O}(n)$`` stays as written) and is made safe:

- control characters are dropped, other whitespace runs become one space;
- ``%``, ``&`` and ``#`` become ``\\%``, ``\\&``, ``\\#`` unless a backslash already escapes them;
- balanced braces stay. An unmatched brace becomes ``\\textbraceleft{}`` or ``\\textbraceright{}``: BibTeX counts
  braces even after a backslash, so ``\\{`` alone would still unbalance the entry. Braces written after a backslash
  (``\\{x\\}``) are matched among themselves, and plain braces among themselves, because some readers
  (bibtexparser) skip a brace that follows a backslash while BibTeX counts it: matched this way, both agree;
- trailing backslashes become ``\\textbackslash{}``, so none can escape the brace that closes the field.

``cite_key`` is ``<first author's last name><year><first significant title word>``, folded to ``[a-z0-9]``
(``xu2025amem``), falling back to the slug and then to ``paper``. Keys are not unique across a site; the
browser's export de-duplicates them.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from generator.model import Paper

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
"""Month abbreviations of the note's date, fixed here so the locale never changes the bytes."""

STOP_WORDS = frozenset(
    {"a", "an", "the", "on", "of", "for", "in", "to", "towards", "toward", "and", "or", "with", "at", "by", "via"}
)
"""Title words the cite key skips (compared after folding)."""

NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
"""Last words of a name that are not the last name (compared after folding)."""

_DROPPED = frozenset({"Cc", "Cs"})
_LONE_AND = re.compile(r"\band\b", re.IGNORECASE)
_TEX_COMMAND = re.compile(r"\\[A-Za-z]+")
_BRACE_TEXT = {"{": "\\textbraceleft{}", "}": "\\textbraceright{}"}
_SPECIAL = re.compile(r"[{}\\%&#]")
"""What free text needs more than whitespace cleaning for (most titles and names have none of it)."""


def cite_key(paper: Paper) -> str:
    """The entry's key: last name, year, first significant title word, e.g. ``xu2025amem``."""
    year = str(paper.date.year) if paper.date else ""
    key = _last_name(paper.authors[0] if paper.authors else "") + year + _title_word(paper.title)
    if any(c.isalpha() for c in key):
        return key
    return _fold(paper.slug) or "paper"


def bibtex_entry(paper: Paper, *, page_url: str, site_title: str) -> str:
    """The ``@misc`` entry for ``paper``, ending with a newline."""
    fields: list[tuple[str, str]] = [("title", _text(paper.title))]
    authors = _authors(paper.authors)
    if authors:
        fields.append(("author", authors))
    if paper.date:
        fields.append(("year", f"{paper.date.year:04d}"))
    if paper.arxiv:
        fields.append(("eprint", _text(paper.arxiv)))
        fields.append(("archivePrefix", "arXiv"))
        if paper.categories and _text(paper.categories[0]):
            fields.append(("primaryClass", _text(paper.categories[0])))
        fields.append(("url", _url(f"https://arxiv.org/abs/{paper.arxiv}")))
    else:
        fields.append(("url", _url(page_url)))
        note = _note(_text(site_title), paper.listed or paper.date)
        if note:
            fields.append(("note", note))
    lines = [f"@misc{{{cite_key(paper)},"]
    lines.extend(f"  {name} = {{{value}}}," for name, value in fields)
    lines.append("}")
    return "\n".join(lines) + "\n"


def _authors(names: tuple[str, ...]) -> str:
    """The ``author`` value: the escaped names joined with `` and ``, each braced when BibTeX would split it."""
    kept = []
    for name in names:
        text = _text(name)
        if not text:
            continue
        kept.append(f"{{{text}}}" if "," in text or _LONE_AND.search(text) else text)
    return " and ".join(kept)


def _note(site: str, day: date | None) -> str:
    """``Listed on <site>, <Mon D, YYYY>``, leaving out whichever part is missing."""
    parts = [part for part in (site, _day(day) if day else "") if part]
    return "Listed on " + ", ".join(parts) if parts else ""


def _day(day: date) -> str:
    """``Feb 6, 2026``, whatever the locale."""
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


def _url(url: str) -> str:
    """A URL made safe inside braces: spaces, braces and backslashes percent-encoded, control characters and other
    whitespace dropped. URLs are not free text, so ``%`` and ``#`` keep their URL meaning."""
    if url.isprintable() and not any(c in url for c in " {}\\"):
        return url  # the usual URL: nothing to drop or encode
    safe = "".join(c for c in url if unicodedata.category(c) not in _DROPPED)
    for char, code in ((" ", "%20"), ("{", "%7B"), ("}", "%7D"), ("\\", "%5C")):
        safe = safe.replace(char, code)
    return "".join(safe.split())


def _clean(text: str) -> str:
    """Control characters dropped (whitespace ones become spaces), whitespace runs collapsed, ends stripped."""
    if text.isprintable():  # no control character, and no whitespace but the space: nothing to drop
        return " ".join(text.split())
    kept = (" " if c.isspace() else "" if unicodedata.category(c) in _DROPPED else c for c in text)
    return " ".join("".join(kept).split())


def _text(value: str) -> str:
    """Free text as a braced BibTeX value: see the module docstring."""
    text = _clean(value)
    if not _SPECIAL.search(text):
        return text
    body = text.rstrip("\\")
    tail = "\\textbackslash{}" * (len(text) - len(body))
    return _balanced(_tokens(body)) + tail


# A token is (text, brace, after_backslash): brace is "{", "}" or "" for plain text; after_backslash tells whether the
# brace's written form is preceded by a backslash (``\{``, or ``{`` right after ``\\``).
_Token = tuple[str, str, bool]


def _tokens(text: str) -> list[_Token]:
    """Split text that does not end with a backslash into plain text and braces, escaping ``%``, ``&``, ``#``."""
    tokens: list[_Token] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\":
            after = text[i + 1]
            if after in "{}":
                tokens.append(("\\" + after, after, True))
            else:
                tokens.append(("\\" + after, "", False))
                if after == "\\" and i + 2 < len(text) and text[i + 2] in "{}":
                    tokens.append((text[i + 2], text[i + 2], True))
                    i += 1
            i += 2
            continue
        if char in "{}":
            tokens.append((char, char, False))
        else:
            tokens.append(("\\" + char if char in "%&#" else char, "", False))
        i += 1
    return tokens


def _balanced(tokens: list[_Token]) -> str:
    """The tokens joined, each unmatched brace replaced. Braces after a backslash and plain braces are matched
    separately, so readers that count both kinds and readers that skip the first kind see balanced braces."""
    open_at: dict[bool, list[int]] = {True: [], False: []}
    unmatched: set[int] = set()
    for index, (_, brace, after_backslash) in enumerate(tokens):
        stack = open_at[after_backslash]
        if brace == "{":
            stack.append(index)
        elif brace == "}":
            if stack:
                stack.pop()
            else:
                unmatched.add(index)
    unmatched.update(open_at[True], open_at[False])
    # An unmatched ``\\{`` loses its backslash: in LaTeX it meant the literal brace the text command gives.
    return "".join(_BRACE_TEXT[token[1]] if index in unmatched else token[0] for index, token in enumerate(tokens))


def _fold(text: str) -> str:
    """Lowercase ASCII letters and digits only: accents removed (NFKD), everything else dropped."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]", "", ascii_text.lower())


def _last_name(name: str) -> str:
    """The folded last name: the part before a comma (``Doe, Jane``), else the last word that folds to something
    (skipping ``Jr.`` and the like)."""
    if "," in name:
        return _fold(name.split(",", 1)[0])
    for word in reversed(name.split()):
        folded = _fold(word)
        if folded and folded not in NAME_SUFFIXES:
            return folded
    return ""


def _title_word(title: str) -> str:
    """The first title word that is not a stop word, folded, with TeX commands (``\\mathcal``) left out."""
    for word in _TEX_COMMAND.sub(" ", title).split():
        folded = _fold(word)
        if folded and folded not in STOP_WORDS:
            return folded
    return ""
