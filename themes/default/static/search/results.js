// Search results as the search page shows them: a paper's card, as list pages show it.

const DIGITS = "!#$%()*+,-./:;=?"; // the hex digits 0 to f of a result's card (see readable)

// A card of a list page (search/listing.js), as it is; its topics, from its chips, for tests and scripts to read.
export function renderCard(card) {
  const item = el("li", "search-result");
  item.dataset.topics = JSON.stringify([...card.querySelectorAll(".chips a")].map((link) => link.textContent));
  item.append(card);
  return item;
}

// A result is the paper's card as list pages show it: partials/paper_card.html, rendered at build time into the
// paper page's "card" metadata (templates/paper.html), so a site's own card template shows here too. That HTML is the
// site's own build output, escaped by Jinja; a <template> parses it without running anything. With words to search
// for, the card's summary gives way to Pagefind's excerpt, its matches marked.
export function renderResult(data, withWords) {
  const item = el("li", "search-result");
  item.dataset.topics = JSON.stringify(data.filters.topic || []);
  const html = data.meta.card ? readable(data.meta.card) : null;
  const card = html ? parse(html) : titleOnly(data);
  const summary = card.querySelector(".card-summary");
  if (summary && withWords) summary.replaceChildren(...excerpt(data.excerpt), text(" …"));
  item.append(card);
  return item;
}

// The card metadata is the HTML's UTF-8 bytes in hex, its digits 0 to f written as DIGITS (the `unsearchable` filter,
// generator/render/filters.py): Pagefind searches metadata, and finds no word in punctuation. Null when it is not that.
function readable(text) {
  if (text.length % 2) return null;
  const bytes = new Uint8Array(text.length / 2);
  for (let i = 0; i < bytes.length; i++) {
    const high = DIGITS.indexOf(text[2 * i]);
    const low = DIGITS.indexOf(text[2 * i + 1]);
    if (high < 0 || low < 0) return null;
    bytes[i] = high * 16 + low;
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

function parse(html) {
  const template = document.createElement("template");
  template.innerHTML = html;
  return template.content;
}

// An index without cards (built by an older papersite, or from a paper.html that does not add the metadata): a link.
function titleOnly(data) {
  const card = el("article", "card");
  const body = el("div", "card-body");
  const title = el("h2", "card-title");
  const link = el("a");
  link.href = data.url;
  link.textContent = data.meta.title || data.url;
  title.append(link);
  body.append(title);
  card.append(body);
  return card;
}

// Pagefind's excerpt is escaped text with <mark> around matches; keep exactly that, as DOM nodes.
function excerpt(html) {
  return [...parse(html).childNodes].map((node) => {
    if (node.nodeName === "MARK") {
      const mark = el("mark");
      mark.textContent = node.textContent;
      return mark;
    }
    return text(node.textContent);
  });
}

export function el(tag, className) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  return node;
}

function text(value) {
  return document.createTextNode(value);
}
