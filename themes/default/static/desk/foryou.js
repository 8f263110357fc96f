// for-you/: the recent window (desk/recent.bin) ranked against the saved papers' vectors.

import { card, element, saveButton } from "./cards.js";
import { fetchPaper, href, load, paperPath, savedList, update } from "./store.js";

const TOP = 20;
const SCORE = "max"; // or "centroid": see bench/NOTES.md

function decode(text) {
  const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  return new Int8Array(bytes.buffer);
}

function unit(vector) {
  let norm = 0;
  for (const x of vector) norm += x * x;
  norm = Math.sqrt(norm);
  return norm ? Float32Array.from(vector, (x) => x / norm) : null;
}

async function loadWindow() {
  const response = await fetch(href("desk/recent.bin"));
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const stream = response.body.pipeThrough(new DecompressionStream("gzip"));
  const data = new Uint8Array(await new Response(stream).arrayBuffer());
  const length = new DataView(data.buffer).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(data.subarray(4, 4 + length)));
  if (header.version !== 1) throw new Error("unknown format");
  const rows = new Int8Array(data.buffer, 4 + length);
  return header.papers.map((slug, i) => ({ slug, vector: rows.subarray(i * header.dims, (i + 1) * header.dims) }));
}

// Saved papers with their vectors (fetching desk.json for those saved before it was known).
async function savedVectors() {
  let records = savedList(load());
  const missing = records.filter((record) => !record.vector);
  if (missing.length) {
    const fetched = await Promise.allSettled(missing.map((record) => fetchPaper(record.slug)));
    update((state) => {
      fetched.forEach((outcome, i) => {
        const slug = missing[i].slug;
        if (outcome.status === "fulfilled" && state.saved[slug]) state.saved[slug] = { ...outcome.value, at: state.saved[slug].at };
      });
    });
    records = savedList(load());
  }
  return records.map((record) => ({ record, unit: record.vector ? unit(decode(record.vector)) : null })).filter((s) => s.unit);
}

const dot = (a, b) => a.reduce((sum, x, i) => sum + x * b[i], 0);
let mean = null;
function centroid(saved) {
  if (!mean) mean = unit(saved[0].unit.map((_, i) => saved.reduce((sum, s) => sum + s.unit[i], 0)));
  return mean || saved[0].unit;
}

export function rank(saved, candidates) {
  mean = null;
  const skip = new Set(saved.map((s) => s.record.slug));
  const scored = [];
  for (const candidate of candidates) {
    if (skip.has(candidate.slug)) continue;
    const v = unit(candidate.vector);
    if (!v) continue;
    const cosines = saved.map((s) => dot(s.unit, v));
    const closest = cosines.indexOf(Math.max(...cosines));
    const score = SCORE === "max" ? cosines[closest] : dot(centroid(saved), v);
    scored.push({ slug: candidate.slug, score, because: saved[closest].record });
  }
  return scored.sort((a, b) => b.score - a.score || (a.slug < b.slug ? -1 : 1)).slice(0, TOP);
}

function because(record) {
  return element(
    "span",
    { class: "because" },
    "Because you saved ",
    element("a", { href: href(paperPath(record.slug)), text: record.title }),
  );
}

export async function start(root) {
  const panel = root.querySelector("[data-desk-ready]");
  const status = panel.querySelector("#for-you-status");
  const list = panel.querySelector("#for-you-list");
  panel.hidden = false;
  const show = async () => {
    const saved = await savedVectors();
    panel.querySelector("#for-you-empty").hidden = saved.length > 0;
    if (!saved.length) {
      status.textContent = savedList(load()).length ? "Your saved papers could not be loaded; try again later." : "";
      list.replaceChildren();
      return;
    }
    status.textContent = "Ranking recent papers…";
    try {
      const top = rank(saved, await loadWindow());
      const records = await Promise.all(top.map((hit) => fetchPaper(hit.slug).catch(() => null)));
      const cards = top.map((hit, i) => records[i] && card(records[i], saveButton(records[i]), because(hit.because)));
      list.replaceChildren(...cards.filter(Boolean));
      const count = list.children.length;
      status.textContent = count
        ? `${count} recent paper${count === 1 ? "" : "s"} like the ${saved.length} you saved, closest first.`
        : "No recent papers to rank yet.";
    } catch {
      status.textContent = "The recent papers could not be loaded; try again later.";
    }
  };
  await show(); // a paper saved here stays in place until the next visit: re-ranking at once would move the list
}
