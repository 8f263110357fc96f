"""Run a build's page jobs on every core: forked worker processes, each rendering chunks of jobs and writing the
files itself.

Forking (not spawning) is what makes this cheap: a worker starts with the parent's memory, so the site, the job
list and the compiled Jinja templates are already there and nothing is pickled but job indexes going in and small
results coming out. Output is the same as serial: each job writes its own file, and results come back in job order.
Where fork is unavailable, or there is too little work to be worth a process, jobs run in this process.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import pickle
import signal
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

Result = TypeVar("Result")

MIN_PARALLEL_JOBS = 200
"""Below this many jobs, starting workers costs more than it saves."""

CHUNK = 64
"""Jobs a worker takes at a time: large enough to keep messages rare, small enough to balance the load."""

_work: Callable[[int], Any] | None = None
"""The job function, set in the parent just before forking so that workers inherit it."""


class JobFailed(Exception):
    """A job failed in a worker; the caller runs it again in this process to get the real error."""

    def __init__(self, index: int) -> None:
        super().__init__(f"job {index} failed in a worker")
        self.index = index


def workers(requested: int | None = None) -> int:
    """How many processes to use: ``requested``, else ``PAPERSITE_JOBS``, else the cores this process may use."""
    if requested is not None:
        return max(1, requested)
    env = os.environ.get("PAPERSITE_JOBS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def die_with_parent() -> None:
    """In a child process: get SIGKILL when the parent dies, so a killed build leaves no worker writing into the
    staging folder that the next build reuses (Linux ``PR_SET_PDEATHSIG``; elsewhere nothing)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() == 1:  # the parent died before the line above
        os._exit(1)


_PR_SET_PDEATHSIG = 1


def _run_chunk(bounds: tuple[int, int]) -> list[Any]:
    assert _work is not None
    results = []
    for index in range(*bounds):
        try:
            results.append(_work(index))
        except BaseException:
            return [JobFailed(index)]
    return results


def run_jobs(
    count: int, work: Callable[[int], Result], *, jobs: int | None = None, min_jobs: int | None = None
) -> list[Result]:
    """``[work(0), ..., work(count - 1)]``, computed by ``jobs`` forked workers when there are at least
    ``min_jobs`` jobs. A job that fails in a worker is run again here, so its exception is raised as usual."""
    global _work
    min_jobs = MIN_PARALLEL_JOBS if min_jobs is None else min_jobs
    processes = min(workers(jobs), max(1, count // CHUNK))
    if processes < 2 or count < min_jobs or "fork" not in multiprocessing.get_all_start_methods():
        return [work(index) for index in range(count)]
    chunks: Sequence[tuple[int, int]] = [(start, min(start + CHUNK, count)) for start in range(0, count, CHUNK)]
    _work = work
    gc.freeze()  # workers share the parent's objects: their collections must not walk (and so copy) them all
    try:
        with multiprocessing.get_context("fork").Pool(processes, initializer=die_with_parent) as pool:
            parts = pool.map(_run_chunk, chunks, chunksize=1)
    finally:
        _work = None
        gc.unfreeze()
    results: list[Result] = []
    for part in parts:
        if part and isinstance(part[0], JobFailed):
            work(part[0].index)  # raises the job's own error, with its traceback, in this process
            raise RuntimeError(f"job {part[0].index} failed in a worker but not when run again")
        results.extend(part)
    return results


class Background(Generic[Result]):
    """``work()`` running in a forked child process while this one goes on; ``result()`` waits for its value (or
    raises its exception). A fork, not a thread: this process keeps forking workers (``run_jobs``) meanwhile, and
    forking a process that runs threads can deadlock the children. Where fork is unavailable, ``work`` runs at
    ``result()``."""

    def __init__(self, work: Callable[[], Result]) -> None:
        self._work = work
        self._pid = 0
        self._read = -1
        if "fork" not in multiprocessing.get_all_start_methods():
            return
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: run, send the outcome, leave without running the parent's exit handlers
            os.close(read)
            status = 1
            try:
                die_with_parent()
                try:
                    outcome: tuple[bool, Any] = (True, work())
                except Exception as exc:  # the parent raises it
                    outcome = (False, exc)
                try:
                    data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
                except Exception as exc:  # an exception that does not pickle: its text
                    data = pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
                with os.fdopen(write, "wb") as pipe:
                    pipe.write(data)
                status = 0
            finally:
                os._exit(status)
        os.close(write)
        self._pid, self._read = pid, read

    def result(self) -> Result:
        if not self._pid:
            return self._work()
        with os.fdopen(self._read, "rb") as pipe:
            data = pipe.read()
        os.waitpid(self._pid, 0)
        self._pid = 0
        if not data:
            raise RuntimeError("a background job died without a result")
        ok, value = pickle.loads(data)
        if not ok:
            raise value
        return value  # type: ignore[no-any-return]

    def cancel(self) -> None:
        """Stop the child (when still running) and reap it."""
        if self._pid:
            with contextlib.suppress(OSError):
                os.kill(self._pid, signal.SIGKILL)
                os.waitpid(self._pid, 0)
            with contextlib.suppress(OSError):
                os.close(self._read)
            self._pid = 0
