"""Fuzz every registered listing parser, and content-file reading, with coverage-guided inputs.

    python fuzz/fuzz_listings.py [-max_total_time=SECONDS] [-runs=N] [CORPUS_DIR ...]

Each input is decoded the way ``papersite ingest`` decodes a listing (``generator.ingest.listings.decode``) and
then given to *every* parser in ``generator.ingest.formats.FORMATS`` (not only the one its sniffer picks: each
parser must survive any text), and to ``content.load_paper`` (and ``keep_comments``). Any exception escaping them
is a crash, as is a result that breaks the record contracts (entries without a title, problems on the wrong path,
negative line numbers).

With atheris (libFuzzer for Python) installed, this is a coverage-guided fuzzer taking libFuzzer's flags; a crash
prints the traceback, saves the input as ``crash-<sha1>`` (see ``-artifact_prefix``) and exits non-zero. Without
atheris it falls back to a time-bounded mutation loop over the same seeds (``-max_total_time`` and ``-runs`` are
honoured) and prints the first crash the same way. ``make fuzz`` runs it for ``FUZZ_SECONDS`` (default 300).
"""

from __future__ import annotations

import contextlib
import hashlib
import random
import sys
import time
import traceback
from pathlib import Path

try:
    import atheris
except ImportError:  # not installable on this platform: the fallback below still fuzzes
    atheris = None

if atheris is not None:
    with atheris.instrument_imports(include=["generator"]):
        from generator.content.document import DocumentError, keep_comments, read_document
        from generator.content.paper import load_paper
        from generator.ingest.formats import FORMATS
        from generator.ingest.listings import decode
        from generator.model import Entry, Listing
else:
    from generator.content.document import DocumentError, keep_comments, read_document
    from generator.content.paper import load_paper
    from generator.ingest.formats import FORMATS
    from generator.ingest.listings import decode
    from generator.model import Entry, Listing

PATH = "content/listings/fuzz-2026-02-06.txt"
SEEDS = Path(__file__).resolve().parent / "seeds"


class ContractError(AssertionError):
    """A parser returned, but what it returned breaks the record contracts."""


def check_listing(name: str, listing: object) -> None:
    if not isinstance(listing, Listing):
        raise ContractError(f"{name} returned {type(listing).__name__}, not a Listing")
    for entry in listing.entries:
        if not isinstance(entry, Entry) or not isinstance(entry.title, str) or entry.line < 0:
            raise ContractError(f"{name} returned a bad entry: {entry!r}"[:500])
    for problem in listing.problems:
        if problem.path != PATH or problem.line < 0 or problem.severity not in ("error", "warning"):
            raise ContractError(f"{name} returned a bad problem: {problem!r}"[:500])


def test_one_input(data: bytes) -> None:
    """The fuzz target: raises on a crash, returns otherwise."""
    text, _problem = decode(data, PATH)
    if text is None:
        return
    for name, sniff, parse in FORMATS:
        sniff(text, "fuzz.txt")
        check_listing(name, parse(text, PATH, None))
    with contextlib.suppress(DocumentError):
        read_document(text)
        keep_comments(text, text)
    load_paper(text, "content/papers/fuzz.md")


def seeds(dirs: list[Path]) -> list[bytes]:
    found = [p.read_bytes() for d in [SEEDS, *dirs] if d.is_dir() for p in sorted(d.iterdir()) if p.is_file()]
    return found or [b""]


def mutate(rng: random.Random, data: bytes, pool: list[bytes]) -> bytes:
    """One random edit: flip, insert, delete, duplicate, splice with another seed, or cut short."""
    buf = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        choice = rng.randrange(6)
        at = rng.randrange(len(buf) + 1)
        if choice == 0 and buf:
            buf[min(at, len(buf) - 1)] = rng.randrange(256)
        elif choice == 1:
            buf[at:at] = rng.choice([b"<", b">", b"{", b"}", b"[", b"]", b'"', b"\n", b"\\", b"&#", b"\x00", b"\xff"])
        elif choice == 2 and buf:
            del buf[at : at + rng.randint(1, 64)]
        elif choice == 3 and buf:
            chunk = buf[at : at + rng.randint(1, 256)]
            buf[at:at] = chunk
        elif choice == 4:
            other = rng.choice(pool)
            start = rng.randrange(len(other) + 1)
            buf[at:at] = other[start : start + rng.randint(1, 512)]
        else:
            del buf[at:]
    return bytes(buf)


def fallback(argv: list[str]) -> int:
    """Mutation fuzzing without coverage, for platforms without atheris."""
    flags = dict(a[1:].split("=", 1) for a in argv if a.startswith("-") and "=" in a)
    seconds = float(flags.get("max_total_time", "60"))
    runs = int(flags.get("runs", "-1"))
    pool = seeds([Path(a) for a in argv if not a.startswith("-")])
    rng = random.Random(int(flags.get("seed", "0")) or None)
    deadline, done = time.monotonic() + seconds, 0
    while time.monotonic() < deadline and done != runs:
        data = mutate(rng, rng.choice(pool), pool)
        try:
            test_one_input(data)
        except Exception:
            name = f"crash-{hashlib.sha1(data).hexdigest()}"
            Path(flags.get("artifact_prefix", "") + name).write_bytes(data)
            traceback.print_exc()
            print(f"fuzz: crash after {done} inputs; input saved as {name}", file=sys.stderr)
            return 1
        done += 1
    print(f"fuzz: {done} inputs, no crash (mutation fallback; install atheris for coverage guidance)", file=sys.stderr)
    return 0


def main(argv: list[str]) -> int:
    if atheris is None:
        return fallback(argv[1:])
    for data in seeds([]):  # the seeds themselves must pass before fuzzing starts
        test_one_input(data)
    atheris.Setup(argv, test_one_input)
    atheris.Fuzz()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
