"""Markdown (abstracts) to HTML with markdown-it-py, raw HTML off, and plain-text helpers."""

from __future__ import annotations

import functools
import re
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

from generator.text.mathml import math_plugin

# linkify: bare http(s) URLs in abstracts become links (no fuzzy "example.com" guesses); $…$ math becomes MathML.
_md = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False}).enable("linkify")
_md.linkify.set({"fuzzy_link": False, "fuzzy_email": False})  # type: ignore[union-attr]
_md.use(math_plugin)
_md.validateLink = lambda url: url.strip().lower().startswith(("http://", "https://"))  # type: ignore[method-assign]


def _external_link(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    tokens[idx].attrSet("rel", "noopener")
    return str(self.renderToken(tokens, idx, options, env))


_md.add_render_rule("link_open", _external_link)


def _fast_linkify_tests(linkify: Any) -> None:
    """Give linkify-it's ``pretest`` and ``test`` the same answers, faster. Both start with the regex
    ``(^|(?!_)(?:[><｜]|<punctuation and spaces>))(http:|https:|…)``, which tries a large Unicode class at every
    character of an abstract. Finding the schema names first (a short regex) and checking the one character before
    each gives the same result; this is most of the time of rendering an abstract that contains a URL."""
    patterns = linkify.re
    head = "(^|(?!_)(?:[><\uff5c]|" + patterns["src_ZPCc"] + "))("
    schema_test = patterns["schema_test"]
    if (
        not schema_test.startswith(head)
        or not schema_test.endswith(")")
        or patterns["pretest"] != f"({schema_test})|({patterns['host_fuzzy_test']})|@"
        or any(linkify._opts.get(name) for name in ("fuzzy_link", "fuzzy_email", "fuzzy_ip"))
    ):
        return  # another linkify-it version or other options: keep its own tests
    names = schema_test[len(head) : -1]
    schemas = re.compile(f"(?=(?:{names}))", re.IGNORECASE)
    # every schema name holds a ':' or a '/' (which match only themselves): text with neither has no schema
    marked = all(":" in name or "/" in name for name in names.split("|"))
    before = re.compile("(?!_)(?:[><\uff5c]|" + patterns["src_ZPCc"] + ")", re.IGNORECASE)
    host = re.compile(patterns["host_fuzzy_test"], re.IGNORECASE)
    original_test = linkify.test

    def has_schema(text: str) -> bool:
        if marked and ":" not in text and "/" not in text:
            return False
        return any(m.start() == 0 or before.match(text, m.start() - 1) for m in schemas.finditer(text))

    def pretest(text: str) -> bool:
        return "@" in text or has_schema(text) or host.search(text) is not None

    def test(text: str) -> bool:
        # without fuzzy links and emails, ``test`` is the schema search and, when it finds one, the full test
        return bool(text) and has_schema(text) and bool(original_test(text))

    linkify.pretest = pretest
    linkify.test = test


_LINKIFY: Any = _md.linkify  # linkify-it, as the linkify rules use it (with the faster tests below)
_fast_linkify_tests(_LINKIFY)

# The same parser without linkify, for text that cannot hold a bare URL: linkify's pre-test is a large Unicode
# regex run over every paragraph, and most abstracts have no URL at all.
_md_plain = MarkdownIt("commonmark", {"html": False, "typographer": False})
_md_plain.use(math_plugin)
_md_plain.validateLink = _md.validateLink  # type: ignore[method-assign]
_md_plain.add_render_rule("link_open", _external_link)

# Characters XML 1.0 forbids, plus the C1 controls and unpaired surrogates that break feed readers.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_TAGS = re.compile(r"<[^>]*>")


def clean_text(text: str) -> str:
    """Remove characters that XML forbids; keep every other character (emoji, RTL, math)."""
    return _XML_FORBIDDEN.sub("", text)


@functools.lru_cache(maxsize=32768)  # feeds render the same abstracts as the pages, several times over
def render_markdown(text: str) -> str:
    """Abstract Markdown to HTML. Raw HTML in the input is escaped, never passed through."""
    text = clean_text(text)
    if _may_link(text):
        return _plain_paragraphs(text, links=True) or str(_md.render(text))
    return _plain_paragraphs(text) or str(_md_plain.render(text))


@functools.lru_cache(maxsize=4096)
def render_markdown_tex(text: str) -> str:
    """``render_markdown``, but each math span stays its TeX source, escaped in ``<code class="tex">`` (what pages
    show for a span that cannot be converted), never MathML: for feeds, whose readers and validator do not all
    know MathML. Text without a ``$`` holds no math: it renders as ``render_markdown`` does, from its cache."""
    if "$" not in text:
        return render_markdown(text)
    text = clean_text(text)
    return str((_md if _may_link(text) else _md_plain).render(text, {"math": "tex"}))


_MARKUP = re.compile(r"[\\`*_\[\]<>&!$~\r]")
"""Characters that may start Markdown syntax (or math, or an entity) anywhere in a line."""
_BLOCK_START = frozenset("-+*=>#0123456789")
"""First characters of a line that may start a list, heading, quote, rule or setext underline."""


def _plain_paragraphs(text: str, *, links: bool = False) -> str | None:
    """What markdown-it renders for text that is only paragraphs of plain words (most abstracts), and with
    ``links`` bare http(s) URLs too (linkify's links; a third of abstracts have one), without running it; None
    when the text may hold any other Markdown syntax. Lines must not start or end with white space (indented code,
    hard breaks), paragraphs are separated by empty lines."""
    html: list[str] = []
    lines: list[str] = []
    for line in (*text.split("\n"), ""):
        if not line:
            if lines:
                inline = _linked_words("\n".join(lines)) if links else _plain_words("\n".join(lines))
                if inline is None:
                    return None
                html.append(f"<p>{inline}</p>\n")
                lines = []
        elif line[0] in _BLOCK_START or line != line.strip():
            return None
        else:
            lines.append(line)
    return "".join(html)


def _plain_words(text: str) -> str | None:
    """A paragraph's content as markdown-it renders it when no inline syntax can start in it, else None."""
    return None if _MARKUP.search(text) else text.replace('"', "&quot;")


_SCHEME = re.compile(r"(?:^|[^a-z0-9.+-])([a-z][a-z0-9.+-]*)$", re.IGNORECASE)
"""markdown-it's ``rules_inline.linkify.SCHEME_RE``: the scheme that text before a ``://`` ends with."""


def _linked_words(text: str) -> str | None:
    """A paragraph's content as markdown-it with linkify renders it when its only syntax is bare URLs, else None.

    As markdown-it's inline linkify rule: at each ``://`` (``:`` stops the text rule) the scheme the pending text
    (since the line's start or the last link) ends with starts linkify-it's ``match_at_start``; a match whose
    normalised URL passes ``validateLink`` becomes a link and the parser goes on after it. Every other character
    must be plain (``_MARKUP``), and no text token may hold a link that the core linkify rule would find."""
    html: list[str] = []
    pending = 0  # where the text since the last link starts
    colon = text.find("://")
    while colon >= 0:
        # the pending text, from its last space at most: the same match (a space is no scheme character)
        start = max(pending, text.rfind("\n", pending, colon) + 1)
        scheme = _SCHEME.search(text[max(start, text.rfind(" ", start, colon)) : colon])
        link = _LINKIFY.match_at_start(text[colon - len(scheme[1]) :]) if scheme else None
        if scheme and link:
            url = link.url.rstrip("*")  # as the rule: a '*' ending the URL is left to emphasis
            href = _md.normalizeLink(url)
            if _md.validateLink(href):
                begin = colon - len(scheme[1])
                words = _linkless_words(text[pending:begin])
                if words is None:
                    return None
                label = escapeHtml(_md.normalizeLinkText(url))
                html += (words, f'<a href="{escapeHtml(href)}" rel="noopener">{label}</a>')
                pending = begin + len(url)
                colon = text.find("://", pending)
                continue
        colon = text.find("://", colon + 1)
    words = _linkless_words(text[pending:])
    if words is None:
        return None
    html.append(words)
    return "".join(html)


def _linkless_words(text: str) -> str | None:
    """Text between links (and line breaks) as markdown-it renders it: plain words in which the core linkify rule
    finds no link (its ``test`` runs on each text token: each line's part), else None."""
    if any(part and _LINKIFY.test(part) for part in text.split("\n")):
        return None
    return _plain_words(text)


def _may_link(text: str) -> bool:
    """Could linkify find a link in ``text``? Only http(s) links pass ``validateLink``, and those need ``//``
    in the text once entities (``&#47;``) and backslash escapes (``\\/``) are decoded."""
    return "//" in text or "&" in text or "\\" in text


@functools.lru_cache(maxsize=65536)  # list pages show each paper's summary several times
def plain_text(text: str, limit: int | None = None) -> str:
    """Collapse whitespace; cut at a word boundary to ``limit`` characters with an ellipsis."""
    if limit is not None and limit > 0 and len(text) > 2 * limit + 64:
        # Only the start matters: cleaning and collapsing never move a character earlier than a longer input
        # would, so when a prefix already collapses to more than ``limit`` visible characters, its cut is the
        # cut of the whole text (for a positive limit: ``text[: limit - 1]`` counts from the end otherwise).
        head = " ".join(clean_text(text[: 2 * limit + 64]).split())
        if len(head) > limit:
            text = head
    # str.split() splits at the characters ``\s`` matches, and drops them at both ends: ``re.sub(r"\s+", " ",
    # text).strip()`` without the regex
    text = " ".join(clean_text(text).split())
    if limit is not None and len(text) > limit:
        cut = text[: limit - 1]
        space = cut.rfind(" ")
        text = (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:.") + "…"
    return text


def strip_tags(html: str) -> str:
    return _TAGS.sub("", html)
