"""A fast reader for front matter in the shapes ``document.dump_document`` writes (every content file papersite
writes), giving exactly what ``yaml.safe_load`` gives, or None for anything else (which PyYAML then reads).

Building Python objects is most of PyYAML's time even with libyaml's parser (about 35 ``construct_object`` calls
a file), and so most of the time of loading content files. ``tests/test_front_matter_fast.py`` checks the two
agree.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Any

import yaml

_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_UNSIMPLE_CHAR = re.compile("[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
"""Tabs, CR, NEL/LS/PS (YAML line breaks), BOM, control characters, surrogates: PyYAML decides those."""
_SIMPLE_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,99}")
_NOT_PLAIN_START = frozenset(" -?:,[]{}#&*!|>'\"%@`")
_YAML11_WORDS = frozenset(("y", "n", "yes", "no", "true", "false", "on", "off", "null", "~"))
"""Lower-cased; PyYAML resolves some casings of these to bool/None (``y``/``n`` are strings to it: declined all the
same, to be safe)."""
_SMALL_INT = re.compile(r"(?:0|[1-9][0-9]{0,17})\Z")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_INT_TAG, _TIMESTAMP_TAG = "tag:yaml.org,2002:int", "tag:yaml.org,2002:timestamp"
_WILDCARD = tuple(_FAST_LOADER.yaml_implicit_resolvers.get(None, ()))
_RESOLVERS: dict[str, tuple[tuple[str, re.Pattern[str]], ...]] = {
    first: (*resolvers, *_WILDCARD)
    for first, resolvers in _FAST_LOADER.yaml_implicit_resolvers.items()
    if first is not None
}
"""PyYAML's own table of implicit types by first character: a plain scalar no regexp here matches is a string."""
_NO: Any = object()
"""A value the fast path declines."""


def read_simple_front(front: str) -> dict[str, Any] | None:
    """What ``yaml.safe_load(front)`` gives, when every line of ``front`` has a shape ``dump_document`` writes
    (``key: scalar``, ``key:`` + ``- scalar`` lines, ``key:`` + ``  key: scalar`` lines; no duplicate keys);
    None for anything else (then PyYAML must read it). Scalars: single-quoted, double-quoted without escapes,
    ``[]``, and plain ones that are plainly a string, an int or a date."""
    if not front.endswith("\n") or _UNSIMPLE_CHAR.search(front):
        return None
    meta: dict[str, Any] = {}
    open_key = ""  # a `key:` whose value is on the lines below
    block: list[Any] | dict[str, Any] | None = None
    for line in front[:-1].split("\n"):
        if line.startswith("- "):
            if not open_key or isinstance(block, dict):
                return None
            if block is None:
                block = meta[open_key] = []
            if (value := _simple_scalar(line[2:])) is _NO:
                return None
            block.append(value)
            continue
        if line.startswith("  "):
            pair = _simple_pair(line[2:])
            if pair is None or pair[1] is None or not open_key or isinstance(block, list):
                return None
            if block is None:
                block = meta[open_key] = {}
            if pair[0] in block:
                return None
            block[pair[0]] = pair[1]
            continue
        pair = _simple_pair(line)
        if pair is None or pair[0] in meta or (open_key and block is None):  # `key:` with nothing below: null
            return None
        meta[pair[0]] = pair[1]
        open_key, block = (pair[0] if pair[1] is None else ""), None
    return None if open_key and block is None else meta


def _simple_pair(line: str) -> tuple[str, Any] | None:
    """(key, scalar) of ``key: scalar``, (key, None) of ``key:``, or None."""
    key, colon, rest = line.partition(":")
    if not colon or not _is_simple_key(key):
        return None
    if not rest:
        return key, None
    value = _simple_scalar(rest[1:]) if rest[0] == " " else _NO
    return None if value is _NO else (key, value)


@functools.lru_cache(maxsize=1024)
def _is_simple_key(key: str) -> bool:
    """Is ``key`` a plain scalar that YAML reads as this very string (not ``yes``, ``null``, ``<<``...)?"""
    return _SIMPLE_KEY.fullmatch(key) is not None and _simple_scalar(key) == key


def _simple_scalar(text: str) -> Any:
    """The value of one scalar as YAML reads it on a line of its own, or ``_NO``."""
    if not text:
        return _NO
    first, last = text[0], text[-1]
    if first == "'":
        inner = text[1:-1]  # '' is a quote; a lone quote would end the scalar early
        return _NO if len(text) < 2 or last != "'" or "'" in inner.replace("''", "") else inner.replace("''", "'")
    if first == '"':
        inner = text[1:-1]
        return _NO if len(text) < 2 or last != '"' or '"' in inner or "\\" in inner else inner
    if text == "[]":
        return []
    if first in _NOT_PLAIN_START or last in " :" or ": " in text or " #" in text:
        return _NO
    if len(text) <= 5 and text.lower() in _YAML11_WORDS:
        return _NO
    for tag, regexp in _RESOLVERS.get(first, _WILDCARD):
        if regexp.match(text):
            if tag == _INT_TAG and _SMALL_INT.match(text):
                return int(text)
            if tag == _TIMESTAMP_TAG and _DATE.match(text):
                try:
                    return dt.date(int(text[:4]), int(text[5:7]), int(text[8:]))
                except ValueError:
                    return _NO  # PyYAML raises: its path words the error
            return _NO  # bool, null, float, octal/hex/sexagesimal int, time of day, merge key...
    return text
