"""The popular feed (``popular/``): papers whose upvotes reached ``[feeds] popular_upvotes``, dated the day ingest first
saw them there (``popular_since``, in the front matter), and kept when the upvotes fall back. And the merge of one
paper seen in arXiv Atom and in the HF API."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import feedparser
import yaml

from generator.config import Config
from generator.feeds.write import feed_files
from generator.ingest.merge import ingest
from generator.site.assemble import assemble
from generator.site.load import load_papers

FIXTURES = Path(__file__).parent / "fixtures"
BASE = "https://example.org/papers/"


def hf_day(day: date, votes: dict[str, int]) -> tuple[str, str]:
    """An HF daily-papers API answer for ``day``: one item per arXiv id, with its upvotes."""
    items = [
        {
            "paper": {"id": arxiv, "title": f"Paper {arxiv}", "summary": f"About {arxiv}.", "upvotes": count},
            "publishedAt": f"{day.isoformat()}T08:00:00.000Z",
            "title": f"Paper {arxiv}",
        }
        for arxiv, count in votes.items()
    ]
    return f"hf-daily-{day.isoformat()}.json", json.dumps(items)


def front_matter(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    meta = yaml.safe_load(text.split("---\n")[1])
    assert isinstance(meta, dict)
    return meta


def test_popular_since_across_three_listings_where_upvotes_rise_cross_and_fall(tmp_path: Path) -> None:
    listings, papers_dir = tmp_path / "listings", tmp_path / "papers"
    listings.mkdir()
    ledger = tmp_path / "ledger.pickle"
    days = [date(2026, 2, 2), date(2026, 2, 3), date(2026, 2, 4)]
    votes = [
        {"2602.00001": 5, "2602.00002": 1},  # both under 20
        {"2602.00001": 25, "2602.00002": 3},  # the first crosses the threshold on Feb 3
        {"2602.00001": 12, "2602.00002": 40},  # it falls back under; the second crosses on Feb 4
    ]
    seen = []
    for day, counts in zip(days, votes, strict=True):
        name, text = hf_day(day, counts)
        (listings / name).write_text(text, encoding="utf-8")
        ingest(sorted(listings.iterdir()), papers_dir, ledger=ledger, popular=20)
        seen.append({p.stem: front_matter(p).get("popular_since") for p in sorted(papers_dir.glob("*.md"))})
    assert seen == [
        {"2602.00001": None, "2602.00002": None},
        {"2602.00001": date(2026, 2, 3), "2602.00002": None},
        {"2602.00001": date(2026, 2, 3), "2602.00002": date(2026, 2, 4)},
    ]
    first = front_matter(papers_dir / "2602.00001.md")
    assert first["upvotes"] == 12 and first["popular_since"] == date(2026, 2, 3)  # fell back under, still popular
    # a full ingest from the same files gives the same; and it never moves: a re-ingest changes no byte
    assert ingest(sorted(listings.iterdir()), papers_dir, full=True, popular=20).written == ()

    papers, problems = load_papers(papers_dir)
    assert problems == []
    site, _ = assemble(Config(base_url=BASE, title="Test"), papers)
    files = feed_files(site)
    rss = feedparser.parse(files["popular/feed.xml"])
    atom = feedparser.parse(files["popular/atom.xml"])
    data = json.loads(files["popular/feed.json"])
    for parsed in (rss, atom):
        assert not parsed.bozo
        assert [entry.link for entry in parsed.entries] == [f"{BASE}papers/2602.00002/", f"{BASE}papers/2602.00001/"]
    assert [entry.published for entry in atom.entries] == ["2026-02-04T00:00:00+00:00", "2026-02-03T00:00:00+00:00"]
    assert [entry.updated for entry in atom.entries] == ["2026-02-04T00:00:00+00:00", "2026-02-03T00:00:00+00:00"]
    assert [item["date_published"] for item in data["items"]] == [
        "2026-02-04T00:00:00+00:00",
        "2026-02-03T00:00:00+00:00",
    ]
    assert rss.feed.link == f"{BASE}popular/" and data["home_page_url"] == f"{BASE}popular/"
    assert f'xmlUrl="{BASE}popular/feed.xml"' in files["feeds.opml"].decode()


def test_papers_popular_on_one_day_get_distinct_instants_and_the_threshold_comes_from_config(tmp_path: Path) -> None:
    listings, papers_dir = tmp_path / "listings", tmp_path / "papers"
    listings.mkdir()
    name, text = hf_day(date(2026, 2, 2), {"2602.00001": 3, "2602.00002": 4, "2602.00003": 1})
    (listings / name).write_text(text, encoding="utf-8")
    ingest(sorted(listings.iterdir()), papers_dir, popular=3)
    papers, _ = load_papers(papers_dir)
    site, _ = assemble(Config(base_url=BASE, popular_upvotes=3), papers)
    atom = feedparser.parse(feed_files(site)["popular/atom.xml"])
    assert len(atom.entries) == 2
    assert [e.published for e in atom.entries] == ["2026-02-02T00:00:00+00:00", "2026-02-01T23:59:59+00:00"]


def test_an_empty_popular_feed_is_still_written() -> None:
    site, _ = assemble(Config(base_url=BASE), [])
    files = feed_files(site)
    assert {"popular/feed.xml", "popular/atom.xml", "popular/feed.json"} <= set(files)
    assert feedparser.parse(files["popular/atom.xml"]).entries == []


def test_one_paper_from_arxiv_atom_and_the_hf_api_becomes_one_file(tmp_path: Path) -> None:
    """arXiv gives the categories (primary first) and its links, HF the counters, organisation and its links; the
    file is keyed on the arXiv id without its version suffix."""
    listings = tmp_path / "listings"
    listings.mkdir()
    (listings / "arxiv-cs.CL-2025-09-30.xml").write_bytes((FIXTURES / "arxiv_api_atom_two_entries.xml").read_bytes())
    (listings / "hf-paper-2025-10-01.json").write_bytes((FIXTURES / "hf_api_paper_single.json").read_bytes())
    papers_dir = tmp_path / "papers"
    report = ingest(sorted(listings.iterdir()), papers_dir)
    assert not [p for p in report.problems if p.severity == "error"]
    files = sorted(p.name for p in papers_dir.glob("*.md"))
    assert files == ["2509.24002.md", "hep-th-0601001.md"]
    meta = front_matter(papers_dir / "2509.24002.md")
    assert meta["arxiv"] == "2509.24002"
    assert meta["categories"] == ["cs.CL", "cs.AI"]  # from arXiv, its primary category first
    # both have the authors: the newer listing's (HF's, a shortened list in this fixture) win, as for every field
    assert meta["authors"] == ["Zijian Wu", "Xiangyan Liu"]
    assert meta["upvotes"] == 118 and meta["github_stars"] == 182  # from HF
    assert meta["organization"] == "National University of Singapore"
    assert meta["links"]["github"] == "https://github.com/eval-sys/mcpmark"
    assert meta["links"]["project"] == "https://mcpmark.ai/"
    assert meta["links"]["pdf"] == "http://arxiv.org/pdf/2509.24002v2"  # arXiv's links stay beside HF's
    assert meta["sources"] == ["arxiv-cs.CL-2025-09-30.xml", "hf-paper-2025-10-01.json"]
    assert meta["popular_since"] == date(2025, 10, 1)  # 118 upvotes on the HF listing's day
    papers, problems = load_papers(papers_dir)
    assert problems == [] and len(papers) == 2
    # the same two listings the other way round (HF first) give the same file
    again = tmp_path / "again"
    (tmp_path / "hf-first").mkdir()
    (tmp_path / "hf-first" / "hf-paper-2025-09-29.json").write_bytes(
        (FIXTURES / "hf_api_paper_single.json").read_bytes()
    )
    ingest([tmp_path / "hf-first" / "hf-paper-2025-09-29.json", listings / "arxiv-cs.CL-2025-09-30.xml"], again)
    other = front_matter(again / "2509.24002.md")
    assert other["categories"] == ["cs.CL", "cs.AI"] and other["upvotes"] == 118


def test_another_threshold_makes_ingest_read_everything(tmp_path: Path) -> None:
    listings, papers_dir, ledger = tmp_path / "listings", tmp_path / "papers", tmp_path / "ledger.pickle"
    listings.mkdir()
    name, text = hf_day(date(2026, 2, 2), {"2602.00001": 5})
    (listings / name).write_text(text, encoding="utf-8")
    ingest(sorted(listings.iterdir()), papers_dir, ledger=ledger, popular=20)
    name, text = hf_day(date(2026, 2, 3), {"2602.00002": 1})
    (listings / name).write_text(text, encoding="utf-8")
    report = ingest(sorted(listings.iterdir()), papers_dir, ledger=ledger, popular=5)
    assert report.full  # the ledger's ingest used 20: reading only the new listing would miss 2602.00001's 5
    assert front_matter(papers_dir / "2602.00001.md")["popular_since"] == date(2026, 2, 2)
