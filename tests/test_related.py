"""Related papers: TF-IDF cosine over title and abstract, deterministic, sensible on the seed content."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from generator.related import related, terms
from generator.site import load_papers

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Doc:
    slug: str
    title: str
    abstract: str = ""


def test_terms_drop_stop_words_and_fold_plurals() -> None:
    assert terms("The Memories of LLMs, and 2 agents' tools") == ["memorie", "llms", "agent", "tool"]


def test_most_similar_first_and_ties_by_slug() -> None:
    docs = [
        Doc("a", "Episodic memory for agents", "Agents store episodic memory."),
        Doc("b", "Episodic memory for agents", "Agents store episodic memory."),
        Doc("c", "Episodic memory for agents", "Agents store episodic memory."),
        Doc("d", "Gaussian splatting", "Radiance fields rendered fast."),
        Doc("e", "Gaussian splatting for radiance fields", "Splatting renders radiance fields."),
    ]
    result = related(docs)
    assert result["a"] == ("b", "c")
    assert result["b"] == ("a", "c")
    assert result["d"] == ("e",)
    assert set(result) == {"a", "b", "c", "d", "e"}


def test_stable_across_runs_and_input_order() -> None:
    papers, _ = load_papers(ROOT / "content" / "papers")
    first = related(papers)
    shuffled = list(papers)
    random.Random(7).shuffle(shuffled)
    assert related(shuffled) == first
    assert all(len(v) <= 5 and slug not in v for slug, v in first.items())


def test_seed_memos_papers_point_at_each_other() -> None:
    papers, _ = load_papers(ROOT / "content" / "papers")
    result = related(papers)
    one = "memos-a-memory-os-for-ai-system"
    two = "memos-an-operating-system-for-memory-augmented-generation-mag-in-large-language"
    assert result[one][0] == two
    assert result[two][0] == one


def test_site_carries_related(project: Path) -> None:
    from generator.config import load_config
    from generator.site import assemble

    config, _problems = load_config(project / "site.toml", None, display="site.toml")
    assert config is not None
    site, _ = assemble(config, [])
    assert site.related == {}
