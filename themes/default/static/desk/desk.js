// The reader's desk: every page loads this; it only enhances the page (ARCHITECTURE.md, "Browser code").

import { startKeys } from "./keys.js";
import { startSaving } from "./save.js";
import { startVisits } from "./visits.js";

function startCopy() {
  for (const button of document.querySelectorAll("button[data-copy]")) {
    const source = document.getElementById(button.dataset.copy);
    if (!source || !navigator.clipboard) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(source.textContent);
        button.textContent = "Copied";
      } catch {
        getSelection().selectAllChildren(source); // the reader can copy the selection
        button.textContent = "Selected: press Ctrl+C";
      }
      setTimeout(() => (button.textContent = "Copy BibTeX"), 2500);
    });
  }
}

startSaving();
startVisits();
startKeys();
startCopy();
const page = document.querySelector("[data-desk-page]");
if (page) {
  const modules = { saved: "./saved.js", "for-you": "./foryou.js" };
  import(modules[page.dataset.deskPage]).then((module) => module.start(page));
}
