"""Load content and assemble the frozen ``Site`` that every writer reads."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

from generator.cache import ContentCache, StateFile
from generator.config import Config
from generator.content import load_paper
from generator.listings import display_paths
from generator.model import Paper, Problem
from generator.parallel import Background, Forked, run_jobs
from generator.related import Document, Lists, Related, update_related
from generator.topics import OTHER_SLUG, TopicMatcher
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
    """slug -> slugs of the most similar papers, best first (TF-IDF over title and abstract; ``related.py``)."""

    def topic(self, slug: str) -> Topic:
        return next(topic for topic in self.topics if topic.slug == slug)

    @property
    def topic_names(self) -> dict[str, str]:
        return {topic.slug: topic.name for topic in self.topics}


def build_time() -> datetime:
    """ "Now": ``SOURCE_DATE_EPOCH`` when set, else the clock. Used for checks (freshness), never written
    into output, so output bytes depend on content alone."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC)


def sort_key(paper: Paper) -> tuple[date, date, str]:
    """Newest first when used with reverse=True: published, then listed, then slug."""
    return (paper.published or paper.listed or date.min, paper.listed or date.min, paper.slug)


def load_papers(papers_dir: Path, cache: ContentCache | None = None) -> tuple[list[Paper], list[Problem]]:
    """Read every content file; broken files are errors that name the file and line. With a ``cache``, a file
    whose bytes are unchanged since the last build is not parsed again, and one whose size, times and inode are
    unchanged is not even read."""
    try:  # names as ``glob("*.md")`` finds them, in the same order; links known from the folder read (no lstat)
        with os.scandir(papers_dir) as listed:
            entries = sorted((e for e in listed if e.name.endswith(".md")), key=lambda e: e.name)
    except OSError:  # no folder (or an unreadable one, which glob also passed over): no papers
        entries = []
    shown = display_paths([entry.path for entry in entries], [entry.is_symlink() for entry in entries])
    results: list[tuple[Paper | None, tuple[Problem, ...]]] = []
    todo: list[tuple[int, str, tuple[str, bytes] | None]] = []  # files to parse: (index, text, cache key)
    for index, entry in enumerate(entries):
        try:
            key, cached = None, None
            if cache is not None:
                stat = entry.stat()
                key, cached = cache.unchanged(shown[index], stat)
                if cached is None:
                    raw = Path(entry.path).read_bytes()
                    key, cached = cache.paper(shown[index], raw, stat)
            else:
                raw = Path(entry.path).read_bytes()
            if cached is None:
                # universal newlines, as Path.read_text would give
                todo.append((index, raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n"), key))
        except (OSError, UnicodeDecodeError) as exc:
            cached = (None, (Problem(shown[index], 0, "error", f"cannot read content file: {exc}"),))
        results.append(cached or (None, ()))
    # parsing (YAML) is most of the time of a build without a cache: on every core
    parsed = run_jobs(len(todo), lambda number: load_paper(todo[number][1], shown[todo[number][0]]))
    for (index, _, key), (paper, found) in zip(todo, parsed, strict=True):
        results[index] = (paper, tuple(found))
        if cache is not None and key is not None:
            cache.store_paper(key, results[index])
    papers = [paper for paper, _ in results if paper is not None]
    return papers, [problem for _, found in results for problem in found]


def assemble(config: Config, papers: list[Paper], cache: ContentCache | None = None) -> tuple[Site, list[Problem]]:
    """Resolve topics (rules + manual), order papers, group them by topic. A ``cache`` remembers rule matches
    between builds."""
    problems: list[Problem] = []
    matcher = TopicMatcher(config.topics)
    if cache is not None:
        cache.use_rules(repr(config.topics))
    known = {rule.slug: rule for rule in config.topics}
    by_name = {rule.name.casefold(): rule.slug for rule in config.topics}
    # HF ai_keywords count like abstract mentions ("; " keeps phrases from running across keywords).
    texts = ["; ".join((paper.abstract, *paper.keywords)) for paper in papers]
    matches: list[tuple[str, ...] | None] = [None] * len(papers)
    if cache is not None:
        matches = [cache.match(paper.title, text) for paper, text in zip(papers, texts, strict=True)]
    todo = [number for number, matched in enumerate(matches) if matched is None]
    found = run_jobs(len(todo), lambda i: matcher.match(papers[todo[i]].title, texts[todo[i]]), min_jobs=PARALLEL_MIN)
    for number, slugs in zip(todo, found, strict=True):
        matches[number] = slugs
        if cache is not None:
            cache.store_match(papers[number].title, texts[number], slugs)
    resolved = []
    for paper, matched in zip(papers, matches, strict=True):
        topics = set(matched or ())
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
        ordered = tuple(rule.slug for rule in config.topics if rule.slug in topics) or (OTHER_SLUG,)
        resolved.append(replace(paper, topics=ordered))
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


@dataclass(frozen=True, slots=True)
class RelatedInput:
    """What ``related.update_related`` reads of a paper: a small record to send to another process."""

    slug: str
    title: str
    abstract: str
    date: date | None


def related_papers(papers: Sequence[Paper], state: StateFile | None) -> Background[Lists] | Forked[Lists]:
    """Start computing the related papers of ``papers`` (in the site's order: ties go to the first) in another
    process (``with_related`` takes the result), which reads and writes their cached ``state``.
    When there is a state to start from, only the papers whose lists may differ are scored, in a forked process: it
    starts with the papers in its memory (at 10k papers, sending them to a new process cost more than the update,
    about 0.3 s after a daily listing)."""
    if state is not None and state.path is not None and state.path.exists():
        return Forked(relate, papers, state)
    return Background(relate, [RelatedInput(p.slug, p.title, p.abstract, p.date) for p in papers], state)


def relate(papers: Sequence[Document], state: StateFile | None) -> Lists:
    """The related papers of ``papers``, updated from the state ``state`` holds, to which the new state is written
    (the build needs only the lists)."""
    previous = state.read() if state is not None else None
    found = update_related(papers, previous if isinstance(previous, Related) else None)
    if state is not None:
        state.write(found)
    return found.result


def with_related(site: Site, job: Background[Lists] | Forked[Lists]) -> Site:
    """``site`` with its related papers, once ``job`` is done."""
    return replace(site, related=job.result())
