"""Topic rules: which papers belong to which topic."""

from __future__ import annotations

import re
from collections.abc import Iterable

from generator.config import TopicRule

OTHER_SLUG = "other"


def phrase_pattern(phrases: Iterable[str]) -> re.Pattern[str] | None:
    """One case-insensitive regex matching any phrase at word boundaries; spaces also match hyphens."""
    parts = []
    for phrase in sorted({p.strip() for p in phrases if p.strip()}, key=lambda p: (-len(p), p)):
        words = [re.escape(word) for word in re.split(r"[\s\-]+", phrase) if word]
        if words:
            parts.append(r"[\s\-]+".join(words))
    if not parts:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


class TopicMatcher:
    """Compiled topic rules, applied to title and abstract."""

    def __init__(self, rules: Iterable[TopicRule]) -> None:
        self.rules = [(rule.slug, phrase_pattern(rule.include), phrase_pattern(rule.exclude)) for rule in rules]

    def match(self, title: str, abstract: str) -> tuple[str, ...]:
        text = f"{title}\n{abstract}"
        found = []
        for slug, include, exclude in self.rules:
            if include is not None and include.search(text) and not (exclude is not None and exclude.search(text)):
                found.append(slug)
        return tuple(found)
