// The desk's state in localStorage, one versioned key per site; bad data reads as empty (ARCHITECTURE.md).

export const VERSION = 1;
export const base = new URL("../../", import.meta.url); // this file is <base>static/desk/store.js
export const KEY = `papersite.desk.v${VERSION}:${base.pathname}`;

const SLUG = /^[A-Za-z0-9][A-Za-z0-9._~-]*$/; // URL-safe as it is: used in paths unescaped
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MAX_READ = 5000;

export const isSlug = (value) => typeof value === "string" && value.length < 300 && SLUG.test(value);
export const isDay = (value) => typeof value === "string" && DAY.test(value);
const isTime = (value) => Number.isFinite(value) && value >= 0;
const text = (value, limit = 2000) => (typeof value === "string" ? value.slice(0, limit) : "");

export function empty() {
  return { version: VERSION, saved: {}, read: {}, views: [], cleared: "" };
}

// A saved paper's record, keeping only known fields of the right type (an imported file may hold anything).
export function cleanRecord(raw) {
  if (!raw || typeof raw !== "object" || !isSlug(raw.slug)) return null;
  const record = { slug: raw.slug, title: text(raw.title, 500) || raw.slug, at: isTime(raw.at) ? raw.at : 0 };
  for (const key of ["date", "listed"]) if (isDay(raw[key])) record[key] = raw[key];
  for (const key of ["organization", "summary", "bib", "vector"]) if (raw[key]) record[key] = text(raw[key], 8000);
  for (const key of ["upvotes", "comments", "authors_count"]) if (Number.isInteger(raw[key])) record[key] = raw[key];
  if (Array.isArray(raw.authors)) record.authors = raw.authors.filter((a) => typeof a === "string").slice(0, 3);
  if (Array.isArray(raw.topics)) {
    record.topics = raw.topics
      .filter((t) => Array.isArray(t) && isSlug(t[0]) && typeof t[1] === "string")
      .map(([slug, name]) => [slug, name.slice(0, 200)]);
  }
  record.complete = raw.complete === true && typeof record.bib === "string";
  return record;
}

function clean(raw) {
  const state = empty();
  if (!raw || typeof raw !== "object" || raw.version !== VERSION) return state;
  if (raw.saved && typeof raw.saved === "object") {
    for (const value of Object.values(raw.saved)) {
      const record = cleanRecord(value);
      if (record) state.saved[record.slug] = record;
    }
  }
  if (raw.read && typeof raw.read === "object") {
    for (const [slug, at] of Object.entries(raw.read)) if (isSlug(slug) && isTime(at)) state.read[slug] = at;
  }
  if (Array.isArray(raw.views)) {
    state.views = raw.views
      .filter((v) => v && isTime(v.at) && (v.newest === "" || isDay(v.newest)))
      .map((v) => ({ at: v.at, newest: v.newest }))
      .slice(-50);
  }
  if (isDay(raw.cleared)) state.cleared = raw.cleared;
  return state;
}

export function load() {
  try {
    return clean(JSON.parse(localStorage.getItem(KEY) || "null"));
  } catch {
    return empty(); // storage blocked, or not JSON
  }
}

export function store(state) {
  const read = Object.entries(state.read);
  if (read.length > MAX_READ) {
    read.sort((a, b) => b[1] - a[1]);
    state.read = Object.fromEntries(read.slice(0, MAX_READ));
  }
  try {
    localStorage.setItem(KEY, JSON.stringify(state));
    return true;
  } catch {
    return false; // full or blocked: the page still works, it just does not remember
  }
}

// Load, change, store: every change goes through here, so two tabs never write a stale copy over a newer one.
export function update(change) {
  const state = load();
  change(state);
  store(state);
  return state;
}

// The saved papers, newest saved first.
export function savedList(state) {
  return Object.values(state.saved).sort((a, b) => b.at - a.at || (a.slug < b.slug ? -1 : 1));
}

export const href = (path) => new URL(path, base).pathname;
export const paperPath = (slug) => `papers/${slug}/`;

// The desk's data for one paper (desk.json beside its page: what a card shows, its BibTeX and its vector).
export async function fetchPaper(slug) {
  const response = await fetch(href(`${paperPath(slug)}desk.json`));
  if (!response.ok) throw new Error(`desk.json of ${slug}: HTTP ${response.status}`);
  const record = cleanRecord({ ...(await response.json()), complete: true });
  if (!record) throw new Error(`desk.json of ${slug}: not a paper`);
  return record;
}

// One polite live region per page, for what a click changed.
let region = null;
export function announce(message) {
  if (!region) {
    region = document.createElement("p");
    region.className = "visually-hidden";
    region.setAttribute("role", "status");
    document.body.append(region);
  }
  region.textContent = "";
  setTimeout(() => (region.textContent = message), 50);
}
