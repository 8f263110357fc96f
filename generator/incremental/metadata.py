"""When a file's metadata may stand for its bytes (as make, ninja and git trust it), and what that metadata is."""

from __future__ import annotations

import os

RACY_NS = 2_000_000_000
"""A file modified this recently (in nanoseconds) may change again within its timestamp's granularity."""


def file_identity(stat: os.stat_result) -> tuple[int, int, int, int]:
    """What a file is trusted by when it is not read: size, modification and change times, inode."""
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
