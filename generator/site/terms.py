"""A paper's text as index terms, for the related papers: lower-case words, stop words and bare numbers dropped,
plural ``s`` folded."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Protocol

_SEPARATORS = {i: " " for i in range(128) if not chr(i).isalnum()} | {
    ord(c): " " for c in "\u2013\u2014\u2018\u2019\u201c\u201d\u2026\u00b7"
}
"""ASCII punctuation and common typographic marks split words (``str.translate`` is much faster than a regex)."""
_STOP_WORDS = """
    a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having he
    her here hers herself him himself his how however i if in into is it its itself just more most my myself no
    nor not now of off on once only or other our ours ourselves out over own same she should so some such than
    that the their theirs them themselves then there these they this those through to too under until up very
    via was we were what when where which while who whom why will with within without would you your yours paper
    papers propose proposed proposes present presents approach method methods results show shows using use used
    based new novel work existing
"""
_STOP = frozenset(_STOP_WORDS.split())
"""Words that say nothing about a paper's subject: English function words and the words every abstract uses."""


class Document(Protocol):
    """What ``related`` reads from a paper."""

    @property
    def slug(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def abstract(self) -> str: ...
    @property
    def date(self) -> dt.date | None: ...


def _fold(word: str) -> str:
    """The index term for a lower-case word, or "" to skip it: stop words and numbers go, plural ``s`` folds."""
    if len(word) < 2 or word in _STOP or word.isdigit():
        return ""
    if len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


_MEMO: dict[str, str] = {}
"""word -> term (``_fold``), for every word seen in this process."""


def _words(text: str) -> list[str]:
    """The lower-case words of ``text``; every one of them is a key of ``_MEMO`` afterwards."""
    words = text.lower().translate(_SEPARATORS).split()
    for word in set(words).difference(_MEMO):
        _MEMO[word] = _fold(word)
    return words


def terms(text: str) -> list[str]:
    """Lower-case words of two or more characters, without stop words or bare numbers; plural ``s`` folded."""
    return [term for term in map(_MEMO.__getitem__, _words(text)) if term]


def term_counts(paper: Document) -> Counter[str]:
    """Term frequencies of a paper, title words counted twice (all in C: ``map`` and ``Counter``)."""
    title = _words(paper.title)
    counts = Counter(map(_MEMO.__getitem__, title + title + _words(paper.abstract)))
    del counts[""]
    return counts
