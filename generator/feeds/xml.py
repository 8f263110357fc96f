"""RSS 2.0 and Atom 1.0, written with feedgen from a ``Feed`` record, then finished in the XML tree where feedgen
cannot say what the rules below ask for: the ``type`` of Atom text constructs, and hexadecimal references for ``&``
and ``<`` in plain text. Neither changes the text an XML parser reads. ``entries`` uses ``html_chars`` for the
entry HTML of every format.

How text is written, so that readers show the text a paper holds and the W3C feed validator, whose checks go
beyond the specs, has nothing to warn about:

- **Characters.** The validator calls the C1 controls (U+0080 to U+009F) and U+FFFD "bad characters" wherever they
  are (they usually mean text decoded with the wrong charset), and html5lib, which it parses HTML with, rejects C1
  controls and noncharacters. In HTML, ``html_chars`` writes U+FFFD as the reference ``&#xFFFD;`` (the same
  character to the reader), NEL (U+0085, a line break) as a newline, and drops the other C1 controls and the
  noncharacters, which are not text. Plain text holds no C1 control (``plain_text`` folds NEL into a space,
  ``clean_text`` drops the others).
- **Plain text that reads as HTML** (``reads_as_html``): a ``<`` before a letter, ``/``, ``!`` or ``?``, a
  character reference (one an HTML parser reads, or one the validator takes for an entity: ``&amp``, ``&#38``,
  ``&x1``; not the ``&D`` of "R&D"), or a character ``html_chars`` rewrites. An HTML reader would take part of such
  text for markup, and the validator warns. An Atom text construct declares it: ``type="html"``, the text escaped
  (``atom_text``). An RSS title or description cannot declare a type, and readers (feedparser among them) read
  such text as HTML, so it is written escaped too (``rss_text``). Any other text is written as it is: nothing in
  it reads as markup, so HTML readers and plain-text readers see the same text.
- **References.** RSS plain text, and Atom person names (plain text that cannot declare a type), write ``&`` and
  ``<`` as the hexadecimal references ``&#x26;`` and ``&#x3C;`` (the RSS Advisory Board's profile; the same
  characters to an XML parser; ``hex_references``).
- **Person names and category labels** cannot declare a type either, and HTML-escaping them would change the text
  that Atom readers show. An end tag in one (``</b>``) gets a WORD JOINER (U+2060, invisible) after its ``<``
  (``label_text``): the one change that keeps the validator from reading it as HTML without losing the name.
"""

from __future__ import annotations

import html
import re
from html.entities import name2codepoint
from typing import Any

from feedgen.feed import FeedGenerator
from lxml import etree  # type: ignore[import-untyped]

from generator.feeds.model import FORMATS, GENERATOR, Feed, FeedFormat
from generator.site.assemble import Site
from generator.text.markup import plain_text

ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"
_HEX = {"&": "#x26", "<": "#x3C"}
_REFERENCED = re.compile("([&<])")
_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(chr(plane << 16 | 0xFFFE) + chr(plane << 16 | 0xFFFF) for plane in range(17))
_REWRITTEN = re.compile(f"[\x80-\x9f\ufffd{_NONCHARACTERS}]")
"""What ``html_chars`` rewrites: C1 controls, U+FFFD and the noncharacters."""
_WRITTEN_AS = {"\ufffd": "&#xFFFD;", "\x85": "\n"}
"""How ``html_chars`` writes each character of ``_REWRITTEN`` it keeps; the others are dropped."""
_TAG = re.compile(r"<[/!?A-Za-z]")
"""The start of a tag, comment or declaration (and of what the validator's plain-text checks look for: an end tag,
``<`` before a letter)."""
_REFERENCE = re.compile(r"&(#?\w+)")
"""What the validator's plain-text checks take for a reference when the name is an HTML 4 entity or not all
letters."""
_END_TAG = re.compile(r"<(?=/\w+>)")
WORD_JOINER = "\u2060"


def html_chars(markup: str) -> str:
    """HTML with U+FFFD as ``&#xFFFD;``, NEL as a newline, and no other C1 control nor noncharacter."""
    return _REWRITTEN.sub(lambda match: _WRITTEN_AS.get(match[0], ""), markup)


def text_html(text: str) -> str:
    """Plain text as HTML that shows exactly that text."""
    return html_chars(html.escape(text, quote=False))


def reads_as_html(text: str) -> bool:
    """Could part of ``text`` be taken for markup, or does it hold a character ``html_chars`` rewrites?"""
    return _TAG.search(text) is not None or _REWRITTEN.search(text) is not None or _has_reference(text)


def _has_reference(text: str) -> bool:
    """Does an HTML parser (``html.unescape``) or the validator read a character reference in ``text``?"""
    if "&" not in text:
        return False
    if html.unescape(text) != text:
        return True
    return any(m[1] in name2codepoint or m[1] == "apos" or not m[1].isalpha() for m in _REFERENCE.finditer(text))


def atom_text(text: str) -> tuple[str, str]:
    """``(type, value)`` of an Atom text construct holding ``text``: ``("text", text)``, or ``("html", escaped)``
    when ``text`` reads as HTML."""
    return ("html", text_html(text)) if reads_as_html(text) else ("text", text)


def rss_text(text: str) -> str:
    """An RSS title or channel description holding ``text``: as it is, or escaped when it reads as HTML."""
    return text_html(text) if reads_as_html(text) else text


def label_text(text: str) -> str:
    """A person name or category label, which cannot declare a type: each end tag gets a WORD JOINER after its
    ``<``, so it does not read as one."""
    return _END_TAG.sub("<" + WORD_JOINER, text)


def language(site: Site) -> str:
    """``config.language`` as an IETF tag (``en_US`` -> ``en-US``), as RSS and Atom's ``xml:lang`` expect."""
    return plain_text(site.config.language).replace("_", "-") or "en"


def _generator(site: Site, feed: Feed, fmt: FeedFormat) -> FeedGenerator:
    """Feed-level fields shared by RSS and Atom. The self link goes first: feedgen uses the last link as the
    RSS channel link, which must be the HTML page."""
    fg = FeedGenerator()
    fg.id(site.urls.absolute(feed.path(fmt)))
    fg.title(feed.title)
    fg.subtitle(feed.description)
    fg.link(href=site.urls.absolute(feed.path(fmt)), rel="self", type=fmt.media_type)
    fg.link(href=site.urls.absolute(feed.page), rel="alternate", type="text/html")
    fg.language(language(site))
    fg.generator(GENERATOR)
    fg.updated(feed.updated)
    fg.lastBuildDate(feed.updated)
    return fg


def _category_scheme(site: Site) -> str:
    return site.urls.absolute("topics/")


def _tree(data: bytes) -> Any:
    return etree.fromstring(data, etree.XMLParser(huge_tree=True))


def _bytes(root: Any) -> bytes:
    # pretty_print adds the final newline feedgen's output ends with; it leaves indented elements alone
    return bytes(etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True))


def hex_references(element: Any) -> None:
    """Write the ``&`` and ``<`` of an element holding only text as ``&#x26;`` and ``&#x3C;``."""
    parts = _REFERENCED.split(element.text or "")
    element.text = parts[0]
    for char, text in zip(parts[1::2], parts[2::2], strict=True):
        reference = etree.Entity(_HEX[char])
        reference.tail = text
        element.append(reference)


def rss_feed(site: Site, feed: Feed) -> bytes:
    """RSS 2.0 with ``content:encoded`` for the HTML and ``dc:creator`` for authors (RSS ``author`` must be an
    email address, which papers do not have). Titles and the channel description are plain text (``rss_text``);
    the item description is HTML: RSS readers read it so."""
    fg = _generator(site, feed, FORMATS[0])
    fg.load_extension("dc", atom=False, rss=True)
    for item in feed.items:
        fe = fg.add_entry(order="append")
        fe.guid(item.id, permalink=True)
        fe.title(item.title)
        fe.link(href=item.link)
        fe.description(text_html(item.summary))
        if item.content_html:
            fe.content(item.content_html)
        fe.pubDate(item.published)
        for term, label in item.categories:
            fe.category(term=term, label=label_text(label), scheme=_category_scheme(site))
        for name in item.authors:
            fe.dc.dc_creator(name)
    root = _tree(fg.rss_str(pretty=True))
    channel = root.find("channel")
    texts = [channel.find("title"), channel.find("description"), *channel.iterfind("item/title")]
    for element in texts:
        element.text = rss_text(element.text or "")
    for element in [*texts, *channel.iterfind("item/category"), *channel.iterfind(f"item/{DC}creator")]:
        hex_references(element)
    return _bytes(root)


def atom_feed(site: Site, feed: Feed) -> bytes:
    """Atom 1.0 (RFC 4287). The feed-level author is the site, so entries without authors stay valid. Text
    constructs are ``type="text"`` or, when their text reads as HTML, ``type="html"`` (``atom_text``)."""
    fg = _generator(site, feed, FORMATS[1])
    fg.author({"name": label_text(plain_text(site.config.title) or GENERATOR), "uri": site.urls.absolute()})
    for item in feed.items:
        fe = fg.add_entry(order="append")
        fe.id(item.id)
        fe.title(item.title)
        fe.link(href=item.link, rel="alternate", type="text/html")
        fe.summary(item.summary)
        if item.content_html:
            fe.content(item.content_html, type="html")
        fe.published(item.published)
        fe.updated(item.updated)
        for term, label in item.categories:
            fe.category(term=term, label=label_text(label), scheme=_category_scheme(site))
        for name in item.authors:
            fe.author({"name": label_text(name)})
    root = _tree(fg.atom_str(pretty=True))
    for element in (
        root.find(f"{ATOM}title"),
        root.find(f"{ATOM}subtitle"),
        *root.iterfind(f"{ATOM}entry/{ATOM}title"),
        *root.iterfind(f"{ATOM}entry/{ATOM}summary"),
    ):
        kind, element.text = atom_text(element.text or "")
        if kind != "text":
            element.set("type", kind)
    for element in root.iterfind(f".//{ATOM}author/{ATOM}name"):
        hex_references(element)
    return _bytes(root)
