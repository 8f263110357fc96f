// The search page's fetches of its own files (the lists and Pagefind's index), through one small queue: at most
// LIMIT at once, a refused fetch retried, and every fetch that still fails counted, so the page can say so.
//
// Pagefind fetches its chunks with the global fetch, up to 100 at once per index: on a site of many shards that
// floods the browser, which refuses requests (net::ERR_INSUFFICIENT_RESOURCES) and leaves results out. Pagefind runs
// in this thread (search/shards.js turns its worker off), so wrapping fetch here queues its requests too. Only the
// URLs under the given prefixes go through the queue; anything else is fetched as it was. A fetch of a string URL
// may be sent elsewhere first (rewriteFetches: search/shards.js has Pagefind's wasm fetched from the one folder that
// holds it).

const LIMIT = 6;
const RETRIES = 2;
const PAUSE_MS = 200;

let active = 0;
const waiting = [];
let failed = [];
let rewrite = (path) => path;

export function queueFetches(prefixes) {
  const original = window.fetch.bind(window);
  const ours = (input) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const path = new URL(url, location.href).pathname;
    return prefixes.some((prefix) => path.startsWith(prefix));
  };
  const sent = (input) => {
    if (typeof input !== "string") return input;
    const url = new URL(input, location.href);
    const path = rewrite(url.pathname);
    return path === url.pathname ? input : path + url.search;
  };
  window.fetch = (input, init) => {
    const target = sent(input);
    return ours(target) ? queued(() => original(target, init), target) : original(target, init);
  };
  return original;
}

// Send every later fetch of a string URL whose path is `path` to `change(path)` instead (same origin).
export function rewriteFetches(change) {
  rewrite = change;
}

// The fetches that failed (after their retries) since the last call, as URLs; the list is emptied.
export function takeFailures() {
  const list = failed;
  failed = [];
  return list;
}

function queued(start, input) {
  return new Promise((resolve, reject) => {
    waiting.push({ start, input, resolve, reject, tries: 0 });
    next();
  });
}

function next() {
  while (active < LIMIT && waiting.length) {
    const job = waiting.shift();
    active++;
    attempt(job);
  }
}

async function attempt(job) {
  let outcome;
  try {
    const response = await job.start();
    if (response.status >= 500 && job.tries < RETRIES) throw new Error(`HTTP ${response.status}`);
    // the body is read before the slot is freed: a fetch is done when its bytes are in, not its headers
    const body = await response.arrayBuffer();
    outcome = { ok: true, value: new Response(body, response) };
  } catch (error) {
    outcome = { ok: false, error };
  }
  active--;
  if (!outcome.ok && job.tries < RETRIES) {
    job.tries++;
    setTimeout(() => {
      waiting.unshift(job);
      next();
    }, PAUSE_MS * job.tries);
  } else if (outcome.ok) {
    if (!outcome.value.ok) failed.push(String(job.input));
    job.resolve(outcome.value);
  } else {
    failed.push(String(job.input));
    job.reject(outcome.error);
  }
  next();
}
