"""``site.toml``: read with tomllib into frozen records, every problem collected and reported at once.

The records are the schema: a field with :func:`toml_key` metadata is that key, and the known keys are derived
from them. A ``Config`` setting's TOML type is its field's annotation (or the ``kind`` it is converted from) and
a key absent from the file keeps the field's default; a topic's keys are checked by ``_topic_rule``.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import Field, dataclass, field, fields
from pathlib import Path
from typing import Any, get_type_hints
from urllib.parse import urlsplit

from generator.model import Problem

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TOML_TYPES = {dict: "a table", list: "an array", str: "a string", int: "an integer"}
"""What each TOML value type is called in messages."""
ARXIV_CATEGORY_RE = re.compile(r"^[a-z-]+(?:\.[A-Za-z-]+)?$")
"""An arXiv category: ``cs.CL``, ``hep-th``, ``astro-ph.CO``."""


def toml_key(key: str, *, minimum: int | None = None, kind: type | None = None) -> dict[str, Any]:
    """``field`` metadata of a value read from ``site.toml``: its ``key`` (``table.key`` for a key in a table),
    the least value of an integer, and the ``kind`` of TOML value when the field holds it converted."""
    return {"key": key, "minimum": minimum, "kind": kind}


@dataclass(frozen=True, slots=True)
class TopicRule:
    """A topic as ``site.toml`` defines it: one ``[[topics]]`` table."""

    slug: str = field(metadata=toml_key("slug"))
    """URL part: ``topics/<slug>/``."""
    name: str = field(metadata=toml_key("name"))
    """Display name; the slug when the table has none."""
    description: str = field(default="", metadata=toml_key("description"))
    """One sentence shown on the topic page and in its feeds."""
    include: tuple[str, ...] = field(default=(), metadata=toml_key("include", kind=list))
    """Words and phrases that put a paper in the topic (case-insensitive, whole words)."""
    exclude: tuple[str, ...] = field(default=(), metadata=toml_key("exclude", kind=list))
    """Words and phrases that keep a paper out even when an include matches."""
    threshold: int = field(default=2, metadata=toml_key("threshold", minimum=1))
    """Score a paper needs to join: an include phrase in the title scores 3, each one in the abstract 1."""
    categories: tuple[str, ...] = field(default=(), metadata=toml_key("categories", kind=list))
    """arXiv categories (``cs.RO``): a paper in any of them joins the topic whatever its score, unless an exclude
    phrase keeps it out."""


HF_FEEDS = ("daily",)
"""What ``hf = ...`` may name: the HF daily papers."""


@dataclass(frozen=True, slots=True)
class Source:
    """One ``[[sources]]`` table: one thing ``papersite scrape`` fetches each day. Exactly one key is set."""

    hf: str | None = field(default=None, metadata=toml_key("hf"))
    """``"daily"``: the HF daily papers of the day (``hf-daily-YYYY-MM-DD.json``)."""
    arxiv: tuple[str, ...] = field(default=(), metadata=toml_key("arxiv", kind=list))
    """arXiv categories queried together (``arxiv-<cats>-YYYY-MM-DD.xml``)."""
    hf_search: str | None = field(default=None, metadata=toml_key("hf_search"))
    """An HF papers search, run each day (``hf-search-<query>-YYYY-MM-DD.json``)."""

    @property
    def name(self) -> str:
        """The source as the scrape log and the status page name it: ``hf-daily``, ``arxiv:cs.CL,cs.LG``,
        ``hf-search:memory``."""
        if self.arxiv:
            return "arxiv:" + ",".join(self.arxiv)
        if self.hf_search is not None:
            return f"hf-search:{self.hf_search}"
        return f"hf-{self.hf}"


POPULAR_UPVOTES = 20
"""``[feeds] popular_upvotes`` when ``site.toml`` does not say."""
DEFAULT_SOURCES = (Source(hf="daily"),)
"""What the daily run scrapes when ``site.toml`` has no ``[[sources]]``."""


@dataclass(frozen=True, slots=True)
class Config:
    """Validated site configuration."""

    base_url: str = field(metadata=toml_key("base_url"))
    """Absolute URL the site is served from, ending in ``/`` (sub-paths allowed). Required."""
    title: str = field(default="papersite", metadata=toml_key("title"))
    """Site name: page headers, feed titles and authors."""
    description: str = field(default="", metadata=toml_key("description"))
    """One sentence describing the site, used by its feeds."""
    language: str = field(default="en", metadata=toml_key("language"))
    """Language of the content (``en``, ``en_US``), declared in pages and feeds."""
    theme: str = field(default="default", metadata=toml_key("theme"))
    """Theme folder name under ``themes/``."""
    per_page: int = field(default=20, metadata=toml_key("per_page", minimum=1))
    """Papers per list page (home, topics, archive months)."""
    freshness_days: int = field(default=3, metadata=toml_key("freshness_days", minimum=1))
    """Warn when the newest listed paper is older than this many days."""
    feed_max_items: int = field(default=50, metadata=toml_key("feeds.max_items", minimum=1))
    """Entries per feed."""
    popular_upvotes: int = field(default=POPULAR_UPVOTES, metadata=toml_key("feeds.popular_upvotes", minimum=1))
    """Upvotes that put a paper in the popular feed (``popular/``), from the day ingest first sees them."""
    desk_recent_days: int = field(default=30, metadata=toml_key("desk.recent_days", minimum=1))
    """Days of listings the "for you" page ranks (the reader's desk; ``generator/desk/files.py``)."""
    topics: tuple[TopicRule, ...] = field(default=(), metadata=toml_key("topics", kind=list))
    """The ``[[topics]]`` tables, in file order."""
    sources: tuple[Source, ...] = field(default=DEFAULT_SOURCES, metadata=toml_key("sources", kind=list))
    """The ``[[sources]]`` tables: what ``papersite scrape`` without arguments fetches, in file order."""
    extra: tuple[tuple[str, Any], ...] = field(default=(), metadata=toml_key("extra", kind=dict))
    """``[extra]``: free-form values passed to templates as ``config.extra``, sorted by key."""
    path: str = "site.toml"
    """Where the configuration was read from, for messages (not a ``site.toml`` key)."""

    @property
    def base_path(self) -> str:
        """The path part of ``base_url``: ``/`` or ``/repo/``."""
        return urlsplit(self.base_url).path or "/"

    def extra_dict(self) -> dict[str, Any]:
        return dict(self.extra)


def _by_key(record: type) -> dict[str, Field[Any]]:
    """The fields of ``record`` read from ``site.toml``, by key, in field order."""
    return {f.metadata["key"]: f for f in fields(record) if "key" in f.metadata}


def _kinds(record: type) -> dict[str, type]:
    """The TOML value type of each field of ``record`` read from ``site.toml``, by field name."""
    hints = get_type_hints(record)
    return {f.name: f.metadata["kind"] or hints[f.name] for f in _by_key(record).values()}


def _table_keys(keys: dict[str, Any]) -> dict[str, set[str]]:
    """The keys inside each table among dotted ``keys``: ``{"feeds": {"max_items"}}``."""
    tables: dict[str, set[str]] = {}
    for key in keys:
        table, dot, name = key.rpartition(".")
        if dot:
            tables.setdefault(table, set()).add(name)
    return tables


SETTINGS = _by_key(Config)
"""The ``Config`` fields by ``site.toml`` key; ``feeds.max_items`` is ``max_items`` in the ``[feeds]`` table."""
SETTING_KINDS = _kinds(Config)
TOP_KEYS = {key.partition(".")[0] for key in SETTINGS}
TABLE_KEYS = _table_keys(SETTINGS)
SOURCE_KEYS = set(_by_key(Source))
TOPIC_FIELDS = _by_key(TopicRule)
TOPIC_KEYS = set(TOPIC_FIELDS)
WORD_LISTS = tuple(key for key, f in TOPIC_FIELDS.items() if f.metadata["kind"] is list)
"""The topic keys that hold a list of words: ``include``, ``exclude``, ``categories``."""


def normalize_base_url(url: str) -> str | None:
    """``url`` with a trailing slash, or None when it is not an absolute http(s) URL."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return f"{parts.scheme}://{parts.netloc}{path}"


def _key_lines(text: str) -> dict[str, int]:
    """First line on which each bare key (or table header) appears, for messages."""
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        match = re.match(r"\s*(?:\[\[?\s*)?([A-Za-z0-9_.-]+)", line)
        if match:
            lines.setdefault(match.group(1), number)
    return lines


def _array_table_lines(text: str, name: str) -> list[dict[str, int]]:
    """For each ``[[name]]`` table in order: the line of its header (key ``""``) and of each bare key in it."""
    tables: list[dict[str, int]] = []
    inside = False
    for number, line in enumerate(text.splitlines(), 1):
        if re.match(r"\s*\[", line):  # a table header
            inside = re.match(rf"\s*\[\[\s*{re.escape(name)}\s*\]\]", line) is not None
            if inside:
                tables.append({"": number})
        elif inside and (match := re.match(r"\s*([A-Za-z0-9_-]+)\s*=", line)):
            tables[-1].setdefault(match.group(1), number)
    return tables


def _unknown(keys: set[str], allowed: set[str], where: str, path: str, lines: dict[str, int]) -> list[Problem]:
    problems = []
    for key in sorted(keys - allowed):
        close = difflib.get_close_matches(key, sorted(allowed), n=1)
        hint = f"; did you mean `{close[0]}`?" if close else f"; known keys: {', '.join(sorted(allowed))}"
        problems.append(Problem(path, lines.get(key, 0), "error", f"unknown key `{key}`{where}{hint}"))
    return problems


def _words(value: Any) -> tuple[str, ...]:
    """The non-blank strings in ``value`` when it is a list (the wrong type is reported separately)."""
    return tuple(w for w in value if isinstance(w, str) and w.strip()) if isinstance(value, list) else ()


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _base_url(
    data: dict[str, Any], override: str | None, path: str, lines: dict[str, int]
) -> tuple[str | None, list[Problem]]:
    """``base_url`` normalised (``override``, from ``--base-url``, wins); None and a problem when missing or bad."""
    raw_url = override if override is not None else data.get("base_url")
    url = normalize_base_url(raw_url) if isinstance(raw_url, str) else None
    if raw_url is None:
        return None, [Problem(path, 0, "error", "missing required key `base_url` (e.g. https://user.github.io/repo/)")]
    if url is None:
        where, line = ("--base-url", 0) if override is not None else (path, lines.get("base_url", 0))
        return None, [Problem(where, line, "error", f"base_url {raw_url!r} must be an absolute http(s) URL")]
    return url, []


def _tables(data: dict[str, Any], path: str, lines: dict[str, int]) -> list[Problem]:
    """Each table of settings that is not a table, or holds keys it does not know."""
    problems = []
    for table, known in TABLE_KEYS.items():
        value = data.get(table, {})
        if isinstance(value, dict):
            problems += _unknown(set(value), known, f" in [{table}]", path, lines)
        else:
            problems.append(Problem(path, lines.get(table, 0), "error", f"`{table}` must be {TOML_TYPES[dict]}"))
    return problems


def _settings(data: dict[str, Any], path: str, lines: dict[str, int]) -> tuple[dict[str, Any], list[Problem]]:
    """The valid TOML value of each setting in ``data`` but ``base_url``, by field name, and what is wrong with
    the others. A setting absent, or in a table that is not one, is left out: the field's default applies."""
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for key, setting in SETTINGS.items():
        table, _, name = key.rpartition(".")
        scope = data.get(table) if table else data
        if setting.name == "base_url" or not isinstance(scope, dict) or name not in scope:
            continue
        value, kind, minimum = scope[name], SETTING_KINDS[setting.name], setting.metadata["minimum"]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            problems.append(Problem(path, lines.get(name, 0), "error", f"`{key}` must be {TOML_TYPES[kind]}"))
        elif minimum is not None and value < minimum:
            problems.append(Problem(path, lines.get(name, 0), "error", f"`{key}` must be at least {minimum}"))
        else:
            values[setting.name] = value
    return values, problems


def _topic_rule(
    raw: dict[str, Any], where: str, taken: set[str], path: str, here: dict[str, int]
) -> tuple[TopicRule | None, list[Problem]]:
    """One ``[[topics]]`` table; None when its slug is bad or ``taken``. ``here`` is the line of each key."""
    slug, name = raw.get("slug"), raw.get("name")
    if not isinstance(slug, str) or not SLUG_RE.match(slug):
        message = f"`{where}.slug` must be lowercase letters, digits and dashes, got {slug!r}"
        return None, [Problem(path, here["slug"], "error", message)]
    if slug in taken or slug == "other":
        return None, [Problem(path, here["slug"], "error", f"duplicate or reserved topic slug `{slug}`")]
    problems = [
        Problem(path, here[key], "error", f"`{where}.{key}` must be a list of strings")
        for key in WORD_LISTS
        if key in raw and not _strings(raw[key])
    ]
    values: dict[str, Any] = {key: _words(raw.get(key)) for key in WORD_LISTS}
    if _strings(raw.get("categories", [])) and not all(ARXIV_CATEGORY_RE.match(c) for c in values["categories"]):
        message = f"`{where}.categories` must be a list of arXiv categories"
        problems.append(Problem(path, here["categories"], "error", message))
    if "description" in raw:
        values["description"] = str(raw["description"])
    if "threshold" in raw:
        threshold, minimum = raw["threshold"], TOPIC_FIELDS["threshold"].metadata["minimum"]
        if isinstance(threshold, int) and not isinstance(threshold, bool) and threshold >= minimum:
            values["threshold"] = threshold
        else:
            message = f"`{where}.threshold` must be a whole number >= {minimum}"
            problems.append(Problem(path, here["threshold"], "error", message))
    shown = name if isinstance(name, str) and name.strip() else slug
    return TopicRule(slug=slug, name=shown, **values), problems


def _topic_rules(topics: list[Any], text: str, path: str, line: int) -> tuple[tuple[TopicRule, ...], list[Problem]]:
    """The ``topics`` array as rules, in order; ``line`` is the ``topics`` key's, for topics written inline."""
    rules: list[TopicRule] = []
    problems: list[Problem] = []
    tables = _array_table_lines(text, "topics")
    for index, raw in enumerate(topics):
        where = f"topics[{index}]"
        # lines in this topic's own [[topics]] table; its header, or the `topics` key, for what it lacks
        table = tables[index] if index < len(tables) else {}
        header = table.get("", line)
        if not isinstance(raw, dict):
            problems.append(Problem(path, header, "error", f"`{where}` must be a table"))
            continue
        here = {key: table.get(key, header) for key in (*TOPIC_KEYS, *raw)}
        problems += _unknown(set(raw), TOPIC_KEYS, f" in {where}", path, here)
        rule, rule_problems = _topic_rule(raw, where, {r.slug for r in rules}, path, here)
        problems += rule_problems
        if rule is not None:
            rules.append(rule)
    return tuple(rules), problems


def _source(raw: dict[str, Any], where: str, path: str, here: dict[str, int]) -> tuple[Source | None, list[Problem]]:
    """One ``[[sources]]`` table: exactly one of its keys, with a valid value. ``here`` is the line of each key."""
    given = sorted(set(raw) & SOURCE_KEYS)
    if len(given) != 1:
        message = f"`{where}` must have exactly one of {', '.join(f'`{k}`' for k in sorted(SOURCE_KEYS))}"
        return None, [Problem(path, here[""], "error", message + (f", got {', '.join(given)}" if given else ""))]
    key = given[0]
    value, line = raw[key], here[key]
    if key == "hf" and value not in HF_FEEDS:
        return None, [Problem(path, line, "error", f"`{where}.hf` must be one of {', '.join(map(repr, HF_FEEDS))}")]
    if key == "hf_search" and not (isinstance(value, str) and value.strip()):
        return None, [Problem(path, line, "error", f"`{where}.hf_search` must be a non-empty string")]
    if key == "arxiv":
        if not (_strings(value) and value and all(ARXIV_CATEGORY_RE.match(c) for c in value)):
            message = f'`{where}.arxiv` must be a list of arXiv categories, such as ["cs.CL", "cs.LG"]'
            return None, [Problem(path, line, "error", message)]
        return Source(arxiv=tuple(dict.fromkeys(value))), []
    return Source(**{key: value}), []


def _sources(raw_sources: list[Any], text: str, path: str, line: int) -> tuple[tuple[Source, ...], list[Problem]]:
    """The ``sources`` array, in order; ``line`` is the ``sources`` key's, for tables written inline."""
    sources: list[Source] = []
    problems: list[Problem] = []
    tables = _array_table_lines(text, "sources")
    for index, raw in enumerate(raw_sources):
        where = f"sources[{index}]"
        table = tables[index] if index < len(tables) else {}
        header = table.get("", line)
        if not isinstance(raw, dict):
            problems.append(Problem(path, header, "error", f"`{where}` must be a table"))
            continue
        here = {key: table.get(key, header) for key in ("", *SOURCE_KEYS, *raw)}
        unknown = _unknown(set(raw), SOURCE_KEYS, f" in {where}", path, here)
        source, source_problems = _source(raw, where, path, here)
        # a misspelt key alone is reported once, as unknown, not also as a table without a key
        problems += unknown + (source_problems if source is not None or not unknown or set(raw) & SOURCE_KEYS else [])
        if source is not None and source.name in {s.name for s in sources}:
            problems.append(Problem(path, header, "error", f"`{where}` repeats the source `{source.name}`"))
        elif source is not None:
            sources.append(source)
    return tuple(sources), problems


def parse_config(
    text: str, path: str = "site.toml", base_url: str | None = None
) -> tuple[Config | None, list[Problem]]:
    """Validate ``site.toml`` text. Returns the config (None on any error) and every problem found."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        return None, [Problem(path, int(match.group(1)) if match else 0, "error", f"invalid TOML: {exc}")]
    lines = _key_lines(text)
    url, url_problems = _base_url(data, base_url, path, lines)
    values, value_problems = _settings(data, path, lines)
    rules, topic_problems = _topic_rules(values.pop("topics", []), text, path, lines.get("topics", 0))
    extra = values.pop("extra", {})
    if "sources" in values:
        values["sources"], source_problems = _sources(values["sources"], text, path, lines.get("sources", 0))
        topic_problems += source_problems
    problems = [*_unknown(set(data), TOP_KEYS, "", path, lines), *url_problems, *_tables(data, path, lines)]
    problems += value_problems + topic_problems
    config = Config(
        base_url=url or "http://localhost/", topics=rules, extra=tuple(sorted(extra.items())), path=path, **values
    )
    errors = [p for p in problems if p.severity == "error"]
    return (None if errors else config), problems


def load_config(
    path: Path, base_url: str | None = None, display: str | None = None
) -> tuple[Config | None, list[Problem]]:
    """Read and validate a config file; a missing or unreadable file is an error, not a traceback."""
    name = display or str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return None, [Problem(name, 0, "error", "config file not found (run from the project root or pass --root)")]
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(name, 0, "error", f"cannot read config: {exc}")]
    return parse_config(text, name, base_url)
