"""The fields of a content file's front matter: the one table that writing (``document``) and reading (``paper``)
follow."""

from __future__ import annotations

# Field order in written files. Keys a maintainer adds keep their own order after these.
FIELDS = (
    "title",
    "slug",
    "arxiv",
    "published",
    "listed",
    "updated",
    "authors",
    "authors_count",
    "organization",
    "upvotes",
    "comments",
    "github_stars",
    "topics",
    "links",
    "keywords",
    "categories",
    "sources",
    "title_keys",
)


_INT_FIELDS = ("authors_count", "upvotes", "comments", "github_stars")


_DATE_FIELDS = ("published", "listed", "updated")


_LIST_FIELDS = ("authors", "topics", "keywords", "categories", "sources", "title_keys")


_STR_FIELDS = ("title", "slug", "arxiv", "organization")
