"""When a file's metadata may stand for its bytes, and what that metadata is.

Like make, ninja and git, the incremental build trusts a file's size, times and inode instead of reading it. That
is safe only for a file that is "settled" (git calls the others "racily clean"): one whose last change is older
than a timestamp's granularity. A file changed again within the same tick can keep its modification time, so its
metadata would hide the change. Every place that records or trusts metadata asks ``settled`` first: the content
cache (``cache.ContentCache``), the up-to-date stamp (``stamp.inputs_digest``) and the prune record of the
staging folder (``output.Output.prune``).
"""

from __future__ import annotations

import os
import time

RACY_NS = 2_000_000_000
"""How long after its last change a file's metadata is not trusted (ns): more than any file system's timestamp
granularity that papersite meets (FAT's is 2 s; ext4's and most others' far less)."""


def settled(*times_ns: int, now_ns: int | None = None) -> bool:
    """Whether a file whose metadata shows ``times_ns`` (its modification time, and its change time where the caller
    records it) may be trusted by that metadata: each is more than ``RACY_NS`` before ``now_ns`` (the clock's
    time when not given; a caller checking many files reads the clock once)."""
    cutoff = (time.time_ns() if now_ns is None else now_ns) - RACY_NS
    return all(time_ns < cutoff for time_ns in times_ns)


def file_identity(stat: os.stat_result) -> tuple[int, int, int, int]:
    """What a file is trusted by when it is not read: size, modification and change times, inode."""
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
