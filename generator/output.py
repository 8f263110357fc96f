"""Writing ``site/`` atomically: build into a staging folder beside it, then swap the two in one step.

On Linux the swap is ``renameat2(RENAME_EXCHANGE)``: ``site/`` is always either the previous complete site or the
new one, even if the process is killed. Elsewhere it falls back to two renames.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
from pathlib import Path

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths; False when the platform cannot."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)


class Output:
    """A staging folder for one build. ``write`` files into it, then ``publish`` swaps it into place."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.staging = target.with_name(f".{target.name}.staging")
        self.previous = target.with_name(f".{target.name}.previous")
        self.files: list[str] = []
        for leftover in (self.staging, self.previous):
            if leftover.exists():
                shutil.rmtree(leftover)
        self.staging.mkdir(parents=True)

    def write(self, path: str, data: str | bytes) -> None:
        """Write ``path`` (relative to the site root)."""
        file = self.staging / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        self.files.append(path)

    def publish(self) -> None:
        """Swap the staging folder into place and remove the old site."""
        if self.target.is_symlink() or not self.target.exists():
            self.target.unlink(missing_ok=True)
            os.replace(self.staging, self.target)
            return
        if not _exchange(self.staging, self.target):
            os.replace(self.target, self.previous)
            os.replace(self.staging, self.target)
            self.staging = self.previous
        shutil.rmtree(self.staging, ignore_errors=True)

    def discard(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)
