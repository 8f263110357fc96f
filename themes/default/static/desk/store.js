// The desk's state, in localStorage under one versioned key per site; bad data reads as empty (ARCHITECTURE.md).

export const base = new URL("../../", import.meta.url); // this file is <base>static/desk/store.js
const KEY = `papersite.desk.v1:${base.pathname}`;
const SLUG = /^[A-Za-z0-9][A-Za-z0-9._~-]{0,299}$/; // used in paths as it is
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export const isSlug = (value) => typeof value === "string" && SLUG.test(value);
export const isDay = (value) => typeof value === "string" && DAY.test(value);
const isTime = (value) => Number.isFinite(value) && value >= 0;
const isObject = (value) => value && typeof value === "object";
export const href = (path) => new URL(path, base).pathname;
export const paperPath = (slug) => `papers/${slug}/`;

export function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children.filter(Boolean)); // a false, "" or 0 child is left out
  return node;
}

// A saved paper as desk.json has it (generator/desk/files.py), keeping only known fields of the right type.
const FIELDS = { date: isDay, listed: isDay, organization: String, summary: String, bib: String, vector: String };
for (const key of ["upvotes", "comments", "authors_count"]) FIELDS[key] = Number.isInteger;
export function cleanRecord(raw) {
  if (!isObject(raw) || !isSlug(raw.slug)) return null;
  const title = typeof raw.title === "string" && raw.title.slice(0, 500);
  const record = { slug: raw.slug, title: title || raw.slug, at: isTime(raw.at) ? raw.at : 0 };
  for (const [key, valid] of Object.entries(FIELDS)) {
    const value = raw[key];
    if (valid === String ? typeof value === "string" && value : valid(value)) record[key] = value;
  }
  if (Array.isArray(raw.authors)) record.authors = raw.authors.filter((a) => typeof a === "string").slice(0, 3);
  if (Array.isArray(raw.topics)) record.topics = raw.topics.filter((t) => isSlug(t?.[0]) && typeof t[1] === "string");
  record.complete = raw.complete === true && !!record.bib;
  return record;
}

function clean(raw) {
  const state = { version: 1, saved: {}, read: {}, views: [], cleared: "" };
  if (!isObject(raw) || raw.version !== 1) return state;
  for (const value of Object.values(isObject(raw.saved) ? raw.saved : {})) {
    const record = cleanRecord(value);
    if (record) state.saved[record.slug] = record;
  }
  const read = Object.entries(isObject(raw.read) ? raw.read : {}).filter(([slug, at]) => isSlug(slug) && isTime(at));
  state.read = Object.fromEntries(read.sort((a, b) => b[1] - a[1]).slice(0, 5000));
  if (Array.isArray(raw.views)) {
    const views = raw.views.filter((v) => isTime(v?.at) && (v.newest === "" || isDay(v.newest)));
    state.views = views.slice(-50).map(({ at, newest }) => ({ at, newest }));
  }
  if (isDay(raw.cleared)) state.cleared = raw.cleared;
  return state;
}

export function load() {
  try {
    return clean(JSON.parse(localStorage.getItem(KEY)));
  } catch {
    return clean(null); // blocked, or not JSON
  }
}

// Load, change, store: each change reads the latest state, so tabs never write a stale copy over a newer one.
export function update(change) {
  const state = load();
  change(state);
  try {
    localStorage.setItem(KEY, JSON.stringify(state));
  } catch {} // full or blocked: the page works, it just does not remember
  return state;
}

export const savedList = (state) =>
  Object.values(state.saved).sort((a, b) => b.at - a.at || (a.slug < b.slug ? -1 : 1));

export async function fetchPaper(slug) {
  const response = await fetch(href(`${paperPath(slug)}desk.json`));
  const record = response.ok && cleanRecord({ ...(await response.json()), complete: true });
  if (!record) throw new Error(`${slug}: no desk.json`);
  return record;
}

// Saved papers known by their title only (saved offline, or imported) completed from their desk.json.
export async function complete() {
  const missing = savedList(load()).filter((record) => !record.complete);
  const fetched = await Promise.allSettled(missing.map((record) => fetchPaper(record.slug)));
  return update((state) =>
    fetched.forEach(({ value }, i) => {
      const kept = state.saved[missing[i].slug];
      if (value && kept) state.saved[value.slug] = { ...value, at: kept.at };
    }),
  );
}

let region = null;
export function announce(message) {
  region ??= document.body.appendChild(element("p", { class: "visually-hidden", role: "status" }));
  region.textContent = "";
  setTimeout(() => (region.textContent = message), 50);
}
