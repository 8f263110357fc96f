// A search with words, through Pagefind, shard by shard. A large site's index is split into shards by date
// (generator/search/plan.py): pagefind/shards.json lists them newest first, the first being the bundle at
// data-bundle (Pagefind's scripts and wasm live there; the other shards hold only their data). Each shard is tagged
// with a synthetic "shard" filter (mergeFilter) so that one shard's results can be asked for alone.
//
// Only the shards a query needs are loaded: those that can hold its year (a shard holds one year's papers and its
// name starts with that year), in the query's order (newest first, or oldest first for "oldest"). The first of
// them is Pagefind's primary index, searched alone and its results shown at once, with "at least N results"; then
// the others are merged into it (mergeIndex), at most MERGES at a time, and one search over them all gives the
// exact count. So a query with a year never touches a shard of another year, and the plan keeps the shard read
// first small (plan.py). Results then come shard by shard in order: Pagefind orders merged results by each index's
// own score, which for a sort is a position inside that index, so reading one shard at a time keeps a date order
// right across shards. Each first shard and year gets a Pagefind instance of its own.
//
// A query with words first asks the words index (pagefind/shards.json's "words"; generator/search/words.py): one page
// per shard but the newest, holding every piece of text Pagefind indexed in it, tagged with its shard. It is
// searched beside the first shard, and only the shards whose page it matches (and the newest, which it leaves out)
// are merged: a word no paper has is "No results" as soon as the first shard and the words index have answered,
// and a rare word reads only the shards that hold it.
//
// The wasm lives only in the newest shard's folder: a primary index in another folder has its wasm fetched from
// there (search/fetches.js, rewriteFetches). With every shard of one year, the year filter is left out (a shard
// holds its year only), except in the oldest year, where papers without a date join it with no year.

import { rewriteFetches } from "./fetches.js";

const MERGES = 3;

let loaded = null; // Promise of { pagefind, shards, words, bundle, base }
let wordsIndex = null; // Promise of the words index's Pagefind instance, its shard filter loaded
const instances = new Map(); // "<year or nothing>|<first shard>" -> { api, merged: Map(shard name -> Promise), base }

export function loadPagefind(bundle, base) {
  if (!loaded) {
    loaded = (async () => {
      const [pagefind, manifest] = await Promise.all([
        import(bundle + "pagefind.js"),
        fetch(bundle + "shards.json").then((response) => (response.ok ? response.json() : {})),
      ]);
      const shards = Array.isArray(manifest.shards) && manifest.shards.length ? manifest.shards : [];
      const words = typeof manifest.words === "string" && shards.length > 1 ? manifest.words : null;
      const main = new URL(bundle, location.href).pathname;
      const others = shards.map((shard) => new URL(base + shard.bundle, location.href).pathname);
      if (words) others.push(new URL(base + words, location.href).pathname);
      rewriteFetches((path) => {
        const folder = path.slice(0, path.lastIndexOf("/") + 1);
        const file = path.slice(folder.length);
        return /^wasm\.[\w-]+\.pagefind$/.test(file) && others.includes(folder) ? main + file : path;
      });
      return { pagefind, shards, words, bundle, base };
    })();
  }
  return loaded;
}

// The Pagefind instance whose primary index is `first` (a shard; null when unsharded) and which merges the shards
// of `key` (a year, or "" for every one).
function instance(index, first, key) {
  const id = `${key}|${first ? first.name : ""}`;
  if (!instances.has(id)) {
    const { pagefind, shards, bundle, base } = index;
    const basePath = first ? base + first.bundle : bundle;
    const options = { basePath, baseUrl: base, excerptLength: 30, noWorker: true };
    if (first) options.mergeFilter = { shard: first.name };
    const api = pagefind.createInstance(options);
    const merged = new Map(first ? [[first.name, Promise.resolve()]] : []);
    instances.set(id, { api, merged, base });
  }
  return instances.get(id);
}

// The names of the shards the words index holds (every one but the newest) that may hold results for `term` (a
// Set), or null when any may (no words index, or a term with no letter or digit). Quotes are left out: a
// phrase's words are on a shard's page, never in its order.
// Called once Pagefind's wasm is loaded: instances created at once would each load it, and the second load
// replaces the module the first instance's data lives in. Pagefind counts filter values only once the instance has
// read its filters (filters()).
async function shardsWith(index, term) {
  const plain = term.replace(/"/g, " ");
  if (!index.words || !/[\p{L}\p{N}]/u.test(plain)) return null;
  if (!wordsIndex) {
    const options = { basePath: index.base + index.words, baseUrl: index.base, noWorker: true };
    const api = index.pagefind.createInstance(options);
    wordsIndex = api.filters().then(() => api);
  }
  const search = await (await wordsIndex).search(plain);
  const counts = (search.filters && search.filters.shard) || {};
  return new Set(Object.keys(counts).filter((name) => counts[name] > 0));
}

function merge(found, shard) {
  if (!found.merged.has(shard.name)) {
    const options = { baseUrl: found.base, excerptLength: 30, mergeFilter: { shard: shard.name } };
    found.merged.set(shard.name, found.api.mergeIndex(found.base + shard.bundle, options));
  }
  return found.merged.get(shard.name);
}

async function mergeAll(found, shards) {
  const queue = shards.slice();
  const worker = async () => {
    while (queue.length) await merge(found, queue.shift());
  };
  await Promise.all(Array.from({ length: MERGES }, worker));
}

// The shards that can hold `year` (every one when there is none), in the order results are read.
function shardsFor(shards, year, oldest) {
  const fitting = shards.filter((shard) => !year || shard.name === "all" || shard.name.startsWith(year));
  return oldest ? fitting.reverse() : fitting;
}

// Search `term` with Pagefind `options` ({ filters, sort }). Resolves to { count, final, results, finish }: the
// results of the first shard (or all, when final), and, unless final, finish(), which resolves to
// { count, later } once every shard that can match is loaded: the exact count, and a function per further shard with
// matches that fetches that shard's results. The first shard's results come without waiting for the words index
// (finish waits for it); when the first shard has none, the words index is waited for, and "No results" is final
// when it names no other shard.
export async function searchWords(index, term, options, year) {
  const sharded = index.shards.length > 1;
  const order = shardsFor(index.shards, year, options.sort && options.sort.date === "asc");
  if (sharded && !order.length) return { count: 0, final: true, results: [] };
  const found = instance(index, sharded ? order[0] : null, sharded ? year : "");
  const oldest = sharded ? index.shards[index.shards.length - 1].name.slice(0, 4) : "";
  if (sharded && year && year !== oldest) {
    const filters = { ...options.filters };
    delete filters.year;
    options = { ...options, filters };
  }
  if (!sharded) {
    const search = await found.api.search(term, options);
    return { count: search.results.length, final: true, results: search.results };
  }
  const inShard = (shard) => ({ ...options, filters: { ...options.filters, shard: shard.name } });
  const searched = found.api.search(term, order.length > 1 ? inShard(order[0]) : options);
  const may = order.length > 1 ? searched.then(() => shardsWith(index, term)) : null;
  if (may) may.catch(() => {}); // (its failure is the first search's, thrown below, or thrown when awaited)
  const results = (await searched).results;
  if (order.length === 1) return { count: results.length, final: true, results };
  const newest = index.shards[0];
  const others = async () => {
    const hits = await may;
    return order.slice(1).filter((shard) => !hits || shard === newest || hits.has(shard.name));
  };
  const finish = async (rest) => {
    if (!rest.length) return { count: results.length, later: [] };
    await mergeAll(found, rest);
    const all = await found.api.search(term, options);
    const counts = all.filters.shard || {};
    const later = rest
      .filter((shard) => counts[shard.name] > 0)
      .map((shard) => () => found.api.search(term, inShard(shard)));
    return { count: all.results.length, later };
  };
  if (results.length) {
    return { count: results.length, final: false, results, finish: async () => finish(await others()) };
  }
  // nothing in the first shard: ask the words index before saying anything, so that "No results" comes at once
  const rest = await others();
  if (!rest.length) return { count: 0, final: true, results };
  return { count: 0, final: false, results, finish: () => finish(rest) };
}
