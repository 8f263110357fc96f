"""Load content and assemble the frozen ``Site`` that every writer reads."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from generator.clock import build_time
from generator.config import Config
from generator.incremental.cache import ContentCache
from generator.incremental.parallel import run_jobs
from generator.model import Paper, Problem
from generator.site.topics import OTHER_SLUG, TopicMatcher
from generator.urls import Urls

PARALLEL_MIN = 2000
"""From this many papers to match against the topic rules on, matching runs on every core."""


@dataclass(frozen=True, slots=True)
class Topic:
    """A topic with its papers (newest first)."""

    slug: str
    name: str
    description: str
    papers: tuple[Paper, ...]


@dataclass(frozen=True, slots=True)
class Site:
    """Everything the writers need, read-only."""

    config: Config
    urls: Urls
    papers: tuple[Paper, ...]
    """All papers, newest first by published date (then listed, then slug)."""
    topics: tuple[Topic, ...]
    """Topics in ``site.toml`` order, then "Other"; empty topics included."""
    now: datetime
    """Build time (``SOURCE_DATE_EPOCH`` or the clock), timezone-aware UTC; for checks, never for output."""
    related: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """slug -> slugs of the most similar papers, best first (TF-IDF over title and abstract; ``site/related.py``)."""

    def topic(self, slug: str) -> Topic:
        return next(topic for topic in self.topics if topic.slug == slug)

    @property
    def topic_names(self) -> dict[str, str]:
        return {topic.slug: topic.name for topic in self.topics}


def sort_key(paper: Paper) -> tuple[date, date, str]:
    """Newest first when used with reverse=True: published, then listed, then slug."""
    return (paper.published or paper.listed or date.min, paper.listed or date.min, paper.slug)


def assemble(config: Config, papers: list[Paper], cache: ContentCache | None = None) -> tuple[Site, list[Problem]]:
    """Resolve topics (rules + manual), order papers, group them by topic. A ``cache`` remembers rule matches
    between builds."""
    problems: list[Problem] = []
    matcher = TopicMatcher(config.topics)
    if cache is not None:
        cache.use_rules(repr(config.topics))
    known = {rule.slug: rule for rule in config.topics}
    rank = {rule.slug: number for number, rule in enumerate(config.topics)}  # site topic order
    by_name = {rule.name.casefold(): rule.slug for rule in config.topics}
    # HF ai_keywords count like abstract mentions ("; " keeps phrases from running across keywords).
    texts = ["; ".join((paper.abstract, *paper.keywords)) for paper in papers]
    matches: list[tuple[str, ...] | None] = [None] * len(papers)
    if cache is not None:
        matches = [cache.match(paper.title, text) for paper, text in zip(papers, texts, strict=True)]
    todo = [number for number, matched in enumerate(matches) if matched is None]
    new_matches = run_jobs(
        len(todo), lambda i: matcher.match(papers[todo[i]].title, texts[todo[i]]), min_jobs=PARALLEL_MIN
    )
    for number, slugs in zip(todo, new_matches, strict=True):
        matches[number] = slugs
        if cache is not None:
            cache.store_match(papers[number].title, texts[number], slugs)
    resolved = []
    for paper, matched, text in zip(papers, matches, texts, strict=True):
        topics = set(matched or ()).union(matcher.match_categories(paper.categories, paper.title, text))
        for manual in paper.topics:
            slug = manual if manual in known else by_name.get(manual.casefold())
            if slug is None:
                problems.append(
                    Problem(
                        paper.path,
                        0,
                        "warning",
                        f"unknown topic {manual!r} in `topics`; "
                        f"define it in {config.path} (known: {', '.join(sorted(known))})",
                    )
                )
            else:
                topics.add(slug)
        ordered = tuple(sorted(topics, key=rank.__getitem__)) or (OTHER_SLUG,)
        resolved.append(paper.with_topics(ordered))
    resolved.sort(key=sort_key, reverse=True)
    groups: dict[str, list[Paper]] = defaultdict(list)
    for paper in resolved:
        for slug in paper.topics:
            groups[slug].append(paper)
    topic_list = [Topic(rule.slug, rule.name, rule.description, tuple(groups[rule.slug])) for rule in config.topics]
    topic_list.append(Topic(OTHER_SLUG, "Other", "Papers that match no topic rule.", tuple(groups[OTHER_SLUG])))
    urls = Urls(config.base_url, config.base_path)
    site = Site(config, urls, tuple(resolved), tuple(topic_list), build_time())
    return site, problems


def check_freshness(site: Site) -> list[Problem]:
    """Warn when the newest listed day is older than ``freshness_days`` (feeds that go stale silently)."""
    days = [p.listed for p in site.papers if p.listed]
    if not days:
        return []
    newest = max(days)
    if site.now.date() - newest > timedelta(days=site.config.freshness_days):
        return [
            Problem(
                "content/papers",
                0,
                "warning",
                f"newest listed paper is from {newest}, more than "
                f"{site.config.freshness_days} days ago (freshness_days in site.toml); is the scrape running?",
            )
        ]
    return []
