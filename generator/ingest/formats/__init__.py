"""Listing formats, registered in one table.

Every format is a small pure module with two functions:

- ``sniff(text: str, name: str) -> bool``: does this text look like my format? (``name`` is the file name,
  a hint only: content decides.)
- ``parse(text: str, path: str, page_date: date | None) -> Listing``: the entries and problems. No I/O, no
  printing. ``page_date`` is the listing's date when the caller knows it (``--date`` or a ``YYYY-MM-DD`` in the
  file name); the parser may infer one otherwise.

The table is tried in order; the first ``sniff`` that answers True wins. Plain text is last: it accepts
anything that is text.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from generator.ingest.formats import arxiv_atom, hf_html, hf_json, hf_text
from generator.model import Listing

Sniff = Callable[[str, str], bool]
Parse = Callable[[str, str, "date | None"], Listing]

FORMATS: list[tuple[str, Sniff, Parse]] = [
    ("hf-json", hf_json.sniff, hf_json.parse),
    ("arxiv-atom", arxiv_atom.sniff, arxiv_atom.parse),
    ("hf-html", hf_html.sniff, hf_html.parse),
    ("hf-text", hf_text.sniff, hf_text.parse),
]


def find_format(text: str, name: str) -> tuple[str, Parse] | None:
    """The first registered format whose sniffer accepts ``text``."""
    for fmt, sniff, parse in FORMATS:
        if sniff(text, name):
            return fmt, parse
    return None
