"""arXiv API Atom: the API manual's own responses, a two-entry feed, and unsafe or broken XML."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.ingest.formats import arxiv_atom, find_format
from generator.model import Listing

FIXTURES = Path(__file__).parent / "fixtures"


def read(name: str) -> Listing:
    return arxiv_atom.parse((FIXTURES / name).read_text(encoding="utf-8"), f"listings/{name}", None)


def test_real_typical_response() -> None:
    listing = read("arxiv_api_atom_typical_response_2007_usermanual.xml")
    assert listing.format == "arxiv-atom"
    assert listing.problems == ()
    (entry,) = listing.entries
    assert entry.arxiv == "hep-ex/0307015"
    assert entry.title == "Multi-Electron Production at High Transverse Momenta in ep Collisions at HERA"
    assert entry.abstract.startswith("Multi-electron production is studied at high electron transverse momentum in")
    assert entry.abstract.endswith("of 0.30 \\pm 0.04 and 0.23 \\pm 0.04, respectively.")
    assert entry.authors == ("H1 Collaboration",)
    assert entry.published == date(2003, 7, 7)
    assert entry.categories == ("hep-ex",)
    assert entry.links == (("pdf", "http://arxiv.org/pdf/hep-ex/0307015v1"),)
    assert entry.line == 10


def test_real_error_response_is_a_warning_not_a_paper() -> None:
    listing = read("arxiv_api_atom_error_response_2007_usermanual.xml")
    assert listing.entries == ()
    (problem,) = listing.problems
    assert (problem.severity, problem.line) == ("warning", 11)
    assert problem.message == "arXiv API error: incorrect id format for 1234.12345"


def test_two_entries() -> None:
    listing = read("arxiv_api_atom_two_entries.xml")
    assert listing.problems == ()
    mcp, old = listing.entries
    assert mcp.arxiv == "2509.24002"
    assert mcp.title == "MCPMark: A Benchmark for Stress-Testing Realistic and Comprehensive MCP Use"
    assert mcp.abstract == (
        "MCP standardizes how LLMs interact with external systems, with $\\mathcal{O}(n)$ cost and 52.56\\% pass@1."
    )
    assert mcp.authors == ("Zijian Wu", "Xiangyan Liu", "Xinyuan Zhang")
    assert mcp.published == date(2025, 9, 28)
    assert mcp.categories == ("cs.CL", "cs.AI")
    assert mcp.links == (
        ("doi", "http://dx.doi.org/10.1000/example"),
        ("github", "https://github.com/eval-sys/mcpmark"),
        ("pdf", "http://arxiv.org/pdf/2509.24002v2"),
    )
    assert mcp.line == 6
    assert (old.arxiv, old.published, old.line) == ("hep-th/0601001", date(2006, 1, 1), 27)


def test_doctype_and_entities_are_refused() -> None:
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE feed [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&b;</title></entry></feed>'
    )
    listing = arxiv_atom.parse(bomb, "bomb.xml", None)
    assert listing.entries == ()
    assert [(p.severity, p.message) for p in listing.problems] == [
        ("error", "DOCTYPE or ENTITY declarations are not allowed in an Atom listing")
    ]


def test_broken_xml_is_an_error_with_a_line() -> None:
    text = '<feed xmlns="http://www.w3.org/2005/Atom">\n<entry>\n<title>x</titl>\n</feed>'
    (problem,) = arxiv_atom.parse(text, "x.xml", None).problems
    assert (problem.severity, problem.line) == ("error", 3)


def test_not_atom_root_is_an_error() -> None:
    (problem,) = arxiv_atom.parse("<rss><channel/></rss>", "x.xml", None).problems
    assert problem.severity == "error"


def test_entry_without_abs_url_is_kept_with_a_warning() -> None:
    text = (
        '<feed xmlns="http://www.w3.org/2005/Atom">\n'
        "<entry><id>urn:x:1</id><title>Not from arXiv</title></entry>\n"
        "<entry><id>http://arxiv.org/abs/2401.00001</id></entry>\n"
        "</feed>"
    )
    listing = arxiv_atom.parse(text, "x.xml", None)
    assert [(e.title, e.arxiv) for e in listing.entries] == [("Not from arXiv", None)]
    assert [(p.severity, p.line) for p in listing.problems] == [("warning", 2), ("warning", 3)]


def test_arxiv_ids() -> None:
    assert arxiv_atom.arxiv_id("2509.24002v12") == "2509.24002"
    assert arxiv_atom.arxiv_id("hep-th/0601001v2") == "hep-th/0601001"
    assert arxiv_atom.arxiv_id("math.GT/0309136") == "math.GT/0309136"
    assert arxiv_atom.arxiv_id("2509.24002") == "2509.24002"


def test_sniff_by_content() -> None:
    text = (FIXTURES / "arxiv_api_atom_typical_response_2007_usermanual.xml").read_text(encoding="utf-8")
    assert arxiv_atom.sniff(text, "query.txt")
    assert not arxiv_atom.sniff("<rss><channel/></rss>", "x.xml")
    found = find_format(text, "x")
    assert found is not None and found[0] == "arxiv-atom"


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_never_raises(text: str) -> None:
    assert isinstance(arxiv_atom.parse(text, "x.xml", None), Listing)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "<feed xmlns='http://www.w3.org/2005/Atom'>",
                "</feed>",
                "<entry>",
                "</entry>",
                "<id>",
                "</id>",
                "http://arxiv.org/abs/2401.00001v1",
                "http://arxiv.org/api/errors#x",
                "<title>",
                "</title>",
                "T",
                "<author><name>A</name></author>",
                "<published>2024-13-99</published>",
                "<category term='cs.CL'/>",
                "<link title='pdf' href='p'/>",
                "<summary>",
                "</summary>",
                "&amp;",
                "&",
                "<",
                "\x00",
                "\ud800",
            ]
        ),
        max_size=30,
    )
)
def test_any_atom_ish_text_never_raises(parts: list[str]) -> None:
    assert isinstance(arxiv_atom.parse("".join(parts), "x.xml", None), Listing)
