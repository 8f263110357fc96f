// Keys on list pages, as in arxiv-sanity and Gmail: j / k move between cards, s saves, o or Enter opens, ? lists the
// keys. Not while typing in a field, nor with Ctrl, Alt or Meta. Cards are looked up on each press: some come later.

import { element } from "./store.js";

const CARDS = "main article[data-slug]";
const KEYS = [
  [["j"], "Next paper"],
  [["k"], "Previous paper"],
  [["s"], "Save the paper, or remove it from saved papers"],
  [["o", "Enter"], "Open the paper"],
  [["?"], "Show or hide these keys"],
];
let current = null;
let dialog = null;

const currentCard = () => document.activeElement?.closest(CARDS) || (current?.isConnected ? current : null);

function mark(card) {
  current?.classList.remove("is-current");
  (current = card).classList.add("is-current");
}

function move(cards, step) {
  const index = cards.indexOf(currentCard());
  const card = cards[index < 0 ? 0 : Math.min(Math.max(index + step, 0), cards.length - 1)];
  mark(card);
  card.querySelector(".card-title a")?.focus({ preventScroll: true });
  card.scrollIntoView({ block: "nearest" });
}

function help() {
  if (!dialog) {
    const rows = KEYS.flatMap(([keys, what]) => [
      element("dt", {}, ...keys.flatMap((key, i) => [...(i ? [" or "] : []), element("kbd", {}, key)])),
      element("dd", {}, what),
    ]);
    const close = element("button", { type: "button" }, "Close");
    close.addEventListener("click", () => dialog.close());
    dialog = element(
      "dialog",
      { class: "keys-dialog", "aria-labelledby": "keys-title" },
      element("h2", { id: "keys-title" }, "Keyboard shortcuts"),
      element("dl", {}, ...rows),
      element("p", { class: "muted" }, "Keys do nothing while you type in a field."),
      close,
    );
    document.body.append(dialog);
  }
  const back = document.activeElement;
  dialog.addEventListener("close", () => back?.isConnected && back.focus(), { once: true });
  dialog.showModal();
}

function onKey(event) {
  const { key, target } = event;
  if (event.defaultPrevented || event.ctrlKey || event.altKey || event.metaKey || event.isComposing) return;
  if (target.isContentEditable || target.closest("input, textarea, select")) return;
  if (dialog?.open) return key === "?" && dialog.close(); // Escape closes it natively
  const cards = [...document.querySelectorAll(CARDS)];
  const card = currentCard();
  const link = card?.querySelector(".card-title a");
  const save = card?.querySelector("button[data-save]");
  if (!cards.length) return;
  if (key === "j" || key === "k") move(cards, key === "j" ? 1 : -1);
  else if (key === "?") help();
  else if (key === "s" && save) save.click();
  // Enter on a link or button does its own thing
  else if (link && (key === "o" || (key === "Enter" && !target.closest("a, button, summary")))) link.click();
  else return;
  event.preventDefault();
}

export function start() {
  document.addEventListener("keydown", onKey);
  document.addEventListener("focusin", (event) => {
    const card = event.target.closest?.(CARDS);
    if (card) mark(card);
  });
}
