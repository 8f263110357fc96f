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


TITLE_WEIGHT = 3
"""A phrase in the title counts this much; each occurrence in the abstract counts 1."""


class TopicMatcher:
    """Compiled topic rules. A paper joins a topic when its score reaches the topic's ``threshold``:
    each include phrase in the title scores ``TITLE_WEIGHT``, each occurrence in the abstract scores 1.
    Any exclude phrase keeps the paper out."""

    def __init__(self, rules: Iterable[TopicRule]) -> None:
        self.rules = [
            (rule.slug, rule.threshold, phrase_pattern(rule.include), phrase_pattern(rule.exclude)) for rule in rules
        ]

    def match(self, title: str, abstract: str) -> tuple[str, ...]:
        found = []
        for slug, threshold, include, exclude in self.rules:
            if include is None:
                continue
            score = TITLE_WEIGHT * len(include.findall(title)) + len(include.findall(abstract))
            if score >= threshold and not (exclude is not None and exclude.search(f"{title}\n{abstract}")):
                found.append(slug)
        return tuple(found)
