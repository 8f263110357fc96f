"""Rendering on several processes gives the same site as rendering in one."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from test_incremental import make_project, tree

from generator import parallel
from generator.build import build
from generator.parallel import Background, Inbox


def square(number: int) -> int:
    return number * number


def test_run_jobs_keeps_job_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "CHUNK", 3)
    assert parallel.run_jobs(50, square, jobs=2, min_jobs=1) == [n * n for n in range(50)]


@pytest.mark.parametrize("jobs", [1, 2])
def test_run_jobs_reports_each_finished_prefix(monkeypatch: pytest.MonkeyPatch, jobs: int) -> None:
    monkeypatch.setattr(parallel, "CHUNK", 4)
    seen: list[tuple[int, int]] = []
    finished: list[int] = []

    def work(number: int) -> int:
        finished.append(number)  # in this process only when serial
        return number

    def done(count: int) -> None:
        seen.append((count, len(finished)))

    assert parallel.run_jobs(10, work, jobs=jobs, min_jobs=1, done=done) == list(range(10))
    assert [count for count, _ in seen] == [4, 8, 10]  # growing prefixes, by chunk, up to every job
    if jobs == 1:
        assert all(count <= ran for count, ran in seen)  # never before those jobs ran


def test_a_failing_job_raises_its_own_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "CHUNK", 3)

    def work(number: int) -> int:
        if number == 17:
            raise ValueError("job 17 is broken")
        return number

    with pytest.raises(ValueError, match="job 17 is broken"):
        parallel.run_jobs(30, work, jobs=2, min_jobs=1)


def test_parallel_site_is_identical_to_serial(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1770422400")
    monkeypatch.setattr(parallel, "CHUNK", 4)
    monkeypatch.setattr(parallel, "MIN_PARALLEL_JOBS", 1)
    serial = make_project(tmp_path / "serial", count=40)
    forked = make_project(tmp_path / "forked", count=40)
    assert build(serial, use_cache=False, search=False, jobs=1).ok
    assert build(forked, use_cache=False, search=False, jobs=2).ok
    assert tree(serial / "site") == tree(forked / "site")


def pid_and(value: object) -> tuple[int, object]:
    return os.getpid(), value


def fail(message: str) -> None:
    raise ValueError(message)


def sleep_then_write(seconds: float, marker: Path) -> None:
    time.sleep(seconds)
    marker.write_text("x")


def test_background_returns_the_value_of_work_done_in_another_process() -> None:
    pid, value = Background(pid_and, [1, 2, 3]).result()
    assert value == [1, 2, 3]
    assert pid != os.getpid()


def test_background_raises_the_error_of_its_work() -> None:
    with pytest.raises(ValueError, match="no index for you"):
        Background(fail, "no index for you").result()


def read_inbox(inbox: Inbox, marker: Path) -> list[str]:
    marker.write_text("started")
    return list(inbox)


def test_background_reads_messages_sent_after_it_started(tmp_path: Path) -> None:
    inbox = Inbox()
    marker = tmp_path / "started"
    job = Background(read_inbox, inbox, marker)
    for _ in range(600):  # the job is running (and waiting for messages) before any is sent
        if marker.exists():
            break
        time.sleep(0.05)
    assert marker.exists()
    inbox.send("pagefind-2024")
    inbox.send("pagefind ünïcode")
    assert job.result() == ["pagefind-2024", "pagefind ünïcode"]  # result() ends the messages
    inbox.send("too late")  # the job is gone: nothing happens


def test_background_cancel_stops_the_child(tmp_path: Path) -> None:
    marker = tmp_path / "finished"
    job = Background(sleep_then_write, 30, marker)
    job.cancel()  # returns once the child is gone, long before it would have slept its 30 s
    assert not marker.exists()
