// The reader's desk: every page loads this (and one more module, templates/base.html). It shows the page's Save and
// Copy buttons, keeps Save in step with the desk in every tab, and starts the list keys.

import { start as startKeys } from "./keys.js";
import { announce, complete, isSlug, load, update } from "./store.js";

function refresh() {
  const { saved } = load();
  for (const button of document.querySelectorAll("button[data-save]")) {
    button.setAttribute("aria-pressed", Object.hasOwn(saved, button.dataset.save));
    button.closest(".desk-tools").hidden = false;
  }
}

// Saving keeps the title at once and the rest (BibTeX, vector, what the card shows) from desk.json.
function save(button) {
  const slug = button.dataset.save;
  const title = button.querySelector(".visually-hidden").textContent.trim().slice(1, -1);
  if (!isSlug(slug)) return;
  const { saved } = update((state) => {
    if (state.saved[slug]) delete state.saved[slug];
    else state.saved[slug] = { slug, title, at: Date.now() };
  });
  announce(saved[slug] ? `Saved “${title}”` : `Removed “${title}” from saved papers`);
  if (saved[slug]) complete().catch(() => {}); // offline: the saved page tries again
  refresh();
}

function copy(button) {
  const source = document.getElementById(button.dataset.copy);
  button.hidden = !navigator.clipboard;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(source.textContent);
      button.textContent = "Copied";
    } catch {
      getSelection().selectAllChildren(source);
      button.textContent = "Selected: press Ctrl+C";
    }
    announce(button.textContent);
    setTimeout(() => (button.textContent = "Copy BibTeX"), 3000);
  });
}

refresh();
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-save]");
  if (button) save(button);
});
// cards shown later (search results, recommendations) and other tabs' changes
new MutationObserver(refresh).observe(document.querySelector("main"), { childList: true, subtree: true });
addEventListener("storage", refresh);
document.querySelectorAll("button[data-copy]").forEach(copy);
startKeys();
