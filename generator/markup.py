"""Markdown (abstracts) to HTML with markdown-it-py, raw HTML off, and plain-text helpers."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_md.validateLink = lambda url: url.strip().lower().startswith(("http://", "https://"))  # type: ignore[method-assign]

# Characters XML 1.0 forbids, plus the C1 controls and unpaired surrogates that break feed readers.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_TAGS = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


def clean_text(text: str) -> str:
    """Remove characters that XML forbids; keep every other character (emoji, RTL, math)."""
    return _XML_FORBIDDEN.sub("", text)


def render_markdown(text: str) -> str:
    """Abstract Markdown to HTML. Raw HTML in the input is escaped, never passed through."""
    return str(_md.render(clean_text(text)))


def plain_text(text: str, limit: int | None = None) -> str:
    """Collapse whitespace; cut at a word boundary to ``limit`` characters with an ellipsis."""
    text = _SPACE.sub(" ", clean_text(text)).strip()
    if limit is not None and len(text) > limit:
        cut = text[: limit - 1]
        space = cut.rfind(" ")
        text = (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:.") + "…"
    return text


def strip_tags(html: str) -> str:
    return _TAGS.sub("", html)
