"""Where every output lives: one place maps records to paths and URLs, so pages, feeds and the sitemap agree.

Paths are relative to ``site/`` and end in ``/`` for pretty URLs (``papers/x/`` is ``papers/x/index.html``).
``href()`` gives a root-relative link that honours a sub-path ``base_url``; ``absolute()`` a full URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import quote


@dataclass(frozen=True, slots=True)
class Urls:
    base_url: str
    """Absolute base URL ending in ``/``."""
    base_path: str
    """Path part of the base URL (``/`` or ``/repo/``)."""

    def href(self, path: str = "") -> str:
        """Root-relative link to ``path`` (a site-relative output path)."""
        return self.base_path + quote(path, safe="/#?=&%:@.-_~")

    def absolute(self, path: str = "") -> str:
        """Absolute URL of ``path``, for feeds, canonical links and the sitemap."""
        return self.base_url + quote(path, safe="/#?=&%:@.-_~")


def paper_path(slug: str) -> str:
    return f"papers/{slug}/"


def topic_path(slug: str, page: int = 0) -> str:
    """A topic's page: 0 is its first page (the newest papers), ``page/1/`` its oldest (see ``render.paginate``)."""
    return f"topics/{slug}/" if page == 0 else f"topics/{slug}/page/{page}/"


def home_path(page: int = 0) -> str:
    """The home page (0) or an older page, numbered from the oldest: ``page/1/`` holds the oldest papers."""
    return "" if page == 0 else f"page/{page}/"


def archive_path(year: int | None = None, month: int | None = None, page: int = 0) -> str:
    """The archive index, a month's first page, or one of its older pages (numbered from the oldest)."""
    if year is None or month is None:
        return "archive/"
    base = f"archive/{year:04d}/{month:02d}/"
    return base if page == 0 else f"{base}page/{page}/"


def digest_path(day: date | None = None) -> str:
    """The daily digest: ``digest/`` lists the days, ``digest/YYYY-MM-DD/`` one day's papers."""
    return "digest/" if day is None else f"digest/{day.isoformat()}/"


def popular_path() -> str:
    """The popular papers (``[feeds] popular_upvotes``): the page and its feeds."""
    return "popular/"


def output_file(path: str) -> str:
    """File that serves ``path``: ``a/b/`` -> ``a/b/index.html``; files stay as they are."""
    return path + "index.html" if path == "" or path.endswith("/") else path
