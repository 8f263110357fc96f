"""The desk vectors as a background job: started when the content is read, taken when the desk files are written."""

from __future__ import annotations

import operator
from collections.abc import Sequence

from generator.desk.vectors import DeskState, Vectors, desk_vectors
from generator.incremental.cache import StateFile
from generator.incremental.parallel import Background, Forked
from generator.model import Paper
from generator.site.text_job import start_text_job


def start_vectors(papers: Sequence[Paper], state: StateFile | None) -> Background[Vectors] | Forked[Vectors]:
    """Start computing the desk vectors of ``papers`` in another process (``result()`` takes them), which reads
    and writes their cached ``state`` (``BuildCache.desk_state``). From a state, only new and edited texts are
    transformed; from nothing, the model is fitted."""
    return start_text_job(desk_vectors, DeskState, operator.attrgetter("vectors"), papers, state)
