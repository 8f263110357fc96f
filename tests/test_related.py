"""Related papers: TF-IDF cosine over title and abstract, deterministic, sensible on the seed content."""

from __future__ import annotations

import heapq
import itertools
import math
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

import generator.related as related_module
from generator.cache import ContentCache
from generator.related import COUNT, corpus_key, related, terms
from generator.site import load_papers, related_papers

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Doc:
    slug: str
    title: str
    abstract: str = ""


def test_terms_drop_stop_words_and_fold_plurals() -> None:
    assert terms("The Memories of LLMs, and 2 agents' tools") == ["memorie", "llms", "agent", "tool"]


def test_most_similar_first_and_ties_by_slug() -> None:
    docs = [
        Doc("a", "Episodic memory for agents", "Agents store episodic memory."),
        Doc("b", "Episodic memory for agents", "Agents store episodic memory."),
        Doc("c", "Episodic memory for agents", "Agents store episodic memory."),
        Doc("d", "Gaussian splatting", "Radiance fields rendered fast."),
        Doc("e", "Gaussian splatting for radiance fields", "Splatting renders radiance fields."),
    ]
    result = related(docs)
    assert result["a"] == ("b", "c")
    assert result["b"] == ("a", "c")
    assert result["d"] == ("e",)
    assert set(result) == {"a", "b", "c", "d", "e"}


def test_stable_across_runs_and_input_order() -> None:
    papers, _ = load_papers(ROOT / "content" / "papers")
    first = related(papers)
    shuffled = list(papers)
    random.Random(7).shuffle(shuffled)
    assert related(shuffled) == first
    assert all(len(v) <= 5 and slug not in v for slug, v in first.items())


def test_seed_memos_papers_point_at_each_other() -> None:
    papers, _ = load_papers(ROOT / "content" / "papers")
    result = related(papers)
    one = "memos-a-memory-os-for-ai-system"
    two = "memos-an-operating-system-for-memory-augmented-generation-mag-in-large-language"
    assert result[one][0] == two
    assert result[two][0] == one


def test_site_carries_related(project: Path) -> None:
    from generator.config import load_config
    from generator.site import assemble

    config, _problems = load_config(project / "site.toml", None, display="site.toml")
    assert config is not None
    site, _ = assemble(config, [])
    assert site.related == {}


def reference(papers: list[Doc], count: int = COUNT) -> dict[str, tuple[str, ...]]:
    """The straightforward form of the algorithm (as first written): the fast one must give the same bytes."""
    r = related_module
    ordered = sorted(papers, key=lambda p: p.slug)
    counts = [Counter(terms(p.title) * 2 + terms(p.abstract)) for p in ordered]
    df: Counter[str] = Counter()
    for counter in counts:
        df.update(counter.keys())
    n = len(ordered)
    common = {t for t, d in df.items() if d > r.MAX_DF * n} if n >= 20 else set()
    idf = {t: math.log((1 + n) / (1 + d)) + 1.0 for t, d in df.items()}
    vecs = []
    for counter in counts:
        weighted = sorted((-(1.0 + math.log(c)) * idf[t], t) for t, c in counter.items() if t not in common)[: r.KEEP]
        norm = math.sqrt(sum(w * w for w, _ in weighted)) or 1.0
        vecs.append({t: -w / norm for w, t in weighted})
    full: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for number, vec in enumerate(vecs):
        for term, weight in vec.items():
            full[term].append((weight, number))
    index = {}
    for term, postings in full.items():
        if len(postings) >= 2:
            top = heapq.nsmallest(r.POSTINGS, postings, key=lambda wn: (-wn[0], wn[1]))
            index[term] = [(number, weight) for weight, number in sorted(top, key=lambda wn: wn[1])]
    result = {}
    for number, vec in enumerate(vecs):
        partial: dict[int, float] = defaultdict(float)
        for term, weight in itertools.islice(vec.items(), r.QUERY_TERMS):
            for other, other_weight in index.get(term, ()):
                partial[other] += weight * other_weight
        partial.pop(number, None)
        candidates = heapq.nlargest(r.CANDIDATES, partial.items(), key=lambda item: item[1])
        dots = [(-round(sum(w * vecs[o].get(t, 0.0) for t, w in vec.items()), 9), o) for o, _ in candidates]
        best = heapq.nsmallest(count, [(s, o) for s, o in dots if -s >= r.MIN_SCORE])
        result[ordered[number].slug] = tuple(ordered[o].slug for _, o in best)
    return result


def random_corpus(size: int, seed: int) -> list[Doc]:
    rng = random.Random(seed)
    vocabulary = [f"w{i}" for i in range(300)] + ["memory", "agents", "agent", "models", "the", "of", "2024"]
    return [
        Doc(
            f"p{i:04d}",
            " ".join(rng.choices(vocabulary, k=rng.randint(2, 8))),
            " ".join(rng.choices(vocabulary, k=rng.randint(0, 80))),
        )
        for i in range(size)
    ]


def test_same_as_straightforward_algorithm() -> None:
    seed, _ = load_papers(ROOT / "content" / "papers")
    docs = [Doc(p.slug, p.title, p.abstract) for p in seed]
    assert related(docs) == reference(docs)
    corpus = random_corpus(400, 1)
    assert related(corpus) == reference(corpus)
    assert related(corpus, 3) == reference(corpus, 3)


def test_forked_scoring_gives_the_same_result(monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = random_corpus(300, 2)
    serial = related(corpus, jobs=1)
    monkeypatch.setattr(related_module, "PARALLEL_MIN", 10)
    assert related(corpus, jobs=2) == serial


def test_result_is_cached_by_titles_and_abstracts(monkeypatch: pytest.MonkeyPatch) -> None:
    papers, _ = load_papers(ROOT / "content" / "papers")
    cache = ContentCache()
    first = related_papers(papers, cache)
    assert cache.related_key == corpus_key(papers) and first == related(papers)
    calls = []
    monkeypatch.setattr("generator.site.related", lambda ps: calls.append(1) or related(ps))
    assert related_papers(list(reversed(papers)), cache) == first  # same content: reused
    assert calls == []
    changed = [replace(papers[0], abstract=papers[0].abstract + " more"), *papers[1:]]
    assert corpus_key(changed) != corpus_key(papers)
    assert related_papers(changed, cache) == related(changed)
    assert calls == [1]
    assert related_papers(papers[1:], None) == related(papers[1:])
