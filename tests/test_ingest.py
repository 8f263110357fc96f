"""Ingest (``generator/ingest/merge.py``): slugs and the merge rules, on small listings written inline.

Listings are dated through their file names (``...-YYYY-MM-DD.txt``); names are chosen so that file-name
order and date order disagree wherever the rule under test is about date order.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.content.document import dump_document, read_document
from generator.content.paper import load_paper
from generator.ingest.merge import SLUG_MAX, IngestReport, ingest, normalize_title, numbered_slug, slugify

FIXTURES = Path(__file__).parent / "fixtures"
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


# --- helpers --------------------------------------------------------------------------------------------------


def card(title: str, abstract: str = "An abstract.", published: str = "Jan 8, 2026", comments: int = 0) -> str:
    count = f" {comments}" if comments else ""
    return f"{title}\n\n{abstract}\n\n  • 3 authors\n·\n{published}{count}\n"


def text_listing(folder: Path, name: str, *cards: str, header: str = "Feb 6") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"Daily Papers\n\n{header}\n\n" + "\n".join(cards), encoding="utf-8")
    return path


def item(arxiv: str, title: str, **fields: Any) -> dict[str, Any]:
    """One HF API item; ``upvotes``, ``comments``, ``summary``, ``listed`` (YYYY-MM-DD) optional."""
    paper: dict[str, Any] = {"id": arxiv, "title": title, "publishedAt": "2026-01-05T10:00:00.000Z"}
    if "summary" in fields:
        paper["summary"] = fields["summary"]
    if "upvotes" in fields:
        paper["upvotes"] = fields["upvotes"]
    entry: dict[str, Any] = {"paper": paper}
    if "comments" in fields:
        entry["numComments"] = fields["comments"]
    if "listed" in fields:
        entry["publishedAt"] = f"{fields['listed']}T08:00:00.000Z"
    return entry


def json_listing(folder: Path, name: str, *items: dict[str, Any]) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(list(items), indent=1), encoding="utf-8")
    return path


def run(papers: Path, *listings: Path, page_date: date | None = None) -> IngestReport:
    report = ingest(list(listings), papers, page_date)
    assert [p for p in report.problems if p.severity == "error"] == []
    return report


def files(papers: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(papers.iterdir())}


def meta_of(papers: Path, slug: str) -> tuple[dict[str, Any], str]:
    meta, body, _ = read_document((papers / f"{slug}.md").read_text(encoding="utf-8"))
    return meta, body


@pytest.fixture
def papers(tmp_path: Path) -> Path:
    return tmp_path / "content" / "papers"


@pytest.fixture
def listings(tmp_path: Path) -> Path:
    return tmp_path / "content" / "listings"


# --- slugs ----------------------------------------------------------------------------------------------------


def test_slugify_folds_lowercases_and_cuts_at_a_word_boundary() -> None:
    assert slugify("Mem-α: Learning Memory Construction") == "mem-learning-memory-construction"
    assert slugify("Café Müller’s «Élan» — Ångström") == "cafe-mullers-elan-angstrom"
    long = " ".join(["memory"] * 30)
    slug = slugify(long)
    assert len(slug) <= SLUG_MAX
    assert slug == "-".join(["memory"] * 11)  # 76 characters; a twelfth word would pass 80
    assert slugify("記憶").startswith("paper-")
    assert slugify("記憶") == slugify("記憶")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200), st.integers(2, 1000))
def test_slugs_are_always_url_safe_and_short(title: str, number: int) -> None:
    slug = slugify(title)
    assert SLUG_RE.match(slug) and len(slug) <= SLUG_MAX
    words = "-".join(re.findall(r"[a-z0-9]+", slug))
    assert slug == words
    other = numbered_slug(slug, number)
    assert SLUG_RE.match(other) and len(other) <= SLUG_MAX and other.endswith(f"-{number}")


def test_numbered_slug_keeps_whole_words() -> None:
    base = "-".join(["word"] * 16)  # 79 characters
    assert numbered_slug(base, 2) == "-".join(["word"] * 15) + "-2"
    assert numbered_slug("short", 2) == "short-2"


def test_seed_listing_gives_59_files_named_by_title(papers: Path) -> None:
    report = run(papers, FIXTURES / "hf-papers-search-memory.txt")
    assert report.entries == 59 and report.papers == 59 and len(report.written) == 59
    names = sorted(p.stem for p in papers.glob("*.md"))
    assert len(names) == 59
    assert "frugal-memory-efficient-optimization-by-reducing-state-overhead-for-scalable" in names
    assert "mem-learning-memory-construction-via-reinforcement-learning" in names
    assert all(SLUG_RE.match(n) and len(n) <= SLUG_MAX for n in names)
    for path in papers.glob("*.md"):
        paper, problems = load_paper(path.read_text(encoding="utf-8"), path.name)
        assert problems == [] and paper is not None
        assert paper.sources == ("hf-papers-search-memory.txt",)
        assert paper.listed == date(2026, 2, 6)
    frugal, body = meta_of(papers, "frugal-memory-efficient-optimization-by-reducing-state-overhead-for-scalable")
    assert frugal["published"] == date(2024, 11, 12)
    assert frugal["authors_count"] == 4 and frugal["comments"] == 0
    assert body.startswith("With the increase in the number of parameters")


def test_arxiv_id_is_the_slug_when_known(papers: Path, listings: Path) -> None:
    run(papers, json_listing(listings, "hf-daily-2026-02-07.json", item("2601.01234", "Some Paper", upvotes=3)))
    assert sorted(files(papers)) == ["2601.01234.md"]
    meta, _ = meta_of(papers, "2601.01234")
    assert meta["arxiv"] == "2601.01234" and meta["slug"] == "2601.01234"


def test_colliding_title_slugs_get_numbers_and_stay_stable(papers: Path, listings: Path) -> None:
    one = text_listing(listings, "a-2026-02-06.txt", card("Mem-α: Memory"), card("Mem-β: Memory"))
    run(papers, one)
    assert sorted(files(papers)) == ["mem-memory-2.md", "mem-memory.md"]
    assert meta_of(papers, "mem-memory")[0]["title"] == "Mem-α: Memory"
    assert meta_of(papers, "mem-memory-2")[0]["title"] == "Mem-β: Memory"
    # Later listings, in any order, find the same files.
    two = text_listing(listings, "b-2026-02-08.txt", card("Mem-β: Memory", comments=5), card("Mem-α: Memory"))
    run(papers, one, two)
    assert sorted(files(papers)) == ["mem-memory-2.md", "mem-memory.md"]
    assert meta_of(papers, "mem-memory-2")[0]["comments"] == 5
    assert meta_of(papers, "mem-memory")[0]["comments"] == 0


def test_slug_never_changes_when_an_arxiv_id_is_learned(papers: Path, listings: Path) -> None:
    text = text_listing(listings, "search-2026-02-06.txt", card("Learning To Remember", comments=2))
    run(papers, text)
    assert sorted(files(papers)) == ["learning-to-remember.md"]
    later = json_listing(
        listings, "hf-daily-2026-02-09.json", item("2602.00042", "Learning to Remember", upvotes=12, comments=4)
    )
    report = run(papers, text, later)
    assert [Path(w).name for w in report.written] == ["learning-to-remember.md"]
    assert sorted(files(papers)) == ["learning-to-remember.md"]
    meta, _ = meta_of(papers, "learning-to-remember")
    assert meta["slug"] == "learning-to-remember"
    assert meta["arxiv"] == "2602.00042"
    assert (meta["upvotes"], meta["comments"]) == (12, 4)
    assert meta["sources"] == ["hf-daily-2026-02-09.json", "search-2026-02-06.txt"]
    # Next time the JSON listing alone still finds the file by its arXiv id.
    run(papers, later)
    assert sorted(files(papers)) == ["learning-to-remember.md"]


def test_same_run_text_then_arxiv_merges_into_the_title_slug(papers: Path, listings: Path) -> None:
    text = text_listing(listings, "z-2026-02-06.txt", card("Learning To Remember"))
    later = json_listing(listings, "a-2026-02-09.json", item("2602.00042", "Learning to Remember"))
    run(papers, later, text)
    assert sorted(files(papers)) == ["learning-to-remember.md"]
    assert meta_of(papers, "learning-to-remember")[0]["arxiv"] == "2602.00042"


def test_same_title_different_arxiv_ids_stay_apart(papers: Path, listings: Path) -> None:
    run(
        papers,
        json_listing(listings, "d-2026-02-07.json", item("2601.00001", "Survey of Memory")),
        json_listing(listings, "e-2026-02-08.json", item("2601.00002", "Survey of Memory")),
    )
    assert sorted(files(papers)) == ["2601.00001.md", "2601.00002.md"]


# --- merge rules ----------------------------------------------------------------------------------------------


def test_same_paper_in_two_listings_is_one_file_with_both_sources(papers: Path, listings: Path) -> None:
    first = text_listing(listings, "one-2026-02-06.txt", card("Shared Paper"), card("Only First"))
    second = text_listing(listings, "two-2026-02-07.txt", card("SHARED paper!"), header="Feb 7")
    run(papers, first, second)
    assert sorted(files(papers)) == ["only-first.md", "shared-paper.md"]
    meta, _ = meta_of(papers, "shared-paper")
    assert meta["sources"] == ["one-2026-02-06.txt", "two-2026-02-07.txt"]
    assert meta["title"] == "SHARED paper!"  # a new file takes the newest listing's wording
    assert meta["title_keys"] == ["shared paper"]


def test_counters_come_from_the_newest_listing_by_date_not_file_name(papers: Path, listings: Path) -> None:
    newer = json_listing(listings, "a-2026-02-10.json", item("2601.00007", "Counted", upvotes=50, comments=9))
    older = json_listing(listings, "z-2026-01-10.json", item("2601.00007", "Counted", upvotes=5, comments=1))
    assert newer.name < older.name
    for order in ([newer, older], [older, newer]):
        shutil.rmtree(papers, ignore_errors=True)
        run(papers, *order)
        meta, _ = meta_of(papers, "2601.00007")
        assert (meta["upvotes"], meta["comments"]) == (50, 9)
        assert meta["listed"] == date(2026, 1, 10)
        assert meta["updated"] == date(2026, 2, 10)


def test_a_listing_lacking_a_field_never_erases_it(papers: Path, listings: Path) -> None:
    rich = json_listing(
        listings, "a-2026-02-06.json", item("2601.00009", "Rich Paper", upvotes=20, comments=3, summary="Abstract.")
    )
    # A newer text listing: no upvotes, and a card with no metadata lines (no comments, a guessed date).
    bare = text_listing(listings, "b-2026-02-09.txt", "Rich Paper\n\nAbstract.\n", header="Feb 9")
    run(papers, rich, bare, page_date=None)
    meta, _ = meta_of(papers, "2601.00009")
    assert meta["upvotes"] == 20
    assert meta["comments"] == 3
    assert meta["published"] == date(2026, 1, 5)  # not the newer listing's page date
    assert meta["sources"] == ["a-2026-02-06.json", "b-2026-02-09.txt"]


def test_listed_is_the_earliest_day_seen_across_runs(papers: Path, listings: Path) -> None:
    late = text_listing(listings, "late-2026-02-20.txt", card("Early Bird"), header="Feb 20")
    run(papers, late)
    assert meta_of(papers, "early-bird")[0]["listed"] == date(2026, 2, 20)
    early = text_listing(listings, "early-2026-02-06.txt", card("Early Bird"))
    run(papers, late, early)
    meta, _ = meta_of(papers, "early-bird")
    assert meta["listed"] == date(2026, 2, 6)
    assert meta["updated"] == date(2026, 2, 20)


def test_maintainer_edits_survive_reingest(papers: Path, listings: Path) -> None:
    first = text_listing(listings, "a-2026-02-06.txt", card("Memroy Typo Paper", "Scraped abstract.", comments=1))
    run(papers, first)
    path = papers / "memroy-typo-paper.md"
    meta, _ = meta_of(papers, "memroy-typo-paper")
    meta.update(title="Memory: Typo Fixed", topics=["vision"], reviewer_note="keep me")
    path.write_text(dump_document(meta, "Hand-written *summary*.\n\n---\n\nWith a rule."), encoding="utf-8")

    later = text_listing(
        listings, "b-2026-02-08.txt", card("Memroy Typo Paper", "A new abstract.", comments=7), header="Feb 8"
    )
    run(papers, first, later)
    assert sorted(files(papers)) == ["memroy-typo-paper.md"]
    meta, body = meta_of(papers, "memroy-typo-paper")
    assert meta["title"] == "Memory: Typo Fixed"
    assert meta["topics"] == ["vision"]
    assert meta["reviewer_note"] == "keep me"
    assert body == "Hand-written *summary*.\n\n---\n\nWith a rule."
    assert meta["comments"] == 7  # machine fields still update
    assert meta["sources"] == ["a-2026-02-06.txt", "b-2026-02-08.txt"]
    # Once more: still no second file, no change.
    before = files(papers)
    assert run(papers, first, later).written == ()
    assert files(papers) == before


def test_reingest_changes_no_byte(papers: Path, listings: Path) -> None:
    sources = [
        FIXTURES / "hf-papers-search-memory.txt",
        json_listing(listings, "hf-daily-2026-02-07.json", item("2601.00011", "Another One", upvotes=2)),
    ]
    first = run(papers, *sources)
    assert len(first.written) == 60
    before = files(papers)
    stats = {name: (papers / name).stat().st_mtime_ns for name in before}
    again = run(papers, *sources)
    assert again.written == ()
    assert files(papers) == before
    assert {name: (papers / name).stat().st_mtime_ns for name in before} == stats


def test_paper_missing_from_a_later_listing_keeps_its_file(papers: Path, listings: Path) -> None:
    first = text_listing(listings, "a-2026-02-06.txt", card("Stays Around"), card("Vanishes Later"))
    run(papers, first)
    before = files(papers)
    first.unlink()
    later = text_listing(listings, "b-2026-02-09.txt", card("Stays Around"), header="Feb 9")
    run(papers, later)
    after = files(papers)
    assert after["vanishes-later.md"] == before["vanishes-later.md"]
    assert sorted(after) == ["stays-around.md", "vanishes-later.md"]


def test_duplicate_within_one_listing_is_merged_with_a_warning(papers: Path, listings: Path) -> None:
    listing = text_listing(listings, "a-2026-02-06.txt", card("Twice"), card("Twice", comments=2))
    report = ingest([listing], papers)
    assert sorted(files(papers)) == ["twice.md"]
    assert any("duplicate of the entry on line" in p.message and p.severity == "warning" for p in report.problems)


def test_broken_content_file_stops_ingest_before_writing(papers: Path, listings: Path) -> None:
    papers.mkdir(parents=True)
    (papers / "broken.md").write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    report = ingest([text_listing(listings, "a-2026-02-06.txt", card("New Paper"))], papers)
    errors = [p for p in report.problems if p.severity == "error"]
    assert len(errors) == 1 and errors[0].path.endswith("broken.md") and errors[0].line == 3
    assert report.written == ()
    assert sorted(files(papers)) == ["broken.md"]


def test_normalize_title_ignores_case_accents_and_punctuation() -> None:
    assert normalize_title("Café: A  Study!") == normalize_title("cafe — a study")
    assert normalize_title("Mem-α") != normalize_title("Mem-β")


def test_listed_at_and_listing_rank_are_stored_and_reingest_changes_no_byte(papers: Path, listings: Path) -> None:
    daily = json_listing(
        listings,
        "hf-daily-2026-02-07.json",
        item("2601.00011", "First On The List", listed="2026-02-07"),
        item("2601.00012", "Second On The List", listed="2026-02-07"),
    )
    text = text_listing(listings, "a-2026-02-06.txt", card("Only In Text"))
    run(papers, daily, text)
    first, _ = meta_of(papers, "2601.00011")
    second, _ = meta_of(papers, "2601.00012")
    assert (first["listed_at"], first["listing_rank"]) == ("2026-02-07T08:00:00Z", 1)
    assert (second["listed_at"], second["listing_rank"]) == ("2026-02-07T08:00:00Z", 2)
    plain, _ = meta_of(papers, "only-in-text")
    assert "listed_at" not in plain and plain["listing_rank"] == 1
    assert "listed_at: '2026-02-07T08:00:00Z'" in (papers / "2601.00011.md").read_text(encoding="utf-8")
    before = files(papers)
    assert run(papers, daily, text).written == ()
    assert files(papers) == before
    loaded, problems = load_paper((papers / "2601.00011.md").read_text(encoding="utf-8"), "2601.00011.md")
    assert problems == [] and loaded is not None
    assert loaded.listed_at == datetime(2026, 2, 7, 8, tzinfo=UTC) and loaded.listing_rank == 1
