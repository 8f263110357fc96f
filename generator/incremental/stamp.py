"""Whether ``site/`` already holds what a build would write, so that a build with nothing to do stops early.

After every successful build a stamp is saved beside the caches (``.papersite-cache/stamp-*.pickle``). It holds:

- a digest of the **inputs**: papersite's code, the options that reach the output (base URL, search on or off,
  ``PAPERSITE_SEARCH_SHARDS``), the day of "now" (the freshness check reads it), the bytes of ``site.toml`` and of
  every theme file, and each content file's name, size, inode and modification and change times, and those of the
  other files and folders the build reads (the scrape log and the listings folder, for the status page);
- a digest of the **published site**: every file's and folder's path, type, size and modification time;
- what that build reported: its problems (warnings are printed again) and its summary.

A build whose inputs and published site both match the stamp would write exactly the site that is there: it reports
the same problems and stops ("up to date"). Like make, ninja and git, this trusts file metadata for content files:
an edit that keeps a file's size, modification time and inode would go unnoticed, so no stamp is taken while a
content file is "racily clean" (as git calls it: not ``metadata.settled`` when the build would stamp it),
and any other change (a file added, removed, touched, or a file of ``site/`` edited or deleted) means a real build,
which is itself incremental.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.clock import build_time
from generator.incremental.cache import SITE_METADATA, STAMP, BuildCache, code_fingerprint, folder_fingerprint
from generator.incremental.journal import tree_key
from generator.incremental.metadata import file_identity, settled
from generator.incremental.prune import folders_of
from generator.model import Problem, SearchIndex


@dataclass(frozen=True, slots=True)
class Stamp:
    """The inputs and published site of the last successful build, and what it reported."""

    inputs: bytes
    site: bytes
    paths: tuple[str, ...]
    """What ``site`` covers (``site_paths``)."""
    problems: tuple[Problem, ...]
    pages: int
    papers: int
    search: SearchIndex | None


def inputs_digest(
    root: Path, options: Iterable[object], theme_folders: Iterable[Path], also: Iterable[Path] = ()
) -> bytes | None:
    """A digest of everything a build reads (see the module docstring), or None when a content file is too recent
    to be trusted by its metadata. ``also``: more files or folders the build reads (a missing one counts as such;
    a folder's times change when an entry is added or removed)."""
    shards = os.environ.get("PAPERSITE_SEARCH_SHARDS", "")
    digest = hashlib.blake2b(f"{code_fingerprint()}\0{list(options)!r}\0{shards}\0".encode(), digest_size=16)
    digest.update(f"{build_time().date()}\0".encode())
    try:
        digest.update((root / "site.toml").read_bytes())
    except OSError:
        return None
    digest.update(f"\0{folder_fingerprint(theme_folders)}\0".encode())
    now = time.time_ns()
    papers = root / "content" / "papers"
    try:
        entries = sorted(os.scandir(papers), key=lambda e: e.name) if papers.is_dir() else []
    except OSError:
        return None
    for entry in entries:
        if not entry.name.endswith(".md"):
            continue
        try:
            stat = entry.stat()
        except OSError:
            return None
        if not settled(stat.st_mtime_ns, now_ns=now):
            return None
        digest.update(f"{entry.name}\0{file_identity(stat)}\0".encode())
    for path in also:
        try:
            stat = path.stat()
        except FileNotFoundError:
            digest.update(f"{path.name}\0missing\0".encode())
            continue
        except OSError:
            return None
        if not settled(stat.st_mtime_ns, now_ns=now):
            return None
        digest.update(f"{path.name}\0{file_identity(stat)}\0".encode())
    return digest.digest()


def site_paths(files: Iterable[str]) -> tuple[str, ...]:
    """The published site's files and every folder holding them ("" is the site folder), for ``site_digest``. A
    folder's modification time changes when an entry is added to it or removed, so a stray file is noticed too.
    The order is the build's own (the stamp keeps it): sorting half a million paths costs more than the rest."""
    unique = dict.fromkeys(files)
    return (*folders_of(unique), *unique)


Metadata = tuple[int, int, int]
"""What the site digest covers of a path: its type, size and modification time (ns), which an archive keeps (the
deploy workflow restores the site from one: ``journal.py``)."""


def _metadata(stat: os.stat_result) -> Metadata:
    return (stat.st_mode, stat.st_size, stat.st_mtime_ns)


def _digest(paths: Sequence[str], metadata: array[int]) -> bytes:
    digest = hashlib.blake2b("\0".join(paths).encode("utf-8", "surrogatepass"), digest_size=16)
    digest.update(metadata.tobytes())
    return digest.digest()


def site_metadata(target: Path, paths: Iterable[str], known: Mapping[str, Metadata] | None = None) -> array[int]:
    """The metadata of ``paths`` of the published site, one after the other: taken from ``known`` where it has the
    path, else one stat per path, relative to the site folder (a walk of ``site/``, a folder per page, would cost
    several times more; a whole path costs the kernel a lookup of every folder above the site too). Raises
    ``OSError`` when a path is missing."""
    known = known or {}
    relative = os.stat in os.supports_dir_fd  # not on Windows
    folder = os.open(target, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)) if relative else -1
    base = os.path.join(target, "")
    metadata: array[int] = array("q")
    try:
        for path in paths:
            value = known.get(path)
            if value is None:
                if relative:
                    value = _metadata(os.stat(path or ".", dir_fd=folder, follow_symlinks=False))
                else:
                    value = _metadata(os.stat(base + path, follow_symlinks=False))
            metadata.extend(value)
        return metadata
    finally:
        if relative:
            os.close(folder)


def site_digest(target: Path, paths: Sequence[str]) -> bytes | None:
    """A digest of ``paths`` of the published site (the metadata of each); None when one is missing."""
    try:
        return _digest(paths, site_metadata(target, paths))
    except (OSError, ValueError):
        return None


def _known(record: dict[object, object], root: int | None, may_differ: Callable[[str], bool]) -> dict[str, Metadata]:
    """What the site metadata ``record`` holds of the tree ``root`` (``journal.tree_key``, as it was last
    published), but the paths that ``may_differ``."""
    entry = record.get(root)
    if not (isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], str)):
        return {}
    paths, numbers = entry[0].split("\0"), array("q", entry[1])
    if len(numbers) != 3 * len(paths):
        return {}
    rows = iter(numbers)
    values = zip(rows, rows, rows, strict=True)
    return {path: value for path, value in zip(paths, values, strict=True) if not may_differ(path)}


def _save_metadata(
    cache: BuildCache, record: dict[object, object], target: Path, paths: Sequence[str], metadata: array[int]
) -> None:
    """Keep the metadata of the tree just published (and, from the ``record`` read before, of the other tree, the
    staging folder, which the next build publishes and the one after it stamps again)."""
    site, other = tree_key(target), tree_key(target.with_name(f".{target.name}.staging"))
    keep = {other: record[other]} if other is not None and other in record else {}
    if site is not None:
        keep[site] = ("\0".join(paths), metadata.tobytes())
    cache.save(SITE_METADATA, keep)


def last_stamp(cache: BuildCache, inputs: bytes | None, target: Path) -> tuple[Stamp | None, bool]:
    """The last build's stamp when its inputs were ``inputs`` and ``target`` is still the site it published (then
    ``target`` already is what a build would write), and whether ``target`` is known to have changed since that
    build (the same inputs, another site: something else wrote into it, and no file of it may be trusted)."""
    stamp = cache.read(STAMP) if inputs is not None else None
    if isinstance(stamp, Stamp) and stamp.inputs == inputs:
        if stamp.site == site_digest(target, stamp.paths):
            return stamp, False
        return None, True
    return None, False


def save_stamp(
    cache: BuildCache,
    inputs: bytes | None,
    target: Path,
    files: Iterable[str],
    *,
    problems: tuple[Problem, ...],
    pages: int,
    papers: int,
    search: SearchIndex | None,
    may_differ: Callable[[str], bool] | None = None,
) -> None:
    """Stamp the site just published at ``target`` (its ``files``) as the output of ``inputs``; nothing when the
    inputs could not be trusted by their metadata (``inputs`` None) or the site cannot be read back.

    With ``may_differ`` (a build that trusted the journal, ``Output.may_differ``), only the paths it accepts are
    read: the others are as they were when this tree was last published, and the site metadata record has them."""
    paths = site_paths(files)
    record = cache.read(SITE_METADATA)
    record = record if isinstance(record, dict) else {}
    try:
        known = _known(record, tree_key(target), may_differ) if may_differ is not None else {}
        metadata = site_metadata(target, paths, known)
    except (OSError, ValueError):
        cache.forget(STAMP)
        return
    with contextlib.suppress(OSError):
        _save_metadata(cache, record, target, paths, metadata)
    if inputs is not None:
        cache.save(STAMP, Stamp(inputs, _digest(paths, metadata), paths, problems, pages, papers, search))
