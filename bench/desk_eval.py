"""`python bench/desk_eval.py [--n 10000] [--trials 2000]` (dev only): how well the desk vectors
(``generator/desk/vectors.py``) recommend, and what they cost. Figures go to bench/NOTES.md.

Papers: the bench corpus (``bench/make_corpus.py``, seed 42), with the topics the repository's ``site.toml`` rules
give them (the corpus's own topic labels are drawn at random, independent of the text, so they cannot be ground
truth); and the real papers of the seed listing (``bench/seed-listing.txt``), topics by the same rules.

1. For you: a simulated reader saves k = 3..5 papers of one topic, from outside the window; the window (the newest
   ``--window`` papers) is ranked by the cosine of the int8 vectors with the centroid of the saved vectors
   (each scaled to unit length first), or by the highest cosine with any saved vector. Reported: the mean share of
   the top ``--top`` that carry the reader's topic (precision@k), and what a random ranking gives.
2. Related papers: the share of related papers that share a topic with their paper, for ``related.py``'s lists
   and for the top 5 by int8 cosine (over papers with at least one topic).
3. Cost: ``desk_vectors`` from nothing at N, the update after 50 newer papers from the state, the state's pickle.
"""

from __future__ import annotations

import argparse
import datetime as dt
import pickle
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import make_corpus  # noqa: E402

from generator.config import load_config  # noqa: E402
from generator.desk.vectors import desk_vectors  # noqa: E402
from generator.site.related import related  # noqa: E402
from generator.site.topics import TopicMatcher  # noqa: E402


@dataclass(frozen=True)
class Doc:
    slug: str
    title: str
    abstract: str
    date: dt.date | None
    topics: frozenset[str]


def synthetic(n: int, seed: int, matcher: TopicMatcher) -> list[Doc]:
    """The bench corpus of ``n`` papers, topics by the site's rules."""
    records = make_corpus.generate(n, seed, make_corpus.DEFAULT_SEED_FILE)
    return [_doc(r["slug"], r["title"], r["abstract"], dt.date.fromisoformat(r["date"]), matcher) for r in records]


def real(matcher: TopicMatcher) -> list[Doc]:
    """The real papers of the seed listing, dated by their order in it (newest first there)."""
    records = make_corpus.parse_listing(make_corpus.DEFAULT_SEED_FILE)
    day = dt.date(2025, 1, 1)
    return [
        _doc(make_corpus.slugify(r["title"]), r["title"], r["abstract"], day - dt.timedelta(i), matcher)
        for i, r in enumerate(records)
    ]


def _doc(slug: str, title: str, abstract: str, date: dt.date, matcher: TopicMatcher) -> Doc:
    return Doc(slug, title, abstract, date, frozenset(matcher.match(title, abstract)))


def unit_matrix(docs: Sequence[Doc], vectors: dict[str, bytes]) -> np.ndarray[Any, Any]:
    """The int8 vectors of ``docs`` as float rows of unit length (zero rows stay zero), as the browser reads them."""
    matrix = np.array([np.frombuffer(vectors[d.slug], dtype=np.int8) for d in docs], dtype=np.float64)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1, norms)


def for_you(docs: Sequence[Doc], vectors: dict[str, bytes], window: int, top: int, trials: int, seed: int) -> None:
    """Simulated readers: precision@top of centroid and max over a window of the newest papers (``window`` 0:
    every paper the reader did not save, saved from all of them)."""
    ordered = sorted(docs, key=lambda d: (d.date or dt.date.min, d.slug))
    recent, older = (ordered[-window:], ordered[:-window]) if window else (ordered, ordered)
    topics = sorted({t for d in docs for t in d.topics})
    rng = random.Random(seed)
    scores: dict[str, list[float]] = {"centroid": [], "max": [], "random": []}
    for _ in range(trials):
        topic = rng.choice(topics)
        pool = [d for d in older if topic in d.topics]
        if len(pool) < 5:
            continue
        saved = rng.sample(pool, rng.randint(3, 5))
        candidates = [d for d in recent if d not in saved] if not window else recent
        recent_m, saved_m = unit_matrix(candidates, vectors), unit_matrix(saved, vectors)
        relevant = np.array([topic in d.topics for d in candidates])
        cosines = recent_m @ saved_m.T
        centroid = saved_m.mean(axis=0)
        by = {"centroid": recent_m @ centroid, "max": cosines.max(axis=1)}
        for name, score in by.items():
            best = np.lexsort((np.arange(len(candidates)), -score))[:top]  # ties by position, as a stable sort
            scores[name].append(float(relevant[best].mean()))
        scores["random"].append(float(relevant.mean()))
    for name, values in scores.items():
        print(f"  {name:9} precision@{top} = {np.mean(values):.3f}  ({len(values)} readers)")


def related_share(docs: Sequence[Doc], vectors: dict[str, bytes]) -> None:
    """The share of related papers sharing a topic: related.py's lists against the top 5 by int8 cosine."""
    by_slug = {d.slug: d for d in docs}
    started = time.perf_counter()
    lists = related(docs)
    print(f"  related.py: {time.perf_counter() - started:.1f} s")
    matrix = unit_matrix(docs, vectors)
    svd_lists: dict[str, list[str]] = {}
    for start in range(0, len(docs), 1000):
        block = matrix[start : start + 1000] @ matrix.T
        for row, doc in enumerate(docs[start : start + 1000]):
            block[row, start + row] = -np.inf
            best = np.lexsort((np.arange(len(docs)), -block[row]))[:5]
            svd_lists[doc.slug] = [docs[i].slug for i in best if block[row, i] > 0]
    for name, found in (("related.py", lists), ("int8 SVD top 5", svd_lists)):
        shared = [bool(by_slug[s].topics & d.topics) for d in docs if d.topics for s in found[d.slug]]
        print(f"  {name:15} shares a topic: {np.mean(shared):.3f}  ({len(shared)} pairs)")
    rng = random.Random(0)
    labelled = [d for d in docs if d.topics]
    pairs = [rng.sample(labelled, 2) for _ in range(20000)]
    print(f"  random pairs    share a topic: {np.mean([bool(a.topics & b.topics) for a, b in pairs]):.3f}")


def cost(docs: Sequence[Doc]) -> None:
    """desk_vectors from nothing, the update after 50 newer papers, and the state's size."""
    last = max(d.date for d in docs if d.date is not None)
    newer = [
        Doc(f"new-{i}", d.title, d.abstract + " new", last + dt.timedelta(1), d.topics) for i, d in enumerate(docs[:50])
    ]
    started, cpu = time.perf_counter(), time.process_time()
    state = desk_vectors(docs, None)
    full, full_cpu = time.perf_counter() - started, time.process_time() - cpu
    started, cpu = time.perf_counter(), time.process_time()
    updated = desk_vectors([*docs, *newer], state)
    update, update_cpu = time.perf_counter() - started, time.process_time() - cpu
    changed = sum(updated.vectors[slug] != vector for slug, vector in state.vectors.items())
    size = len(pickle.dumps(updated, protocol=pickle.HIGHEST_PROTOCOL))
    print(
        f"  from nothing at {len(docs)}: {full:.2f} s ({full_cpu:.2f} s CPU); +50 from the state: {update:.3f} s "
        f"({update_cpu:.3f} s CPU, {updated.transformed} "
        f"transformed, {changed} existing vectors changed); state pickle {size / 1e6:.2f} MB "
        f"({len(state.model.vocabulary)} terms)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--trials", type=int, default=2000)
    parser.add_argument("--window", type=int, default=1800)
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args()
    config, problems = load_config(HERE.parent / "site.toml")
    assert config is not None, problems
    matcher = TopicMatcher(config.topics)
    docs = synthetic(args.n, args.seed, matcher)
    print(f"bench corpus: {len(docs)} papers, {sum(1 for d in docs if d.topics)} with a topic")
    cost(docs)
    vectors = desk_vectors(docs, None).vectors
    print(f"for you, window of the newest {args.window}:")
    for_you(docs, vectors, args.window, args.top, args.trials, seed=1)
    print("related papers:")
    related_share(docs, vectors)
    papers = real(matcher)
    print(f"real papers (seed listing): {len(papers)}, {sum(1 for d in papers if d.topics)} with a topic")
    vectors = desk_vectors(papers, None).vectors
    print("for you, every paper not saved ranked:")
    for_you(papers, vectors, 0, 5, args.trials, seed=1)
    print("related papers:")
    related_share(papers, vectors)


if __name__ == "__main__":
    main()
