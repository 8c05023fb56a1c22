// The outbox: what waits, what is being sent, what failed and why, what the office holds
// (a conflict, with both versions and what the office will do), and what was sent. The
// "send now" button; sync also runs by itself when the network returns.

import { ApiError, Offline, call } from "./api.js";
import * as store from "./store.js";
import { events, syncNow, syncState } from "./sync.js";
import { day, gradeLabel, h, moment, name, show, status, t } from "./ui.js";

const ORDER = ["invalid", "conflict", "photos_missing", "failed", "sending", "accepted", "waiting"];
const office = new Map(); // conflict uuid → what the office has, fetched once a session

function reason(entry) {
  const error = entry.error;
  if (!error) return null;
  if (error.code === "offline") return t("reason_offline");
  const fields = error.errors ? Object.entries(error.errors).map(([key, value]) => `${key}: ${JSON.stringify(value)}`).join("; ") : "";
  return t("reason_server", { code: error.code, detail: [error.detail, fields].filter(Boolean).join(" — ") });
}

function photoLine(entry) {
  const sent = entry.photos.filter((p) => p.sent).length;
  return entry.photos.length ? t("photos_sent", { sent, count: entry.photos.length }) : t("photos_none");
}

// Photos that will not reach the office, and why.
function photoProblems(entry) {
  const lines = entry.photos.map((photo, index) => {
    if (photo.refused) return t("photo_refused", { n: index + 1, code: photo.refused.code, detail: photo.refused.detail || "" });
    if (photo.lost) return t("photo_lost", { n: index + 1 });
    return null;
  }).filter(Boolean);
  return lines.length ? h("ul", { class: "plain error" }, lines.map((line) => h("li", { text: line }))) : null;
}

function summary(record, type) {
  return h("ul", { class: "plain" },
    h("li", { text: `${t("overall_grade")}: ${gradeLabel(type, record.overall_grade)}` }),
    h("li", { text: `${t("performed_at")}: ${moment(record.performed_at)}` }),
    h("li", { text: `${t("defects")}: ${record.defects.length}` }),
    record.notes ? h("li", { text: `${t("notes")}: ${record.notes}` }) : null);
}

async function conflictBox(entry, type) {
  const officeBox = h("div", { class: "version" }, h("h4", { text: t("conflict_office_version") }), status(t("conflict_loading")));
  const box = h("div", { class: "conflict" },
    h("p", { class: "notice", text: t(`conflict_${entry.conflict.code}`, { quarantine: entry.conflict.quarantine }) }),
    h("p", { text: t("conflict_office_will") }),
    h("div", { class: "versions" },
      h("div", { class: "version" }, h("h4", { text: t("conflict_your_version") }), summary(entry.record, type)),
      officeBox));
  const cached = office.get(entry.uuid);
  if (cached) {
    box.querySelector(".versions").lastChild.replaceWith(cached.cloneNode(true));
    return box;
  }
  (async () => {
    try {
      const asset = await store.asset(entry.asset);
      if (entry.conflict.code === "changed_content") {
        const history = await call(`assets/${entry.asset}/history/`, { token: await store.get("token") });
        const theirs = history.inspections.find((i) => i.uuid === entry.uuid);
        officeBox.replaceChildren(h("h4", { text: t("conflict_office_version") }),
          theirs ? summary({ overall_grade: theirs.grade, performed_at: theirs.performed_at, defects: theirs.defects, notes: theirs.notes }, type) : status(t("conflict_not_visible")));
        office.set(entry.uuid, officeBox);
      } else {
        // The asset as the office has it now (what is on the tablet is from before).
        let owner = asset?.owner || "—";
        try {
          const now = await call(`assets/${entry.asset}/`, { token: await store.get("token") });
          owner = now.properties.owner_name || owner;
        } catch (error) {
          if (!(error instanceof ApiError)) throw error; // offline: said below
        }
        officeBox.replaceChildren(h("h4", { text: t("conflict_office_version") }),
          h("p", { text: entry.conflict.code === "asset_retired" ? t("conflict_asset_now_retired") : t("conflict_owner_now", { owner }) }));
        office.set(entry.uuid, officeBox);
      }
    } catch (error) {
      officeBox.replaceChildren(h("h4", { text: t("conflict_office_version") }),
        status(error instanceof Offline ? t("conflict_offline") : error instanceof ApiError ? error.message : String(error)));
    }
  })();
  return box;
}

// The screen redraws itself as the sync goes, a few times a second at most, while shown.
let redrawing = null;
events.addEventListener("change", () => {
  if (!location.hash.startsWith("#/outbox") || redrawing) return;
  redrawing = setTimeout(() => {
    redrawing = null;
    if (location.hash.startsWith("#/outbox")) outboxScreen();
  }, 300);
});

export async function outboxScreen() {
  const [entries, types, sent] = await Promise.all([store.outbox(), store.types(), store.sent()]);
  const signedOut = await store.get("signed_out");
  entries.sort((a, b) => ORDER.indexOf(a.state) - ORDER.indexOf(b.state) || a.saved_at.localeCompare(b.saved_at));
  const state = syncState();
  const button = h("button", { class: "primary big", type: "button", id: "send-now", text: t("send_now"), disabled: !entries.length || signedOut,
    onclick: async () => { button.disabled = true; await syncNow({ manual: true }); outboxScreen(); } });
  const line = !navigator.onLine ? t("outbox_offline")
    : signedOut ? t("outbox_signed_out")
    : state.phase === "retry" ? t("outbox_retry", { seconds: state.detail })
    : state.phase === "sending" ? t("net_sending")
    : state.phase === "failed" ? t("outbox_failed", { detail: state.detail })
    : "";
  const cards = [];
  for (const entry of entries) {
    const type = types[entry.type];
    const clear = entry.state === "photos_missing"
      ? h("button", { type: "button", class: "small", id: `clear-${entry.uuid}`, text: t("photos_missing_clear"), onclick: async () => {
        await store.recordDone(entry.uuid, { inspection: entry.inspection, sent_at: new Date().toISOString() });
        outboxScreen();
      } }) : null;
    const discard = ["invalid", "conflict", "failed"].includes(entry.state)
      ? h("button", { type: "button", class: "small danger", text: t("discard"), onclick: async () => {
        if (!confirm(t("discard_confirm", { ledger: entry.ledger }))) return;
        await store.recordDiscard(entry.uuid);
        outboxScreen();
      } }) : null;
    cards.push(h("li", { class: `card state-${entry.state}` },
      h("h3", {}, h("a", { href: `#/asset/${entry.asset}`, text: `${entry.ledger} ${name(type)}` })),
      h("p", { class: "state", text: `${t("state_" + entry.state)} · ${gradeLabel(type, entry.record.overall_grade)} · ${moment(entry.record.performed_at)}` }),
      h("p", { text: photoLine(entry) }),
      reason(entry) ? h("p", { class: "error", text: reason(entry) }) : null,
      photoProblems(entry),
      entry.state === "conflict" ? await conflictBox(entry, type) : null,
      entry.attempts > 1 ? h("p", { class: "help", text: t("attempts", { count: entry.attempts }) }) : null,
      clear,
      discard));
  }
  show(t("outbox_title"),
    h("p", { class: "count-line", id: "outbox-summary", role: "status", text: entries.length ? t("outbox_waiting", { count: entries.length }) : t("outbox_empty") }),
    line ? status(line, state.phase === "failed" ? "error" : "") : null,
    signedOut ? h("p", {}, h("a", { class: "button big", href: "#/signin", text: t("signin") })) : null,
    h("p", { class: "actions" }, button),
    h("ol", { class: "cards outbox" }, cards),
    h("section", { "aria-labelledby": "sent-h" },
      h("h2", { id: "sent-h", text: t("sent_title") }),
      sent.length ? h("ul", { class: "plain sent" }, sent.map((s) => h("li", { text: t("sent_line", { ledger: s.ledger, grade: s.grade, when: moment(s.sent_at), photos: s.photos }) })))
        : h("p", { text: t("sent_none") })),
  );
}

export { day };
