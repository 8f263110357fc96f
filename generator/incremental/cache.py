"""What a build remembers for the next one, in ``.papersite-cache/`` (git-ignored; delete it any time).

- ``parsed.pickle`` and ``parsed.new.pickle``: parsed content files keyed by (path, hash of the file's bytes).
  Unchanged files are not parsed again. The first holds the entries of some earlier build, the second the entries
  added since: a build that parsed few files writes only those (``PARSED_SHARE``).
- ``content.pickle``: topic matches keyed by (title, abstract) for the current topic rules, and what each content
  file's metadata was when it was last read.
- ``related.pickle``: the related papers' state (``related.Related``: vectors and candidates), so a build scores
  only the papers whose lists may change. The process that computes them reads and writes it (``StateFile``): the
  build never holds it.
- ``desk.pickle``: the reader's desk vectors' state (``desk.vectors.DeskState``: the model and each text's vector),
  so a build transforms only new and edited texts and fits the model only when its reference changed. Read and
  written like ``related.pickle``.
- ``pages.pickle``: for each page of the published ``site/``, the fingerprint of everything that went into it and
  the size and modification time of the file written; plus the search index's fingerprint. A page whose fingerprint
  is unchanged is hard-linked from ``site/`` instead of rendered. This file is removed before ``site/`` is swapped
  and written again after, so it never describes a site other than the published one.
- ``stamp.pickle`` and ``site-metadata.pickle``: the up-to-date stamp (``stamp.py``), and the metadata of every path
  of the two trees (``site/`` and its staging folder) as each was last published, so that a build that trusted the
  journal reads again only the paths it changed.

Every cache is keyed by a fingerprint of papersite's own code, so a new version never reads an old cache.
``papersite build --no-cache`` reads none of it (and writes it afresh).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from generator.incremental.memory import collection_paused
from generator.incremental.metadata import file_identity, settled
from generator.model import Paper, Problem

CACHE_DIR = ".papersite-cache"
_FORMAT = 2


@cache
def code_fingerprint() -> str:
    """Hash of papersite's own source files and the Python version: any change invalidates every cache."""
    digest = hashlib.blake2b(f"{_FORMAT} {sys.version}".encode(), digest_size=16)
    package = Path(__file__).resolve().parents[1]  # generator/
    for file in sorted(package.rglob("*.py")):
        digest.update(file.relative_to(package).as_posix().encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def folder_fingerprint(folders: Iterable[Path]) -> str:
    """Hash of every file under ``folders`` (names and bytes): templates and static files of a theme."""
    digest = hashlib.blake2b(digest_size=16)
    for folder in folders:
        for file in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(file.relative_to(folder).as_posix().encode() + b"\0")
            digest.update(file.read_bytes())
    return digest.hexdigest()


ParseResult = tuple[Paper | None, tuple[Problem, ...]]


@dataclass
class ContentCache:
    """Parsed content files and topic matches. Entries not used by a build are dropped when it is saved."""

    parsed: dict[tuple[str, bytes], ParseResult] = field(default_factory=dict)
    topics_key: str = ""
    topics: dict[bytes, tuple[str, ...]] = field(default_factory=dict)
    used_parsed: dict[tuple[str, bytes], ParseResult] = field(default_factory=dict)
    used_topics: dict[bytes, tuple[str, ...]] = field(default_factory=dict)
    files: dict[str, tuple[tuple[int, int, int, int], bytes]] = field(default_factory=dict)
    """Content file -> (its size, modification and change times and inode, the hash of its bytes) when last read,
    so that a file whose metadata did not change is not read again (as make and git trust metadata; a file
    that is not ``metadata.settled`` when read is not recorded)."""
    used_files: dict[str, tuple[tuple[int, int, int, int], bytes]] = field(default_factory=dict)

    def unchanged(self, path: str, stat: os.stat_result) -> tuple[tuple[str, bytes] | None, ParseResult | None]:
        """The cache key and parse result of ``path`` when its metadata is what it was when last read."""
        entry = self.files.get(path)
        if entry is None or entry[0] != file_identity(stat):
            return None, None
        key = (path, entry[1])
        result = self.parsed.get(key)
        if result is not None:
            self.used_parsed[key] = result
            self.used_files[path] = entry
        return key, result

    def paper(
        self, path: str, raw: bytes, stat: os.stat_result | None = None
    ) -> tuple[tuple[str, bytes], ParseResult | None]:
        key = (path, hashlib.blake2b(raw, digest_size=16).digest())
        if stat is not None and settled(stat.st_mtime_ns):
            self.used_files[path] = (file_identity(stat), key[1])
        result = self.parsed.get(key)
        if result is not None:
            self.used_parsed[key] = result
        return key, result

    def store_paper(self, key: tuple[str, bytes], result: ParseResult) -> None:
        self.used_parsed[key] = result

    def sources(self) -> dict[str, tuple[Paper, bytes]]:
        """Content file -> (the paper this build parsed from it, the hash of the file's bytes)."""
        return {path: (paper, digest) for (path, digest), (paper, _) in self.used_parsed.items() if paper is not None}

    def use_rules(self, key: str) -> None:
        """Topic matches are only valid for the rules (and code) they were computed with."""
        if key != self.topics_key:
            self.topics_key, self.topics = key, {}

    def match(self, title: str, text: str) -> tuple[str, ...] | None:
        key = _text_key(title, text)
        slugs = self.topics.get(key)
        if slugs is not None:
            self.used_topics[key] = slugs
        return slugs

    def store_match(self, title: str, text: str, slugs: tuple[str, ...]) -> None:
        self.used_topics[_text_key(title, text)] = slugs


def _text_key(title: str, text: str) -> bytes:
    return hashlib.blake2b(f"{title}\0{text}".encode("utf-8", "surrogatepass"), digest_size=16).digest()


@dataclass
class PageCache:
    """Fingerprints of the pages of the published site, and the state of its search index."""

    pages: dict[str, tuple[bytes, int, int]] = field(default_factory=dict)
    """Output file -> (fingerprint, size, mtime_ns) of the file written for it."""
    search_result: Any = None
    """What the search step kept (shard fingerprints), so unchanged shards are reused."""


class BuildCache:
    """Both caches of one project; ``enabled=False`` starts empty (``--no-cache``) but still saves."""

    def __init__(self, root: Path, *, enabled: bool = True) -> None:
        self.folder = root / CACHE_DIR
        self.key = code_fingerprint()
        self.enabled = enabled
        self.pages = PageCache()
        self._parsed: dict[tuple[str, bytes], ParseResult] = {}
        """The entries of ``parsed.pickle`` (``content`` loads them)."""

    @functools.cached_property
    def content(self) -> ContentCache:
        """Loaded when first used: a build that finds the site up to date never reads it (it grows with the site)."""
        if not self.enabled:
            return ContentCache()
        content: ContentCache = self._load("content", ContentCache)
        base, added = self.read(PARSED), self.read(PARSED_ADDED)
        self._parsed = base if isinstance(base, dict) else {}
        content.parsed = self._parsed | added if isinstance(added, dict) else self._parsed
        return content

    @functools.cached_property
    def previous_pages(self) -> PageCache:
        return self._load(PAGES, PageCache) if self.enabled else PageCache()

    def _path(self, name: str) -> Path:
        return self.folder / f"{name}-{self.key}.pickle"

    def _load(self, name: str, kind: type[Any]) -> Any:
        value = _read_pickle(self._path(name))
        return value if isinstance(value, kind) else kind()

    def _save(self, name: str, value: Any) -> None:
        self._drop_stale(name)
        _write_pickle(self._path(name), value)

    def _drop_stale(self, name: str) -> None:
        """Remove the entries ``name`` of other versions of papersite."""
        for stale in self.folder.glob(f"{name}-*.pickle"):
            if stale != self._path(name):
                stale.unlink(missing_ok=True)

    def read(self, name: str) -> Any:
        """The value last saved with ``save(name, ...)``; None when missing, old or corrupt, or with ``--no-cache``."""
        return _read_pickle(self._path(name)) if self.enabled else None

    def save(self, name: str, value: Any) -> None:
        with contextlib.suppress(OSError):
            self._save(name, value)

    def forget(self, name: str) -> None:
        self._path(name).unlink(missing_ok=True)

    def save_content(self) -> None:
        """Save the content cache, and keep the states the related papers' and the desk vectors' processes wrote."""
        content = self.content
        used = ContentCache({}, content.topics_key, content.used_topics)
        used.files = content.used_files
        with contextlib.suppress(OSError):
            self._save_parsed(content.used_parsed)
            self._save("content", used)
        for name, pending in ((RELATED, PENDING_RELATED), (DESK, PENDING_DESK)):
            self._keep_state(name, pending)

    def _keep_state(self, name: str, pending: str) -> None:
        """Move the state a helper process wrote to ``pending`` (when it did) over the state ``name``."""
        with contextlib.suppress(OSError):
            for stale in (name, pending):
                self._drop_stale(stale)
            os.replace(self._path(pending), self._path(name))

    def _save_parsed(self, used: dict[tuple[str, bytes], ParseResult]) -> None:
        """Only the entries the saved ones lack, while they and the saved entries no longer used are few; else
        all of ``used`` afresh (saving every entry costs time in proportion to the site)."""
        saved = self._parsed
        added = {key: result for key, result in used.items() if key not in saved}
        unused = len(saved) - (len(used) - len(added))
        if saved and len(added) + unused <= len(used) * PARSED_SHARE:
            self._save(PARSED_ADDED, added)
            return
        self._save(PARSED, used)
        self._drop_stale(PARSED_ADDED)
        self.forget(PARSED_ADDED)

    def related_state(self) -> StateFile:
        """Where the related papers' state is read (none with ``--no-cache``) and written; ``save_content`` keeps
        what was written."""
        return StateFile(self._path(RELATED) if self.enabled else None, self._path(PENDING_RELATED))

    def desk_state(self) -> StateFile:
        """Where the desk vectors' state is read (none with ``--no-cache``) and written; ``save_content`` keeps what
        was written."""
        return StateFile(self._path(DESK) if self.enabled else None, self._path(PENDING_DESK))

    @contextlib.contextmanager
    def replacing_site(self) -> Iterator[None]:
        """Around the swap of ``site/``. The page cache and the stamp describe the published site, so both are
        removed before it changes (a crash from then on leaves no fingerprints of another site), and the page
        cache is written again once the block is done; the caller saves the new stamp after it. A block that fails
        writes neither."""
        self._path(PAGES).unlink(missing_ok=True)
        self._path(STAMP).unlink(missing_ok=True)
        yield
        with contextlib.suppress(OSError):
            self._save(PAGES, self.pages)


RELATED, PENDING_RELATED = "related", "related.next"
DESK, PENDING_DESK = "desk", "desk.next"
PAGES, STAMP = "pages", "stamp"
"""The page cache, and the up-to-date stamp (``stamp.Stamp``): both describe the published site."""
SITE_METADATA = "site-metadata"
"""The metadata of every path of the two trees as last published (``stamp.save_stamp``)."""
PARSED, PARSED_ADDED = "parsed", "parsed.new"
PARSED_SHARE = 0.1
"""The share of added and unused entries up to which a build saves only the parsed files added."""


@dataclass(frozen=True, slots=True)
class StateFile:
    """A cache entry that a helper process reads from ``path`` (None: it starts afresh) and writes to ``pending``;
    the build moves ``pending`` over ``path`` when it saves its caches. Any state either file holds is valid for
    any build (it describes the papers it was made from), so an interrupted build leaves nothing wrong."""

    path: Path | None
    pending: Path

    def read(self) -> Any:
        return _read_pickle(self.path) if self.path is not None else None

    def write(self, value: Any) -> None:
        with contextlib.suppress(OSError):
            _write_pickle(self.pending, value)


def _read_pickle(path: Path) -> Any:
    """The value pickled in ``path``; None when it is missing, old or corrupt (an empty cache, never a failed
    build)."""
    try:
        with open(path, "rb") as handle, collection_paused():
            return pickle.load(handle)
    except Exception:
        return None


def _write_pickle(path: Path, value: Any) -> None:
    """Write ``value`` to ``path`` whole or not at all (through a temporary file beside it)."""
    path.parent.mkdir(exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle, collection_paused():
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
