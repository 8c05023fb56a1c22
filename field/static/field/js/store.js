// Everything the app knows lives in IndexedDB (through idb), so that a reload, a closed tab,
// a crash or a flat battery loses nothing: the work packs (assets, types with their
// checklists and scales, assignments), the records waiting in the outbox with their photos,
// and what was sent. Writes that hold an inspector's work are "strict": the browser reports
// them done only once they are on disk.

import { openDB } from "../vendor/idb/index.js";

const NAME = "machimori-field";
let opened = null;

export function db() {
  if (!opened) {
    opened = openDB(NAME, 1, {
      upgrade(base) {
        base.createObjectStore("kv");
        const assets = base.createObjectStore("assets", { keyPath: "id" });
        assets.createIndex("label", "labels", { multiEntry: true });
        assets.createIndex("ledger", "ledger");
        base.createObjectStore("types", { keyPath: "code" });
        base.createObjectStore("assignments", { keyPath: "id" });
        const outbox = base.createObjectStore("outbox", { keyPath: "uuid" });
        outbox.createIndex("asset", "asset");
        base.createObjectStore("blobs");
        base.createObjectStore("sent", { keyPath: "uuid" });
      },
      blocked() {},
      blocking() {
        // a newer release of the app wants to upgrade the database: let it
        opened?.then((base) => base.close());
        opened = null;
      },
    });
  }
  return opened;
}

const STRICT = { durability: "strict" };

export async function get(key) {
  return (await db()).get("kv", key);
}

export async function set(key, value) {
  const tx = (await db()).transaction("kv", "readwrite", STRICT);
  if (value === undefined) tx.store.delete(key);
  else tx.store.put(value, key);
  await tx.done;
}

// An asset as kept: the API's feature, flattened for the list and its indexes.
function assetRow(feature) {
  const p = feature.properties;
  return {
    id: feature.id,
    ledger: p.ledger_id,
    labels: p.labels || [],
    type: p.type,
    name: p.name || "",
    address: p.address || "",
    owner: p.owner_name || "",
    condition: p.condition || {},
    forecast: p.forecast || null,
    faults: p.open_faults || [],
    seq: p.change_seq,
    geometry: feature.geometry,
    attributes: p.attributes || {},
  };
}

// A downloaded work pack: its assets, types and assignments replace what was kept of them
// (assets of other packs stay); `scope` says what it was (an assignment or a box).
export async function packSave(pack, scope) {
  const tx = (await db()).transaction(["assets", "types", "assignments", "kv"], "readwrite", STRICT);
  const assets = tx.objectStore("assets");
  for (const feature of pack.assets.features) assets.put(assetRow(feature));
  const types = tx.objectStore("types");
  for (const type of pack.asset_types) types.put(type);
  const assignments = tx.objectStore("assignments");
  assignments.clear();
  for (const assignment of pack.assignments) assignments.put(assignment);
  const kv = tx.objectStore("kv");
  const packs = ((await kv.get("packs")) || []).filter((p) => p.key !== scope.key);
  packs.push({ ...scope, cursor: pack.cursor, at: pack.generated_at, count: pack.assets.features.length });
  kv.put(packs, "packs");
  const cursor = await kv.get("cursor");
  if (cursor === undefined || pack.cursor < cursor) kv.put(pack.cursor, "cursor");
  await tx.done;
}

// GET /changes/ since the cursor: changed assets (retired ones leave), checklists, assignments.
export async function changesSave(changes) {
  const tx = (await db()).transaction(["assets", "types", "assignments", "kv"], "readwrite", STRICT);
  const assets = tx.objectStore("assets");
  for (const feature of changes.assets.features) {
    if (feature.properties.status && feature.properties.status !== "in_service") assets.delete(feature.id);
    else assets.put(assetRow(feature));
  }
  const types = tx.objectStore("types");
  for (const checklist of changes.checklists) {
    if (!checklist.current) continue;
    const type = await types.get(checklist.asset_type);
    if (type) {
      type.checklist = { version: checklist.version, items: checklist.items, change_seq: checklist.change_seq };
      types.put(type);
    }
  }
  const assignments = tx.objectStore("assignments");
  for (const assignment of changes.assignments) {
    if (assignment.status === "open") assignments.put(assignment);
    else assignments.delete(assignment.id);
  }
  tx.objectStore("kv").put(changes.cursor, "cursor");
  await tx.done;
}

export async function assets() {
  return (await db()).getAll("assets");
}

export async function assetCount() {
  return (await db()).count("assets");
}

export async function asset(id) {
  return (await db()).get("assets", Number(id));
}

export async function assetByCode(code) {
  const base = await db();
  return (await base.getFromIndex("assets", "label", code)) || (await base.getFromIndex("assets", "ledger", code));
}

export async function types() {
  const all = await (await db()).getAll("types");
  return Object.fromEntries(all.map((type) => [type.code, type]));
}

export async function type(code) {
  return (await db()).get("types", code);
}

export async function assignments() {
  return (await db()).getAll("assignments");
}

// --- The outbox ---------------------------------------------------------------------------

// An inspection saved on the tablet: the record as the API takes it, and its photos, and
// its draft gone, in one transaction: the record never exists without its photos, nor a
// draft beside it that could be saved a second time. A record already in the outbox is
// never overwritten (add, not put): saving the same draft twice fails instead.
export async function recordSave(entry, photos, draftKeys = []) {
  const tx = (await db()).transaction(["outbox", "blobs", "kv"], "readwrite", STRICT);
  for (const photo of photos) tx.objectStore("blobs").put(photo.blob, `${entry.uuid}/${photo.sha256}`);
  tx.objectStore("outbox").add(entry);
  for (const key of draftKeys) tx.objectStore("kv").delete(key);
  await tx.done;
}

export async function draftCount() {
  const keys = await (await db()).getAllKeys("kv");
  return keys.filter((key) => String(key).startsWith("draft:")).length;
}

export async function outbox() {
  const all = await (await db()).getAll("outbox");
  return all.sort((a, b) => a.saved_at.localeCompare(b.saved_at));
}

export async function outboxEntry(uuid) {
  return (await db()).get("outbox", uuid);
}

export async function outboxUpdate(uuid, change) {
  const tx = (await db()).transaction("outbox", "readwrite", STRICT);
  const entry = await tx.store.get(uuid);
  if (entry) {
    change(entry);
    tx.store.put(entry);
  }
  await tx.done;
  return entry;
}

export async function photoBlob(uuid, sha256) {
  return (await db()).get("blobs", `${uuid}/${sha256}`);
}

// Everything of a record reached the server: it leaves the outbox (its photos with it) and
// a short line stays in "sent".
export async function recordDone(uuid, sent) {
  const tx = (await db()).transaction(["outbox", "blobs", "sent"], "readwrite", STRICT);
  const entry = await tx.objectStore("outbox").get(uuid);
  if (entry) {
    for (const photo of entry.photos) tx.objectStore("blobs").delete(`${uuid}/${photo.sha256}`);
    tx.objectStore("outbox").delete(uuid);
    tx.objectStore("sent").put({
      ...sent, uuid, asset: entry.asset, ledger: entry.ledger, grade: entry.record.overall_grade,
      performed_at: entry.record.performed_at, photos: entry.photos.filter((p) => p.sent).length,
    });
  }
  await tx.done;
}

export async function recordDiscard(uuid) {
  const tx = (await db()).transaction(["outbox", "blobs"], "readwrite", STRICT);
  const entry = await tx.objectStore("outbox").get(uuid);
  if (entry) {
    for (const photo of entry.photos) tx.objectStore("blobs").delete(`${uuid}/${photo.sha256}`);
    tx.objectStore("outbox").delete(uuid);
  }
  await tx.done;
}

export async function sent() {
  const all = await (await db()).getAll("sent");
  return all.sort((a, b) => b.sent_at.localeCompare(a.sent_at));
}

// Sent lines older than a week go: the office has them.
export async function sentPrune(days = 7) {
  const limit = new Date(Date.now() - days * 86400000).toISOString();
  const tx = (await db()).transaction("sent", "readwrite");
  for (const line of await tx.store.getAll()) if (line.sent_at < limit) tx.store.delete(line.uuid);
  await tx.done;
}

// Signing out with nothing waiting forgets the city's data on this tablet; drafts (what
// someone was in the middle of entering) stay.
export async function forgetAll() {
  const tx = (await db()).transaction(["kv", "assets", "types", "assignments", "sent"], "readwrite", STRICT);
  for (const name of ["assets", "types", "assignments", "sent"]) tx.objectStore(name).clear();
  const kv = tx.objectStore("kv");
  for (const key of await kv.getAllKeys()) if (!String(key).startsWith("draft")) kv.delete(key);
  await tx.done;
}
