"""The journal: which files the published site and the staging folder do not share, so that a build touches only
those and the files it changes, however large the site.

After a swap the previous site becomes the staging folder (``output.py``). A file the build left as it was (linked
from the site before, or trusted, below) is then one file of both trees; a file it wrote anew is not. Beside
``site/``, ``.site.journal`` lists the second kind, with the two trees (``tree_key``) and the prefixes of the paths
a tool writes directly (the search index's folders), which are never trusted.

The next build trusts every other file of the staging folder to be the published one: an unchanged page is neither
looked at nor linked, and the prune reads only the folders a build changed. What a build costs is then in
proportion to what changed in the last two builds, not to the site.

Trust assumes that only papersite writes into ``site/`` and the staging folder. It ends before a build writes into
the staging folder (``take`` deletes the journal) and starts again only once the next swap is done (``save``): a
build interrupted in between, another tree at either place (recovered, deleted, made again), or a ``site/``
changed since the last build's stamp means no journal, and every file is checked as before.

A tree is known by its root folder's modification time (``tree_key``), which changes whenever a build adds or
replaces a file at the top of the tree, and which an archive keeps: the deploy workflow saves both trees and the
journal in one cache archive (``tar`` keeps the files they share as hard links, and every time), so a daily run on
a fresh runner trusts them as a build on the same disk does.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISDIR

_FORMAT = 2
"""The version of the journal's layout: a journal of another version is not read."""

Root = int
"""A tree, as ``tree_key`` knows it."""


@dataclass(frozen=True, slots=True)
class Journal:
    """What the published site and the staging folder share: every file but ``changed`` and those whose path
    starts with one of ``prefixes``."""

    site: Root
    staging: Root
    changed: frozenset[str]
    """Files of the published site that are not the staging folder's file at the same path (written anew)."""
    prefixes: tuple[str, ...]
    """Paths a tool writes directly (the search index's folders, ``pagefind*``): none of them is trusted."""

    def trusts(self, path: str) -> bool:
        """Whether the staging folder's ``path`` is the published site's file."""
        return path not in self.changed and not path.startswith(self.prefixes)


def tree_key(folder: Path) -> Root | None:
    """The tree at ``folder``: its root folder's modification time (ns); None when it is not a folder."""
    try:
        stat = os.lstat(folder)
    except OSError:
        return None
    return stat.st_mtime_ns if S_ISDIR(stat.st_mode) else None


def take(file: Path, site: Path, staging: Path) -> Journal | None:
    """The journal of ``site`` and ``staging`` when it describes those very trees, and delete it: the caller is
    about to change the staging folder, and a journal must never outlive that."""
    try:
        value = marshal.loads(file.read_bytes())  # plain values only: reading a damaged file runs no code
    except (OSError, EOFError, ValueError, TypeError):
        return None
    finally:
        file.unlink(missing_ok=True)
    if not (isinstance(value, tuple) and len(value) == 5 and value[0] == _FORMAT):
        return None
    _, site_root, staging_root, changed, prefixes = value
    if site_root != tree_key(site) or staging_root != tree_key(staging) or None in (site_root, staging_root):
        return None
    if not (isinstance(changed, list) and isinstance(prefixes, list)):
        return None
    return Journal(site_root, staging_root, frozenset(changed), tuple(prefixes))


def forget(file: Path) -> None:
    """No journal: the next build checks every file."""
    file.unlink(missing_ok=True)


def save(file: Path, site: Path, staging: Path, changed: Iterable[str], prefixes: Iterable[str]) -> None:
    """Record, after a swap, that ``site`` and ``staging`` share every file but ``changed`` and those whose path
    starts with one of ``prefixes``. Written through a temporary file and a rename: a torn journal is never read."""
    site_root, staging_root = tree_key(site), tree_key(staging)
    if site_root is None or staging_root is None:
        return
    value = (_FORMAT, site_root, staging_root, sorted(set(changed)), sorted(set(prefixes)))
    fd, temporary = tempfile.mkstemp(prefix=f"{file.name}.", suffix=".tmp", dir=file.parent)
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(marshal.dumps(value))
        os.replace(temporary, file)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
