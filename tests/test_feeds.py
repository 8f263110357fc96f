"""Feeds: every file valid (feedparser, RELAX NG of RFC 4287, JSON Schema of JSON Feed 1.1, RSS 2.0 rules, and what
the W3C feed validator checks beyond the specs: ``check_validator_rules``), stable bytes, right order, right links,
the same text in every format, and naughty strings that still give valid feeds."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from email.utils import format_datetime, parsedate_to_datetime
from html.entities import name2codepoint
from pathlib import Path
from typing import Any

import feedparser
import jsonschema
import pytest
import rnc2rng
from lxml import etree

from generator.config import Config, TopicRule
from generator.feeds import xml as feed_xml
from generator.feeds.model import EPOCH
from generator.feeds.write import write_feeds
from generator.feeds.xml import WORD_JOINER, atom_text, html_chars, label_text, rss_text
from generator.model import Paper
from generator.site.assemble import Site, assemble

HERE = Path(__file__).parent
SCHEMAS = HERE / "schemas"
BASE = "https://user.github.io/repo/"
ATOM = "{http://www.w3.org/2005/Atom}"
NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "dc": "http://purl.org/dc/elements/1.1/",
    "content": "http://purl.org/rss/1.0/modules/content/",
}
RFC822 = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"\d{4} \d\d:\d\d:\d\d [+-]\d{4}$"
)
TOPICS = (
    TopicRule("llm", "Language Models", "Papers on LLMs.", include=("language model",)),
    TopicRule("vision", "Vision", include=("image",)),
    TopicRule("empty", "Nothing Yet", include=("zzzqqq",)),
)


# --- scratch sites -----------------------------------------------------------------------------------------


def paper(slug: str, listed: date | None = date(2024, 10, 25), **fields: Any) -> Paper:
    fields.setdefault("title", f"Paper {slug}")
    fields.setdefault("abstract", f"Abstract of {slug}.")
    return Paper(slug=slug, path=f"content/papers/{slug}.md", listed=listed, **fields)


def make_site(papers: list[Paper], base_url: str = BASE, **config: Any) -> Site:
    config = {"topics": TOPICS, "title": "Test Papers", "description": "Daily papers.", **config}
    site, _ = assemble(Config(base_url=base_url, **config), papers)
    return site


SAMPLE = [
    paper(
        "alpha",
        date(2024, 10, 25),
        published=date(2024, 10, 20),
        updated=date(2024, 10, 27),
        title="A *language model* & friends",
        abstract="We train a **language model**.\n\nSecond paragraph.",
        authors=("Ann Author", "Bo Ørsted"),
    ),
    paper(
        "beta",
        date(2024, 10, 25),
        published=date(2024, 10, 22),
        title="Image tokens",
        abstract="An image model.",
        upvotes=30,
        popular_since=date(2024, 10, 26),
    ),
    paper("gamma", date(2024, 10, 24), published=date(2024, 10, 23)),
    paper("delta", date(2024, 10, 25), published=date(2024, 10, 22)),
    paper("unlisted", None, published=date(2024, 10, 1)),
]


def feeds_of(site: Site, out: Path) -> dict[str, bytes]:
    paths = write_feeds(site, out)
    return {path: (out / path).read_bytes() for path in paths}


# --- validators --------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def atom_schema() -> etree.RelaxNG:
    rng = rnc2rng.dumps(rnc2rng.loads((SCHEMAS / "atom.rnc").read_text(encoding="utf-8")))
    # rnc2rng declares `namespace local = ""` as xmlns:local="", which XML forbids; the schema uses it only
    # through nsName ns="", so the declaration can go.
    return etree.RelaxNG(etree.fromstring(rng.replace('xmlns:local=""', "").encode()))


@pytest.fixture(scope="session")
def json_validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMAS / "jsonfeed-1.1.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def check_rss(data: bytes) -> etree._Element:
    root = etree.fromstring(data)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel is not None
    for name in ("title", "link", "description"):
        assert (channel.findtext(name) or "").strip(), f"channel has no {name}"
    dates = [channel.findtext("lastBuildDate") or ""]
    for item in channel.iter("item"):
        guid = item.find("guid")
        assert guid is not None and guid.get("isPermaLink") == "true"
        assert guid.text and guid.text.startswith("https://")
        assert item.findtext("title") and item.findtext("link")
        dates.append(item.findtext("pubDate") or "")
    for stamp in dates:
        assert RFC822.match(stamp), stamp
        parsed = parsedate_to_datetime(stamp)
        assert parsed.tzinfo is not None and format_datetime(parsed) == stamp
    return root


def check_atom(data: bytes, schema: etree.RelaxNG) -> etree._Element:
    root = etree.fromstring(data)
    assert schema.validate(root), schema.error_log
    # The two Schematron rules of RFC 4287 that RELAX NG cannot express.
    feed_author = root.find(f"{ATOM}author") is not None
    for entry in root.iter(f"{ATOM}entry"):
        assert feed_author or entry.find(f"{ATOM}author") is not None
        links = [link for link in entry.findall(f"{ATOM}link") if link.get("rel", "alternate") == "alternate"]
        assert links or entry.find(f"{ATOM}content") is not None
        for name in ("id",):
            assert (entry.findtext(f"{ATOM}{name}") or "").startswith("https://")
    assert (root.findtext(f"{ATOM}id") or "").startswith("https://")
    return root


def entry_dates(path: str, data: bytes) -> dict[str, list[str]]:
    """Each date an entry of the feed file carries, by kind, as written."""
    if path.endswith(".json"):
        items = json_items(data)
        return {kind: [item[kind] for item in items] for kind in ("date_published", "date_modified")}
    root = etree.fromstring(data)
    if path.endswith("atom.xml"):
        entries = list(root.iter(f"{ATOM}entry"))
        return {kind: [e.findtext(f"{ATOM}{kind}") or "" for e in entries] for kind in ("published", "updated")}
    return {"pubDate": [item.findtext("pubDate") or "" for item in root.iter("item")]}


def check_distinct_dates(files: dict[str, bytes]) -> None:
    """No two entries of a feed share a date (the W3C validator warns on a repeated Atom ``updated``; RSS dates
    have whole seconds, so instants must differ by a second at least), and ``updated`` is never before
    ``published``."""
    for path, data in files.items():
        if path.endswith((".xml", ".json")):
            for kind, dates in entry_dates(path, data).items():
                assert len(dates) == len(set(dates)), f"{path}: two entries share a {kind}"
        if path.endswith("atom.xml"):
            for entry in etree.fromstring(data).iter(f"{ATOM}entry"):
                published = datetime.fromisoformat(entry.findtext(f"{ATOM}published") or "")
                assert datetime.fromisoformat(entry.findtext(f"{ATOM}updated") or "") >= published


# What the W3C feed validator (w3c/feedvalidator, not on the package registry, so not run here) checks beyond the
# specs, as feeds/xml.py answers it. Its plain-text checks warn on an end tag, on "&" before an HTML 4 entity
# name or a name not all letters, and in RSS on "&#" or "<" before a letter (those two unless the line holds "&#x");
# its "bad characters" are C1 controls and U+FFFD; html5lib, which it parses HTML with, rejects C1 controls and
# noncharacters; it knows no MathML.
END_TAG = re.compile(r"</\w+>")
BAD_CHARACTERS = re.compile("[\x80-\x9f\ufffd]")
NOT_IN_HTML = re.compile(
    "[\x80-\x9f\ufffd\ufdd0-\ufdef" + "".join(chr(p << 16 | 0xFFFE) + chr(p << 16 | 0xFFFF) for p in range(17)) + "]"
)
ESCAPED_TEXT = re.compile(r"(?:[^<&]|&(?:amp|lt|gt|#xFFFD);)*")
"""Plain text written as HTML: no tag, and only the references ``text_html`` writes."""
RSS_PLAIN_TEXT = re.compile(rb"<(title|category|dc:creator)(?: [^>]*)?>([^<]*)</\1>")
"""The elements of an RSS file that hold plain text (the channel description too, found apart)."""
ATOM_NAME = re.compile(rb"<name>([^<]*)</name>")


def reads_as_html(text: str) -> bool:
    """Would the validator's plain-text checks, or an HTML reader, take part of ``text`` for markup?"""
    entities = (
        name for name in re.findall(r"&(#?\w+)", text) if name in (*name2codepoint, "apos") or not name.isalpha()
    )
    tag_or_reference = re.search(r"<[/!?a-zA-Z]|&#[x0-9]", text) or any(entities) or html.unescape(text) != text
    return bool(tag_or_reference)


def check_html(markup: str | None, where: str) -> None:
    """Entry HTML: never empty, no character the validator or html5lib rejects (U+FFFD is a reference), no MathML."""
    assert markup, f"{where}: empty"
    assert not NOT_IN_HTML.search(markup), f"{where}: {NOT_IN_HTML.findall(markup)}"
    assert "<math" not in markup, f"{where}: MathML"


def check_plain_text(text: str | None, where: str) -> None:
    """RSS plain text: as it is when nothing in it reads as HTML, else escaped; never an end tag or a bad character."""
    assert text, f"{where}: empty"
    assert not END_TAG.search(text) and not BAD_CHARACTERS.search(text), f"{where}: {text!r}"
    assert not reads_as_html(text) or ESCAPED_TEXT.fullmatch(text), f"{where}: {text!r}"


def check_hex_references(values: list[bytes], where: str) -> None:
    """Plain text writes ``&`` and ``<`` as ``&#x26;`` and ``&#x3C;`` (the RSS profile)."""
    for value in values:
        assert b"&amp;" not in value and b"&lt;" not in value, f"{where}: {value!r}"


def check_atom_rules(path: str, data: bytes) -> None:
    root = etree.fromstring(data)
    constructs = [root.find(f"{ATOM}title"), root.find(f"{ATOM}subtitle")]
    for entry in root.iter(f"{ATOM}entry"):
        constructs += [entry.find(f"{ATOM}title"), entry.find(f"{ATOM}summary")]
        content = entry.find(f"{ATOM}content")
        if content is not None:
            assert content.get("type") == "html"
            check_html(content.text, f"{path} content")
    for element in constructs:
        assert element is not None and element.text, f"{path}: a title, subtitle or summary is missing or empty"
        where = f"{path} {element.tag.removeprefix(ATOM)}"
        if element.get("type", "text") == "text":
            assert not reads_as_html(element.text), f"{where}: {element.text!r}"
            assert not BAD_CHARACTERS.search(element.text), f"{where}: {element.text!r}"
        else:
            assert element.get("type") == "html" and ESCAPED_TEXT.fullmatch(element.text), f"{where}: {element.text!r}"
            check_html(element.text, where)
    for name in root.iter(f"{ATOM}name"):
        assert name.text and not END_TAG.search(name.text), f"{path} name: {name.text!r}"
    for category in root.iter(f"{ATOM}category"):
        assert not END_TAG.search(category.get("label", "")), f"{path} category: {category.get('label')!r}"
    check_hex_references([m[1] for m in ATOM_NAME.finditer(data)], f"{path} name")


def check_rss_rules(path: str, data: bytes) -> None:
    channel = etree.fromstring(data).find("channel")
    assert channel is not None
    for name in ("title", "description"):
        check_plain_text(channel.findtext(name), f"{path} channel {name}")
    for item in channel.iter("item"):
        check_plain_text(item.findtext("title"), f"{path} title")
        check_html(item.findtext("description"), f"{path} description")
        content = item.find("content:encoded", NS)
        if content is not None:
            check_html(content.text, f"{path} content:encoded")
        for category in item.iter("category"):
            assert not END_TAG.search(category.text or ""), f"{path} category: {category.text!r}"
    head = data.partition(b"<item>")[0]
    description = re.search(rb"<description>([^<]*)</description>", head)
    assert description is not None
    check_hex_references([description[1], *(m[2] for m in RSS_PLAIN_TEXT.finditer(data))], path)


def check_validator_rules(files: dict[str, bytes]) -> None:
    """Every RSS and Atom file obeys what the W3C validator checks beyond the specs; JSON Feed entries carry the
    same HTML and a summary."""
    for path, data in files.items():
        if path.endswith("atom.xml"):
            check_atom_rules(path, data)
        elif path.endswith("feed.xml"):
            check_rss_rules(path, data)
        elif path.endswith("feed.json"):
            for item in json_items(data):
                assert item["summary"], f"{path}: empty summary"
                if item["content_html"]:
                    check_html(item["content_html"], f"{path} content_html")


def shown(value: str, media_type: str) -> str:
    """What a reader shows for a value feedparser parsed: HTML here is always escaped text (``ESCAPED_TEXT``)."""
    return html.unescape(value) if media_type == "text/html" else value


def check_same_text(files: dict[str, bytes]) -> None:
    """RSS and Atom, read by feedparser and shown as their types say, hold the text of the JSON Feed (plain text
    as it is): titles, summaries, author names and the feed's title and description."""
    for path in (p for p in files if p.endswith("feed.json")):
        doc = json.loads(files[path])
        items = {item["id"]: item for item in doc["items"]}
        for name in ("feed.xml", "atom.xml"):
            where = path.removesuffix("feed.json") + name
            parsed = feedparser.parse(files[where])
            assert shown(parsed.feed.title, parsed.feed.title_detail.type) == doc["title"], where
            assert shown(parsed.feed.subtitle, parsed.feed.subtitle_detail.type) == doc["description"], where
            assert [e.id for e in parsed.entries] == list(items), where
            for entry in parsed.entries:
                item = items[entry.id]
                assert shown(entry.title, entry.title_detail.type) == item["title"], f"{where} {entry.id}"
                assert shown(entry.summary, entry.summary_detail.type) == item["summary"], f"{where} {entry.id}"
                names = [a["name"] for a in item.get("authors", [])]
                if name == "atom.xml":  # a name's end tags get an invisible WORD JOINER, as feeds/xml.py says
                    names = [label_text(n) for n in names]
                assert [author.get("name") for author in entry.get("authors", [])] == names, f"{where} {entry.id}"


def check_all(files: dict[str, bytes], atom_schema: etree.RelaxNG, json_validator: Any) -> None:
    """Every file parses and validates for its format, obeys the W3C validator's rules beyond the specs and says
    what the JSON Feed says, and no two entries of a feed share a date."""
    check_distinct_dates(files)
    check_validator_rules(files)
    check_same_text(files)
    for path, data in files.items():
        if path.endswith(".json"):
            doc = json.loads(data.decode("utf-8"))
            errors = sorted(json_validator.iter_errors(doc), key=str)
            assert not errors, f"{path}: {errors[0].message}"
            assert data.endswith(b"}\n")
            continue
        if path.endswith(".opml"):
            etree.fromstring(data)
            continue
        parsed = feedparser.parse(data)
        assert parsed.bozo == 0, f"{path}: {parsed.get('bozo_exception')}"
        if path.endswith("atom.xml"):
            assert parsed.version == "atom10"
            check_atom(data, atom_schema)
        else:
            assert parsed.version == "rss20"
            check_rss(data)


def json_items(data: bytes) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads(data)["items"]
    return items


def rss_guids(data: bytes) -> list[str]:
    return [guid.text or "" for guid in etree.fromstring(data).iter("guid")]


# --- tests -------------------------------------------------------------------------------------------------


def test_writes_every_feed_and_opml(tmp_path: Path) -> None:
    site = make_site(SAMPLE)
    paths = write_feeds(site, tmp_path)
    folders = ["", "digest/", "popular/", *(f"topics/{slug}/" for slug in ("llm", "vision", "empty", "other"))]
    expected = {f"{folder}{name}" for folder in folders for name in ("feed.xml", "atom.xml", "feed.json")}
    assert set(paths) == expected | {"feeds.opml"}
    assert len(paths) == len(set(paths))
    assert all((tmp_path / path).is_file() for path in paths)


def test_every_feed_is_valid(tmp_path: Path, atom_schema: etree.RelaxNG, json_validator: Any) -> None:
    check_all(feeds_of(make_site(SAMPLE), tmp_path), atom_schema, json_validator)


def test_empty_site_gives_valid_feeds_dated_at_epoch(
    tmp_path: Path, atom_schema: etree.RelaxNG, json_validator: Any
) -> None:
    files = feeds_of(make_site([]), tmp_path)
    check_all(files, atom_schema, json_validator)
    atom = etree.fromstring(files["atom.xml"])
    assert atom.findtext(f"{ATOM}updated") == EPOCH.isoformat()
    assert atom.find(f"{ATOM}entry") is None
    assert json.loads(files["feed.json"])["items"] == []


def test_empty_topic_is_valid_and_dated_from_content(tmp_path: Path) -> None:
    files = feeds_of(make_site(SAMPLE), tmp_path)
    rss = etree.fromstring(files["topics/empty/feed.xml"])
    assert not rss.findall(".//item")
    # No entries: the date is the site's newest change, not the clock.
    assert rss.findtext("channel/lastBuildDate") == "Sun, 27 Oct 2024 00:00:00 +0000"


def test_bytes_identical_across_builds_and_clocks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = feeds_of(make_site(SAMPLE), tmp_path / "one")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    second = feeds_of(make_site(list(reversed(SAMPLE))), tmp_path / "two")
    assert first == second
    assert rss_guids(first["feed.xml"]) == rss_guids(second["feed.xml"])


def test_guids_are_unique_absolute_permalinks(tmp_path: Path) -> None:
    files = feeds_of(make_site(SAMPLE), tmp_path)
    for path, data in files.items():
        if path.endswith("feed.xml"):
            guids = rss_guids(data)
            assert len(guids) == len(set(guids)), path
    assert set(rss_guids(files["feed.xml"])) == {f"{BASE}papers/{p.slug}/" for p in SAMPLE}
    atom_ids = [e.findtext(f"{ATOM}id") for e in etree.fromstring(files["atom.xml"]).iter(f"{ATOM}entry")]
    assert atom_ids == rss_guids(files["feed.xml"]) == [item["id"] for item in json_items(files["feed.json"])]


def test_newest_first_by_listed_then_published_then_slug(tmp_path: Path) -> None:
    files = feeds_of(make_site(SAMPLE), tmp_path)
    order = [guid.split("/")[-2] for guid in rss_guids(files["feed.xml"])]
    # 10-25: beta and delta share published 10-22, so slug decides (descending); alpha was published earlier.
    assert order == ["delta", "beta", "alpha", "gamma", "unlisted"]
    assert [item["id"].split("/")[-2] for item in json_items(files["feed.json"])] == order


def test_capped_at_feed_max_items(tmp_path: Path) -> None:
    papers = [paper(f"p{n:02d}", date(2024, 1, 1 + n)) for n in range(12)]
    files = feeds_of(make_site(papers, feed_max_items=5), tmp_path)
    assert rss_guids(files["feed.xml"]) == [f"{BASE}papers/p{n:02d}/" for n in (11, 10, 9, 8, 7)]
    assert len(json_items(files["digest/feed.json"])) == 5


@pytest.mark.parametrize("folder", ["", "topics/llm/", "digest/", "topics/empty/", "popular/"])
def test_self_and_alternate_links_under_a_sub_path(tmp_path: Path, folder: str) -> None:
    page = folder  # each feed mirrors the page at its own folder: home, topic page, digest index
    files = feeds_of(make_site(SAMPLE), tmp_path)
    rss = etree.fromstring(files[f"{folder}feed.xml"])
    self_link = rss.find("channel/atom:link[@rel='self']", NS)
    assert self_link is not None and self_link.get("href") == f"{BASE}{folder}feed.xml"
    assert rss.findtext("channel/link") == f"{BASE}{page}"
    atom = etree.fromstring(files[f"{folder}atom.xml"])
    links = {link.get("rel"): link.get("href") for link in atom.findall(f"{ATOM}link")}
    assert links == {"self": f"{BASE}{folder}atom.xml", "alternate": f"{BASE}{page}"}
    assert atom.findtext(f"{ATOM}id") == f"{BASE}{folder}atom.xml"
    doc = json.loads(files[f"{folder}feed.json"])
    assert doc["feed_url"] == f"{BASE}{folder}feed.json" and doc["home_page_url"] == f"{BASE}{page}"
    parsed = feedparser.parse(files[f"{folder}atom.xml"])
    assert {link["rel"]: link["href"] for link in parsed.feed.links}["self"] == f"{BASE}{folder}atom.xml"


def test_feed_level_fields(tmp_path: Path) -> None:
    files = feeds_of(make_site(SAMPLE, language="pt_BR"), tmp_path)
    channel = etree.fromstring(files["topics/llm/feed.xml"]).find("channel")
    assert channel is not None
    assert channel.findtext("title") == "Test Papers: Language Models"
    assert channel.findtext("description") == "Papers on LLMs."
    assert channel.findtext("language") == "pt-BR"
    assert channel.findtext("generator") == "papersite"
    assert channel.findtext("lastBuildDate") == "Sun, 27 Oct 2024 00:00:00 +0000"
    atom = etree.fromstring(files["atom.xml"])
    assert atom.get("{http://www.w3.org/XML/1998/namespace}lang") == "pt-BR"
    assert atom.findtext(f"{ATOM}generator") == "papersite"
    assert atom.findtext(f"{ATOM}subtitle") == "Daily papers."
    assert atom.findtext(f"{ATOM}updated") == "2024-10-27T00:00:00+00:00"
    assert json.loads(files["feed.json"])["language"] == "pt-BR"


def test_entry_fields_in_every_format(tmp_path: Path) -> None:
    files = feeds_of(make_site(SAMPLE), tmp_path)
    url = f"{BASE}papers/alpha/"
    rss = feedparser.parse(files["feed.xml"])
    entry = next(e for e in rss.entries if e.id == url)
    assert entry.title == "A *language model* & friends"
    assert entry.link == url
    assert [a["name"] for a in entry.authors] == ["Ann Author", "Bo Ørsted"]  # from dc:creator
    # No listed_at nor rank: third of its day in feed order (delta, beta, alpha), so midnight minus two seconds.
    assert entry.published == "Thu, 24 Oct 2024 23:59:58 +0000"
    assert entry.summary == "We train a language model. Second paragraph."
    assert "<strong>language model</strong>" in entry.content[0].value
    assert [t["term"] for t in entry.tags] == ["Language Models"]
    atom = feedparser.parse(files["atom.xml"])
    entry = next(e for e in atom.entries if e.id == url)
    assert entry.published == "2024-10-24T23:59:58+00:00" and entry.updated == "2024-10-27T00:00:00+00:00"
    assert [(t["term"], t["label"]) for t in entry.tags] == [("llm", "Language Models")]
    assert [a["name"] for a in entry.authors] == ["Ann Author", "Bo Ørsted"]
    assert entry.content[0].type == "text/html"
    item = next(i for i in json_items(files["feed.json"]) if i["id"] == url)
    assert item["url"] == url and item["tags"] == ["Language Models"]
    assert item["date_published"] == "2024-10-24T23:59:58+00:00"
    assert item["date_modified"] == "2024-10-27T00:00:00+00:00"
    assert item["authors"] == [{"name": "Ann Author"}, {"name": "Bo Ørsted"}]
    assert item["content_html"].startswith("<p>We train a <strong>")


def test_summary_is_short_plain_text(tmp_path: Path) -> None:
    long = " ".join(["word"] * 400)
    files = feeds_of(make_site([paper("long", abstract=long)]), tmp_path)
    item = json_items(files["feed.json"])[0]
    assert len(item["summary"]) <= 300 and item["summary"].endswith("…")
    assert len(item["content_html"]) > 2000


def test_digest_has_one_entry_per_listed_day(tmp_path: Path) -> None:
    files = feeds_of(make_site(SAMPLE), tmp_path)
    items = json_items(files["digest/feed.json"])
    assert [i["id"] for i in items] == [f"{BASE}digest/2024-10-25/", f"{BASE}digest/2024-10-24/"]
    assert items[0]["url"] == items[0]["id"]
    assert items[0]["title"] == "3 papers listed on 2024-10-25"
    for slug in ("alpha", "beta", "delta"):
        assert f'href="{BASE}papers/{slug}/"' in items[0]["content_html"]
    assert items[0]["date_modified"] == "2024-10-27T00:00:00+00:00"
    atom = feedparser.parse(files["digest/atom.xml"])
    assert [e.link for e in atom.entries] == [f"{BASE}digest/2024-10-25/", f"{BASE}digest/2024-10-24/"]
    assert rss_guids(files["digest/feed.xml"]) == [i["id"] for i in items]


def test_opml_lists_every_feed(tmp_path: Path) -> None:
    site = make_site(SAMPLE)
    files = feeds_of(site, tmp_path)
    root = etree.fromstring(files["feeds.opml"])
    assert root.get("version") == "2.0" and root.findtext("head/title")
    outlines = {o.get("xmlUrl"): o for o in root.iter("outline") if o.get("type") == "rss"}
    expected = [f"{BASE}feed.xml", f"{BASE}digest/feed.xml", f"{BASE}popular/feed.xml"]
    expected += [f"{BASE}topics/{t.slug}/feed.xml" for t in site.topics]
    assert sorted(outlines) == sorted(expected)
    for url, outline in outlines.items():
        assert url[: -len("feed.xml")] == outline.get("htmlUrl")
        assert outline.get("text")
        assert url.removeprefix(BASE) in files


# --- hostile text ------------------------------------------------------------------------------------------

HOSTILE = "a & b <script>alert('x')</script> ]]> \x00\x01\x0b\x1f\x7f\x85\ufffe 🚀 مرحبا بالعالم ∑ x² ‮rtl"
CLEAN = "a & b <script>alert('x')</script> ]]> \x85 🚀 مرحبا بالعالم ∑ x² ‮rtl"


def naughty_strings() -> list[str]:
    strings: list[str] = json.loads((HERE / "fixtures" / "blns.json").read_text(encoding="utf-8"))
    return strings


def test_hostile_text_gives_well_formed_feeds(tmp_path: Path, atom_schema: etree.RelaxNG, json_validator: Any) -> None:
    abstract = f"{HOSTILE}\n\n<img src=x onerror=alert(1)> [x](javascript:alert(1))"
    hostile = paper("hostile", title=HOSTILE, abstract=abstract, authors=(HOSTILE,))
    files = feeds_of(make_site([hostile], title=HOSTILE, description=HOSTILE), tmp_path)
    check_all(files, atom_schema, json_validator)
    for path in ("feed.xml", "atom.xml"):
        entry = feedparser.parse(files[path]).entries[0]
        # HTML-looking text is escaped (RSS) or declared type="html" (Atom): shown as its type says, it is the text
        assert entry.title_detail.type == "text/html"
        assert shown(entry.title, "text/html").split() == CLEAN.replace("\x85", " ").split()
        assert "🚀" in entry.summary and "مرحبا" in entry.summary
    for path, data in files.items():
        assert b"\x00" not in data and b"\x1f" not in data and "\x85".encode() not in data, path
    raw_html = [json_items(files["feed.json"])[0]["content_html"]]
    for path in ("feed.xml", "atom.xml"):
        raw_html.append(feedparser.parse(files[path], sanitize_html=False).entries[0].content[0].value)
    for markup in raw_html:
        assert "<script" not in markup and "<img" not in markup and 'href="javascript' not in markup
        assert "&lt;script&gt;" in markup and "🚀" in markup


@pytest.mark.slow
def test_naughty_strings_give_valid_feeds(tmp_path: Path, atom_schema: etree.RelaxNG, json_validator: Any) -> None:
    strings = naughty_strings()
    papers = [
        paper(
            f"n{index:03d}",
            date(2024, 1, 1 + index % 28),
            title=text,
            abstract=strings[-1 - index],
            authors=(text,) if text.strip() else (),
        )
        for index, text in enumerate(strings)
    ]
    files = feeds_of(make_site(papers, feed_max_items=len(papers)), tmp_path)
    check_all(files, atom_schema, json_validator)
    entries = feedparser.parse(files["atom.xml"]).entries
    assert len(entries) == len(strings)
    assert len({e.id for e in entries}) == len(strings)
    assert all(e.title.strip() for e in entries)  # an empty title falls back to the slug


def test_text_escaping_rules() -> None:
    """feeds/xml.py, rule by rule."""
    for plain in ("A & B", "R&D", "AT&T;", "x < y", "a <= b", "5 > 3", "café 🚀", "a &", "&", "&foo;"):
        assert not feed_xml.reads_as_html(plain) and not reads_as_html(plain), plain
        assert atom_text(plain) == ("text", plain) and rss_text(plain) == plain
    for looks in ("<b>x</b>", "</i>", "<!-- c -->", "<x", "a &amp; b", "&#38", "&copyright", "&pi", "&x1", "caf\ufffd"):
        assert feed_xml.reads_as_html(looks), looks
    assert atom_text("<b> & </b>") == ("html", "&lt;b&gt; &amp; &lt;/b&gt;")
    assert rss_text("a &amp; b") == "a &amp;amp; b"
    assert html_chars("<p>a\ufffd b\x85c\x9f\ufdd0\U0010ffff d</p>") == "<p>a&#xFFFD; b\nc d</p>"
    assert html_chars("<p>plain 🚀</p>") == "<p>plain 🚀</p>"
    assert label_text("Ann </b> <i>x</i> a </ b>") == f"Ann <{WORD_JOINER}/b> <i>x<{WORD_JOINER}/i> a </ b>"


def test_characters_math_and_empty_abstracts(tmp_path: Path, atom_schema: etree.RelaxNG, json_validator: Any) -> None:
    """What the W3C validator calls bad characters and invalid HTML never reaches a feed, math is its TeX source,
    and an abstract with no text gives no empty element: the summary is the title, content is left out when empty."""
    papers = [
        paper(
            "chars",
            title="caf\ufffd <b>",
            abstract="a \ufffd &#14; b\x85c \ufdd0\U0001fffe d",
            authors=("A &amp; </b>",),
        ),
        paper("math", title="On $O(n^2)$", abstract="Cost $O(n \\log n)$ and $$x^2$$."),
        paper("rule", title="Only a rule", abstract="***"),
        paper("blank", title="No abstract", abstract=" \n\n "),
        paper("rnd", title="R&D at AT&T", abstract="R&D."),
    ]
    files = feeds_of(make_site(papers), tmp_path)
    check_all(files, atom_schema, json_validator)
    items = {item["id"].split("/")[-2]: item for item in json_items(files["feed.json"])}
    assert items["chars"]["summary"] == "a \ufffd \ufffd b c d"  # markdown-it reads &#14; as U+FFFD
    assert items["chars"]["content_html"] == "<p>a &#xFFFD; &#xFFFD; b\nc  d</p>\n"
    assert items["math"]["title"] == "On O(n²)"
    assert items["math"]["content_html"] == (
        '<p>Cost <code class="tex">$O(n \\log n)$</code> and <code class="tex">$$x^2$$</code>.</p>\n'
    )
    assert items["math"]["summary"] == "Cost $O(n \\log n)$ and $$x^2$$."
    assert items["rule"]["summary"] == "Only a rule" and items["rule"]["content_html"] == "<hr />\n"
    assert items["blank"]["summary"] == "No abstract" and items["blank"]["content_html"] == ""
    atom = {e.findtext(f"{ATOM}id"): e for e in etree.fromstring(files["atom.xml"]).iter(f"{ATOM}entry")}
    rss = {i.findtext("guid"): i for i in etree.fromstring(files["feed.xml"]).iter("item")}
    blank = f"{BASE}papers/blank/"
    assert atom[blank].find(f"{ATOM}content") is None and atom[blank].findtext(f"{ATOM}summary") == "No abstract"
    assert rss[blank].find("content:encoded", NS) is None and rss[blank].findtext("description") == "No abstract"
    chars = atom[f"{BASE}papers/chars/"]
    assert chars.find(f"{ATOM}title").get("type") == "html"  # type: ignore[union-attr]
    assert chars.findtext(f"{ATOM}title") == "caf&#xFFFD; &lt;b&gt;"
    assert f"<name>A &#x26;amp; &#x3C;{WORD_JOINER}/b&gt;</name>".encode() in files["atom.xml"]
    assert b"<title>caf&#x26;#xFFFD; &#x26;lt;b&#x26;gt;</title>" in files["feed.xml"]
    # an "&" no reader takes for a reference is plain text
    assert atom[f"{BASE}papers/rnd/"].find(f"{ATOM}title").get("type") is None  # type: ignore[union-attr]
    assert b"<title>R&#x26;D at AT&#x26;T</title>" in files["feed.xml"]


def test_atom_schema_and_json_formats_really_check(atom_schema: etree.RelaxNG, json_validator: Any) -> None:
    """The validators are not vacuous: bad dates, missing ids and bad URIs fail."""
    bad_atom = b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><updated>Fri, 25 Oct 2024</updated></feed>'
    assert not atom_schema.validate(etree.fromstring(bad_atom))
    good: dict[str, Any] = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "t",
        "feed_url": BASE,
        "items": [{"id": "x", "content_text": "", "date_published": "2024-10-25T00:00:00+00:00"}],
    }
    assert json_validator.is_valid(good)
    assert not json_validator.is_valid({**good, "feed_url": "not a uri"})
    assert not json_validator.is_valid({**good, "home_page_url": "http://exa mple.com/"})
    assert not json_validator.is_valid({**good, "items": [{**good["items"][0], "date_published": "2024-10-25"}]})
    assert not json_validator.is_valid({**good, "items": [{"id": "x"}]})
    assert not json_validator.is_valid({**good, "tittle": "typo"})


def test_paper_without_dates_is_dated_deterministically(
    tmp_path: Path, atom_schema: etree.RelaxNG, json_validator: Any
) -> None:
    undated = replace(paper("undated", None), published=None)
    files = feeds_of(make_site([undated]), tmp_path)
    check_all(files, atom_schema, json_validator)
    assert json_items(files["feed.json"])[0]["date_published"] == EPOCH.isoformat()


def iter_feed_dates(data: bytes) -> Iterator[datetime]:
    for item in etree.fromstring(data).iter("pubDate"):
        yield parsedate_to_datetime(item.text or "")


def test_last_build_date_is_the_newest_entry(tmp_path: Path) -> None:
    files = feeds_of(make_site(SAMPLE[1:]), tmp_path)  # without alpha's later `updated`
    channel = etree.fromstring(files["feed.xml"]).find("channel")
    assert channel is not None
    assert parsedate_to_datetime(channel.findtext("lastBuildDate") or "") == max(iter_feed_dates(files["feed.xml"]))


# --- entry instants (feeds/times.py) -----------------------------------------------------------------------


def instants(files: dict[str, bytes], path: str = "feed.json") -> dict[str, tuple[str, str]]:
    """(date_published, date_modified) by slug, in feed order."""
    return {i["id"].split("/")[-2]: (i["date_published"], i["date_modified"]) for i in json_items(files[path])}


def test_listed_at_then_rank_then_feed_order_give_the_instants(tmp_path: Path) -> None:
    day = date(2024, 10, 25)
    papers = [
        paper("hf-late", day, listed_at=datetime(2024, 10, 25, 3, 32, 14, tzinfo=UTC), listing_rank=2),
        paper("hf-early", day, listed_at=datetime(2024, 10, 25, 0, 57, 9, 392000, tzinfo=UTC), listing_rank=1),
        paper("text-first", day, listing_rank=1),
        paper("text-third", day, listing_rank=3, updated=date(2024, 10, 27)),
        paper("hand-a", day, published=date(2024, 10, 1)),
        paper("hand-b", day, published=date(2024, 10, 2)),
        # listed_at on another day than listed is not used: its rank is
        paper("moved", date(2024, 10, 24), listed_at=datetime(2024, 10, 25, 1, tzinfo=UTC), listing_rank=2),
    ]
    files = feeds_of(make_site(papers), tmp_path)
    check_distinct_dates(files)
    assert instants(files) == {
        "hf-late": ("2024-10-25T03:32:14+00:00", "2024-10-25T03:32:14+00:00"),
        "hf-early": ("2024-10-25T00:57:09+00:00", "2024-10-25T00:57:09+00:00"),
        "text-first": ("2024-10-25T00:00:00+00:00", "2024-10-25T00:00:00+00:00"),
        # rank 3: two seconds before midnight; updated later, at that day's midnight minus the same two seconds
        "text-third": ("2024-10-24T23:59:58+00:00", "2024-10-26T23:59:58+00:00"),
        # no listed_at, no rank: after the ranked papers of the day, by published (newest first)
        "hand-b": ("2024-10-24T23:59:57+00:00", "2024-10-24T23:59:57+00:00"),
        "hand-a": ("2024-10-24T23:59:56+00:00", "2024-10-24T23:59:56+00:00"),
        "moved": ("2024-10-23T23:59:59+00:00", "2024-10-23T23:59:59+00:00"),
    }
    atom = etree.fromstring(files["atom.xml"])
    assert atom.findtext(f"{ATOM}updated") == "2024-10-26T23:59:58+00:00"
    (first, *_) = atom.iter(f"{ATOM}entry")
    assert first.findtext(f"{ATOM}published") == "2024-10-25T03:32:14+00:00"
    assert etree.fromstring(files["feed.xml"]).findtext("channel/item/pubDate") == "Fri, 25 Oct 2024 03:32:14 +0000"


def test_an_instant_from_the_content_never_moves_when_papers_are_added(tmp_path: Path) -> None:
    day = date(2024, 10, 25)
    stored = [
        paper("hf", day, listed_at=datetime(2024, 10, 25, 1, 2, 3, tzinfo=UTC)),
        paper("ranked", day, listing_rank=4),
    ]
    before = instants(feeds_of(make_site(stored), tmp_path / "before"))
    more = [paper(f"new{n}", day, listing_rank=n) for n in (1, 2, 3, 5)] + [paper("hand", day)]
    after = instants(feeds_of(make_site(stored + more), tmp_path / "after"))
    assert {slug: after[slug] for slug in before} == before


def test_two_listings_of_one_day_still_give_distinct_dates(tmp_path: Path) -> None:
    """Rank 1 of two listings of the same day (and a paper updated onto a day another was listed on) collide; the
    later in feed order takes a second earlier (published), the earlier one a second later (updated)."""
    papers = [paper(f"{name}{rank}", date(2024, 10, 25), listing_rank=rank) for name in "ab" for rank in (1, 2)]
    papers.append(paper("old", date(2024, 10, 20), listing_rank=1, updated=date(2024, 10, 25)))
    files = feeds_of(make_site(papers), tmp_path)
    check_distinct_dates(files)
    got = instants(files)
    assert list(got) == ["b1", "a1", "b2", "a2", "old"]
    assert [got[s][0][11:19] for s in ("b1", "a1", "b2", "a2")] == ["00:00:00", "23:59:59", "23:59:58", "23:59:57"]
    # old's update and b1 both want 10-25 midnight: old, further down the feed, keeps it; b1 takes a second later
    assert got["old"] == ("2024-10-20T00:00:00+00:00", "2024-10-25T00:00:00+00:00")
    assert got["b1"] == ("2024-10-25T00:00:00+00:00", "2024-10-25T00:00:01+00:00")


def test_digest_days_get_distinct_updates(tmp_path: Path) -> None:
    papers = [
        paper("a", date(2024, 10, 24), updated=date(2024, 10, 26)),
        paper("b", date(2024, 10, 25), updated=date(2024, 10, 26)),
    ]
    files = feeds_of(make_site(papers), tmp_path)
    check_distinct_dates(files)
    items = json_items(files["digest/feed.json"])
    assert [i["date_modified"] for i in items] == ["2024-10-26T00:00:01+00:00", "2024-10-26T00:00:00+00:00"]


def test_the_golden_site_feeds_have_distinct_dates_and_obey_the_validator_rules() -> None:
    golden = HERE / "golden" / "small"
    files = {
        path.relative_to(golden).as_posix(): path.read_bytes()
        for name in ("feed.xml", "atom.xml", "feed.json")
        for path in golden.rglob(name)
    }
    assert len(files) == 21  # the site, the digest, the popular papers and four topics, three formats each
    check_distinct_dates(files)
    check_validator_rules(files)
    check_same_text(files)
