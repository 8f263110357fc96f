"""LaTeX math in titles and abstracts, rendered as MathML at build time (no math JavaScript).

Scraped titles carry TeX as written: ``$L_2$``, ``PanGu-$π$``, ``$\\mathcal{O}(n)$``, ``30\\%``. ``split_math``
finds the ``$…$`` spans (pandoc's rule: no space just inside the dollars, no digit right after the closing one,
so "costs $5 and $10" stays text). Each span goes through latex2mathml, and its output is parsed and re-written
through an allowlist of MathML elements and attributes, so nothing from the input can reach the page as markup.
When a span cannot be converted (a parse error, an unknown command, unbalanced braces) the TeX source is shown
instead, escaped, in ``<code class="tex">``.

``math_plugin`` teaches markdown-it the same ``$…$`` spans, so ``_`` and ``*`` inside math are not emphasis. Rendered
with ``env={"math": "tex"}``, every span is its escaped source in ``<code class="tex">`` instead of MathML.
"""

from __future__ import annotations

import functools
import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

from latex2mathml.converter import convert
from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markupsafe import Markup

_ELEMENTS = frozenset(
    [
        "math",
        "mrow",
        "mi",
        "mn",
        "mo",
        "ms",
        "mtext",
        "mspace",
        "msub",
        "msup",
        "msubsup",
        "mfrac",
        "msqrt",
        "mroot",
        "mover",
        "munder",
        "munderover",
        "mtable",
        "mtr",
        "mtd",
        "mstyle",
        "mpadded",
        "mphantom",
        "menclose",
        "merror",
        "mmultiscripts",
        "mprescripts",
        "none",
        "semantics",
    ]
)
_ATTRIBUTES = frozenset(
    [
        "xmlns",
        "display",
        "stretchy",
        "mathvariant",
        "fence",
        "separator",
        "lspace",
        "rspace",
        "accent",
        "accentunder",
        "linethickness",
        "columnalign",
        "rowspacing",
        "columnspacing",
        "displaystyle",
        "scriptlevel",
        "width",
        "height",
        "depth",
        "form",
        "largeop",
        "movablelimits",
        "symmetric",
        "minsize",
        "maxsize",
        "notation",
        "columnlines",
        "rowlines",
        "frame",
    ]
)
_NS = "{http://www.w3.org/1998/Math/MathML}"
_TEXT_ESCAPES = re.compile(r"\\([%&$#_{}])")
"""TeX escapes that mean a plain character outside math: ``\\%`` is ``%``."""
_SUB = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")
_SUP = str.maketrans("0123456789+-=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ")


class MathError(ValueError):
    """A TeX span latex2mathml cannot turn into clean MathML."""


def find_math(text: str, start: int) -> tuple[int, int, bool] | None:
    """If a math span opens at ``text[start]`` (a ``$``), return (content start, content end, display).

    The first unescaped dollar after the opener must close the span, or there is no span."""
    display = text.startswith("$$", start)
    opener = 2 if display else 1
    inner = start + opener
    if inner >= len(text) or text[inner].isspace() or (not display and text[inner] == "$"):
        return None
    pos = inner
    while True:
        pos = text.find("$", pos)
        if pos == -1:
            return None
        if text[pos - 1] == "\\":
            pos += 1
            continue
        if display:
            if text.startswith("$$", pos):
                return inner, pos, True
            pos += 1
            continue
        after = text[pos + 1] if pos + 1 < len(text) else ""
        if not text[pos - 1].isspace() and not after.isdigit():
            return inner, pos, False
        return None  # the next dollar cannot close: "costs $5 and $10" is text, not math


def split_math(text: str) -> Iterator[tuple[bool, str, bool]]:
    """Yield ``(is_math, source, display)`` segments of ``text`` in order; math sources lack the dollars."""
    pos = plain_from = 0
    while True:
        pos = text.find("$", pos)
        if pos == -1:
            break
        if pos > 0 and text[pos - 1] == "\\":
            pos += 1
            continue
        span = find_math(text, pos)
        if span is None:
            pos += 1
            continue
        begin, end, display = span
        if pos > plain_from:
            yield False, text[plain_from:pos], False
        yield True, text[begin:end], display
        pos = plain_from = end + (2 if display else 1)
    if plain_from < len(text):
        yield False, text[plain_from:], False


def _balanced(tex: str) -> bool:
    depth = 0
    escaped = False
    for char in tex:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _element(node: ET.Element, parts: list[str]) -> None:
    tag = node.tag.removeprefix(_NS)
    if tag not in _ELEMENTS:
        raise MathError(f"unexpected element <{tag}>")
    attrs = ""
    for name, value in sorted(node.attrib.items()):
        if name not in _ATTRIBUTES:
            raise MathError(f"unexpected attribute {name}")
        attrs += f' {name}="{html.escape(value, quote=True)}"'
    if tag == "math":
        attrs = f' xmlns="{_NS[1:-1]}"' + attrs
    parts.append(f"<{tag}{attrs}>")
    if node.text:
        if "\\" in node.text:
            raise MathError(f"unknown command {node.text.strip()}")
        parts.append(html.escape(node.text, quote=False))
    for child in node:
        _element(child, parts)
        if child.tail and child.tail.strip():
            raise MathError("stray text between elements")
    parts.append(f"</{tag}>")


@functools.lru_cache(maxsize=4096)
def _convert(tex: str, display: bool) -> tuple[str, str]:
    """(MathML, plain text) for ``tex``; raises ``MathError`` when it cannot be converted cleanly."""
    if not tex.strip() or not _balanced(tex):
        raise MathError("empty or unbalanced braces")
    try:
        raw = convert(tex, display="block" if display else "inline")
        root = ET.fromstring(raw)
    except Exception as exc:  # latex2mathml raises many kinds; any of them means "show the source"
        raise MathError(str(exc)) from exc
    parts: list[str] = []
    _element(root, parts)
    return "".join(parts), _plain(root)


def _plain(node: ET.Element) -> str:
    """Readable text for a MathML tree: ``L_2`` gives ``L₂``, ``x^2`` gives ``x²``."""
    tag = node.tag.removeprefix(_NS)
    children = list(node)
    if tag in ("msub", "msup") and len(children) == 2:
        base, script = _plain(children[0]), _plain(children[1])
        table = _SUB if tag == "msub" else _SUP
        mapped = script.translate(table)
        if all(not c.isascii() for c in mapped if not c.isspace()):
            return base + mapped
        return f"{base}{'_' if tag == 'msub' else '^'}{script}"
    return (node.text or "") + "".join(_plain(child) for child in children)


def tex_source(tex: str, display: bool = False) -> str:
    dollars = "$$" if display else "$"
    return f"{dollars}{tex}{dollars}"


def tex_html(tex: str, display: bool = False) -> str:
    """One span as its source, dollars included, escaped in ``<code class="tex">``."""
    return f'<code class="tex">{html.escape(tex_source(tex, display), quote=False)}</code>'


def math_html(tex: str, display: bool = False) -> str:
    """MathML for one span, or ``tex_html`` when it cannot be converted."""
    try:
        return _convert(tex, display)[0]
    except MathError:
        return tex_html(tex, display)


def math_plain(tex: str, display: bool = False) -> str:
    try:
        return _convert(tex, display)[1]
    except MathError:
        return tex_source(tex, display)


@functools.lru_cache(maxsize=65536)  # titles recur on every list page, related list and neighbour link
def render_tex(text: str) -> Markup:
    """A title (plain text with TeX) as safe HTML: text escaped, ``\\%`` as ``%``, math as MathML."""
    parts = []
    for is_math, source, display in split_math(text):
        if is_math:
            parts.append(math_html(source, display))
        else:
            parts.append(html.escape(_TEXT_ESCAPES.sub(r"\1", source), quote=False))
    return Markup("".join(parts))


@functools.lru_cache(maxsize=65536)
def plain_tex(text: str) -> str:
    """A title or abstract as plain text (for ``<title>``, meta tags, summaries): math as readable text."""
    return "".join(
        math_plain(source, display) if is_math else _TEXT_ESCAPES.sub(r"\1", source)
        for is_math, source, display in split_math(text)
    )


def _math_rule(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != "$" or (state.pos > 0 and state.src[state.pos - 1] == "\\"):
        return False
    span = find_math(state.src, state.pos)
    if span is None or span[1] > state.posMax:
        return False
    begin, end, display = span
    if not silent:
        token = state.push("math_inline", "math", 0)
        token.content = state.src[begin:end]
        token.info = "display" if display else ""
        token.markup = "$$" if display else "$"
    state.pos = end + (2 if display else 1)
    return True


def _render_math(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    if env and env.get("math") == "tex":
        return tex_html(token.content, token.info == "display")
    return math_html(token.content, token.info == "display")


def math_plugin(md: MarkdownIt) -> None:
    """markdown-it plugin: ``$…$`` and ``$$…$$`` become MathML (or escaped source; always the source when the
    render's ``env`` holds ``{"math": "tex"}``), before emphasis sees them."""
    md.inline.ruler.before("escape", "math_inline", _math_rule)
    md.add_render_rule("math_inline", _render_math)
