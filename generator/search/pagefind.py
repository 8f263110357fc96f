"""The search index: the last step of a build, a Pagefind index of the paper pages in ``site/pagefind/`` (split
into shards on large sites: ``generator/search/shards.py``).

Only paper pages are indexed. Each paper page marks its body with ``data-pagefind-body`` and carries its filters
(``topic``, ``year``, ``organization``), sort keys (``date``, ``upvotes``, ``comments``) and metadata (``title``,
``date``, ``summary``, and ``card``: the paper's card as list pages show it, which search results show, spelt by
the ``unsearchable`` filter since Pagefind searches metadata) as ``data-pagefind-*`` attributes
(``themes/default/templates/paper.html``), so the index is a function of the written HTML alone.

Pagefind's own command line reads the pages back from the staging folder, the paper pages named one by one in a
brace glob (``papers/{a,b}/index.html``), so that the staging folder's pages of removed papers are not indexed (the
binary comes from the ``pagefind[extended]`` wheel; nothing is downloaded). Pagefind names each data file by a hash
of its content and writes it only when no file has that name: the data files an index folder already holds (the
site before last's, in the staging folder) are kept for Pagefind to reuse, so a page indexed before costs no
compression and no new file, and the files the new index does not name are removed after it. The command line, not
the Python API (``pagefind.index.PagefindIndex``): the API waits on a polling loop for each reply, which makes adding
pages one by one far slower than reading a folder, and its exit can stop Pagefind before it has finished writing
its last file.

Pagefind writes its filter values and the filter and sort lists of its metadata file in hash-map order, so two
builds of the same input differ (Pagefind/pagefind#638). :func:`stabilise` rewrites those few small files in sorted
order under content-derived names, which keeps ``site/`` byte-identical for identical input.

Result URLs are site-root-relative (``/papers/<slug>/``); the search page passes the site's base path to Pagefind as
``baseUrl``, so the same index works at any sub-path.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from generator.incremental.output import walk_files
from generator.incremental.parallel import die_with_parent
from generator.urls import output_file, paper_path

INDEX_DIR = "pagefind"
"""Folder of the index and Pagefind's own scripts, relative to the site root."""

PAPER_GLOB = output_file(paper_path("*"))
"""The pages to index, relative to the site root: every paper page."""

EXCLUDE_SELECTORS = (".byline", ".facts", ".chips", ".abstract > h2", ".links", "nav")
"""Parts of a paper body kept out of the searchable text (excerpts read better without them): byline, fact table,
topic chips (their filter values are still read), the "Abstract" heading, link labels, navigation."""

_SIGNATURE = b"pagefind_dcd"
"""What every decompressed Pagefind data file starts with."""


class SearchIndexError(Exception):
    """Pagefind could not build the index (its binary is missing or it rejected a page)."""


REUSED = ("fragment/", "index/")
"""The data files of an index folder that a new index may reuse (content-named; Pagefind writes one only when no
file has its name). Its other files are written anew: Pagefind overwrites its scripts in place, and the filter and
metadata files are renamed by :func:`stabilise`."""

DATA = ("index", "filter", "fragment", "pagefind-entry.json")
"""What a merged (non-primary) index folder keeps besides its ``*.pf_meta`` file: Pagefind's data, not its scripts,
styles or ``wasm`` (those of the primary index serve it)."""


def is_data(name: str) -> bool:
    """Whether ``name``, at the top of an index folder, is Pagefind data (kept in a merged index)."""
    return name in DATA or name.endswith(".pf_meta")


_GLOB_SPECIAL = frozenset("$()*,:<>?[]{}")
"""Characters a Pagefind glob reads as syntax unless escaped with a backslash (tested on every ASCII punctuation
character: escaping any other one makes the pattern match nothing)."""


def page_glob(pages: Sequence[str]) -> str | None:
    """A Pagefind glob matching exactly ``pages`` (``papers/<slug>/index.html``, relative to the site root), or
    None when one cannot be written (no pages, a page elsewhere, a backslash in a slug)."""
    prefix, suffix = PAPER_GLOB.split("*")
    slugs = [page[len(prefix) : -len(suffix)] for page in pages if page.startswith(prefix) and page.endswith(suffix)]
    if not pages or len(slugs) != len(pages) or any(not slug or "\\" in slug or "/" in slug for slug in slugs):
        return None
    escaped = ("".join(f"\\{c}" if c in _GLOB_SPECIAL else c for c in slug) for slug in slugs)
    return f"{prefix}{{{','.join(escaped)}}}{suffix}"


def write_search_index(
    site_dir: Path, glob: str, language: str = "en", output: Path | None = None
) -> tuple[int, float]:
    """Index the pages of ``site_dir`` that match ``glob`` into ``output`` (default ``site_dir/pagefind/``); return
    the pages indexed and the seconds it took (the caller counts the files, once it has done with the folder). The
    fragment and word index files already in ``output`` are reused where the new index has them, and removed where
    it does not; no other file may be there.

    Raises ``SearchIndexError`` when Pagefind is missing or fails.
    """
    started = time.perf_counter()
    folder = output.resolve() if output else site_dir.resolve() / INDEX_DIR
    _run_pagefind(site_dir.resolve(), glob, folder, language)
    _drop_unnamed(folder, stabilise(folder))
    entry = json.loads((folder / "pagefind-entry.json").read_text(encoding="utf-8"))
    pages = sum(int(lang["page_count"]) for lang in entry["languages"].values())
    return pages, time.perf_counter() - started


def _run_pagefind(site_dir: Path, glob: str, folder: Path, language: str) -> None:
    """Run Pagefind with its options in a configuration file (a glob naming 5,000 pages is longer than the 128 KiB
    a command-line argument may be), from an empty folder of its own (so no ``pagefind.yml`` of the project's is
    read)."""
    from pagefind.service import get_executable  # imports asyncio: only where Pagefind runs, not in every build

    binary = get_executable()
    if binary is None:
        raise SearchIndexError("pagefind binary not found; install the pagefind[extended] package")
    options: dict[str, str | list[str]] = {"site": str(site_dir), "glob": glob, "output_path": str(folder)}
    options |= {"force_language": language, "exclude_selectors": list(EXCLUDE_SELECTORS)}
    with tempfile.TemporaryDirectory(prefix="papersite-pagefind-") as cwd:
        (Path(cwd) / "pagefind.json").write_text(json.dumps(options), encoding="utf-8")
        command = [str(binary), "--quiet"]
        completed = subprocess.run(
            command, cwd=cwd, capture_output=True, text=True, check=False, preexec_fn=die_with_parent
        )
    if completed.returncode != 0:
        output = " ".join((completed.stdout + completed.stderr).split())
        raise SearchIndexError(f"pagefind failed (exit {completed.returncode}): {output}")


def _drop_unnamed(folder: Path, meta: Any) -> None:
    """Remove the data files of the index ``folder`` that its metadata ``meta`` does not name (those an earlier
    index left for reuse that this one did not need)."""
    named = {f"fragment/{page[0]}.pf_fragment" for page in meta[1]}
    named |= {f"index/{chunk[2]}.pf_index" for chunk in meta[2]}
    for rel, entry in list(walk_files(folder)):
        if rel.startswith(REUSED) and rel not in named:
            os.unlink(entry.path)


def stabilise(folder: Path) -> Any:
    """Rewrite Pagefind's filter files and metadata file in sorted order, under names derived from their bytes;
    return the metadata."""
    renamed: dict[str, str] = {}
    for file in sorted((folder / "filter").glob("*.pf_filter")):
        name, values = read_data(file)
        renamed[file.stem] = _write(file, [name, sorted(values, key=lambda row: row[0])], 7)
    entry = folder / "pagefind-entry.json"
    text = entry.read_text(encoding="utf-8")
    meta = None
    for file in sorted(folder.glob("pagefind.*.pf_meta")):
        meta = read_data(file)
        meta[3] = sorted([name, renamed.get(digest, digest)] for name, digest in meta[3])
        meta[4] = sorted(meta[4], key=lambda row: row[0])
        old = file.name.removeprefix("pagefind.").removesuffix(".pf_meta")
        new = _write(file, meta, 10)
        text = text.replace(f'"{old}"', f'"{new}"')
    entry.write_text(text, encoding="utf-8")
    if meta is None:
        raise SearchIndexError(f"{folder.name}: Pagefind wrote no metadata file")
    return meta


def read_data(file: Path) -> Any:
    """The decoded contents of a Pagefind data file (``*.pf_filter``, ``*.pf_meta``, ...)."""
    data = gzip.decompress(file.read_bytes())
    if not data.startswith(_SIGNATURE):
        raise SearchIndexError(f"{file.name}: not a Pagefind data file")
    value, end = _cbor_decode(data, len(_SIGNATURE))
    if end != len(data):
        raise SearchIndexError(f"{file.name}: trailing bytes after the data")
    return value


def read_fragment(file: Path) -> dict[str, Any]:
    """A Pagefind fragment file (``fragment/*.pf_fragment``: JSON, unlike the CBOR of the others): ``url``,
    ``content``, ``meta``, ``filters``, ...

    Raises ``SearchIndexError`` when it cannot be read."""
    try:
        data = gzip.decompress(file.read_bytes())
        if not data.startswith(_SIGNATURE):
            raise ValueError("not a Pagefind data file")
        fragment: dict[str, Any] = json.loads(data[len(_SIGNATURE) :])
    except (OSError, ValueError) as exc:
        raise SearchIndexError(f"cannot read the search fragment {file.name}: {exc}") from exc
    return fragment


def _write(file: Path, value: Any, digits: int) -> str:
    """Replace ``file`` by ``value``, named ``<language>_<hash>`` like Pagefind's own files; return that stem."""
    data = _SIGNATURE + _cbor_encode(value)
    prefix = "pagefind." if file.suffix == ".pf_meta" else ""
    language = file.name.removeprefix(prefix).split("_", 1)[0]
    stem = f"{language}_{hashlib.sha256(data).hexdigest()[:digits]}"
    file.unlink()
    new = file.with_name(f"{prefix}{stem}{file.suffix}")
    new.unlink(missing_ok=True)  # (the same bytes; never rewritten in place: it may be a link to the published one)
    new.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
    return stem


# Just enough CBOR (RFC 8949) for Pagefind's data files: unsigned integers, text, byte strings and arrays,
# always in the shortest form, which is how Pagefind writes them.


def _cbor_decode(data: bytes, i: int) -> tuple[Any, int]:
    major, info = data[i] >> 5, data[i] & 31
    i += 1
    if info < 24:
        n = info
    elif info <= 27:
        size = 1 << (info - 24)
        n = int.from_bytes(data[i : i + size], "big")
        i += size
    else:
        raise SearchIndexError(f"unsupported CBOR length encoding {info}")
    if major == 0:
        return n, i
    if major == 2:
        return data[i : i + n], i + n
    if major == 3:
        return data[i : i + n].decode("utf-8"), i + n
    if major == 4:
        items = []
        for _ in range(n):
            item, i = _cbor_decode(data, i)
            items.append(item)
        return items, i
    raise SearchIndexError(f"unsupported CBOR major type {major}")


def _cbor_head(major: int, n: int) -> bytes:
    if n < 24:
        return bytes([major << 5 | n])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * size):
            return bytes([major << 5 | info]) + n.to_bytes(size, "big")
    raise SearchIndexError(f"number too large for CBOR: {n}")


def _cbor_encode(value: Any) -> bytes:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return _cbor_head(0, value)
    if isinstance(value, bytes):
        return _cbor_head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _cbor_head(3, len(raw)) + raw
    if isinstance(value, list):
        return _cbor_head(4, len(value)) + b"".join(_cbor_encode(item) for item in value)
    raise SearchIndexError(f"cannot encode {type(value).__name__} as CBOR")
