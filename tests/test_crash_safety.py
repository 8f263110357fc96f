"""Crash safety: a build killed with SIGKILL at any moment leaves ``site/`` exactly the previous complete site or
exactly the new one, and the next build recovers from whatever the killed one left behind (staging folder,
``.site.previous``, caches). Ingest killed mid-write leaves every content file whole.

Reference trees come from building each content version in a separate project: builds are reproducible, so
"exactly the old site" and "exactly the new site" are file-by-file hash comparisons.

Two ways of killing: after a delay spread over a build's duration (``test_sigkill_at_many_moments``), and at
chosen instants around the swap, from inside the build (``test_sigkill_around_the_swap``).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from generator.content.document import read_document
from generator.ingest.merge import ingest

REPO = Path(__file__).resolve().parents[1]
PAPERS = 200
"""Papers in the project killed at many moments: enough that a build takes a moment."""
SMALL = 30
"""Papers in the projects killed around the swap: the instant is chosen, so size does not matter."""
SITE_TOML = """\
base_url = "https://example.org/crash/"
title = "Crash safety"
freshness_days = 100000
per_page = 20

[[topics]]
slug = "memory"
name = "Memory"
include = ["memory"]

[[topics]]
slug = "vision"
name = "Vision"
include = ["vision"]
"""
FRACTIONS = (0.1, 0.3, 0.55, 0.8, 0.95, 1.1)
"""When to kill, as fractions of an uninterrupted build's wall time."""

# A build run in-process, with SIGKILL injected at one instant of Output.publish.
INJECT = """
import os, signal, sys
import generator.incremental.output as output

point = sys.argv[1]
real_exchange, real_replace = output._exchange, os.replace

def die(*_args):
    os.kill(os.getpid(), signal.SIGKILL)

if point == "before-swap":
    output._exchange = die
elif point == "after-swap":
    output._exchange = lambda a, b: (real_exchange(a, b), die())
elif point.startswith("fallback-"):
    output._exchange = lambda a, b: False
    def replace(src, dst, *args, **kwargs):
        real_replace(src, dst, *args, **kwargs)
        if point == "fallback-between-renames" and str(dst).endswith(".site.previous"):
            die()
        if point == "fallback-after-renames" and str(src).endswith(".site.staging"):
            die()
    os.replace = replace

from generator.cli import main
sys.exit(main(["build"]))
"""


def env() -> dict[str, str]:
    return {**os.environ, "SOURCE_DATE_EPOCH": "1770595200", "PYTHONPATH": str(REPO)}


def make_project(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "site.toml").write_text(SITE_TOML, encoding="utf-8")
    shutil.copytree(REPO / "themes", root / "themes")
    (root / "content" / "papers").mkdir(parents=True)
    return root


def write_content(root: Path, version: str, count: int = PAPERS) -> None:
    """Content version ``a`` or ``b``: b edits a third of the abstracts, drops 20 papers and adds 20."""
    papers = root / "content" / "papers"
    for old in papers.glob("*.md"):
        old.unlink()
    numbers = range(count) if version == "a" else range(20, count + 20)
    for n in numbers:
        subject = ("memory", "vision", "retrieval")[n % 3]
        edited = version == "b" and n % 3 == 0
        body = f"Paper {n} studies {subject} in depth." + (" Revised abstract, version b." if edited else "")
        body += " " + " ".join(f"word{(n * 7 + k) % 97}" for k in range(120))
        day = 1 + n % 27
        (papers / f"paper-{n:04d}.md").write_text(
            f'---\ntitle: "A study of {subject}, number {n}"\nslug: paper-{n:04d}\narxiv: "2601.{n:05d}"\n'
            f"listed: 2026-01-{day:02d}\nauthors: [Ann Author, Bo Author]\n---\n\n{body}\n",
            encoding="utf-8",
        )


def tree_hashes(folder: Path) -> dict[str, str]:
    if not folder.is_dir():
        return {}
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def build(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", "build"], cwd=root, env=env(), capture_output=True, text=True, timeout=600
    )


def describe(state: dict[str, str], refs: dict[str, dict[str, str]]) -> str:
    """Why ``state`` is neither reference tree: the first few differing files against each."""
    lines = []
    for name, ref in refs.items():
        missing = sorted(set(ref) - set(state))[:5]
        extra = sorted(set(state) - set(ref))[:5]
        changed = sorted(p for p in set(ref) & set(state) if ref[p] != state[p])[:5]
        lines.append(f"vs {name}: missing {missing}, extra {extra}, changed {changed}")
    return "\n".join(lines)


Refs = dict[str, dict[str, str]]


def reference_builds(base: Path, count: int) -> tuple[Refs, float]:
    """Hashes of the site built from content a and from content b, and the wall time of the slower build."""
    refs, seconds = {}, 0.0
    for version in ("a", "b"):
        root = make_project(base / version)
        write_content(root, version, count)
        started = time.monotonic()
        result = build(root)
        seconds = max(seconds, time.monotonic() - started)
        assert result.returncode == 0, result.stderr
        refs[version] = tree_hashes(root / "site")
    assert refs["a"] != refs["b"]
    return refs, seconds


@pytest.fixture(scope="module")
def references(tmp_path_factory: pytest.TempPathFactory) -> tuple[Refs, float]:
    return reference_builds(tmp_path_factory.mktemp("crash-refs"), PAPERS)


@pytest.fixture(scope="module")
def small_references(tmp_path_factory: pytest.TempPathFactory) -> Refs:
    return reference_builds(tmp_path_factory.mktemp("crash-refs-small"), SMALL)[0]


@pytest.mark.slow
def test_sigkill_at_many_moments(references: tuple[Refs, float], tmp_path: Path) -> None:
    refs, seconds = references
    root = make_project(tmp_path / "work")
    write_content(root, "a")
    assert build(root).returncode == 0
    # Builds are reproducible, so the references built elsewhere are what this project's builds give.
    assert tree_hashes(root / "site") == refs["a"]
    current, outcomes = "a", []
    for fraction in FRACTIONS:
        target = "b" if current == "a" else "a"
        write_content(root, target)
        proc = subprocess.Popen(
            [sys.executable, "-m", "generator", "build"],
            cwd=root,
            env=env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(seconds * fraction)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        state = tree_hashes(root / "site")
        assert state in (refs[current], refs[target]), (
            f"killed at {fraction:.0%} of a build: site/ is neither the old nor the new site\n"
            + describe(state, {current: refs[current], target: refs[target]})
        )
        outcomes.append((fraction, "new" if state == refs[target] else "old"))
        current = target if state == refs[target] else current
    # The next build recovers from whatever the killed ones left behind.
    for version in ("a", "b"):
        write_content(root, version)
        result = build(root)
        assert result.returncode == 0, result.stderr
        assert tree_hashes(root / "site") == refs[version], describe(tree_hashes(root / "site"), refs)
    assert any(outcome == "old" for _, outcome in outcomes), outcomes


@pytest.mark.slow
@pytest.mark.parametrize(
    ("point", "expected"),
    [
        ("before-swap", "a"),
        ("after-swap", "b"),
        ("fallback-between-renames", None),
        ("fallback-after-renames", "b"),
    ],
)
def test_sigkill_around_the_swap(point: str, expected: str | None, small_references: Refs, tmp_path: Path) -> None:
    """Kill at chosen instants of publishing. With renameat2 the swap is one step; the two-rename fallback has a
    moment with no site/ at all, so the next build must put the previous site back before anything else."""
    refs = small_references
    root = make_project(tmp_path / "swap")
    write_content(root, "a", SMALL)
    assert build(root).returncode == 0
    write_content(root, "b", SMALL)
    killed = subprocess.run(
        [sys.executable, "-c", INJECT, point], cwd=root, env=env(), capture_output=True, text=True, timeout=600
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    state = tree_hashes(root / "site")
    if expected is not None:
        assert state == refs[expected], describe(state, refs)
    else:
        assert not (root / "site").exists()
        assert tree_hashes(root / ".site.previous") == refs["a"]
        # A build that fails validation must still put the previous complete site back.
        broken = root / "content" / "papers" / "broken.md"
        broken.write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
        assert build(root).returncode == 1
        assert tree_hashes(root / "site") == refs["a"], describe(tree_hashes(root / "site"), refs)
        broken.unlink()
    result = build(root)
    assert result.returncode == 0, result.stderr
    assert tree_hashes(root / "site") == refs["b"], describe(tree_hashes(root / "site"), refs)
    assert not (root / ".site.previous").exists()


@pytest.mark.slow
def test_sigkill_during_ingest_leaves_every_content_file_whole(tmp_path: Path) -> None:
    """Content files are replaced by rename: a killed ingest leaves each one old or new, never half written."""
    root = make_project(tmp_path / "ingest")
    listings = root / "content" / "listings"
    listings.mkdir()
    cards = []
    for n in range(1000):
        cards.append(
            f"Paper number {n} on memory\n\n{'An abstract sentence. ' * 40}\n\n  • 3 authors\n·\nJan 5, 2026 {n}\n"
        )
    (listings / "hf-papers-2026-02-06.txt").write_text("Daily Papers\n\nFeb 6\n\n" + "\n".join(cards), "utf-8")
    for delay in (0.3, 0.8, 1.5):
        proc = subprocess.Popen(
            [sys.executable, "-m", "generator", "ingest"],
            cwd=root,
            env=env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        for path in (root / "content" / "papers").glob("*.md"):
            meta, body, _ = read_document(path.read_text(encoding="utf-8"))
            assert meta["title"].startswith("Paper number") and body.endswith("sentence."), path
    # Leftover temp files are hidden (never read as content); the next ingest removes them and completes the folder.
    (root / "content" / "papers" / ".paper-number-1-on-memory.md.k1ll3d.tmp").write_text("---\ntitle: half", "utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "generator", "ingest"], cwd=root, env=env(), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert len(list((root / "content" / "papers").glob("*.md"))) == 1000
    assert not [p.name for p in (root / "content" / "papers").iterdir() if p.name.startswith(".")], "temp files left"


# Nothing ever lost ----------------------------------------------------------------------------------------------

EDITED = """---
title: "<script>alert('title')</script> \u202eMy own title, edited by hand"
slug: 2601.00001
arxiv: "2601.00001"
listed: 2026-02-01
# pinned by hand: keep this paper at the top of the memory topic
upvotes: 3
topics: [memory]
notes: "keep: me\\n---\\nnot front matter"
---

My rewritten abstract.

---

A second part after a dashes line, and {{ jinja }} and <b>html</b>.
"""


def hostile_daily(title: str, summary: str, upvotes: int) -> str:
    item = {
        "paper": {
            "id": "2601.00001",
            "title": title,
            "summary": summary,
            "upvotes": upvotes,
            "authors": [{"name": "<img src=x onerror=alert(1)>"}, {"name": "Robert'); DROP TABLE papers;--"}],
        },
        "publishedAt": "2026-02-06T08:00:00.000Z",
        "numComments": 4,
    }
    return json.dumps([item])


def test_maintainer_edits_survive_hostile_reingest(tmp_path: Path) -> None:
    """An edited file, then newer listings that disagree about everything: the maintainer's title, body, topics,
    own keys and comments stay; only counters and machine fields move. A second run changes no byte."""
    papers, listings = tmp_path / "content" / "papers", tmp_path / "content" / "listings"
    papers.mkdir(parents=True)
    listings.mkdir(parents=True)
    (papers / "2601.00001.md").write_text(EDITED, encoding="utf-8")
    (listings / "hf-daily-2026-02-06.json").write_text(
        hostile_daily("Original title --- </title><script>x()</script>", "---\ntitle: injected\n---", 99), "utf-8"
    )
    (listings / "hf-papers-2026-02-07.txt").write_text(
        "Daily Papers\n\nFeb 7\n\nOriginal title --- </title><script>x()</script>\n\n"
        "A conflicting abstract from a later text listing.\n\n  • 9 authors\n·\nJan 5, 2026 7\n",
        "utf-8",
    )
    files = sorted(listings.iterdir())

    first = ingest(files, papers)
    text = (papers / "2601.00001.md").read_text(encoding="utf-8")
    meta, body, _ = read_document(text)

    assert meta["title"] == "<script>alert('title')</script> \u202eMy own title, edited by hand"
    assert body == read_document(EDITED)[1]
    assert meta["topics"] == ["memory"]
    assert meta["notes"] == "keep: me\n---\nnot front matter"
    assert meta["upvotes"] == 99 and meta["comments"] == 7
    assert "<img src=x onerror=alert(1)>" in meta["authors"]
    assert "# pinned by hand: keep this paper at the top of the memory topic" in text
    assert len(list(papers.glob("*.md"))) == 1, "the text card merged into the file by its old title"
    assert not [p for p in first.problems if p.severity == "error"]
    before = text
    again = ingest(files, papers)
    assert again.written == ()
    assert (papers / "2601.00001.md").read_text(encoding="utf-8") == before


@pytest.mark.slow
def test_papers_that_vanish_from_later_listings_stay_on_the_site(tmp_path: Path) -> None:
    """A paper listed once, then missing from every later listing (even after its listing file is deleted), keeps
    its content file and its page, and stays in the feeds and search."""
    root = make_project(tmp_path / "vanish")
    listings = root / "content" / "listings"
    listings.mkdir()
    card = "{0}\n\nAbout {0}.\n\n  • 2 authors\n·\nJan 5, 2026 1\n"
    (listings / "hf-papers-2026-02-05.txt").write_text(
        "Daily Papers\n\nFeb 5\n\n" + card.format("Vanishing Memory Paper") + "\n" + card.format("Staying Paper"),
        "utf-8",
    )
    (listings / "hf-papers-2026-02-06.txt").write_text(
        "Daily Papers\n\nFeb 6\n\n" + card.format("Staying Paper"), "utf-8"
    )
    run = [sys.executable, "-m", "generator"]
    assert subprocess.run([*run, "ingest"], cwd=root, env=env(), capture_output=True).returncode == 0
    (listings / "hf-papers-2026-02-05.txt").unlink()
    assert subprocess.run([*run, "ingest"], cwd=root, env=env(), capture_output=True).returncode == 0
    result = build(root)
    assert result.returncode == 0, result.stderr
    assert (root / "content" / "papers" / "vanishing-memory-paper.md").is_file()
    page = root / "site" / "papers" / "vanishing-memory-paper" / "index.html"
    assert "Vanishing Memory Paper" in page.read_text(encoding="utf-8")
    assert "vanishing-memory-paper" in (root / "site" / "feed.json").read_text(encoding="utf-8")


def daily_body(day: str) -> bytes:
    items = [
        {"paper": {"id": f"2602.{n:05d}", "title": f"Paper {n} of {day}"}, "publishedAt": f"{day}T08:00:00Z"}
        for n in range(40)
    ]
    return json.dumps(items).encode()


@pytest.mark.slow
@pytest.mark.parametrize("fault", ["server-dies", "scrape-killed"])
def test_scrape_failing_midway_leaves_earlier_listings_as_they_were(fault: str, tmp_path: Path) -> None:
    """``scrape --since``: the HF server sends half of 2026-02-05 and dies (or the scraper is killed while it
    waits for the rest). Listings saved before stay byte for byte; nothing half-written appears; ingest still runs."""
    listings = tmp_path / "content" / "listings"
    listings.mkdir(parents=True)
    old = {
        "hf-daily-2026-02-05.json": daily_body("2026-02-05").replace(b"Paper", b"Old paper"),
        "hf-daily-2026-02-06.json": daily_body("2026-02-06").replace(b"Paper", b"Old paper"),
        "hf-papers-2026-02-01.txt": b"Daily Papers\n\nFeb 1\n\nA Hand Saved Card\n\nIts abstract.\n",
    }
    for name, data in old.items():
        (listings / name).write_bytes(data)
    release = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            day = parse_qs(urlsplit(self.path).query)["date"][0]
            body = daily_body(day)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if day != "2026-02-05":
                self.wfile.write(body)
                return
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            if fault == "scrape-killed":
                release.wait(30)
            threading.Thread(target=lambda: (server.shutdown(), server.server_close())).start()
            self.close_connection = True

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/api"
    command = [sys.executable, "-m", "generator", "scrape", "--since", "2026-02-04", "--api-url", url]
    command += ["--rate", "0", "--retries", "1", "--backoff", "0", "--timeout", "2"]
    scrape_env = {**env(), "SOURCE_DATE_EPOCH": "1770422400"}  # today = 2026-02-07
    try:
        if fault == "server-dies":
            done = subprocess.run(command, cwd=tmp_path, env=scrape_env, capture_output=True, text=True, timeout=120)
            assert done.returncode == 1, done.stderr
            assert "Traceback" not in done.stderr
        else:
            proc = subprocess.Popen(command, cwd=tmp_path, env=scrape_env, stdout=subprocess.PIPE, text=True)
            assert proc.stdout is not None
            assert "hf-daily-2026-02-04.json" in proc.stdout.readline()  # the day before was saved...
            time.sleep(0.5)  # ...and the scraper now waits for the rest of 2026-02-05
            proc.send_signal(signal.SIGKILL)
            proc.wait()
    finally:
        release.set()
        server.shutdown()
        server.server_close()

    for name, data in old.items():
        assert (listings / name).read_bytes() == data, f"{name} changed"
    assert (listings / "hf-daily-2026-02-04.json").read_bytes() == daily_body("2026-02-04")
    assert sorted(p.name for p in listings.iterdir()) == sorted([*old, "hf-daily-2026-02-04.json"])
    result = subprocess.run(
        [sys.executable, "-m", "generator", "ingest"], cwd=tmp_path, env=env(), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
