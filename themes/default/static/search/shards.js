// A search with words, through Pagefind, shard by shard. A large site's index is split into shards by date
// (generator/search/shards.py): pagefind/shards.json lists them newest first, the first being the bundle at
// data-bundle (Pagefind's scripts and wasm live there), every other merged into it with mergeIndex, each tagged with
// a synthetic "shard" filter so that one shard's results can be asked for alone.
//
// Only the shards a query needs are loaded: those that can hold its year (a shard holds a range of dates and is
// named by its first year or month), in the query's order (newest first, or oldest first for "oldest"). The first
// of them is searched alone and its results shown at once, with "at least N results"; then the others are merged,
// at most MERGES at a time, and one search over them all gives the exact count. Results then come shard by shard in
// order: Pagefind orders merged results by each index's own score, which for a sort is a position inside that index,
// so reading one shard at a time keeps a date order right across shards.
//
// The newest shard is always loaded (it is Pagefind's primary index); it is the smallest (plan.py). A query with a
// year gets a Pagefind instance of its own, so that shards of other years another query loaded are not searched.

const MERGES = 3;

let loaded = null; // Promise of { pagefind, shards }
const instances = new Map(); // "" or a year -> { api, ready, merged: Map(shard name -> Promise) }

export function loadPagefind(bundle, base) {
  if (!loaded) {
    loaded = (async () => {
      const [pagefind, manifest] = await Promise.all([
        import(bundle + "pagefind.js"),
        fetch(bundle + "shards.json").then((response) => (response.ok ? response.json() : {})),
      ]);
      const shards = Array.isArray(manifest.shards) && manifest.shards.length ? manifest.shards : [];
      return { pagefind, shards, bundle, base };
    })();
  }
  return loaded;
}

function instance(index, key) {
  if (!instances.has(key)) {
    const { pagefind, shards, bundle, base } = index;
    const options = { basePath: bundle, baseUrl: base, excerptLength: 30, noWorker: true };
    if (shards.length > 1) options.mergeFilter = { shard: shards[0].name };
    const api = pagefind.createInstance(options);
    const merged = new Map(shards.length ? [[shards[0].name, Promise.resolve()]] : []);
    instances.set(key, { api, ready: api.init(), merged, base });
  }
  return instances.get(key);
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
// { count, later } once every shard is loaded: the exact count, and a function per further shard with matches that
// fetches that shard's results.
export async function searchWords(index, term, options, year) {
  const found = instance(index, index.shards.length > 1 ? year : "");
  const order = shardsFor(index.shards, year, options.sort && options.sort.date === "asc");
  const firstMerged = order.length && index.shards.length > 1 ? merge(found, order[0]) : null; // as the primary loads
  await found.ready;
  if (index.shards.length < 2) {
    const search = await found.api.search(term, options);
    return { count: search.results.length, final: true, results: search.results };
  }
  if (!order.length) return { count: 0, final: true, results: [] };
  const inShard = (shard) => ({ ...options, filters: { ...options.filters, shard: shard.name } });
  await firstMerged;
  const first = await found.api.search(term, inShard(order[0]));
  const results = first.results;
  if (order.length === 1) return { count: results.length, final: true, results };
  const finish = async () => {
    await mergeAll(found, order.slice(1));
    const all = await found.api.search(term, options);
    const counts = all.filters.shard || {};
    const later = order
      .slice(1)
      .filter((shard) => counts[shard.name] > 0)
      .map((shard) => () => found.api.search(term, inShard(shard)));
    return { count: all.results.length, later };
  };
  return { count: results.length, final: false, results, finish };
}
