"""Frozen records passed between the stages of the pipeline.

listing file --parse--> Entry records --ingest--> content files --load--> Paper --assemble--> Site --render--> site/
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One message for the maintainer, printed compiler style."""

    path: str
    """File the problem is in, as the maintainer would type it (relative to the project when possible)."""
    line: int
    """1-based line number; 0 when the problem concerns the whole file."""
    severity: Severity
    """``error`` stops the command; ``warning`` only does so under ``--strict``."""
    message: str
    """What happened, and a hint where one helps."""

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.severity}: {self.message}"


@dataclass(frozen=True, slots=True)
class Entry:
    """One paper as one listing shows it. Parsers produce these; every field but ``title`` may be unknown."""

    title: str
    """Title as plain text (LaTeX kept as written, hard line breaks collapsed)."""
    line: int = 0
    """Line of the listing where this entry starts (1-based, 0 if unknown)."""
    abstract: str = ""
    """Abstract as plain text / Markdown."""
    arxiv: str | None = None
    """arXiv id without version suffix, e.g. ``2509.24002``."""
    authors: tuple[str, ...] = ()
    """Author names, when the listing has them."""
    authors_count: int | None = None
    """Number of authors when only the count is known."""
    organization: str | None = None
    """Display name of the submitting organization."""
    published: date | None = None
    """The arXiv (publication) date."""
    listed: date | None = None
    """The day the paper was put on this listing."""
    listed_at: str | None = None
    """The instant the paper was put on this listing, when the listing records one (HF's item ``publishedAt``, else
    ``paper.submittedOnDailyAt``): UTC, whole seconds, ``YYYY-MM-DDTHH:MM:SSZ``."""
    listing_rank: int | None = None
    """The entry's place in its listing, 1 for the first (``ingest.listings.read_listing`` numbers them)."""
    upvotes: int | None = None
    """HF upvotes, if the listing shows them."""
    comments: int | None = None
    """Number of discussion comments, if shown."""
    links: tuple[tuple[str, str], ...] = ()
    """Named links, sorted by name: ``(("github", url), ("project", url))``."""
    github_stars: int | None = None
    """Stars of ``links.github``, if known."""
    keywords: tuple[str, ...] = ()
    """HF ``ai_keywords``."""
    categories: tuple[str, ...] = ()
    """arXiv categories, e.g. ``cs.CL``."""


@dataclass(frozen=True, slots=True)
class Listing:
    """A parsed listing file: its entries and the problems met while reading it."""

    path: str
    """Listing path relative to the project (e.g. ``content/listings/x.txt``)."""
    format: str
    """Name of the format table row that parsed it."""
    date: date | None
    """The listing's own date (page date, daily page day), if it has one."""
    entries: tuple[Entry, ...] = ()
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True, slots=True)
class Paper:
    """A paper as loaded from ``content/papers/<slug>.md``."""

    slug: str
    """Permanent URL part and feed GUID; equals the file stem."""
    title: str
    abstract: str
    """Markdown body of the content file."""
    path: str
    """Content file path relative to the project."""
    arxiv: str | None = None
    published: date | None = None
    listed: date | None = None
    """First day the paper was listed."""
    listed_at: datetime | None = None
    """The instant (UTC) a listing says the paper was put on it (HF daily papers), when one did."""
    updated: date | None = None
    """Last day ingest changed this paper (the day of Atom ``updated``)."""
    authors: tuple[str, ...] = ()
    authors_count: int | None = None
    organization: str | None = None
    upvotes: int | None = None
    popular_since: date | None = None
    """The first day ingest saw the paper's upvotes at or above ``[feeds] popular_upvotes`` (the popular feed)."""
    comments: int | None = None
    listing_rank: int | None = None
    """The paper's place in the newest listing that has it (1 = first): a listing's order within its day."""
    topics: tuple[str, ...] = ()
    """Topic slugs: rule matches plus manual additions, in site topic order."""
    links: tuple[tuple[str, str], ...] = ()
    github_stars: int | None = None
    keywords: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    """Listing file names the paper came from."""
    extra: tuple[tuple[str, object], ...] = field(default=())
    """Front-matter keys papersite does not know, kept for templates (``paper.extra``)."""

    @property
    def date(self) -> date | None:
        """The date used to order papers on pages: published, else listed."""
        return self.published or self.listed

    # Papers are pickled by the thousand (the content cache, each page fingerprint's paper digest); the generated
    # pickling of a slotted dataclass calls ``fields()`` for every object, most of the cost of a content cache save.
    def __getstate__(self) -> list[object]:
        return list(_paper_state(self))

    def __setstate__(self, state: list[object]) -> None:
        for name, value in zip(_PAPER_FIELDS, state, strict=True):
            object.__setattr__(self, name, value)

    def with_topics(self, topics: tuple[str, ...]) -> Paper:
        """This paper with other ``topics``, every other field the very same object (``dataclasses.replace``, which
        checks and converts nothing here, costs several times more, once per paper per build)."""
        if topics == self.topics:
            return self
        state = list(_paper_state(self))
        state[_TOPICS] = topics
        paper = object.__new__(Paper)
        paper.__setstate__(state)
        return paper


_PAPER_FIELDS = tuple(Paper.__dataclass_fields__)
_paper_state = operator.attrgetter(*_PAPER_FIELDS)
_TOPICS = _PAPER_FIELDS.index("topics")


@dataclass(frozen=True, slots=True)
class SearchIndex:
    """What indexing produced, for the build summary."""

    pages: int
    """Pages in the index (one per paper)."""
    files: int
    """Files written under ``site/pagefind/``, Pagefind's scripts included."""
    bytes: int
    """Total size of those files."""
    seconds: float
    """Wall time spent indexing and writing (0 when every shard was reused)."""
    shards: int = 1
    """Separate Pagefind indexes (see generator/search/shards.py)."""
    reindexed: int = 1
    """Shards indexed by this build; the others were linked from the published site."""

    def __str__(self) -> str:
        size = f"{self.bytes / 1024:.0f} KiB"
        text = f"indexed {self.pages} pages for search: {self.files} files, {size} in {self.seconds:.2f}s"
        return text + (f" ({self.shards} shards, {self.reindexed} indexed again)" if self.shards > 1 else "")
