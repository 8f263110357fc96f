"""Paper cards: rendered once per build, shown on every list page and in search results."""

from __future__ import annotations

from collections.abc import Sequence

import jinja2
from markupsafe import Markup

from generator.incremental.parallel import run_jobs
from generator.model import Paper

CARD_TEMPLATE = "partials/paper_card.html"


class Cards:
    """``paper_card(paper)`` in templates: a paper's card (``partials/paper_card.html``), rendered once per build
    and reused on every list page that shows the paper (home, topics, archive, digest) and on the paper's own page,
    whose ``pagefind:card`` metadata carries it into the search index for search results to show. A card sees
    ``paper`` and the globals, never the page it is on: it is the same on every page."""

    def __init__(self, env: jinja2.Environment) -> None:
        self.env = env
        self.html: dict[str, tuple[Paper, Markup]] = {}

    def __call__(self, paper: Paper) -> Markup:
        rendered = self.html.get(paper.slug)
        if rendered is not None and rendered[0] is paper:
            return rendered[1]
        html = self.render(paper)
        self.html[paper.slug] = (paper, html)
        return html

    def render(self, paper: Paper) -> Markup:
        return Markup(self.env.get_template(CARD_TEMPLATE).render(paper=paper))

    def prepare(self, papers: Sequence[Paper], jobs: int | None = None) -> None:
        """Render the cards of ``papers`` not rendered yet, on every core (before list pages are rendered)."""
        todo = list({paper.slug: paper for paper in papers if paper.slug not in self.html}.values())
        if not todo:
            return
        self.env.get_template(CARD_TEMPLATE)  # compile once, before forking
        for paper, html in zip(todo, run_jobs(len(todo), lambda i: str(self.render(todo[i])), jobs=jobs), strict=True):
            self.html[paper.slug] = (paper, Markup(html))
