"""The related papers as a background job: started when the content is read, taken when paper pages need it."""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import replace

from generator.incremental.cache import StateFile
from generator.incremental.parallel import Background, Forked
from generator.model import Paper
from generator.site.assemble import Site
from generator.site.related import Lists, Related, update_related
from generator.site.text_job import start_text_job


def related_papers(papers: Sequence[Paper], state: StateFile | None) -> Background[Lists] | Forked[Lists]:
    """Start computing the related papers of ``papers`` (in the site's order: ties go to the first) in another
    process (``with_related`` takes the result), which reads and writes their cached ``state``. From a state, only
    the papers whose lists may differ are scored."""
    return start_text_job(update_related, Related, operator.attrgetter("result"), papers, state)


def with_related(site: Site, job: Background[Lists] | Forked[Lists]) -> Site:
    """``site`` with its related papers, once ``job`` is done."""
    return replace(site, related=job.result())
