"""HF papers pages: the real single-paper page, a daily page with dateString, and the card fallback."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.ingest.formats import find_format, hf_html
from generator.model import Listing

FIXTURES = Path(__file__).parent / "fixtures"


def read(name: str, page_date: date | None = None) -> Listing:
    return hf_html.parse((FIXTURES / name).read_text(encoding="utf-8"), f"listings/{name}", page_date)


def test_real_single_paper_page() -> None:
    listing = read("hf_paper_page_2509.24002_prettified.html")
    assert listing.format == "hf-html"
    assert listing.problems == ()
    assert listing.date is None
    (entry,) = listing.entries
    assert entry.arxiv == "2509.24002"
    assert entry.title == "MCPMark: A Benchmark for Stress-Testing Realistic and Comprehensive MCP Use"
    assert entry.abstract.startswith("MCP standardizes how LLMs interact with external systems, forming the")
    assert len(entry.authors) == 15
    assert entry.authors[:3] == ("Zijian Wu", "Xiangyan Liu", "Xinyuan Zhang")
    assert entry.upvotes == 118
    assert entry.comments == 1
    assert entry.organization == "National University of Singapore"
    assert entry.links == (
        ("github", "https://github.com/eval-sys/mcpmark"),
        ("project", "https://mcpmark.ai/"),
    )
    assert entry.github_stars == 182
    assert entry.keywords[0] == "MCP"
    assert entry.published == date(2025, 9, 28)
    assert entry.listed == date(2025, 10, 1)
    assert entry.line == 199  # the PaperContent div


def test_same_paper_from_page_and_props_json() -> None:
    """The page and its extracted props JSON give the same entry (one conversion, shared with hf_json)."""
    from generator.ingest.formats import hf_json

    props = (FIXTURES / "hf_paper_page_2509.24002_PaperContent_props.json").read_text(encoding="utf-8")
    (from_json,) = hf_json.parse(props, "p.json", None).entries
    (from_html,) = read("hf_paper_page_2509.24002_prettified.html").entries
    assert from_html == type(from_html)(**{**{f: getattr(from_json, f) for f in from_json.__slots__}, "line": 199})


def test_daily_page_with_date_string() -> None:
    listing = read("hf_daily_page_datestring.html", page_date=date(2024, 10, 20))
    assert listing.problems == ()
    assert listing.date == date(2024, 10, 25)  # dateString wins over the caller's guess
    first, second = listing.entries
    assert first.arxiv == "2410.17243"
    assert first.title == "Breaking the Memory Barrier: Near Infinite Batch Size Scaling for Contrastive Loss"
    assert first.abstract == "Contrastive loss is a powerful approach <b> for representation learning."
    assert first.authors == ("Zesen Cheng", "Hang Zhang")
    assert first.organization == "DAMO-NLP-SG"
    assert (first.upvotes, first.comments) == (64, 3)
    assert first.listed == date(2024, 10, 25) and first.published == date(2024, 10, 22)
    assert second.arxiv == "2410.16251" and second.authors == () and second.upvotes == 41
    assert first.line == second.line == 6


def test_search_page_prefers_search_results() -> None:
    props = (
        '{"query": "memory", "dailyPapers": [{"paper": {"id": "2401.00001", "title": "Daily"}}],'
        ' "searchResults": [{"paper": {"id": "2401.00002", "title": "Found"}}]}'
    )
    html = f"<html><body><div data-target=\"DailyPapers\" data-props='{props}'></div></body></html>"
    listing = hf_html.parse(html, "search.html", None)
    assert [e.title for e in listing.entries] == ["Found"]


def test_broken_embedded_json_falls_back_to_cards_with_a_warning() -> None:
    listing = read("hf_daily_page_broken_props.html", page_date=date(2026, 10, 2))
    (problem,) = listing.problems
    assert problem.severity == "warning"
    assert problem.line == 5
    assert 'embedded JSON in div[data-target="DailyPapers"] is broken' in problem.message
    assert problem.message.endswith("read 2 visible card(s) instead")
    occ, noisy = listing.entries
    assert occ.arxiv == "2606.00683"
    assert occ.title == "OCC-RAG: Optimal Cognitive Core for Faithful Question Answering"
    assert (occ.upvotes, occ.comments, occ.line) == (1056, 6, 9)
    assert noisy.arxiv == "2502.20581"
    assert (noisy.upvotes, noisy.comments) == (0, None)
    assert listing.date == date(2026, 10, 2)


def test_page_without_json_or_cards_is_an_error() -> None:
    listing = hf_html.parse("<html><body><p>Nothing here</p></body></html>", "x.html", None)
    assert listing.entries == ()
    assert [p.severity for p in listing.problems] == ["error"]


def test_single_page_fallback_without_json() -> None:
    html = (
        '<html><head><link rel="canonical" href="https://huggingface.co/papers/2509.24002"/></head>\n'
        "<body>\n<h1>MCPMark:\n  A Benchmark</h1></body></html>"
    )
    listing = hf_html.parse(html, "x.html", None)
    assert [(e.arxiv, e.title, e.line) for e in listing.entries] == [("2509.24002", "MCPMark: A Benchmark", 3)]
    assert [p.severity for p in listing.problems] == ["warning"]


def test_sniff_by_content() -> None:
    text = (FIXTURES / "hf_daily_page_datestring.html").read_text(encoding="utf-8")
    assert hf_html.sniff(text, "a.json")
    assert hf_html.sniff('<div data-target="DailyPapers" data-props="{}"></div>', "x")
    assert not hf_html.sniff("Some plain text listing\n", "x.html")
    found = find_format(text, "x.txt")
    assert found is not None and found[0] == "hf-html"


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_never_raises(text: str) -> None:
    assert isinstance(hf_html.parse(text, "x.html", None), Listing)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200), st.sampled_from(["DailyPapers", "PaperContent"]))
def test_any_props_never_raise(props: str, target: str) -> None:
    html = f'<html><div data-target="{target}" data-props="{props}"><h3><a href="/papers/2401.00001">T</a></h3>'
    assert isinstance(hf_html.parse(html, "x.html", None), Listing)
