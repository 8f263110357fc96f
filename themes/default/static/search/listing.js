// A search without words, read from the list pages the build wrote: search/lists.json (generator/render/
// search_lists.py) says which pages list every paper or a topic's papers, newest first, and how many papers of
// each year each list holds. A topic, a year, or both is then a run of one list: its size is exact, and a page of
// results costs a list page or two, with no search index loaded.

const CARDS = "main article[data-slug]"; // a list page's cards, as static/desk/visits.js finds them

// A paged reader of the papers matching { topic, year }, newest first unless `oldest`: { count, next(n) }, where
// next(n) gives the next n cards (elements of this document), or null when lists.json has no such list.
export function openList(lists, base, { topic, year, oldest }) {
  const list = topic ? lists.topics[topic] : lists.all;
  if (!list) return null;
  let start = 0;
  let count = list.count;
  if (year) {
    const at = list.years.findIndex(([value]) => String(value) === year);
    start = list.years.slice(0, Math.max(at, 0)).reduce((sum, [, n]) => sum + n, 0);
    count = at < 0 ? 0 : list.years[at][1];
  }
  const pages = new Map(); // page number -> Promise of its cards
  let shown = 0;
  const perPage = lists.per_page;
  const older = Math.max(0, Math.floor(list.count / perPage) - 1);
  const cut = list.count - older * perPage; // the first page holds positions [0, cut)

  function locate(position) {
    if (position < cut) return [0, position];
    const number = Math.floor((list.count - 1 - position) / perPage) + 1;
    return [number, position - (list.count - (number - 1) * perPage - perPage)];
  }

  function page(number) {
    if (!pages.has(number)) {
      const path = number === 0 ? list.first : list.older.replace("{n}", String(number));
      pages.set(number, readCards(base + path, number === 0 ? cut : perPage));
    }
    return pages.get(number);
  }

  async function next(n) {
    const positions = [];
    for (let i = shown; i < Math.min(count, shown + n); i++) positions.push(oldest ? start + count - 1 - i : start + i);
    shown += positions.length;
    const located = positions.map(locate);
    const loaded = await Promise.all(located.map(([number]) => page(number)));
    return located.map(([, index], i) => loaded[i][index].cloneNode(true));
  }

  return { count, next, more: () => shown < count };
}

async function readCards(url, expected) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const html = await response.text();
  const cards = [...new DOMParser().parseFromString(html, "text/html").querySelectorAll(CARDS)];
  if (cards.length !== expected) throw new Error(`${url}: ${cards.length} cards, search/lists.json says ${expected}`);
  return cards.map((card) => document.importNode(card, true));
}
