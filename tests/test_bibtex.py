"""generator/desk/bibtex.py: the exact entry for a real arXiv paper and for a paper without one, braced names,
LaTeX kept, and every naughty string read back by two BibTeX parsers (pybtex and bibtexparser 2)."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import replace
from datetime import date
from pathlib import Path

import bibtexparser
import pybtex.database
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pybtex.database.input.bibtex import Parser
from pybtex.plugin import find_plugin

from generator.desk.bibtex import bibtex_entry, cite_key
from generator.model import Paper

FIXTURES = Path(__file__).resolve().parent / "fixtures"
NAUGHTY: list[str] = json.loads((FIXTURES / "blns.json").read_text(encoding="utf-8"))
PAGE_URL = "https://example.org/papers/p/a-mem/"
SITE = "Agent Papers"

A_MEM = Paper(
    slug="a-mem-agentic-memory-for-llm-agents",
    title="A-MEM: Agentic Memory for LLM Agents",
    abstract="",
    path="content/papers/a-mem-agentic-memory-for-llm-agents.md",
    arxiv="2502.12110",
    published=date(2025, 2, 17),
    listed=date(2025, 2, 19),
    authors=("Wujiang Xu", "Zujie Liang", "Kai Mei"),
    categories=("cs.CL", "cs.AI"),
)
UNLISTED = Paper(slug="x", title="A Workshop Paper", abstract="", path="content/papers/x.md")

_UNDO = {"\\textbraceleft{}": "{", "\\textbraceright{}": "}", "\\textbackslash{}": "\\", "\\%": "%", "\\&": "&"}
_UNDO["\\#"] = "#"
_ESCAPES = re.compile(r"\\textbrace(?:left|right)\{\}|\\textbackslash\{\}|\\[%&#\\]")
_SPECIALS = re.compile(r"\\[%&#\\]")


def _unescape(text: str) -> str:
    """The module's escapes undone, reading ``\\\\`` as one pair (so ``\\\\\\%`` is ``\\\\%``)."""
    return _ESCAPES.sub(lambda m: _UNDO.get(m[0], m[0]), text)


def _normalised(text: str) -> str:
    """What a field must read as: control characters dropped, whitespace collapsed, and ``\\%`` the same as ``%``
    (an input that escapes them already keeps its escape)."""
    kept = "".join(" " if c.isspace() else "" if unicodedata.category(c) in ("Cc", "Cs") else c for c in text)
    return _SPECIALS.sub(lambda m: _UNDO.get(m[0], m[0]), " ".join(kept.split()))


def _parse_both(text: str) -> tuple[pybtex.database.Entry, dict[str, str]]:
    """The single entry as pybtex reads it, and bibtexparser's raw fields for it (keys checked to agree)."""
    pybtex_data = Parser().parse_string(text)
    assert len(pybtex_data.entries) == 1
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == []
    assert len(library.entries) == 1
    (key, entry) = next(iter(pybtex_data.entries.items()))
    assert library.entries[0].key == key
    return entry, {name: field.value for name, field in library.entries[0].fields_dict.items()}


def test_the_pybtex_parser_used_is_the_one_parse_string_finds() -> None:
    """``pybtex.database.parse_string(text, "bibtex")`` looks its parser up through the package entry points on every
    call (about 10 ms each); the tests call that parser directly."""
    assert find_plugin("pybtex.database.input", "bibtex") is Parser


def test_an_arxiv_paper_gets_eprint_fields_and_the_arxiv_url() -> None:
    assert bibtex_entry(A_MEM, page_url=PAGE_URL, site_title=SITE) == (
        "@misc{xu2025amem,\n"
        "  title = {A-MEM: Agentic Memory for LLM Agents},\n"
        "  author = {Wujiang Xu and Zujie Liang and Kai Mei},\n"
        "  year = {2025},\n"
        "  eprint = {2502.12110},\n"
        "  archivePrefix = {arXiv},\n"
        "  primaryClass = {cs.CL},\n"
        "  url = {https://arxiv.org/abs/2502.12110},\n"
        "}\n"
    )
    entry, fields = _parse_both(bibtex_entry(A_MEM, page_url=PAGE_URL, site_title=SITE))
    assert [str(person) for person in entry.persons["author"]] == ["Xu, Wujiang", "Liang, Zujie", "Mei, Kai"]
    assert fields["eprint"] == "2502.12110"


def test_primary_class_only_when_a_category_is_known() -> None:
    text = bibtex_entry(replace(A_MEM, categories=()), page_url=PAGE_URL, site_title=SITE)
    assert "primaryClass" not in text
    assert "  archivePrefix = {arXiv},\n  url = {https://arxiv.org/abs/2502.12110},\n}\n" in text


def test_a_paper_without_arxiv_gets_the_page_url_and_a_note() -> None:
    paper = replace(A_MEM, arxiv=None, published=None, authors=(), categories=("cs.CL",))
    assert bibtex_entry(paper, page_url=PAGE_URL, site_title="Agent Papers & More") == (
        "@misc{2025amem,\n"
        "  title = {A-MEM: Agentic Memory for LLM Agents},\n"
        "  year = {2025},\n"
        "  url = {https://example.org/papers/p/a-mem/},\n"
        "  note = {Listed on Agent Papers \\& More, Feb 19, 2025},\n"
        "}\n"
    )


def test_the_note_uses_the_listed_day_and_leaves_out_a_missing_date() -> None:
    listed = bibtex_entry(replace(A_MEM, arxiv=None), page_url=PAGE_URL, site_title=SITE)
    assert "  year = {2025},\n" in listed
    assert "  note = {Listed on Agent Papers, Feb 19, 2025},\n" in listed
    undated = bibtex_entry(UNLISTED, page_url="https://example.org/p/x/", site_title=SITE)
    assert undated == (
        "@misc{workshop,\n"
        "  title = {A Workshop Paper},\n"
        "  url = {https://example.org/p/x/},\n"
        "  note = {Listed on Agent Papers},\n"
        "}\n"
    )


def test_the_page_url_is_percent_encoded_where_braces_would_break_it() -> None:
    text = bibtex_entry(UNLISTED, page_url="https://example.org/a b/{x}\\/#top", site_title=SITE)
    assert "  url = {https://example.org/a%20b/%7Bx%7D%5C/#top},\n" in text
    _parse_both(text)


@pytest.mark.parametrize(
    ("names", "written", "persons"),
    [
        (("Smith and Wesson", "Jane Doe"), "{Smith and Wesson} and Jane Doe", 2),
        (("Research AND Development Team",), "{Research AND Development Team}", 1),
        (("Doe, Jane", "Lee, Min-ji, Jr."), "{Doe, Jane} and {Lee, Min-ji, Jr.}", 2),
        (("Ann Anderson", "Brandon Sandberg"), "Ann Anderson and Brandon Sandberg", 2),
        (("and", "Kai Mei", " \t "), "{and} and Kai Mei", 2),
    ],
)
def test_names_with_and_or_a_comma_are_braced_into_one_person(
    names: tuple[str, ...], written: str, persons: int
) -> None:
    text = bibtex_entry(replace(A_MEM, authors=names), page_url=PAGE_URL, site_title=SITE)
    assert f"  author = {{{written}}},\n" in text
    entry, _ = _parse_both(text)
    assert len(entry.persons["author"]) == persons


def test_no_known_author_means_no_author_field() -> None:
    text = bibtex_entry(replace(A_MEM, authors=("", "\n")), page_url=PAGE_URL, site_title=SITE)
    assert "author" not in text
    entry, _ = _parse_both(text)
    assert "author" not in entry.persons


@pytest.mark.parametrize(
    ("title", "written"),
    [
        ("Attention in $O(n^2)$ Time", "Attention in $O(n^2)$ Time"),
        ("$\\mathcal{O}(n)$ Memory for \\alpha-Agents", "$\\mathcal{O}(n)$ Memory for \\alpha-Agents"),
        ("Codes over $\\{0,1\\}^n$", "Codes over $\\{0,1\\}^n$"),
        ("{BERT} {{nested}} groups", "{BERT} {{nested}} groups"),
        ("100% Recall & #1 Rank", "100\\% Recall \\& \\#1 Rank"),
        ("Already \\% \\& \\# escaped", "Already \\% \\& \\# escaped"),
        ("Line break \\\\% then percent", "Line break \\\\\\% then percent"),
        ("Open { only", "Open \\textbraceleft{} only"),
        ("Close } only", "Close \\textbraceright{} only"),
        ("} backwards {", "\\textbraceright{} backwards \\textbraceleft{}"),
        ("Escaped \\{ alone", "Escaped \\textbraceleft{} alone"),
        ("Mixed \\{ then }", "Mixed \\textbraceleft{} then \\textbraceright{}"),
        ("Pair \\\\{ then }", "Pair \\\\\\textbraceleft{} then \\textbraceright{}"),
        ("Ends in a backslash \\", "Ends in a backslash \\textbackslash{}"),
        ("Ends in two \\\\", "Ends in two \\textbackslash{}\\textbackslash{}"),
        ("Tabs\tand\nnew\r\nlines  \x00\x07\x1b gone\x7f", "Tabs and new lines gone"),
    ],
)
def test_title_keeps_latex_and_escapes_what_bibtex_would_misread(title: str, written: str) -> None:
    text = bibtex_entry(replace(A_MEM, title=title), page_url=PAGE_URL, site_title=SITE)
    assert f"  title = {{{written}}},\n" in text
    entry, fields = _parse_both(text)
    assert entry.fields["title"] == fields["title"] == written


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({}, "xu2025amem"),
        ({"title": "The Élan of Transformers"}, "xu2025elan"),
        ({"title": "Towards a Theory of Mind", "authors": ("José Ñúñez",)}, "nunez2025theory"),
        ({"title": "On $\\mathcal{O}(1)$ Retrieval"}, "xu2025o1"),
        ({"authors": ("Doe, Jane",)}, "doe2025amem"),
        ({"authors": ("Martin Luther King Jr.",)}, "king2025amem"),
        ({"authors": ("张伟",), "published": None, "listed": None}, "amem"),
        ({"authors": (), "title": "2025", "published": None, "listed": None}, "amemagenticmemoryforllmagents"),
        ({"authors": (), "title": "", "published": None, "listed": None, "slug": "2502-12110"}, "250212110"),
        ({"authors": (), "title": "", "published": None, "listed": None, "slug": "日本"}, "paper"),
    ],
)
def test_cite_key(changes: dict[str, object], key: str) -> None:
    assert cite_key(replace(A_MEM, **changes)) == key  # type: ignore[arg-type]


def test_every_naughty_string_as_title_author_and_site_title_reads_back() -> None:
    for naughty in NAUGHTY:
        paper = replace(UNLISTED, title=naughty, authors=(naughty, "Jane Doe"), listed=date(2025, 3, 4))
        text = bibtex_entry(paper, page_url=PAGE_URL, site_title=naughty)
        entry, fields = _parse_both(text)
        key = cite_key(paper)
        assert re.fullmatch(r"[a-z0-9]+", key), naughty
        assert entry.key == key, naughty
        expected = _normalised(naughty)
        assert list(fields) == ["title", "author", "year", "url", "note"], naughty
        assert entry.fields["title"] == fields["title"], naughty
        assert _unescape(entry.fields["title"]) == expected, naughty
        assert len(entry.persons["author"]) == (2 if expected else 1), naughty
        note = f"Listed on {expected}, Mar 4, 2025" if expected else "Listed on Mar 4, 2025"
        assert _unescape(entry.fields["note"]) == note, naughty
        assert entry.fields["url"] == PAGE_URL


_HOSTILE = st.text(
    alphabet=st.one_of(st.sampled_from("{}\\%&#$@,=\"' \t\nand"), st.characters(codec="utf-8")), max_size=40
)


@settings(max_examples=200, deadline=None)
@given(title=_HOSTILE, author=_HOSTILE, site=_HOSTILE)
def test_any_text_gives_one_entry_both_parsers_read(title: str, author: str, site: str) -> None:
    paper = replace(UNLISTED, title=title, authors=(author, author))
    entry, _ = _parse_both(bibtex_entry(paper, page_url=PAGE_URL, site_title=site))
    # An unmatched ``\{`` is written as the brace it stands for, and text that spells an escape reads back as one.
    if not re.search(r"\\[{}]|\\text", title):
        assert _unescape(entry.fields["title"]) == _normalised(title)
