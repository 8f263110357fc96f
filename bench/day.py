"""The daily run's new day: one 50-paper HF API listing (records N..N+49 of the corpus generator, all listed on
``EXTRA_DAY``), added to a bench project before the timed run and taken away after it."""

from __future__ import annotations

import shutil
from pathlib import Path

import make_corpus

SEED = 42
"""The corpus generator's seed (``bench/run.py`` and the shared kit use the same)."""
EXTRA_DAY = "2026-07-01"
"""The day of the extra 50-paper listing (the corpus spans 2021-01-01 .. 2026-06-30)."""


def extra_listing(n: int) -> list[dict[str, object]]:
    """50 new papers (records N..N+49 of the same generator), all listed on ``EXTRA_DAY``."""
    records = list(make_corpus.generate(n + 50, SEED, make_corpus.DEFAULT_SEED_FILE))[n:]
    return [{**r, "date": EXTRA_DAY} for r in records]


def listing_file(folder: Path) -> Path:
    return folder / "content" / "listings" / f"hf-daily-{EXTRA_DAY}.json"


def add_day(folder: Path, n: int) -> set[str]:
    """Save the new day's listing into the project ``folder`` of ``n`` papers; the content files there before."""
    papers = folder / "content" / "papers"
    before = {p.name for p in papers.iterdir()}
    scratch = folder / ".extra"
    make_corpus.write_hf_api(extra_listing(n), str(scratch))
    shutil.move(scratch / "content" / "listings" / listing_file(folder).name, listing_file(folder))
    shutil.rmtree(scratch)
    return before


def remove_day(folder: Path, before: set[str]) -> None:
    """Take the day's listing and the content files it made away again (then ingest and build, as the caller
    does)."""
    listing_file(folder).unlink()
    papers = folder / "content" / "papers"
    for name in {p.name for p in papers.iterdir()} - before:
        (papers / name).unlink()
