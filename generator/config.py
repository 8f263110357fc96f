"""``site.toml``: read with tomllib into frozen records, every problem collected and reported at once."""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from generator.model import Problem

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True, slots=True)
class TopicRule:
    """A topic as ``site.toml`` defines it."""

    slug: str
    """URL part: ``topics/<slug>/``."""
    name: str
    """Display name."""
    description: str = ""
    """One sentence shown on the topic page and in its feeds."""
    include: tuple[str, ...] = ()
    """Words and phrases that put a paper in the topic (case-insensitive, whole words)."""
    exclude: tuple[str, ...] = ()
    """Words and phrases that keep a paper out even when an include matches."""
    threshold: int = 2
    """Score a paper needs to join: an include phrase in the title scores 3, each one in the abstract 1."""


@dataclass(frozen=True, slots=True)
class Config:
    """Validated site configuration."""

    base_url: str
    """Absolute URL the site is served from, ending in ``/`` (sub-paths allowed)."""
    title: str = "papersite"
    description: str = ""
    language: str = "en"
    theme: str = "default"
    """Theme folder name under ``themes/``."""
    per_page: int = 20
    """Papers per list page (home, topics, archive months)."""
    freshness_days: int = 3
    """Warn when the newest listed paper is older than this many days."""
    feed_max_items: int = 50
    """``[feeds] max_items``: entries per feed."""
    topics: tuple[TopicRule, ...] = ()
    extra: tuple[tuple[str, Any], ...] = ()
    """``[extra]``: free-form values passed to templates as ``config.extra``."""
    path: str = "site.toml"

    @property
    def base_path(self) -> str:
        """The path part of ``base_url``: ``/`` or ``/repo/``."""
        return urlsplit(self.base_url).path or "/"

    def extra_dict(self) -> dict[str, Any]:
        return dict(self.extra)


TOP_KEYS = {
    "base_url",
    "title",
    "description",
    "language",
    "theme",
    "per_page",
    "freshness_days",
    "feeds",
    "topics",
    "extra",
}
FEED_KEYS = {"max_items"}
TOML_TYPES = {dict: "a table", list: "an array", str: "a string", int: "an integer"}
TOPIC_KEYS = {"slug", "name", "description", "include", "exclude", "threshold"}


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


def _list(value: Any) -> list[Any]:
    """``value`` when it is a list, else empty (the wrong type is reported separately)."""
    return value if isinstance(value, list) else []


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


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
    problems = _unknown(set(data), TOP_KEYS, "", path, lines)

    def typed(key: str, kind: type, default: Any, table: dict[str, Any] = data, where: str = "") -> Any:
        value = table.get(key, default)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            name = TOML_TYPES.get(kind, kind.__name__)
            problems.append(Problem(path, lines.get(key, 0), "error", f"`{where}{key}` must be {name}"))
            return default
        return value

    raw_url = base_url if base_url is not None else data.get("base_url")
    url = normalize_base_url(raw_url) if isinstance(raw_url, str) else None
    if raw_url is None:
        problems.append(
            Problem(path, 0, "error", "missing required key `base_url` (e.g. https://user.github.io/repo/)")
        )
    elif url is None:
        where = "--base-url" if base_url is not None else path
        problems.append(
            Problem(
                where,
                lines.get("base_url", 0) if base_url is None else 0,
                "error",
                f"base_url {raw_url!r} must be an absolute http(s) URL",
            )
        )
    feeds = typed("feeds", dict, {})
    problems += _unknown(set(feeds), FEED_KEYS, " in [feeds]", path, lines)
    max_items = typed("max_items", int, 50, feeds, "feeds.")
    per_page = typed("per_page", int, 20)
    freshness = typed("freshness_days", int, 3)
    for key, value in (("feeds.max_items", max_items), ("per_page", per_page), ("freshness_days", freshness)):
        if value < 1:
            problems.append(Problem(path, lines.get(key.split(".")[-1], 0), "error", f"`{key}` must be at least 1"))
    topics = []
    seen: set[str] = set()
    tables = _array_table_lines(text, "topics")
    for index, raw in enumerate(typed("topics", list, [])):
        where = f"topics[{index}]"
        # lines in this topic's own [[topics]] table; its header, or the `topics` key, for what it lacks
        table = tables[index] if index < len(tables) else {}
        header = table.get("", lines.get("topics", 0))
        if not isinstance(raw, dict):
            problems.append(Problem(path, header, "error", f"`{where}` must be a table"))
            continue
        here = {key: table.get(key, header) for key in (*TOPIC_KEYS, *raw)}
        problems += _unknown(set(raw), TOPIC_KEYS, f" in {where}", path, here)
        slug, name = raw.get("slug"), raw.get("name")
        if not isinstance(slug, str) or not SLUG_RE.match(slug):
            problems.append(
                Problem(
                    path,
                    here["slug"],
                    "error",
                    f"`{where}.slug` must be lowercase letters, digits and dashes, got {slug!r}",
                )
            )
            continue
        if slug in seen or slug == "other":
            problems.append(Problem(path, here["slug"], "error", f"duplicate or reserved topic slug `{slug}`"))
            continue
        seen.add(slug)
        for key in ("include", "exclude"):
            if key in raw and not _strings(raw[key]):
                problems.append(Problem(path, here[key], "error", f"`{where}.{key}` must be a list of strings"))
        threshold = raw.get("threshold", 2)
        if not isinstance(threshold, int) or isinstance(threshold, bool) or threshold < 1:
            problems.append(
                Problem(path, here["threshold"], "error", f"`{where}.threshold` must be a whole number >= 1")
            )
            threshold = 2
        topics.append(
            TopicRule(
                slug=slug,
                name=name if isinstance(name, str) and name.strip() else slug,
                description=str(raw.get("description", "")),
                include=tuple(w for w in _list(raw.get("include")) if isinstance(w, str) and w.strip()),
                exclude=tuple(w for w in _list(raw.get("exclude")) if isinstance(w, str) and w.strip()),
                threshold=threshold,
            )
        )
    extra = typed("extra", dict, {})
    config = Config(
        base_url=url or "http://localhost/",
        title=typed("title", str, "papersite"),
        description=typed("description", str, ""),
        language=typed("language", str, "en"),
        theme=typed("theme", str, "default"),
        per_page=per_page,
        freshness_days=freshness,
        feed_max_items=max_items,
        topics=tuple(topics),
        extra=tuple(sorted(extra.items())),
        path=path,
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
