"""The prune record: what the last prune of each tree (``site/`` and the staging folder) left in each of its folders,
so that a prune reads only the folders that changed since.

``.site.folders`` beside ``site/`` records, for each folder of the two trees, the paths the last prune of that tree
left in it, with the folder's inode, modification and change times. A folder that still has those (nothing was
added, removed or renamed in it since, and it was ``metadata.settled`` when recorded) is not read; the others are.
So a prune costs a stat per folder, and a read only where a build or a person changed something.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import stat as st
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from generator.incremental.journal import tree_key
from generator.incremental.metadata import settled

_RECORD_FORMAT = 2
"""The version of the record's layout: a record of another version is not read."""

State = tuple[int, int, int]
"""A folder's inode, modification and change times (ns): while they stay, no name in it was added or removed."""
Tree = tuple[str, str, list[int]]
"""A tree as its last prune left it: every path in it (files and folders, joined with NUL), the folders whose state
is known (joined with NUL), and their states one after the other."""
Record = dict[int, Tree]
"""What ``.site.folders`` holds: each tree by its ``journal.tree_key`` (as an archive keeps it)."""


def folders_of(files: Iterable[str]) -> set[str]:
    """Every folder holding ``files`` ("" is the root)."""
    folders = {""}
    for parent in {path.rpartition("/")[0] for path in files}:
        while parent not in folders:
            folders.add(parent)
            parent = parent.rpartition("/")[0]
    return folders


def _tree(tree: object) -> tuple[list[str], dict[str, State]]:
    """The paths and folder states of a recorded ``Tree`` (none when it is not one)."""
    if not (isinstance(tree, tuple) and len(tree) == 3 and isinstance(tree[0], str) and isinstance(tree[1], str)):
        return [], {}
    paths, folders, numbers = tree
    names = folders.split("\0") if numbers else []
    if not isinstance(numbers, list) or len(numbers) != 3 * len(names):
        return [], {}
    states = iter(numbers)
    return paths.split("\0"), dict(zip(names, zip(states, states, states, strict=True), strict=True))


def _unlink_file(path: str, folders: list[str]) -> None:
    """Unlink the file or link at ``path``; a folder there is added to ``folders`` instead."""
    with contextlib.suppress(FileNotFoundError):
        if st.S_ISDIR(os.lstat(path).st_mode):
            folders.append(path)
        else:
            os.unlink(path)


def _prune_folder(base: str, rel: str, keep: set[str], folders: set[str], trash: list[str]) -> bool:
    """Read the folder ``rel`` (of the tree at ``base``) and remove what the build did not write in it: files not in
    ``keep``, folders not in ``folders`` (added to ``trash``), links to folders. True when something was removed."""
    prefix = f"{rel}/" if rel else ""
    stray = []
    with os.scandir(base + rel) as entries:
        for entry in entries:
            child = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                if child not in folders:
                    stray.append(child)
            elif child not in keep or (entry.is_symlink() and entry.is_dir()):
                stray.append(child)
    for child in stray:
        _unlink_file(base + child, trash)
    return bool(stray)


def _read_record(file: Path) -> Record:
    """The folders recorded by the last prunes; empty when there is no record or it cannot be read."""
    try:  # (loads of the whole bytes: marshal.load on a file reads it value by value, many times slower)
        value = marshal.loads(file.read_bytes())  # plain values only: reading a damaged file runs no code
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    ok = isinstance(value, tuple) and len(value) == 2 and value[0] == _RECORD_FORMAT and isinstance(value[1], dict)
    return value[1] if ok else {}


def _write_record(file: Path, record: Record) -> None:
    """Replace ``file`` with ``record`` in one rename (a torn record is never read)."""
    fd, temporary = tempfile.mkstemp(prefix=f"{file.name}.", suffix=".tmp", dir=file.parent)
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(marshal.dumps((_RECORD_FORMAT, record)))
        os.replace(temporary, file)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def prune_tree(
    staging: Path,
    target: Path,
    record_file: Path,
    files: Iterable[str],
    discard: Callable[[list[str]], None],
    untouched: Callable[[str], bool] | None = None,
    staging_key: int | None = None,
) -> None:
    """Remove from ``staging`` what is not one of ``files`` (nor a folder holding one), then record what is left in
    ``record_file`` (keeping the record of ``target``, the other tree). A folder whose state is as the last prune of
    this tree left it is not read: what it holds then is what that prune recorded. Stray folders are handed to
    ``discard`` (which moves them away) before the record is written. ``untouched(folder)``: the folders nobody
    changed since that prune (``journal.py``), taken as recorded without a look. ``staging_key``: the staging
    tree's ``tree_key`` before this build wrote into it (else as it is now)."""
    keep = set(map(os.path.normpath, files))
    folders = folders_of(keep)
    record = _read_record(record_file)
    key = staging_key if staging_key is not None else tree_key(staging)
    recorded_paths, known = _tree(record.get(key) if key is not None else None)
    base = os.path.join(staging, "")
    trash: list[str] = []  # folders to move to the trash
    if not recorded_paths:  # no record of this tree: every folder is read
        untouched = None
    states, unchanged = _prune_changed(base, keep, folders, known, trash, untouched)
    # An unchanged folder holds what the last prune left in it: what this build did not write goes.
    written = keep | folders
    for path in [path for path in recorded_paths if path not in written]:
        parent = path.rpartition("/")[0]
        if parent in unchanged:
            _unlink_file(base + path, trash)
            states.pop(parent, None)
    if trash:
        discard(trash)
    numbers = [number for state in states.values() for number in state]
    trees: Record = {}
    site = tree_key(target)
    if site is not None and site in record:
        trees[site] = record[site]
    staging_now = tree_key(staging)  # the prune itself may have changed it
    if staging_now is not None:
        trees[staging_now] = ("\0".join(written), "\0".join(states), numbers)
    _write_record(record_file, trees)


def _prune_changed(
    base: str,
    keep: set[str],
    folders: set[str],
    known: dict[str, State],
    trash: list[str],
    untouched: Callable[[str], bool] | None,
) -> tuple[dict[str, State], set[str]]:
    """Read and prune every folder of ``folders`` (under ``base``) whose state is not the ``known`` one; return the
    states to record (of the folders left as they are and settled) and the folders found unchanged. A folder that
    is ``untouched`` is taken as unchanged without a look."""
    now = time.time_ns()
    states: dict[str, State] = {}
    unchanged: set[str] = set()
    folders_seen: set[str] = set()  # folders found to be folders (not links): only theirs are looked into
    for rel in sorted(folders):  # each folder after the one holding it
        if rel and rel.rpartition("/")[0] not in folders_seen:
            continue
        if untouched is not None and untouched(rel):
            folders_seen.add(rel)
            unchanged.add(rel)
            if rel in known:
                states[rel] = known[rel]
            continue
        try:
            stat = os.lstat(base + rel)
        except FileNotFoundError:
            continue
        if not st.S_ISDIR(stat.st_mode):
            continue
        folders_seen.add(rel)
        state = (stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns)
        if known.get(rel) == state:
            unchanged.add(rel)
        elif _prune_folder(base, rel, keep, folders, trash):
            continue
        if settled(stat.st_mtime_ns, stat.st_ctime_ns, now_ns=now):  # else it may change again unseen
            states[rel] = state
    return states, unchanged
