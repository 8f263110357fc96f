"""Related papers: the most similar papers by TF-IDF cosine over title and abstract, in pure Python.

Each paper becomes a sparse vector (``{term: weight}``, sublinear term frequency times smoothed inverse
document frequency, title words counted twice, its ``KEEP`` heaviest terms, L2-normalised). An inverted index
(term -> postings) gives the partial dot products of one paper's ``QUERY_TERMS`` heaviest terms with every paper
that shares them, so the cost follows the shared terms, not N²; the ``CANDIDATES`` best are ranked by their exact
cosine. Terms in more than half the papers carry almost no signal and are dropped (like ``max_df`` in
scikit-learn), and a term's postings hold only the papers where it weighs most (impact-ordered pruning). No numpy:
the corpus is small enough and the build stays dependency-light.

Stable when papers are added: a site grows a daily listing at a time and every paper page shows its related
papers, so a new listing should change few lists (and so few pages). Two rules see to it:

- The corpus statistics (document frequencies, the terms dropped, the postings thresholds) come from the
  *reference*: the oldest papers (by date, then slug), all of them below ``SMALL`` papers, else as many as the
  largest of 100, 200, 500, 1000, 2000, ... that is at most the number of papers (40 to 100 % of them). New papers
  are the newest, so the statistics, and with them every existing paper's vector, stay as they were until the
  site reaches the next size of that series; the build that reaches it re-ranks everything once. A paper
  backdated or edited into the reference does the same.
- Whether a paper is in a term's postings depends on its own weight only: it is when the weight reaches the
  term's threshold, the weight of its ``POSTINGS`` x (reference size / next size)-th heaviest reference paper (so
  postings hold about ``POSTINGS`` papers when the reference moves on). A new paper joins postings without pushing
  another out.

So an existing paper's list changes only when a new paper is among its candidates. It also makes an update cheap
and exact (``update_related``): only the papers that a new, removed or edited paper can reach are scored again,
every other list is the previous one, which is what scoring it again would give.

Deterministic: terms and papers are visited in a fixed order, scores are rounded before comparing, and ties
are broken by slug (candidates: by partial score, then slug). ``update_related`` gives what ``related`` gives.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import heapq
import itertools
import math
import operator
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from generator.incremental.parallel import run_jobs
from generator.site.terms import Document, term_counts

COUNT = 5
"""How many related papers each paper gets."""
KEEP = 30
"""Each paper is represented by its this many heaviest terms (the rest add little and cost much)."""
QUERY_TERMS = 10
"""The heaviest terms of a paper that are looked up in the index to find candidates."""
POSTINGS = 40
"""About how many papers a term's postings hold when the reference moves on (fewer before; see the module text)."""
CANDIDATES = 20
"""Papers with the best partial scores, re-scored with the exact cosine before the top ``COUNT`` are kept."""
MAX_DF = 0.5
"""Terms in more than this share of the reference papers are dropped (when there are at least 20 of them)."""
MIN_SCORE = 0.02
"""Below this cosine a paper is not "related", even if there are fewer than ``COUNT`` better ones."""
SMALL = 100
"""Below this many papers every paper is in the reference: re-ranking a small site costs little, and its statistics
need every paper."""
PARALLEL_MIN = 2000
"""From this many papers to score on, the scoring runs on every core (below, starting processes costs more)."""
VERSION = 3
"""Changes whenever the results may change: a previous state of another version is not reused."""


Vector = dict[str, float]
"""A paper's terms and weights, heaviest first (ties by term), L2-normalised."""
Pool = tuple[tuple[str, ...], float]
"""A paper's candidates (slugs, the one ranking last at the end) and the last one's partial score."""
Found = tuple[tuple[int, ...], tuple[tuple[int, ...], float]]
"""A scored paper: its related papers (numbers, best first) and its pool (in numbers)."""

Lists = dict[str, tuple[str, ...]]
"""slug -> slugs of the most similar papers, best first."""


@dataclass(frozen=True, slots=True)
class Statistics:
    """What the reference papers fix for every vector and postings list, until the reference changes."""

    key: bytes
    """Hash of the reference papers' slugs, titles and abstracts and of the settings (``_reference_key``)."""
    idf: dict[str, float]
    """term -> smoothed inverse document frequency, for the reference papers' terms that are kept."""
    unseen: float
    """The inverse document frequency of a term no reference paper has (the highest)."""
    dropped: frozenset[str]
    """Terms in more than ``MAX_DF`` of the reference papers."""
    thresholds: dict[str, float]
    """term -> the least weight that enters its postings (a term without one lets every paper in)."""


@dataclass(frozen=True, slots=True)
class Related:
    """The related papers of a corpus, and what ``update_related`` reuses for the next corpus."""

    result: Lists
    """In slug order."""
    count: int
    """How many related papers each paper got at most."""
    statistics: Statistics
    """The statistics every vector below was made with."""
    vectors: dict[str, tuple[bytes, Vector]]
    """slug -> (hash of the paper's title and abstract, its vector)."""
    pools: dict[str, Pool]
    """slug -> its ``CANDIDATES`` best papers by partial score."""
    scored: int
    """How many papers were scored (the others kept their previous list)."""


def reference_size(n: int) -> int:
    """How many papers of ``n`` are the reference: all of them below ``SMALL``, else the largest of 100, 200, 500,
    1000, 2000, 5000, ... that is at most ``n``."""
    if n < SMALL:
        return n
    power = _power(n)
    return next(m * power for m in (5, 2, 1) if m * power <= n)


def _power(n: int) -> int:
    """The largest power of ten that is at most ``n`` (at least 1)."""
    power = 1
    while power * 10 <= n:
        power *= 10
    return power


def _next_size(size: int) -> int:
    """The value after ``size`` (``SMALL`` or more) in the series of ``reference_size``."""
    power = _power(size)
    return {1: 2, 2: 5, 5: 10}[size // power] * power


def reference(papers: Sequence[Document]) -> list[int]:
    """Indexes of the reference papers: the ``reference_size`` oldest (by date, then slug; undated papers count as
    oldest), in index order."""
    oldest = sorted(range(len(papers)), key=lambda i: (papers[i].date or dt.date.min, papers[i].slug))
    return sorted(oldest[: reference_size(len(papers))])


def _digest(paper: Document) -> bytes:
    """Hash of what a paper's vector is made of, given the statistics: its title and abstract."""
    data = f"{paper.title}\0{paper.abstract}".encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=16).digest()


def _reference_key(papers: Sequence[Document], digests: Sequence[bytes], numbers: Iterable[int]) -> bytes:
    """Hash of the reference papers (slug order) and of the settings."""
    settings = f"related {VERSION} {KEEP} {QUERY_TERMS} {POSTINGS} {CANDIDATES} {MAX_DF} {MIN_SCORE} {SMALL}"
    digest = hashlib.blake2b(settings.encode(), digest_size=16)
    for number in numbers:
        digest.update(papers[number].slug.encode("utf-8", "surrogatepass") + b"\0" + digests[number])
    return digest.digest()


def _vectors(
    counts: Sequence[Counter[str]], idf: dict[str, float], unseen: float, dropped: frozenset[str]
) -> list[Vector]:
    """One vector per term count: its ``KEEP`` heaviest terms, heaviest first (ties by term), L2-normalised."""
    most = max((max(c.values(), default=0) for c in counts), default=0)
    # -(1 + log tf), by tf: negated so an ascending sort puts the heaviest first and ties in term order
    negative_tf = [0.0] + [-(1.0 + math.log(c)) for c in range(1, most + 1)]
    get = idf.get
    result = []
    for counter in counts:
        weighted = [(negative_tf[c] * get(t, unseen), t) for t, c in counter.items() if t not in dropped]
        weighted.sort()
        del weighted[KEEP:]
        norm = math.sqrt(sum([w * w for w, _ in weighted])) or 1.0
        result.append({t: -w / norm for w, t in weighted})
    return result


def _statistics(key: bytes, counts: Sequence[Counter[str]]) -> tuple[Statistics, list[Vector]]:
    """The statistics of the reference papers' term counts, and the reference papers' vectors."""
    df: Counter[str] = Counter()
    for counter in counts:
        df.update(counter.keys())
    n = len(counts)
    limit = MAX_DF * n if n >= 20 else math.inf
    dropped = frozenset(term for term, d in df.items() if d > limit)
    idf = {term: math.log((1 + n) / (1 + d)) + 1.0 for term, d in df.items() if d <= limit}
    unseen = math.log(1 + n) + 1.0
    vecs = _vectors(counts, idf, unseen, dropped)
    weights: dict[str, list[float]] = defaultdict(list)
    for vec in vecs:
        for term, weight in vec.items():
            weights[term].append(weight)
    rank = POSTINGS if n < SMALL else max(1, POSTINGS * n // _next_size(n))
    thresholds = {term: heapq.nlargest(rank, found)[-1] for term, found in weights.items() if len(found) >= rank}
    return Statistics(key, idf, unseen, dropped, thresholds), vecs


def related(papers: Iterable[Document], count: int = COUNT, *, jobs: int | None = None) -> dict[str, tuple[str, ...]]:
    """``{slug: (most similar slug, ...)}`` for every paper; at most ``count`` each, best first. Big corpora are
    scored on ``jobs`` forked processes (default: every core); the result is the same."""
    return update_related(papers, None, count, jobs=jobs).result


def update_related(
    papers: Iterable[Document], previous: Related | None, count: int = COUNT, *, jobs: int | None = None
) -> Related:
    """The related papers of ``papers``, scoring again only the papers whose list may differ from ``previous`` (the
    state of an earlier corpus; None scores every paper). The result equals ``related(papers, count)``."""
    ordered = sorted(papers, key=lambda p: p.slug)
    digests = [_digest(p) for p in ordered]
    numbers = reference(ordered)
    key = _reference_key(ordered, digests, numbers)
    if previous is not None and (previous.statistics.key != key or previous.count != count):
        previous = None  # other statistics: every vector changes
    old = previous.vectors if previous is not None else {}
    fresh = [i for i, (p, d) in enumerate(zip(ordered, digests, strict=True)) if old.get(p.slug, (b"",))[0] != d]
    counts = {i: term_counts(ordered[i]) for i in fresh}
    made: dict[int, Vector] = {}
    if previous is None:  # every paper is fresh
        statistics, reference_vecs = _statistics(key, [counts[i] for i in numbers])
        made.update(zip(numbers, reference_vecs, strict=True))
    else:
        statistics = previous.statistics
    rest = [i for i in fresh if i not in made]
    made.update(
        zip(
            rest,
            _vectors([counts[i] for i in rest], statistics.idf, statistics.unseen, statistics.dropped),
            strict=True,
        )
    )
    vecs = [made[i] if i in made else old[p.slug][1] for i, p in enumerate(ordered)]
    scoring = _Scoring(vecs, statistics.thresholds, count)
    rescored = scoring.changes(ordered, fresh, previous, jobs) if previous is not None else scoring.all(jobs)
    result, pools = {}, {}
    for number, paper in enumerate(ordered):
        scored = rescored.get(number)
        if scored is None:
            assert previous is not None
            result[paper.slug], pools[paper.slug] = previous.result[paper.slug], previous.pools[paper.slug]
        else:
            best, (pool, least) = scored
            result[paper.slug] = tuple(ordered[other].slug for other in best)
            pools[paper.slug] = (tuple(ordered[other].slug for other in pool), least)
    vectors = {p.slug: (d, v) for p, d, v in zip(ordered, digests, vecs, strict=True)}
    return Related(result, count, statistics, vectors, pools, len(rescored))


Index = dict[str, tuple[tuple[int, ...], tuple[float, ...]]]
"""term -> (numbers, weights) of the papers in its postings, in number order."""


class _Scoring:
    """Each paper's most similar papers: partial scores of its ``QUERY_TERMS`` heaviest terms over the postings
    pick its pool of ``CANDIDATES``, and the exact cosine ranks the pool."""

    def __init__(self, vecs: Sequence[Vector], thresholds: dict[str, float], count: int) -> None:
        self.vecs = vecs
        self.thresholds = thresholds
        self.count = count

    def all(self, jobs: int | None) -> dict[int, Found]:
        """Every paper, scored from nothing (on ``jobs`` processes)."""
        index = self._index(None)
        scored = run_jobs(len(self.vecs), lambda number: self._nearest(number, index), jobs=jobs, min_jobs=PARALLEL_MIN)
        return dict(enumerate(scored))

    def changes(
        self, ordered: Sequence[Document], fresh: Sequence[int], previous: Related, jobs: int | None
    ) -> dict[int, Found]:
        """The papers whose list may differ from ``previous``. The new and edited papers, and those with a removed
        or edited paper in their pool, are scored from nothing; those where a new or edited paper ranks above the
        last of their pool get it merged into their pool. Any other paper's partial scores are the ones it had,
        but for papers ranking below its last candidate, so its pool and list are the ones it had."""
        vecs, thresholds = self.vecs, self.thresholds
        number_of = {p.slug: number for number, p in enumerate(ordered)}
        stale_slugs = set(previous.vectors).difference(number_of)  # removed papers, then new and edited ones
        stale_slugs.update(ordered[number].slug for number in fresh)
        from_scratch = set(fresh)
        posted: dict[str, list[tuple[int, float]]] = defaultdict(list)  # the postings of the fresh papers only
        for number in fresh:
            for term, weight in vecs[number].items():
                if weight >= thresholds.get(term, -1.0):
                    posted[term].append((number, weight))
        rescored: dict[int, Found] = {}
        for number, paper in enumerate(ordered):
            if number in from_scratch:
                continue
            pool, least = previous.pools[paper.slug]
            if not stale_slugs.isdisjoint(pool):
                from_scratch.add(number)
                continue
            if posted.keys().isdisjoint(itertools.islice(vecs[number], QUERY_TERMS)):
                continue
            partial: dict[int, float] = {}  # summed as _nearest sums, so equal to its partial scores
            get = partial.get
            for term, weight in itertools.islice(vecs[number].items(), QUERY_TERMS):
                for other, other_weight in posted.get(term, ()):
                    partial[other] = get(other, 0.0) + weight * other_weight
            last = number_of[pool[-1]] if len(pool) == CANDIDATES else -1
            entering = [(other, s) for other, s in partial.items() if last < 0 or (-s, other) < (-least, last)]
            if entering:
                members = [(number_of[slug], self._partial(number, number_of[slug])) for slug in pool]
                members.extend(entering)
                members.sort(key=lambda m: (-m[1], m[0]))
                rescored[number] = self._exact(number, members[:CANDIDATES])
        todo = sorted(from_scratch)
        if todo:
            index = self._index({term for number in todo for term in itertools.islice(vecs[number], QUERY_TERMS)})
            scored = run_jobs(len(todo), lambda job: self._nearest(todo[job], index), jobs=jobs, min_jobs=PARALLEL_MIN)
            rescored.update(zip(todo, scored, strict=True))
        return rescored

    def _index(self, terms: set[str] | None) -> Index:
        """The postings of ``terms`` (of every term for None): the papers whose weight for a term reaches its
        threshold (every paper that has it when it has none)."""
        full: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for number, vec in enumerate(self.vecs):
            if terms is None:
                for term, weight in vec.items():
                    full[term].append((number, weight))
            else:
                for term in terms.intersection(vec):
                    full[term].append((number, vec[term]))
        index = {}
        for term, postings in full.items():
            least = self.thresholds.get(term)
            if least is not None:
                postings = [entry for entry in postings if entry[1] >= least]
            if postings:
                numbers, weights = zip(*postings, strict=True)
                index[term] = (numbers, weights)
        return index

    def _nearest(self, number: int, index: Index) -> Found:
        """A paper scored from nothing."""
        # partial scores over the heaviest terms and the pruned postings: they only pick the candidates
        partial: dict[int, float] = {}
        get = partial.get
        for term, weight in itertools.islice(self.vecs[number].items(), QUERY_TERMS):
            postings = index.get(term)
            if postings is not None:
                for other, other_weight in zip(postings[0], postings[1], strict=True):
                    partial[other] = get(other, 0.0) + weight * other_weight
        partial.pop(number, None)
        ranked = sorted(partial.items(), key=_SECOND, reverse=True)
        if len(ranked) > CANDIDATES:
            least = ranked[CANDIDATES - 1][1]
            if ranked[CANDIDATES][1] == least:  # a tie across the cut: the tied papers with the lowest numbers
                ranked = [e for e in ranked[:CANDIDATES] if e[1] > least] + sorted(e for e in ranked if e[1] == least)
            del ranked[CANDIDATES:]
        return self._exact(number, ranked)

    def _exact(self, number: int, pool: list[tuple[int, float]]) -> Found:
        """The best ``count`` of ``pool`` (numbers and partial scores) by exact cosine, and the pool."""
        if not pool:
            return (), ((), 0.0)
        least = min(score for _, score in pool)
        last = max(other for other, score in pool if score == least)
        vec, vecs = self.vecs[number], self.vecs
        terms, weights, zeros = tuple(vec), tuple(vec.values()), itertools.repeat(0.0)
        exact = []
        for other, _ in pool:
            # the cosine, summed in this paper's (fixed) term order so results repeat exactly
            score = round(sum(map(operator.mul, weights, map(vecs[other].get, terms, zeros))), 9)
            if score >= MIN_SCORE:
                exact.append((-score, other))
        exact.sort()
        members = (*(other for other, _ in pool if other != last), last)
        return tuple(other for _, other in exact[: self.count]), (members, least)

    def _partial(self, number: int, other: int) -> float:
        """The partial score of ``other`` for paper ``number``, summed in the order ``_nearest`` sums it."""
        vec, thresholds = self.vecs[other], self.thresholds
        score = 0.0
        for term, weight in itertools.islice(self.vecs[number].items(), QUERY_TERMS):
            other_weight = vec.get(term)
            if other_weight is not None and other_weight >= thresholds.get(term, -1.0):
                score = score + weight * other_weight
        return score


_SECOND = operator.itemgetter(1)
