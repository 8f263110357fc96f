"""When file metadata may be trusted (``generator/incremental/metadata.py``): the one rule the content cache, the
up-to-date stamp and the staging folder's prune record all follow."""

from __future__ import annotations

import os
from pathlib import Path

from generator.incremental.metadata import RACY_NS, file_identity, settled


def test_settled_only_when_every_time_is_older_than_the_racy_window() -> None:
    now = 10 * RACY_NS
    assert settled(now - RACY_NS - 1, now_ns=now)
    assert not settled(now - RACY_NS, now_ns=now)  # exactly at the edge: not yet
    assert not settled(now - 5 * RACY_NS, now - RACY_NS // 2, now_ns=now)  # an old mtime, a recent ctime
    assert settled(now_ns=now)  # nothing to distrust


def test_a_file_just_written_is_not_settled_and_an_old_one_is(tmp_path: Path) -> None:
    file = tmp_path / "a.md"
    file.write_text("x")
    assert not settled(file.stat().st_mtime_ns)
    past = file.stat().st_mtime_ns - 10 * RACY_NS
    os.utime(file, ns=(past, past))
    assert settled(file.stat().st_mtime_ns)
    assert not settled(file.stat().st_mtime_ns, file.stat().st_ctime_ns)  # utime itself changed the change time


def test_identity_changes_with_the_bytes_size_and_times(tmp_path: Path) -> None:
    file = tmp_path / "a.md"
    file.write_text("x")
    before = file_identity(file.stat())
    file.write_text("xy")
    assert file_identity(file.stat()) != before
