// papersite search page (search/): runs the query in ?q= with Pagefind's JS API and renders the results.
// A module file, not inline script, so the Content-Security-Policy can stay "script-src 'self'".
// The search page provides data-bundle (where pagefind.js lives) and data-base (the site's base path, which
// Pagefind prefixes to the site-root-relative result URLs), so the page works under any sub-path.
// A large site's index is split into shards by date (generator/search/shards.py): pagefind/shards.json lists them
// newest first; the first is the bundle at data-bundle and every other is merged into it with mergeIndex.

const PAGE_SIZE = 20;
const DIGITS = "!#$%()*+,-./:;=?"; // the hex digits 0 to f of a result's card (see readable)

const root = document.getElementById("search");
const form = root.querySelector("form");
const input = document.getElementById("search-q");
const topicSelect = document.getElementById("search-topic");
const yearSelect = document.getElementById("search-year");
const sortSelect = document.getElementById("search-sort");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const more = document.getElementById("search-more");

const pageTitle = document.title;

let pagefindPromise = null;
let shards = []; // [{name, bundle}] newest first when the index is split, else empty
let generation = 0; // bumped by every search; stale responses are dropped
let pending = []; // results of the current search not shown yet
let later = []; // fetches the results of the current search's next shard (sorted searches of a sharded index)
let typingTimer = 0;

function loadPagefind() {
  if (!pagefindPromise) {
    pagefindPromise = (async () => {
      const base = root.dataset.base;
      const [pagefind, manifest] = await Promise.all([
        import(root.dataset.bundle + "pagefind.js"),
        fetch(root.dataset.bundle + "shards.json").then((response) => (response.ok ? response.json() : {})),
      ]);
      await pagefind.options({ baseUrl: base, excerptLength: 30 });
      await pagefind.init();
      const listed = Array.isArray(manifest.shards) ? manifest.shards : [];
      if (listed.length > 1) {
        // Every index gets a synthetic "shard" filter so that one shard's results can be asked for alone.
        await pagefind.options({ mergeFilter: { shard: listed[0].name } });
        await Promise.all(
          listed.slice(1).map((shard) =>
            pagefind.mergeIndex(base + shard.bundle, {
              baseUrl: base,
              excerptLength: 30,
              mergeFilter: { shard: shard.name },
            }),
          ),
        );
        shards = listed;
      }
      return pagefind;
    })();
  }
  return pagefindPromise;
}

// A search's results: { count, results, later }, where `later` holds functions that each fetch one more shard's
// results, in order. Pagefind orders merged results by each index's own score, which for a sort is a position inside
// that index, so a sorted search across shards first only counts each shard's matches (from the synthetic "shard"
// filter), then reads the shards that have any one at a time in date order (each holds a range of dates) as the
// results are shown: usually the newest shard alone fills the first page.
async function searchAll(pagefind, term, options) {
  const search = await pagefind.search(term, options);
  if (!shards.length || !options.sort) return { count: search.results.length, results: search.results, later: [] };
  const counts = search.filters.shard || {};
  const order = options.sort.date === "asc" ? shards.slice().reverse() : shards;
  const later = order
    .filter((shard) => counts[shard.name] > 0)
    .map((shard) => () => pagefind.search(term, { ...options, filters: { ...options.filters, shard: shard.name } }));
  return { count: search.results.length, results: [], later };
}

function readUrl() {
  const params = new URLSearchParams(location.search);
  input.value = params.get("q") || "";
  setSelect(topicSelect, params.get("topic"));
  setSelect(yearSelect, params.get("year"));
  setSelect(sortSelect, params.get("sort"));
}

function setSelect(select, value) {
  const known = [...select.options].some((option) => option.value === value);
  select.value = known ? value : "";
}

function currentQuery() {
  return {
    q: input.value.trim(),
    topic: topicSelect.value,
    year: yearSelect.value,
    sort: sortSelect.value,
  };
}

function writeUrl(query, push) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value) params.set(key, value);
  }
  const text = params.toString();
  const url = location.pathname + (text ? "?" + text : "");
  if (url === location.pathname + location.search) return;
  if (push) history.pushState(null, "", url);
  else history.replaceState(null, "", url);
}

function describe(query, count) {
  const parts = [];
  if (query.q) parts.push(`for “${query.q}”`);
  if (query.topic) parts.push(`in ${query.topic}`);
  if (query.year) parts.push(`from ${query.year}`);
  const where = parts.length ? " " + parts.join(" ") : "";
  if (count === 0) return `No results${where}. Try fewer or different words, or another topic or year.`;
  return `${count} result${count === 1 ? "" : "s"}${where}.`;
}

async function run({ push = false } = {}) {
  const query = currentQuery();
  const mine = ++generation;
  writeUrl(query, push);
  document.title = (query.q ? `${query.q} · ` : "") + pageTitle;
  if (!query.q && !query.topic && !query.year) {
    list.replaceChildren();
    more.hidden = true;
    pending = [];
    later = [];
    root.dataset.state = "idle";
    status.textContent = "Type a word or two, or choose a topic or year.";
    return;
  }
  root.dataset.state = "loading";
  let found;
  try {
    const pagefind = await loadPagefind();
    const filters = {};
    if (query.topic) filters.topic = query.topic;
    if (query.year) filters.year = query.year;
    const options = { filters };
    // Without words there is no relevance to rank by: newest first then.
    if (query.sort === "newest" || (!query.q && query.sort === "")) options.sort = { date: "desc" };
    else if (query.sort === "oldest") options.sort = { date: "asc" };
    found = await searchAll(pagefind, query.q || null, options);
  } catch (error) {
    if (mine !== generation) return;
    root.dataset.state = "error";
    status.textContent = "Search could not load. Please reload the page.";
    console.error("papersite search:", error);
    return;
  }
  if (mine !== generation) return;
  pending = found.results.slice();
  later = found.later;
  list.replaceChildren();
  await showMore(mine);
  if (mine !== generation) return;
  root.dataset.state = pending.length || list.children.length ? "results" : "empty";
  status.textContent = describe(query, found.count);
}

async function showMore(mine) {
  while (pending.length < PAGE_SIZE && later.length) {
    const part = await later.shift()();
    if (mine !== generation) return;
    pending.push(...part.results);
  }
  const batch = pending.splice(0, PAGE_SIZE);
  const data = await Promise.all(batch.map((result) => result.data()));
  if (mine !== generation) return;
  list.append(...data.map(renderResult));
  more.hidden = pending.length === 0 && later.length === 0;
}

// A result is the paper's card as list pages show it: partials/paper_card.html, rendered at build time into the
// paper page's "card" metadata (templates/paper.html), so a site's own card template shows here too. That HTML is the
// site's own build output, escaped by Jinja; a <template> parses it without running anything. With words to search
// for, the card's summary gives way to Pagefind's excerpt, its matches marked.
function renderResult(data) {
  const item = el("li", "search-result");
  item.dataset.topics = JSON.stringify(data.filters.topic || []);
  const html = data.meta.card ? readable(data.meta.card) : null;
  const card = html ? parse(html) : titleOnly(data);
  const summary = card.querySelector(".card-summary");
  if (summary && currentQuery().q) summary.replaceChildren(...excerpt(data.excerpt), text(" …"));
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

function el(tag, className) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  return node;
}

function text(value) {
  return document.createTextNode(value);
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  clearTimeout(typingTimer);
  run({ push: true });
});
input.addEventListener("input", () => {
  clearTimeout(typingTimer);
  typingTimer = setTimeout(run, 250);
});
input.addEventListener("focus", () => loadPagefind().catch(() => {}), { once: true });
for (const select of [topicSelect, yearSelect, sortSelect]) select.addEventListener("change", () => run());
more.addEventListener("click", async () => {
  const first = list.children.length;
  await showMore(generation);
  list.children[first]?.querySelector("a")?.focus();
});
window.addEventListener("popstate", () => {
  readUrl();
  run();
});

readUrl();
run();
