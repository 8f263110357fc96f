"""A job over the papers' text in another process, keeping a state between builds: the related papers
(``related_job.py``) and the desk's vectors (``desk/vectors_job.py``). Started when the content is read, taken when
its result is needed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from generator.incremental.cache import StateFile
from generator.incremental.parallel import Background, Forked
from generator.model import Paper
from generator.site.terms import Document

State = TypeVar("State")
Result = TypeVar("Result")


@dataclass(frozen=True, slots=True)
class TextInput:
    """What a text job reads of a paper: a small record to send to another process."""

    slug: str
    title: str
    abstract: str
    date: date | None


def start_text_job(
    update: Callable[[Sequence[Document], Any], State],
    kind: type[State],
    result: Callable[[State], Result],
    papers: Sequence[Paper],
    state: StateFile | None,
) -> Background[Result] | Forked[Result]:
    """Start ``update(papers, previous)`` in another process, where ``previous`` is the ``kind`` record ``state``
    holds (else None); the new state is written back, and ``result()`` gives ``result(new state)``. ``update``
    and ``result`` must be module-level (a fresh process reads them by name). From a state, the job runs in a forked
    process that starts with the papers in its memory (sending them costs more than such an update); from nothing,
    in a fresh process sent only what the job reads of each paper."""
    if state is not None and state.path is not None and state.path.exists():
        return Forked(run_text_job, update, kind, result, papers, state)
    inputs = [TextInput(p.slug, p.title, p.abstract, p.date) for p in papers]
    return Background(run_text_job, update, kind, result, inputs, state)


def run_text_job(
    update: Callable[[Sequence[Document], Any], State],
    kind: type[State],
    result: Callable[[State], Result],
    papers: Sequence[Document],
    state: StateFile | None,
) -> Result:
    """What ``start_text_job`` runs: ``update`` from the state ``state`` holds (when it is a ``kind``), the new
    state written back."""
    previous = state.read() if state is not None else None
    updated = update(papers, previous if isinstance(previous, kind) else None)
    if state is not None:
        state.write(updated)
    return result(updated)
