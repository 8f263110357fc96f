// papersite search page (search/): runs the query in ?q=, ?topic=, ?year= and ?sort= and renders the results.
// A module file, not inline script, so the Content-Security-Policy can stay "script-src 'self'".
// The search page provides data-bundle (where pagefind.js lives) and data-base (the site's base path, which
// Pagefind prefixes to the site-root-relative result URLs), so the page works under any sub-path.
// Words are searched with Pagefind, shard by shard (search/shards.js). A topic or a year without words is a
// date-ordered list the build already wrote: it is read from the list pages (search/listing.js), with exact counts
// and no search index. Every fetch of the site's own search files goes through one small queue (search/fetches.js).

import { queueFetches, takeFailures } from "./search/fetches.js";
import { openList } from "./search/listing.js";
import { renderCard, renderResult } from "./search/results.js";
import { loadPagefind, searchWords } from "./search/shards.js";

const PAGE_SIZE = 20;

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
const base = root.dataset.base;
const bundle = root.dataset.bundle;
queueFetches([new URL(base, location.href).pathname]);

let generation = 0; // bumped by every search; stale responses are dropped
let source = null; // the current search's results not shown yet: { next(n) -> Promise of Promises of <li>s, more() }
let listsPromise = null;
let typingTimer = 0;

function loadLists() {
  if (!listsPromise) {
    listsPromise = fetch(base + "search/lists.json").then((response) => {
      if (!response.ok) throw new Error(`search/lists.json: HTTP ${response.status}`);
      return response.json();
    });
  }
  return listsPromise;
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

function describe(query, count, final) {
  const parts = [];
  if (query.q) parts.push(`for “${query.q}”`);
  if (query.topic) parts.push(`in ${query.topic}`);
  if (query.year) parts.push(`from ${query.year}`);
  const where = parts.length ? " " + parts.join(" ") : "";
  if (!final) return `At least ${count} result${count === 1 ? "" : "s"}${where}; searching older papers…`;
  if (count === 0) return `No results${where}. Try fewer or different words, or another topic or year.`;
  return `${count} result${count === 1 ? "" : "s"}${where}.`;
}

// The results of a search without words: a run of a list page series (search/listing.js).
async function listSource(query) {
  const reader = openList(await loadLists(), base, { ...query, oldest: query.sort === "oldest" });
  if (!reader) return { count: 0, final: true, source: { next: async () => [], more: () => false } };
  const next = async (n) => (await reader.next(n)).map((card) => Promise.resolve(renderCard(card)));
  return { count: reader.count, final: true, source: { next, more: reader.more } };
}

// The results of a search with words: Pagefind's, shard by shard (search/shards.js).
async function wordSource(query) {
  const filters = {};
  if (query.topic) filters.topic = query.topic;
  if (query.year) filters.year = query.year;
  const options = { filters };
  if (query.sort === "newest") options.sort = { date: "desc" };
  else if (query.sort === "oldest") options.sort = { date: "asc" };
  const found = await searchWords(await loadPagefind(bundle, base), query.q, options, query.year);
  const pending = found.results.slice();
  const later = [];
  const next = async (n) => {
    while (pending.length < n && later.length) pending.push(...(await later.shift()()).results);
    return pending.splice(0, n).map(async (result) => renderResult(await result.data(), true));
  };
  const finish = found.final ? null : async () => {
    const done = await found.finish();
    later.push(...done.later);
    return done.count;
  };
  const source = { next, more: () => pending.length > 0 || later.length > 0 };
  return { count: found.count, final: found.final, source, finish };
}

async function run({ push = false } = {}) {
  const query = currentQuery();
  const mine = ++generation;
  writeUrl(query, push);
  document.title = (query.q ? `${query.q} · ` : "") + pageTitle;
  list.replaceChildren();
  more.hidden = true;
  source = null;
  delete root.dataset.complete;
  if (!query.q && !query.topic && !query.year) {
    root.dataset.state = "idle";
    status.textContent = "Type a word or two, or choose a topic or year.";
    return;
  }
  root.dataset.state = "loading";
  takeFailures();
  try {
    const found = query.q ? await wordSource(query) : await listSource(query);
    if (mine !== generation) return;
    source = found.source;
    await showMore(mine, PAGE_SIZE, { first: true });
    if (mine !== generation) return;
    report(query, found.count, found.final);
    if (found.final) return;
    const count = await found.finish();
    if (mine !== generation) return;
    if (list.children.length < PAGE_SIZE) await showMore(mine, PAGE_SIZE - list.children.length, { first: true });
    if (mine !== generation) return;
    report(query, count, true);
  } catch (error) {
    if (mine !== generation) return;
    fail(error);
  }
}

// The outcome so far: the state, the count (exact once final), and an error when a file could not be fetched.
function report(query, count, final) {
  const failures = takeFailures();
  if (failures.length) return fail(new Error(`could not fetch ${failures.join(", ")}`));
  if (final) root.dataset.complete = "true";
  if (list.children.length) root.dataset.state = "results";
  else if (final) root.dataset.state = "empty";
  status.textContent = describe(query, count, final);
  more.hidden = !source.more();
}

function fail(error) {
  root.dataset.state = "error";
  root.dataset.complete = "true";
  status.textContent = "Search could not load all it needs, so results may be missing. Please reload the page.";
  console.error("papersite search:", error);
}

// The next results. The first page of a search shows each result as soon as it and those before it are in (a
// result's card is a fetch of its own); "Show more results" adds its page at once, with the button's new state.
async function showMore(mine, size = PAGE_SIZE, { first = false } = {}) {
  const items = await source.next(size);
  for (const item of items) item.catch(() => {}); // a failure is thrown below, or dropped with a stale search
  if (!first) {
    const shown = await Promise.all(items);
    if (mine !== generation) return;
    list.append(...shown);
  }
  for (const item of first ? items : []) {
    const shown = await item;
    if (mine !== generation) return;
    list.append(shown);
    if (root.dataset.state === "loading") root.dataset.state = "results";
  }
  more.hidden = !source.more();
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
input.addEventListener("focus", () => loadPagefind(bundle, base).catch(() => {}), { once: true });
for (const select of [topicSelect, yearSelect, sortSelect]) select.addEventListener("change", () => run());
more.addEventListener("click", async () => {
  const first = list.children.length;
  const mine = generation;
  try {
    await showMore(mine);
  } catch (error) {
    if (mine === generation) fail(error);
    return;
  }
  if (mine === generation && takeFailures().length) fail(new Error("a file could not be fetched"));
  list.children[first]?.querySelector("a")?.focus();
});
window.addEventListener("popstate", () => {
  readUrl();
  run();
});

readUrl();
run();
