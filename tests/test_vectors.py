"""Desk vectors: DIMS int8 bytes per paper, byte-identical run to run and process to process, fitted on the
reference papers so that newer papers leave every existing vector as it was, updated from a cached state to exactly
what computing from nothing gives, and good enough that a reader's saved papers find their topic."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from generator.desk.vectors import DIMS, DeskState, desk_vectors, transform
from generator.desk.vectors_job import start_vectors
from generator.incremental.cache import BuildCache
from generator.incremental.parallel import Background, Forked

DAY = dt.date(2024, 1, 1)
TOPICS = {
    "memory": "episodic memory retrieval hippocampus recall consolidation replay buffer forgetting storage trace",
    "vision": "image pixel segmentation convolution detection camera texture depth optical rendering",
    "speech": "audio speech phoneme acoustic spectrogram speaker waveform prosody transcription vocoder",
}
COMMON = "model learning training evaluation benchmark performance task data framework experiment"


@dataclass(frozen=True)
class Doc:
    slug: str
    title: str
    abstract: str
    date: dt.date | None
    topic: str = ""


def corpus(per_topic: int = 40, seed: int = 1, start: int = 0) -> list[Doc]:
    """``per_topic`` papers of each topic, dated one a day from ``DAY + start`` (topics interleaved): a title of
    three topic words, an abstract of topic words and words every topic uses."""
    rng = random.Random(seed)
    docs = []
    for i in range(per_topic * len(TOPICS)):
        topic = sorted(TOPICS)[i % len(TOPICS)]
        words, common = TOPICS[topic].split(), COMMON.split()
        title = " ".join(rng.sample(words, 3))
        abstract = " ".join(rng.choice(words) if rng.random() < 0.5 else rng.choice(common) for _ in range(30))
        day = DAY + dt.timedelta(days=start + i)
        docs.append(Doc(f"{topic}-{start + i:04d}", title, abstract, day, topic))
    return docs


def cosine(a: bytes, b: bytes) -> float:
    x, y = np.frombuffer(a, dtype=np.int8).astype(float), np.frombuffer(b, dtype=np.int8).astype(float)
    return float(x @ y / (np.linalg.norm(x) * np.linalg.norm(y) or 1.0))


def test_two_runs_give_identical_bytes_and_every_vector_has_dims_bytes() -> None:
    docs = [*corpus(), Doc("empty", "", "", DAY), Doc("unknown", "zzzz", "qqqq", DAY)]
    first, second = desk_vectors(docs, None), desk_vectors(list(reversed(docs)), None)
    assert first.vectors == second.vectors
    assert list(first.vectors) == sorted(d.slug for d in docs)
    assert {len(v) for v in first.vectors.values()} == {DIMS}
    assert first.vectors["empty"] == first.vectors["unknown"] == bytes(DIMS)
    assert sum(v != bytes(DIMS) for v in first.vectors.values()) == len(docs) - 2


def test_a_reference_too_small_for_dims_pads_with_zeros() -> None:
    docs = [Doc("a", "memory recall", "episodic memory", DAY), Doc("b", "image pixel", "camera depth", DAY)]
    vectors = desk_vectors(docs, None).vectors
    assert {len(v) for v in vectors.values()} == {DIMS}
    assert all(v[1:] == bytes(DIMS - 1) for v in vectors.values())  # two papers: one component
    assert desk_vectors([], None).vectors == {}


def test_a_vector_depends_only_on_its_text_and_the_model() -> None:
    docs = corpus()
    state = desk_vectors(docs, None)
    assert transform(state.model, [(d.title, d.abstract) for d in docs]) == [state.vectors[d.slug] for d in docs]
    one = transform(state.model, [(docs[5].title, docs[5].abstract)])
    assert one == [state.vectors[docs[5].slug]]


def test_newer_papers_leave_every_existing_vector_byte_identical() -> None:
    docs = corpus()  # 120 papers: the 100 oldest are the reference
    before = desk_vectors(docs, None)
    newer = corpus(per_topic=10, seed=2, start=len(docs))  # 150 papers: still 100 in the reference
    after = desk_vectors(docs + newer, before)
    assert after.model is before.model
    assert after.transformed == len(newer)
    assert all(after.vectors[slug] == vector for slug, vector in before.vectors.items())
    assert desk_vectors(docs + newer, None).vectors == after.vectors


def test_editing_a_reference_paper_fits_the_model_again() -> None:
    docs = corpus()
    before = desk_vectors(docs, None)
    edited = [replace(docs[0], abstract=docs[0].abstract + " spectrogram depth hippocampus"), *docs[1:]]
    after = desk_vectors(edited, before)
    assert after.model.key != before.model.key
    assert after.transformed == len(docs)
    assert sum(after.vectors[d.slug] != before.vectors[d.slug] for d in docs[1:]) > len(docs) // 2
    # a paper outside the reference is transformed, not fitted
    newest = [*docs[:-1], replace(docs[-1], abstract="episodic memory")]
    assert desk_vectors(newest, before).transformed == 1


def test_a_cached_state_gives_what_computing_from_nothing_gives() -> None:
    docs = corpus()
    state = desk_vectors(docs, None)
    changed = [*docs[:110], replace(docs[115], title="audio speech"), *corpus(per_topic=3, seed=5, start=200)]
    updated = desk_vectors(changed, state)
    assert updated.transformed == 1 + 9
    fresh = desk_vectors(changed, None)
    assert updated.vectors == fresh.vectors
    assert updated.known == fresh.known  # removed papers' texts are forgotten
    # reaching the next reference size (200) fits again, as from nothing
    grown = docs + corpus(per_topic=30, seed=6, start=300)
    assert desk_vectors(grown, state).vectors == desk_vectors(grown, None).vectors


def test_the_centroid_of_saved_papers_finds_their_topic() -> None:
    docs = corpus()
    vectors = desk_vectors(docs, None).vectors
    saved = [d for d in docs if d.topic == "memory"][:3]
    centroid = np.mean([np.frombuffer(vectors[d.slug], dtype=np.int8) / 127.0 for d in saved], axis=0)
    target = np.rint(centroid * 127 / np.abs(centroid).max()).astype(np.int8).tobytes()
    others = [d for d in docs if d not in saved]
    ranked = sorted(others, key=lambda d: (-cosine(target, vectors[d.slug]), d.slug))
    assert [d.topic for d in ranked[:10]] == ["memory"] * 10


def test_the_job_computes_in_another_process_what_this_one_does(tmp_path: Path) -> None:
    docs = corpus()
    expected = desk_vectors(docs, None).vectors
    state = BuildCache(tmp_path).desk_state()
    job = start_vectors(docs, state)  # type: ignore[arg-type]  # a Doc reads as a Paper here
    assert isinstance(job, Background)
    assert job.result() == expected
    state.pending.replace(state.path)  # type: ignore[arg-type]  # what save_content does
    newer = corpus(per_topic=2, seed=3, start=len(docs))
    update = start_vectors(docs + newer, state)  # type: ignore[arg-type]
    assert isinstance(update, Forked)
    assert update.result() == desk_vectors(docs + newer, None).vectors
    written = BuildCache(tmp_path).desk_state()
    written.pending.replace(written.path)  # type: ignore[arg-type]
    kept = written.read()
    assert isinstance(kept, DeskState) and kept.transformed == len(newer)


def test_save_content_keeps_the_state_the_job_wrote(tmp_path: Path) -> None:
    cache = BuildCache(tmp_path)
    state = cache.desk_state()
    assert state.read() is None
    desk = desk_vectors(corpus(per_topic=2), None)
    state.write(desk)
    cache.save_content()
    kept = BuildCache(tmp_path).desk_state().read()
    assert isinstance(kept, DeskState) and kept.vectors == desk.vectors
    assert not state.pending.exists()
    assert BuildCache(tmp_path, enabled=False).desk_state().read() is None
