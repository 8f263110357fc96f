// saved/: the saved papers, newest saved first, with Remove; BibTeX, JSON and Markdown exports; the JSON import.

import { card } from "./cards.js";
import { announce, base, cleanRecord, complete, element, load, savedList, update } from "./store.js";

const FORMAT = "papersite-saved";
let urls = [];

// Each paper's BibTeX (generator/desk/bibtex.py), keys made unique in the file: a second xu2025amem is xu2025amemb.
export function bibtex(records) {
  const used = new Set();
  return records
    .filter((record) => record.bib)
    .map((record) =>
      record.bib.replace(/^(@\w+\{)([^,\s]*),/, (_, head, key) => {
        let name = key;
        for (let n = 2; used.has(name); n++) name = key + (n < 27 ? String.fromCharCode(96 + n) : n);
        used.add(name);
        return `${head}${name},`;
      }),
    )
    .join("\n");
}

const markdown = (records) =>
  "# Saved papers\n\n" +
  records
    .map(({ slug, title, authors, date }) => {
      const tail = [authors?.join(", "), date].filter(Boolean).join(", ");
      return `- [${title.replace(/[\\[\]]/g, "\\$&")}](${new URL(`papers/${slug}/`, base)})${tail ? ` (${tail})` : ""}`;
    })
    .join("\n") +
  "\n";

function render(panel) {
  const records = savedList(load());
  const remove = ({ slug, title }) =>
    element(
      "button",
      { type: "button", "data-remove": slug },
      "Remove",
      element("span", { class: "visually-hidden" }, ` “${title}”`),
    );
  panel.querySelector("#saved-list").replaceChildren(...records.map((record) => card(record, remove(record))));
  const count = records.length;
  panel.querySelector("#saved-count").textContent = count ? `${count} saved paper${count === 1 ? "" : "s"}.` : "";
  panel.querySelector("#saved-empty").hidden = count > 0;
  panel.querySelector("#saved-export").hidden = !count;
  const json = JSON.stringify({ format: FORMAT, version: 1, site: base.href, papers: records }, null, 1);
  const files = { bib: bibtex(records), json: json + "\n", md: markdown(records) };
  urls.forEach(URL.revokeObjectURL);
  urls = [...panel.querySelectorAll("a[data-export]")].map((link) => {
    link.href = URL.createObjectURL(new Blob([files[link.dataset.export]], { type: "text/plain;charset=utf-8" }));
    return link.href;
  });
  return records;
}

async function importFile(panel, file) {
  let papers;
  try {
    const data = JSON.parse(await file.text());
    papers = data?.format === FORMAT ? data.papers : data;
  } catch {}
  if (!Array.isArray(papers)) return announce(`${file.name} is not a saved-papers export (JSON): nothing imported.`);
  let added = 0;
  update((state) => {
    for (const record of papers.map(cleanRecord).filter(Boolean)) {
      const kept = state.saved[record.slug];
      added += !kept;
      if (!kept?.complete) state.saved[record.slug] = { ...record, at: kept?.at ?? record.at };
    }
  });
  const all = render(panel).length;
  announce(`Imported ${added} new paper${added === 1 ? "" : "s"}; ${all} saved in all.`);
  complete().then(() => render(panel), () => {});
}

function start(root) {
  const panel = root.querySelector("[data-desk-ready]");
  panel.hidden = false;
  render(panel);
  complete().then(() => render(panel), () => {});
  addEventListener("storage", () => render(panel));
  panel.addEventListener("click", (event) => {
    const slug = event.target.closest("button[data-remove]")?.dataset.remove;
    if (!slug) return;
    const at = [...panel.querySelectorAll("button[data-remove]")].findIndex((b) => b.dataset.remove === slug);
    const { title } = load().saved[slug] || { title: slug };
    update((state) => delete state.saved[slug]);
    announce(`Removed “${title}” from saved papers`);
    const left = render(panel).length;
    // focus stays in the list: the next card's Remove, else the previous one's, else the heading
    const next = panel.querySelectorAll("button[data-remove]")[Math.min(at, left - 1)];
    const heading = document.querySelector("h1");
    heading.tabIndex = -1;
    (next || heading).focus();
  });
  panel.querySelector("#saved-import").addEventListener("change", ({ target }) => {
    if (target.files[0]) importFile(panel, target.files[0]).finally(() => (target.value = ""));
  });
}

start(document.getElementById("saved"));
