"""Rendering on several processes gives the same site as rendering in one."""

from __future__ import annotations

import gc
import multiprocessing
import os
import time
from pathlib import Path

import pytest
from test_incremental import make_project, tree

from generator.build import build
from generator.incremental import parallel
from generator.incremental.memory import frozen
from generator.incremental.parallel import Background, Forked, Helper


def square(number: int) -> int:
    return number * number


def test_run_jobs_keeps_job_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "CHUNK", 3)
    assert parallel.run_jobs(50, square, jobs=2, min_jobs=1) == [n * n for n in range(50)]


def test_a_failing_job_raises_its_own_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "CHUNK", 3)

    def work(number: int) -> int:
        if number == 17:
            raise ValueError("job 17 is broken")
        return number

    with pytest.raises(ValueError, match="job 17 is broken"):
        parallel.run_jobs(30, work, jobs=2, min_jobs=1)


@pytest.mark.slow
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


def loaded(module: str) -> bool:
    import sys

    return module in sys.modules


@pytest.mark.slow
def test_a_helper_imports_its_modules_before_its_job_and_runs_the_job_it_is_handed() -> None:
    helper = Helper("pagefind.service")  # which nothing the job unpickles imports
    forked = Forked(time.sleep, 60)  # holds the helper's stdin open: the job must not wait for it to close
    started = time.monotonic()
    assert Background(loaded, "pagefind.service", helper=helper).result() is True
    assert time.monotonic() - started < 30  # (not a speed goal: waiting for the close would take the whole 60 s)
    assert Background(loaded, "pagefind.service").result() is False  # a plain job's process imports nothing more
    forked.cancel()
    with pytest.raises(AssertionError, match="already has a job"):
        Background(loaded, "generator", helper=helper)


def test_a_helper_without_a_job_stops_when_cancelled() -> None:
    helper = Helper("generator.search.shards")
    process = helper._process
    helper.cancel()
    assert process is not None and process.returncode is not None
    helper.cancel()  # again: nothing to do


def test_background_raises_the_error_of_its_work() -> None:
    with pytest.raises(ValueError, match="no index for you"):
        Background(fail, "no index for you").result()


def test_forked_work_runs_in_a_child_that_starts_with_this_memory() -> None:
    here = {"not": "sent"}  # a lambda over a local: nothing is pickled on the way in
    pid, value = Forked(lambda: (os.getpid(), here["not"])).result()
    assert pid != os.getpid() and value == "sent"


def test_forked_raises_the_error_of_its_work() -> None:
    with pytest.raises(ValueError, match="no index for you"):
        Forked(fail, "no index for you").result()


def test_forked_result_that_cannot_be_sent_back_is_an_error_naming_it() -> None:
    with pytest.raises(RuntimeError, match=r"PicklingError|AttributeError"):
        Forked(lambda: lambda: None).result()


def test_forked_cancel_stops_the_child(tmp_path: Path) -> None:
    marker = tmp_path / "finished"
    job = Forked(sleep_then_write, 30, marker)
    job.cancel()  # returns once the child is gone, long before it would have slept its 30 s
    assert not marker.exists()


def test_forked_without_fork_runs_its_work_here_when_the_result_is_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    ran: list[int] = []
    job = Forked(lambda value: ran.append(value) or os.getpid(), 7)
    assert ran == []  # nothing yet
    assert job.result() == os.getpid() and ran == [7]
    skipped = Forked(ran.append, 8)
    skipped.cancel()
    assert ran == [7]


def test_frozen_blocks_thaw_only_at_the_outermost_end() -> None:
    def collectable(thing: object) -> bool:  # frozen objects are in no generation the collector walks
        return any(tracked is thing for tracked in gc.get_objects())

    assert gc.get_freeze_count() == 0
    with frozen():
        made: list[list[int]] = [[] for _ in range(10)]  # tracked containers, alive when the nested block starts
        assert all(collectable(each) for each in made)
        with frozen():
            assert not any(collectable(each) for each in made)
        assert not any(collectable(each) for each in made)  # the nested block thawed nothing
    assert all(collectable(each) for each in made)
    assert gc.get_freeze_count() == 0


def test_background_cancel_stops_the_child(tmp_path: Path) -> None:
    marker = tmp_path / "finished"
    job = Background(sleep_then_write, 30, marker)
    job.cancel()  # returns once the child is gone, long before it would have slept its 30 s
    assert not marker.exists()
