"""Writing ``site/`` atomically: build into a staging folder beside it, then swap the two in one step.

On Linux the swap is ``renameat2(RENAME_EXCHANGE)``: ``site/`` is always either the previous complete site or the
new one, even if the process is killed. Elsewhere it falls back to two renames.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import shutil
import threading
from collections.abc import Container
from pathlib import Path

_AT_FDCWD = -100
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
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


def stat_is_file(stat: os.stat_result) -> bool:
    return (stat.st_mode & 0o170000) == 0o100000


def _read_all(fd: int, size: int) -> bytes:
    """Up to ``size`` bytes from ``fd`` (one read, unless the file system returns less)."""
    data = os.read(fd, size)
    while len(data) < size:
        more = os.read(fd, size - len(data))
        if not more:
            break
        data += more
    return data


def _inodes(folder: Path, exclude: Container[str]) -> dict[str, int]:
    """Path -> inode of each file under ``folder`` (empty when there is none), but ``exclude``: two folders with
    equal results hold the same files (hard links of each other)."""
    found: dict[str, int] = {}
    with contextlib.suppress(OSError):
        for file in folder.rglob("*"):
            stat = file.lstat()
            rel = file.relative_to(folder).as_posix()
            if stat_is_file(stat) and rel not in exclude:
                found[rel] = stat.st_ino
    return found


def recover(target: Path) -> None:
    """Undo what a build killed in the middle of the two-rename fallback swap left: put the previous site back
    when ``site/`` is missing, else keep the leftover as the next staging folder."""
    previous = target.with_name(f".{target.name}.previous")
    staging = target.with_name(f".{target.name}.staging")
    if not previous.is_dir():
        return
    if not target.exists() and not target.is_symlink():
        os.replace(previous, target)
    elif not staging.exists():
        os.replace(previous, staging)
    else:
        shutil.rmtree(previous)


class Output:
    """A staging folder for one build. ``write`` files into it, then ``publish`` swaps it into place.

    The staging folder is not rebuilt from nothing: after a swap the previous site becomes the next build's staging
    folder, and a build updates it in place. Unchanged bytes are not rewritten, files the build did not write are
    pruned before the swap, and ``link`` hard-links a page from the published site instead of rendering it again.
    Deleting and recreating a 10k-file tree costs seconds; this costs a stat per file.

    Files may be shared (hard links) between ``site/`` and the staging folder, so nothing here ever opens an
    existing file for writing: a changed file is unlinked and written anew. ``fresh_folder`` gives tools that write
    in place (Pagefind) an empty folder of their own.
    """

    def __init__(self, target: Path, *, worker: bool = False) -> None:
        """``worker=True``: the output of a build that runs in another process, for a helper process that writes
        some of its files (the staging folder is taken as it is: no recovery, no cleanup)."""
        self.target = target
        self.staging = target.with_name(f".{target.name}.staging")
        self.previous = target.with_name(f".{target.name}.previous")
        self.files: list[str] = []
        self._dirs: set[Path] = set()
        self._trash: list[threading.Thread] = []
        if worker:
            return
        recover(target)
        for trash in target.parent.glob(f".{target.name}.staging.trash.*"):
            self._delete_later(trash)
        if self.staging.is_symlink() or (self.staging.exists() and not self.staging.is_dir()):
            self.staging.unlink()
        self.staging.mkdir(parents=True, exist_ok=True)

    def _make_parent(self, file: Path) -> None:
        parent = file.parent
        if parent not in self._dirs:
            try:
                parent.mkdir(parents=True, exist_ok=True)
            except (FileExistsError, NotADirectoryError):
                # a file from an older build stands where a folder must go
                blocker = next(p for p in (parent, *parent.parents) if p.is_file() or p.is_symlink())
                blocker.unlink()
                parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(parent)

    def write(self, path: str, data: str | bytes) -> None:
        """Write ``path`` (relative to the site root)."""
        self.files.append(path)
        self.put(path, data)

    def put(self, path: str, data: str | bytes) -> tuple[int, int]:
        """Write ``path`` without recording it in ``files`` (the caller does); return its (size, mtime_ns)."""
        raw = data.encode("utf-8") if isinstance(data, str) else data
        file = os.path.join(self.staging, path)
        try:
            fd = os.open(file, os.O_RDONLY | _O_NOFOLLOW)
        except FileNotFoundError:
            self._make_parent(Path(file))
        except (NotADirectoryError, IsADirectoryError, OSError) as exc:
            self._clear(Path(file), exc)
        else:
            try:
                stat = os.fstat(fd)
                # Unchanged bytes stay: reading a file back costs far less than unlinking and writing it again
                # (even in a full build, where the staging folder holds the site before last).
                if stat.st_size == len(raw) and stat_is_file(stat) and _read_all(fd, len(raw)) == raw:
                    return stat.st_size, stat.st_mtime_ns
            finally:
                os.close(fd)
            self._clear(Path(file), None)
        fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW, 0o666)
        try:
            view = memoryview(raw)
            while view:
                view = view[os.write(fd, view) :]
            stat = os.fstat(fd)
        finally:
            os.close(fd)
        return stat.st_size, stat.st_mtime_ns

    def _clear(self, file: Path, exc: OSError | None) -> None:
        """Make way for a new ``file``: unlink what stands there (a file, link or folder), or create its folder."""
        if isinstance(exc, NotADirectoryError):
            self._make_parent(file)  # a file stands where a parent folder must go
        elif file.is_dir() and not file.is_symlink():
            shutil.rmtree(file)
        else:
            file.unlink(missing_ok=True)

    def link(self, path: str, size: int, mtime_ns: int) -> bool:
        """Hard-link ``path`` from the published site when it is still the file a previous build wrote there
        (same size and modification time); False when it is not, and the caller renders it. Records nothing in
        ``files`` (a worker process calls this; the build records the path)."""
        source = os.path.join(self.target, path)
        try:
            stat = os.stat(source)
            if stat.st_size != size or stat.st_mtime_ns != mtime_ns:
                return False
            file = os.path.join(self.staging, path)
            try:
                if os.stat(file).st_ino == stat.st_ino:
                    return True
                os.unlink(file)
            except (FileNotFoundError, NotADirectoryError):
                self._make_parent(Path(file))
            os.link(source, file)
        except OSError:
            return False
        return True

    def copy(self, source: Path, path: str) -> None:
        """Copy the file ``source`` to ``path``."""
        self.write(path, source.read_bytes())

    def fresh_folder(self, path: str) -> Path:
        """An empty folder at ``path`` for a tool that writes into it directly; the old one is deleted in the
        background. The caller records the files it leaves there in ``files``."""
        folder = self.staging / path
        if folder.exists() or folder.is_symlink():
            trash = self.staging.with_name(f"{self.staging.name}.trash.{os.getpid()}.{len(self._trash)}")
            os.replace(folder, trash)
            self._delete_later(trash)
        folder.mkdir(parents=True)
        return folder

    def link_folder(self, source: str, path: str, exclude: Container[str] = ()) -> bool:
        """Make ``path`` in the staging folder hold hard links to the files of the published site's ``source``
        folder (but ``exclude``, paths relative to it), and keep it as it is when it already holds those very
        files. False when the published site has no such folder or a link fails (``path`` is then left empty).
        Records nothing in ``files``."""
        published = self.target / source
        if not published.is_dir():
            return False
        files = _inodes(published, exclude)
        if _inodes(self.staging / path, exclude) == files:
            return True
        folder = self.fresh_folder(path)
        try:
            for rel in sorted(files):
                (folder / rel).parent.mkdir(parents=True, exist_ok=True)
                os.link(published / rel, folder / rel)
        except OSError:
            self.fresh_folder(path)
            return False
        return True

    def _delete_later(self, folder: Path) -> None:
        thread = threading.Thread(target=shutil.rmtree, args=(folder,), kwargs={"ignore_errors": True}, daemon=True)
        thread.start()
        self._trash.append(thread)

    def prune(self) -> None:
        """Remove files and folders in the staging folder that this build did not write."""
        self._prune(str(self.staging), "", {os.path.normpath(path) for path in self.files})

    def _prune(self, folder: str, rel: str, keep: set[str]) -> bool:
        """Prune ``folder`` (``rel`` is its path in the site, "" or ending in "/"); True when it is left empty.
        Links to folders go; folders left empty go."""
        left = 0
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    if self._prune(entry.path, f"{rel}{entry.name}/", keep):
                        try:
                            os.rmdir(entry.path)
                            continue
                        except OSError:
                            pass
                    left += 1
                elif (entry.is_symlink() and entry.is_dir()) or rel + entry.name not in keep:
                    os.unlink(entry.path)
                else:
                    left += 1
        return left == 0

    def publish(self) -> None:
        """Prune, then swap the staging folder into place; the old site stays as the next build's staging."""
        self.prune()
        self._wait()
        if self.target.is_symlink() or not self.target.exists():
            self.target.unlink(missing_ok=True)
            os.replace(self.staging, self.target)
            return
        if not _exchange(self.staging, self.target):
            os.replace(self.target, self.previous)
            os.replace(self.staging, self.target)
            os.replace(self.previous, self.staging)

    def discard(self) -> None:
        """Give up this build; ``site/`` is untouched and the staging folder is reconciled by the next build."""
        self._wait()

    def settle(self) -> None:
        """Wait for the background deletions this process started (before it exits, or the swap)."""
        self._wait()

    def _wait(self) -> None:
        for thread in self._trash:
            thread.join()
        self._trash.clear()
