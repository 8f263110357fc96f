"""Related papers: the most similar papers by TF-IDF cosine over title and abstract, in pure Python.

Each paper becomes a sparse vector (``{term: weight}``, sublinear term frequency times smoothed inverse
document frequency, title words counted twice, L2-normalised). An inverted index (term -> postings) gives the
dot products of one paper with every paper that shares a term, so the cost follows the shared terms, not N².
Terms in more than half the papers carry almost no signal and are dropped (like ``max_df`` in scikit-learn);
each paper queries the index with its ``QUERY_TERMS`` heaviest terms only, which keeps the work bounded on big
corpora with little change to the top five. No numpy: the corpus is small enough and the build stays
dependency-light.

Deterministic: terms and papers are visited in a fixed order, scores are rounded before comparing, and ties
are broken by slug.
"""

from __future__ import annotations

import heapq
import itertools
import math
import operator
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Protocol

COUNT = 5
"""How many related papers each paper gets."""
KEEP = 30
"""Each paper is represented by its this many heaviest terms (the rest add little and cost much)."""
QUERY_TERMS = 10
"""The heaviest terms of a paper that are looked up in the index to find candidates."""
POSTINGS = 40
"""Each term keeps the papers where it weighs most, at most this many (impact-ordered pruning)."""
CANDIDATES = 15
"""Papers with the best partial scores, re-scored with the exact cosine before the top ``COUNT`` are kept."""
MAX_DF = 0.5
"""Terms in more than this share of papers are dropped (when there are at least 20 papers)."""
MIN_SCORE = 0.02
"""Below this cosine a paper is not "related", even if there are fewer than ``COUNT`` better ones."""

_SEPARATORS = {i: " " for i in range(128) if not chr(i).isalnum()} | {
    ord(c): " " for c in "\u2013\u2014\u2018\u2019\u201c\u201d\u2026\u00b7"
}
"""ASCII punctuation and common typographic marks split words (``str.translate`` is much faster than a regex)."""
_STOP = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "however",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "via",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "within",
        "without",
        "would",
        "you",
        "your",
        "yours",
        "paper",
        "papers",
        "propose",
        "proposed",
        "proposes",
        "present",
        "presents",
        "approach",
        "method",
        "methods",
        "results",
        "show",
        "shows",
        "using",
        "use",
        "used",
        "based",
        "new",
        "novel",
        "work",
        "existing",
        "while",
        "however",
    ]
)


class Document(Protocol):
    """What ``related`` reads from a paper."""

    @property
    def slug(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def abstract(self) -> str: ...


def _fold(word: str) -> str:
    """The index term for a lower-case word, or "" to skip it: stop words and numbers go, plural ``s`` folds."""
    if len(word) < 2 or word in _STOP or word.isdigit():
        return ""
    if len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def terms(text: str, _memo: dict[str, str] = {}) -> list[str]:  # noqa: B006 -- the memo is meant to persist
    """Lower-case words of two or more characters, without stop words or bare numbers; plural ``s`` folded."""
    found = []
    for word in text.lower().translate(_SEPARATORS).split():
        term = _memo.get(word)
        if term is None:
            term = _memo[word] = _fold(word)
        if term:
            found.append(term)
    return found


def vectors(papers: Sequence[Document]) -> list[dict[str, float]]:
    """One TF-IDF vector per paper (input order): its ``KEEP`` heaviest terms, L2-normalised."""
    counts = [Counter(terms(p.title) * 2 + terms(p.abstract)) for p in papers]
    df: Counter[str] = Counter()
    for counter in counts:
        df.update(counter.keys())
    n = len(papers)
    too_common = {term for term, d in df.items() if d > MAX_DF * n} if n >= 20 else set()
    idf = {term: math.log((1 + n) / (1 + d)) + 1.0 for term, d in df.items()}
    result = []
    for counter in counts:
        weighted = sorted(((-(1.0 + math.log(c)) * idf[t], t) for t, c in counter.items() if t not in too_common))[
            :KEEP
        ]
        norm = math.sqrt(sum(w * w for w, _ in weighted)) or 1.0
        result.append({t: -w / norm for w, t in weighted})
    return result


def related(papers: Iterable[Document], count: int = COUNT) -> dict[str, tuple[str, ...]]:
    """``{slug: (most similar slug, ...)}`` for every paper; at most ``count`` each, best first."""
    ordered = sorted(papers, key=lambda p: p.slug)
    vecs = vectors(ordered)
    index = _index(vecs)
    second = operator.itemgetter(1)
    result: dict[str, tuple[str, ...]] = {}
    for number, vec in enumerate(vecs):
        partial: dict[int, float] = defaultdict(float)
        for term, weight in itertools.islice(vec.items(), QUERY_TERMS):
            for other, other_weight in index.get(term, ()):
                partial[other] += weight * other_weight
        partial.pop(number, None)
        candidates = heapq.nlargest(CANDIDATES, partial.items(), key=second)
        exact = [(-round(_dot(vec, vecs[other]), 9), other) for other, _ in candidates]
        best = heapq.nsmallest(count, [(score, other) for score, other in exact if -score >= MIN_SCORE])
        result[ordered[number].slug] = tuple(ordered[other].slug for _, other in best)
    return result


def _index(vecs: Sequence[dict[str, float]]) -> dict[str, list[tuple[int, float]]]:
    """term -> the ``POSTINGS`` papers where it weighs most (paper number order), for terms in 2+ papers."""
    full: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for number, vec in enumerate(vecs):
        for term, weight in vec.items():
            full[term].append((weight, number))
    index = {}
    for term in sorted(full):
        postings = full[term]
        if len(postings) < 2:
            continue
        if len(postings) > POSTINGS:
            postings = heapq.nsmallest(POSTINGS, postings, key=lambda wn: (-wn[0], wn[1]))
        index[term] = [(number, weight) for weight, number in sorted(postings, key=lambda wn: wn[1])]
    return index


def _dot(a: dict[str, float], b: dict[str, float]) -> float:
    """Cosine of two normalised vectors; summed in ``a``'s (fixed) term order so results repeat exactly."""
    return sum(w * b.get(t, 0.0) for t, w in a.items())
