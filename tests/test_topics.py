"""Topic rules: the fast word-run matcher gives exactly what the phrase regexes give."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.config import TopicRule
from generator.model import Paper
from generator.site.topics import TITLE_WEIGHT, TopicMatcher, _joined, _Text, phrase_pattern

# Letters that case-fold in unusual ways (dotted and dotless i, long s, Kelvin sign, final sigma, sharp s,
# ligatures, micro sign, a titlecase digraph, a combining mark that matches iota) next to plain ones.
LETTERS = "abcdeiklmnorstxyzABCIKLMSXZ019_éÉßẞİıſKΣσςµμǅǆǄﬅﬆ\u0345ΙιΩω"
FIXTURES = Path(__file__).parent / "fixtures"
GAPS = [" ", "  ", "-", " - ", "--", "\n", "\t", ", ", ". ", "; ", "(", ")", "/", "–", "\u00a0", "\u2003", "+", "'"]

words = st.text(alphabet=LETTERS, min_size=1, max_size=4)
odd_words = st.sampled_from(["C++", "a.b", "x+", "3D", "co_op", "naïve", "ΣΑΣ"])
phrases = st.lists(st.one_of(words, words, odd_words), min_size=1, max_size=3).flatmap(
    lambda ws: st.lists(st.sampled_from([" ", "-", "  ", " -"]), min_size=len(ws) - 1, max_size=len(ws) - 1).map(
        lambda seps: "".join(w + s for w, s in zip(ws, [*seps, ""], strict=True))
    )
)
rules = st.lists(
    st.tuples(
        st.lists(phrases, min_size=1, max_size=4),
        st.lists(phrases, max_size=2),
        st.integers(min_value=1, max_value=4),
    ),
    min_size=1,
    max_size=3,
).map(
    lambda specs: [
        TopicRule(f"t{i}", f"T{i}", include=tuple(inc), exclude=tuple(exc), threshold=threshold)
        for i, (inc, exc, threshold) in enumerate(specs)
    ]
)


def recase(text: str, pattern: list[int]) -> str:
    """Mixed case: each character lower, upper or as is, by ``pattern``."""
    out = []
    for i, char in enumerate(text):
        how = pattern[i % len(pattern)] if pattern else 0
        out.append(char.upper() if how == 1 else char.lower() if how == 2 else char)
    return "".join(out)


@st.composite
def texts(draw: st.DrawFn, vocabulary: list[str]) -> str:
    """Phrases and their words with random separators, case and noise in between."""
    pieces = []
    for _ in range(draw(st.integers(min_value=0, max_value=12))):
        kind = draw(st.integers(min_value=0, max_value=3))
        if kind <= 1 and vocabulary:
            piece = draw(st.sampled_from(vocabulary))
            if kind == 1:
                piece = re.sub(r"[\s\-]+", lambda _: draw(st.sampled_from([" ", "-", " \n ", "--", "_", "."])), piece)
        elif kind == 2:
            piece = draw(st.text(alphabet=LETTERS + " -.\n", max_size=6))
        else:
            piece = draw(st.text(max_size=3))
        pieces.append(recase(piece, draw(st.lists(st.integers(0, 2), max_size=4))))
        pieces.append(draw(st.sampled_from(GAPS)))
    return "".join(pieces)


def by_regex(rules: list[TopicRule], title: str, abstract: str) -> tuple[str, ...]:
    """The definition, as the matcher stood before it was made fast."""
    found = []
    for rule in rules:
        include, exclude = phrase_pattern(rule.include), phrase_pattern(rule.exclude)
        if include is None:
            continue
        score = TITLE_WEIGHT * len(include.findall(title)) + len(include.findall(abstract))
        if score >= rule.threshold and not (exclude is not None and exclude.search(f"{title}\n{abstract}")):
            found.append(rule.slug)
    return tuple(found)


@st.composite
def cases(draw: st.DrawFn) -> tuple[list[TopicRule], str, str]:
    chosen = draw(rules)
    vocabulary = [p for rule in chosen for p in (*rule.include, *rule.exclude)]
    vocabulary += [w for p in vocabulary for w in re.split(r"[\s\-]+", p) if w]
    return chosen, draw(texts(vocabulary)), draw(texts(vocabulary))


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_fast_matcher_equals_regexes(case: tuple[list[TopicRule], str, str]) -> None:
    chosen, title, abstract = case
    matcher = TopicMatcher(chosen)
    assert matcher.match(title, abstract) == by_regex(chosen, title, abstract)
    assert matcher.match_regex(title, abstract) == by_regex(chosen, title, abstract)


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(), st.booleans())
def test_fast_matcher_equals_regexes_on_ascii_texts(case: tuple[list[TopicRule], str, str], upper: bool) -> None:
    """ASCII texts skip the per-character check, so phrases with letters like ſ (which matches s) must not."""
    chosen, title, abstract = case
    title, abstract = (
        (t.upper() if upper else t.lower()).encode("ascii", "ignore").decode() for t in (title, abstract)
    )
    assert TopicMatcher(chosen).match(title, abstract) == by_regex(chosen, title, abstract)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab -.\n", max_size=8), st.text(alphabet="ab -.\n", max_size=8))
def test_joined_runs_equal_runs_of_joined_text(title: str, abstract: str) -> None:
    joined, direct = _joined(_Text(title), _Text(abstract)), _Text(f"{title}\n{abstract}")
    assert (joined.words, joined.gaps) == (direct.words, direct.gaps)


def test_site_rules_on_tricky_texts() -> None:
    rules = [
        TopicRule("lm", "LM", include=("large language model", "LLM", "language models"), threshold=1),
        TopicRule("agents", "Agents", include=("agents", "multi-agent"), exclude=("embodied agents",), threshold=1),
        TopicRule("odd", "Odd", include=("C++",), threshold=1),
    ]
    matcher = TopicMatcher(rules)
    samples = [
        ("Large-Language  Model agents", "An LLM-based multi-agent system in C++."),
        ("Embodied", "agents that act"),  # the exclude phrase runs across the title/abstract boundary
        ("İnference with LLMs", "ſtate of the art: LLM"),
        ("ΣΑΣ", "Multi - Agent"),
        ("", ""),
    ]
    for title, abstract in samples:
        assert matcher.match(title, abstract) == by_regex(rules, title, abstract)
    assert matcher.match("Large language model agents", "") == ("lm", "agents")
    assert matcher.match("Embodied", "agents that act") == ()
    assert matcher.match("Multi-agent", "") == ("agents",)
    assert matcher.match("A C++ library", "") == ("odd",)


def test_unusual_letters_in_phrases() -> None:
    rules = [
        TopicRule(f"r{i}", "R", include=(phrase,), threshold=1)
        for i, phrase in enumerate(["ſtate", "Kelvin", "İnference", "ıd"])
    ]
    matcher = TopicMatcher(rules)
    for text in ["STATE KELVIN INFERENCE ID", "state kelvin inference id", "ſtate Kelvin İnference ıd"]:
        assert matcher.match(text, "") == by_regex(rules, text, "")
    assert matcher.match("STATE KELVIN INFERENCE ID", "") == ("r0", "r1", "r2", "r3")


def test_a_rule_with_categories_takes_papers_in_them_whatever_their_words() -> None:
    robots = TopicRule("robots", "Robots", include=("robot",), exclude=("survey",), categories=("cs.RO",))
    words_only = TopicRule("memory", "Memory", include=("memory",))
    matcher = TopicMatcher([robots, words_only])
    assert matcher.match_categories(("cs.RO", "cs.AI"), "Grasping", "We grasp things.") == ("robots",)
    assert matcher.match_categories(("cs.CL",), "Grasping", "We grasp things.") == ()
    assert matcher.match_categories((), "Grasping", "We grasp things.") == ()
    # an exclude phrase keeps a paper out, as it does for words
    assert matcher.match_categories(("cs.RO",), "A survey of grasping", "") == ()


def test_category_topics_from_an_arxiv_listing(tmp_path: Path) -> None:
    """A paper ingested from arXiv Atom keeps its categories, primary first, and joins the topic of a rule that
    names one of them."""
    from generator.config import Config
    from generator.ingest.merge import ingest
    from generator.site.assemble import assemble
    from generator.site.load import load_papers

    listing = tmp_path / "arxiv-cs.CL-2025-10-01.xml"
    listing.write_bytes((FIXTURES / "arxiv_api_atom_two_entries.xml").read_bytes())
    papers_dir = tmp_path / "papers"
    report = ingest([listing], papers_dir)
    assert not [p for p in report.problems if p.severity == "error"]
    papers, problems = load_papers(papers_dir)
    assert problems == []
    mcpmark = next(p for p in papers if p.arxiv == "2509.24002")
    assert mcpmark.categories == ("cs.CL", "cs.AI")  # arXiv's primary category first
    rules = (TopicRule("nlp", "NLP", categories=("cs.CL",)), TopicRule("hep", "HEP", categories=("hep-th",)))
    site, _ = assemble(Config(base_url="https://example.org/", topics=rules), papers)
    by_slug = {paper.arxiv: paper.topics for paper in site.papers}
    assert by_slug["2509.24002"] == ("nlp",)
    assert by_slug["hep-th/0601001"] == ("hep",)


def test_a_paper_with_other_topics_is_replace_with_every_other_field_shared() -> None:
    paper = Paper(slug="t", title="T", abstract="A", path="content/papers/t.md", authors=("X",), topics=("memory",))
    other = paper.with_topics(("agents", "memory"))
    assert other == dataclasses.replace(paper, topics=("agents", "memory"))
    assert other.authors is paper.authors and other.title is paper.title
    assert paper.with_topics(("memory",)) is paper  # the same topics: the paper itself
