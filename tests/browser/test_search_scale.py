"""Search at 10,000 papers (marked ``scale``: left out of ``make test``, run by ``make bench``, or with
``pytest -m scale tests/browser/test_search_scale.py``). The bench corpus (``bench/make_corpus.py``, HF API listings)
is ingested and built with its search index in shards, and ``bench/search.py``'s queries are run in Chromium: no
failed request and no console error on any of them, and the exact count for every query without words (checked
against the content files). Times are the bench's to report, never asserted here."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.config import load_config

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import project as bench_project  # noqa: E402
import run as bench_run  # noqa: E402
import search as bench_search  # noqa: E402

N = int(os.environ.get("PAPERSITE_SCALE_N", "10000"))

pytest.importorskip("playwright")


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
