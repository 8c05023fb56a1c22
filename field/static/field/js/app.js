// The field app's entry: the service worker, the screens by address (#/work, #/asset/12,
// #/inspect/12, #/outbox, #/settings), sign-in and sign-out, the network and storage state.

import { ApiError, Offline, call } from "./api.js";
import * as store from "./store.js";
import { autoSync, events, syncNow, syncState } from "./sync.js";
import { banner, bytes, config, h, lang, show, status, storageCheck, t } from "./ui.js";
// The screens load with the app, not when first opened: all of the app's modules then come
// from one release, even when a new one installs itself while the app is open.
import { inspectScreen } from "./inspect.js";
import { outboxScreen } from "./outbox.js";
import { assetScreen, listScreen, workScreen } from "./work.js";

const screens = {
  work: () => workScreen(),
  assets: () => listScreen(),
  asset: (id) => assetScreen(id),
  inspect: (id) => inspectScreen(id),
  outbox: () => outboxScreen(),
  settings: () => settingsScreen(),
};

async function route() {
  // A screen that is still loading when the address changes again does not draw (ui.show).
  document.getElementById("view").dataset.route = location.hash;
  const [name, arg] = location.hash.replace(/^#\/?/, "").split("?")[0].split("/");
  const [token, signedOut] = await Promise.all([store.get("token"), store.get("signed_out")]);
  document.getElementById("nav").hidden = !token;
  if (!token || (signedOut && name !== "outbox")) return signInScreen(Boolean(signedOut));
  for (const link of document.querySelectorAll("#nav a")) {
    if (link.dataset.view === (name === "assets" || name === "asset" || name === "inspect" ? "work" : name || "work")) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  try {
    await (screens[name] || screens.work)(arg);
  } catch (error) {
    show(t("error_title"), status(String(error.message || error), "error"));
    throw error;
  }
}

// --- Sign-in --------------------------------------------------------------------------------

async function signInScreen(again) {
  const user = await store.get("user");
  const waiting = (await store.outbox()).length;
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const form = h("form", { class: "card signin", novalidate: true },
    again ? h("p", { class: "notice", text: t("signin_again", { count: waiting }) }) : null,
    field("username", t("username"), h("input", { id: "username", name: "username", autocomplete: "username", required: true, value: user?.username || "", autocapitalize: "none", spellcheck: false })),
    field("password", t("password"), h("input", { id: "password", name: "password", type: "password", autocomplete: "current-password", required: true })),
    field("device", t("device_name"), h("input", { id: "device", name: "device", required: true, value: user?.device || t("device_default") })),
    error,
    h("button", { class: "primary big", type: "submit", text: t("signin") }),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const button = form.querySelector("button");
    for (const name of ["username", "password", "device"]) {
      if (!String(data.get(name) || "").trim()) {
        error.textContent = t("signin_fill_all");
        error.hidden = false;
        form.elements[name].focus();
        return;
      }
    }
    button.disabled = true;
    try {
      const answer = await call("auth/token/", {
        method: "POST",
        json: { username: data.get("username").trim(), password: data.get("password"), device: data.get("device").trim() },
      });
      const previous = await store.get("user");
      if (previous && previous.username !== data.get("username").trim() && !(await store.outbox()).length) await store.forgetAll();
      await store.set("token", answer.token);
      await store.set("user", { username: data.get("username").trim(), device: answer.device.name, device_id: answer.device.id, expires_at: answer.device.expires_at });
      await store.set("signed_out", undefined);
      banner(null);
      location.hash = again ? "#/outbox" : "#/work";
      await route();
      syncNow();
    } catch (failure) {
      error.textContent = failure instanceof Offline ? t("signin_offline")
        : failure instanceof ApiError && failure.code === "bad_credentials" ? t("signin_wrong")
        : failure instanceof ApiError && failure.code === "throttled" ? t("signin_throttled")
        : failure instanceof ApiError && failure.code === "forbidden" ? t("signin_not_inspector")
        : failure.message;
      error.hidden = false;
      button.disabled = false;
      form.elements.password.focus();
    }
  });
  show(again ? t("signin_again_title") : t("signin_title"), form);
}

export function field(id, label, input, help) {
  return h("div", { class: "field" }, h("label", { for: id, text: label }), input, help ? h("p", { class: "help", id: `${id}-help`, text: help }) : null);
}

// --- Settings: language, storage, sign-out ----------------------------------------------------

async function settingsScreen() {
  const user = await store.get("user");
  const waiting = (await store.outbox()).length + (await store.draftCount());
  const estimate = navigator.storage?.estimate ? await navigator.storage.estimate() : null;
  const persisted = navigator.storage?.persisted ? await navigator.storage.persisted() : false;
  const out = h("button", { class: "danger big", type: "button", text: t("signout") });
  out.addEventListener("click", async () => {
    if (waiting && !confirm(t("signout_waiting", { count: waiting }))) return;
    try {
      await call("auth/sign-out/", { method: "POST", token: await store.get("token") });
    } catch (error) {
      if (!(error instanceof ApiError && error.signedOut)) {
        show(t("nav_settings"), status(t("signout_offline"), "error"));
        return;
      }
    }
    await store.set("token", undefined);
    if (!waiting) await store.forgetAll();
    location.hash = "#/";
    route();
  });
  const other = lang === "ja" ? "en" : "ja";
  show(t("nav_settings"),
    h("dl", { class: "facts" },
      h("dt", { text: t("username") }), h("dd", { text: user?.username || "" }),
      h("dt", { text: t("device_name") }), h("dd", { text: user?.device || "" }),
      h("dt", { text: t("token_expires") }), h("dd", { text: user?.expires_at ? new Date(user.expires_at).toLocaleDateString(lang) : "" }),
      h("dt", { text: t("storage_used") }), h("dd", { text: estimate ? `${bytes(estimate.usage || 0)} / ${bytes(estimate.quota || 0)}` : "—" }),
      h("dt", { text: t("storage_kept") }), h("dd", { text: persisted ? t("storage_persistent") : t("storage_best_effort") }),
      h("dt", { text: t("app_release") }), h("dd", { text: config.release }),
    ),
    h("p", {}, h("a", { class: "button big", href: `/field/?lang=${other}`, lang: other, hreflang: other, text: other === "en" ? "English" : "日本語", onclick: () => localStorage.setItem("field-lang", other) })),
    h("p", {}, out),
  );
}

// --- The bar: network, outbox count, storage warnings ------------------------------------------

let barDrawn = 0;
async function barUpdate() {
  const mine = ++barDrawn;
  const entries = await store.outbox();
  if (mine !== barDrawn) return; // a later call reads a newer outbox: let it draw
  const count = entries.length;
  const badge = document.getElementById("outbox-count");
  badge.textContent = String(count);
  badge.className = `count${count ? " waiting" : ""}`;
  badge.setAttribute("aria-label", t("outbox_count", { count }));
  const net = document.getElementById("net");
  const state = syncState();
  net.textContent = !navigator.onLine ? t("net_offline")
    : state.phase === "sending" ? t("net_sending")
    : state.phase === "signed_out" ? t("net_signed_out")
    : t("net_online");
  net.className = `net ${navigator.onLine ? "online" : "offline"}`;
  if (state.phase === "signed_out" && (await store.get("token"))) {
    banner(t("signed_out_banner"), "error", h("a", { href: "#/signin", class: "button", text: t("signin"), onclick: () => setTimeout(route) }));
  }
}


async function start() {
  const wanted = localStorage.getItem("field-lang");
  if (wanted && wanted !== lang && navigator.onLine) {
    location.replace(`/field/?lang=${wanted}${location.hash}`);
    return;
  }
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(config.sw, { scope: "/field/" }).catch(() => {});
  }
  // The skip link moves the focus to the screen, not through the router.
  document.querySelector(".skip").addEventListener("click", (event) => {
    event.preventDefault();
    document.getElementById("view").focus();
  });
  events.addEventListener("change", barUpdate);
  // Signed out in the middle of a sync: ask for the password at once, except in the middle
  // of an inspection (its draft is kept; the banner says what to do).
  events.addEventListener("change", (event) => {
    if (event.detail.phase === "signed_out" && !location.hash.startsWith("#/inspect")) route();
  });
  window.addEventListener("online", barUpdate);
  window.addEventListener("offline", barUpdate);
  window.addEventListener("hashchange", route);
  await route();
  barUpdate();
  storageCheck();
  if (await store.get("token")) autoSync();
  else window.addEventListener("hashchange", async function once() {
    if (await store.get("token")) { window.removeEventListener("hashchange", once); autoSync(); }
  });
}

start();
