"""Themes: a child theme overrides a block and reaches its parent as "default/base.html"; static files copy
parent first, child over it; a site-level templates/ folder wins over both. Plus the default theme's page
budget and head tags on the built seed site."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from generator.build import build

ROOT = Path(__file__).resolve().parent.parent
MEMOS = "memos-a-memory-os-for-ai-system"


def _project(tmp_path: Path, theme: str = "default", papers: int | None = 3) -> Path:
    root = tmp_path / "project"
    (root / "content" / "papers").mkdir(parents=True)
    toml = (ROOT / "site.toml").read_text().replace('theme = "default"', f'theme = "{theme}"')
    (root / "site.toml").write_text(toml)
    shutil.copytree(ROOT / "themes", root / "themes")
    files = sorted((ROOT / "content" / "papers").glob("*.md"))
    chosen = [f for f in files if f.stem.startswith("memos-")] + files[: papers or len(files)]
    for file in chosen if papers else files:
        shutil.copy(file, root / "content" / "papers" / file.name)
    return root


def _build(root: Path) -> Path:
    out = root / "out"
    result = build(root, out_dir=out)
    assert result.ok, [str(p) for p in result.problems]
    return out


def test_compact_theme_overrides_header_and_footer_only(tmp_path: Path, pinned_clock: str) -> None:
    out = _build(_project(tmp_path, "compact"))
    home = (out / "index.html").read_text()
    assert 'class="site-header compact-header"' in home
    assert 'href="/papersite/static/compact.css"' in home
    assert 'id="header-q"' not in home  # the compact header has no search form
    assert "Built with papersite" not in home  # footer block replaced
    assert 'class="card"' in home  # the rest is the default theme's
    paper = (out / "papers" / MEMOS / "index.html").read_text()
    assert "compact-header" in paper and 'class="related"' in paper
    assert (out / "static" / "compact.css").is_file() and (out / "static" / "style.css").is_file()


def test_child_static_files_win_and_parent_is_reachable(tmp_path: Path, pinned_clock: str) -> None:
    root = _project(tmp_path, "mine")
    child = root / "themes" / "mine"
    (child / "templates").mkdir(parents=True)
    (child / "static").mkdir()
    (child / "theme.toml").write_text('extends = "default"\n')
    (child / "static" / "style.css").write_text("/* mine */\n")
    (child / "templates" / "base.html").write_text(
        '{% extends "default/base.html" %}{% block footer %}<p>mine footer</p>{% endblock %}'
    )
    out = _build(root)
    assert (out / "static" / "style.css").read_text() == "/* mine */\n"
    assert (out / "static" / "favicon.svg").read_bytes() == (ROOT / "themes/default/static/favicon.svg").read_bytes()
    home = (out / "index.html").read_text()
    assert "<p>mine footer</p>" in home and 'id="header-q"' in home


def test_site_templates_folder_overrides_the_theme(tmp_path: Path, pinned_clock: str) -> None:
    root = _project(tmp_path)
    (root / "templates" / "partials").mkdir(parents=True)
    (root / "templates" / "partials" / "paper_card.html").write_text('<p class="my-card">{{ paper.title | tex }}</p>\n')
    out = _build(root)
    home = (out / "index.html").read_text()
    assert 'class="my-card"' in home and 'class="card"' not in home


@pytest.fixture(scope="module")
def seed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", "1770422400")
    try:
        return _build(_project(tmp_path_factory.mktemp("seed"), papers=None))
    finally:
        mp.undo()


def test_paper_page_and_css_within_budget(seed_site: Path) -> None:
    css = sum(f.stat().st_size for f in (seed_site / "static").glob("*.css"))
    biggest = max((seed_site / "papers").glob("*/index.html"), key=lambda p: p.stat().st_size)
    assert biggest.stat().st_size + css < 40 * 1024, (biggest, biggest.stat().st_size, css)


def test_head_tags_on_paper_page(seed_site: Path) -> None:
    page = (seed_site / "papers" / MEMOS / "index.html").read_text()
    url = f"https://papersite.github.io/papersite/papers/{MEMOS}/"
    assert f'<link rel="canonical" href="{url}">' in page
    assert f'<meta property="og:url" content="{url}">' in page
    assert '<meta property="og:type" content="article">' in page
    assert '<meta name="twitter:card" content="summary">' in page
    assert "<title>MemOS: A Memory OS for AI System · Memory Papers</title>" in page
    (data,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    article = json.loads(data)
    assert article["@type"] == "ScholarlyArticle" and article["url"] == url
    # no JavaScript but the reader's desk and the stale-site banner, external modules from this site (the CSP
    # forbids inline script)
    scripts = re.findall(r"<script[^>]*>", page.replace('<script type="application/ld+json">', ""))
    desk = "/papersite/static/desk/"
    assert scripts == [
        f'<script type="module" src="{desk}desk.js">',
        f'<script type="module" src="{desk}visits.js">',
        '<script type="module" src="/papersite/static/status.js">',
    ]
    related = page.split('class="related"')[1]
    assert "memos-an-operating-system-for-memory-augmented-generation" in related.split("</li>")[0]
    assert 'rel="prev"' in page or 'rel="next"' in page


def test_every_page_has_head_tags(seed_site: Path) -> None:
    for page in seed_site.rglob("*.html"):
        text = page.read_text()
        if "noindex" in text:
            continue
        for tag in ('<link rel="canonical"', '<meta name="description"', 'property="og:title"', 'rel="icon"'):
            assert tag in text, (page, tag)


def test_json_ld_cannot_close_its_script_element() -> None:
    from generator.render.filters import json_ld

    text = str(json_ld({"headline": "</script><script>alert(1)</script> & <!--"}))
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"headline": "</script><script>alert(1)</script> & <!--"}


def test_date_filter_styles() -> None:
    from datetime import date

    from generator.render.filters import format_date

    day = date(2026, 2, 6)
    assert format_date(day) == format_date(day, "iso") == "2026-02-06"
    assert format_date(day, "short") == "Feb 6, 2026"
    assert format_date(day, "long") == "February 6, 2026"
    assert format_date(day, "month") == "Feb 2026"
    assert format_date(day, "%d/%m/%Y") == "06/02/2026"  # not a style: a strftime pattern, as before styles


def test_site_templates_that_unpack_or_index_the_records_still_work(tmp_path: Path, pinned_clock: str) -> None:
    """Records passed to templates are named tuples: templates written when they were plain tuples still work."""
    root = _project(tmp_path)
    (root / "templates").mkdir()
    templates = {
        "archive.html": "{% for y, m, name, month_path, count in months %}"
        "<p class=m>{{ name }}|{{ href(month_path) }}|{{ count }}</p>{% endfor %}",
        "archive_month.html": "<p class=m>{{ month[2] }}|{{ month[3] }}|{{ month.name }}</p>",
        "paper.html": "<article data-pagefind-body><h1>{{ paper.title }}</h1>"
        "{% for label, url in source_links(paper) %}<p class=s>{{ label }}</p>{% endfor %}"
        "{% for kind, label, url in paper_links(paper) %}<p class=k>{{ kind }}</p>{% endfor %}</article>",
    }
    for name, content in templates.items():
        (root / "templates" / name).write_text(
            f'{{% extends "default/{name}" %}}{{% block content %}}{content}{{% endblock %}}\n'
        )
    out = _build(root)
    index = re.findall(r"<p class=m>([^<]*)</p>", (out / "archive" / "index.html").read_text())
    assert index and all(re.fullmatch(r"\w+ \d{4}\|/papersite/archive/\d{4}/\d\d/\|\d+", row) for row in index)
    first = next((out / "archive").glob("*/*/index.html")).read_text()
    name, path, same = re.findall(r"<p class=m>([^<]*)</p>", first)[0].split("|")
    assert name == same and re.fullmatch(r"archive/\d{4}/\d\d/", path)
    paper = (out / "papers" / "a-mem-agentic-memory-for-llm-agents" / "index.html").read_text()
    assert "<p class=s>Search arXiv</p>" in paper and "<p class=k>abstract</p>" in paper  # a URL in its abstract
