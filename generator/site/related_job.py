"""The related papers as a background job: started when the content is read, taken when paper pages need it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from generator.incremental.cache import StateFile
from generator.incremental.parallel import Background, Forked
from generator.model import Paper
from generator.site.assemble import Site
from generator.site.related import Lists, Related, update_related
from generator.site.terms import Document


@dataclass(frozen=True, slots=True)
class RelatedInput:
    """What ``related.update_related`` reads of a paper: a small record to send to another process."""

    slug: str
    title: str
    abstract: str
    date: date | None


def related_papers(papers: Sequence[Paper], state: StateFile | None) -> Background[Lists] | Forked[Lists]:
    """Start computing the related papers of ``papers`` (in the site's order: ties go to the first) in another
    process (``with_related`` takes the result), which reads and writes their cached ``state``.
    When there is a state to start from, only the papers whose lists may differ are scored, in a forked process: it
    starts with the papers in its memory (sending them to a new process costs more than such an update)."""
    if state is not None and state.path is not None and state.path.exists():
        return Forked(relate, papers, state)
    return Background(relate, [RelatedInput(p.slug, p.title, p.abstract, p.date) for p in papers], state)


def relate(papers: Sequence[Document], state: StateFile | None) -> Lists:
    """The related papers of ``papers``, updated from the state ``state`` holds, to which the new state is written
    (the build needs only the lists)."""
    previous = state.read() if state is not None else None
    updated = update_related(papers, previous if isinstance(previous, Related) else None)
    if state is not None:
        state.write(updated)
    return updated.result


def with_related(site: Site, job: Background[Lists] | Forked[Lists]) -> Site:
    """``site`` with its related papers, once ``job`` is done."""
    return replace(site, related=job.result())
