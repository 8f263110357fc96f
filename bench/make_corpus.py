#!/usr/bin/env python3
"""Deterministic synthetic paper corpus for static-site-generator benchmarks.

Based on the shared benchmark kit's make_corpus.py (same records for the same --n/--seed), reading its seed
listing from bench/seed-listing.txt so `make bench` needs nothing outside the repository.

Reads a real "Daily Papers" listing (title / blank / abstract / '  • N authors'
or an org line / '·' / 'Mon D, YYYY [upvotes]') and recombines real titles and
abstract sentences into N records, so text statistics stay realistic.

    python make_corpus.py --n 10000 --format hugo|pelican|jsonl|hf-api|papersite --out DIR [--seed 42]

hugo      -> DIR/content/papers/<slug>.md   (YAML front matter, taxonomy `topics`)
pelican   -> DIR/content/papers/<slug>.md   (Pelican metadata; Category = first topic, Tags = all topics)
jsonl     -> DIR/papers.jsonl               (one JSON record per line)
hf-api    -> DIR/content/listings/hf-daily-<YYYY-MM-DD>.json  (/api/daily_papers-shaped, one file per listed day)
papersite -> DIR/content/papers/<slug>.md   (papersite front matter: title, slug, arxiv, published, listed, ...)

Same --n and --seed give byte-identical records in every format.
"""

import argparse
import datetime as dt
import json
import os
import random
import re
import sys
from pathlib import Path

# A copy of content/listings/hf-papers-search-memory.txt, frozen here so the corpus never changes when the
# project's own content does.
DEFAULT_SEED_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seed-listing.txt")

TOPICS = [
    "llm",
    "vision",
    "video",
    "speech",
    "agents",
    "rag",
    "efficiency",
    "optimization",
    "rl",
    "robotics",
    "3d",
    "continual-learning",
    "benchmarks",
    "safety",
    "systems",
]

DATE_RE = re.compile(r"^([A-Z][a-z]{2}) (\d{1,2}), (\d{4})(?: (\d+))?$")
AUTHORS_RE = re.compile(r"^\s*•\s*(\d+) authors?$")
SENT_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\"'])")


def parse_listing(path):
    lines = Path(path).read_text(encoding="utf-8").split("\n")
    recs = []
    for i, line in enumerate(lines):
        if line.strip() != "·":
            continue
        who = lines[i - 1].strip()
        date = lines[i + 1].strip() if i + 1 < len(lines) else ""
        j = i - 2
        while j >= 0 and not lines[j].strip():
            j -= 1
        abstract = lines[j].strip()
        j -= 1
        while j >= 0 and not lines[j].strip():
            j -= 1
        title = lines[j].strip()
        m = AUTHORS_RE.match(lines[i - 1])
        recs.append(
            {
                "title": title,
                "abstract": abstract,
                "authors": int(m.group(1)) if m else None,
                "org": None if m else who,
                "date": date,
            }
        )
    return recs


def slugify(s, maxlen=60):
    s = re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")
    return s[:maxlen].rstrip("-") or "paper"


class Pools:
    def __init__(self, recs):
        self.titles = [r["title"] for r in recs if len(r["title"]) > 8]
        self.heads, self.tails = [], []
        for t in self.titles:
            if ": " in t:
                h, tl = t.split(": ", 1)
                self.heads.append(h)
                self.tails.append(tl)
            else:
                self.tails.append(t)
        self.sentences = []
        for r in recs:
            self.sentences += [s.strip() for s in SENT_SPLIT.split(r["abstract"]) if len(s.strip()) > 20]
        self.abs_lens = [len(r["abstract"]) for r in recs]
        self.orgs = sorted({r["org"] for r in recs if r["org"]})
        self.author_counts = [r["authors"] for r in recs if r["authors"]]
        self.words = sorted({w.strip(",.;:()") for t in self.titles for w in t.split() if len(w) > 3})


def make_title(rng, P):
    k = rng.random()
    if k < 0.45 and P.heads:
        # "Head: tail" recombined from two different real titles
        return f"{rng.choice(P.heads)}: {rng.choice(P.tails)}"
    if k < 0.75:
        # real tail plus a synthetic acronym head
        acro = "".join(w[0].upper() for w in rng.sample(P.words, rng.randint(3, 6)))
        return f"{acro}: {rng.choice(P.tails)}"
    # real title with a few words swapped
    w = rng.choice(P.titles).split()
    for _ in range(rng.randint(1, 3)):
        w[rng.randrange(len(w))] = rng.choice(P.words)
    return " ".join(w)


def make_abstract(rng, P):
    # real abstracts are ~1,600 chars; aim for ~1,500 on average
    target = int(rng.choice(P.abs_lens) * rng.uniform(0.82, 1.05))
    out, n = [], 0
    while n < target:
        s = rng.choice(P.sentences)
        if out and n + len(s) > target + 120:
            break
        out.append(s)
        n += len(s) + 1
    return " ".join(out)


def generate(n, seed, seed_file):
    recs = parse_listing(seed_file)
    if len(recs) < 10:
        sys.exit(f"only {len(recs)} entries parsed from {seed_file}")
    P = Pools(recs)
    rng = random.Random(seed)
    start = dt.date(2021, 1, 1)
    span = (dt.date(2026, 6, 30) - start).days
    seen = set()
    for i in range(n):
        title = make_title(rng, P)
        slug = f"{slugify(title)}-{i:06d}"
        assert slug not in seen
        seen.add(slug)
        ntop = rng.choices([1, 2, 3], weights=[3, 4, 3])[0]
        # skewed topic popularity (llm/vision/agents much larger than robotics/speech)
        topics = []
        while len(topics) < ntop:
            t = rng.choices(TOPICS, weights=[30, 18, 10, 5, 16, 8, 12, 7, 7, 5, 6, 3, 9, 5, 6])[0]
            if t not in topics:
                topics.append(t)
        has_org = rng.random() < 0.15 and P.orgs
        upv = rng.random()
        upvotes = 0 if upv < 0.5 else int(rng.paretovariate(1.2)) if upv < 0.97 else rng.randint(50, 400)
        yield {
            "id": i,
            "slug": slug,
            "title": title,
            "abstract": make_abstract(rng, P),
            "authors": None if has_org else rng.choice(P.author_counts),
            "org": rng.choice(P.orgs) if has_org else None,
            "date": (start + dt.timedelta(days=rng.randrange(span))).isoformat(),
            "upvotes": upvotes,
            "topics": topics,
        }


def yq(s):
    """YAML/TOML-safe double-quoted scalar."""
    return json.dumps(s, ensure_ascii=False)


def write_hugo(r, d):
    fm = [
        "---",
        f"title: {yq(r['title'])}",
        f"date: {r['date']}",
        f"slug: {yq(r['slug'])}",
        "topics: [" + ", ".join(yq(t) for t in r["topics"]) + "]",
    ]
    if r["authors"] is not None:
        fm.append(f"authors_count: {r['authors']}")
    if r["org"]:
        fm.append(f"org: {yq(r['org'])}")
    fm += [f"upvotes: {r['upvotes']}", "---", "", r["abstract"], ""]
    with open(os.path.join(d, r["slug"] + ".md"), "w", encoding="utf-8") as f:
        f.write("\n".join(fm))


def write_pelican(r, d):
    md = [
        f"Title: {r['title']}",
        f"Date: {r['date']}",
        f"Slug: {r['slug']}",
        f"Category: {r['topics'][0]}",
        "Tags: " + ", ".join(r["topics"]),
    ]
    if r["authors"] is not None:
        md.append(f"Authors_count: {r['authors']}")
    if r["org"]:
        md.append(f"Org: {r['org']}")
    md += [f"Upvotes: {r['upvotes']}", "", r["abstract"], ""]
    with open(os.path.join(d, r["slug"] + ".md"), "w", encoding="utf-8") as f:
        f.write("\n".join(md))


def arxiv_id(r):
    d = dt.date.fromisoformat(r["date"])
    return f"{d.year % 100:02d}{d.month:02d}.{r['id']:05d}"


def write_hf_api(recs, out):
    d = os.path.join(out, "content", "listings")
    os.makedirs(d, exist_ok=True)
    days = {}
    for r in recs:
        days.setdefault(r["date"], []).append(r)
    for day, rs in sorted(days.items()):
        items = []
        for r in rs:
            n = r["authors"] or 1
            paper = {
                "id": arxiv_id(r),
                "title": r["title"],
                "summary": r["abstract"],
                "authors": [
                    {"_id": f"a{r['id']}-{k}", "name": f"Author {r['id']}-{k}", "hidden": False} for k in range(n)
                ],
                "publishedAt": f"{day}T00:00:00.000Z",
                "upvotes": r["upvotes"],
            }
            if r["org"]:
                paper["organization"] = {"name": r["org"].split()[0], "fullname": r["org"].split(" ", 1)[-1]}
            items.append(
                {
                    "paper": paper,
                    "publishedAt": f"{day}T12:00:00.000Z",
                    "title": r["title"],
                    "numComments": r["upvotes"] % 5,
                }
            )
        with open(os.path.join(d, f"hf-daily-{day}.json"), "w", encoding="utf-8") as f:
            json.dump(items, f, ensure_ascii=False)


def write_papersite(r, d):
    fm = [
        "---",
        f"title: {yq(r['title'])}",
        f"slug: {yq(arxiv_id(r))}",
        f"arxiv: {yq(arxiv_id(r))}",
        f"published: {r['date']}",
        f"listed: {r['date']}",
    ]
    if r["authors"] is not None:
        fm.append(f"authors_count: {r['authors']}")
    if r["org"]:
        fm.append(f"organization: {yq(r['org'].split(' ', 1)[-1])}")
    fm += [
        f"upvotes: {r['upvotes']}",
        f"comments: {r['upvotes'] % 5}",
        "topics: [" + ", ".join(yq(t) for t in r["topics"]) + "]",
        "---",
        r["abstract"],
        "",
    ]
    with open(os.path.join(d, arxiv_id(r) + ".md"), "w", encoding="utf-8") as f:
        f.write("\n".join(fm))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, required=True)
    ap.add_argument("--format", choices=["hugo", "pelican", "jsonl", "hf-api", "papersite"], required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--seed-file", default=DEFAULT_SEED_FILE)
    a = ap.parse_args()
    recs = generate(a.n, a.seed, a.seed_file)
    if a.format == "jsonl":
        os.makedirs(a.out, exist_ok=True)
        with open(os.path.join(a.out, "papers.jsonl"), "w", encoding="utf-8") as f:
            for r in recs:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        return
    if a.format == "hf-api":
        write_hf_api(list(recs), a.out)
        return
    d = os.path.join(a.out, "content", "papers")
    os.makedirs(d, exist_ok=True)
    w = {"hugo": write_hugo, "pelican": write_pelican, "papersite": write_papersite}[a.format]
    for r in recs:
        w(r, d)


if __name__ == "__main__":
    main()
