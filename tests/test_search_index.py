"""The search index step (generator/search/pagefind.py) on the repository's real content, without a browser: what is
indexed, with which filters, sort keys and metadata, and that the output is byte-identical build to build. Then the
sharded index of a large site (generator/search/shards.py) on a scratch site of three years with the limits lowered
through ``PAPERSITE_SEARCH_SHARDS``: layout, manifest, completeness, only changed shards indexed again, and
byte-identical output."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest

from generator.build import BuildResult, build
from generator.content.document import dump_document
from generator.model import Paper
from generator.render.filters import UNSEARCHABLE_DIGITS, unsearchable
from generator.search.pagefind import DATA, _cbor_decode, _cbor_encode, page_glob, read_data, read_fragment
from generator.search.plan import plan_shards
from generator.search.shards import MANIFEST, indexed_part
from generator.search.words import WORDS_DIR

ROOT = Path(__file__).resolve().parent.parent
PAPERS = sorted((ROOT / "content" / "papers").glob("*.md"))
BASE_URL = "https://example.org/sub/path/"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, BuildResult]]:
    out = tmp_path_factory.mktemp("search") / "site"
    result = build(ROOT, base_url=BASE_URL, out_dir=out)
    assert result.ok, [str(p) for p in result.problems]
    yield out, result


def test_index_exists_and_holds_one_page_per_paper(built: tuple[Path, BuildResult]) -> None:
    out, result = built
    bundle = out / "pagefind"
    for name in ("pagefind.js", "pagefind-worker.js", "pagefind-entry.json", "wasm.en.pagefind"):
        assert (bundle / name).is_file(), name
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert list(entry["languages"]) == ["en"]
    assert entry["languages"]["en"]["page_count"] == len(PAPERS)
    assert result.search is not None
    assert result.search.pages == len(PAPERS)
    assert result.search.files == sum(1 for f in bundle.rglob("*") if f.is_file())
    assert result.search.bytes == sum(f.stat().st_size for f in bundle.rglob("*") if f.is_file())
    assert str(result.search).startswith(f"indexed {len(PAPERS)} pages for search: ")


def test_only_paper_pages_carry_the_index_body(built: tuple[Path, BuildResult]) -> None:
    out, _ = built
    marked = sorted(p.parent.name for p in out.rglob("*.html") if "data-pagefind-body" in p.read_text("utf-8"))
    assert marked == sorted(p.stem for p in PAPERS)
    assert all(p.parent.parent.name == "papers" for p in out.rglob("*.html") if "data-pagefind-body" in p.read_text())


def test_filters_sort_keys_and_metadata(built: tuple[Path, BuildResult]) -> None:
    out, _ = built
    bundle = out / "pagefind"
    filters = dict(read_data(f) for f in (bundle / "filter").glob("*.pf_filter"))
    assert {"topic", "year"} <= set(filters)
    topics = {value for value, _pages in filters["topic"]}
    assert {"Agents", "Long context", "3D and graphics"} <= topics
    assert all(re.fullmatch(r"\d{4}", year) for year, _pages in filters["year"])
    (meta_file,) = bundle.glob("pagefind.*.pf_meta")
    meta = read_data(meta_file)
    sorts = {name: pages for name, pages in meta[4]}
    assert set(sorts) == {"date", "upvotes", "comments"}
    assert all(len(pages) == len(PAPERS) for pages in sorts.values())  # every paper in every sort
    assert sorted(meta[5]) == ["card", "date", "summary", "title"]


def test_paper_page_fields(built: tuple[Path, BuildResult]) -> None:
    out, _ = built
    html = (out / "papers" / "ges-generalized-exponential-splatting-for-efficient-radiance-field-rendering").joinpath(
        "index.html"
    )
    text = html.read_text(encoding="utf-8")
    assert re.search(r'data-pagefind-sort="date\[content\]" content="\d{4}-\d\d-\d\d"', text)
    assert re.search(r'data-pagefind-sort="upvotes\[content\]" content="\d+"', text)
    assert re.search(r'data-pagefind-sort="comments\[content\]" content="\d+"', text)
    assert 'data-pagefind-filter="topic">3D and graphics<' in text
    assert 'data-pagefind-meta="title"' in text


def test_paper_page_carries_its_card_from_the_list_pages(built: tuple[Path, BuildResult]) -> None:
    """The card metadata search results show is the paper's card, spelt so that Pagefind finds no word in it."""
    out, _ = built
    slug = "ges-generalized-exponential-splatting-for-efficient-radiance-field-rendering"
    tags = _start_tags((out / "papers" / slug / "index.html").read_text("utf-8"))
    (spelt,) = [dict(attrs)["content"] for tag, attrs in tags if tag == "meta" and ("name", "pagefind:card") in attrs]
    assert spelt and set(spelt) <= set(UNSEARCHABLE_DIGITS)
    card = _readable(spelt)
    assert card.startswith('<article class="card" data-slug="') and card.endswith("</article>")
    assert f'href="/sub/path/papers/{slug}/"' in card
    assert card in (out / "topics" / "3d-graphics" / "index.html").read_text("utf-8")


@pytest.mark.parametrize(
    "text", ["", "a", '<p class="x">Zoë & 李雷 ▲ 42 \n\t"quoted" \'too\' &lt;</p>', "\x00\x7f\U0001f600"]
)
def test_unsearchable_holds_no_word_and_reads_back(text: str) -> None:
    spelt = unsearchable(text)
    assert not any(c.isalnum() or c.isspace() or c in "&<>\"'" for c in spelt)
    assert _readable(spelt) == text


def _readable(spelt: str) -> str:
    """What ``static/search.js`` reads back from a card spelt by ``unsearchable``."""
    return bytes.fromhex(spelt.translate(str.maketrans(UNSEARCHABLE_DIGITS, "0123456789abcdef"))).decode("utf-8")


def _start_tags(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Every start tag of ``html`` with its attributes (values unescaped), as a browser's parser reads them."""
    tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            tags.append((tag, attrs))

    parser = Parser()
    parser.feed(html)
    parser.close()
    return tags


def test_search_page_points_at_the_bundle_under_the_base_path(built: tuple[Path, BuildResult]) -> None:
    out, _ = built
    text = (out / "search" / "index.html").read_text(encoding="utf-8")
    assert 'data-bundle="/sub/path/pagefind/"' in text
    assert 'data-base="/sub/path/"' in text
    assert '<script type="module" src="/sub/path/static/search.js"></script>' in text
    assert "<noscript>" in text
    assert (out / "static" / "search.js").is_file()


def test_every_page_has_a_strict_csp_and_no_inline_script(built: tuple[Path, BuildResult]) -> None:
    out, _ = built
    for page in out.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        csp = re.findall(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', text)
        assert len(csp) == 1, page
        assert "script-src 'self' 'wasm-unsafe-eval';" in csp[0]
        assert "'unsafe-inline'" not in csp[0]
        # JSON-LD (type=application/ld+json) is data the browser never runs; any other inline script fails.
        assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/ld\+json\")[^>]*>", text), page
        assert " style=" not in text, page


def test_external_links_carry_noopener(built: tuple[Path, BuildResult]) -> None:
    out, _ = built
    bad = []
    for page in out.rglob("*.html"):
        for tag in re.findall(r"<a\b[^>]*>", page.read_text(encoding="utf-8")):
            href = re.search(r'href="([^"]*)"', tag)
            external = href and re.match(r"https?://", href.group(1)) and not href.group(1).startswith(BASE_URL)
            if external and not re.search(r'rel="[^"]*\bnoopener\b', tag):
                bad.append(f"{page.relative_to(out)}: {tag}")
    assert not bad, "\n".join(bad[:20])


@pytest.mark.slow
def test_index_is_byte_identical_build_to_build(built: tuple[Path, BuildResult], tmp_path: Path) -> None:
    out, _ = built
    again = tmp_path / "site"
    assert build(ROOT, base_url=BASE_URL, out_dir=again).ok
    first = {p.relative_to(out): p.read_bytes() for p in (out / "pagefind").rglob("*") if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in (again / "pagefind").rglob("*") if p.is_file()}
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []


@pytest.mark.parametrize(
    "value", [0, 23, 24, 255, 256, 65535, 65536, 2**32, "", "é" * 30, b"\x00\xff", [], [["topic", [[1, 2]]]]]
)
def test_cbor_round_trip(value: object) -> None:
    data = _cbor_encode(value)
    assert _cbor_decode(data, 0) == (value, len(data))


# A large site, in miniature: 24 papers over three years; sharding past 12 papers, a year split past 10.

SHARDED = "12,10"
"""``PAPERSITE_SEARCH_SHARDS`` for these tests."""

SHARD_SITE = """\
base_url = "https://example.org/"
title = "Shards"
description = "A scratch site with a sharded search index."
theme = "default"
per_page = 10
freshness_days = 36500

[[topics]]
slug = "memory"
name = "Memory"
include = ["memory"]
"""

DAYS = (
    [date(2023, month, 10) for month in (2, 5, 8, 11)]  # 2023: 4 papers, one shard
    + [
        date(2024, month, 3) for month in range(1, 13)
    ]  # 2024: 12 papers, split from the newest back: March-December, the rest
    + [date(2025, month, 20) for month in range(1, 9)]  # 2025: 8 papers, the newest shard
)


def write_shard_paper(root: Path, number: int, extra: str = "") -> None:
    day = DAYS[number]
    meta = {
        "title": f"Paper {number} about memory",
        "slug": f"paper-{number:02d}",
        "arxiv": f"{day:%y%m}.{number:05d}",
        "published": day,
        "listed": day,
        "upvotes": number,
    }
    body = f"Zebra memory study number {number} from {day.year}. {extra}".strip()
    (root / "content" / "papers" / f"paper-{number:02d}.md").write_text(dump_document(meta, body), encoding="utf-8")


def shard_project(root: Path) -> Path:
    (root / "content" / "papers").mkdir(parents=True)
    (root / "themes").symlink_to(ROOT / "themes", target_is_directory=True)
    (root / "site.toml").write_text(SHARD_SITE, encoding="utf-8")
    for number in range(len(DAYS)):
        write_shard_paper(root, number)
    return root


def shard_folders(site: Path) -> list[str]:
    return sorted(p.name for p in site.iterdir() if p.name.startswith("pagefind") and p.name != WORDS_DIR)


def fragment_urls(folder: Path) -> list[str]:
    return [read_fragment(f)["url"] for f in sorted(folder.glob("fragment/*"))]


def index_tree(site: Path) -> dict[str, bytes]:
    return {
        p.relative_to(site).as_posix(): p.read_bytes()
        for name in [*shard_folders(site), WORDS_DIR]
        for p in sorted((site / name).rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def sharding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERSITE_SEARCH_SHARDS", SHARDED)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1770422400")


def test_plan_keeps_a_small_site_in_one_index() -> None:
    papers = [Paper(f"p{i}", f"P {i}", "", f"p{i}.md", published=date(2020 + i, 1, 1)) for i in range(5)]
    (shard,) = plan_shards(papers, above=5)
    assert (shard.name, shard.folder, len(shard.pages)) == ("all", "pagefind", 5)


def test_plan_splits_by_year_then_by_runs_of_months_newest_first() -> None:
    days = [date(2023, 3, 1)] * 3 + [date(2024, m, 1) for m in (1, 1, 2, 3, 3, 3, 7)] + [date(2025, 1, 1)]
    papers = [Paper(f"p{i}", f"P {i}", "", f"p{i}.md", published=day) for i, day in enumerate(days)]
    papers.append(Paper("undated", "Undated", "", "undated.md"))
    shards = plan_shards(papers, above=5, most=4)
    assert [(s.name, s.folder, len(s.pages)) for s in shards] == [
        ("2025", "pagefind", 1),
        ("2024-03", "pagefind-2024-03", 4),  # March and July: 3 + 1
        ("2024-01", "pagefind-2024-01", 3),  # January and February: 2 + 1 (March would make 6)
        ("2023", "pagefind-2023", 4),  # the undated paper joins the oldest year
    ]
    assert "papers/undated/index.html" in shards[-1].pages
    many_undated = papers + [Paper(f"u{i}", "Undated", "", f"u{i}.md") for i in range(4)]
    oldest = plan_shards(many_undated, above=5, most=4)[-2:]
    assert [(s.name, s.folder, len(s.pages)) for s in oldest] == [
        ("2023-03", "pagefind-2023-03", 3),
        ("2023-00", "pagefind-2023-00", 5),  # undated papers come first in the oldest year
    ]
    assert sorted(page for s in shards for page in s.pages) == sorted(f"papers/{p.slug}/index.html" for p in papers)


def test_plan_cuts_a_month_too_large_for_a_run_into_days_and_keeps_each_years_newest_run_small() -> None:
    def plan(days: list[date]) -> list[tuple[str, int]]:
        papers = [Paper(f"p{i}", f"P {i}", "", f"p{i}.md", published=day) for i, day in enumerate(days)]
        return [(s.name, len(s.pages)) for s in plan_shards(papers, above=5, most=6, newest=3)]

    older = [date(2024, 1, 1)] * 3 + [date(2024, 2, 1)] * 2 + [date(2024, 3, d) for d in (1, 1, 2, 3, 3)]
    newest = [date(2025, 1, d) for d in (1, 2, 2, 3, 4, 5)]
    assert plan(older + newest) == [
        ("2025-01-03", 3),  # the newest year in runs of at most 3, January cut into days, from the oldest day on
        ("2025-01-01", 3),
        ("2024-03-02", 3),  # an older year from its newest day back: its newest run at most 3 papers
        ("2024-02", 4),  # then at most 6: February and the rest of March
        ("2024-01", 3),
    ]


def test_plan_splits_the_newest_year_into_small_runs_that_change_only_at_the_end() -> None:
    def plan(days: list[date]) -> list[tuple[str, str, int]]:
        papers = [Paper(f"p{i}", f"P {i}", "", f"p{i}.md", published=day) for i, day in enumerate(days)]
        return [(s.name, s.folder, len(s.pages)) for s in plan_shards(papers, above=5, most=10, newest=4)]

    days = [date(2024, 1, 1)] * 6 + [date(2025, m, 1) for m in (1, 1, 2, 3, 3, 4)]
    assert plan(days) == [
        ("2025-03", "pagefind", 3),  # March and April: the newest run
        ("2025-01", "pagefind-2025-01", 3),  # January and February (March would make 5 > 4)
        ("2024", "pagefind-2024", 6),  # an older year: one shard up to 10 papers
    ]
    # a paper of the newest month joins the last run; the older runs stay as they are
    assert plan([*days, date(2025, 4, 9)]) == [("2025-03", "pagefind", 4), *plan(days)[1:]]
    # a new month starts a new run once the last one is full
    more = [*days, date(2025, 4, 9), date(2025, 5, 1)]
    assert plan(more) == [("2025-05", "pagefind", 1), ("2025-03", "pagefind-2025-03", 4), *plan(days)[1:]]
    # a new year: the year before is one shard again (of at most ``most`` papers)
    assert plan([*more, date(2026, 1, 1)])[:2] == [("2026", "pagefind", 1), ("2025", "pagefind-2025", 8)]


def test_indexed_part_ends_with_the_body_element() -> None:
    page = (
        b'<html><head><meta data-pagefind-filter="year[content]" content="2024"></head><body>'
        b"<article data-pagefind-body><p>A</p><article>nested</article><p>B</p></article>"
        b'<section class="related">Other papers</section></body></html>'
    )
    part = indexed_part(page)
    assert part.endswith(b"<p>B</p></article>")
    assert indexed_part(page.replace(b"Other papers", b"Different ones")) == part
    tagged_after = page.replace(b'class="related"', b'data-pagefind-filter="x"')
    assert indexed_part(tagged_after) == tagged_after  # Pagefind reads that too: the whole page counts
    no_body = page.replace(b" data-pagefind-body", b"")
    assert indexed_part(no_body) == no_body


def test_sharded_layout_manifest_and_completeness(tmp_path: Path, sharding: None) -> None:
    project = shard_project(tmp_path / "project")
    result = build(project)
    assert result.ok, [str(p) for p in result.problems]
    site = project / "site"
    assert shard_folders(site) == ["pagefind", "pagefind-2023", "pagefind-2024-01", "pagefind-2024-03"]
    manifest = json.loads((site / MANIFEST).read_text(encoding="utf-8"))
    assert manifest == {
        "shards": [
            {"name": "2025", "bundle": "pagefind/"},
            {"name": "2024-03", "bundle": "pagefind-2024-03/"},
            {"name": "2024-01", "bundle": "pagefind-2024-01/"},
            {"name": "2023", "bundle": "pagefind-2023/"},
        ],
        "words": f"{WORDS_DIR}/",
    }
    assert (site / "pagefind" / "pagefind.js").is_file() and (site / "pagefind" / "wasm.en.pagefind").is_file()
    urls: list[str] = []
    for shard in manifest["shards"]:
        folder = site / shard["bundle"]
        entry = json.loads((folder / "pagefind-entry.json").read_text(encoding="utf-8"))
        found = fragment_urls(folder)
        assert entry["languages"]["en"]["page_count"] == len(found) > 0
        years = {value for value, _ in dict(read_data(f) for f in folder.glob("filter/*.pf_filter"))["year"]}
        assert years == {shard["name"][:4]}, shard  # a shard holds one year
        if shard["bundle"] != "pagefind/":  # a merged shard uses the primary's scripts and wasm
            assert sorted(p.name for p in folder.iterdir() if p.is_file() and not p.name.endswith(".pf_meta")) == [
                "pagefind-entry.json"
            ]
        urls += found
    assert sorted(urls) == sorted(f"/papers/paper-{n:02d}/" for n in range(len(DAYS)))  # each paper exactly once
    assert result.search is not None
    assert (result.search.pages, result.search.shards, result.search.reindexed) == (len(DAYS), 4, 4)
    files = [p for name in [*shard_folders(site), WORDS_DIR] for p in (site / name).rglob("*") if p.is_file()]
    assert sorted(p.name for p in (site / WORDS_DIR).iterdir() if not p.name.endswith(".pf_meta")) == sorted(DATA)
    assert result.search.files == len(files)
    assert result.search.bytes == sum(p.stat().st_size for p in files)
    assert str(result.search).endswith("(4 shards, 4 indexed again)")


def words_pages(site: Path) -> dict[str, set[str]]:
    """Shard name -> the pieces of text of its page in the words index."""
    found: dict[str, set[str]] = {}
    for file in sorted((site / WORDS_DIR).glob("fragment/*")):
        fragment = read_fragment(file)
        found[fragment["filters"]["shard"][0]] = set(fragment["content"].split()) - {"."}
    return found


def test_the_words_index_holds_every_piece_of_text_each_shard_indexed(tmp_path: Path, sharding: None) -> None:
    project = shard_project(tmp_path / "project")
    write_shard_paper(project, 1, "Now about the hippocampus (CA1-region) & <cortex>.")  # 2023
    assert build(project).ok
    site = project / "site"
    pages = words_pages(site)
    manifest = json.loads((site / MANIFEST).read_text(encoding="utf-8"))
    assert sorted(pages) == sorted(shard["name"] for shard in manifest["shards"][1:])  # every shard but the newest
    for shard in manifest["shards"][1:]:
        indexed: set[str] = set()
        for file in (site / shard["bundle"]).glob("fragment/*"):
            fragment = read_fragment(file)
            indexed.update(fragment["content"].split())
            indexed.update(piece for value in fragment["meta"].values() for piece in value.split())
        # every piece Pagefind found a word in; the cards' metadata (no letter, no digit) holds none
        assert pages[shard["name"]] == {piece for piece in indexed if any(c.isalnum() for c in piece)}
    assert {"hippocampus", "(CA1-region)", "<cortex>."} <= pages["2023"] and "&" not in pages["2023"]
    assert not any("hippocampus" in piece for name, words in pages.items() if name != "2023" for piece in words)


@pytest.mark.slow
def test_only_shards_whose_pages_changed_are_indexed_again(tmp_path: Path, sharding: None) -> None:
    project = shard_project(tmp_path / "project")
    site = project / "site"
    assert build(project).ok
    again = build(project)
    assert again.search is not None and (again.search.reindexed, again.search.seconds) == (0, 0.0)

    def inodes() -> dict[str, int]:
        return {name: (site / name / "pagefind-entry.json").stat().st_ino for name in [*shard_folders(site), WORDS_DIR]}

    before = inodes()
    write_shard_paper(project, 1, "Now also about hippocampus.")  # 2023
    changed = build(project)
    assert changed.search is not None and changed.search.reindexed == 1
    after = inodes()
    assert [name for name in before if before[name] != after[name]] == ["pagefind-2023", WORDS_DIR]

    # a new paper in the newest year (it also changes related papers on older pages): the newest shard only
    DAYS.append(date(2025, 12, 1))
    try:
        write_shard_paper(project, len(DAYS) - 1)
        added = build(project)
    finally:
        DAYS.pop()
    assert added.search is not None and added.search.reindexed == 1
    latest = inodes()
    assert [name for name in after if after[name] != latest[name]] == ["pagefind"]  # (the words index leaves it out)
    assert "/papers/paper-24/" in fragment_urls(site / "pagefind")

    clean = tmp_path / "clean"
    assert build(project, use_cache=False, out_dir=clean).ok
    assert index_tree(clean) == index_tree(site)  # incremental = clean, byte for byte


@pytest.mark.slow
def test_a_newest_run_that_fills_up_keeps_its_index_as_an_older_shard(
    tmp_path: Path, sharding: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERSITE_SEARCH_SHARDS", "12,10,3")  # 2025 in runs of 3: Jan-Mar, Apr-Jun, Jul-Aug
    project = shard_project(tmp_path / "project")
    site = project / "site"
    assert build(project).ok
    # 2024 from the newest back: October-December (its newest run: at most 3), January-September
    older = ["pagefind-2023", "pagefind-2024-01", "pagefind-2024-10", "pagefind-2025-01", "pagefind-2025-04"]
    assert shard_folders(site) == ["pagefind", *older]
    DAYS.extend([date(2025, 9, 1), date(2025, 10, 1)])
    try:
        write_shard_paper(project, len(DAYS) - 2)  # September joins the newest run: July to September
        grown = build(project)
        assert grown.search is not None and grown.search.reindexed == 1
        write_shard_paper(project, len(DAYS) - 1)  # October starts a run; July-September is indexed already
        started = build(project)
        assert started.search is not None and started.search.reindexed == 1
        assert fragment_urls(site / "pagefind") == ["/papers/paper-25/"]
        assert len(fragment_urls(site / "pagefind-2025-07")) == 3
        merged = site / "pagefind-2025-07"  # data only, as a merged shard
        meta = [p.name for p in merged.glob("*.pf_meta")]
        assert sorted(p.name for p in merged.iterdir()) == sorted(["filter", "fragment", "index", *meta, DATA[-1]])
        clean = tmp_path / "clean"
        assert build(project, use_cache=False, out_dir=clean).ok
        assert index_tree(clean) == index_tree(site)  # incremental = clean, byte for byte
    finally:
        del DAYS[-2:]


@pytest.mark.slow
def test_sharded_index_is_byte_identical_build_to_build(tmp_path: Path, sharding: None) -> None:
    project = shard_project(tmp_path / "project")
    first, second = tmp_path / "one", tmp_path / "two"
    assert build(project, use_cache=False, out_dir=first).ok
    assert build(project, use_cache=False, out_dir=second).ok
    one, two = index_tree(first), index_tree(second)
    assert sorted(one) == sorted(two) and len(shard_folders(first)) == 4
    assert [name for name in one if one[name] != two[name]] == []


# Pagefind reads the pages from the staging folder, named in a glob, and reuses the data files left there.


def test_page_glob_escapes_glob_syntax_and_gives_up_where_it_cannot() -> None:
    pages = ["papers/a,b/index.html", "papers/{x}*?/index.html", "papers/é ü!/index.html"]
    assert page_glob(pages) == r"papers/{a\,b,\{x\}\*\?,é ü!}/index.html"
    assert page_glob(["papers/back\\slash/index.html"]) is None  # no escape matches a backslash
    assert page_glob([]) is None
    assert page_glob(["topics/x/index.html"]) is None


@pytest.mark.slow
def test_unusual_slugs_are_indexed_and_removed_papers_are_not(tmp_path: Path, sharding: None) -> None:
    project = shard_project(tmp_path / "project")
    papers = project / "content" / "papers"
    slugs = ["a,b", "{x}", "p*q[1]", "é ü", "back\\slash"]
    for number, slug in enumerate(slugs):
        day = date(2021 if "\\" in slug else 2022, 1, 1)  # the backslash alone in its shard
        meta = {"title": f"Odd {number}", "slug": slug, "published": day, "listed": day}
        (papers / f"{slug}.md").write_text(dump_document(meta, f"Quagga study {number}."), encoding="utf-8")
    site = project / "site"
    assert build(project, use_cache=False).ok
    assert build(project, use_cache=False).ok  # the staging folder now holds every page
    (papers / "paper-00.md").unlink()  # 2023; its page stays in the staging folder (the site before last)
    (papers / "a,b.md").unlink()  # 2022 (the 2021 shard, with the backslash, is read through hard links)
    assert build(project, use_cache=False).ok
    assert (project / ".site.staging" / "papers" / "paper-00" / "index.html").is_file()
    assert (project / ".site.staging" / "papers" / "a,b" / "index.html").is_file()
    assert "pagefind-2021" in shard_folders(site)
    urls = [unquote(url) for name in shard_folders(site) for url in fragment_urls(site / name)]
    expected = [f"/papers/{slug}/" for slug in slugs[1:]] + [f"/papers/paper-{n:02d}/" for n in range(1, len(DAYS))]
    assert sorted(urls) == sorted(expected)


@pytest.mark.slow
def test_a_full_build_reuses_the_index_data_of_the_site_before_last(tmp_path: Path, sharding: None) -> None:
    project = shard_project(tmp_path / "project")
    site = project / "site"
    assert build(project, use_cache=False).ok
    first = {p.name: p.stat().st_ino for p in site.glob("pagefind*/fragment/*")}  # the words index's too
    assert build(project, use_cache=False).ok
    write_shard_paper(project, 3, "Now also about hippocampus.")  # 2023
    assert build(project, use_cache=False).ok  # its staging folder was the first build's site
    now = {p.name: p.stat().st_ino for p in site.glob("pagefind*/fragment/*")}
    assert len(now) == len(DAYS) + 3  # a page per paper, and one per shard but the newest in the words index
    kept = [name for name in now if first.get(name) == now[name]]
    assert len(kept) == len(DAYS) + 3 - 2  # every fragment but the changed paper's and its shard's words
    assert not list(site.rglob(".incomplete"))
    clean = tmp_path / "clean"
    assert build(project, use_cache=False, out_dir=clean).ok
    assert index_tree(clean) == index_tree(site)  # byte for byte, with nothing left over


@pytest.mark.slow
def test_an_index_folder_a_killed_build_left_is_not_reused(tmp_path: Path) -> None:
    project = shard_project(tmp_path / "project")
    assert build(project, use_cache=False).ok
    assert build(project, use_cache=False).ok
    staged = project / ".site.staging" / "pagefind"
    for fragment in staged.glob("fragment/*"):  # as if Pagefind had been killed while writing them
        fragment.unlink()
        fragment.write_bytes(b"\x1f\x8b torn")
    (staged / ".incomplete").touch()
    assert build(project, use_cache=False).ok
    site = project / "site"
    assert len(fragment_urls(site / "pagefind")) == len(DAYS)  # every fragment reads
    clean = tmp_path / "clean"
    assert build(project, use_cache=False, out_dir=clean).ok
    assert index_tree(clean) == index_tree(site)
