// New since the previous visit, and papers read. Each page load is a view {at, newest listed day}; the previous visit
// is the latest view over 30 minutes old, so reloads keep the badges. On home and topic pages ([data-desk-news]),
// cards listed after its newest day (and after "Mark all as seen") say "New", and a divider follows the last of them.
// A paper page opened is read: its card says so in every list, search results included.

import { announce, element, isDay, isSlug, load, update } from "./store.js";


const VISIT = 30 * 60 * 1000;
const CARDS = "main article[data-slug]";
const later = (a, b) => (b > a ? b : a);

// The badge goes before the title link, a space after it: the heading reads "New Title", the link stays first.
function badge(card, node) {
  const title = card.querySelector(".card-title");
  if (!title || title.querySelector(`.${node.className.replace(" ", ".")}`)) return;
  const link = title.querySelector(":scope > a");
  if (link) link.before(node, " ");
  else title.prepend(node, " ");
}

function markRead() {
  const { read } = load();
  for (const card of document.querySelectorAll(CARDS)) {
    if (!Object.hasOwn(read, card.dataset.slug)) continue;
    card.classList.add("is-read");
    const tick = element("span", { "aria-hidden": "true" }, "✓ ");
    badge(card, element("span", { class: "badge read" }, tick, "Read"));
  }
}

function showNews(box, cards, since, newest) {
  const fresh = cards.filter((card) => isDay(card.dataset.listed) && card.dataset.listed > since);
  if (!fresh.length) return;
  for (const card of fresh) {
    card.classList.add("is-new");
    badge(card, element("span", { class: "badge new" }, "New"));
  }
  const next = cards[cards.indexOf(fresh.at(-1)) + 1];
  const label = "Seen before";
  const divider = element("p", { class: "seen-divider", role: "separator", "aria-label": label }, label);
  if (next) next.before(divider);
  const more = !next && document.querySelector('a[rel="next"]') ? "+" : "";
  const button = element("button", { type: "button" }, "Mark all as seen");
  const count = element("strong", {}, `${fresh.length}${more} new`);
  box.replaceChildren(element("p", {}, count, " since your last visit"), button);
  box.hidden = false;
  button.addEventListener("click", () => {
    update((state) => (state.cleared = later(state.cleared, newest)));
    for (const card of fresh) {
      card.classList.remove("is-new");
      const node = card.querySelector(".badge.new");
      node.nextSibling.remove(); // its space
      node.remove();
    }
    divider.remove();
    box.hidden = true;
    box.replaceChildren();
    const heading = document.querySelector("main h1");
    if (heading) {
      heading.tabIndex = -1;
      heading.focus();
    }
    announce("Marked all as seen");
  });
}

function start() {
  const now = Date.now();
  const cards = [...document.querySelectorAll(CARDS)];
  const paper = document.querySelector(".actions button[data-save]"); // on a paper page only
  let previous, newest, cleared;
  update((state) => {
    const views = state.views.filter((view) => view.at <= now).sort((a, b) => a.at - b.at);
    previous = views.filter((view) => view.at < now - VISIT).pop();
    const days = [...views.map((view) => view.newest), ...cards.map((card) => card.dataset.listed)];
    newest = days.filter(isDay).reduce(later, "");
    // the previous visit's last view and this visit's (at most 40: store.js keeps 50): all a later page needs
    const recent = views.filter((view) => view.at >= now - VISIT).slice(-40);
    state.views = [...(previous ? [previous] : []), ...recent, { at: now, newest }];
    if (paper && isSlug(paper.dataset.save)) state.read[paper.dataset.save] = now;
    cleared = state.cleared;
  });
  const box = document.querySelector("[data-desk-news]");
  if (box && previous) {
    const since = previous.newest || new Date(previous.at).toISOString().slice(0, 10); // a day seen, or the visit's
    showNews(box, cards, later(since, cleared), newest);
  }
  markRead();
  // cards added later (search results, the saved and "for you" pages), another tab's reading, the back button
  new MutationObserver((changes) => {
    const added = (node) => node.nodeType === 1 && (node.matches(CARDS) || node.querySelector(CARDS));
    if (changes.some((change) => [...change.addedNodes].some(added))) markRead();
  }).observe(document.querySelector("main") || document.body, { childList: true, subtree: true });
  addEventListener("storage", markRead);
  addEventListener("pageshow", (event) => event.persisted && markRead());
}

start();
