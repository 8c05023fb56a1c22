// The field app's screens are drawn with these few helpers: strings in the shell's language
// (rendered by Django from the .po files, so they work offline), a DOM builder that never
// parses HTML (no injected markup from a record or the server), and the formats staff read.

// Chromium before 86 (older Android tablets) has no replaceChildren.
if (!Element.prototype.replaceChildren) {
  Element.prototype.replaceChildren = function replaceChildren(...nodes) {
    while (this.lastChild) this.removeChild(this.lastChild);
    this.append(...nodes);
  };
}

export const config = JSON.parse(document.getElementById("field-config").textContent);
const strings = JSON.parse(document.getElementById("field-strings").textContent);
export const lang = config.language;

export function t(key, vars) {
  let text = strings[key] ?? key;
  if (vars) text = text.replace(/\{(\w+)\}/g, (all, name) => (name in vars ? vars[name] : all));
  return text;
}

// h("button", {class: "big", onclick: f, text: "…"}, child, …): an element; children are
// nodes, strings (as text) or arrays of them; null and false are skipped.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "text") el.textContent = value;
    else if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(el.dataset, value);
    else if (name in el && typeof value !== "string") el[name] = value;
    else el.setAttribute(name, value === true ? "" : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

// Replace the screen: a heading that takes the focus (a screen reader hears where it is).
export function show(title, ...nodes) {
  const view = document.getElementById("view");
  if (view.dataset.route !== undefined && view.dataset.route !== location.hash) return view;
  const same = view.querySelector("h1")?.textContent === title; // redrawn in place: stay put
  const focused = same && document.activeElement?.id; // …and keep the focus where it was
  const heading = h("h1", { tabindex: "-1", text: title });
  view.replaceChildren(heading, ...nodes.flat().filter(Boolean));
  document.title = `${title} — ${t("app_short_name")}`;
  if (!same) {
    heading.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  } else if (focused) {
    document.getElementById(focused)?.focus({ preventScroll: true });
  }
  return view;
}

export function banner(text, kind = "error", action = null) {
  const box = document.getElementById("banner");
  if (!text) {
    box.hidden = true;
    box.replaceChildren();
    return;
  }
  box.className = `banner ${kind}`;
  box.replaceChildren(h("span", { text }), action);
  box.hidden = false;
}

export function name(thing) {
  if (!thing) return "";
  if (typeof thing === "string") return thing;
  if ("ja" in thing || "en" in thing) return (lang === "ja" ? thing.ja : thing.en) || thing.ja || thing.en || "";
  return (lang === "ja" ? thing.name_ja : thing.name_en) || thing.name_ja || thing.name_en || thing.code || "";
}

const dateFormat = new Intl.DateTimeFormat(lang === "ja" ? "ja-JP" : "en-GB", {
  year: "numeric", month: "short", day: "numeric",
});
const timeFormat = new Intl.DateTimeFormat(lang === "ja" ? "ja-JP" : "en-GB", {
  month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
});

export function day(iso) {
  if (!iso) return t("never");
  const value = new Date(iso.length === 10 ? iso + "T00:00:00" : iso);
  return Number.isNaN(value.getTime()) ? iso : dateFormat.format(value);
}

export function moment(iso) {
  const value = new Date(iso);
  return Number.isNaN(value.getTime()) ? iso : timeFormat.format(value);
}

export function distance(metres) {
  if (metres === null || metres === undefined || !Number.isFinite(metres)) return "";
  if (metres < 1000) return `${Math.round(metres)} m`;
  return `${(metres / 1000).toFixed(metres < 10000 ? 1 : 0)} km`;
}

export function percent(share) {
  return `${Math.round(share * 100)}%`;
}

export function bytes(size) {
  if (size < 1048576) return `${Math.max(1, Math.round(size / 1024))} KB`;
  if (size < 1073741824) return `${(size / 1048576).toFixed(1)} MB`;
  return `${(size / 1073741824).toFixed(1)} GB`;
}

// A grade as staff read it: "III 早期措置段階".
export function gradeLabel(type, code) {
  if (!code) return t("not_inspected");
  const grade = type?.scale?.grades?.find((g) => g.code === code);
  return grade ? `${grade.code} ${name(grade)}` : code;
}

export function gradeBadge(type, code) {
  const grade = type?.scale?.grades?.find((g) => g.code === code);
  const kind = !grade ? "none" : grade.calls_for_action ? "action" : grade.rank === 1 ? "good" : "watch";
  return h("span", { class: `grade ${kind}`, text: code ? gradeLabel(type, code) : t("not_inspected") });
}

// A status line the screen reader announces (role=status) without moving the focus.
export function status(text, kind = "") {
  // Inserted empty, then filled: screen readers announce a live region's change, not its
  // first content.
  const line = h("p", { class: `status ${kind}`, role: "status" });
  setTimeout(() => { line.textContent = text; }, 30);
  return line;
}

export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const x = [...b].map((v) => v.toString(16).padStart(2, "0")).join("");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

// Loads a classic script (Leaflet, exifr) once, when first needed.
const loaded = new Map();
export function script(src) {
  if (!loaded.has(src)) {
    loaded.set(src, new Promise((resolve, reject) => {
      const el = h("script", { src });
      el.onload = resolve;
      el.onerror = () => { loaded.delete(src); reject(new Error(`could not load ${src}`)); };
      document.head.append(el);
    }));
  }
  return loaded.get(src);
}

export function stylesheet(href) {
  if (!document.querySelector(`link[href="${CSS.escape(href)}"]`)) {
    document.head.append(h("link", { rel: "stylesheet", href }));
  }
}

// Ask that the browser never evicts what is kept (persistent storage), and warn before the
// quota runs out: photos are what fills it.
export async function storageCheck() {
  if (!navigator.storage?.estimate) return;
  if (navigator.storage.persist && !(await navigator.storage.persisted())) {
    try { await navigator.storage.persist(); } catch (error) { /* asked; the browser decides */ }
  }
  const { usage = 0, quota = 0 } = await navigator.storage.estimate();
  if (quota && usage / quota > 0.8) {
    banner(t("storage_nearly_full", { used: bytes(usage), quota: bytes(quota) }), "warning");
  }
}
