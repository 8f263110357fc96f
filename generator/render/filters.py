"""What the paper page and the page head show beyond the record itself: the link list, and the JSON-LD.

Also the template filters for math (``tex``, ``tex_plain``), ``json_ld``, ``date`` and ``unsearchable``,
registered by ``Renderer``.
"""

from __future__ import annotations

import functools
import json
import re
from datetime import date
from typing import Any, NamedTuple
from urllib.parse import quote_plus, urlsplit

from markupsafe import Markup

from generator.model import Paper
from generator.text.markup import plain_text
from generator.text.mathml import plain_tex, render_tex

_URL = re.compile(r"https?://[^\s<>()\[\]{}\"'`]+", re.IGNORECASE)
_LINK_LABELS = {"github": "GitHub", "project": "Project page", "hf": "Hugging Face", "demo": "Demo", "data": "Data"}
_JSON_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}
UNSEARCHABLE_DIGITS = "!#$%()*+,-./:;=?"
"""The sixteen hex digits of ``unsearchable``, 0 to f: no letter, digit or space, nothing HTML escapes
(``static/search.js`` reads them back)."""
_UNSEARCHABLE = str.maketrans("0123456789abcdef", UNSEARCHABLE_DIGITS)


class PaperLink(NamedTuple):
    """One of ``paper_links(paper)``: a link the paper gives, or a URL written in its abstract."""

    kind: str
    """The paper's name for the link (``github``, ``project``, ``hf``, ...), or ``abstract`` for a URL found in
    the abstract."""
    label: str
    """What the link reads: ``GitHub ★ 1,234``, ``Project page``, or host and path for a URL in the abstract."""
    url: str
    """An http(s) URL."""


class SourceLink(NamedTuple):
    """One of ``source_links(paper)``: where the paper itself can be read."""

    label: str
    """``arXiv``, ``PDF``, ``Hugging Face``, or ``Search arXiv`` when the arXiv id is not known."""
    url: str
    """The page on arxiv.org or huggingface.co (an arXiv title search for ``Search arXiv``)."""


def abstract_urls(text: str) -> list[str]:
    """http(s) URLs written in an abstract, in order, without trailing punctuation, each once."""
    urls: list[str] = []
    for match in _URL.finditer(text):
        url = match.group().rstrip(".,;:!?*_~")
        if urlsplit(url).hostname and url not in urls:
            urls.append(url)
    return urls


def link_label(url: str) -> str:
    """Short readable label for a bare URL: host and path, without ``www.`` and the trailing slash."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    label = host + parts.path.rstrip("/")
    return label if len(label) <= 48 else label[:47] + "…"


def paper_links(paper: Paper) -> list[PaperLink]:
    """The paper's own links (GitHub with stars, project page, …) and then URLs found in the abstract that are not
    already listed. Only http(s) URLs."""
    links: list[PaperLink] = []
    seen: set[str] = set()
    for name, url in paper.links:
        if not url.lower().startswith(("http://", "https://")) or url in seen:
            continue
        label = _LINK_LABELS.get(name, name.replace("_", " ").capitalize())
        if name == "github" and paper.github_stars is not None:
            label += f" ★ {paper.github_stars:,}"
        links.append(PaperLink(name, label, url))
        seen.add(url)
    for url in abstract_urls(paper.abstract):
        if url not in seen and url.rstrip("/") not in {u.rstrip("/") for u in seen}:
            links.append(PaperLink("abstract", link_label(url), url))
            seen.add(url)
    return links


def json_ld(data: dict[str, Any]) -> Markup:
    """JSON for a ``<script type="application/ld+json">``: ``<``, ``>`` and ``&`` as ``\\u003c`` etc., so no
    input can close the script element."""
    return Markup(json.dumps(data, ensure_ascii=False, sort_keys=True, indent=None).translate(_JSON_ESCAPES))


def unsearchable(text: str) -> str:
    """``text``'s UTF-8 bytes in hex written with ``UNSEARCHABLE_DIGITS``: search metadata that Pagefind stores
    but finds no word in. Pagefind (1.5 on) searches every metadata field, splitting it at spaces and keeping the
    letters and digits of each piece, so a card's HTML in plain text would make every page match ``class``,
    ``time``, ``label`` or ``summary``."""
    return text.encode("utf-8").hex().translate(_UNSEARCHABLE)


def scholarly_article(paper: Paper, url: str, topic_names: dict[str, str]) -> dict[str, Any]:
    """schema.org ScholarlyArticle for a paper page."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ScholarlyArticle",
        "headline": plain_text(plain_tex(paper.title)),
        "name": plain_text(plain_tex(paper.title)),
        "url": url,
        "abstract": plain_text(plain_tex(paper.abstract)),
    }
    if paper.authors:
        data["author"] = [{"@type": "Person", "name": name} for name in paper.authors]
    if paper.organization:
        data["sourceOrganization"] = {"@type": "Organization", "name": paper.organization}
    if paper.published:
        data["datePublished"] = paper.published.isoformat()
    if paper.updated:
        data["dateModified"] = paper.updated.isoformat()
    if paper.arxiv:
        data["identifier"] = {"@type": "PropertyValue", "propertyID": "arXiv", "value": paper.arxiv}
        data["sameAs"] = [f"https://arxiv.org/abs/{paper.arxiv}", f"https://huggingface.co/papers/{paper.arxiv}"]
    keywords = [topic_names[slug] for slug in paper.topics if slug in topic_names]
    if keywords:
        data["keywords"] = keywords
    return data


DATE_STYLES: dict[str, str | None] = {
    "iso": None,  # 2026-02-06: ISO 8601 (date.isoformat()), the default
    "short": "%b %-d, %Y",  # Feb 6, 2026
    "long": "%B %-d, %Y",  # February 6, 2026
    "month": "%b %Y",  # Feb 2026
}
"""The styles of the ``date`` filter, by name: a ``strftime`` pattern, or None for ISO 8601."""


@functools.lru_cache(maxsize=65536)  # a paper page shows some 17 dates (its own, each related paper's), of a few days
def format_date(day: date, style: str = "iso") -> str:
    """``{{ paper.published | date }}``: ``2026-02-06`` (ISO 8601); ``| date("short")``: ``Feb 6, 2026``, and the
    other ``DATE_STYLES``. A style that is not a name there is a ``strftime`` pattern: ``| date("%d/%m/%Y")``."""
    pattern = DATE_STYLES.get(style, style)
    return day.isoformat() if pattern is None else day.strftime(pattern)


FILTERS = {
    "tex": render_tex,
    "tex_plain": plain_tex,
    "json_ld": json_ld,
    "date": format_date,
    "unsearchable": unsearchable,
}
"""Template filters: ``{{ paper.title | tex }}`` (MathML), ``| tex_plain`` (for ``<title>`` and meta tags),
``| json_ld``, ``| date`` (``| date("short")``, see ``DATE_STYLES``), ``| unsearchable`` (search metadata Pagefind
does not search)."""
GLOBALS = {"paper_links": paper_links, "scholarly_article": scholarly_article}


def source_links(paper: Paper) -> list[SourceLink]:
    """Where the paper lives: arXiv and HF when the id is known, else an arXiv title search."""
    if paper.arxiv:
        return [
            SourceLink("arXiv", f"https://arxiv.org/abs/{paper.arxiv}"),
            SourceLink("PDF", f"https://arxiv.org/pdf/{paper.arxiv}"),
            SourceLink("Hugging Face", f"https://huggingface.co/papers/{paper.arxiv}"),
        ]
    return [SourceLink("Search arXiv", f"https://arxiv.org/search/?query={quote_plus(paper.title)}&searchtype=title")]
