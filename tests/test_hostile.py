"""Hostile input end to end: every Big List of Naughty Strings entry goes in as a title, an abstract, an author,
an organization, a link, and a topic name and keyword in ``site.toml``; ingest and build must succeed, and the
built site is checked by parsing it (never by grepping):

- the only ``<script>`` elements are the theme's own (``src`` inside the site, or inline text the theme ships);
- no element has an ``on*`` attribute, no ``href``/``src``/``action``/``formaction`` is a ``javascript:`` URL,
  and no ``iframe``/``object``/``embed``/``base`` element appears;
- the HTML that feeds carry (Atom ``content``, RSS ``description``, JSON Feed ``content_html``) obeys the same rules;
- every XML file (feeds, sitemap, OPML, SVG) is well formed, every JSON file parses.

All strings go through one ingest and one build (a few listing files), so this stays fast.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup, Tag
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from lxml import etree

from generator.content.document import DocumentError, dump_document, keep_comments, read_document
from generator.ingest.listings import read_listing

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
NAUGHTY: list[str] = json.loads((FIXTURES / "blns.json").read_text(encoding="utf-8"))
BASE_URL = "https://example.org/hostile/"
URL_ATTRS = ("href", "src", "action", "formaction", "xlink:href", "poster", "data", "cite", "background")
FORBIDDEN_TAGS = ("iframe", "object", "embed", "base", "frame", "frameset", "applet")
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:text/html", "data:application/xhtml")
# XML 1.0 cannot carry these at all, so an Atom listing drops them (the other formats keep them).
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def toml_string(value: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    out = []
    for ch in value:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def arxiv_of(index: int, block: int) -> str:
    return f"24{block:02d}.{index:05d}"


def hf_json_listing(block: int) -> str:
    """An HF daily-papers API array: one item per naughty string, in every text field."""
    items = []
    for index, text in enumerate(NAUGHTY):
        items.append(
            {
                "paper": {
                    "id": arxiv_of(index, block),
                    "title": text or "(empty title)",
                    "summary": f"{text}\n\n{text}",
                    "authors": [{"name": text or "(empty)"}, {"name": f"A. {text}"}],
                    "organization": {"fullname": text or "(empty)", "name": text},
                    "publishedAt": "2026-02-01T00:00:00.000Z",
                    "upvotes": index,
                    "githubRepo": text,
                    "projectPage": "javascript:alert(document.domain)//" + text,
                    "ai_keywords": [text, "javascript:alert(1)"],
                },
                "publishedAt": "2026-02-06T08:00:00.000Z",
                "title": text,
                "numComments": index % 7,
                "organization": {"fullname": f"<script>alert({index})</script>"},
            }
        )
    return json.dumps(items, ensure_ascii=False, indent=1)


def hf_html_listing(block: int) -> str:
    """An HF daily page whose embedded JSON (HTML-escaped in ``data-props``) carries every string."""
    props = {"dateString": "2026-02-05", "dailyPapers": json.loads(hf_json_listing(block))}
    escaped = html.escape(json.dumps(props, ensure_ascii=False), quote=True)
    return (
        "<!doctype html><html><head><title>Daily Papers</title></head><body>\n"
        f'<div data-target="DailyPapers" data-props="{escaped}"></div>\n</body></html>\n'
    )


def atom_listing(block: int) -> str:
    """An arXiv API feed with every string that XML can carry as title, summary and author."""
    rows = []
    for index, text in enumerate(NAUGHTY):
        clean = html.escape(XML_ILLEGAL.sub("", text), quote=True)
        rows.append(
            f"<entry><id>http://arxiv.org/abs/{arxiv_of(index, block)}v1</id>"
            f"<published>2026-01-30T00:00:00Z</published><title>{clean or 'empty'}</title>"
            f"<summary>{clean}</summary><author><name>{clean}</name></author>"
            f'<link title="pdf" href="javascript:alert({index})"/>'
            f"<arxiv:comment>{clean} https://github.com/{clean}</arxiv:comment></entry>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">\n'
        "<title>arXiv Query</title>\n" + "\n".join(rows) + "\n</feed>\n"
    )


def text_listing() -> str:
    """A plain-text HF page: every string as a card title and abstract. Its cards have no arXiv id, so they
    merge by title into the JSON listing's papers, which is newer and so sets the final titles."""
    cards = []
    for index, text in enumerate(NAUGHTY):
        title = " ".join(text.split()) or f"blank {index}"
        cards.append(f"{title}\n\n{text} (abstract {index}).\n\n  • 3 authors\n·\nFeb 1, 2026 {index}\n")
    return "Daily Papers\n\nFeb 1\n\n" + "\n".join(cards)


def site_toml() -> str:
    """The real site.toml plus one topic per chunk of naughty strings, as name, description and keywords."""
    text = (REPO / "site.toml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^base_url = .*$", f"base_url = {toml_string(BASE_URL)}", text)
    text = re.sub(r"(?m)^freshness_days = .*$", "freshness_days = 100000", text)
    chunks = [NAUGHTY[i : i + 40] for i in range(0, len(NAUGHTY), 40)]
    for number, chunk in enumerate(chunks):
        keywords = ", ".join(toml_string(s) for s in chunk)
        text += (
            f'\n[[topics]]\nslug = "naughty-{number}"\nname = {toml_string(chunk[number % len(chunk)])}\n'
            f"description = {toml_string(' '.join(chunk[:3]))}\ninclude = [{keywords}]\n"
            f"exclude = [{toml_string(chunk[-1])}]\n"
        )
    return text


def run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1770595200", "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """A project fed every naughty string, ingested and built once. Returns (root, ingest stderr, build stderr)."""
    root = tmp_path_factory.mktemp("hostile")
    shutil.copytree(REPO / "themes", root / "themes")
    (root / "site.toml").write_text(site_toml(), encoding="utf-8")
    listings = root / "content" / "listings"
    listings.mkdir(parents=True)
    (listings / "hf-daily-2026-02-06.json").write_text(hf_json_listing(10), encoding="utf-8")
    (listings / "hf-daily-2026-02-05.html").write_text(hf_html_listing(10), encoding="utf-8")
    (listings / "arxiv-2026-02-04.xml").write_text(atom_listing(10), encoding="utf-8")
    (listings / "hf-papers-2026-02-01.txt").write_text(text_listing(), encoding="utf-8")
    ingest = run(root, "ingest")
    assert ingest.returncode == 0, ingest.stderr[-3000:]
    build = run(root, "build")
    assert build.returncode == 0, build.stderr[-3000:]
    return root, ingest.stderr, build.stderr


@pytest.mark.slow
def test_no_traceback(hostile: tuple[Path, str, str]) -> None:
    _root, ingest, build = hostile
    assert "Traceback" not in ingest
    assert "Traceback" not in build


@pytest.mark.slow
def test_every_string_round_trips_through_content_files(hostile: tuple[Path, str, str]) -> None:
    """Titles, authors and organizations from the JSON listing come back from the content files unchanged."""
    root = hostile[0]
    metas = {}
    for path in (root / "content" / "papers").glob("*.md"):
        text = path.read_text(encoding="utf-8")
        front = text.split("\n---\n", 1)[0].removeprefix("---\n")
        meta = yaml.safe_load(front)
        metas[meta.get("arxiv")] = meta
    collapse = re.compile(r"[ \t\r\n]+")
    for index, text in enumerate(NAUGHTY):
        expected = collapse.sub(" ", text).strip(" ")
        if expected:
            meta = metas[arxiv_of(index, 10)]
            assert meta["title"] == expected
            assert expected in meta["authors"]
            if text.strip():
                assert meta["organization"] == text.strip()


def load_theme_scripts() -> str:
    """Everything the theme ships, as text: inline scripts in the output must come from here."""
    parts = []
    for path in sorted((REPO / "themes").rglob("*")):
        if path.is_file() and path.suffix in (".html", ".js", ".txt", ".xml"):
            parts.append(path.read_text(encoding="utf-8"))
    return "\n".join(parts)


def check_html(markup: str, where: str, site: Path | None, page: Path | None, theme: str) -> list[str]:
    """Problems in one HTML document (``site``/``page`` None for HTML embedded in a feed)."""
    problems = []
    soup = BeautifulSoup(markup, "html.parser")
    for element in soup.find_all(True):
        assert isinstance(element, Tag)
        name = element.name.lower()
        for attr, value in element.attrs.items():
            if attr.lower().startswith("on"):
                problems.append(f"{where}: <{name}> has event handler {attr}={value!r}")
            if attr.lower() in URL_ATTRS:
                values = value if isinstance(value, list) else [value]
                for raw in values:
                    squashed = re.sub(r"[\x00-\x20]+", "", html.unescape(str(raw))).lower()
                    if squashed.startswith(DANGEROUS_SCHEMES):
                        problems.append(f"{where}: <{name} {attr}={raw!r}>")
        if name in FORBIDDEN_TAGS:
            problems.append(f"{where}: <{name}> element")
        if name == "script":
            src = element.get("src")
            if src is None:
                body = element.get_text().strip()
                if element.get("type") == "application/ld+json":  # data, not script: must be JSON with no "<"
                    try:
                        json.loads(body)
                    except ValueError:
                        problems.append(f"{where}: JSON-LD is not JSON: {body[:80]!r}")
                    if "<" in body:
                        problems.append(f"{where}: JSON-LD holds a raw '<': {body[:80]!r}")
                elif body and body not in theme:
                    problems.append(f"{where}: inline <script> not from the theme: {body[:80]!r}")
            elif site is None or page is None:
                problems.append(f"{where}: <script src={src!r}> inside feed content")
            else:
                problems += check_script_src(str(src), where, site, page)
    return problems


def check_script_src(src: str, where: str, site: Path, page: Path) -> list[str]:
    """A script ``src`` must name a file of the built site (relative, root-relative or under base_url)."""
    src = src.split("?", 1)[0].split("#", 1)[0]
    if src.startswith(BASE_URL):
        target = site / src[len(BASE_URL) :]
    elif src.startswith("/"):
        base_path = "/" + BASE_URL.split("/", 3)[3]
        if not src.startswith(base_path):
            return [f"{where}: <script src={src!r}> outside the site"]
        target = site / src[len(base_path) :]
    elif re.match(r"^[a-z][a-z0-9+.-]*:|^//", src, re.I):
        return [f"{where}: <script src={src!r}> from another origin"]
    else:
        target = page.parent / src
    target = Path(os.path.normpath(target))
    if not target.is_relative_to(site) or not target.is_file():
        return [f"{where}: <script src={src!r}> is not a file of the site"]
    return []


@pytest.mark.slow
def test_html_runs_no_input_script(hostile: tuple[Path, str, str]) -> None:
    site = hostile[0] / "site"
    theme = load_theme_scripts()
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > len(NAUGHTY), "the naughty papers should each have a page"
    problems: list[str] = []
    for page in pages:
        where = str(page.relative_to(site))
        problems += check_html(page.read_text(encoding="utf-8"), where, site, page, theme)
    assert not problems, "\n".join(problems[:40])


@pytest.mark.slow
def test_xml_is_well_formed_and_feed_html_is_inert(hostile: tuple[Path, str, str]) -> None:
    site = hostile[0] / "site"
    files = sorted(p for p in site.rglob("*") if p.suffix in (".xml", ".opml", ".svg"))
    assert any(p.name == "sitemap.xml" for p in files)
    problems: list[str] = []
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=False, huge_tree=True)
    for path in files:
        where = str(path.relative_to(site))
        try:
            tree = etree.fromstring(path.read_bytes(), parser)
        except etree.XMLSyntaxError as exc:
            problems.append(f"{where}: not well formed: {exc}")
            continue
        for node in tree.iter():
            tag = node.tag if isinstance(node.tag, str) else ""
            local = tag.rsplit("}", 1)[-1]
            embedded = (local == "content" and node.get("type") == "html") or local == "description"
            if embedded and node.text:
                problems += check_html(node.text, f"{where} <{local}>", None, None, "")
    assert not problems, "\n".join(problems[:40])


@pytest.mark.slow
def test_json_parses_and_feed_html_is_inert(hostile: tuple[Path, str, str]) -> None:
    site = hostile[0] / "site"
    files = sorted(site.rglob("*.json"))
    assert files, "the build writes JSON feeds"
    problems: list[str] = []
    for path in files:
        where = str(path.relative_to(site))
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            problems.append(f"{where}: invalid JSON: {exc}")
            continue
        for item in data.get("items", []) if isinstance(data, dict) else []:
            if isinstance(item, dict) and isinstance(item.get("content_html"), str):
                problems += check_html(item["content_html"], f"{where} {item.get('id')}", None, None, "")
            url = str(item.get("url", "")) if isinstance(item, dict) else ""
            if url.lower().lstrip().startswith(DANGEROUS_SCHEMES):
                problems.append(f"{where}: item url {url!r}")
    assert not problems, "\n".join(problems[:40])


def test_checker_catches_what_it_should() -> None:
    """The checks above are only worth something if they fire on the attacks they look for."""
    bad = (
        '<p onclick="x()">a</p><a href=" jav&#x09;ascript:alert(1)">b</a><script>evil()</script>'
        '<script src="https://evil.example/x.js"></script><iframe src="x"></iframe><form action="javascript:x">'
    )
    found = check_html(bad, "t", Path("/nonexistent"), Path("/nonexistent/index.html"), "")
    assert len(found) == 6, found


# Properties: hostile text through the ingest-level reading path and the comment-keeping rewrite ------------------

NAUGHTY_TEXT = st.sampled_from(NAUGHTY) | st.text()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=2000) | NAUGHTY_TEXT.map(lambda s: s.encode("utf-8", "surrogatepass")))
def test_read_listing_never_raises(tmp_path: Path, data: bytes) -> None:
    """Whatever bytes a listing file holds, ``read_listing`` (decode, sniff, parse) returns problems, never raises."""
    path = tmp_path / "hf-daily-2026-02-06.txt"
    path.write_bytes(data)
    listing = read_listing(path)
    assert all(p.severity in ("error", "warning") for p in listing.problems)


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(st.sampled_from(["title", "notes", "abstract_note", "x-y"]), NAUGHTY_TEXT, min_size=1),
    st.lists(NAUGHTY_TEXT.map(lambda s: "# " + " ".join(s.split())), min_size=1, max_size=4),
)
def test_kept_comments_never_change_the_data(meta: dict[str, str], comments: list[str]) -> None:
    """Comments put back by ``keep_comments`` stay comments: the rewritten file reads back to the same data."""
    keys = list(meta)
    old_front = "".join(f"{comments[i % len(comments)]}\n{key}: x\n" for i, key in enumerate(keys))
    old = f"---\n{old_front}---\n\nBody\n"
    try:
        read_document(old)
    except DocumentError:
        assume(False)  # ingest never rewrites a file it cannot read
    new = dump_document(meta, "Body")
    kept = keep_comments(old, new)
    assert read_document(kept)[:2] == read_document(new)[:2]
    for comment in comments[: len(keys)]:
        assert comment.strip() in kept
