"""The front-matter fast path (``generator/content/frontmatter.py`` ``read_simple_front``): whenever it reads front
matter, it gives exactly what PyYAML's safe loaders give (same values, same types); it reads every file papersite
writes; and it leaves everything else (with its errors and line numbers) to PyYAML."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.content.document import dump_document, read_document
from generator.content.fields import NAMES
from generator.content.frontmatter import read_simple_front

REPO = Path(__file__).resolve().parent.parent
LOADERS = [yaml.SafeLoader, *([yaml.CSafeLoader] if hasattr(yaml, "CSafeLoader") else [])]
FAILED = object()


def words(text: str, sep: str = " ") -> list[str]:
    return text.split(sep)


# Scalars YAML 1.1 (as PyYAML implements it) gives a meaning, and characters it treats specially.
SPECIAL = [
    *words("yes Yes YES no No NO y Y n N true True TRUE false False FALSE on On ON off Off OFF"),
    *words("null Null NULL ~ << = 0 00 012 0x1F 0o17 0b101 1_000 1:20 190:20:30 -1 +1 -0 .5 1. 1e3 1.0e+3"),
    *words(".inf -.Inf .NaN 2024-01-31 2024-1-31 2024-02-30 0000-01-01 9999-12-31 2024-01-31T10:20:30Z"),
    "2024-01-31 10:20:30",
    "123456789012345678",
    "1234567890123456789",
    *words("- a|-|--|---|...|? a|?|: a|:|a:|a: b|a:b|http://x.y/z?q=1#f|a #b|a#b|#|#a", "|"),
    *words("'|''|'a'|'a''b'|'''|\"|\"a\"|\\|\\n|&a|*a|!a|!!str|%|@|`|,|[|]|{|}|[]|{}|[a]|{a: b}", "|"),
    *["|", "|-", ">", ">-", "- - a"],
    "",
    " ",
    "  a",
    "a ",
    "a  b",
    "\t",
    "\n",
    "\r",
    "\x85",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\xa0",
    "é",
    "李雷",
    "😀",
    "\x00",
    "\x07",
    "\x1b",
    "\x7f",
    "\x9f",
    "\ufffe",
]
CHARS = st.characters(codec="utf-8")  # any code point a UTF-8 file can hold, control characters included
NEAR_YAML = st.text(st.sampled_from("ab1 :#'\"-.,[]{}~!&*<=?|>%@`éあ\t"), max_size=8)
TEXT = st.one_of(
    st.sampled_from(SPECIAL),
    NEAR_YAML,
    st.lists(st.one_of(st.sampled_from(SPECIAL), NEAR_YAML, st.text(CHARS, max_size=6)), max_size=4).map("".join),
)


def mostly(good: st.SearchStrategy[Any], odd: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``good`` nine times in ten: a document is read only when every one of its lines is."""
    return st.integers(0, 9).flatmap(lambda n: odd if n == 0 else good)


KEYS = mostly(st.sampled_from([*NAMES, "reviewer_note", "x-y", "_k", "K9"]), TEXT)
GOOD_SCALARS = st.one_of(TEXT, st.integers(min_value=0, max_value=10**6), st.dates())
ODD_SCALARS = st.one_of(st.integers(), st.datetimes(), st.booleans(), st.none(), st.floats(allow_nan=False))
VALUES = st.one_of(
    mostly(GOOD_SCALARS, ODD_SCALARS), st.lists(TEXT, max_size=4), st.dictionaries(KEYS, TEXT, max_size=3)
)
METAS = st.dictionaries(KEYS, VALUES, max_size=6)


def typed(value: Any) -> Any:
    """``value`` with every type spelled out, so True != 1 and a datetime != a date."""
    if isinstance(value, dict):
        return ("dict", [(typed(k), typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [typed(item) for item in value])
    return (type(value).__name__, value)


def loaded(front: str, loader: Any) -> Any:
    try:
        return typed(yaml.load(front, Loader=loader))
    except (yaml.YAMLError, ValueError, RecursionError):
        return FAILED


def check(front: str) -> dict[str, Any] | None:
    """The fast path's reading of ``front``; when it reads it, every PyYAML safe loader must read the same."""
    fast = read_simple_front(front)
    if fast is not None:
        for loader in LOADERS:
            assert loaded(front, loader) == typed(fast), (front, loader)
    return fast


def front_of(text: str) -> str:
    assert text.startswith("---\n"), text[:40]
    return text[4:].split("\n---\n", 1)[0] + "\n"


# Properties ------------------------------------------------------------------------------------------------------


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(METAS)
def test_fast_path_equals_pyyaml_on_anything_dump_document_writes(meta: dict[str, Any]) -> None:
    check(front_of(dump_document(meta, "")))


def plain_enough(text: str) -> bool:
    """Text the fast path must read however the dumper quotes it: one printable line, not a word PyYAML or the
    fast path declines when it is written unquoted (the dumper writes ``y``, ``-a``, ``?a``, ``:a`` unquoted)."""
    printable = all(" " <= ch <= "~" or ("\xa0" <= ch <= "\ufffd" and ch not in "\u2028\u2029\ufeff") for ch in text)
    return printable and not text.startswith(("-", "?", ":")) and text.lower() not in ("y", "n")


PLAIN_TEXT = st.text(CHARS, max_size=30).filter(plain_enough) | st.sampled_from(SPECIAL).filter(plain_enough)


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.fixed_dictionaries(
        {"title": PLAIN_TEXT, "slug": PLAIN_TEXT},
        optional={
            "arxiv": PLAIN_TEXT,
            "published": st.dates(),
            "listed": st.dates(),
            "authors": st.lists(PLAIN_TEXT, max_size=4),
            "upvotes": st.integers(min_value=0, max_value=10**17),
            "topics": st.lists(PLAIN_TEXT, max_size=2),
            "links": st.dictionaries(st.sampled_from(["github", "project", "x_y"]), PLAIN_TEXT, min_size=1),
            "reviewer_note": PLAIN_TEXT,
        },
    )
)
def test_fast_path_reads_every_papersite_shaped_file(meta: dict[str, Any]) -> None:
    fast = check(front_of(dump_document(meta, "Abstract.")))
    assert fast is not None
    assert typed(fast) == typed({key: meta[key] for key in [*NAMES, *meta] if key in meta})


GOOD_KEYS = st.from_regex(r"[A-Za-z_][A-Za-z0-9_-]{0,8}", fullmatch=True)
BAD_KEYS = st.sampled_from(["on", "y", "yes", "Null", "~", "<<", "=", "1", "a b", "a:b", "'q'", "? a", "-a", "#a"])
GOOD_VALUES = st.sampled_from(["Ada", "a b", "x:y", "'q'", "'it''s'", '"d"', "[]", "12", "2024-01-31", "C#", "3d x"])
ODD_VALUES = st.one_of(st.sampled_from(SPECIAL), NEAR_YAML, TEXT)


LINE_KEYS = mostly(GOOD_KEYS, BAD_KEYS)
LINE_VALUES = mostly(GOOD_VALUES, ODD_VALUES)
PAIRS = st.tuples(LINE_KEYS, LINE_VALUES).map(lambda pair: f"{pair[0]}: {pair[1]}")
ENTRIES = st.one_of(
    PAIRS,
    st.tuples(LINE_KEYS, st.lists(LINE_VALUES, min_size=1, max_size=3)).map(
        lambda entry: "\n".join([f"{entry[0]}:", *(f"- {value}" for value in entry[1])])
    ),
    st.tuples(LINE_KEYS, st.lists(PAIRS, min_size=1, max_size=3)).map(
        lambda entry: "\n".join([f"{entry[0]}:", *(f"  {pair}" for pair in entry[1])])
    ),
)
ODD_LINES = st.one_of(
    LINE_KEYS.map(lambda key: f"{key}:"),
    LINE_VALUES.map(lambda value: f"- {value}"),
    PAIRS.map(lambda pair: f"  {pair}"),
    st.sampled_from(["", "#c", "  - a", "-", "  ", "...", "? a", "- - a", "  k:", "    x", " a: b", "a : b"]),
    st.sampled_from(["key:  x", "key: x ", "key: x # c", "key: 'x' # c", "key:x", "key: [a]", "key: {}", "  a"]),
)


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ENTRIES, min_size=1, max_size=4), st.lists(st.tuples(st.integers(0, 20), ODD_LINES), max_size=1))
def test_fast_path_equals_pyyaml_on_lines_near_its_shapes(entries: list[str], odd: list[tuple[int, str]]) -> None:
    """Entries in papersite's shapes, with odd lines put in between now and then."""
    lines = "\n".join(entries).split("\n")
    for where, line in odd:
        lines.insert(where % (len(lines) + 1), line)
    check("\n".join(lines) + "\n")


# Hand-written cases ------------------------------------------------------------------------------------------------

DATE = dt.date(2025, 1, 31)


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        ("title: T\n", {"title": "T"}),
        ("title: 'A: B'\n", {"title": "A: B"}),
        ("title: 'it''s'\n", {"title": "it's"}),
        ("title: ''''\n", {"title": "'"}),
        ("title: ''\n", {"title": ""}),
        ("title: ' padded '\n", {"title": " padded "}),
        ("title: '# not a comment'\n", {"title": "# not a comment"}),
        ("title: \"plain 'double'\"\n", {"title": "plain 'double'"}),
        ("title: C# and F#\n", {"title": "C# and F#"}),
        ("title: https://x.org/a?b=c#d\n", {"title": "https://x.org/a?b=c#d"}),
        ("title: 12,000 Kernels\n", {"title": "12,000 Kernels"}),
        ("title: 3d gaussians\n", {"title": "3d gaussians"}),
        ('title: O\'Brien "x"\n', {"title": 'O\'Brien "x"'}),
        ("title: Café « Ünïcödé » 李雷 😀\n", {"title": "Café « Ünïcödé » 李雷 😀"}),
        ("title: ...\n", {"title": "..."}),
        ("title: 1e3\n", {"title": "1e3"}),  # a string to YAML 1.1 (its floats need a dot)
        ("upvotes: 0o17\n", {"upvotes": "0o17"}),  # YAML 1.2's octal; 1.1 writes 017
        ("title: 2024-1-31\n", {"title": "2024-1-31"}),
        ("title: Yess\n", {"title": "Yess"}),
        ("upvotes: 0\ncomments: 12\n", {"upvotes": 0, "comments": 12}),
        ("published: 2025-01-31\n", {"published": DATE}),
        ("topics: []\n", {"topics": []}),
        ("authors:\n- Ada\n- 'B: C'\n", {"authors": ["Ada", "B: C"]}),
        ("links:\n  github: https://g.com/a\n  x: 'y'\n", {"links": {"github": "https://g.com/a", "x": "y"}}),
        ("a:\n- x\nb: 1\nc:\n  d: e\nf: []\n", {"a": ["x"], "b": 1, "c": {"d": "e"}, "f": []}),
        # PyYAML's job: YAML 1.1 booleans, nulls, other numbers, times, merge/value keys, non-string keys ...
        *((f"title: {word}\n", None) for word in ("yes", "No", "ON", "off", "True", "y", "n", "null", "~", "NULL")),
        *((f"upvotes: {n}\n", None) for n in ("012", "0x1F", "0b1", "1_000", "1:20", "+1", "-1", ".5")),
        *((f"upvotes: {n}\n", None) for n in ("1.0", ".inf", ".NaN", "1234567890123456789")),
        *((f"published: {d}\n", None) for d in ("2025-01-31 10:00:00", "2025-01-31T10:00:00Z", "2025-02-30")),
        ("<<: x\n", None),
        ("=: x\n", None),
        ("title: =\n", None),
        ("yes: x\n", None),
        ("y: x\n", None),
        ("1: x\n", None),
        # ... and anything but the shapes papersite writes
        ("", None),
        ("title: T", None),
        ("title:\n", None),
        ("title: \n", None),
        ("title:  T\n", None),
        ("title: T \n", None),
        ("title: T # note\n", None),
        ("# note\ntitle: T\n", None),
        ("title: T\n\nslug: s\n", None),
        ("title: T\ntitle: U\n", None),
        ("links:\n  a: x\n  a: y\n", None),
        ("title: a: b\n", None),
        ("title: a:\n", None),
        ("title: 'a\n  b'\n", None),
        ("title: a\n  b\n", None),
        ("title: |\n  a\n", None),
        ("title: >-\n  a\n", None),
        ("title: &a x\nslug: *a\n", None),
        ("title: !!str 1\n", None),
        ('title: "a\\tb"\n', None),
        ('title: "a"b"\n', None),
        ("title: 'a'b'\n", None),
        ("title: 'a''\n", None),
        ("title: [a, b]\n", None),
        ("title: {}\n", None),
        ("title: -a\n", None),
        ("title: ? a\n", None),
        ("title: %a\n", None),
        ("title: @a\n", None),
        ("title:\ta\n", None),
        ("title: a\tb\n", None),
        ("title: a\rb\n", None),
        ("title: a\x85b\n", None),
        ("title: a\u2028b\n", None),
        ("title: \ufeffa\n", None),
        ("title: a\x07b\n", None),
        ("authors:\n  - a\n", None),
        ("authors:\n-\n", None),
        ("authors:\n- \n", None),
        ("authors:\n- - a\n", None),
        ("authors:\n- a: b\n", None),
        ("authors:\n- a\n  b\n", None),
        ("authors:\n- a\n  b: c\n", None),
        ("links:\n  a: x\n- b\n", None),
        ("links:\n  a:\n", None),
        ("links:\n    a: x\n", None),
        ("links:\n  a: x\n    b\n", None),
        ("title: T\n- a\n", None),
        ("title: T\n  a: b\n", None),
        ("title : T\n", None),
        (" title: T\n", None),
        ("...\n", None),
        ("%YAML 1.1\n", None),
        ("- a\n", None),
    ],
)
def test_tricky_front_matter(front: str, expected: dict[str, Any] | None) -> None:
    fast = check(front)
    assert typed(fast) == typed(expected)


def test_read_document_takes_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_yaml(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("PyYAML was called")

    monkeypatch.setattr(yaml, "load", no_yaml)
    monkeypatch.setattr(yaml, "safe_load", no_yaml)
    meta, body, line = read_document("---\ntitle: 'A: B'\nlisted: 2025-01-31\nauthors:\n- Ada\n---\n\nBody\n")
    assert (meta, body, line) == ({"title": "A: B", "listed": DATE, "authors": ["Ada"]}, "Body", 8)


def test_read_document_falls_back_to_pyyaml_for_comments() -> None:
    meta, _, _ = read_document("---\n# a maintainer's note\ntitle: T # inline\nupvotes: 0x10\n---\n")
    assert meta == {"title": "T", "upvotes": 16}


# Real files --------------------------------------------------------------------------------------------------------


def content_files() -> list[Path]:
    files = sorted((REPO / "content" / "papers").glob("*.md"))
    files += [p for p in sorted((REPO / "tests" / "fixtures").rglob("*.md")) if p.read_bytes().startswith(b"---\n")]
    return files


def test_every_content_file_of_the_repository_takes_the_fast_path() -> None:
    files = content_files()
    assert len(files) > 10
    for path in files:
        assert check(front_of(path.read_text(encoding="utf-8"))) is not None, path


@pytest.mark.slow
def test_an_ingested_generated_corpus_takes_the_fast_path(tmp_path: Path) -> None:
    """500 papers of the benchmark corpus (bench/make_corpus.py), written by ingest as a build would read them."""
    from generator.ingest.merge import ingest

    sys.path.insert(0, str(REPO / "bench"))
    try:
        import make_corpus  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(REPO / "bench"))
    records = list(make_corpus.generate(500, 42, make_corpus.DEFAULT_SEED_FILE))
    make_corpus.write_hf_api(records, str(tmp_path))
    report = ingest(sorted((tmp_path / "content" / "listings").glob("*.json")), tmp_path / "papers")
    assert report.problems == ()
    files = sorted((tmp_path / "papers").glob("*.md"))
    assert len(files) == 500
    for path in files:
        assert check(front_of(path.read_text(encoding="utf-8"))) is not None, path
