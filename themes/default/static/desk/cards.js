// A desk record as the list pages' card (templates/partials/paper_card.html), built as text: an imported file
// cannot inject markup, and links are built from slugs.

import { element, href, paperPath } from "./store.js";

const MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(" ");
const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

function byline({ authors = [], authors_count: count = 0, organization, date, comments }) {
  const more = Math.max(count, authors.length) - authors.length;
  const listed = authors.join(", ") + (more ? ` and ${more} more` : "");
  const names = authors.length ? listed : count && plural(count, "author");
  const [y, m, d] = (date || "").split("-").map(Number);
  const day = date && element("time", { datetime: date }, `${MONTHS[m - 1]} ${d}, ${y}`);
  const parts = [names, organization, day, comments && plural(comments, "comment")].filter(Boolean);
  return element("p", { class: "byline" }, ...parts.map((part) => element("span", {}, part)));
}

export const saveButton = ({ slug, title }) =>
  element(
    "button",
    { type: "button", class: "save", "data-save": slug, "aria-pressed": "false" },
    element("span", { class: "save-icon", "aria-hidden": "true" }),
    "Save",
    element("span", { class: "visually-hidden" }, ` “${title}”`),
  );

// The card, with `tools` in its tool row (a Save or Remove button, a "because you saved" note).
export function card(record, ...tools) {
  const { slug, title, upvotes: votes, summary, topics = [], listed } = record;
  const chip = ([topic, name]) => element("li", {}, element("a", { href: href(`topics/${topic}/`) }, name));
  const chips = topics.map(chip);
  return element(
    "article",
    { class: "card", "data-slug": slug, ...(listed && { "data-listed": listed }) },
    votes != null &&
      element(
        "p",
        { class: "votes", title: `${plural(votes, "upvote")} on Hugging Face` },
        element("span", { "aria-hidden": "true" }, "▲"),
        ` ${votes}`,
        element("span", { class: "visually-hidden" }, votes === 1 ? " upvote" : " upvotes"),
      ),
    element(
      "div",
      { class: "card-body" },
      element("h2", { class: "card-title" }, element("a", { href: href(paperPath(slug)) }, title)),
      byline(record),
      summary && element("p", { class: "card-summary" }, summary),
      chips.length && element("ul", { class: "chips", "aria-label": "Topics" }, ...chips),
      element("p", { class: "desk-tools" }, ...tools),
    ),
  );
}
