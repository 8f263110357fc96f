"""HF API JSON: real /api/daily_papers excerpt, search results, a single paper, and broken input."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.ingest.formats import find_format, hf_json
from generator.model import Listing

FIXTURES = Path(__file__).parent / "fixtures"


def read(name: str, page_date: date | None = None) -> Listing:
    return hf_json.parse((FIXTURES / name).read_text(encoding="utf-8"), f"listings/{name}", page_date)


def test_real_daily_papers_excerpt() -> None:
    listing = read("hf_api_daily_papers_2024-10-25_first4_excerpt.json", date(2024, 10, 25))
    assert listing.format == "hf-json"
    assert listing.problems == ()
    assert listing.date == date(2024, 10, 25)
    assert [e.arxiv for e in listing.entries] == ["2410.17243", "2410.16251", "2410.18533", "2410.18693"]
    first = listing.entries[0]
    assert first.title == "Breaking the Memory Barrier: Near Infinite Batch Size Scaling for Contrastive Loss"
    assert first.abstract.startswith(
        "Contrastive loss is a powerful approach for representation learning, where larger"
    )
    assert "\n" not in first.abstract
    assert len(first.authors) == 9
    assert first.authors[0] == "Zesen Cheng" and first.authors[-1] == "Lidong Bing"
    assert first.upvotes == 64
    assert first.comments == 3
    assert first.published == date(2024, 10, 22)
    assert first.listed == date(2024, 10, 25)
    # the item's publishedAt: when HF put the paper on the daily list (fractions of a second dropped)
    assert [e.listed_at for e in listing.entries] == [
        "2024-10-25T00:57:09Z",
        "2024-10-25T03:32:14Z",
        "2024-10-25T01:32:39Z",
        "2024-10-25T01:44:14Z",
    ]
    assert first.line == 1
    assert [e.upvotes for e in listing.entries] == [64, 41, 37, 35]
    assert listing.entries[3].title == (
        "Unleashing Reasoning Capability of LLMs via Scalable Question Synthesis from Scratch"
    )


def test_real_paper_page_props() -> None:
    listing = read("hf_paper_page_2509.24002_PaperContent_props.json")
    assert listing.problems == ()
    (entry,) = listing.entries
    assert entry.arxiv == "2509.24002"
    assert entry.title == "MCPMark: A Benchmark for Stress-Testing Realistic and Comprehensive MCP Use"
    assert len(entry.authors) == 15
    assert entry.upvotes == 118
    assert entry.comments == 1  # the second comment is hidden as spam
    assert entry.organization == "National University of Singapore"
    assert entry.links == (
        ("github", "https://github.com/eval-sys/mcpmark"),
        ("project", "https://mcpmark.ai/"),
    )
    assert entry.github_stars == 182
    assert len(entry.keywords) == 21 and entry.keywords[:2] == ("MCP", "LLMs")
    assert entry.published == date(2025, 9, 28)
    assert entry.listed == date(2025, 10, 1)  # submittedOnDailyAt: no item-level publishedAt here


def test_search_results() -> None:
    listing = read("hf_api_papers_search_small.json")
    assert listing.problems == ()
    noisy, pangu = listing.entries
    assert noisy.arxiv == "2502.20581"
    assert noisy.title == ("The Noisy Path from Source to Citation: Measuring How Scholars Engage with Past Research")
    assert noisy.organization == "University of Michigan"
    assert noisy.authors == ("Hong Chen", "Misha Teplitskiy")
    assert (noisy.listed, noisy.published) == (date(2025, 3, 3), date(2025, 2, 27))
    assert noisy.line == 4
    assert pangu.arxiv == "2401.02954"  # version suffix dropped
    assert pangu.title == "PanGu-$\\pi$: Enhancing $L_2$ Language Model Architectures"
    assert pangu.abstract == "We cut costs by 1.96times and keep 99\\% of accuracy~(see $\\mathcal{O}(n)$)."
    assert pangu.organization == "huawei"  # no fullname: name
    assert pangu.upvotes == 1056 and pangu.comments == 0
    assert pangu.links == (
        ("github", "https://github.com/example/pangu"),
        ("project", "https://example.org/pangu"),
    )
    assert pangu.github_stars == 4321
    assert pangu.keywords == ("language model", "efficiency")
    assert pangu.line == 18


def test_single_paper_object() -> None:
    listing = read("hf_api_paper_single.json")
    assert listing.problems == ()
    (entry,) = listing.entries
    assert entry.arxiv == "2509.24002"
    assert entry.line == 2
    assert entry.authors == ("Zijian Wu", "Xiangyan Liu")
    assert entry.organization == "National University of Singapore"
    assert entry.listed == date(2025, 10, 1)
    assert entry.comments is None


def test_truncated_json_is_an_error_not_a_crash() -> None:
    listing = read("hf_api_daily_papers_truncated.json")
    assert listing.entries == ()
    (problem,) = listing.problems
    assert problem.severity == "error"
    assert problem.line == 1
    assert str(problem).startswith("listings/hf_api_daily_papers_truncated.json:1: error: invalid JSON:")


def test_wrong_types_are_warnings_naming_the_item() -> None:
    listing = read("hf_api_daily_papers_wrong_types.json")
    messages = [str(p) for p in listing.problems]
    assert all(p.severity == "warning" for p in listing.problems)
    assert [e.arxiv for e in listing.entries] == ["2410.00001", "2410.00002", "2410.00004"]
    good, wrong, dash = listing.entries
    assert good.upvotes == 1056 and good.comments == 4 and good.authors == ("A. Author",)
    assert wrong.upvotes is None and wrong.authors == () and wrong.github_stars is None
    assert wrong.links == () and wrong.published is None and wrong.comments is None
    assert wrong.listed == date(2024, 10, 25)
    assert dash.upvotes == 0 and dash.authors == ("B. Author",)
    path = "listings/hf_api_daily_papers_wrong_types.json"
    for key, kind in [
        ("upvotes", "list"),
        ("authors", "str"),
        ("githubStars", "str"),
        ("githubRepo", "int"),
        ("publishedAt", "int"),
        ("numComments", "str"),
    ]:
        assert f"{path}:9: warning: item 2 (2410.00002): {key} is {kind}; ignored" in messages
    assert f"{path}:20: warning: item 3: paper.id is not a string; skipped" in messages
    assert f"{path}:24: warning: item 4: no paper object; skipped" in messages
    assert f"{path}:26: warning: item 5 (2410.00004): an author has no name; left out" in messages
    assert f"{path}:30: warning: item 6 (2410.00005): no title; skipped" in messages


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ('[\n  {"paper": {}},\n\n  "x" , 3,\n  {"paper": {"id": "1"}}\n]', [2, 4, 4, 5]),
        ("\ufeff  [ ]", []),
        ('{"dailyPapers": [1],\n "searchResults": \n[\n{"a": "]"}, [2]\n]}', [4, 4]),
        ('{"searchResults": 3, "dailyPapers": [\n1,\n2]}', [2, 3]),
        ('{"dailyPapers": [1], "dailyPapers": [\n2]}', [2]),
        ('\n{"paper": {"title": "no id"}, "comments": []}', [2]),
        ("not json", []),
    ],
)
def test_item_lines(text: str, lines: list[int]) -> None:
    assert hf_json.item_lines(text) == lines


def test_unrecognised_shapes_are_errors() -> None:
    for text in ("{}", '"just a string"', "42", "null"):
        listing = hf_json.parse(text, "x.json", None)
        assert listing.entries == ()
        assert [p.severity for p in listing.problems] == ["error"]


def test_sniff_by_content() -> None:
    assert hf_json.sniff(' \n[{"paper": {}}]', "whatever.txt")
    assert hf_json.sniff("\ufeff{}", "x")
    assert not hf_json.sniff("<html>", "x.json")
    text = (FIXTURES / "hf_api_papers_search_small.json").read_text(encoding="utf-8")
    found = find_format(text, "listing.txt")
    assert found is not None and found[0] == "hf-json"


def test_empty_daily_page_is_fine() -> None:
    assert hf_json.parse("[]", "x.json", date(2024, 10, 26)) == Listing("x.json", "hf-json", date(2024, 10, 26))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "paper",
                    "id",
                    "title",
                    "authors",
                    "name",
                    "upvotes",
                    "publishedAt",
                    "numComments",
                    "organization",
                    "fullname",
                    "githubRepo",
                    "githubStars",
                    "summary",
                    "ai_keywords",
                    "dailyPapers",
                    "dateString",
                    "searchResults",
                    "comments",
                    "data",
                    "hidden",
                    "x",
                ]
            ),
            children,
            max_size=6,
        )
    ),
    max_leaves=30,
)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(json_values)
def test_any_json_never_raises(value: object) -> None:
    listing = hf_json.parse(json.dumps(value), "x.json", None)
    assert isinstance(listing, Listing)
    assert all(e.arxiv for e in listing.entries)


@pytest.mark.slow
@given(st.lists(json_values, max_size=6), st.sampled_from([None, "dailyPapers", "searchResults"]), st.integers(0, 2))
def test_item_lines_finds_every_item(items: list[object], key: str | None, indent: int) -> None:
    value: object = items if key is None else {"dateString": "x", key: items}
    lines = hf_json.item_lines(json.dumps(value, indent=indent or None))
    if not indent:  # all on line 1
        assert lines == [1] * len(items)
        return
    expected, line = [], 2 if key is None else 4  # json.dumps puts each item on a line of its own
    for item in items:
        expected.append(line)
        line += json.dumps(item, indent=indent).count("\n") + 1
    assert lines == expected


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_never_raises(text: str) -> None:
    assert isinstance(hf_json.parse(text, "x.json", None), Listing)


def test_deep_nesting_never_raises() -> None:
    listing = hf_json.parse("[" * 100_000, "x.json", None)
    assert [p.severity for p in listing.problems] == ["error"]


def test_markdown_link_is_not_json() -> None:
    assert not hf_json.sniff("[Subscribe](https://example.org)\n", "x.md")
    assert hf_json.sniff("[\n  {\n", "x") and hf_json.sniff("[ ]", "x") and hf_json.sniff('{ "a": 1}', "x")


def test_listed_at_falls_back_to_submitted_on_daily_at_and_needs_a_time_zone() -> None:
    def listed_at(item: dict[str, object]) -> str | None:
        (entry,) = hf_json.parse(json.dumps([item]), "x.json", None).entries
        return entry.listed_at

    paper = {"id": "2509.24002", "title": "T", "submittedOnDailyAt": "2025-10-01T01:58:54.337Z"}
    assert listed_at({"paper": paper}) == "2025-10-01T01:58:54Z"
    assert listed_at({"paper": paper, "publishedAt": "2025-10-01T03:00:00+02:00"}) == "2025-10-01T01:00:00Z"
    assert listed_at({"paper": paper, "publishedAt": "2025-09-30"}) is None  # a day only: its day, no instant
    assert listed_at({"paper": {**paper, "submittedOnDailyAt": "2025-10-01T01:58:54"}}) is None  # no zone
    # an instant on another (UTC) day than the listed day is not this listing's instant
    assert listed_at({"paper": paper, "publishedAt": "2025-10-01T01:00:00+05:00"}) is None
