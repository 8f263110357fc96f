"""Stable hashes of page contexts, for the page cache."""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import io
import operator
import pickle
import sys
from collections.abc import Callable, Sequence
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

from generator.incremental.cache import ContentCache
from generator.model import Paper

_but_topics = operator.attrgetter(*(name for name in Paper.__dataclass_fields__ if name != "topics"))


def _same_but_topics(paper: Paper, parsed: Paper) -> bool:
    """Whether every field of ``paper`` but its topics is the very object ``parsed`` has (as ``replace`` leaves
    them): then ``paper`` is ``parsed`` with other topics, whatever its fields hold."""
    return all(map(operator.is_, _but_topics(paper), _but_topics(parsed)))


def paper_digest(paper: Paper) -> bytes:
    """A hash of every field of ``paper``: its pickle, without the memo (so that two equal records give the same
    bytes however their values happen to be shared): much faster than walking the fields."""
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

    def of_paper(self, paper: Paper, *parts: bytes) -> bytes:
        """A digest of ``paper`` (known by its hash, as ``of`` feeds it) and ``parts``: one hash and no walk over
        values, for what is computed once per paper per build (the desk files' key)."""
        digest = hashlib.blake2b(self.salt, digest_size=16)
        digest.update(b"P" + self._paper(paper))
        for part in parts:
            digest.update(b"%d:" % len(part))
            digest.update(part)
        return digest.digest()

    def learn(self, papers: Sequence[Paper], parsed: ContentCache | None = None) -> None:
        """Hash ``papers`` now, before render workers are forked: each would hash every paper it meets again (twice
        per build: once for the list pages, once for the paper pages). A paper that is its content file's parse
        result (``parsed``, its cache) but for its topics, which the site resolves, is known by the hash of that
        file's bytes and its topics: the cache already holds that hash, and pickling every paper costs more."""
        sources = parsed.sources() if parsed is not None else {}
        for paper in papers:
            source = sources.get(paper.path)
            if source is not None and _same_but_topics(paper, source[0]):
                digest = hashlib.blake2b(b"F" + source[1], digest_size=16)
                digest.update(f"{paper.path}\0{paper.topics!r}".encode("utf-8", "surrogatepass"))
                self._papers[id(paper)] = (paper, digest.digest())
            else:
                self._paper(paper)

    def _paper(self, paper: Paper) -> bytes:
        known = self._papers.get(id(paper))
        if known is None or known[0] is not paper:
            known = self._papers[id(paper)] = (paper, paper_digest(paper))
        return known[1]

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
            known = self._long.get(id(value))
            if known is None or known[0] is not value:
                inner = hashlib.blake2b(digest_size=16)
                self._feed_items(inner, value)
                known = self._long[id(value)] = (value, inner.digest())
            digest.update(b"L" + known[1])
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
