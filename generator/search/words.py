"""The words index of a sharded search: which shards can match a query, known before any shard is read.

Without it, a word no paper has is known only once every shard the query may read has been merged and searched (44
shards at 100,000 papers). The words index is one more Pagefind index, ``site/pagefind-words/``, of one page per
shard but the newest (which a query reads first unless it asks for another year or the oldest first, and where each
day's papers land: leaving it out spares a daily build indexing the words index again), tagged with a ``shard``
filter: the page holds every distinct piece of text Pagefind indexed in that shard,
read back from the shard's own fragments (a page's ``content``, which Pagefind splits at spaces into the words it
indexes, and its metadata values, which Pagefind 1.5 also searches). Pagefind indexes that page with its own
tokenizer and stemmer, so a query matches a shard's page whenever it matches any page of the shard: a piece of text
is indexed the same way alone as beside others (Pagefind reads each space-separated piece on its own), and a query
matches a page only when every one of its words matches. ``themes/default/static/search/shards.js`` searches it
beside the first shard and merges only the shards it names, and the newest; when it names none, "No results" is
final once the first shard (and the newest) have answered.

Pagefind matches a query word (stemmed) to the indexed words it begins; only when the index it searches has no such
word does it fall back to the longest indexed word that begins the query word. A shard with a word the query word
begins is therefore always named. One that would match only through that fallback is named when no covered shard
has such a word, that is when one index over all these papers would fall back too: the words index makes that
decision once for the site, as a single index would, where the shards alone would each make it for themselves.

A piece with no letter or digit is left out (Pagefind keeps only the letters and digits of a piece, so it indexes no
word; the search cards' metadata is written that way on purpose, ``render.filters.unsearchable``).

A shard's words come from its fragments when it was indexed in this build, else from the published words index
(its page for a shard is named by the shard's digest). The words index is indexed again only when a shard's name or
digest changed; otherwise the published folder is linked.
"""

from __future__ import annotations

import hashlib
import html
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from generator.incremental.output import Output
from generator.search.pagefind import REUSED, SearchIndexError, read_data, read_fragment, write_search_index

WORDS_DIR = "pagefind-words"
"""The words index's folder, relative to the site root (data files only: it uses the primary shard's scripts)."""

_PAGE = "words/{digest}/index.html"
"""A shard's page in the folder the words index is built from (named by the shard's digest, read back by
:func:`published_words`)."""


def _searchable(piece: str) -> bool:
    """Whether Pagefind finds a word in ``piece``: it keeps only a piece's letters and digits."""
    return any(c.isalnum() for c in piece)


def shard_words(folder: Path) -> list[str]:
    """The distinct pieces of text (with a letter or digit) Pagefind indexed in the index ``folder``, sorted."""
    meta = next(iter(sorted(folder.glob("pagefind.*.pf_meta"))), None)
    if meta is None:
        raise SearchIndexError(f"{folder.name}: no Pagefind metadata file to read the words of")
    pieces: set[str] = set()
    for page in read_data(meta)[1]:
        fragment = read_fragment(folder / "fragment" / f"{page[0]}.pf_fragment")
        pieces.update(fragment["content"].split())
        for value in fragment.get("meta", {}).values():
            pieces.update(value.split())
    return sorted(filter(_searchable, pieces))


def published_words(folder: Path) -> dict[str, list[str]]:
    """Shard digest (hex) -> its words, read from the published words index ``folder`` (empty when it has none)."""
    found: dict[str, list[str]] = {}
    for file in sorted(folder.glob("fragment/*.pf_fragment")) if folder.is_dir() else ():
        fragment = read_fragment(file)
        digest = fragment["url"].strip("/").rpartition("/")[2]
        found[digest] = list(filter(_searchable, fragment["content"].split()))  # (without the page's own full stop)
    return found


def words_key(shards: Iterable[tuple[str, bytes]]) -> bytes:
    """What the words index is a function of: every shard's name and digest."""
    digest = hashlib.blake2b(digest_size=16)
    for name, key in shards:
        digest.update(b"%s\0%s\0" % (name.encode(), key))
    return digest.digest()


def write_words(shards: Sequence[tuple[str, bytes, Sequence[str]]], out: Output, language: str) -> Path:
    """Index the words index of ``shards`` ((name, digest, words)) into ``<staging>/pagefind-words/``; return that
    folder (the caller keeps its data files only and counts them, as for a merged shard)."""
    source = Path(tempfile.mkdtemp(prefix=f"{out.staging.name}.trash.words-", dir=out.staging.parent))
    try:
        for name, key, words in shards:
            page = source / _PAGE.format(digest=key.hex())
            page.parent.mkdir(parents=True)
            page.write_text(_page(name, words), encoding="utf-8")
        folder = out.reuse_folder(WORDS_DIR, lambda rel: rel.startswith(REUSED))
        write_search_index(source, _PAGE.format(digest="*"), language, output=folder)
    finally:
        shutil.rmtree(source, ignore_errors=True)
    out.complete(WORDS_DIR)
    return folder


def _page(name: str, words: Sequence[str]) -> str:
    """A shard's page: its words, one space apart, tagged with its ``shard`` filter. It ends with a full stop of its
    own: Pagefind ends a block's text with one when it has none, which would change the last word read back."""
    text = " ".join(html.escape(word, quote=False) for word in words)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Words</title></head>\n'
        f'<body><main data-pagefind-body data-pagefind-filter="shard:{html.escape(name)}">\n'
        f"<p>{text} .</p></main></body></html>\n"
    )
