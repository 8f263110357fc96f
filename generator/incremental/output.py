"""Writing ``site/`` atomically: build into a staging folder beside it, then swap the two in one step.

On Linux the swap is ``renameat2(RENAME_EXCHANGE)``: ``site/`` is always either the previous complete site or the
new one, even if the process is killed. Elsewhere it falls back to two renames.

Publishing costs neither a read of every folder nor the deletion of what a build replaced, however large the site:

- Before the swap, files the build did not write are pruned from the staging folder, reading only the folders that
  changed since the last prune of that tree (``prune.py``: reading every folder of a large site costs seconds
  once its blocks have left the page cache).
- Replaced folders (a Pagefind shard, a folder of the old site the build no longer writes) are renamed aside to
  ``.site.staging.trash.*`` and deleted by background threads that nobody waits for. What a build leaves undeleted
  when it exits (or is killed) is deleted by the next one, in the background too.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Container, Iterator
from pathlib import Path

from generator.incremental import journal
from generator.incremental.prune import prune_tree

_AT_FDCWD = -100
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_RENAME_EXCHANGE = 2


INCOMPLETE = ".incomplete"
"""The mark of a folder a tool is writing in place (``Output.reuse_folder``)."""

_deleting: set[str] = set()
"""Folders being deleted by this process's threads (so that two ``Output`` never delete the same one at once)."""
_deleting_lock = threading.Lock()


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


def _holding(path: str, raw: bytes) -> os.stat_result | None:
    """The stat of ``path`` when it is a regular file holding exactly ``raw``, else None."""
    try:
        fd = os.open(path, os.O_RDONLY | _O_NOFOLLOW)
    except OSError:
        return None
    try:
        stat = os.fstat(fd)
        same = stat.st_size == len(raw) and stat_is_file(stat) and _read_all(fd, len(raw)) == raw
    finally:
        os.close(fd)
    return stat if same else None


def _link(source: str, file: str) -> bool:
    """Hard-link ``source`` as ``file``; False when the link fails (the caller writes the file instead)."""
    try:
        os.link(source, file)
    except OSError:
        return False
    return True


def walk_files(
    folder: str | os.PathLike[str], prefix: str = "", *, links: bool = False
) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """``(prefix + path relative to folder, entry)`` of every file under ``folder`` (and every symbolic link, with
    ``links``; links to folders are not followed), in no particular order. ``os.scandir`` gives names and inodes
    without a stat each: several times cheaper than ``Path.rglob``."""
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                yield from walk_files(entry.path, f"{prefix}{entry.name}/", links=links)
            elif entry.is_file(follow_symlinks=False) or (links and entry.is_symlink()):
                yield prefix + entry.name, entry


def _inodes(folder: Path, exclude: Container[str]) -> dict[str, int]:
    """Path -> inode of each file under ``folder`` (empty when there is none), but ``exclude``: two folders with
    equal results hold the same files (hard links of each other)."""
    inodes: dict[str, int] = {}
    with contextlib.suppress(OSError):
        for rel, entry in walk_files(folder):
            if rel not in exclude:
                inodes[rel] = entry.inode()
    return inodes


def _mirror(folder: Path, source: Path, files: dict[str, int], leave: Callable[[str], bool]) -> None:
    """Make ``folder`` hold hard links of ``files`` (path -> inode, under ``source``), fixing only what differs:
    a file that is not the one of ``files`` (or a link) is removed; one ``files`` lacks is left as it is when
    ``leave`` accepts it. Raises ``OSError``."""
    missing = dict(files)
    for rel, entry in list(walk_files(folder, links=True)):
        if rel not in files and not entry.is_symlink() and leave(rel):
            continue
        if entry.is_symlink() or files.get(rel) != entry.inode():
            os.unlink(entry.path)
        else:
            del missing[rel]
    for rel in sorted(missing):
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        os.link(source / rel, folder / rel)


def _nothing(rel: str) -> bool:
    return False


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
    Deleting and recreating a tree of many thousand files costs seconds; this costs a stat per file.

    Files may be shared (hard links) between ``site/`` and the staging folder, so nothing here ever opens an
    existing file for writing: a changed file is unlinked and written anew. ``fresh_folder`` gives tools that write
    in place (Pagefind) an empty folder of their own.

    Nothing here waits for a deletion: replaced folders go to trash folders beside the staging folder, deleted in
    the background (see the module docstring).

    With ``trust``, the journal the last build left (``journal.py``) spares the files the two trees share: ``link``
    accepts them with no look at the disk, and the prune reads only the folders this build changed.
    """

    def __init__(
        self, target: Path, *, worker: bool = False, trust: bool = False, untrusted: tuple[str, ...] = ()
    ) -> None:
        """``worker=True``: the output of a build that runs in another process, for a helper process that writes
        some of its files (the staging folder is taken as it is: no recovery, no cleanup). ``trust``: use the
        journal (it is deleted either way: this build changes the staging folder). ``untrusted``: the prefixes of
        the paths that a tool (or a worker process) writes itself, never trusted by the next build."""
        self.target = target
        self.staging = target.with_name(f".{target.name}.staging")
        self.previous = target.with_name(f".{target.name}.previous")
        self.record = target.with_name(f".{target.name}.folders")
        """What the last prunes of the two trees left in their folders (``prune``)."""
        self.journal_file = target.with_name(f".{target.name}.journal")
        self.journal: journal.Journal | None = None
        """What the published site and the staging folder share, when trusted."""
        self.untrusted = untrusted
        self.changed: set[str] = set()
        """Files written anew (not the published site's file): the next build's journal."""
        self.touched: set[str] = set()
        """Folders of the staging folder whose entries this build added, removed or replaced."""
        self.files: list[str] = []
        self._dirs: set[Path] = set()
        self._trash: list[threading.Thread] = []
        self.staging_key: int | None = None
        """The staging tree as the last prune of it recorded it (before this build writes into it; none in a
        worker's ``Output``)."""
        if worker:
            return
        recover(target)
        taken = journal.take(self.journal_file, target, self.staging)  # deleted before anything changes
        self.journal = taken if trust else None
        self._delete_leftovers()
        for temporary in target.parent.glob(f"{self.record.name}.*.tmp"):
            temporary.unlink(missing_ok=True)  # a record a killed build was writing
        if self.staging.is_symlink() or (self.staging.exists() and not self.staging.is_dir()):
            self.staging.unlink()
        self.staging.mkdir(parents=True, exist_ok=True)
        self.staging_key = journal.tree_key(self.staging)

    def _make_parent(self, file: Path) -> None:
        parent = file.parent
        if parent not in self._dirs:
            self._touch_all(os.path.relpath(parent, self.staging))  # folders it may create
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
        # The published file's bytes: the staging folder gets that very file (the trees then share it, and the
        # next build has nothing to link); else the staging folder's own copy is kept when it holds them (reading a
        # file back costs far less than unlinking and writing it again); else the file is written anew.
        source = os.path.join(self.target, path)
        published = _holding(source, raw)
        if published is not None and (self._make_way(file, path, keep=published) or _link(source, file)):
            return published.st_size, published.st_mtime_ns
        self.changed.add(path)
        staged = _holding(file, raw)
        if staged is not None:
            return staged.st_size, staged.st_mtime_ns
        self._make_way(file, path)
        fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW, 0o666)
        try:
            view = memoryview(raw)
            while view:
                view = view[os.write(fd, view) :]
            stat = os.fstat(fd)
        finally:
            os.close(fd)
        return stat.st_size, stat.st_mtime_ns

    def _make_way(self, file: str, path: str, keep: os.stat_result | None = None) -> bool:
        """Make way for a new staging ``file`` (``path`` in the site): remove what stands there (a file, link or
        folder), or make its folder. True, and nothing removed, when the file there is already ``keep`` (the same
        inode)."""
        try:
            here = os.stat(file, follow_symlinks=False)
        except FileNotFoundError:
            self._make_parent(Path(file))
        except NotADirectoryError as exc:
            self._touch_all(path)
            self._clear(Path(file), exc)
        else:
            if keep is not None and (here.st_ino, here.st_dev) == (keep.st_ino, keep.st_dev):
                return True
            self._clear(Path(file), None)
        self.touched.add(path.rpartition("/")[0])
        return False

    def _touch_all(self, path: str) -> None:
        """Mark every folder above ``path`` (and ``path`` itself) as changed."""
        path = "" if path == "." else path
        while path:
            self.touched.add(path)
            path = path.rpartition("/")[0]
        self.touched.add("")

    def trusts(self, path: str) -> bool:
        """Whether the staging folder's ``path`` is known, from the journal, to be the published site's file."""
        return self.journal is not None and self.journal.trusts(path)

    def may_differ(self) -> Callable[[str], bool] | None:
        """For the stamp, once published: whether a path's metadata may differ from when this tree was published
        before (files written anew, or linked again, folders changed, what tools wrote); None without a journal."""
        if self.journal is None:
            return None
        changed, touched, linked, prefixes = self.changed, self.touched, self.journal.changed, self._tools()
        return lambda path: path in changed or path in touched or path in linked or path.startswith(prefixes)

    def _tools(self) -> tuple[str, ...]:
        """The prefixes of the paths tools wrote, by the journal's last build and by this one: never trusted."""
        return (*self.journal.prefixes, *self.untrusted) if self.journal is not None else self.untrusted

    def note(self, path: str, *, written: bool) -> None:
        """What a worker process did at ``path`` (linked it, or ``written`` it), for the journal and the prune: a
        worker's own ``Output`` is not this one."""
        if written:
            self.changed.add(path)
            self._touch_all(path.rpartition("/")[0])
        elif not self.trusts(path):
            self.touched.add(path.rpartition("/")[0])  # it may have replaced the file there

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
        if self.trusts(path):  # the staging folder's file is the published one, as the page cache describes it
            return True
        source = os.path.join(self.target, path)
        try:
            stat = os.stat(source)
            if stat.st_size != size or stat.st_mtime_ns != mtime_ns:
                return False
            file = os.path.join(self.staging, path)
            return self._make_way(file, path, keep=stat) or _link(source, file)
        except OSError:
            return False

    def copy(self, source: Path, path: str) -> None:
        """Copy the file ``source`` to ``path``."""
        self.write(path, source.read_bytes())

    def fresh_folder(self, path: str) -> Path:
        """An empty folder at ``path`` for a tool that writes into it directly; the old one is deleted in the
        background. The caller records the files it leaves there in ``files``."""
        folder = self.staging / path
        if folder.exists() or folder.is_symlink():
            trash = self._new_trash()
            os.replace(folder, trash / "0")
            self._delete_later(trash)
        folder.mkdir(parents=True)
        return folder

    def reuse_folder(self, path: str, keep: Callable[[str], bool]) -> Path:
        """The folder at ``path`` for a tool that adds files to it and never rewrites one (Pagefind's content-named
        data files), holding the files ``keep`` accepts (by their path in the folder) of the published folder, or,
        when the site has none, of the staging copy; nothing else. It is marked ``INCOMPLETE`` until
        ``complete(path)``: a copy still marked (a tool was killed while writing it) is not used. The caller records
        the files it leaves there in ``files``."""
        folder = self.staging / path
        if not folder.is_dir() or folder.is_symlink() or (folder / INCOMPLETE).exists():
            self.fresh_folder(path)
        # When the published site has the folder, its files are the ones kept, as hard links (the two trees then
        # share them, and the next build has nothing to link); else the staging copy's.
        published = {rel: inode for rel, inode in _inodes(self.target / path, ()).items() if keep(rel)}
        try:
            _mirror(folder, self.target / path, published, keep if not published else _nothing)
        except OSError:  # (a published file gone meanwhile, a link refused): nothing is reused
            self.fresh_folder(path)
        (folder / INCOMPLETE).touch()
        return folder

    def complete(self, path: str) -> None:
        """The tool writing the folder of ``reuse_folder(path)`` is done: unmark it."""
        (self.staging / path / INCOMPLETE).unlink()

    def _new_trash(self) -> Path:
        """A new, empty trash folder beside the staging folder (its name is unique, even among processes)."""
        return Path(tempfile.mkdtemp(prefix=f"{self.staging.name}.trash.", dir=self.staging.parent))

    def link_folder(self, source: str, path: str, exclude: Container[str] = ()) -> bool:
        """Make ``path`` in the staging folder hold hard links to the files of the published site's ``source``
        folder (but ``exclude``, paths relative to it, which are left as they are), replacing only the files that
        are not those very files. False when the published site has no such folder or a link fails (``path`` is
        then left empty). Records nothing in ``files``."""
        published = self.target / source
        if not published.is_dir():
            return False
        folder = self.staging / path
        if not folder.is_dir() or folder.is_symlink():
            self.fresh_folder(path)
        for _ in range(2):  # fixed in place; else (a folder where a file goes...) filled afresh
            try:
                _mirror(folder, published, _inodes(published, exclude), lambda rel: rel in exclude)
                return True
            except OSError:
                self.fresh_folder(path)
        return False

    def _delete_later(self, folder: Path) -> None:
        """Delete ``folder`` in a background thread (unless this process already is); nothing waits for it."""
        key = os.path.abspath(folder)
        with _deleting_lock:
            if key in _deleting:
                return
            _deleting.add(key)

        def delete() -> None:
            try:
                shutil.rmtree(key, ignore_errors=True)
            finally:
                with _deleting_lock:
                    _deleting.discard(key)

        thread = threading.Thread(target=delete, name=f"delete {folder.name}", daemon=True)
        thread.start()
        self._trash.append(thread)

    def _delete_leftovers(self) -> None:
        """Delete, in the background, the trash folders an earlier build or a helper process left."""
        for trash in self.staging.parent.glob(f"{self.staging.name}.trash.*"):
            self._delete_later(trash)

    def prune(self) -> None:
        """Remove the files and folders of the staging folder that this build did not write, and record what is
        left (``self.record``; see ``prune.prune_tree``). A folder no longer written goes to the trash. With the
        journal, only the folders this build changed (and those of ``untrusted`` paths) are looked at."""
        untouched = None
        if self.journal is not None:
            touched, prefixes = self.touched, self._tools()

            def untouched(rel: str) -> bool:
                return rel not in touched and not rel.startswith(prefixes)

        prune_tree(self.staging, self.target, self.record, self.files, self._discard, untouched, self.staging_key)

    def _discard(self, folders: list[str]) -> None:
        """Move ``folders`` into one new trash folder, deleted in the background."""
        into = self._new_trash()
        for number, folder in enumerate(folders):
            os.replace(folder, into / str(number))
        self._delete_later(into)

    def publish(self) -> None:
        """Prune, then swap the staging folder into place; the old site stays as the next build's staging. Trash
        left by a helper process is deleted in the background; nothing waits for deletions."""
        self._delete_leftovers()
        self.prune()
        if self.target.is_symlink() or not self.target.exists():
            self.target.unlink(missing_ok=True)
            os.replace(self.staging, self.target)
            return
        if not _exchange(self.staging, self.target):
            os.replace(self.target, self.previous)
            os.replace(self.staging, self.target)
            os.replace(self.previous, self.staging)
        # the two trees now share every file but those written anew and the untrusted ones
        journal.save(self.journal_file, self.target, self.staging, self.changed, self.untrusted)

    def wait(self) -> None:
        """Wait for the background deletions this ``Output`` started (for tests: a build never waits)."""
        for thread in self._trash:
            thread.join()
        self._trash.clear()
