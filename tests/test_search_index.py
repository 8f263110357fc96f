"""The search index step (generator/search.py) on the repository's real content, without a browser: what is
indexed, with which filters, sort keys and metadata, and that the output is byte-identical build to build."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.build import BuildResult, build
from generator.search import _cbor_decode, _cbor_encode, read_data

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
    assert sorted(meta[5]) == ["date", "summary", "title"]


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
