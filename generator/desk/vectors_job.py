"""The desk vectors as a background job: started when the content is read, taken when the desk files are written."""

from __future__ import annotations

from collections.abc import Sequence

from generator.desk.vectors import DeskState, Vectors, desk_vectors
from generator.incremental.cache import StateFile
from generator.incremental.parallel import Background, Forked
from generator.model import Paper
from generator.site.related_job import RelatedInput
from generator.site.terms import Document


def start_vectors(papers: Sequence[Paper], state: StateFile | None) -> Background[Vectors] | Forked[Vectors]:
    """Start computing the desk vectors of ``papers`` in another process (``result()`` takes them), which reads
    and writes their cached ``state`` (``BuildCache.desk_state``). From a state, only new and edited texts are
    transformed, in a forked process that starts with the papers in its memory; from nothing, the model is fitted
    in a fresh process, sent what the vectors read of each paper (the same record the related papers use)."""
    if state is not None and state.path is not None and state.path.exists():
        return Forked(vectorise, papers, state)
    return Background(vectorise, [RelatedInput(p.slug, p.title, p.abstract, p.date) for p in papers], state)


def vectorise(papers: Sequence[Document], state: StateFile | None) -> Vectors:
    """The desk vectors of ``papers``, updated from the state ``state`` holds, to which the new state is written
    (the build needs only the vectors)."""
    previous = state.read() if state is not None else None
    updated = desk_vectors(papers, previous if isinstance(previous, DeskState) else None)
    if state is not None:
        state.write(updated)
    return updated.vectors
