"""HF Papers plain-text listings (``generator/ingest/formats/hf_text.py``) on the shipped seed listing and edge cases.

The seed is ``tests/fixtures/hf-papers-search-memory.txt`` (a copy of ``content/listings/``): 59 cards under
the page date ``Feb 6``, whose year is inferred from the cards that show one.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.ingest.formats import find_format, hf_text
from generator.ingest.listings import date_from_name, read_listing
from generator.model import Entry, Listing

FIXTURES = Path(__file__).parent / "fixtures"
SEED = FIXTURES / "hf-papers-search-memory.txt"
SEED_NAME = "listings/hf-papers-search-memory.txt"


def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def parse(text: str, page_date: date | None = None, path: str = SEED_NAME) -> Listing:
    return hf_text.parse(text, path, page_date)


def by_title(listing: Listing, prefix: str) -> Entry:
    (found,) = [e for e in listing.entries if e.title.startswith(prefix)]
    return found


@pytest.fixture(scope="module")
def seed() -> Listing:
    return parse(seed_text())


def test_seed_count_and_page_date(seed: Listing) -> None:
    assert seed.format == "hf-text"
    assert len(seed.entries) == 59
    assert seed.date == date(2026, 2, 6)
    assert all(e.listed == date(2026, 2, 6) for e in seed.entries)
    assert all(e.title and e.abstract for e in seed.entries)
    assert len({e.title for e in seed.entries}) == 59


def test_seed_is_sniffed_as_text() -> None:
    found = find_format(seed_text(), SEED.name)
    assert found is not None and found[0] == "hf-text"


def test_frugal(seed: Listing) -> None:
    frugal = seed.entries[0]
    assert frugal.title == ("FRUGAL: Memory-Efficient Optimization by Reducing State Overhead for Scalable Training")
    assert frugal.line == 13
    assert frugal.authors_count == 4
    assert frugal.organization is None
    assert frugal.published == date(2024, 11, 12)
    assert frugal.comments == 0
    assert frugal.abstract.startswith("With the increase in the number of parameters in large language models")
    assert frugal.abstract.endswith("balancing memory efficiency and performance metrics.")


def test_efficientvit(seed: Listing) -> None:
    entry = by_title(seed, "EfficientViT:")
    assert entry.published == date(2023, 5, 11)
    assert entry.comments == 1
    assert entry.authors_count == 6


def test_halumem_organization(seed: Listing) -> None:
    entry = by_title(seed, "HaluMem:")
    assert entry.organization == "MemTensor"
    assert entry.authors_count is None
    assert entry.published == date(2025, 11, 5)
    assert entry.comments == 3


def test_tencent_organization_from_avatar_and_name(seed: Listing) -> None:
    entry = by_title(seed, "Improving Multi-step RAG")
    assert entry.organization == "Tencent"
    assert entry.published == date(2025, 12, 29)
    assert entry.comments == 3


def test_date_without_year_takes_the_page_year(seed: Listing) -> None:
    entry = by_title(seed, "Memory Matters More")
    assert entry.published == date(2026, 1, 8)
    assert entry.comments == 4
    assert entry.authors_count == 5


def test_card_without_metadata_uses_page_date_with_warning(seed: Listing) -> None:
    entry = by_title(seed, "The AI Hippocampus")
    assert entry.line == 333
    assert entry.published == seed.date
    assert entry.comments is None and entry.authors_count is None
    assert entry.abstract.startswith("Memory plays a foundational role")
    (problem,) = seed.problems
    assert problem.severity == "warning"
    assert (problem.path, problem.line) == (SEED_NAME, 333)
    assert str(problem).startswith(f"{SEED_NAME}:333: warning: ")
    assert "no metadata" in problem.message and "2026-02-06" in problem.message
    # The next card is not swallowed into the metadata-less one.
    assert by_title(seed, "HMT: Hierarchical Memory Transformer").published == date(2024, 5, 9)


def test_page_year_is_the_earliest_that_follows_every_dated_card() -> None:
    text = "Jan 2\n\nOld paper\n\nAbstract.\n\n  • 2 authors\n·\nDec 30, 2025\n\nNew\n\nAbstract.\n\n·\nJan 1 3\n"
    listing = parse(text, path="x.txt")
    assert listing.date == date(2026, 1, 2)
    assert [e.published for e in listing.entries] == [date(2025, 12, 30), date(2026, 1, 1)]
    # A card on the page day itself keeps the year.
    same_day = parse("Dec 30\n\nT\n\nA.\n\n·\nDec 30, 2025\n", path="x.txt")
    assert same_day.date == date(2025, 12, 30)
    # Feb 29 only exists in leap years: the next one after the newest card.
    leap = parse("Feb 29\n\nT\n\nA.\n\n·\nMar 1, 2025\n", path="x.txt")
    assert leap.date == date(2028, 2, 29)


def test_no_dated_card_means_no_page_date_and_a_warning() -> None:
    listing = parse("Feb 6\n\nTitle\n\nAbstract.\n\n  • 3 authors\n·\nJan 8\n", path="x.txt")
    assert listing.date is None
    assert any(p.line == 1 and "--date" in p.message for p in listing.problems)


def test_date_argument_overrides_inference() -> None:
    listing = parse(seed_text(), date(2027, 2, 6))
    assert listing.date == date(2027, 2, 6)
    assert by_title(listing, "Memory Matters More").published == date(2027, 1, 8)
    assert by_title(listing, "FRUGAL").published == date(2024, 11, 12)
    assert all(e.listed == date(2027, 2, 6) for e in listing.entries)


def test_file_name_date_overrides_inference(tmp_path: Path) -> None:
    path = tmp_path / "hf-search-memory-2027-02-06.txt"
    path.write_text(seed_text(), encoding="utf-8")
    assert date_from_name(path.name) == date(2027, 2, 6)
    listing = read_listing(path)
    assert listing.date == date(2027, 2, 6)
    assert len(listing.entries) == 59
    assert by_title(listing, "Memory Matters More").published == date(2027, 1, 8)
    # --date wins over the file name.
    assert read_listing(path, date(2028, 2, 6)).date == date(2028, 2, 6)


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(lambda t: t.replace("\n", "\r\n"), id="crlf"),
        pytest.param(lambda t: t.replace("\n", "\r"), id="cr"),
        pytest.param(lambda t: "\ufeff" + t, id="bom"),
        pytest.param(lambda t: re.sub("\n", "  \t\n", t), id="trailing-spaces"),
        pytest.param(lambda t: "\ufeff" + re.sub("\n", " \r\n", t), id="all-three"),
    ],
)
def test_line_endings_bom_and_trailing_spaces(seed: Listing, variant: object) -> None:
    assert callable(variant)
    listing = parse(variant(seed_text()))
    assert listing.date == seed.date
    assert len(listing.entries) == 59
    assert listing.entries == seed.entries
    assert listing.problems == seed.problems


def test_bom_and_crlf_through_read_listing(tmp_path: Path) -> None:
    path = tmp_path / "seed.txt"
    path.write_bytes(b"\xef\xbb\xbf" + seed_text().replace("\n", "\r\n").encode("utf-8"))
    listing = read_listing(path)
    assert listing.format == "hf-text"
    assert len(listing.entries) == 59 and listing.date == date(2026, 2, 6)


EDGE = """\
Feb 6

Memory · Attention • Recall: A Study

The team of 5 authors wrote it; 5 authors
is what the abstract says.

  • 1 authors
·
Jan 3, 2026 2

• Bullet-led Title: With · Dots

Another abstract that mentions 12 authors.

tencent Tencent
·
Dec 3, 2025 1,024
"""


def test_titles_with_separators_colons_and_author_counts_in_abstracts() -> None:
    listing = parse(EDGE, path="edge.txt")
    assert listing.problems == ()
    first, second = listing.entries
    assert first.title == "Memory · Attention • Recall: A Study"
    assert first.abstract == "The team of 5 authors wrote it; 5 authors is what the abstract says."
    assert first.authors_count == 1
    assert (first.published, first.comments) == (date(2026, 1, 3), 2)
    assert second.title == "• Bullet-led Title: With · Dots"
    assert second.abstract == "Another abstract that mentions 12 authors."
    assert second.organization == "Tencent" and second.authors_count is None
    assert (second.published, second.comments) == (date(2025, 12, 3), 1024)


def test_abstract_of_several_paragraphs() -> None:
    text = "Feb 6\n\nTitle\n\nFirst paragraph.\n\nSecond paragraph.\n\n  • 2 authors\n·\nFeb 1, 2026\n"
    (entry,) = parse(text, path="x.txt").entries
    assert entry.abstract == "First paragraph.\n\nSecond paragraph."


def test_metadata_with_no_card_is_a_warning() -> None:
    listing = parse("Feb 6\n\n  • 2 authors\n·\nFeb 1, 2026\n", date(2026, 2, 6), "x.txt")
    assert listing.entries == ()
    assert [(p.line, p.severity) for p in listing.problems] == [(3, "warning")]


def test_impossible_date_falls_back_to_page_date() -> None:
    listing = parse("Feb 6\n\nT\n\nA.\n\n·\nFeb 30, 2025\n", date(2026, 2, 6), "x.txt")
    (entry,) = listing.entries
    assert entry.published == date(2026, 2, 6)
    assert any("cannot date" in p.message and p.line == 7 for p in listing.problems)


@pytest.mark.parametrize(
    ("text", "page_date"),
    [
        pytest.param("Feb 6\n\nT\n\nA.\n\n·\nDec 31, 9999\n", None, id="card-in-year-9999"),
        pytest.param("Feb 29\n\nT\n\nA.\n\n·\nMar 1, 9996\n", None, id="no-leap-year-left"),
        pytest.param("Feb 6\n\nT\n\nA.\n\n·\nJan 8, 2026 ,\n", None, id="comma-count"),
        pytest.param("Feb 6\n\nT\n\nA.\n\n, authors\n·\nJan 8, 2026\n", None, id="comma-authors"),
    ],
)
def test_hostile_dates_and_counts_do_not_hang_or_raise(text: str, page_date: date | None) -> None:
    listing = parse(text, page_date, "x.txt")
    assert len(listing.entries) == 1


def test_page_year_that_cannot_exist_is_a_warning() -> None:
    listing = parse("Feb 6\n\nT\n\nA.\n\n·\nDec 31, 9999\n", path="x.txt")
    assert listing.date is None
    assert any("cannot infer the page year" in p.message for p in listing.problems)


# --- properties -----------------------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_never_raises_on_arbitrary_text(text: str) -> None:
    listing = parse(text, path="x.txt")
    assert isinstance(listing, Listing)
    assert all(p.path == "x.txt" for p in listing.problems)


LINE_PIECES = st.sampled_from(
    [
        *("Feb 6", "Feb 29", "Jan 8 4", "Nov 12, 2024", "Dec 31, 9999", "Jan 8 ,", "Sept 31", "Feb 30, 2025"),
        *("·", "•", "  • 4 authors", ", authors", "tencent Tencent", "", "", "Title", "A. B.", "Daily Papers"),
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(LINE_PIECES | st.text(max_size=30), max_size=40), st.sampled_from(["\n", "\r\n", "\r"]))
def test_never_raises_on_card_like_lines(lines: list[str], newline: str) -> None:
    listing = parse(newline.join(lines), path="x.txt")
    assert isinstance(listing, Listing)


WORD = st.text(st.characters(categories=("Lu", "Ll", "Nd")), min_size=1, max_size=8)


def _title_ok(title: str) -> bool:
    return not (
        hf_text.DATE_LINE.match(title)
        or hf_text.AUTHORS_LINE.match(title)
        or title.lower() in hf_text.CHROME
        or title.endswith(".")
    )


TITLE = st.lists(WORD, min_size=1, max_size=8).map(" ".join).filter(_title_ok)
ABSTRACT = st.lists(WORD, min_size=2, max_size=30).map(lambda words: " ".join(words) + ".")
CARD = st.fixed_dictionaries(
    {
        "title": TITLE,
        "abstract": ABSTRACT,
        "published": st.dates(date(2000, 1, 1), date(2026, 2, 6)),
        "comments": st.integers(0, 5000),
        "who": st.one_of(st.integers(1, 3000), st.sampled_from(["Tencent", "Google DeepMind", "MemTensor"])),
    }
)


def _render(card: dict[str, object]) -> str:
    who = card["who"]
    # An organization line is the avatar's alt text (the org handle, no spaces), then the display name.
    meta = f"  • {who} authors" if isinstance(who, int) else f"{str(who).replace(' ', '').lower()} {who}"
    published = card["published"]
    assert isinstance(published, date)
    comments = card["comments"]
    day = f"{published:%b} {published.day}, {published.year}" + (f" {comments:,}" if comments else "")
    return f"{card['title']}\n\n{card['abstract']}\n\n{meta}\n·\n{day}\n"


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(st.lists(CARD, min_size=1, max_size=6))
def test_well_formed_cards_round_trip(cards: list[dict[str, object]]) -> None:
    text = "Daily Papers\n\nFeb 6\n\n" + "\n".join(_render(card) for card in cards)
    listing = parse(text, date(2026, 2, 6), "x.txt")
    assert listing.problems == ()
    assert len(listing.entries) == len(cards)
    for card, entry in zip(cards, listing.entries, strict=True):
        assert entry.title == card["title"]
        assert entry.abstract == card["abstract"]
        assert entry.published == card["published"]
        assert entry.comments == card["comments"]
        assert entry.listed == date(2026, 2, 6)
        who = card["who"]
        if isinstance(who, int):
            assert (entry.authors_count, entry.organization) == (who, None)
        else:
            assert (entry.authors_count, entry.organization) == (None, who)
