// The outbox's way to the server. Records go in batches to POST /inspections/sync/ (the
// record's uuid, made on the tablet, makes every resend safe: "duplicate" changes nothing);
// then each photo of an accepted record, once per content hash, through the presigned PUT
// to the bucket where the server offers one (else as multipart). A record leaves the outbox
// only when the server has it and all its photos. One sync at a time, across tabs too.
//
// States of an outbox entry: waiting → sending → accepted (photos still to send) → gone;
// or conflict (held by the office), invalid (refused: a person must look), failed (the
// server refused the batch; tried again with the button), photos_missing (the record is
// at the office but a photo was refused or lost: shown until the inspector clears it).

import { ApiError, Offline, call, put } from "./api.js";
import * as store from "./store.js";

const BATCH = 50;
const LOCK = "machimori-field-sync";
export const events = new EventTarget();

let running = null;
let failures = 0;
let timer = null;
let current = { phase: "idle", detail: "", at: null };

export function syncState() {
  return current;
}

function say(phase, detail = "") {
  current = { phase, detail, at: new Date().toISOString(), failures };
  events.dispatchEvent(new CustomEvent("change", { detail: current }));
}

export function changed() {
  events.dispatchEvent(new CustomEvent("change", { detail: current }));
}

// Run a sync now (or join the one running). manual: also retry what failed before.
export function syncNow({ manual = false } = {}) {
  if (!running) {
    running = (async () => {
      try {
        if (navigator.locks) await navigator.locks.request(LOCK, () => run(manual));
        else await run(manual);
      } finally {
        running = null;
      }
    })();
  }
  return running;
}

function later() {
  clearTimeout(timer);
  const seconds = Math.min(300, 5 * 2 ** Math.min(failures, 6)) * (0.8 + Math.random() * 0.4);
  timer = setTimeout(() => { timer = null; syncNow(); }, seconds * 1000);
  return Math.round(seconds);
}

async function run(manual) {
  const [token, signedOut, user] = await Promise.all([
    store.get("token"), store.get("signed_out"), store.get("user"),
  ]);
  if (!token || signedOut) return say("signed_out");
  const entries = await store.outbox();
  // Records go under the account that made them: another inspector signed in on this
  // tablet does not send them as theirs.
  const due = entries.filter((e) => (!e.user || e.user === user?.username)
    && (["waiting", "sending", "accepted"].includes(e.state) || (manual && e.state === "failed")));
  if (!due.length) {
    failures = 0;
    return say("idle");
  }
  if (!navigator.onLine) return say("offline"); // the "online" event brings the next try
  say("sending");
  try {
    const records = due.filter((e) => e.state !== "accepted");
    for (let i = 0; i < records.length; i += BATCH) {
      const batch = records.slice(i, i + BATCH);
      await mark(batch, "sending");
      let answer;
      try {
        answer = await call("inspections/sync/", {
          method: "POST", token, json: { inspections: batch.map((e) => e.record) },
        });
      } catch (error) {
        await mark(batch, error instanceof ApiError && !error.retryable && !error.signedOut ? "failed" : "waiting", error);
        throw error;
      }
      for (const result of answer.results) await recordResult(result);
      changed();
    }
    for (const entry of await store.outbox()) {
      if (entry.state === "accepted") await photosSend(token, entry);
    }
    failures = 0;
    clearTimeout(timer);
    timer = null;
    say("idle");
  } catch (error) {
    if (error instanceof ApiError && error.signedOut) {
      await store.set("signed_out", true);
      return say("signed_out");
    }
    if (error instanceof Offline || (error instanceof ApiError && error.retryable)) {
      failures += 1;
      return say("retry", String(later()));
    }
    say("failed", error.message);
  }
}

async function mark(batch, state, error = null) {
  for (const entry of batch) {
    await store.outboxUpdate(entry.uuid, (e) => {
      e.state = state;
      if (error) e.error = describe(error);
      if (state === "sending") e.attempts = (e.attempts || 0) + 1;
    });
  }
  changed();
}

function describe(error) {
  if (error instanceof Offline) return { code: "offline", detail: "" };
  if (error instanceof ApiError) return { code: error.code, detail: error.message, status: error.status };
  return { code: "error", detail: String(error.message || error) };
}

async function recordResult(result) {
  await store.outboxUpdate(result.uuid, (e) => {
    e.error = null;
    if (result.status === "created" || result.status === "duplicate") {
      e.state = "accepted";
      e.inspection = result.inspection;
    } else if (result.status === "conflict") {
      e.state = "conflict";
      e.conflict = { code: result.code, quarantine: result.quarantine };
    } else {
      e.state = "invalid";
      e.error = { code: result.code, detail: result.detail || "", errors: result.errors || {} };
    }
  });
}

function declared(photo) {
  const out = {};
  if (photo.taken_at) out.taken_at = photo.taken_at;
  if (photo.lat !== undefined && photo.lon !== undefined) Object.assign(out, { lat: photo.lat, lon: photo.lon });
  return out;
}

async function photoMark(entry, photo, change) {
  await store.outboxUpdate(entry.uuid, (e) => change(e.photos.find((p) => p.sha256 === photo.sha256)));
  changed();
}

async function photoSend(token, entry, photo, blob) {
  const path = `inspections/${entry.uuid}/photos/`;
  const extra = { defect: photo.defect ?? null, ...declared(photo) };
  const multipart = async () => {
    const form = new FormData();
    form.append("file", blob, `${photo.sha256.slice(0, 16)}.jpg`);
    form.append("sha256", photo.sha256);
    for (const [key, value] of Object.entries(extra)) if (value !== null) form.append(key, value);
    await call(path, { method: "POST", token, form, seconds: 60 + blob.size / 50000 });
  };
  if ((await store.get("photo_mode")) === "multipart" || photo.put_failures >= 2) return multipart();
  let answer;
  try {
    answer = await call(path, {
      method: "POST", token,
      json: { sha256: photo.sha256, size: photo.size, content_type: photo.content_type, ...extra },
    });
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== "send_multipart") throw error;
    await store.set("photo_mode", "multipart"); // this server keeps photos itself
    return multipart();
  }
  if (answer?.status !== "upload") return undefined;
  try {
    await put(answer.upload.url, blob, answer.upload.headers);
  } catch (error) {
    // The bucket unreachable or refusing while the app server answers (a proxy, its CORS,
    // an expired link): tried again later, and after two failures through the app server.
    await photoMark(entry, photo, (p) => { p.put_failures = (p.put_failures || 0) + 1; });
    throw new Offline(error.message);
  }
  return call(answer.confirm, { method: "POST", token, json: extra });
}

// Each photo of a record the server accepted, once per content; then the record leaves the
// outbox. A photo the server refuses (not a photo, too large, not yours) is set aside with
// the reason and does not hold up the others; one whose bytes are gone is noted as lost.
async function photosSend(token, entry) {
  for (const photo of entry.photos) {
    if (photo.sent || photo.refused || photo.lost) continue;
    const blob = await store.photoBlob(entry.uuid, photo.sha256);
    if (!blob) {
      await photoMark(entry, photo, (p) => { p.lost = true; });
      continue;
    }
    try {
      await photoSend(token, entry, photo, blob);
    } catch (error) {
      if (error instanceof ApiError && !error.retryable && !error.signedOut) {
        await photoMark(entry, photo, (p) => { p.refused = describe(error); });
        continue;
      }
      throw error;
    }
    await photoMark(entry, photo, (p) => { p.sent = true; });
  }
  const now = await store.outboxEntry(entry.uuid);
  const sent = now.photos.filter((p) => p.sent).length;
  const missed = now.photos.length - sent;
  if (missed) {
    // Kept in the outbox, marked, until the inspector sees it: nothing goes without a word.
    await store.outboxUpdate(entry.uuid, (e) => { e.state = "photos_missing"; });
    changed();
    return;
  }
  await store.recordDone(entry.uuid, { inspection: entry.inspection, sent_at: new Date().toISOString() });
  changed();
}

// Sync by itself: when the network returns, when the app opens, and every minute while
// something waits (a timer set by a failure brings the next try sooner or later).
export function autoSync() {
  window.addEventListener("online", () => { failures = 0; syncNow(); });
  setInterval(async () => {
    // Not while a retry is set for later (the backoff stands) nor while one runs.
    if (running || !navigator.onLine || (failures && timer)) return;
    const waiting = (await store.outbox()).some((e) => ["waiting", "sending", "accepted"].includes(e.state));
    if (waiting) syncNow();
  }, 60000);
  syncNow();
}
