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
import importlib
import multiprocessing
import os
import pickle
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Generic, TypeVar

from generator.incremental.memory import collection_paused, frozen

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
    # Workers share the parent's objects: their collections must not walk (and so copy) them all. This process
    # only collects the results meanwhile, and keeps them all: no collection need walk them either.
    try:
        with (
            frozen(),
            multiprocessing.get_context("fork").Pool(processes, initializer=die_with_parent) as pool,
            collection_paused(),
        ):
            parts = pool.map(_run_chunk, chunks, chunksize=1)
    finally:
        _work = None
    results: list[Result] = []
    for part in parts:
        if part and isinstance(part[0], JobFailed):
            work(part[0].index)  # raises the job's own error, with its traceback, in this process
            raise RuntimeError(f"job {part[0].index} failed in a worker but not when run again")
        results.extend(part)
    return results


class Helper:
    """A fresh Python process started before its job is known: it imports ``modules`` (and starts the
    interpreter) while this process goes on, then waits for the job ``Background`` hands it. Starting one early
    takes that start off the critical path. A helper never given a job stops when ``cancel`` is called or this
    process exits."""

    def __init__(self, *modules: str) -> None:
        self._process: subprocess.Popen[bytes] | None = subprocess.Popen(
            [sys.executable, "-c", "from generator.incremental.parallel import _background; _background()", *modules],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            preexec_fn=die_with_parent,
            # the same import path as this process (as multiprocessing's spawn does), so ``work`` is found
            env={**os.environ, "PYTHONPATH": os.pathsep.join(path for path in sys.path if path)},
        )

    def take(self, job: str) -> subprocess.Popen[bytes]:
        """Hand the helper the file holding its pickled job (the path only: it never blocks this process, as a
        job written to a pipe could, until the child read it); its process from then on."""
        process, self._process = self._process, None
        assert process is not None and process.stdin is not None, "the helper already has a job"
        with contextlib.suppress(OSError):  # a helper that died: its result says so
            # ended by a NUL, not by closing the pipe: processes forked since hold its other end open too
            process.stdin.write(os.fsencode(job) + b"\0")
            process.stdin.close()
        process.stdin = None  # closed: communicate() must not flush it
        return process

    def cancel(self) -> None:
        """Stop a helper that has no job yet, and reap it."""
        if self._process is not None:
            _stop(self._process)
            self._process = None


class Background(Generic[Result]):
    """``work(*args)`` running in a fresh Python process (``helper``, else a new one) while this one goes on;
    ``result()`` waits for its value (or raises its exception). ``work`` must be a module-level function: it and
    ``args`` are pickled (``work`` by name) and read back by the new process.

    Not a fork: a forked child shares this process's memory copy-on-write, and every page either side writes
    afterwards is copied (for a long job, up to as much memory again, and the system time to copy it). Not a thread:
    this process keeps forking render workers (``run_jobs``) meanwhile, and forking a process that runs threads
    can leave a child holding a lock forever."""

    def __init__(self, work: Callable[..., Result], *args: Any, helper: Helper | None = None) -> None:
        fd, self._job = tempfile.mkstemp(prefix="papersite-job-", suffix=".pickle")
        with os.fdopen(fd, "wb") as handle, collection_paused():
            pickle.dump((work, args), handle, protocol=pickle.HIGHEST_PROTOCOL)
        self._process: subprocess.Popen[bytes] | None = (helper or Helper()).take(self._job)

    def result(self) -> Result:
        assert self._process is not None, "result() already taken"
        data, _ = self._process.communicate()
        code, self._process = self._process.returncode, None
        Path(self._job).unlink(missing_ok=True)
        return _read_outcome(data, f"a background job ended (exit status {code})")  # type: ignore[no-any-return]

    def cancel(self) -> None:
        """Stop the child (when still running) and reap it."""
        if self._process is not None:
            _stop(self._process)
            self._process = None
            Path(self._job).unlink(missing_ok=True)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Kill ``process`` (when still running) and reap it."""
    with contextlib.suppress(OSError):
        process.kill()
    process.communicate()


class Forked(Generic[Result]):
    """``work(*args)`` in a forked child while this process goes on: ``Background``'s interface, for short work on
    much of this process's data (nothing is sent to the child: it starts with this memory; only the result comes
    back, pickled through a temporary file). Not for long work: the child's writes to shared memory are copied
    (see ``Background``). Where fork is unavailable, ``work`` runs here when ``result()`` is first called."""

    def __init__(self, work: Callable[..., Result], *args: Any) -> None:
        self._work: Callable[[], Result] | None = lambda: work(*args)
        self._pid = 0
        if "fork" not in multiprocessing.get_all_start_methods():
            return
        self._output = tempfile.TemporaryFile()  # noqa: SIM115 (closed by result or cancel)
        with frozen():  # the child's collections must not walk (and so copy) what it shares with this process
            self._pid = os.fork()
        if self._pid == 0:  # the child: never returns
            code = 1
            try:
                die_with_parent()
                _write_outcome(self._output.fileno(), self._work)
                code = 0
            finally:
                os._exit(code)

    def result(self) -> Result:
        assert self._work is not None, "result() already taken"
        work, self._work = self._work, None
        if not self._pid:
            return work()
        _, status = os.waitpid(self._pid, 0)
        self._pid = 0
        with self._output as output:
            output.seek(0)
            data = output.read()
        return _read_outcome(data, f"a forked job ended (wait status {status})")  # type: ignore[no-any-return]

    def cancel(self) -> None:
        """Stop the child (when still running) and reap it."""
        self._work = None
        if self._pid:
            with contextlib.suppress(OSError):
                os.kill(self._pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self._pid, 0)
            self._pid = 0
            self._output.close()


def _write_outcome(fd: int, work: Callable[[], Any]) -> None:
    """Run ``work`` and write ``(True, its value)`` or ``(False, its exception)``, pickled, to ``fd``."""
    try:
        outcome: tuple[bool, Any] = (True, work())
    except Exception as exc:  # raised again in the parent
        outcome = (False, exc)
    try:
        with collection_paused():
            data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # an exception that does not pickle: its text
        data = pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _read_outcome(data: bytes, ended: str) -> Any:
    """The value ``_write_outcome`` wrote as ``data``, or its exception raised; a ``RuntimeError`` starting with
    ``ended`` (how the job ended) when ``data`` is not an outcome."""
    try:
        with collection_paused():
            ok, value = pickle.loads(data)
    except Exception:
        raise RuntimeError(f"{ended} without a result") from None
    if not ok:
        raise value
    return value


def _background() -> None:
    """The child's side of ``Helper`` and ``Background``: import the modules named in ``argv``, then run the job
    pickled in the file named on stdin (none: exit) and write the pickled outcome to stdout."""
    for module in sys.argv[1:]:
        with contextlib.suppress(ImportError):  # a missing module fails the job that needs it, with its message
            importlib.import_module(module)
    out = os.dup(1)
    os.dup2(2, 1)  # whatever the job prints goes to stderr, not into the result
    job = b""
    while not job.endswith(b"\0"):
        read = os.read(0, 4096)
        if not read:  # no job
            return
        job += read
    with open(job[:-1], "rb") as handle, collection_paused():
        work, args = pickle.load(handle)
    with contextlib.suppress(OSError):  # read: a killed build leaves no job file behind
        os.unlink(job[:-1])
    _write_outcome(out, lambda: work(*args))
    os.close(out)
