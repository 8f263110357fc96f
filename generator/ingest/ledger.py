"""What the last ingest applied and wrote, so that the next one reads only what is new (``merge.ingest``).

Kept in ``.papersite-cache/ingest-<code>.pickle`` (git-ignored; a fresh clone builds it once), keyed by papersite's
code like every cache. It holds:

- each listing applied: its path, file identity (size, times, inode) and content hash;
- each content file as the ingest left it: its identity and content hash, and its identity keys (arXiv id, title
  keys, the listings it came from), which are all the merge needs of a file it does not change;
- the order key of the newest listing applied, and the upvotes that made a paper popular.

Trust follows the build's rule (``incremental/metadata.py``): a file whose identity differs from the ledger's
changed. One whose identity is the same but was written within ``RACY_NS`` of the ledger being saved may have
changed since without its times moving, so its bytes are hashed again. ``changes`` says what differs; the merge
decides what it can do without reading everything.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from generator.incremental.cache import CACHE_DIR, code_fingerprint
from generator.incremental.metadata import file_identity, settled

Identity = tuple[int, int, int, int]
"""``metadata.file_identity``: size, modification and change times, inode."""


@dataclass(frozen=True, slots=True)
class Known:
    """A file as the ledger last saw it."""

    identity: Identity
    digest: bytes
    """BLAKE2b of its bytes."""
    settled: bool
    """Its times were older than ``RACY_NS`` when the ledger was saved: an equal identity means equal bytes."""


@dataclass(frozen=True, slots=True)
class Keys:
    """What identity resolution needs of a content file (``merge.Identities``)."""

    arxiv: str | None
    titles: tuple[str, ...]
    """Its ``title_keys`` and its normalised current title."""
    sources: tuple[str, ...]
    """Names of the listings it came from."""


@dataclass(slots=True)
class Ledger:
    listings: dict[str, Known] = field(default_factory=dict)
    """Listing path (as given to ``ingest``) -> what was applied."""
    files: dict[str, Known] = field(default_factory=dict)
    """Content file stem (slug) -> the file as written."""
    keys: dict[str, Keys] = field(default_factory=dict)
    """Content file stem -> its identity keys."""
    newest: tuple[date, str] = (date.min, "")
    """``merge.listing_order`` of the newest listing applied."""
    popular: int | None = None
    """The ``[feeds] popular_upvotes`` the ingest applied (another one reads everything again)."""


@dataclass(frozen=True, slots=True)
class Changes:
    """How the listings and content files on disk differ from the ledger."""

    new: tuple[Path, ...]
    """Listings the ledger does not hold."""
    changed: tuple[str, ...]
    """Listings re-saved with other bytes, or deleted."""
    edited: tuple[str, ...]
    """Content files (stems) added, edited or deleted since the ingest that wrote them."""
    listings: dict[str, Known]
    """The unchanged listings, their records refreshed (a file hashed again may now be settled)."""
    files: dict[str, Known]
    """The unchanged content files, likewise."""


def ledger_path(root: Path) -> Path:
    return root / CACHE_DIR / f"ingest-{code_fingerprint()}.pickle"


def read_ledger(path: Path) -> Ledger | None:
    """The ledger saved at ``path``, or None when there is none or it cannot be read (a full ingest follows)."""
    try:
        with path.open("rb") as handle:
            ledger = pickle.load(handle)
    except Exception:
        return None
    return ledger if isinstance(ledger, Ledger) else None


def save_ledger(path: Path, ledger: Ledger) -> None:
    """Write the ledger atomically; a failure only costs the next ingest its shortcut."""
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob("ingest-*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)  # another version's ledger
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".ingest.", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(ledger, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)


def digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def known(path: Path, data: bytes | None = None, now_ns: int | None = None) -> Known:
    """``path`` as the ledger records it (its bytes read unless given)."""
    stat = path.stat()
    raw = path.read_bytes() if data is None else data
    return Known(file_identity(stat), digest(raw), settled(stat.st_mtime_ns, stat.st_ctime_ns, now_ns=now_ns))


def _same(path: Path, was: Known) -> Known | None:
    """``path``'s record when its bytes are the ones ``was`` describes, else None (changed or gone)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    if file_identity(stat) == was.identity and was.settled:
        return was
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    if digest(raw) != was.digest:
        return None
    return Known(file_identity(stat), was.digest, settled(stat.st_mtime_ns, stat.st_ctime_ns))


def changes(ledger: Ledger, listings: list[Path], papers_dir: Path) -> Changes:
    """What differs between the ledger and ``listings`` / ``papers_dir``."""
    new: list[Path] = []
    same_listings: dict[str, Known] = {}
    for path in listings:
        was = ledger.listings.get(str(path))
        now = _same(path, was) if was is not None else None
        if was is None:
            new.append(path)
        elif now is not None:
            same_listings[str(path)] = now
    changed = sorted(set(ledger.listings) - set(same_listings) - {str(path) for path in new})
    on_disk = {path.stem: path for path in papers_dir.glob("*.md")} if papers_dir.is_dir() else {}
    same_files: dict[str, Known] = {}
    for stem, path in on_disk.items():
        was = ledger.files.get(stem)
        now = _same(path, was) if was is not None else None
        if now is not None:
            same_files[stem] = now
    edited = sorted((set(on_disk) | set(ledger.files)) - set(same_files))
    return Changes(tuple(new), tuple(changed), tuple(edited), same_listings, same_files)
