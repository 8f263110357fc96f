"""The desk's files (generator/desk/files.py): ``desk.json`` and ``cite.bib`` beside each paper page, and the recent
window's vectors in ``desk/recent.bin``, as the browser's desk script reads them; and the build writing them."""

from __future__ import annotations

import base64
import gzip
import json
import struct
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from pybtex.database import parse_string

from generator.config import Config, TopicRule
from generator.desk.files import FORMAT, RECENT, desk_files, desk_record, recent_file, window
from generator.desk.vectors import DIMS
from generator.model import Paper
from generator.site.assemble import Site, assemble

BASE = "https://example.org/sub/"


def make_site(papers: list[Paper], days: int = 30) -> Site:
    topics = (TopicRule("memory", "Memory", include=("memory",)),)
    site, _ = assemble(Config(base_url=BASE, title="Test Papers", topics=topics, desk_recent_days=days), papers)
    return site


def paper(slug: str, listed: date, **fields: Any) -> Paper:
    return Paper(
        slug,
        fields.pop("title", f"Paper {slug}"),
        fields.pop("abstract", "An abstract."),
        f"{slug}.md",
        listed=listed,
        **fields,
    )


def read_recent(data: bytes) -> tuple[dict[str, Any], bytes]:
    raw = gzip.decompress(data)
    (length,) = struct.unpack("<I", raw[:4])
    return json.loads(raw[4 : 4 + length]), raw[4 + length :]


def test_desk_json_holds_what_a_card_shows_and_the_citation() -> None:
    amem = paper(
        "a-mem",
        date(2025, 2, 18),
        title="A-MEM: Agentic Memory for $\\mathcal{O}(1)$ LLM Agents",
        abstract="We study *memory* for agents. " + "Long text. " * 60,
        arxiv="2502.12110",
        published=date(2025, 2, 17),
        authors=("Wujiang Xu", "Zujie Liang", "Kai Mei", "Hang Gao"),
        organization="Rutgers",
        upvotes=7,
        categories=("cs.CL",),
    )
    site = make_site([amem])
    vector = bytes(range(DIMS))
    record = desk_record(site, site.papers[0], vector)
    assert record["version"] == FORMAT
    assert record["slug"] == "a-mem"
    assert record["title"].startswith("A-MEM: Agentic Memory for ")
    assert "$" not in record["title"]  # plain text, math spelt out
    assert record["date"] == "2025-02-17" and record["listed"] == "2025-02-18"
    assert record["authors"] == ["Wujiang Xu", "Zujie Liang", "Kai Mei"] and record["authors_count"] == 4
    assert record["organization"] == "Rutgers" and record["upvotes"] == 7
    assert record["topics"] == [["memory", "Memory"]]
    assert len(record["summary"]) <= 261 and record["summary"].endswith("…")
    assert base64.b64decode(record["vector"]) == vector
    entry = parse_string(record["bib"], "bibtex").entries
    assert len(entry) == 1 and next(iter(entry.values())).fields["eprint"] == "2502.12110"
    assert "comments" not in record  # unknown values are left out, not null


def test_window_is_the_last_days_up_to_the_newest_listing() -> None:
    papers = [paper(f"p{i}", date(2026, 1, 1 + i)) for i in range(10)] + [paper("unlisted", date(2026, 1, 1))]
    papers[-1] = Paper("unlisted", "Unlisted", "x", "u.md", published=date(2026, 1, 9))
    site = make_site(papers, days=3)
    assert [p.slug for p in window(site.papers, 3)] == ["p9", "p8", "p7"]
    assert window([], 30) == []


def test_recent_file_is_deterministic_gzip_of_header_and_rows() -> None:
    papers = [paper(f"p{i}", date(2026, 1, 1 + i)) for i in range(4)]
    vectors = {f"p{i}": bytes([i]) * DIMS for i in range(3)}  # p3 has none: zeros
    data = recent_file(papers, vectors, 30)
    assert data == recent_file(papers, vectors, 30)
    header, rows = read_recent(data)
    assert header == {
        "version": FORMAT,
        "dims": DIMS,
        "days": 30,
        "newest": "2026-01-04",
        "papers": ["p0", "p1", "p2", "p3"],
    }
    assert rows == bytes([0]) * DIMS + bytes([1]) * DIMS + bytes([2]) * DIMS + bytes(DIMS)


def test_every_paper_gets_its_two_files_and_the_site_one_window(tmp_path: Path) -> None:
    papers = [paper(f"p{i}", date(2026, 1, 1 + i)) for i in range(3)]
    site = make_site(papers)
    files = dict(desk_files(site, {}))
    assert set(files) == {RECENT} | {f"papers/p{i}/{name}" for i in range(3) for name in ("cite.bib", "desk.json")}
    record = json.loads(files["papers/p1/desk.json"])
    assert files["papers/p1/cite.bib"].decode() == record["bib"]
    assert "https://example.org/sub/papers/p1/" in record["bib"]  # no arXiv id: the page is the citation's URL


def test_build_publishes_desk_files_and_pages(
    new_project: Callable[..., Path],
    paper_writer: Callable[..., Path],
    cli: Callable[..., subprocess.CompletedProcess[str]],
    tmp_path: Path,
) -> None:
    root = new_project(tmp_path / "p")
    paper_writer(
        root,
        "memory-one",
        {"title": "Memory one", "listed": date(2026, 2, 5), "arxiv": "2602.00001"},
        "Agents with memory.",
    )
    paper_writer(root, "vision-two", {"title": "Vision two", "listed": date(2026, 2, 6)}, "Images and video.")
    done = cli(root, "build")
    assert done.returncode == 0, done.stderr
    site = root / "site"
    for slug in ("memory-one", "vision-two"):
        record = json.loads((site / "papers" / slug / "desk.json").read_text())
        assert len(base64.b64decode(record["vector"])) == DIMS
        bib = (site / "papers" / slug / "cite.bib").read_text()
        assert bib == record["bib"]
        page = (site / "papers" / slug / "index.html").read_text()
        assert 'data-save="' + slug + '"' in page and 'id="cite-h">Cite</h2>' in page
    header, rows = read_recent((site / "desk" / "recent.bin").read_bytes())
    assert header["papers"] == ["vision-two", "memory-one"] and len(rows) == 2 * DIMS
    for page in ("saved", "for-you"):
        assert (site / page / "index.html").is_file()
    home = (site / "index.html").read_text()
    assert 'data-listed="2026-02-06"' in home and "static/desk/desk.js" in home
