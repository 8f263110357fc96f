"""The fields of a content file's front matter: one table, ``FIELDS``, that writing (``document``), reading
(``paper``) and merging (``ingest.merge``) all follow. A field is added or changed here, and on ``Paper`` (a test
checks that the two agree)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["text", "int", "date", "instant", "list", "links"]
Owner = Literal["maintainer", "ingest", "listing"]


@dataclass(frozen=True, slots=True)
class Field:
    """One front-matter key of ``content/papers/<slug>.md``."""

    name: str
    """The key; also the name of the ``Paper`` attribute it loads into (except ``title_keys``, which only files
    hold) and, for ``owner="listing"``, of the ``Entry`` attribute ingest copies."""
    kind: Kind
    """What ``load_paper`` accepts: ``text`` a string, ``int`` a whole number >= 0, ``date`` a date (or an ISO date
    string), ``instant`` a date and time with a time zone (an ISO string such as ``2024-10-25T00:57:09Z``, or a YAML
    timestamp), read as UTC, ``list`` a list of strings, ``links`` a mapping of name: URL. Any field may also be
    absent or null."""
    owner: Owner
    """Who sets the value once the file exists. ``maintainer``: ingest writes it only into a new file. ``ingest``:
    ingest keeps it by a rule of its own (``ingest.merge._apply``: the arXiv id fills a gap, dates move to the
    earliest or latest day, ``popular_since`` is set once, links merge by name, sources and title keys gather).
    ``listing``: the newest listing that has a value sets it; an older one only fills a gap."""


FIELDS: tuple[Field, ...] = (
    Field("title", "text", "maintainer"),
    Field("slug", "text", "maintainer"),
    Field("arxiv", "text", "ingest"),
    Field("published", "date", "ingest"),
    Field("listed", "date", "ingest"),
    Field("listed_at", "instant", "listing"),
    Field("updated", "date", "ingest"),
    Field("authors", "list", "listing"),
    Field("authors_count", "int", "listing"),
    Field("organization", "text", "listing"),
    Field("upvotes", "int", "listing"),
    Field("popular_since", "date", "ingest"),
    Field("comments", "int", "listing"),
    Field("github_stars", "int", "listing"),
    Field("listing_rank", "int", "listing"),
    Field("topics", "list", "maintainer"),
    Field("links", "links", "ingest"),
    Field("keywords", "list", "listing"),
    Field("categories", "list", "listing"),
    Field("sources", "list", "ingest"),
    Field("title_keys", "list", "ingest"),
)
"""Every known field, in the order files are written. Keys a maintainer adds keep their own order after these."""

NAMES: tuple[str, ...] = tuple(field.name for field in FIELDS)
"""The field names in file order (the order ``dump_document`` writes them)."""

KNOWN: frozenset[str] = frozenset(NAMES)
"""The field names as a set; any other front-matter key is the maintainer's own (``Paper.extra``)."""

_KIND_ORDER: tuple[Kind, ...] = ("text", "int", "date", "instant", "list", "links")

KINDS: tuple[tuple[Kind, tuple[str, ...]], ...] = tuple(
    (kind, tuple(field.name for field in FIELDS if field.kind == kind)) for kind in _KIND_ORDER
)
"""(kind, names of that kind in file order), in the order ``load_paper`` checks the kinds (so its errors come in
that order)."""

FROM_LISTING: tuple[Field, ...] = tuple(field for field in FIELDS if field.owner == "listing")
"""The fields ingest copies from the newest listing that has them, in file order."""
