"""Dedupe across formats: HF HTML, HF API JSON, arXiv Atom and the plain-text scrape are one paper per file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from generator.content.document import read_document
from generator.ingest.merge import ingest

FIXTURES = Path(__file__).parent / "fixtures"
MCPMARK = "MCPMark: A Benchmark for Stress-Testing Realistic and Comprehensive MCP Use"


def _daily(day: str, items: list[dict[str, object]]) -> str:
    return json.dumps(items)


def _item(arxiv: str, title: str, listed: str, upvotes: int, comments: int) -> dict[str, object]:
    return {
        "paper": {
            "id": arxiv,
            "title": title,
            "summary": f"Abstract of {title}.",
            "authors": [{"name": "Ada Lovelace"}, {"name": "Alan Turing"}],
            "publishedAt": "2025-09-28T00:00:00.000Z",
            "upvotes": upvotes,
        },
        "publishedAt": f"{listed}T12:00:00.000Z",
        "title": title,
        "numComments": comments,
    }


def _text_listing(title: str) -> str:
    return (
        "Daily Papers\n\nOct 3\n\n"
        f"{title}\n\nA plain-text scrape of the same paper, without an id.\n\n  • 2 authors\n·\nSep 28, 2025 7\n"
    )


def _papers(folder: Path) -> dict[str, dict[str, object]]:
    return {p.stem: read_document(p.read_text(encoding="utf-8"))[0] for p in sorted(folder.glob("*.md"))}


def test_html_json_and_text_of_one_paper_make_one_file(tmp_path: Path) -> None:
    listings = tmp_path / "listings"
    listings.mkdir()
    shutil.copy(FIXTURES / "hf_paper_page_2509.24002_prettified.html", listings / "hf-paper-2509.24002.html")
    (listings / "hf-daily-2025-10-02.json").write_text(
        _daily("2025-10-02", [_item("2509.24002", MCPMARK, "2025-10-02", 150, 4)]), encoding="utf-8"
    )
    (listings / "hf-search-2025-10-03.txt").write_text(_text_listing(MCPMARK), encoding="utf-8")
    papers = tmp_path / "papers"

    report = ingest(sorted(listings.iterdir()), papers)

    assert [p for p in report.problems if p.severity == "error"] == []
    found = _papers(papers)
    assert list(found) == ["2509.24002"]
    meta = found["2509.24002"]
    assert meta["arxiv"] == "2509.24002"
    assert meta["sources"] == ["hf-daily-2025-10-02.json", "hf-paper-2509.24002.html", "hf-search-2025-10-03.txt"]
    # listed is the earliest day seen (the HF page says it was listed on 2025-10-01).
    assert str(meta["listed"]) == "2025-10-01"
    # The newest listing (the text scrape of Oct 3) wins for the counter it has; upvotes come from the JSON.
    assert meta["comments"] == 7
    assert meta["upvotes"] == 150


def test_text_entry_first_then_id_learned_keeps_slug(tmp_path: Path) -> None:
    listings = tmp_path / "listings"
    listings.mkdir()
    papers = tmp_path / "papers"
    (listings / "hf-search-2025-09-30.txt").write_text(_text_listing(MCPMARK), encoding="utf-8")
    ingest(sorted(listings.iterdir()), papers)
    (slug,) = _papers(papers)
    assert slug.startswith("mcpmark-a-benchmark")

    (listings / "hf-daily-2025-10-02.json").write_text(
        _daily("2025-10-02", [_item("2509.24002", MCPMARK, "2025-10-02", 150, 4)]), encoding="utf-8"
    )
    ingest(sorted(listings.iterdir()), papers)
    found = _papers(papers)
    assert list(found) == [slug]
    assert found[slug]["arxiv"] == "2509.24002"


def test_snapped_back_day_is_not_ingested_twice(tmp_path: Path) -> None:
    """HF answers a weekend date with the previous papers-day: same items, same listed day."""
    listings = tmp_path / "listings"
    listings.mkdir()
    items = [
        _item("2509.24002", MCPMARK, "2025-10-03", 150, 4),
        _item("2510.00001", "Another Paper", "2025-10-03", 3, 0),
    ]
    (listings / "hf-daily-2025-10-03.json").write_text(_daily("2025-10-03", items), encoding="utf-8")
    (listings / "hf-daily-2025-10-04.json").write_text(_daily("2025-10-04", items), encoding="utf-8")
    papers = tmp_path / "papers"
    ingest(sorted(listings.iterdir()), papers)
    found = _papers(papers)
    assert sorted(found) == ["2509.24002", "2510.00001"]
    assert all(str(meta["listed"]) == "2025-10-03" for meta in found.values())


def test_atom_and_json_share_an_id(tmp_path: Path) -> None:
    listings = tmp_path / "listings"
    listings.mkdir()
    shutil.copy(FIXTURES / "arxiv_api_atom_two_entries.xml", listings / "arxiv-2025-01-01.xml")
    papers = tmp_path / "papers"
    ingest(sorted(listings.iterdir()), papers)
    first = _papers(papers)
    ids = sorted(str(meta["arxiv"]) for meta in first.values())
    (listings / "hf-daily-2025-01-02.json").write_text(
        _daily("2025-01-02", [_item(ids[0], "Any title the API gives", "2025-01-02", 9, 1)]), encoding="utf-8"
    )
    ingest(sorted(listings.iterdir()), papers)
    second = _papers(papers)
    assert sorted(second) == sorted(first)
    merged = next(meta for meta in second.values() if meta["arxiv"] == ids[0])
    assert merged["upvotes"] == 9
    assert len(merged["sources"]) == 2


def test_older_listing_ingested_alone_does_not_overwrite_newer_counters(tmp_path: Path) -> None:
    listings = tmp_path / "listings"
    listings.mkdir()
    papers = tmp_path / "papers"
    old = listings / "hf-daily-2025-10-02.json"
    new = listings / "hf-daily-2025-10-09.json"
    old.write_text(_daily("", [_item("2509.24002", MCPMARK, "2025-10-02", 10, 1)]), encoding="utf-8")
    new.write_text(_daily("", [_item("2509.24002", MCPMARK, "2025-10-09", 150, 4)]), encoding="utf-8")
    ingest([new], papers)
    ingest([old], papers)  # a maintainer re-ingests one old file by itself
    meta = _papers(papers)["2509.24002"]
    assert (meta["upvotes"], meta["comments"]) == (150, 4)
    assert str(meta["listed"]) == "2025-10-02"
    assert meta["sources"] == ["hf-daily-2025-10-02.json", "hf-daily-2025-10-09.json"]
