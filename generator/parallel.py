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
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
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
    count: int,
    work: Callable[[int], Result],
    *,
    jobs: int | None = None,
    min_jobs: int | None = None,
    done: Callable[[int], None] | None = None,
) -> list[Result]:
    """``[work(0), ..., work(count - 1)]``, computed by ``jobs`` forked workers when there are at least
    ``min_jobs`` jobs. A job that fails in a worker is run again here, so its exception is raised as usual.
    ``done(n)`` is called, in this process, as soon as the first ``n`` jobs are finished (n growing to ``count``)."""
    global _work
    min_jobs = MIN_PARALLEL_JOBS if min_jobs is None else min_jobs
    processes = min(workers(jobs), max(1, count // CHUNK))
    results: list[Result] = []
    if processes < 2 or count < min_jobs or "fork" not in multiprocessing.get_all_start_methods():
        for index in range(count):
            results.append(work(index))
            if done is not None and (index % CHUNK == CHUNK - 1 or index == count - 1):
                done(index + 1)
        return results
    chunks: Sequence[tuple[int, int]] = [(start, min(start + CHUNK, count)) for start in range(0, count, CHUNK)]
    _work = work
    failed: JobFailed | None = None
    gc.freeze()  # workers share the parent's objects: their collections must not walk (and so copy) them all
    try:
        with multiprocessing.get_context("fork").Pool(processes, initializer=die_with_parent) as pool:
            for part in pool.imap(_run_chunk, chunks, chunksize=1):  # in order, each as soon as it is there
                if part and isinstance(part[0], JobFailed):
                    failed = part[0]
                    break
                results.extend(part)
                if done is not None:
                    done(len(results))
    finally:
        _work = None
        gc.unfreeze()
    if failed is not None:
        work(failed.index)  # raises the job's own error, with its traceback, in this process
        raise RuntimeError(f"job {failed.index} failed in a worker but not when run again")
    return results


class Inbox:
    """Messages (lines of text) from a build to a ``Background`` job that is already running: pass the inbox among
    the job's arguments, ``send`` from the build, and iterate over it in the job. The job's iteration ends when the
    build calls ``close`` (or ``Background.result``) and no worker forked meanwhile (``run_jobs``) is left: those
    hold the pipe's writing end too. Through a pipe the job inherits: a message is never pickled, and the few short
    lines a build sends never fill the pipe."""

    def __init__(self) -> None:
        self.fd, self._write = os.pipe()

    def send(self, message: str) -> None:
        """Send one line (``message`` must not hold a line break). A job that has already ended is not an error
        here: its ``result`` tells what happened."""
        if self._write >= 0:
            with contextlib.suppress(BrokenPipeError):
                os.write(self._write, message.encode("utf-8") + b"\n")

    def close(self) -> None:
        """No more messages: the job's iteration ends after the ones sent."""
        if self._write >= 0:
            os.close(self._write)
            self._write = -1

    def __getstate__(self) -> int:
        return self.fd

    def __setstate__(self, fd: int) -> None:
        self.fd, self._write = fd, -1

    def __iter__(self) -> Iterator[str]:
        """In the job: each message, as it comes."""
        with os.fdopen(self.fd, "rb") as lines:
            for line in lines:
                yield line.decode("utf-8").rstrip("\n")


class Background(Generic[Result]):
    """``work(*args)`` running in a fresh Python process while this one goes on; ``result()`` waits for its value
    (or raises its exception). ``work`` must be a module-level function: it and ``args`` are pickled (``work`` by
    name) and read back by the new process.

    Not a fork: a forked child shares this process's memory copy-on-write, and every page either side writes
    afterwards is copied (at 10k papers about as much memory again, and seconds of system time). Not a thread:
    this process keeps forking render workers (``run_jobs``) meanwhile, and forking a process that runs threads
    can leave a child holding a lock forever."""

    def __init__(self, work: Callable[..., Result], *args: Any) -> None:
        # the arguments go through a file: written to a pipe, they could block this process until the child reads
        self._input = tempfile.TemporaryFile()  # noqa: SIM115 (closed by result or cancel)
        self._input.write(pickle.dumps((work, args), protocol=pickle.HIGHEST_PROTOCOL))
        self._input.seek(0)
        self._inboxes = [arg for arg in args if isinstance(arg, Inbox)]
        self._process: subprocess.Popen[bytes] | None = subprocess.Popen(
            [sys.executable, "-c", "from generator.parallel import _background; _background()"],
            stdin=self._input,
            stdout=subprocess.PIPE,
            preexec_fn=die_with_parent,
            pass_fds=[inbox.fd for inbox in self._inboxes],
            # the same import path as this process (as multiprocessing's spawn does), so ``work`` is found
            env={**os.environ, "PYTHONPATH": os.pathsep.join(path for path in sys.path if path)},
        )
        for inbox in self._inboxes:  # the child holds the reading end now
            os.close(inbox.fd)

    def result(self) -> Result:
        assert self._process is not None, "result() already taken"
        for inbox in self._inboxes:
            inbox.close()
        data, _ = self._process.communicate()
        code, self._process = self._process.returncode, None
        self._input.close()
        try:
            ok, value = pickle.loads(data)
        except Exception:
            raise RuntimeError(f"a background job ended (exit status {code}) without a result") from None
        if not ok:
            raise value
        return value  # type: ignore[no-any-return]

    def cancel(self) -> None:
        """Stop the child (when still running) and reap it."""
        for inbox in self._inboxes:
            inbox.close()
        if self._process is not None:
            with contextlib.suppress(OSError):
                self._process.kill()
            self._process.communicate()
            self._process = None
            self._input.close()


def _background() -> None:
    """The child's side of ``Background``: run the pickled job from stdin, write the pickled outcome to stdout."""
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # whatever the job prints goes to stderr, not into the result
    work, args = pickle.load(sys.stdin.buffer)
    try:
        outcome: tuple[bool, Any] = (True, work(*args))
    except Exception as exc:  # raised again in the parent
        outcome = (False, exc)
    try:
        data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # an exception that does not pickle: its text
        data = pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
    with out:
        out.write(data)
