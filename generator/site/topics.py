"""Topic rules: which papers belong to which topic.

A rule's phrases form one case-insensitive regex (``phrase_pattern``); a paper's score counts its matches. That
regex is the definition. Running it for every rule over every abstract is slow (each one scans the text position
by position), so ``TopicMatcher`` gets the same counts from the text's words instead: the text is lower-cased
once and split into runs of word characters, and a phrase matches where its words are consecutive runs separated
only by spaces and hyphens. Where that could differ from the regex, the regex runs:

- a rule with a phrase word that is not made of word characters only (``C++``), or whose letters do not match
  case-insensitively exactly when they are equal lower-cased (the long ``ſ`` matches ``s``), uses its regex;
- a text with a character that lower-casing would not treat like the regex does (``İ`` lower-cases to two
  characters, ``Σ`` depends on its neighbours, ``ς`` matches ``σ``) is matched by the regexes alone.

Both rules are checked with ``re`` itself, so the two ways agree by construction; tests/test_topics.py checks it on
random texts.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence

from generator.config import TopicRule

OTHER_SLUG = "other"

TITLE_WEIGHT = 3
"""A phrase in the title counts this much; each occurrence in the abstract counts 1."""

_WORD_CHAR = re.compile(r"\w")
_SEPARATORS = re.compile(r"[\s\-]+")
_RUNS = re.compile(r"(\W+)")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_ASCII = "".join(chr(code) for code in range(128))
_CAPITAL_SIGMA = "\u03a3"
"""Lower-cased by ``str.lower`` to σ or, at the end of a word, ς: the only character whose case depends on context."""

Phrase = tuple[str, ...]
"""A phrase's words (split at spaces and hyphens)."""


def phrase_words(phrases: Iterable[str]) -> list[Phrase]:
    """The distinct phrases split into words, longest phrase first: the order in which the regex tries them."""
    split_phrases = []
    for phrase in sorted({p.strip() for p in phrases if p.strip()}, key=lambda p: (-len(p), p)):
        words = tuple(word for word in re.split(r"[\s\-]+", phrase) if word)
        if words:
            split_phrases.append(words)
    return split_phrases


def phrase_pattern(phrases: Iterable[str]) -> re.Pattern[str] | None:
    """One case-insensitive regex matching any phrase at word boundaries; spaces also match hyphens."""
    parts = [r"[\s\-]+".join(re.escape(word) for word in words) for words in phrase_words(phrases)]
    if not parts:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


@functools.cache
def _letter(char: str) -> re.Pattern[str]:
    """``char`` as the phrase regex matches it: case-insensitively."""
    return re.compile(re.escape(char), re.IGNORECASE)


@functools.cache
def _plain_letter(char: str) -> bool:
    """Whether ``char`` can be compared lower-cased: a word character whose lower case is one word character, and
    that matches an ASCII character case-insensitively exactly when they are equal lower-cased."""
    low = char.lower()
    if len(low) != 1 or not _WORD_CHAR.fullmatch(char) or not _WORD_CHAR.fullmatch(low):
        return False
    return set(_letter(char).findall(_ASCII)) == {other for other in _ASCII if other.lower() == low}


def _lowered(phrases: list[Phrase]) -> list[Phrase] | None:
    """The phrases lower-cased character by character, or None when a word is not made of plain letters."""
    if all(_plain_letter(char) for words in phrases for word in words for char in word):
        return [tuple("".join(char.lower() for char in word) for word in words) for words in phrases]
    return None


class _Rule:
    """One compiled topic rule: the regexes, and the lower-cased phrases when they can be matched as words."""

    def __init__(self, rule: TopicRule) -> None:
        self.slug, self.threshold = rule.slug, rule.threshold
        self.categories = frozenset(rule.categories)
        include, exclude = phrase_words(rule.include), phrase_words(rule.exclude)
        self.include, self.exclude = phrase_pattern(rule.include), phrase_pattern(rule.exclude)
        self.words = _lowered(include)
        self.exclude_words = _lowered(exclude)
        self.plain = self.words is not None and self.exclude_words is not None
        self.letters = {char for words in include + exclude for word in words for char in word} if self.plain else set()

    def match(self, title: str, abstract: str) -> bool:
        """The definition: the regexes over the original text."""
        if self.include is None:
            return False
        score = TITLE_WEIGHT * len(self.include.findall(title)) + len(self.include.findall(abstract))
        return score >= self.threshold and not (
            self.exclude is not None and self.exclude.search(f"{title}\n{abstract}") is not None
        )


class _Text:
    """A lower-cased text as runs of word characters (``words``) and what lies between them (``gaps[i]`` follows
    ``words[i]``)."""

    def __init__(self, lowered: str) -> None:
        pieces = _RUNS.split(lowered)
        self.words, self.gaps = pieces[0::2], pieces[1::2]

    def count(self, first: dict[str, list[tuple[int, list[Phrase]]]], counts: list[int]) -> None:
        """Add each rule's number of matches to ``counts[rule]``: like the regex's ``findall``, the leftmost match
        of the first phrase (in order) that matches there, then on after it, never overlapping."""
        words, gaps = self.words, self.gaps
        if first.keys().isdisjoint(words):
            return
        resume = [0] * len(counts)
        for position, word in enumerate(words):
            entries = first.get(word)
            if entries is None:
                continue
            for rule, phrases in entries:
                if position < resume[rule]:
                    continue
                for phrase in phrases:
                    end = position + len(phrase)
                    if end == position + 1 or (
                        words[position + 1 : end] == list(phrase[1:])
                        and all(_SEPARATORS.fullmatch(gap) for gap in gaps[position : end - 1])
                    ):
                        counts[rule] += 1
                        resume[rule] = end
                        break


def _joined(title: _Text, abstract: _Text) -> _Text:
    """The runs of ``f"{title}\n{abstract}"``, from those of its two parts (the newline joins their gaps)."""
    joined = _Text("")
    words, gaps = title.words[:-1], title.gaps[:]
    gap = "\n"
    if title.words[-1] or not gaps:
        words.append(title.words[-1])
    else:  # the title ends in a gap: the newline extends it
        gap = gaps.pop() + gap
    rest_words, rest_gaps = abstract.words, abstract.gaps
    if not rest_words[0] and rest_gaps:  # the abstract starts with a gap: it extends the newline's
        gap += rest_gaps[0]
        rest_words, rest_gaps = rest_words[1:], rest_gaps[1:]
    gaps.append(gap)
    joined.words, joined.gaps = words + rest_words, gaps + rest_gaps
    return joined


def _first_words(phrase_lists: Sequence[list[Phrase] | None]) -> dict[str, list[tuple[int, list[Phrase]]]]:
    """first word -> [(rule number, its phrases that start with that word, in order), ...]."""
    first: dict[str, list[tuple[int, list[Phrase]]]] = {}
    for number, phrases in enumerate(phrase_lists):
        grouped: dict[str, list[Phrase]] = {}
        for phrase in phrases or ():
            grouped.setdefault(phrase[0], []).append(phrase)
        for word, group in grouped.items():
            first.setdefault(word, []).append((number, group))
    return first


class TopicMatcher:
    """Compiled topic rules. A paper joins a topic when its score reaches the topic's ``threshold``:
    each include phrase in the title scores ``TITLE_WEIGHT``, each occurrence in the abstract scores 1.
    Any exclude phrase keeps the paper out."""

    def __init__(self, rules: Iterable[TopicRule]) -> None:
        self.rules = [_Rule(rule) for rule in rules]
        plain = [rule if rule.plain else None for rule in self.rules]
        self._include = _first_words([rule.words if rule else None for rule in plain])
        self._exclude = _first_words([rule.exclude_words if rule else None for rule in plain])
        self._letters = set().union(*(rule.letters for rule in self.rules))
        self._categories = frozenset().union(*(rule.categories for rule in self.rules))
        self._safe: dict[str, bool] = {}

    def match(self, title: str, abstract: str) -> tuple[str, ...]:
        """The slugs of the topics the paper joins, in rule order."""
        if not (title.isascii() and abstract.isascii()) and not self._all_safe(title + abstract):
            return self.match_regex(title, abstract)
        title_text, abstract_text = _Text(title.lower()), _Text(abstract.lower())
        scores = [0] * len(self.rules)
        title_text.count(self._include, scores)
        scores = [TITLE_WEIGHT * score for score in scores]
        abstract_text.count(self._include, scores)
        excluded: list[int] | None = None
        slugs = []
        for number, rule in enumerate(self.rules):
            if not rule.plain:
                if rule.match(title, abstract):
                    slugs.append(rule.slug)
                continue
            if rule.words is None or rule.include is None or scores[number] < rule.threshold:
                continue
            if excluded is None:
                excluded = [0] * len(self.rules)
                _joined(title_text, abstract_text).count(self._exclude, excluded)
            if not excluded[number]:
                slugs.append(rule.slug)
        return tuple(slugs)

    def match_categories(self, categories: Iterable[str], title: str, abstract: str) -> tuple[str, ...]:
        """The slugs of the topics one of whose ``categories`` the paper is in (arXiv's, e.g. ``cs.RO``), in rule
        order, but those an exclude phrase keeps it out of."""
        mine = set(categories)
        if not mine or not self._categories & mine:
            return ()
        return tuple(
            rule.slug
            for rule in self.rules
            if rule.categories & mine
            and not (rule.exclude is not None and rule.exclude.search(f"{title}\n{abstract}") is not None)
        )

    def match_regex(self, title: str, abstract: str) -> tuple[str, ...]:
        """``match`` by the definition alone (slow): every rule's regexes over the original text."""
        return tuple(rule.slug for rule in self.rules if rule.match(title, abstract))

    def _all_safe(self, text: str) -> bool:
        """Whether lower-casing keeps every non-ASCII character of ``text`` matching the phrases as the regex
        does (checked once per character)."""
        for char in set(_NON_ASCII.findall(text)):
            safe = self._safe.get(char)
            if safe is None:
                safe = self._safe[char] = self._safe_char(char)
            if not safe:
                return False
        return True

    def _safe_char(self, char: str) -> bool:
        low = char.lower()
        if len(low) != 1 or char == _CAPITAL_SIGMA:
            return False
        if bool(_WORD_CHAR.fullmatch(char)) != bool(_WORD_CHAR.fullmatch(low)):
            return False
        if bool(_SEPARATORS.fullmatch(char)) != bool(_SEPARATORS.fullmatch(low)):
            return False
        return all((_letter(letter).fullmatch(char) is not None) == (letter.lower() == low) for letter in self._letters)
