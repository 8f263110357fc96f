// A desk record as the list pages' card, built as text: an imported file cannot inject markup.

import { href, paperPath } from "./store.js";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

export function element(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "text") node.textContent = value;
    else if (key === "class") node.className = value;
    else node.setAttribute(key, value);
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

export function shortDate(day) {
  const [year, month, date] = day.split("-").map(Number);
  return `${MONTHS[month - 1]} ${date}, ${year}`;
}

function byline(record) {
  const parts = [];
  const authors = record.authors || [];
  const total = Math.max(record.authors_count || 0, authors.length);
  if (authors.length) {
    parts.push(authors.join(", ") + (total > authors.length ? ` and ${total - authors.length} more` : ""));
  } else if (total) {
    parts.push(`${total} author${total === 1 ? "" : "s"}`);
  }
  if (record.organization) parts.push(record.organization);
  const spans = parts.map((part) => element("span", { text: part }));
  if (record.date) spans.push(element("span", {}, element("time", { datetime: record.date, text: shortDate(record.date) })));
  if (record.comments) spans.push(element("span", { text: `${record.comments} comment${record.comments === 1 ? "" : "s"}` }));
  return element("p", { class: "byline" }, ...spans);
}

export function saveButton(record) {
  return element(
    "button",
    { type: "button", class: "save", "data-save": record.slug, "aria-pressed": "false" },
    element("span", { class: "save-icon", "aria-hidden": "true" }),
    "Save",
    element("span", { class: "visually-hidden", text: ` “${record.title}”` }),
  );
}

// The card; `tools` are extra elements for its tool row (a Remove button, a "because you saved" note).
export function card(record, ...tools) {
  const votes =
    record.upvotes === undefined
      ? null
      : element(
          "p",
          { class: "votes", title: `${record.upvotes} upvote${record.upvotes === 1 ? "" : "s"} on Hugging Face` },
          element("span", { "aria-hidden": "true", text: "▲" }),
          ` ${record.upvotes}`,
          element("span", { class: "visually-hidden", text: ` upvote${record.upvotes === 1 ? "" : "s"}` }),
        );
  const topics = (record.topics || []).map(([slug, name]) =>
    element("li", {}, element("a", { href: href(`topics/${slug}/`), text: name })),
  );
  const body = element(
    "div",
    { class: "card-body" },
    element("h2", { class: "card-title" }, element("a", { href: href(paperPath(record.slug)), text: record.title })),
    byline(record),
    record.summary ? element("p", { class: "card-summary", text: record.summary }) : null,
    topics.length ? element("ul", { class: "chips", "aria-label": "Topics" }, ...topics) : null,
    element("p", { class: "desk-tools" }, ...tools),
  );
  const attributes = { class: "card", "data-slug": record.slug };
  if (record.listed) attributes["data-listed"] = record.listed;
  return element("article", attributes, votes, body);
}
