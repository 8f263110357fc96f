"""``site.toml`` (``generator/config.py``): valid files become frozen records; every problem is reported at once."""

from __future__ import annotations

from dataclasses import MISSING, fields
from pathlib import Path

import pytest

from generator.config import (
    SETTING_KINDS,
    SETTINGS,
    TABLE_KEYS,
    TOML_TYPES,
    TOP_KEYS,
    TOPIC_KEYS,
    Config,
    Source,
    TopicRule,
    load_config,
    normalize_base_url,
    parse_config,
)

ROOT = Path(__file__).resolve().parent.parent
BASE = 'base_url = "https://example.org/papers"\n'


def problems_of(text: str) -> list[str]:
    config, problems = parse_config(text)
    assert config is None
    return [str(p) for p in problems]


def test_repo_site_toml_is_valid() -> None:
    config, problems = load_config(ROOT / "site.toml", display="site.toml")
    assert problems == []
    assert isinstance(config, Config)
    assert config.base_url.endswith("/")
    assert len(config.topics) >= 3
    assert len({t.slug for t in config.topics}) == len(config.topics)


def test_full_config() -> None:
    config, problems = parse_config(
        BASE
        + 'title = "T"\nper_page = 5\n\n[feeds]\nmax_items = 7\n\n[extra]\nanalytics = "x"\nnested = {a = 1}\n\n'
        + '[[topics]]\nslug = "memory"\nname = "Memory"\ninclude = ["memory", "recall"]\nexclude = ["RAM"]\n'
    )
    assert problems == []
    assert config is not None
    assert config.base_url == "https://example.org/papers/"
    assert config.base_path == "/papers/"
    assert (config.title, config.per_page, config.feed_max_items) == ("T", 5, 7)
    assert config.extra_dict() == {"analytics": "x", "nested": {"a": 1}}
    (topic,) = config.topics
    assert (topic.slug, topic.name) == ("memory", "Memory")
    assert (topic.include, topic.exclude) == (("memory", "recall"), ("RAM",))


def test_base_url_override() -> None:
    config, problems = parse_config(BASE, base_url="http://127.0.0.1:8000/sub")
    assert problems == [] and config is not None
    assert config.base_url == "http://127.0.0.1:8000/sub/"
    config, problems = parse_config("", base_url="https://user.github.io/repo/")
    assert problems == [] and config is not None and config.base_path == "/repo/"
    assert [str(p) for p in parse_config(BASE, base_url="not a url")[1]] == [
        "--base-url: error: base_url 'not a url' must be an absolute http(s) URL"
    ]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://a.org", "https://a.org/"),
        ("https://a.org/x", "https://a.org/x/"),
        (" http://a.org/x/ ", "http://a.org/x/"),
        ("ftp://a.org/", None),
        ("/relative/", None),
        ("https://", None),
    ],
)
def test_normalize_base_url(url: str, expected: str | None) -> None:
    assert normalize_base_url(url) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (BASE + 'titel = "x"\n', ["site.toml:2: error: unknown key `titel`; did you mean `title`?"]),
        (
            BASE + "[feeds]\nmax_item = 3\n",
            ["site.toml:3: error: unknown key `max_item` in [feeds]; did you mean `max_items`?"],
        ),
        (
            BASE + '[[topics]]\nslug = "a"\nnmae = "A"\n',
            ["site.toml:4: error: unknown key `nmae` in topics[0]; did you mean `name`?"],
        ),
        ('title = "x"\n', ["site.toml: error: missing required key `base_url` (e.g. https://user.github.io/repo/)"]),
        ('base_url = "ftp://x"\n', ["site.toml:1: error: base_url 'ftp://x' must be an absolute http(s) URL"]),
        (BASE + "per_page = 0\n", ["site.toml:2: error: `per_page` must be at least 1"]),
        (BASE + 'per_page = "20"\n', ["site.toml:2: error: `per_page` must be an integer"]),
        (BASE + "per_page = true\n", ["site.toml:2: error: `per_page` must be an integer"]),
        (BASE + "feeds = 3\n", ["site.toml:2: error: `feeds` must be a table"]),
        (BASE + "topics = 3\n", ["site.toml:2: error: `topics` must be an array"]),
        (
            BASE + '[[topics]]\nslug = "a"\ninclude = 5\n',
            ["site.toml:4: error: `topics[0].include` must be a list of strings"],
        ),
        (
            BASE + '[[topics]]\nslug = "Bad Slug"\n',
            ["site.toml:3: error: `topics[0].slug` must be lowercase letters, digits and dashes, got 'Bad Slug'"],
        ),
        (
            BASE + '[[topics]]\nslug = "a"\n[[topics]]\nslug = "a"\n',
            ["site.toml:5: error: duplicate or reserved topic slug `a`"],
        ),
        (BASE + '[[topics]]\nslug = "other"\n', ["site.toml:3: error: duplicate or reserved topic slug `other`"]),
    ],
)
def test_config_errors(text: str, expected: list[str]) -> None:
    assert problems_of(text) == expected


def test_a_topic_error_names_a_line_of_that_topic() -> None:
    text = (
        BASE
        + '[[topics]]\nslug = "a"\ninclude = ["x"]\nthreshold = 2\n\n'  # lines 2-5: fine
        + '[[topics]]\nslug = "b"\ninclude = 5\nthreshold = 0\nnmae = "B"\n\n'  # lines 7-11
        + "[feeds]\nmax_items = 5\n\n"
        + '[[topics]]\nname = "C"\nslug = "a"\n'  # lines 16-18
    )
    assert problems_of(text) == [
        "site.toml:11: error: unknown key `nmae` in topics[1]; did you mean `name`?",
        "site.toml:9: error: `topics[1].include` must be a list of strings",
        "site.toml:10: error: `topics[1].threshold` must be a whole number >= 1",
        "site.toml:18: error: duplicate or reserved topic slug `a`",
    ]


def test_inline_topics_name_the_topics_line() -> None:
    text = BASE + 'per_page = 5\ntopics = [{ slug = "a" }, { slug = "A b" }, 3]\n'
    assert problems_of(text) == [
        "site.toml:3: error: `topics[1].slug` must be lowercase letters, digits and dashes, got 'A b'",
        "site.toml:3: error: `topics[2]` must be a table",
    ]


def test_every_problem_is_reported_at_once() -> None:
    found = problems_of('titel = "x"\nper_page = 0\n[feeds]\nmax_item = 1\n')
    assert len(found) == 4
    assert any("missing required key `base_url`" in p for p in found)
    assert any("did you mean `title`" in p for p in found)
    assert any("did you mean `max_items`" in p for p in found)
    assert any("`per_page` must be at least 1" in p for p in found)


def test_unknown_key_without_a_close_match_lists_known_keys() -> None:
    (found,) = problems_of(BASE + "zzz = 1\n")
    assert found.startswith("site.toml:2: error: unknown key `zzz`; known keys: base_url, description,")


def test_bad_toml_names_the_line() -> None:
    (found,) = problems_of(BASE + 'title = "x"\nper_page = \n')
    assert found.startswith("site.toml:3: error: invalid TOML: ")


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    config, problems = load_config(tmp_path / "site.toml", display="site.toml")
    assert config is None
    assert [str(p) for p in problems] == [
        "site.toml: error: config file not found (run from the project root or pass --root)"
    ]
    (tmp_path / "latin1.toml").write_bytes(b'base_url = "https://a.org/"\ntitle = "caf\xe9"\n')
    config, problems = load_config(tmp_path / "latin1.toml", display="latin1.toml")
    assert config is None and problems[0].severity == "error" and "cannot read config" in problems[0].message


def test_bom_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "site.toml").write_bytes(b"\xef\xbb\xbf" + BASE.encode())
    config, problems = load_config(tmp_path / "site.toml")
    assert problems == [] and config is not None


def test_every_config_field_but_path_is_a_known_key() -> None:
    keys = {f.name: f.metadata.get("key") for f in fields(Config)}
    assert keys.pop("path") is None
    assert all(keys.values())
    assert {f.name for f in SETTINGS.values()} == set(keys)
    top = "base_url title description language theme per_page freshness_days feeds desk topics sources extra"
    assert set(top.split()) == TOP_KEYS
    assert {"feeds": {"max_items", "popular_upvotes"}, "desk": {"recent_days"}} == TABLE_KEYS
    assert SETTINGS["feeds.max_items"].name == "feed_max_items"
    assert {f.name for f in fields(TopicRule)} == TOPIC_KEYS
    assert all(kind in TOML_TYPES for kind in SETTING_KINDS.values())


def test_absent_keys_keep_the_field_defaults() -> None:
    config, problems = parse_config(BASE)
    assert problems == [] and config is not None
    for f in fields(Config):
        if f.default is not MISSING and f.name != "path":
            assert getattr(config, f.name) == f.default, f.name
    config, problems = parse_config(BASE + '[[topics]]\nslug = "a"\n[[topics]]\nslug = "b"\nthreshold = 0\n')
    assert config is None and [str(p) for p in problems] == [
        "site.toml:6: error: `topics[1].threshold` must be a whole number >= 1"
    ]
    config, _ = parse_config(BASE + '[[topics]]\nslug = "a"\n')
    assert config is not None and config.topics == (TopicRule("a", "a"),)


def test_minimums_and_types_come_from_the_fields() -> None:
    for key, setting in SETTINGS.items():
        table, _, name = key.rpartition(".")
        header = f"[{table}]\n" if table else ""
        if setting.metadata["minimum"] is not None:
            below = setting.metadata["minimum"] - 1
            assert problems_of(BASE + f"{header}{name} = {below}\n") == [
                f"site.toml:{2 + bool(table)}: error: `{key}` must be at least {below + 1}"
            ]
        if setting.name != "base_url":
            assert problems_of(BASE + f"{header}{name} = 1.5\n") == [
                f"site.toml:{2 + bool(table)}: error: `{key}` must be {TOML_TYPES[SETTING_KINDS[setting.name]]}"
            ]


def test_sources_are_read_in_order_and_default_to_hf_daily() -> None:
    config, problems = parse_config(BASE)
    assert problems == [] and config is not None and config.sources == (Source(hf="daily"),)
    text = (
        BASE + '[[sources]]\nhf = "daily"\n[[sources]]\narxiv = ["cs.CL", "cs.LG"]\n[[sources]]\nhf_search = "memory"\n'
    )
    config, problems = parse_config(text)
    assert problems == [] and config is not None
    assert [source.name for source in config.sources] == ["hf-daily", "arxiv:cs.CL,cs.LG", "hf-search:memory"]
    assert config.sources[1].arxiv == ("cs.CL", "cs.LG")


def test_bad_sources_name_the_line() -> None:
    text = BASE + (
        '[[sources]]\nhf = "weekly"\n'  # lines 2-3
        '[[sources]]\narxiv = ["cs.CL", "no such thing"]\n'  # 4-5
        '[[sources]]\nhf_serch = "memory"\n'  # 6-7
        '[[sources]]\nhf = "daily"\nhf_search = "x"\n'  # 8-10
        '[[sources]]\nhf = "daily"\n[[sources]]\nhf = "daily"\n'  # 11-14
    )
    config, problems = parse_config(text)
    assert config is None
    assert [str(p) for p in problems] == [
        "site.toml:3: error: `sources[0].hf` must be one of 'daily'",
        'site.toml:5: error: `sources[1].arxiv` must be a list of arXiv categories, such as ["cs.CL", "cs.LG"]',
        "site.toml:7: error: unknown key `hf_serch` in sources[2]; did you mean `hf_search`?",
        "site.toml:8: error: `sources[3]` must have exactly one of `arxiv`, `hf`, `hf_search`, got hf, hf_search",
        "site.toml:13: error: `sources[5]` repeats the source `hf-daily`",
    ]


def test_a_topic_rule_may_match_arxiv_categories() -> None:
    config, problems = parse_config(BASE + '[[topics]]\nslug = "robots"\ncategories = ["cs.RO"]\n')
    assert problems == [] and config is not None
    assert config.topics == (TopicRule("robots", "robots", categories=("cs.RO",)),)
    config, problems = parse_config(BASE + '[[topics]]\nslug = "robots"\ncategories = ["robots!"]\n')
    assert config is None
    assert [str(p) for p in problems] == [
        "site.toml:4: error: `topics[0].categories` must be a list of arXiv categories"
    ]
