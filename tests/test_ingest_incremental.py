"""Incremental ingest (generator/ingest/ledger.py, ``merge.ingest(ledger=...)``) gives exactly what a full ingest
gives: random sequences of new listings (newer and older than the last), re-saved and deleted listings, hand edits,
renamed titles and deleted content files, over titles shared by several papers with different arXiv ids and
title-only entries. And a daily ingest reads only the new listing and the files it touches."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.ingest import merge
from generator.ingest.ledger import read_ledger
from generator.ingest.merge import ingest

TITLES = ["Memory for agents", "Memory for Agents!", "Vision transformers", "Sparse attention", "Long context"]
"""Few titles, two of them the same once normalised: papers with different arXiv ids share titles."""
ARXIV = ["2501.00001", "2501.00002", "2501.00003", "2502.00004", "2502.00005", None, None]
"""``None``: a title-only entry (a text listing)."""
START = date(2026, 1, 1)

entry = st.tuples(st.sampled_from(TITLES), st.sampled_from(ARXIV), st.integers(0, 50))
entries = st.lists(entry, min_size=1, max_size=4)
ops = st.one_of(
    st.tuples(st.just("new"), entries),
    st.tuples(st.just("new arxiv"), entries),
    st.tuples(st.just("older"), entries),
    st.tuples(st.just("resave"), st.integers(0, 20), entries),
    st.tuples(st.just("delete listing"), st.integers(0, 20)),
    st.tuples(st.just("edit"), st.integers(0, 20), st.sampled_from(["upvotes", "title", "body", "topics"])),
    st.tuples(st.just("delete file"), st.integers(0, 20)),
    st.tuples(st.just("nothing")),
)


ATOM_ENTRY = """  <entry>
    <id>http://arxiv.org/abs/{arxiv}v1</id>
    <published>{day}T17:00:00Z</published>
    <title>{title}</title>
    <summary>About {lower}, as arXiv has it.</summary>
    <author><name>Ada Lovelace</name></author>
    <author><name>Alan Turing</name></author>
    <arxiv:primary_category term="cs.CL" scheme="http://arxiv.org/schemas/atom"/>
    <category term="cs.CL" scheme="http://arxiv.org/schemas/atom"/>
    <category term="cs.{votes}" scheme="http://arxiv.org/schemas/atom"/>
  </entry>
"""


def arxiv_text(day: date, rows: list[tuple[str, str | None, int]]) -> tuple[str, str]:
    """An arXiv API Atom listing of the rows with an arXiv id, as ``papersite scrape --arxiv`` saves it."""
    entries = "".join(
        ATOM_ENTRY.format(arxiv=arxiv, day=day.isoformat(), title=title, lower=title.lower(), votes=votes)
        for title, arxiv, votes in rows
        if arxiv
    )
    head = '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" '
    head += 'xmlns:arxiv="http://arxiv.org/schemas/atom">\n  <title>arXiv query</title>\n'
    return f"arxiv-cs.CL-{day.isoformat()}.xml", f"{head}{entries}</feed>\n"


def listing_text(day: date, rows: list[tuple[str, str | None, int]], arxiv: bool = False) -> tuple[str, str]:
    """A listing of ``rows`` for ``day``: arXiv Atom when ``arxiv``, HF API JSON when every row has an arXiv id, else
    the HF text format (title-only entries, ids dropped). Returns (file name, text)."""
    if arxiv:
        return arxiv_text(day, rows)
    if all(arxiv for _, arxiv, _ in rows):
        items = [
            {
                "paper": {
                    "id": arxiv,
                    "title": title,
                    "summary": f"About {title.lower()}.",
                    "upvotes": votes,
                    "authors": [{"name": "Ada Lovelace"}],
                },
                "publishedAt": f"{day.isoformat()}T08:00:00.000Z",
                "title": title,
                "numComments": votes % 3,
            }
            for title, arxiv, votes in rows
        ]
        return f"hf-daily-{day.isoformat()}.json", json.dumps(items)
    blocks = [
        f"{title}\n\nAbout {title.lower()}.\n\n  • 2 authors\n·\n{day:%b} {day.day}, {day.year}\n"
        for title, _, _ in rows
    ]
    return f"hf-papers-{day.isoformat()}.txt", "\n".join(blocks)


class Pair:
    """Two projects given the same listings and hand edits: one ingested incrementally, one fully."""

    def __init__(self, root: Path) -> None:
        self.roots = (root / "incremental", root / "full")
        for project in self.roots:
            (project / "content" / "listings").mkdir(parents=True)
            (project / "content" / "papers").mkdir(parents=True)
        self.newest = START

    def listings(self, project: Path) -> list[Path]:
        return sorted((project / "content" / "listings").iterdir())

    def papers(self, project: Path) -> list[Path]:
        return sorted((project / "content" / "papers").glob("*.md"))

    def apply(self, op: tuple[object, ...]) -> None:
        kind = op[0]
        for project in self.roots:
            listings, papers = self.listings(project), self.papers(project)
            if kind in ("new", "new arxiv", "older"):
                later = kind != "older"
                day = self.newest + timedelta(days=1) if later else START - timedelta(days=len(listings) + 1)
                name, text = listing_text(day, op[1], arxiv=kind == "new arxiv")  # type: ignore[arg-type]
                (project / "content" / "listings" / name).write_text(text, encoding="utf-8")
            elif kind == "resave" and listings:
                path = listings[op[1] % len(listings)]  # type: ignore[operator]
                day = date.fromisoformat(re.findall(r"\d{4}-\d{2}-\d{2}", path.name)[0])
                name, text = listing_text(day, op[2], arxiv=path.name.startswith("arxiv-"))  # type: ignore[arg-type]
                path.unlink()
                (project / "content" / "listings" / name).write_text(text, encoding="utf-8")
            elif kind == "delete listing" and listings:
                listings[op[1] % len(listings)].unlink()  # type: ignore[operator]
            elif kind == "edit" and papers:
                edit(papers[op[1] % len(papers)], str(op[2]))  # type: ignore[operator]
            elif kind == "delete file" and papers:
                papers[op[1] % len(papers)].unlink()  # type: ignore[operator]
        if kind in ("new", "new arxiv"):
            self.newest += timedelta(days=1)

    def ingest(self) -> tuple[merge.IngestReport, merge.IngestReport]:
        incremental, full = self.roots
        ledger = incremental / ".papersite-cache" / "ingest.pickle"
        one = ingest(self.listings(incremental), incremental / "content" / "papers", ledger=ledger)
        two = ingest(self.listings(full), full / "content" / "papers", full=True)
        return one, two

    def assert_same(self) -> None:
        incremental, full = (project / "content" / "papers" for project in self.roots)
        names = sorted(p.name for p in incremental.glob("*.md"))
        assert names == sorted(p.name for p in full.glob("*.md"))
        for name in names:
            assert (incremental / name).read_text(encoding="utf-8") == (full / name).read_text(encoding="utf-8"), name


def edit(path: Path, what: str) -> None:
    """A maintainer's hand edit of one content file."""
    text = path.read_text(encoding="utf-8")
    if what == "upvotes":
        text = text.replace("upvotes: ", "upvotes: 9", 1) if "upvotes: " in text else text + "\nMore words."
    elif what == "title":
        text = text.replace("title: ", "title: Renamed ", 1)
    elif what == "topics":
        text = text.replace("topics: []", "topics: [memory]", 1)
    else:
        text += "\nA sentence the maintainer added.\n"
    path.write_text(text, encoding="utf-8")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(ops, min_size=1, max_size=8))
def test_incremental_ingest_gives_what_a_full_ingest_gives(
    tmp_path_factory: pytest.TempPathFactory, steps: list
) -> None:  # type: ignore[type-arg]
    pair = Pair(tmp_path_factory.mktemp("pair"))
    for step in [("new", [("Memory for agents", None, 1)]), *steps]:
        pair.apply(step)
        pair.ingest()
        pair.assert_same()
        # idempotent from the first re-run: ingesting again (everything read) writes nothing
        full = pair.roots[1]
        assert ingest(pair.listings(full), full / "content" / "papers", full=True).written == ()


def test_a_new_day_reads_only_its_listing_and_the_files_it_touches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pair = Pair(tmp_path)
    days = (
        [("Memory for agents", "2501.00001", 3), ("Vision transformers", None, 0)],
        [("Sparse attention", "2501.00002", 1), ("Long context", "2501.00003", 2)],
    )
    for rows in days:
        pair.apply(("new", rows))
        pair.ingest()
    read: list[str] = []
    original = merge._read_record
    monkeypatch.setattr(merge, "_read_record", lambda path: (read.append(path.name), original(path))[1])
    parsed: list[str] = []
    listing = merge.read_listing
    monkeypatch.setattr(merge, "read_listing", lambda path, day=None: (parsed.append(path.name), listing(path, day))[1])
    pair.apply(("new", [("Sparse attention", "2501.00002", 7), ("Brand new", "2502.00009", 0)]))
    report, full = pair.ingest()
    pair.assert_same()
    assert not report.full and report.listings == 1 and report.entries == 2 and full.full
    # the incremental ingest read one listing and one content file; the full one read all of them
    assert parsed[:1] == ["hf-daily-2026-01-04.json"] and read[:1] == ["2501.00002.md"]
    assert len(parsed) == 1 + 3 and len(read) == 1 + 4
    ledger = read_ledger(pair.roots[0] / ".papersite-cache" / "ingest.pickle")
    assert ledger is not None and len(ledger.listings) == 3 and len(ledger.files) == 5


def test_a_title_shared_by_several_papers_merges_where_it_merged_before(tmp_path: Path) -> None:
    """The idempotence bug of the 10k corpus: a title-only entry whose title several files carry stays with the
    file its listing merged into before, whatever order the files are read in."""
    pair = Pair(tmp_path)
    pair.apply(("new", [("Memory for agents", None, 1)]))  # title only: memory-for-agents.md
    pair.apply(("new", [("Memory for agents", "2501.00001", 2)]))  # learns its arXiv id
    pair.apply(("new", [("Memory for agents", "2501.00002", 3)]))  # another paper, same title
    pair.ingest()
    pair.assert_same()
    again, full = pair.ingest()
    assert again.written == () and full.written == ()
    papers = sorted(p.name for p in pair.papers(pair.roots[1]))
    assert len(papers) == 2
