// for-you/: the papers of the recent window (desk/recent.bin, generator/desk/files.py) ranked by cosine with the
// centroid of the saved papers' vectors, which recommends better than the closest saved paper on our data
// (bench/NOTES.md, "For you"); each names the saved paper it is closest to. Saved papers are never recommended.

import { card, saveButton } from "./cards.js";
import { complete, element, fetchPaper, href, paperPath, savedList } from "./store.js";

const dot = (a, b) => a.reduce((sum, x, i) => sum + x * b[i], 0);
const unit = (v) => {
  const norm = Math.sqrt(dot(v, v));
  return norm ? Float32Array.from(v, (x) => x / norm) : null;
};

async function recent() {
  const response = await fetch(href("desk/recent.bin"));
  if (!response.ok) throw new Error(response.status);
  const stream = response.body.pipeThrough(new DecompressionStream("gzip"));
  const data = new Uint8Array(await new Response(stream).arrayBuffer());
  const length = new DataView(data.buffer).getUint32(0, true);
  const { version, dims, papers } = JSON.parse(new TextDecoder().decode(data.subarray(4, 4 + length)));
  if (version !== 1) throw new Error(version);
  return papers.map((slug, i) => ({ slug, vector: new Int8Array(data.buffer, 4 + length + i * dims, dims) }));
}

export function rank(saved, candidates, top = 20) {
  const centroid = unit(saved[0].unit.map((_, i) => saved.reduce((sum, s) => sum + s.unit[i], 0))) || saved[0].unit;
  const skip = new Set(saved.map((s) => s.record.slug));
  const scored = [];
  for (const { slug, vector } of candidates) {
    const v = !skip.has(slug) && unit(vector);
    if (!v) continue;
    const cosines = saved.map((s) => dot(s.unit, v));
    scored.push({ slug, score: dot(centroid, v), because: saved[cosines.indexOf(Math.max(...cosines))].record });
  }
  return scored.sort((a, b) => b.score - a.score || (a.slug < b.slug ? -1 : 1)).slice(0, top);
}

async function start(root) {
  const panel = root.querySelector("[data-desk-ready]");
  const status = panel.querySelector("#for-you-status");
  const say = (text) => (status.textContent = text);
  panel.hidden = false;
  const records = savedList(await complete().catch(() => ({ saved: {} })));
  const vector = (text) => new Int8Array(Uint8Array.from(atob(text), (c) => c.charCodeAt(0)).buffer);
  const saved = records.map((record) => ({ record, unit: record.vector && unit(vector(record.vector)) }));
  const usable = saved.filter((s) => s.unit);
  panel.querySelector("#for-you-empty").hidden = usable.length > 0;
  if (!usable.length) return say(records.length ? "Your saved papers could not be loaded; try again later." : "");
  say("Ranking recent papers…");
  try {
    const top = rank(usable, await recent());
    const found = await Promise.all(top.map((hit) => fetchPaper(hit.slug).catch(() => null)));
    const cards = top.map(({ because }, i) => {
      const link = element("a", { href: href(paperPath(because.slug)) }, because.title);
      const note = element("span", { class: "because" }, "Because you saved ", link);
      return found[i] && card(found[i], saveButton(found[i]), note);
    });
    panel.querySelector("#for-you-list").replaceChildren(...cards.filter(Boolean));
    const count = cards.filter(Boolean).length;
    const papers = count === 1 ? "paper" : "papers";
    const summary = `${count} recent ${papers} like the ${usable.length} you saved, closest first.`;
    say(count ? summary : "No recent papers to rank yet.");
  } catch {
    say("The recent papers could not be loaded; try again later.");
  }
}

start(document.getElementById("for-you"));
