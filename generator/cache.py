"""What a build remembers for the next one, in ``.papersite-cache/`` (git-ignored; delete it any time).

- ``parsed.pickle`` and ``parsed.new.pickle``: parsed content files keyed by (path, hash of the file's bytes).
  Unchanged files are not parsed again. The first holds the entries of some earlier build, the second the entries
  added since: a build that parsed few files writes only those (``PARSED_SHARE``).
- ``content.pickle``: topic matches keyed by (title, abstract) for the current topic rules, and what each content
  file's metadata was when it was last read.
- ``related.pickle``: the related papers' state (``related.Related``: vectors and candidates), so a build scores
  only the papers whose lists may change. The process that computes them reads and writes it (``StateFile``): the
  build never holds it.
- ``pages.pickle``: for each page of the published ``site/``, the fingerprint of everything that went into it and
  the size and modification time of the file written; plus the search index's fingerprint. A page whose fingerprint
  is unchanged is hard-linked from ``site/`` instead of rendered. This file is removed before ``site/`` is swapped
  and written again after, so it never describes a site other than the published one.

Every cache is keyed by a fingerprint of papersite's own code, so a new version never reads an old cache.
``papersite build --no-cache`` reads none of it (and writes it afresh).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import functools
import hashlib
import io
import operator
import os
import pickle
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from functools import cache
from pathlib import Path
from typing import Any

from generator.model import Paper, Problem
from generator.parallel import collection_paused

CACHE_DIR = ".papersite-cache"
_FORMAT = 2


@cache
def code_fingerprint() -> str:
    """Hash of papersite's own source files and the Python version: any change invalidates every cache."""
    digest = hashlib.blake2b(f"{_FORMAT} {sys.version}".encode(), digest_size=16)
    package = Path(__file__).resolve().parent
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
    modified within ``RACY_NS`` of being read is not recorded)."""
    used_files: dict[str, tuple[tuple[int, int, int, int], bytes]] = field(default_factory=dict)

    def unchanged(self, path: str, stat: os.stat_result) -> tuple[tuple[str, bytes] | None, ParseResult | None]:
        """The cache key and parse result of ``path`` when its metadata is what it was when last read."""
        entry = self.files.get(path)
        if entry is None or entry[0] != file_identity(stat):
            return None, None
        key = (path, entry[1])
        found = self.parsed.get(key)
        if found is not None:
            self.used_parsed[key] = found
            self.used_files[path] = entry
        return key, found

    def paper(
        self, path: str, raw: bytes, stat: os.stat_result | None = None
    ) -> tuple[tuple[str, bytes], ParseResult | None]:
        key = (path, hashlib.blake2b(raw, digest_size=16).digest())
        if stat is not None and time.time_ns() - stat.st_mtime_ns > RACY_NS:
            self.used_files[path] = (file_identity(stat), key[1])
        found = self.parsed.get(key)
        if found is not None:
            self.used_parsed[key] = found
        return key, found

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
        found = self.topics.get(key)
        if found is not None:
            self.used_topics[key] = found
        return found

    def store_match(self, title: str, text: str, slugs: tuple[str, ...]) -> None:
        self.used_topics[_text_key(title, text)] = slugs


RACY_NS = 2_000_000_000
"""A file modified this recently (in nanoseconds) may change again within its timestamp's granularity."""


def file_identity(stat: os.stat_result) -> tuple[int, int, int, int]:
    """What a file is trusted by when it is not read: size, modification and change times, inode."""
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)


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
        """Loaded when first used (not by a build that finds the site up to date: at 100k papers it is large)."""
        if not self.enabled:
            return ContentCache()
        content: ContentCache = self._load("content", ContentCache)
        base, added = self.read(PARSED), self.read(PARSED_ADDED)
        self._parsed = base if isinstance(base, dict) else {}
        content.parsed = self._parsed | added if isinstance(added, dict) else self._parsed
        return content

    @functools.cached_property
    def previous_pages(self) -> PageCache:
        return self._load("pages", PageCache) if self.enabled else PageCache()

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
        content = self.content
        used = ContentCache({}, content.topics_key, content.used_topics)
        used.files = content.used_files
        with contextlib.suppress(OSError):
            self._save_parsed(content.used_parsed)
            self._save("content", used)
            for name in (RELATED, PENDING_RELATED):
                self._drop_stale(name)
            os.replace(self._path(PENDING_RELATED), self._path(RELATED))

    def _save_parsed(self, used: dict[tuple[str, bytes], ParseResult]) -> None:
        """Only the entries the saved ones lack, while they and the saved entries no longer used are few; else
        all of ``used`` afresh (at 10k papers, 19 MB: 0.2 s)."""
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

    def forget_pages(self) -> None:
        """Before ``site/`` changes: a crash from here on must not leave fingerprints of another site."""
        self._path("pages").unlink(missing_ok=True)

    def save_pages(self) -> None:
        with contextlib.suppress(OSError):
            self._save("pages", self.pages)


RELATED, PENDING_RELATED = "related", "related.next"
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


_but_topics = operator.attrgetter(*(name for name in Paper.__dataclass_fields__ if name != "topics"))


def _same_but_topics(paper: Paper, parsed: Paper) -> bool:
    """Whether every field of ``paper`` but its topics is the very object ``parsed`` has (as ``replace`` leaves
    them): then ``paper`` is ``parsed`` with other topics, whatever its fields hold."""
    return all(map(operator.is_, _but_topics(paper), _but_topics(parsed)))


def paper_digest(paper: Paper) -> bytes:
    """A hash of every field of ``paper``: its pickle, without the memo (so that two equal records give the same
    bytes however their values happen to be shared), about ten times faster than walking the fields."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True  # no memo: shared and unshared equal values pickle alike
    pickler.dump(paper)
    return hashlib.blake2b(buffer.getbuffer(), digest_size=16).digest()


class Fingerprint:
    """Stable hashes of page contexts: frozen records, tuples, dicts, dates, text, numbers, and the functions
    templates get (by qualified name and the values they close over). A ``Paper`` is hashed once per build."""

    def __init__(self, salt: str) -> None:
        self.salt = salt.encode()
        self._papers: dict[int, tuple[Paper, bytes]] = {}
        self._long: dict[int, tuple[Any, bytes]] = {}
        self._feeders: dict[type, Callable[[Any, Any], None]] = {}

    def of(self, *values: Any) -> bytes:
        digest = hashlib.blake2b(self.salt, digest_size=16)
        for value in values:
            self._feed(digest, value)
        return digest.digest()

    def learn(self, papers: Sequence[Paper], parsed: ContentCache | None = None) -> None:
        """Hash ``papers`` now, before render workers are forked: each would hash every paper it meets again (twice
        per build: once for the list pages, once for the paper pages). A paper that is its content file's parse
        result (``parsed``, its cache) but for its topics, which the site resolves, is known by the hash of that
        file's bytes and its topics: at 10k papers 0.03 s, where pickling each took 0.12-0.25 s."""
        sources = parsed.sources() if parsed is not None else {}
        for paper in papers:
            found = sources.get(paper.path)
            if found is not None and _same_but_topics(paper, found[0]):
                digest = hashlib.blake2b(b"F" + found[1], digest_size=16)
                digest.update(f"{paper.path}\0{paper.topics!r}".encode("utf-8", "surrogatepass"))
                self._papers[id(paper)] = (paper, digest.digest())
            else:
                self._paper(paper)

    def _paper(self, paper: Paper) -> bytes:
        found = self._papers.get(id(paper))
        if found is None or found[0] is not paper:
            found = self._papers[id(paper)] = (paper, paper_digest(paper))
        return found[1]

    def _feed_items(self, digest: Any, items: tuple[Any, ...] | list[Any]) -> None:
        digest.update(b"(%d:" % len(items))
        feed = self._feed
        for item in items:
            feed(digest, item)
        digest.update(b")")

    def _feed(self, digest: Any, value: Any) -> None:
        kind = type(value)
        feed = self._feeders.get(kind)
        if feed is None:
            feed = self._feeders[kind] = self._feeder(value)
        feed(digest, value)

    def _feeder(self, value: Any) -> Callable[[Any, Any], None]:
        """How to feed ``value``, and every value of its type (each test below depends on the type alone)."""
        if value is None or isinstance(value, (bool, int, float, enum.Enum)):
            return lambda digest, value: digest.update(f"{type(value).__name__}:{value!r};".encode())
        if isinstance(value, str):
            return _feed_text
        if isinstance(value, bytes):
            return lambda digest, value: digest.update(b"b%d:" % len(value) + value)
        if isinstance(value, (dt.date, dt.datetime, dt.time)):
            return lambda digest, value: digest.update(f"{type(value).__name__}:{value.isoformat()};".encode())
        if isinstance(value, Paper):
            return lambda digest, value: digest.update(b"P" + self._paper(value))
        if isinstance(value, (tuple, list)):
            return self._feed_sequence
        if hasattr(type(value), "fingerprint_parts"):
            head = f"O{type(value).__qualname__}:".encode()

            def parts(digest: Any, value: Any) -> None:
                digest.update(head)
                self._feed(digest, value.fingerprint_parts())

            return parts
        if isinstance(value, dict):
            return self._feed_dict
        if isinstance(value, (set, frozenset)):
            return lambda digest, value: self._feed(digest, sorted(value, key=repr))
        if is_dataclass(value) and not isinstance(value, type):
            head = f"D{type(value).__qualname__}:".encode()
            names = [f.name for f in fields(value)] + list(getattr(type(value), "__fingerprint__", ()))

            def record(digest: Any, value: Any) -> None:
                digest.update(head)
                for name in names:
                    self._feed(digest, getattr(value, name))

            return record
        if callable(value) and hasattr(value, "__qualname__"):
            return self._feed_function
        if isinstance(value, Path):
            return lambda digest, value: digest.update(f"path:{value.as_posix()};".encode())
        raise TypeError(f"cannot fingerprint a {type(value).__name__} for the page cache")

    def _feed_sequence(self, digest: Any, value: tuple[Any, ...] | list[Any]) -> None:
        if len(value) > 32:  # long tuples (a topic's papers) recur on many pages: hash each once
            found = self._long.get(id(value))
            if found is None or found[0] is not value:
                inner = hashlib.blake2b(digest_size=16)
                self._feed_items(inner, value)
                found = self._long[id(value)] = (value, inner.digest())
            digest.update(b"L" + found[1])
        else:
            self._feed_items(digest, value)

    def _feed_dict(self, digest: Any, value: dict[Any, Any]) -> None:
        digest.update(b"{%d:" % len(value))
        for key, item in value.items():
            self._feed(digest, key)
            self._feed(digest, item)
        digest.update(b"}")

    def _feed_function(self, digest: Any, value: Any) -> None:
        digest.update(f"F{getattr(value, '__module__', '')}.{value.__qualname__};".encode())
        cells = getattr(value, "__closure__", None) or ()
        self._feed(digest, [cell.cell_contents for cell in cells])
        bound = getattr(value, "__self__", None)
        if bound is not None and not isinstance(bound, type(sys)):
            self._feed(digest, bound)


def _feed_text(digest: Any, value: str) -> None:
    digest.update(b"s%d:" % len(value))
    digest.update(value.encode("utf-8", "surrogatepass"))
