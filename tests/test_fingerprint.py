"""Page fingerprints (``generator/incremental/fingerprint.py``): equal contexts give equal fingerprints, any change
gives another, and the memos keyed by object identity never answer for another object."""

from __future__ import annotations

import gc
from dataclasses import replace
from datetime import date

from generator.incremental.fingerprint import Fingerprint
from generator.model import Paper


def paper(slug: str = "a", title: str = "A title") -> Paper:
    return Paper(slug=slug, title=title, abstract="Text.", path=f"content/papers/{slug}.md", listed=date(2026, 2, 6))


def test_equal_contexts_give_equal_fingerprints_and_changes_give_others() -> None:
    first, second = Fingerprint("salt"), Fingerprint("salt")
    context = {"paper": paper(), "related": (paper("b"),), "count": 3}
    assert first.of("paper.html", "papers/a/", context) == second.of("paper.html", "papers/a/", dict(context))
    assert first.of("paper.html", "papers/a/", {**context, "count": 4}) != first.of("paper.html", "papers/a/", context)
    assert Fingerprint("other").of("paper.html") != first.of("paper.html")


def test_a_memo_keyed_by_identity_never_answers_for_a_new_object() -> None:
    """The memo holds each paper it hashed, so its id is not reused while the entry lives; a different paper at a
    reused id (once the old one is gone) is hashed afresh."""
    fingerprint = Fingerprint("salt")
    old = paper(title="Old title")
    before = fingerprint.of(old)
    changed = replace(old, title="New title")
    assert fingerprint.of(changed) != before
    assert fingerprint.of(changed) == Fingerprint("salt").of(changed)
    for _ in range(1000):  # new papers, some of which may take ids that were freed
        fresh = paper(title=f"Title {_}")
        assert fingerprint.of(fresh) == Fingerprint("salt").of(fresh)
        del fresh
        gc.collect(0)


def test_long_tuples_are_memoised_by_identity_and_still_compared_by_value() -> None:
    fingerprint = Fingerprint("salt")
    papers = tuple(paper(f"p{n}") for n in range(40))
    first = fingerprint.of(papers)
    assert fingerprint.of(tuple(papers)) == first  # the same object
    assert fingerprint.of((*papers[:-1], paper("other"))) != first
    assert fingerprint.of(tuple(list(papers))) == first  # an equal tuple made anew
