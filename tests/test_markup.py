"""generator.text.markup fast paths give exactly what the straightforward paths give, and abstracts stay safe.

The oracles are the definitions the fast paths replace: a markdown-it parser with linkify-it's own (unpatched)
tests for ``render_markdown``; collapse-then-cut of the whole text for ``plain_text``; ``display_path`` of each file
for ``display_paths``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from linkify_it import LinkifyIt  # type: ignore[import-untyped]
from markdown_it import MarkdownIt

from generator.content.paths import display_path, display_paths
from generator.text import markup
from generator.text.markup import clean_text, plain_text, render_markdown
from generator.text.mathml import math_plugin

FAST = settings(max_examples=200, deadline=None)


def _oracle_parser() -> MarkdownIt:
    """The abstract parser as first written: linkify on for every text, linkify-it's own pretest and test."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False}).enable("linkify")
    assert md.linkify is not None
    md.linkify.set({"fuzzy_link": False, "fuzzy_email": False})
    md.use(math_plugin)
    md.validateLink = markup._md.validateLink  # type: ignore[method-assign]
    md.add_render_rule("link_open", markup._external_link)
    return md


_ORACLE = _oracle_parser()


def slow_render(text: str) -> str:
    return str(_ORACLE.render(clean_text(text)))


def fast_render(text: str) -> str:
    return render_markdown.__wrapped__(text)


_SPACE = re.compile(r"\s+")


def slow_plain_text(text: str, limit: int | None = None) -> str:
    """``plain_text`` without the prefix shortcut: clean and collapse the whole text, then cut."""
    text = _SPACE.sub(" ", clean_text(text)).strip()
    if limit is not None and len(text) > limit:
        cut = text[: limit - 1]
        space = cut.rfind(" ")
        text = (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:.") + "…"
    return text


def fast_plain_text(text: str, limit: int | None = None) -> str:
    return plain_text.__wrapped__(text, limit)


# --- generated abstracts -------------------------------------------------------------------------------------------

WORDS = [
    "model", "Transformer", "LLMs", "naïve", "3D", "x2", "co-op", "well-known", "(RL)", "e.g.", "i.e.,", "50%",
    "'quoted'", '"quoted"', "state-of-the-art;", "a/b", "end.", "ok:", "Q?", "{x}", "^", "|", "@user", "#tag",
    "🚀", "👩‍🔬", "🇫🇷", "中文模型", "日本語", "العربية", "עברית", "مرحبا\u200fبالعالم", "\u202eevil\u202c", "Ωmega",
    "ſtrange", "K", "İstanbul", "fi\ufb01", "a\u0301", "\u00a0", "x\u2003y", "z\u200bw",
]  # fmt: skip
SYNTAX = [
    "*", "**", "_", "__", "`", "``", "[", "]", "(", ")", "![", "<", ">", "&", "&amp;", "&#47;", "&sol;", "&#x2F;",
    "\\", "\\/", "\\*", "~", "~~~", "!", "$", "$$", "|", "-", "+", "=", "#", ":", "<b>", "</b>", "<script>",
    "<!--", "-->", "[a](b)", "[link](http://x.org)", "<http://a.b>", "`code`", "1.", "2)", "* ", "- ", "+ ", "> ",
    "# ", "---", "***", "___", "===", "    ", "\t",
]  # fmt: skip
URLS = [
    "http://example.com", "https://example.org/a_b/c?d=e&f=g#h", "HTTPS://EXAMPLE.COM/X", "https://x.y/(z)",
    "http://例え.テスト/パス", "https://xn--n3h.com", "www.example.com", "example.com", "arxiv.org/abs/2401.00001",
    "javascript:alert(1)", "javascript://%0aalert(1)", "JaVaScRiPt://x", "data:text/html,<b>x</b>",
    "vbscript:msgbox", "ftp://files.example.com/x", "//example.com/x", "mailto:a@b.co", "a@b.co",
    "file:///etc/passwd", "http:\\/\\/x.org", "http&#58;//x.org", "http\\://example.com", "https://",
    "http://localhost:8000/", "http://127.0.0.1/x", "_http://x.y", "(https://x.y/z).", "https://x.y/a*",
    "<https://x.y>", "https://x.y/\u202e", "https://x.y/🚀", "https://github.com/a/b_c.",
]  # fmt: skip
MATH = ["$x$", "$a_i * b_i$", "$$E=mc^2$$", r"$\frac{1}{2}$", r"$\mathcal{O}(n^2)$", "$x", "$ x $", r"\$5", "$$"]
CONTROL = ["\x00", "\x01", "\x07", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x85", "\x9f", "\ud800", "\udfff", "\ufffe"]
BREAKS = ["\n", "\n\n", "\n\n\n", "\r\n", "\r", "\n \n", "\n\t\n", "\u2028", "\u2029", "  \n", "\\\n", " \n"]
SPACES = [" ", " ", " ", "  ", "\t", "\u00a0", "\u3000", "\u2003"]

plain_piece = st.sampled_from(WORDS) | st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=8)
any_piece = st.one_of(
    plain_piece,
    plain_piece,
    st.sampled_from(SYNTAX),
    st.sampled_from(URLS),
    st.sampled_from(MATH),
    st.sampled_from(CONTROL),
    st.sampled_from(BREAKS),
    st.text(max_size=4),
)


@st.composite
def joined(draw: st.DrawFn, pieces: st.SearchStrategy[str], gaps: st.SearchStrategy[str]) -> str:
    parts = draw(st.lists(pieces, max_size=24))
    out: list[str] = []
    for part in parts:
        out.append(part)
        out.append(draw(gaps))
    return "".join(out[:-1])


# Paragraphs of plain words: what the plain-paragraph shortcut takes (plus a few lines it must refuse).
plain_abstracts = joined(
    plain_piece | st.sampled_from(['"', "'", ",", ".", ";", ":", "%", "(", ")", "?", "/", "@", "-", "1.", "#"]),
    st.sampled_from([" ", " ", " ", "\n", "\n\n", "\n\n\n", ", ", ". ", "  ", "\t", " \n", "\n ", "\u00a0"]),
)
abstracts = joined(any_piece, st.sampled_from(SPACES + BREAKS + [""]))
# Short strings over the characters that matter to Markdown, linkify and the shortcut, in any order.
soup = st.text(
    st.sampled_from([*"ab :/._-*`[]()<>&#;!$\\~=+>|@'\"\n\r\t1", "\u00a0", "\uff5c", "\x00", "\x85", "🚀"]),
    max_size=30,
)


@pytest.mark.slow
@FAST
@given(plain_abstracts)
@example("A plain abstract.\n\nWith two paragraphs, \"quotes\" and 'apostrophes'.")
@example('One "line"\nand another')
@example("Ends with a newline\n")
@example("\n\nLeading blank lines")
@example("50% of runs (n=3) use 12 GPUs; see Section 4: Results?")
def test_plain_paragraphs_render_as_markdown_it_does(text: str) -> None:
    assert_renders_as_markdown_it(text, links=False)


def assert_renders_as_markdown_it(text: str, *, links: bool) -> None:
    """``render_markdown``, and the paragraph shortcut (with or without links) when it takes ``text``, give what
    markdown-it gives."""
    assert fast_render(text) == slow_render(text)
    shortcut = markup._plain_paragraphs(clean_text(text), links=links)
    if shortcut is not None:
        assert shortcut == slow_render(text)


@pytest.mark.slow
@FAST
@given(abstracts)
@example("See https://github.com/a/b_c and javascript:alert(1) or <b>x</b> [y](javascript:z)")
@example("Code at http:\\/\\/x.org and http&#58;//x.org and &#104;ttp://y.org")
@example("Math $a_i * b_i$ and *emphasis* with https://x.y/a*")
def test_render_markdown_equals_markdown_it_with_linkify(text: str) -> None:
    assert fast_render(text) == slow_render(text)


@FAST
@given(soup)
def test_render_markdown_equals_markdown_it_on_syntax_soup(text: str) -> None:
    assert fast_render(text) == slow_render(text)


# Paragraphs of plain words with bare URLs among them: what the linked-paragraph shortcut takes (and near misses).
linked_abstracts = joined(
    plain_piece | st.sampled_from(URLS) | st.sampled_from(['"', ",", ".", ":", "(", ")", "/", "//", "://", "*"]),
    st.sampled_from([" ", " ", "", "\n", "\n\n", ". ", "  ", " \n", "\n ", "."]),
)


@pytest.mark.slow
@FAST
@given(linked_abstracts)
@example("Code: https://github.com/a/b_c.\nData at http://x.org/a?b=1&c=2 (see https://x.y/(z)).")
@example("xhttps://a.b and foo.https://x.com and https://x.y/a* and https:// alone")
@example("Two https://a.b/chttps://d.e links\nhttps://f.g\n\nhttp://例え.テスト/パス")
@example("https://a.b starts a line\nand ends one: https://c.d\nhttps://e.f")
def test_linked_paragraphs_render_as_markdown_it_does(text: str) -> None:
    assert_renders_as_markdown_it(text, links=True)


def test_an_abstract_with_a_link_takes_the_shortcut() -> None:
    text = "We release code at https://github.com/org/repo_name.\nSee also (https://x.org/a?b=1&c=2)."
    assert markup._plain_paragraphs(text, links=True) == slow_render(text)
    assert '<a href="https://x.org/a?b=1&amp;c=2" rel="noopener">' in slow_render(text)
    assert markup._plain_paragraphs("Not *plain* https://x.org", links=True) is None


def test_typical_abstract_takes_the_shortcut() -> None:
    text = "We propose a model.\nIt works well (92.1% on 3 benchmarks).\n\nCode is coming soon."
    assert not markup._may_link(text)
    assert markup._plain_paragraphs(text) == slow_render(text)


# --- linkify-it's pretest and test ---------------------------------------------------------------------------------


def test_linkify_tests_are_replaced() -> None:
    """Otherwise the property tests below compare linkify-it with itself (another linkify-it version?)."""
    linkify: Any = markup._md.linkify
    assert "pretest" in vars(linkify) and "test" in vars(linkify)


_PLAIN_LINKIFY = LinkifyIt().set({"fuzzy_link": False, "fuzzy_email": False})
linkify_text = joined(
    st.sampled_from(URLS) | st.sampled_from(["http:", "https:", "ftp:", "mailto:", "//", "HTTP:", "httpſ:", "ſ"]),
    st.sampled_from(["", " ", "_", "<", ">", "\uff5c", "(", "a", ".", "\u00a0", "\u3000", "\n", "«", "、", "-", "🚀"]),
)


# Schema names glued to letters, underscores, full-width bars and punctuation: where the preceding-character check
# decides.
schema_edges = st.text(st.sampled_from([*"htpsfmailo:/_a.<>\uff5c( ", "\u00a0", "ſ", "K"]), max_size=14)


@FAST
@given(schema_edges | linkify_text | soup | abstracts)
@example("")
@example("ahttp:")
@example("(http://x.y")
@example(" mailto:a@b.co")
@example("x_mailto:")
@example("_http://x.y")
@example("\uff5chttp://x.y")
@example("a@b")
def test_fast_linkify_tests_answer_as_linkify_it(text: str) -> None:
    linkify: Any = markup._md.linkify
    assert linkify.pretest(text) == _PLAIN_LINKIFY.pretest(text)
    assert linkify.test(text) == _PLAIN_LINKIFY.test(text)


# --- plain_text on a prefix ----------------------------------------------------------------------------------------


@st.composite
def long_texts(draw: st.DrawFn) -> tuple[str, int]:
    """A limit and a text around the prefix length ``2 * limit + 64``, often heavy with white space so the prefix
    collapses to about ``limit`` characters."""
    limit = draw(st.integers(min_value=-3, max_value=80))
    space = st.sampled_from([" ", "  ", "\n", "\t\t", " \x00 ", "\x85", "\u2028", "\u3000", "\x1f", "\x01"])
    word = st.sampled_from(["a", "bb", "ccc,", "d.", "🚀", "مرحبا", "x;", "$x$", "\ud800"]) | st.text(max_size=3)
    pieces = draw(st.lists(st.one_of(space, space, word), max_size=2 * max(limit, 0) + 100))
    text = "".join(pieces)
    if draw(st.booleans()):  # pad or cut to just around the boundary
        target = max(2 * limit + 64 + draw(st.integers(min_value=-3, max_value=3)), 0)
        text = (text + draw(space) * target)[:target]
    return text, limit


@FAST
@given(long_texts())
@example(("word " * 200, 10))
@example((" " * 200 + "word " * 50, 10))
@example(("x" * 85 + " " * 100 + "y", 10))
@example(("abc " * 40, 0))
@example(("abc " * 40, 1))
def test_plain_text_on_a_prefix_equals_the_whole_text(case: tuple[str, int]) -> None:
    text, limit = case
    assert fast_plain_text(text, limit) == slow_plain_text(text, limit)


@pytest.mark.slow
@FAST
@given(abstracts, st.one_of(st.none(), st.integers(min_value=1, max_value=300)))
def test_plain_text_equals_the_whole_text(text: str, limit: int | None) -> None:
    assert fast_plain_text(text, limit) == slow_plain_text(text, limit)


def test_plain_text_cache_gives_the_same_answers() -> None:
    text = "A  long\n\nabstract " * 40
    assert plain_text(text, 30) == plain_text(text, 30) == slow_plain_text(text, 30)
    assert plain_text(text) == slow_plain_text(text)
    assert render_markdown(text) == render_markdown(text) == slow_render(text)


# --- security invariants -------------------------------------------------------------------------------------------

_HREF = re.compile(r'<a href="([^"]*)"([^>]*)>')


def links(html: str) -> list[tuple[str, str]]:
    return _HREF.findall(html)


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "Hi <b onclick='x'>bold</b> <!-- c --> <![CDATA[x]]> <?php ?>",
        "<div>\nblock html\n</div>",
        "<a href='https://x.y'>x</a>",
        "<iframe src=https://x.y></iframe>",
    ],
)
def test_raw_html_is_escaped(text: str) -> None:
    html = render_markdown(text)
    assert not re.search(r"<(?!/?(p|a|em|strong|code|pre|math|br|hr|ul|ol|li|h\d|blockquote)\b)[a-z!?]", html)
    assert "&lt;" in html


@pytest.mark.parametrize(
    "text",
    [
        "javascript:alert(1)",
        "[x](javascript:alert(1))",
        "[x](JAVASCRIPT:alert(1))",
        "[x]( javascript:alert(1) )",
        "[x](jav&#x09;ascript:alert(1))",
        "<javascript:alert(1)>",
        "javascript://%0aalert(1)",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "[x](vbscript:msgbox)",
        "[x](file:///etc/passwd)",
        "ftp://files.example.com/x",
        "[x](ftp://files.example.com/x)",
        "//example.com/x",
        "[x](//example.com/x)",
        "www.example.com and example.com",
        "mailto:a@b.co and a@b.co and <a@b.co>",
        "![img](https://x.y/a.png)",
        "[x](/relative) [y](#frag)",
    ],
)
def test_only_http_links(text: str) -> None:
    html = render_markdown(text)
    assert all(href.lower().startswith(("http://", "https://")) for href, _ in links(html)), html
    assert "<img" not in html or 'src="https://' in html


@pytest.mark.parametrize(
    ("text", "href"),
    [
        ("See https://github.com/a/b_c.", "https://github.com/a/b_c"),
        ("See HTTP://EXAMPLE.COM/X", "HTTP://EXAMPLE.COM/X"),
        ("[code](https://x.y/z)", "https://x.y/z"),
        ("<http://a.b/c>", "http://a.b/c"),
        ("(https://x.y/z).", "https://x.y/z"),
    ],
)
def test_http_links_open_safely(text: str, href: str) -> None:
    assert links(render_markdown(text)) == [(href, ' rel="noopener"')]


@pytest.mark.slow
@FAST
@given(abstracts)
def test_every_link_is_http_with_noopener(text: str) -> None:
    html = render_markdown(text)
    assert html.count("<a ") == len(links(html))
    for href, rest in links(html):
        assert href.lower().startswith(("http://", "https://"))
        assert rest == ' rel="noopener"'
    assert "<script" not in html and "<img" not in html.replace('<img src="http', "")


# --- display_paths -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``root/work`` is the working directory; beside it ``outside``; symbolic links to files and folders inside
    and outside, a dangling link and a link loop."""
    root = tmp_path_factory.mktemp("paths").resolve()
    for folder in ("work/papers/sub", "outside/papers", "work/other"):
        (root / folder).mkdir(parents=True)
    for file in ("work/papers/a.md", "work/papers/sub/b.md", "outside/papers/c.md", "work/other/d.md"):
        (root / file).write_text("x")
    links_to = {
        "work/papers/link.md": "sub/b.md",
        "work/papers/out.md": "../../outside/papers/c.md",
        "work/papers/dangling.md": "missing.md",
        "work/papers/loop.md": "loop.md",
        "work/linked": "papers",
        "work/linked_out": "../outside",
        "outside/back": "../work/papers",
    }
    for link, target in links_to.items():
        (root / link).symlink_to(target)
    return root


COMPONENTS = ["papers", "sub", "other", "linked", "linked_out", "back", "outside", "work", "..", ".", "missing"]
FILES = [
    "a.md",
    "b.md",
    "c.md",
    "d.md",
    "link.md",
    "out.md",
    "dangling.md",
    "missing.md",
    "sub",
    "papers",
    "work",
    "outside",
    "..",
]


@st.composite
def paths(draw: st.DrawFn, root: Path) -> Path:
    parts = [*draw(st.lists(st.sampled_from(COMPONENTS), max_size=4)), draw(st.sampled_from(FILES))]
    base = draw(st.sampled_from(["", "", str(root), str(root / "work"), str(root / "outside"), "./"]))
    return Path(base, *parts) if base else Path(*parts)


@pytest.fixture
def in_work(tree: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tree / "work")
    yield tree


def test_display_paths_examples(in_work: Path) -> None:
    root = in_work
    examples = [
        Path("papers/a.md"),
        root / "work/papers/sub/b.md",
        Path("papers/link.md"),
        Path("papers/out.md"),
        Path("papers/dangling.md"),
        Path("linked/a.md"),
        Path("linked_out/papers/c.md"),
        root / "outside/back/a.md",
        Path("../work"),
        Path("."),
        Path("papers/.."),
        Path("../outside/papers/c.md"),
        Path("papers/sub/../a.md"),
        Path("/"),
    ]
    assert display_paths(examples) == [display_path(p) for p in examples]


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_display_paths_equals_display_path(in_work: Path, data: st.DataObject) -> None:
    batch = data.draw(st.lists(paths(in_work), max_size=8))
    assert display_paths(batch) == [display_path(p) for p in batch]


def test_display_paths_of_a_link_loop_fails_like_display_path(in_work: Path) -> None:
    loop = Path("papers/loop.md")
    with pytest.raises(RuntimeError) as slow:
        display_path(loop)
    with pytest.raises(type(slow.value)):
        display_paths([loop])


def test_display_paths_when_the_working_directory_is_root(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(os.sep)
    examples = [tree / "work/papers/a.md", Path("tmp"), tree / "work/papers/link.md", Path("/")]
    assert display_paths(examples) == [display_path(p) for p in examples]
