"""Content files (``generator/content/``): the front-matter round trip and validation into ``Paper``."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.content.document import DocumentError, dump_document, read_document, write_atomic
from generator.content.fields import FIELDS, FROM_LISTING
from generator.content.paper import load_paper
from generator.model import Entry, Paper

PATH = "content/papers/x.md"

# Any text but lone surrogates (not encodable as UTF-8, so never in a file).
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
TRICKY = st.sampled_from(
    [
        "He said \"memory\": it's 'quoted'",
        "---",
        "--- not a fence",
        "key: value",
        "- list item",
        "# not a comment",
        "  leading and trailing  ",
        "yes",
        "null",
        "2025-01-31",
        "1e3",
        "0123",
        "Ünïcödé · • — 記憶 🧠 \u200b",
        "a\x85b\u2028c\u2029d",
        "tab\there",
        "multi\nline\n\ntitle",
        "\ufeffbom",
        "&anchor *alias !tag %directive @at `tick`",
    ]
)
STRING = TRICKY | TEXT
# Bodies are text with normalised line endings (files are written with "\n").
BODY_LINE = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=40)
BODY = st.lists(BODY_LINE | st.sampled_from(["---", "--- ", "", "title: fake", "..."]), max_size=8).map("\n".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=STRING.filter(lambda t: t.strip()),
    abstract=BODY,
    authors=st.lists(STRING, max_size=4),
    organization=STRING,
    custom=STRING,
)
def test_round_trip(title: str, abstract: str, authors: list[str], organization: str, custom: str) -> None:
    meta = {
        "title": title,
        "slug": "x",
        "published": date(2025, 1, 31),
        "authors": authors,
        "organization": organization,
        "comments": 3,
        "links": {"github": "https://github.com/a/b"},
        "custom_note": custom,
    }
    text = dump_document(meta, abstract)
    back, body, _ = read_document(text)
    assert back == meta
    assert body == abstract.strip("\n")
    paper, problems = load_paper(text, PATH)
    assert problems == []
    assert paper is not None
    assert paper.title == title.strip()
    assert paper.abstract == abstract.strip("\n")
    assert paper.authors == tuple(authors)
    assert paper.organization == organization
    assert paper.published == date(2025, 1, 31)
    assert paper.comments == 3
    assert paper.links == (("github", "https://github.com/a/b"),)
    assert paper.extra == (("custom_note", custom),)
    # Dumping what was read gives the same bytes.
    assert dump_document(back, body) == text


def test_dump_orders_known_fields_first_and_keeps_custom_order() -> None:
    text = dump_document({"zeta": 1, "sources": ["a.txt"], "title": "T", "alpha": 2, "slug": "t"}, "Body.\n\n")
    assert text == "---\ntitle: T\nslug: t\nsources:\n- a.txt\nzeta: 1\nalpha: 2\n---\n\nBody.\n"


def test_empty_body_has_no_trailing_blank_line() -> None:
    assert dump_document({"title": "T"}, "") == "---\ntitle: T\n---\n"


def test_dashes_in_body_are_body() -> None:
    meta, body, line = read_document("---\ntitle: T\n---\n\nIntro\n---\nmore: text\n")
    assert meta == {"title": "T"}
    assert body == "Intro\n---\nmore: text"
    assert line == 5


def test_crlf_and_bom_are_read() -> None:
    meta, body, _ = read_document("\ufeff---\r\ntitle: T\r\n---\r\n\r\nBody\r\n")
    assert meta == {"title": "T"}
    assert body == "Body"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("title: T\n", 1, "missing front matter"),
        ("---\ntitle: T\n", 1, "not closed"),
        ("---\ntitle: T\nauthors: [a, b\n---\n", 4, "invalid YAML"),
        ("---\ntitle: T\n  bad: indent\n---\n", 3, "invalid YAML"),
        ("---\n- a list\n---\n", 2, "must be a mapping"),
        # forms the fast front-matter reader declines (generator/content/frontmatter.py): PyYAML's errors, as before it
        ("---\ntitle: T\nlisted: 2026-02-30\n---\n", 3, "not a real date?"),
        ("---\ntitle: T\ntitle: U\nyes: 1\n---\n", 2, "must be a mapping"),
    ],
)
def test_broken_documents(text: str, line: int, message: str) -> None:
    with pytest.raises(DocumentError) as caught:
        read_document(text)
    assert caught.value.line == line
    assert message in str(caught.value)
    paper, problems = load_paper(text, PATH)
    assert paper is None
    (problem,) = problems
    assert (problem.path, problem.line, problem.severity) == (PATH, line, "error")


@pytest.mark.parametrize(
    ("front", "line", "message"),
    [
        ("slug: x\n", 2, "missing `title`"),
        ("title: '  '\n", 2, "missing `title`"),
        ("title: T\nslug: other\n", 3, "must equal the file name `x`"),
        ("title: T\narxiv: 2509.24002\n", 3, "quoted string"),
        ("title: T\ncomments: -1\n", 3, "whole number"),
        ("title: T\nupvotes: many\n", 3, "whole number"),
        ("title: T\npublished: someday\n", 3, "must be a date"),
        ("title: T\nauthors: Ann\n", 3, "list of text"),
        ("title: T\nlinks: [a]\n", 3, "mapping of name: URL"),
        ("title: T\norganization: 3\n", 3, "must be text"),
        ("title: T\nlisted_at: '2025-01-31'\n", 3, "UTC date and time"),
        ("title: T\nlisted_at: 2025-01-31T08:15:00\n", 3, "UTC date and time"),  # no time zone
        ("title: T\nlisted_at: soon\n", 3, "UTC date and time"),
        ("title: T\nlisting_rank: first\n", 3, "whole number"),
    ],
)
def test_invalid_fields_name_the_line(front: str, line: int, message: str) -> None:
    paper, problems = load_paper(f"---\n{front}---\n\nBody\n", PATH)
    assert paper is None
    assert [(p.line, p.severity) for p in problems] == [(line, "error")]
    assert message in problems[0].message


def test_slug_defaults_to_file_name_and_unknown_keys_are_extra() -> None:
    paper, problems = load_paper("---\ntitle: ' T '\nmy_note: keep\npublished: '2025-01-31'\n---\nBody", PATH)
    assert problems == []
    assert paper is not None
    assert (paper.slug, paper.title, paper.abstract) == ("x", "T", "Body")
    assert paper.published == date(2025, 1, 31)
    assert paper.extra == (("my_note", "keep"),)


@pytest.mark.parametrize(
    "value", ["'2025-01-31T08:15:00Z'", "2025-01-31T08:15:00Z", "2025-01-31 10:15:00+02:00", "'2025-01-31T08:15:00.5Z'"]
)
def test_listed_at_is_read_as_utc(value: str) -> None:
    paper, problems = load_paper(f"---\ntitle: T\nlisted_at: {value}\n---\nBody", PATH)
    assert problems == [] and paper is not None and paper.listed_at is not None
    assert paper.listed_at.replace(microsecond=0) == datetime(2025, 1, 31, 8, 15, tzinfo=UTC)
    assert paper.listed_at.tzinfo is UTC


def test_field_table_and_paper_agree() -> None:
    """``fields.FIELDS`` is the schema ``load_paper`` builds a ``Paper`` from, by name: each ``Paper`` field not made
    from the file's place or body is in the table, and each table field is on ``Paper`` but the files' own
    ``title_keys``."""
    table = {field.name for field in FIELDS}
    paper = set(Paper.__dataclass_fields__)
    assert len(table) == len(FIELDS)
    assert paper - {"slug", "abstract", "path", "extra"} <= table
    assert table - {"title_keys"} <= paper
    assert "title_keys" not in paper


def test_fields_from_listings_are_entry_fields() -> None:
    """Ingest copies each ``owner="listing"`` field from the ``Entry`` attribute of the same name."""
    assert {field.name for field in FROM_LISTING} <= set(Entry.__dataclass_fields__)


def test_write_atomic_reports_changes(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "a.md"
    assert write_atomic(target, "one") is True
    assert write_atomic(target, "one") is False
    assert write_atomic(target, b"two") is True
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["a.md"]
