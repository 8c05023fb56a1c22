// The day's work: download a work pack (an assignment's, or the map area's), then the assets
// of the packs as a list (nearest first from the tablet's position, or in the assignment's
// route order) beside a map, each with its last grade, due date, forecast and open faults;
// an asset found by scanning its sticker, typing its code, or on the map.

import { ApiError, Offline, call } from "./api.js";
import { metres, pointOf, position, watch } from "./geo.js";
import * as store from "./store.js";
import { banner, config, day, distance, gradeBadge, h, name, percent, show, status, t } from "./ui.js";

const PAGE = 60; // rows drawn at once; more as the list scrolls

export async function authLost(error) {
  if (error instanceof ApiError && error.signedOut) {
    await store.set("signed_out", true);
    location.hash = "#/signin";
    return true;
  }
  return false;
}

export function failureText(error) {
  if (error instanceof Offline) return t("offline_try_later");
  if (error instanceof ApiError && error.code === "too_many_assets") return t("pack_too_big");
  if (error instanceof ApiError && error.code === "forbidden") return t("not_inspector");
  if (error instanceof ApiError && error.code === "not_found") return t("pack_not_found");
  return error.message;
}

async function download(scope, query, say) {
  const token = await store.get("token");
  say(t("pack_downloading"));
  try {
    const pack = await call(`workpack/?${query}`, { token });
    await store.packSave(pack, scope);
    say(t("pack_downloaded", { count: pack.assets.features.length }));
    return pack;
  } catch (error) {
    if (await authLost(error)) return null;
    say(failureText(error), "error");
    return null;
  }
}

export async function workScreen() {
  const message = h("div", { class: "messages" });
  const say = (text, kind = "") => message.replaceChildren(status(text, kind));
  const packs = (await store.get("packs")) || [];
  const assignments = await store.assignments();
  const token = await store.get("token");
  const list = h("ul", { class: "cards" });

  function assignmentCards(items) {
    list.replaceChildren(...items.map((a) => h("li", { class: "card" },
      h("h3", { text: a.title }),
      h("p", { text: t("assignment_line", { due: day(a.due_date), count: a.assets.length }) }),
      packs.some((p) => p.key === `assignment:${a.id}`) ? h("p", { class: "done", text: t("pack_kept") }) : null,
      h("button", { class: "primary big", type: "button", text: t("pack_download"), onclick: async (event) => {
        event.target.disabled = true;
        const pack = await download({ key: `assignment:${a.id}`, assignment: a.id, title: a.title }, `assignment=${a.id}`, say);
        event.target.disabled = false;
        if (pack) location.hash = `#/assets?assignment=${a.id}`;
      } }),
    )));
    if (!items.length) list.replaceChildren(h("li", { class: "empty", text: t("no_assignments") }));
  }
  assignmentCards(assignments);
  if (navigator.onLine) {
    call("assignments/", { token }).then((answer) => assignmentCards(answer.results.filter((a) => a.status === "open")))
      .catch(async (error) => { if (!(await authLost(error)) && !(error instanceof Offline)) say(failureText(error), "error"); });
  }
  const refresh = h("button", { class: "big", type: "button", text: t("pack_refresh"), onclick: async (event) => {
    const cursor = await store.get("cursor");
    if (cursor === undefined) return say(t("pack_none"));
    event.target.disabled = true;
    try {
      const changes = await call(`changes/?since=${cursor}`, { token: await store.get("token") });
      await store.changesSave(changes);
      say(t("pack_refreshed", { count: changes.assets.features.length }));
    } catch (error) {
      if (!(await authLost(error))) say(failureText(error), "error");
    }
    event.target.disabled = false;
  } });
  const kept = await store.assetCount();
  show(t("work_title"),
    message,
    h("section", { "aria-labelledby": "kept-h" },
      h("h2", { id: "kept-h", text: t("pack_kept_title") }),
      h("p", { text: kept ? t("pack_kept_count", { count: kept, packs: packs.length }) : t("pack_none") }),
      h("p", { class: "actions" },
        kept ? h("a", { class: "button primary big", href: "#/assets", text: t("assets_open") }) : null,
        kept ? refresh : null),
    ),
    h("section", { "aria-labelledby": "assign-h" }, h("h2", { id: "assign-h", text: t("assignments_title") }), list),
    h("section", { "aria-labelledby": "area-h" },
      h("h2", { id: "area-h", text: t("area_title") }),
      h("p", { text: t("area_help") }),
      h("a", { class: "button big", href: "#/assets?area=1", text: t("area_open") })),
  );
}

// --- The list and the map ---------------------------------------------------------------------

function params() {
  return new URLSearchParams(location.hash.split("?")[1] || "");
}

export async function listScreen() {
  const query = params();
  const assignmentId = Number(query.get("assignment")) || null;
  const [all, types, assignments, outbox] = await Promise.all([
    store.assets(), store.types(), store.assignments(), store.outbox(),
  ]);
  const recorded = new Set(outbox.map((e) => e.asset));
  const assignment = assignments.find((a) => a.id === assignmentId);
  let rows = all;
  if (assignment) {
    const order = new Map(assignment.assets.map((id, i) => [id, i]));
    rows = all.filter((a) => order.has(a.id));
  }
  let sortBy = assignment ? "route" : "near";
  const list = h("ol", { class: "assets", id: "asset-list" });
  const more = h("button", { class: "big more", type: "button", text: t("list_more") });
  const count = h("p", { class: "count-line", role: "status" });
  let shown = 0;
  let sorted = rows;

  function sort() {
    const here = position();
    if (sortBy === "near" && here) {
      for (const a of rows) a._d = metres(here, pointOf(a.geometry) || here);
      sorted = [...rows].sort((a, b) => a._d - b._d);
    } else if (sortBy === "route" && assignment) {
      const order = new Map(assignment.assets.map((id, i) => [id, i]));
      sorted = [...rows].sort((a, b) => order.get(a.id) - order.get(b.id));
    } else {
      sorted = [...rows].sort((a, b) => (a.condition.next_due || "9999").localeCompare(b.condition.next_due || "9999"));
    }
    shown = 0;
    list.replaceChildren();
    page();
  }

  function page() {
    const end = Math.min(sorted.length, shown + PAGE);
    const fragment = document.createDocumentFragment();
    for (let i = shown; i < end; i++) fragment.append(assetRow(sorted[i], types[sorted[i].type], recorded.has(sorted[i].id)));
    list.append(fragment);
    shown = end;
    more.hidden = shown >= sorted.length;
    count.textContent = t("list_count", { shown, count: sorted.length });
  }
  more.addEventListener("click", page);
  if ("IntersectionObserver" in window) {
    new IntersectionObserver((seen) => { if (seen.some((e) => e.isIntersecting) && !more.hidden) page(); }).observe(more);
  }

  const sorter = h("div", { class: "segmented", role: "radiogroup", "aria-label": t("sort_by") },
    ...[["near", t("sort_near")], ["route", t("sort_route")], ["due", t("sort_due")]]
      .filter(([key]) => key !== "route" || assignment)
      .map(([key, label]) => h("label", {}, h("input", { type: "radio", name: "sort", value: key, checked: key === sortBy, onchange: () => { sortBy = key; sort(); } }), h("span", { text: label }))),
  );
  const finder = codeFinder();
  const mapBox = h("div", { class: "map", id: "map", role: "region", "aria-label": t("map") });
  const mapToggle = h("button", { class: "big", type: "button", "aria-expanded": "false", "aria-controls": "map", text: t("map_show") });
  let mapShown = false;
  async function mapOn(on) {
    mapShown = on;
    mapBox.hidden = !on;
    mapToggle.setAttribute("aria-expanded", String(on));
    mapToggle.textContent = on ? t("map_hide") : t("map_show");
    if (on) {
      const { assetMap } = await import("./map.js");
      await assetMap(mapBox, sorted, types, { area: query.get("area") === "1", onArea: areaDownload });
    }
  }
  mapToggle.addEventListener("click", () => mapOn(!mapShown));
  const message = h("div", { class: "messages" });
  async function areaDownload(bbox) {
    const say = (text, kind = "") => message.replaceChildren(status(text, kind));
    const box = bbox.map((v) => v.toFixed(5)).join(",");
    const pack = await download({ key: `bbox:${box}`, bbox: box, title: t("area_pack") }, `bbox=${box}`, say);
    if (pack) listScreen();
  }

  show(assignment ? assignment.title : t("assets_title"),
    message,
    finder,
    h("div", { class: "tools" }, sorter, mapToggle),
    h("div", { class: "split" }, mapBox, h("div", { class: "list-box" }, count, list, more)),
  );
  mapBox.hidden = true;
  if (!rows.length && !query.get("area")) message.replaceChildren(status(t("pack_none")));
  const saved = sessionStorage.getItem("field-saved");
  if (saved) {
    sessionStorage.removeItem("field-saved");
    message.replaceChildren(status(t("saved", { what: saved }), "done"));
  }
  sort();
  // Nearest first follows the tablet as it moves (while this list is on screen).
  const unwatch = watch(() => {
    // Not under a finger or a screen reader's focus: the row about to be tapped stays put.
    if (sortBy !== "near" || list.contains(document.activeElement)) return;
    const before = shown;
    sort();
    while (shown < before && shown < sorted.length) page();
  });
  window.addEventListener("hashchange", unwatch, { once: true });
  // A map beside the list on a wide screen (landscape), after the list is drawn; the map
  // area download needs it.
  if (query.get("area") === "1" || window.matchMedia("(min-width: 900px) and (orientation: landscape)").matches) {
    requestAnimationFrame(() => mapOn(true));
  }
}

function assetRow(asset, type, recorded) {
  const due = asset.condition.next_due;
  const overdue = due && due < new Date().toISOString().slice(0, 10);
  const likely = asset.forecast?.likely_within_2_years;
  return h("li", { class: "asset" },
    h("a", { href: `#/asset/${asset.id}`, class: "row" },
      h("span", { class: "ledger", text: asset.ledger }),
      h("span", { class: "kind", text: name(type) }),
      gradeBadge(type, asset.condition.grade),
      h("span", { class: `due${overdue ? " overdue" : ""}`, text: due ? t(overdue ? "due_overdue" : "due_on", { day: day(due) }) : t("due_none") }),
      asset._d !== undefined ? h("span", { class: "distance", text: distance(asset._d) }) : null,
      asset.address ? h("span", { class: "address", text: asset.address }) : null,
      asset.faults.length ? h("span", { class: "faults", text: t("open_faults", { count: asset.faults.length }) }) : null,
      likely ? h("span", { class: "likely", text: t("forecast_likely", { share: percent(asset.forecast.next_2_years) }) }) : null,
      recorded ? h("span", { class: "recorded", text: t("recorded_today") }) : null,
    ));
}

// Find an asset by its sticker: the camera, or the code typed (look-alike letters read as the
// digits they stand for, as the server does), or a ledger id.
export function normalizeCode(text) {
  const cleaned = String(text || "").normalize("NFKC").toUpperCase().replace(/[\s\-_/.ー]/g, "");
  return cleaned.replace(/O/g, "0").replace(/[IL]/g, "1").replace(/U/g, "V");
}

function codeFinder() {
  const message = h("p", { class: "error", role: "alert", hidden: true });
  const input = h("input", { id: "code", name: "code", autocomplete: "off", autocapitalize: "characters", spellcheck: false, inputmode: "text" });
  const video = h("video", { class: "camera", playsinline: true, muted: true, hidden: true, "aria-label": t("scan_camera") });
  let stopping = null;
  async function open(text) {
    const raw = String(text || "").trim();
    const urlCode = /\/q\/([^/?#]+)\/?$/i.exec(raw);
    const code = normalizeCode(urlCode ? urlCode[1] : raw);
    const asset = (await store.assetByCode(code)) || (await store.assetByCode(raw.toUpperCase())) || (await store.assetByCode(raw));
    if (asset) {
      location.hash = `#/asset/${asset.id}`;
      return;
    }
    message.textContent = t("code_not_in_pack", { code: raw });
    message.hidden = false;
  }
  const form = h("form", { class: "finder", role: "search" },
    h("label", { for: "code", text: t("code_label") }), input,
    h("button", { class: "big", type: "submit", text: t("code_open") }),
    h("button", { class: "primary big", type: "button", text: t("scan"), onclick: async (event) => {
      if (stopping) { stopping.abort(); return; }
      const button = event.target;
      stopping = new AbortController();
      const leave = () => stopping?.abort(); // the camera goes off when the screen changes
      window.addEventListener("hashchange", leave, { once: true });
      video.hidden = false;
      button.textContent = t("scan_stop");
      message.hidden = true;
      try {
        const { scan } = await import("./scanner.js");
        const text = await scan(video, { moduleUrl: config.static.decoder, wasmUrl: config.static.wasm, signal: stopping.signal });
        await open(text);
      } catch (error) {
        if (error.name !== "AbortError") {
          message.textContent = error.code === "denied" ? t("scan_denied") : error.code === "no-camera" ? t("scan_no_camera") : t("scan_failed");
          message.hidden = false;
        }
      } finally {
        window.removeEventListener("hashchange", leave);
        stopping = null;
        video.hidden = true;
        button.textContent = t("scan");
      }
    } }),
    video, message,
  );
  form.addEventListener("submit", (event) => { event.preventDefault(); if (input.value.trim()) open(input.value); });
  return form;
}

// --- One asset --------------------------------------------------------------------------------

export async function assetScreen(id) {
  const asset = await store.asset(id);
  if (!asset) {
    show(t("asset_missing_title"), status(t("asset_missing")), h("a", { class: "button big", href: "#/assets", text: t("assets_open") }));
    return;
  }
  const type = await store.type(asset.type);
  const pending = (await store.outbox()).filter((e) => e.asset === asset.id);
  const here = position();
  const point = pointOf(asset.geometry);
  const forecast = asset.forecast;
  show(`${asset.ledger} ${name(type)}`,
    h("p", { class: "actions" },
      h("a", { class: "button primary big", href: `#/inspect/${asset.id}`, text: t("inspect_start") }),
      h("a", { class: "button big", href: "#/assets", text: t("back_to_list") })),
    h("dl", { class: "facts" },
      h("dt", { text: t("last_grade") }), h("dd", {}, gradeBadge(type, asset.condition.grade)),
      h("dt", { text: t("last_inspected") }), h("dd", { text: day(asset.condition.last_inspected) }),
      h("dt", { text: t("next_due") }), h("dd", { text: asset.condition.next_due ? day(asset.condition.next_due) : t("due_none") }),
      asset.address ? [h("dt", { text: t("address") }), h("dd", { text: asset.address })] : null,
      h("dt", { text: t("owner") }), h("dd", { text: asset.owner }),
      asset.labels.length ? [h("dt", { text: t("stickers") }), h("dd", { text: asset.labels.join(", ") })] : null,
      here && point ? [h("dt", { text: t("distance_here") }), h("dd", { text: distance(metres(here, point)) })] : null,
      h("dt", { text: t("forecast") }),
      h("dd", { text: forecast ? t("forecast_line", { one: percent(forecast.within_1_year), five: percent(forecast.within_5_years), two: percent(forecast.next_2_years) }) : t("forecast_none") }),
    ),
    h("section", { "aria-labelledby": "faults-h" },
      h("h2", { id: "faults-h", text: t("open_faults_title") }),
      asset.faults.length
        ? h("ul", { class: "plain" }, asset.faults.map((f) => h("li", { text: `${f.number} · ${faultName(type, f.category)} · ${t("status_" + f.status)}` })))
        : h("p", { text: t("no_open_faults") })),
    pending.length ? h("section", { "aria-labelledby": "pending-h" },
      h("h2", { id: "pending-h", text: t("pending_title") }),
      h("ul", { class: "plain" }, pending.map((e) => h("li", {}, h("a", { href: "#/outbox", text: `${day(e.record.performed_at)} · ${e.record.overall_grade} · ${t("state_" + e.state)}` }))))) : null,
  );
}

export function faultName(type, code) {
  const kind = type?.fault_kinds?.find((k) => k.code === code);
  return kind ? name(kind) : code;
}

export { banner };
