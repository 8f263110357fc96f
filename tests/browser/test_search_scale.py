"""Search at 10,000 papers, on the bench corpus (``bench/make_corpus.py``).

``test_topics_and_years_alone_at_10k_are_exact_and_clean`` runs in ``make test``: the corpus written as content
files and built without a search index (``--no-search``: a topic or a year without words reads the list pages, so
this proves it needs no Pagefind file), then ``bench/search.py``'s queries without words in Chromium: no failed
request, no console error, no Pagefind request, and the exact count of every query, checked against the content
files. About a minute.

``test_every_query_at_scale_is_complete_and_clean`` (marked ``scale``: left out of ``make test``, run by
``make bench``, or with ``pytest -m scale tests/browser/test_search_scale.py``) ingests and builds the corpus with its
search index in shards and runs every one of the bench's queries, words too. Times are the bench's to report, never
asserted here."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from generator.config import load_config

if TYPE_CHECKING:
    from playwright.sync_api import Browser

    from tests.browser.conftest import Served

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import project as bench_project  # noqa: E402
import run as bench_run  # noqa: E402
import search as bench_search  # noqa: E402

N = int(os.environ.get("PAPERSITE_SCALE_N", "10000"))

WITHOUT_WORDS = ("topic", "year", "topic+year")
"""The kinds of ``bench/search.py``'s queries that have no words."""


def test_topics_and_years_alone_at_10k_are_exact_and_clean(site_10k: tuple[Served, Path], browser: Browser) -> None:
    served, folder = site_10k
    assert not (served.directory / "pagefind").exists()
    counts = bench_search.expected_counts(folder)
    queries = [(kind, query) for kind, query in bench_search.QUERIES if kind in WITHOUT_WORDS]
    rows = [bench_search.run_query(browser, served.base_url, kind, query) for kind, query in queries]
    for row in rows:
        row.expected = bench_search.expected(row.query, counts)
    print("\n".join(bench_search.table(rows, N)))
    for row in rows:
        assert not row.failed and not row.errors, (row.query, row.failed[:5], row.errors[:5])
        assert not [url for url in row.urls if "/pagefind" in url], row.query
        assert row.expected, row.query  # a query the corpus has papers for
        assert row.shown == row.expected, row.query
    assert {row.kind for row in rows} == set(WITHOUT_WORDS)


@pytest.mark.scale
def test_every_query_at_scale_is_complete_and_clean(tmp_path: Path) -> None:
    folder = bench_run.prepare(N, tmp_path)
    env = {**os.environ, "SOURCE_DATE_EPOCH": bench_project.EPOCH, "PYTHONPATH": str(ROOT)}
    for command in ("ingest", "build"):
        done = subprocess.run([sys.executable, "-m", "generator", command], cwd=folder, env=env, check=False)
        assert done.returncode == 0, command
    config, _ = load_config(folder / "site.toml")
    assert config is not None
    rows = bench_search.measure(folder / "site", config.base_path, folder)
    print("\n".join(bench_search.table(rows, N)))
    for row in rows:
        assert not row.failed and not row.errors, (row.query, row.failed[:5], row.errors[:5])
        if row.expected is not None:
            assert row.shown == row.expected, row.query
    assert {row.kind for row in rows if row.expected is not None} >= {"topic", "year", "topic+year"}
