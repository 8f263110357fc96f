// A polite banner once the site is older than freshness_days, by the reader's clock: a site that stopped building
// cannot say so itself. Reads status.json (README "Status"); a missing or corrupt one shows nothing.

const base = new URL("../", import.meta.url); // this file is <base>static/status.js
const DAY = 864e5;
const MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(" ");

async function banner() {
  const response = await fetch(new URL("status.json", base), { cache: "no-cache" });
  if (!response.ok) return;
  const status = await response.json();
  const newest = /^\d{4}-\d\d-\d\d$/.test(status?.newest_listed_day) ? `${status.newest_listed_day}T00:00Z` : null;
  const updated = Math.floor(Date.parse(newest ?? status?.built_at) / DAY); // in UTC days since 1970
  const limit = status?.freshness_days;
  const main = document.querySelector("main");
  if (!Number.isFinite(updated) || !(limit >= 1) || Math.floor(Date.now() / DAY) - updated <= limit || !main) return;
  const day = new Date(updated * DAY);
  const link = document.createElement("a");
  link.href = new URL("status/", base).pathname;
  link.textContent = "See its status";
  const box = document.createElement("div");
  box.className = "stale-banner";
  box.setAttribute("role", "status");
  const when = `${MONTHS[day.getUTCMonth()]} ${day.getUTCDate()}, ${day.getUTCFullYear()}`;
  box.append(`This site was last updated on ${when}. `, link, ".");
  main.prepend(box);
}

banner().catch(() => {}); // not found, not JSON, offline: no banner
