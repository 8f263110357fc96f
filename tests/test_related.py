"""Related papers: TF-IDF cosine over title and abstract, deterministic, sensible on the seed content, stable when
newer papers are added, and updated incrementally to exactly what a computation from nothing gives."""

from __future__ import annotations

import datetime as dt
import heapq
import math
import pickle
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

import generator.site.related as related_module
from generator.config import load_config
from generator.incremental.cache import BuildCache
from generator.incremental.parallel import Background, Forked
from generator.site.assemble import assemble
from generator.site.load import load_papers
from generator.site.related import COUNT, Related, reference, reference_size, related, update_related
from generator.site.related_job import related_papers, with_related
from generator.site.terms import terms

ROOT = Path(__file__).resolve().parent.parent
DAY = dt.date(2024, 1, 1)


@dataclass(frozen=True)
class Doc:
    slug: str
    title: str
    abstract: str = ""
    date: dt.date | None = None


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
    from generator.site.assemble import assemble

    config, _problems = load_config(project / "site.toml", None, display="site.toml")
    assert config is not None
    site, _ = assemble(config, [])
    assert site.related == {}


def test_reference_is_the_oldest_papers_by_a_1_2_5_series(monkeypatch: pytest.MonkeyPatch) -> None:
    sizes = (0, 1, 99, 100, 199, 200, 499, 500, 999, 1000, 1050, 1999, 2000, 4999, 5000, 10049, 20000)
    assert [reference_size(n) for n in sizes] == [
        0, 1, 99, 100, 100, 200, 200, 500, 500, 1000, 1000, 1000, 2000, 2000, 5000, 10000, 20000,
    ]  # fmt: skip
    monkeypatch.setattr(related_module, "SMALL", 5)
    docs = [Doc(f"p{i}", "t", date=DAY + dt.timedelta(days=-i)) for i in range(7)] + [Doc("undated", "t")]
    ordered = sorted(docs, key=lambda d: d.slug)
    assert {ordered[i].slug for i in reference(ordered)} == {"undated", "p6", "p5", "p4", "p3"}
    ties = sorted([Doc(s, "t", date=DAY) for s in "fedcba"], key=lambda d: d.slug)
    assert [ties[i].slug for i in reference(ties)] == ["a", "b", "c", "d", "e"]


SERIES = [m * 10**e for e in range(9) for m in (1, 2, 5)]
"""Reference sizes from ``SMALL`` papers on."""


def straightforward(papers: list[Doc], count: int = COUNT) -> dict[str, tuple[str, ...]]:
    """The algorithm as the module text describes it, written plainly: the fast one must give the same bytes."""
    r = related_module
    ordered = sorted(papers, key=lambda p: p.slug)
    counts = [Counter(terms(p.title) * 2 + terms(p.abstract)) for p in ordered]
    oldest = sorted(range(len(ordered)), key=lambda i: (ordered[i].date or dt.date.min, ordered[i].slug))
    small = len(ordered) < r.SMALL
    ref = oldest[: len(ordered) if small else max(s for s in SERIES if s <= len(ordered))]
    df = Counter(term for i in ref for term in counts[i])
    n = len(ref)
    common = {t for t, d in df.items() if d > r.MAX_DF * n} if n >= 20 else set()
    vecs = []
    for counter in counts:
        weighted = sorted(
            (-(1.0 + math.log(c)) * (math.log((1 + n) / (1 + df[t])) + 1.0), t)
            for t, c in counter.items()
            if t not in common
        )[: r.KEEP]
        norm = math.sqrt(sum(w * w for w, _ in weighted)) or 1.0
        vecs.append({t: -w / norm for w, t in weighted})
    rank = r.POSTINGS if small else max(1, r.POSTINGS * n // min(s for s in SERIES if s > n))
    weights = defaultdict(list)
    for i in ref:
        for term, weight in vecs[i].items():
            weights[term].append(weight)
    threshold = {t: sorted(ws, reverse=True)[rank - 1] for t, ws in weights.items() if len(ws) >= rank}
    postings = defaultdict(list)
    for number, vec in enumerate(vecs):
        for term, weight in vec.items():
            if weight >= threshold.get(term, -math.inf):
                postings[term].append((number, weight))
    result = {}
    for number, vec in enumerate(vecs):
        partial: dict[int, float] = defaultdict(float)
        for term, weight in list(vec.items())[: r.QUERY_TERMS]:
            for other, other_weight in postings[term]:
                partial[other] += weight * other_weight
        partial.pop(number, None)
        pool = heapq.nsmallest(r.CANDIDATES, partial.items(), key=lambda item: (-item[1], item[0]))
        dots = [(-round(sum(w * vecs[o].get(t, 0.0) for t, w in vec.items()), 9), o) for o, _ in pool]
        best = sorted((s, o) for s, o in dots if -s >= r.MIN_SCORE)[:count]
        result[ordered[number].slug] = tuple(ordered[o].slug for _, o in best)
    return result


VOCABULARY = [f"w{i}" for i in range(300)] + ["memory", "agents", "agent", "models", "the", "of", "2024"]


def random_docs(rng: random.Random, size: int, first: int = 0, vocabulary: list[str] = VOCABULARY) -> list[Doc]:
    """Papers ``first``.. ``first + size - 1``, one day apart every 5 papers (some undated), random words."""
    return [
        Doc(
            f"p{rng.randrange(10**6):06d}-{i}",
            " ".join(rng.choices(vocabulary, k=rng.randint(1, 8))),
            " ".join(rng.choices(vocabulary, k=rng.randint(0, 80))),
            None if rng.random() < 0.02 else DAY + dt.timedelta(days=i // 5),
        )
        for i in range(first, first + size)
    ]


def test_same_as_straightforward_algorithm(monkeypatch: pytest.MonkeyPatch) -> None:
    seed, _ = load_papers(ROOT / "content" / "papers")
    docs = [Doc(p.slug, p.title, p.abstract, p.date) for p in seed]
    assert related(docs) == straightforward(docs)
    corpus = random_docs(random.Random(1), 400)  # the oldest 200 are the reference
    assert related(corpus) == straightforward(corpus)
    assert related(corpus, 3) == straightforward(corpus, 3)
    small = random_docs(random.Random(2), 60, vocabulary=VOCABULARY[:40])  # many ties
    assert related(small) == straightforward(small)
    monkeypatch.setattr(related_module, "SMALL", 10)  # the oldest 50 are the reference
    assert related(small) == straightforward(small)


def test_forked_scoring_gives_the_same_result(monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = random_docs(random.Random(2), 300)
    serial = update_related(corpus, None, jobs=1)
    monkeypatch.setattr(related_module, "PARALLEL_MIN", 10)
    assert related(corpus, jobs=2) == serial.result
    more = corpus + [replace(d, slug=d.slug + "b", title=d.title + " agents") for d in corpus[:150]]
    assert update_related(more, serial, jobs=2).result == update_related(more, None, jobs=1).result


def changed(rng: random.Random, docs: list[Doc], step: int) -> list[Doc]:
    """``docs`` after a random change: newer papers, backfilled older ones, removals, edits, new dates."""
    docs = list(docs)
    kind = rng.choice(["newer", "newer", "older", "remove", "edit", "date", "duplicate", "mix"])
    if kind in ("newer", "mix"):
        docs += random_docs(rng, rng.randint(1, 25), first=1000 + 100 * step)
    if kind == "older":
        docs += random_docs(rng, rng.randint(1, 3), first=-10)
    if kind in ("remove", "mix") and docs:
        for doc in rng.sample(docs, min(len(docs), rng.randint(1, 6))):
            docs.remove(doc)
    if kind in ("edit", "mix") and docs:
        i = rng.randrange(len(docs))
        docs[i] = replace(docs[i], title=docs[i].title + " memory agents")
    if kind == "date" and docs:
        i = rng.randrange(len(docs))
        docs[i] = replace(docs[i], date=DAY + dt.timedelta(days=rng.randint(-5, 50)))
    if kind == "duplicate" and docs:
        docs += [replace(d, slug=f"{d.slug}d{step}") for d in rng.sample(docs, min(len(docs), 4))]
    return docs


@pytest.mark.parametrize("seed", range(40))
def test_update_gives_what_scoring_from_nothing_gives(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(seed)
    settings = (("POSTINGS", [1, 3, 40]), ("CANDIDATES", [1, 4, 20]), ("QUERY_TERMS", [2, 10]), ("SMALL", [1, 10, 100]))
    for name, values in settings:
        monkeypatch.setattr(related_module, name, rng.choice(values))
    vocabulary = VOCABULARY[: rng.choice([15, 60, 300])]
    docs = random_docs(rng, rng.choice([0, 1, 4, 19, 45, 120, 240]), vocabulary=vocabulary)
    state = update_related(docs, None)
    for step in range(4):
        docs = changed(rng, docs, step)
        count = 3 if step == 3 and seed % 4 == 0 else COUNT
        state = pickle.loads(pickle.dumps(update_related(docs, state, count)))  # as the build cache keeps it
        assert state.result == related(docs, count), f"step {step}"
        assert list(state.result) == sorted(d.slug for d in docs)


def test_newer_papers_change_only_the_lists_they_enter() -> None:
    docs = random_docs(random.Random(3), 230)  # the oldest 200 are the reference
    before = update_related(docs, None)
    newer = random_docs(random.Random(4), 20, first=400)
    after = update_related(docs + newer, before)
    assert after.statistics is before.statistics  # so every existing paper's vector is the same
    assert all(after.vectors[d.slug] == before.vectors[d.slug] for d in docs)
    new = {d.slug for d in newer}
    moved = [d.slug for d in docs if after.result[d.slug] != before.result[d.slug]]
    assert moved and all(new.intersection(after.pools[slug][0]) for slug in moved)
    entered = [d.slug for d in docs if new.intersection(after.pools[d.slug][0])]
    assert after.scored == len(newer) + len(entered)  # the others were not scored again


def test_an_unrelated_newer_paper_changes_no_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(related_module, "SMALL", 10)  # the oldest 50 of the 59 seed papers are the reference
    seed, _ = load_papers(ROOT / "content" / "papers")
    first = related(seed)
    newest = max(p.date for p in seed if p.date) + dt.timedelta(days=1)
    other = Doc("quokka", "Quokka census on Rottnest", "Counting marsupials by drone over island scrubland.", newest)
    result = related([*seed, other])
    assert result.pop("quokka") == ()
    assert result == first


def test_reaching_the_next_reference_size_rescores_everything() -> None:
    docs = random_docs(random.Random(5), 198)
    state = update_related(docs, None)
    more = docs + random_docs(random.Random(6), 2, first=500)
    after = update_related(more, state)
    assert after.statistics.key != state.statistics.key and after.scored == 200
    assert after.result == related(more)


def test_update_related_reuses_the_state_of_the_last_build(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(related_module, "SMALL", 10)  # the oldest 50 of the 59 seed papers are the reference
    papers, _ = load_papers(ROOT / "content" / "papers")
    state = update_related(papers, None)
    first = state.result
    assert first == related(papers)
    assert state.scored == len(papers)
    state = update_related(list(reversed(papers)), state)
    assert state.result == first and state.scored == 0  # same content: nothing scored
    papers.sort(key=lambda p: (p.date or dt.date.min, p.slug))  # the newest last: not a reference paper
    edited = [*papers[:-1], replace(papers[-1], abstract=papers[-1].abstract + " memory")]
    state = update_related(edited, state)
    assert state.result == related(edited)
    assert 0 < state.scored < len(papers) // 2
    state = update_related(papers[:-1], state)
    assert state.result == related(papers[:-1])
    state = update_related(papers[1:], state)
    assert state.result == related(papers[1:])  # the oldest removed: other statistics
    assert state.scored == len(papers) - 1


def test_a_build_computes_related_papers_in_another_process_and_caches_their_state(tmp_path: Path) -> None:
    papers, _ = load_papers(ROOT / "content" / "papers")
    config, _ = load_config(ROOT / "site.toml", None, display="site.toml")
    assert config is not None
    site, _ = assemble(config, papers)
    assert site.related == {}
    cache = BuildCache(tmp_path)
    job = related_papers(site.papers, cache.related_state())
    assert isinstance(job, Background)  # no state yet: a fresh process computes every list
    site = with_related(site, job)
    assert site.related == related(site.papers)
    cache.save_content()  # keeps the state the job wrote
    state = cache.related_state().read()
    assert isinstance(state, Related) and state.result == site.related
    job = related_papers(site.papers, cache.related_state())
    assert isinstance(job, Forked)  # from the state, in a forked process
    assert with_related(site, job).related == site.related
    cache.save_content()
    state = cache.related_state().read()
    assert isinstance(state, Related) and state.scored == 0  # nothing changed: nothing scored again
    assert BuildCache(tmp_path, enabled=False).related_state().read() is None  # --no-cache reads none
