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

import hashlib
import itertools
import math
import operator
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Protocol

from generator.parallel import run_jobs

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
PARALLEL_MIN = 2000
"""From this many papers on, the scoring runs on every core (below, starting processes costs more than it saves)."""

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


def _counts(paper: Document) -> Counter[str]:
    """Term frequencies of a paper, title words counted twice (all in C: ``map`` and ``Counter``)."""
    title = _words(paper.title)
    counts = Counter(map(_MEMO.__getitem__, title + title + _words(paper.abstract)))
    del counts[""]
    return counts


def vectors(papers: Sequence[Document]) -> list[dict[str, float]]:
    """One TF-IDF vector per paper (input order): its ``KEEP`` heaviest terms, heaviest first (ties by term),
    L2-normalised."""
    counts = [_counts(p) for p in papers]
    df: Counter[str] = Counter()
    for counter in counts:
        df.update(counter.keys())
    n = len(papers)
    limit = MAX_DF * n if n >= 20 else math.inf
    # terms in too many papers get no idf entry and so drop out below
    idf = {term: math.log((1 + n) / (1 + d)) + 1.0 for term, d in df.items() if d <= limit}
    most = max((max(c.values(), default=0) for c in counts), default=0)
    # -(1 + log tf), by tf: negated so an ascending sort puts the heaviest first and ties in term order
    negative_tf = [0.0] + [-(1.0 + math.log(c)) for c in range(1, most + 1)]
    result = []
    for counter in counts:
        weighted = [(negative_tf[c] * idf[t], t) for t, c in counter.items() if t in idf]
        weighted.sort()
        del weighted[KEEP:]
        norm = math.sqrt(sum([w * w for w, _ in weighted])) or 1.0
        result.append({t: -w / norm for w, t in weighted})
    return result


VERSION = 2
"""Changes whenever the results of ``related`` may change: cached results carry it (``corpus_key``)."""


def corpus_key(papers: Iterable[Document], count: int = COUNT) -> bytes:
    """A hash of everything ``related(papers, count)`` reads: each paper's slug, title and abstract (in slug order)
    and the algorithm's version. Equal keys give equal results, so a build can reuse the last one."""
    digest = hashlib.blake2b(f"related {VERSION} {count}".encode(), digest_size=16)
    for paper in sorted(papers, key=lambda p: p.slug):
        for text in (paper.slug, paper.title, paper.abstract):
            data = text.encode("utf-8", "surrogatepass")
            digest.update(b"%d:" % len(data))
            digest.update(data)
    return digest.digest()


def related(papers: Iterable[Document], count: int = COUNT, *, jobs: int | None = None) -> dict[str, tuple[str, ...]]:
    """``{slug: (most similar slug, ...)}`` for every paper; at most ``count`` each, best first. Big corpora are
    scored on ``jobs`` forked processes (default: every core); the result is the same."""
    ordered = sorted(papers, key=lambda p: p.slug)
    vecs = vectors(ordered)
    index = _index(vecs)
    second = operator.itemgetter(1)

    def nearest(number: int) -> tuple[int, ...]:
        vec = vecs[number]
        # partial scores over the heaviest terms and the pruned postings: they only pick the candidates
        partial: dict[int, float] = {}
        get = partial.get
        for term, weight in itertools.islice(vec.items(), QUERY_TERMS):
            postings = index.get(term)
            if postings is not None:
                for other, other_weight in zip(postings[0], postings[1], strict=True):
                    partial[other] = get(other, 0.0) + weight * other_weight
        partial.pop(number, None)
        exact = []
        for other, _ in sorted(partial.items(), key=second, reverse=True)[:CANDIDATES]:  # = heapq.nlargest
            score = round(_dot(vec, vecs[other]), 9)
            if score >= MIN_SCORE:
                exact.append((-score, other))
        exact.sort()
        return tuple(other for _, other in exact[:count])

    found = run_jobs(len(vecs), nearest, jobs=jobs, min_jobs=PARALLEL_MIN)
    return {
        paper.slug: tuple(ordered[other].slug for other in best) for paper, best in zip(ordered, found, strict=True)
    }


def _index(vecs: Sequence[dict[str, float]]) -> dict[str, tuple[tuple[int, ...], tuple[float, ...]]]:
    """term -> (paper numbers, weights) of the ``POSTINGS`` papers where it weighs most, in paper number order,
    for terms in two or more papers."""
    full: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for number, vec in enumerate(vecs):
        for term, weight in vec.items():
            full[term].append((weight, number))
    first, second = operator.itemgetter(0), operator.itemgetter(1)
    index = {}
    for term, postings in full.items():
        if len(postings) < 2:
            continue
        if len(postings) > POSTINGS:
            # heaviest first, ties in paper order (a stable sort): the same papers as nsmallest by (-w, number)
            postings = sorted(sorted(postings, key=first, reverse=True)[:POSTINGS], key=second)
        weights, numbers = zip(*postings, strict=True)
        index[term] = (numbers, weights)
    return index


def _dot(a: dict[str, float], b: dict[str, float]) -> float:
    """Cosine of two normalised vectors, summed over the shared terms in ``a``'s (fixed) term order so results
    repeat exactly (the terms ``b`` lacks would only add zeros)."""
    return sum([w * b[t] for t, w in a.items() if t in b])
