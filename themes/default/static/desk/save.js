// Save buttons (shown by script), aria-pressed kept in step in every tab, records completed from desk.json.

import { announce, fetchPaper, isSlug, load, update } from "./store.js";

function titleOf(button) {
  const hidden = button.querySelector(".visually-hidden");
  return (hidden ? hidden.textContent : "").trim().replace(/^“|”$/g, "") || button.dataset.save;
}

export function refresh(root = document) {
  const saved = load().saved;
  for (const button of root.querySelectorAll("button[data-save]")) {
    button.setAttribute("aria-pressed", String(button.dataset.save in saved));
    const tools = button.closest(".desk-tools");
    if (tools) tools.hidden = false;
  }
}

async function complete(slug) {
  try {
    const record = await fetchPaper(slug);
    update((state) => {
      if (state.saved[slug]) state.saved[slug] = { ...record, at: state.saved[slug].at };
    });
  } catch {
    // offline or gone: the saved page fetches it again later
  }
}

// Save or remove `slug`; returns whether it is saved now.
export function toggle(slug, title) {
  let now = false;
  update((state) => {
    if (state.saved[slug]) delete state.saved[slug];
    else {
      state.saved[slug] = { slug, title, at: Date.now(), complete: false };
      now = true;
    }
  });
  announce(now ? `Saved “${title}”` : `Removed “${title}” from saved papers`);
  if (now) complete(slug);
  document.dispatchEvent(new CustomEvent("desk:saved", { detail: { slug, saved: now } }));
  return now;
}

export function saveFrom(button) {
  const slug = button.dataset.save;
  if (!isSlug(slug)) return;
  toggle(slug, titleOf(button));
  refresh();
}

export function startSaving() {
  refresh();
  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest("button[data-save]");
    if (button) saveFrom(button);
  });
  // cards added later (search results) get their buttons shown and pressed state set
  new MutationObserver((changes) => {
    if (changes.some((change) => change.addedNodes.length)) refresh();
  }).observe(document.querySelector("main") || document.body, { childList: true, subtree: true });
  window.addEventListener("storage", () => refresh()); // another tab saved or removed a paper
}
