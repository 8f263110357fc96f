// saved/: the saved papers with Remove, the BibTeX, JSON and Markdown exports, the JSON import.

import { card, element } from "./cards.js";
import { toggle } from "./save.js";
import { announce, base, cleanRecord, fetchPaper, load, savedList, update } from "./store.js";

const EXPORT_FORMAT = "papersite-saved";
let urls = [];

// The BibTeX of every saved paper, one entry each; keys made unique in the file (a second xu2025amem is
// xu2025amemb).
export function bibtex(records) {
  const used = new Set();
  return records
    .filter((record) => record.bib)
    .map((record) => {
      return record.bib.replace(/^(@\w+\{)([^,\s]*),/, (_, head, key) => {
        let unique = key;
        for (let n = 1; used.has(unique); n++) unique = key + String.fromCharCode(97 + (n % 26)) + (n > 25 ? n : "");
        used.add(unique);
        return `${head}${unique},`;
      });
    })
    .join("\n");
}

function markdown(records) {
  const lines = records.map((record) => {
    const title = record.title.replace(/([\\[\]])/g, "\\$1");
    const details = [record.authors && record.authors.length ? record.authors.join(", ") : "", record.date || ""];
    const tail = details.filter(Boolean).join(", ");
    return `- [${title}](${new URL(`papers/${record.slug}/`, base).href})${tail ? ` (${tail})` : ""}`;
  });
  return `# Saved papers\n\n${lines.join("\n")}\n`;
}

function exported(records) {
  return JSON.stringify({ format: EXPORT_FORMAT, version: 1, site: base.href, papers: records }, null, 1) + "\n";
}

function setExports(panel, records) {
  for (const url of urls) URL.revokeObjectURL(url);
  const files = {
    bib: ["application/x-bibtex", bibtex(records)],
    json: ["application/json", exported(records)],
    md: ["text/markdown", markdown(records)],
  };
  urls = [];
  for (const link of panel.querySelectorAll("a[data-export]")) {
    const [type, body] = files[link.dataset.export];
    const url = URL.createObjectURL(new Blob([body], { type: `${type};charset=utf-8` }));
    urls.push(url);
    link.href = url;
  }
}

function render(panel) {
  const records = savedList(load());
  const list = panel.querySelector("#saved-list");
  list.replaceChildren(
    ...records.map((record) => {
      const remove = element("button", { type: "button", class: "remove", "data-remove": record.slug }, "Remove");
      remove.append(element("span", { class: "visually-hidden", text: ` “${record.title}”` }));
      return card(record, remove);
    }),
  );
  const count = records.length;
  panel.querySelector("#saved-count").textContent = count ? `${count} saved paper${count === 1 ? "" : "s"}.` : "";
  panel.querySelector("#saved-empty").hidden = count > 0;
  panel.querySelector("#saved-export").hidden = count === 0;
  setExports(panel, records);
  return records;
}

// Records saved from a list keep the title only until their desk.json is fetched (on save, else here).
async function completeAll(panel, records) {
  const missing = records.filter((record) => !record.complete);
  if (!missing.length) return;
  const fetched = await Promise.allSettled(missing.map((record) => fetchPaper(record.slug)));
  update((state) => {
    fetched.forEach((outcome, index) => {
      const slug = missing[index].slug;
      if (outcome.status === "fulfilled" && state.saved[slug]) state.saved[slug] = { ...outcome.value, at: state.saved[slug].at };
    });
  });
  render(panel);
}

async function importFile(panel, file) {
  let papers;
  try {
    const data = JSON.parse(await file.text());
    papers = Array.isArray(data) ? data : data && data.format === EXPORT_FORMAT ? data.papers : null;
    if (!Array.isArray(papers)) throw new Error("not an export");
  } catch {
    announce(`${file.name} is not a saved-papers export (JSON) of papersite: nothing imported.`);
    return;
  }
  let added = 0;
  update((state) => {
    for (const raw of papers) {
      const record = cleanRecord(raw);
      if (!record) continue;
      if (!state.saved[record.slug]) added++;
      const kept = state.saved[record.slug];
      state.saved[record.slug] = kept && kept.complete ? kept : { ...record, at: kept ? kept.at : record.at };
    }
  });
  const records = render(panel);
  announce(`Imported ${added} new paper${added === 1 ? "" : "s"}; ${records.length} saved in all.`);
  completeAll(panel, records);
}

export function start(root) {
  const panel = root.querySelector("[data-desk-ready]");
  panel.hidden = false;
  completeAll(panel, render(panel));
  panel.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-remove]");
    if (!button) return;
    const cards = [...panel.querySelectorAll("article.card")];
    const at = cards.indexOf(button.closest("article.card"));
    const record = load().saved[button.dataset.remove];
    if (record) toggle(record.slug, record.title);
    render(panel);
    // focus stays in the list: the next card's Remove, else the previous one's, else the heading
    const left = panel.querySelectorAll("button[data-remove]");
    const next = left[Math.min(at, left.length - 1)];
    if (next) next.focus();
    else {
      const heading = document.querySelector("h1");
      heading.tabIndex = -1;
      heading.focus();
    }
  });
  panel.querySelector("#saved-import").addEventListener("change", (event) => {
    const [file] = event.target.files;
    if (file) importFile(panel, file).finally(() => (event.target.value = ""));
  });
  document.addEventListener("desk:saved", () => render(panel));
  window.addEventListener("storage", () => render(panel));
}
