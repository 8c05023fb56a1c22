// An inspection, recorded on the tablet: the asset type's checklist (in the version the pack
// carries), a defect with its grade, kind, notes and photos for each item found defective
// (and any other defect), the overall grade on the type's scale, photos, the position and
// notes. What is entered is kept as a draft as it is typed (a reload or a crash loses
// nothing); saving puts the record and its photos in the outbox in one transaction.

import { position, watch } from "./geo.js";
import { photoPrepare } from "./photos.js";
import * as store from "./store.js";
import { changed, syncNow } from "./sync.js";
import { distance, gradeLabel, h, name, show, status, storageCheck, t, uuid } from "./ui.js";
import { faultName } from "./work.js";

function now() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  const minutes = -d.getTimezoneOffset();
  const sign = minutes < 0 ? "-" : "+";
  const a = Math.abs(minutes);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

function radios(id, legend, options, value, onChange, { required = false, hint = null } = {}) {
  return h("fieldset", { class: "choice", id },
    h("legend", { text: legend + (required ? ` ${t("required")}` : "") }),
    hint ? h("details", { class: "help" }, h("summary", { text: t("grade_definitions") }), h("ul", {}, hint.map((line) => h("li", { text: line })))) : null,
    h("div", { class: "options" },
      options.map(([key, label, extra]) => h("label", { class: `option ${extra || ""}` },
        h("input", { type: "radio", name: id, value: key, checked: value === key, onchange: () => onChange(key) }),
        h("span", { text: label })))));
}

export async function inspectScreen(id) {
  const asset = await store.asset(id);
  const type = asset && (await store.type(asset.type));
  if (!asset || !type) {
    show(t("asset_missing_title"), status(t("asset_missing")));
    return;
  }
  const checklist = type.checklist || { version: null, items: [] };
  const grades = type.scale.grades;
  const draftKey = `draft:${asset.id}`;
  const draft = (await store.get(draftKey)) || {
    uuid: uuid(), kind: "periodic", answers: {}, defects: {}, extra: [], grade: "", notes: "", photos: [], started_at: now(),
  };
  // Other defects carry an id of their own: their photos stay theirs when one is removed.
  for (const defect of draft.extra) defect.id ||= uuid().slice(0, 8);
  const extraKey = (defect) => `x${defect.id}`;
  const defectOf = (key) => (key.startsWith("x") ? draft.extra.find((d) => extraKey(d) === key) : draft.defects[key]);
  const assignments = await store.assignments();
  const assignment = assignments.find((a) => a.assets.includes(asset.id));
  let timer = null;
  let saved = false; // once in the outbox, the draft is never written back
  const keep = () => {
    clearTimeout(timer);
    timer = setTimeout(() => { if (!saved) store.set(draftKey, draft); }, 300);
  };

  // --- photos (saving waits for those still being prepared: none is left behind)
  const preparing = new Set();
  function addPhotos(files, defect) {
    const work = preparePhotos(files, defect);
    preparing.add(work);
    work.finally(() => preparing.delete(work));
    return work;
  }
  async function preparePhotos(files, defect) {
    for (const file of files) {
      const note = status(t("photo_preparing"));
      photoBox(defect).append(note);
      try {
        const photo = await photoPrepare(file);
        if (!draft.photos.some((p) => p.sha256 === photo.sha256 && p.defect === defect)) {
          await store.set(`draftphoto:${draft.uuid}/${photo.sha256}`, photo.blob);
          if (photo.thumb) await store.set(`draftthumb:${draft.uuid}/${photo.sha256}`, photo.thumb);
          const { blob, thumb, ...meta } = photo;
          draft.photos.push({ ...meta, defect });
          await store.set(draftKey, draft);
        }
      } catch (error) {
        note.textContent = t("photo_failed");
        continue;
      }
      note.remove();
      drawPhotos(defect);
    }
    storageCheck();
  }
  const photoBoxes = new Map();
  function photoBox(defect) {
    if (!photoBoxes.has(defect)) photoBoxes.set(defect, h("ul", { class: "photos", id: `photos-${defect ?? "all"}` }));
    return photoBoxes.get(defect);
  }
  async function drawPhotos(defect) {
    const box = photoBox(defect);
    const items = [];
    for (const photo of draft.photos.filter((p) => p.defect === defect)) {
      const blob = (await store.get(`draftthumb:${draft.uuid}/${photo.sha256}`))
        || (await store.get(`draftphoto:${draft.uuid}/${photo.sha256}`));
      const url = blob ? URL.createObjectURL(blob) : "";
      items.push(h("li", {},
        h("img", { src: url, alt: t("photo_alt", { n: items.length + 1 }), onload: () => URL.revokeObjectURL(url) }),
        h("button", { type: "button", class: "small", text: t("photo_remove"), "aria-label": t("photo_remove_n", { n: items.length + 1 }), onclick: async () => {
          draft.photos = draft.photos.filter((p) => !(p.sha256 === photo.sha256 && p.defect === defect));
          if (!draft.photos.some((p) => p.sha256 === photo.sha256)) {
            await store.set(`draftphoto:${draft.uuid}/${photo.sha256}`, undefined);
            await store.set(`draftthumb:${draft.uuid}/${photo.sha256}`, undefined);
          }
          await store.set(draftKey, draft);
          drawPhotos(defect);
        } })));
    }
    box.replaceChildren(...items);
  }
  function photoPicker(defect, label) {
    const inputId = `photo-${defect ?? "all"}`;
    const input = h("input", { id: inputId, type: "file", accept: "image/*", capture: "environment", multiple: true, class: "file" });
    input.addEventListener("change", () => { addPhotos([...input.files], defect); input.value = ""; });
    drawPhotos(defect);
    return h("div", { class: "photo-picker" }, h("label", { for: inputId, class: "button big", text: label }), input, photoBox(defect));
  }

  // --- a defect: kind, grade, measurement, notes, photos
  function defectFields(key, defect, component) {
    const change = (field) => (event) => { defect[field] = event.target.value; keep(); suggest(); };
    const kindId = `kind-${key}`;
    return h("div", { class: "defect", id: `defect-${key}` },
      component,
      h("div", { class: "field" }, h("label", { for: kindId, text: `${t("defect_kind")} ${t("required")}` }),
        h("select", { id: kindId, onchange: change("kind") },
          h("option", { value: "", text: t("choose") }),
          type.fault_kinds.map((k) => h("option", { value: k.code, text: name(k), selected: defect.kind === k.code })))),
      radios(`grade-${key}`, t("defect_grade"), grades.map((g) => [g.code, `${g.code} ${name(g)}`, g.calls_for_action ? "action" : ""]), defect.grade,
        (value) => { defect.grade = value; keep(); suggest(); }, { required: true }),
      h("div", { class: "pair" },
        h("div", { class: "field" }, h("label", { for: `measure-${key}`, text: t("defect_measurement") }),
          h("input", { id: `measure-${key}`, type: "number", inputmode: "decimal", step: "any", value: defect.measurement ?? "", oninput: change("measurement") })),
        h("div", { class: "field" }, h("label", { for: `unit-${key}`, text: t("defect_unit") }),
          h("input", { id: `unit-${key}`, value: defect.unit || "", oninput: change("unit") }))),
      h("div", { class: "field" }, h("label", { for: `dnotes-${key}`, text: t("defect_notes") }),
        h("textarea", { id: `dnotes-${key}`, rows: 2, maxlength: 1000, oninput: change("notes"), text: defect.notes || "" })),
      photoPicker(key, t("defect_photo")),
    );
  }

  // --- the checklist
  const items = checklist.items.map((item) => {
    const value = draft.answers[item.key];
    const legend = `${name(item.component)}: ${name(item.question)}`;
    const slot = h("div", { class: "defect-slot" });
    const drawDefect = () => {
      if (draft.answers[item.key] === "defect") {
        draft.defects[item.key] ||= { kind: "", grade: "", notes: "" };
        slot.replaceChildren(defectFields(item.key, draft.defects[item.key], null));
      } else {
        delete draft.defects[item.key];
        slot.replaceChildren();
      }
    };
    let control;
    if (item.kind === "ok_defect") {
      control = radios(`item-${item.key}`, legend, [["ok", t("answer_ok"), "ok"], ["defect", t("answer_defect"), "bad"], ["n/a", t("answer_na")]], value,
        (chosen) => { draft.answers[item.key] = chosen; drawDefect(); keep(); suggest(); });
    } else if (item.kind === "number") {
      const inputId = `item-${item.key}`;
      control = h("div", { class: "field" },
        h("label", { for: inputId, text: `${legend}${item.unit ? ` (${item.unit})` : ""}` }),
        h("input", { id: inputId, type: "number", inputmode: "decimal", step: "any", min: item.min ?? null, max: item.max ?? null, value: value ?? "",
          "aria-describedby": `${inputId}-range`,
          oninput: (event) => { if (event.target.value === "") delete draft.answers[item.key]; else draft.answers[item.key] = Number(event.target.value); keep(); } }),
        item.min !== undefined || item.max !== undefined ? h("p", { class: "help", id: `${inputId}-range`, text: t("number_range", { min: item.min ?? "", max: item.max ?? "", unit: item.unit || "" }) }) : null);
    } else if (item.kind === "choice") {
      const options = (item.choices || []).map((c) => (typeof c === "object" ? [c.value, name(c.label || c) || c.value] : [c, c]));
      control = radios(`item-${item.key}`, legend, options, value, (chosen) => { draft.answers[item.key] = chosen; keep(); });
    } else {
      const inputId = `item-${item.key}`;
      control = h("div", { class: "field" }, h("label", { for: inputId, text: legend }),
        h("textarea", { id: inputId, rows: 2, maxlength: 1000, text: value || "", oninput: (event) => { draft.answers[item.key] = event.target.value; keep(); } }));
    }
    drawDefect();
    return h("li", { class: "item" }, control, slot);
  });

  // --- other defects, not tied to an item
  const extraBox = h("div", {});
  function drawExtra() {
    extraBox.replaceChildren(...draft.extra.map((defect) => {
      const key = extraKey(defect);
      const componentId = `component-${key}`;
      return h("div", { class: "card" },
        defectFields(key, defect, h("div", { class: "field" },
          h("label", { for: componentId, text: t("defect_component") }),
          h("input", { id: componentId, value: defect.component || "", oninput: (e) => { defect.component = e.target.value; keep(); } }))),
        h("button", { type: "button", class: "small", text: t("defect_remove"), onclick: () => { draft.extra = draft.extra.filter((d) => d !== defect); draft.photos = draft.photos.filter((p) => p.defect !== key); keep(); drawExtra(); suggest(); } }));
    }));
  }
  drawExtra();

  // --- the overall grade: suggested from the worst defect until the inspector chooses
  const gradeBox = h("div", {});
  function drawGrade() {
    gradeBox.replaceChildren(radios("overall", t("overall_grade"), grades.map((g) => [g.code, `${g.code} ${name(g)}`, g.calls_for_action ? "action" : ""]), draft.grade,
      (value) => { draft.grade = value; draft.gradeChosen = true; keep(); }, { required: true, hint: grades.map((g) => `${g.code} ${name(g)}: ${name({ ja: g.definition_ja, en: g.definition_en })}`) }));
  }
  function suggest() {
    if (draft.gradeChosen) return;
    const worst = allDefects().reduce((best, d) => {
      const g = grades.find((x) => x.code === d.grade);
      return g && (!best || g.rank > best.rank) ? g : best;
    }, null);
    const value = worst ? worst.code : (Object.values(draft.answers).includes("defect") ? "" : draft.grade);
    if (value !== draft.grade) { draft.grade = value; drawGrade(); }
  }
  function allDefects() {
    return [...Object.values(draft.defects), ...draft.extra];
  }
  drawGrade();

  // --- where
  const where = h("p", { class: "where", role: "status" });
  const drawWhere = (p) => { where.textContent = p ? t("position_line", { accuracy: distance(p.accuracy) }) : t("position_none"); };
  drawWhere(position());
  const unwatch = watch(drawWhere);

  const errors = h("div", { class: "errors", role: "alert", tabindex: "-1", hidden: true });
  const notes = h("textarea", { id: "notes", rows: 3, maxlength: 4000, text: draft.notes, oninput: (e) => { draft.notes = e.target.value; keep(); } });

  let saving = false;
  async function save(event) {
    event.preventDefault();
    if (saving) return;
    if (preparing.size) {
      errors.replaceChildren(status(t("photo_preparing")));
      errors.hidden = false;
      await Promise.allSettled([...preparing]);
      errors.hidden = true;
    }
    const problems = [];
    if (!draft.grade) problems.push([t("error_grade"), "overall"]);
    const defectKeys = [...Object.keys(draft.defects), ...draft.extra.map(extraKey)];
    for (const key of defectKeys) {
      const d = defectOf(key);
      if (!d.kind) problems.push([t("error_defect_kind"), `kind-${key}`]);
      if (!d.grade) problems.push([t("error_defect_grade"), `grade-${key}`]);
      if (d.measurement !== undefined && d.measurement !== "" && !Number.isFinite(Number(d.measurement))) problems.push([t("error_number"), `measure-${key}`]);
    }
    for (const item of checklist.items) {
      const v = draft.answers[item.key];
      if (item.kind === "number" && v !== undefined && (!Number.isFinite(v) || (item.min !== undefined && v < item.min) || (item.max !== undefined && v > item.max))) {
        problems.push([t("error_range", { item: name(item.question), min: item.min ?? "", max: item.max ?? "" }), `item-${item.key}`]);
      }
    }
    if (problems.length) {
      errors.replaceChildren(h("h2", { text: t("error_title_form") }),
        h("ul", {}, problems.map(([text, target]) => h("li", {}, h("a", { href: `#${target}`, text, onclick: (e) => { e.preventDefault(); document.getElementById(target)?.scrollIntoView(); document.getElementById(target)?.querySelector("input,select")?.focus(); (document.getElementById(target)?.matches("input,select") && document.getElementById(target).focus()); } })))));
      errors.hidden = false;
      errors.focus();
      return;
    }
    saving = true;
    try {
      await saveRecord(defectKeys);
    } catch (error) {
      // Nothing half-saved (one transaction); the draft stays; say why and let them retry.
      saving = false;
      errors.replaceChildren(h("h2", { text: t("save_failed") }),
        h("p", { text: error.name === "QuotaExceededError" ? t("save_failed_full") : String(error.message || error) }));
      errors.hidden = false;
      errors.focus();
    }
  }

  async function saveRecord(order) {
    const defects = order.map((key) => {
      const d = defectOf(key);
      const item = checklist.items.find((i) => i.key === key);
      const out = { component: item ? name(item.component) : (d.component || ""), kind: d.kind, grade: d.grade, notes: d.notes || "" };
      if (d.measurement !== undefined && d.measurement !== "") out.measurement = Number(d.measurement);
      if (d.unit) out.unit = d.unit;
      return out;
    });
    const here = position();
    const cursor = await store.get("cursor");
    const record = {
      uuid: draft.uuid, asset: asset.id, kind: draft.kind, performed_at: now(), overall_grade: draft.grade,
      template_version: checklist.version, answers: draft.answers, notes: draft.notes, defects,
    };
    if (here) record.gps = { lat: Number(here.lat.toFixed(7)), lon: Number(here.lon.toFixed(7)), accuracy: Math.round(here.accuracy * 10) / 10 };
    if (cursor !== undefined) record.pack_cursor = cursor;
    if (assignment) record.assignment = assignment.id;
    const photos = [];
    for (const photo of draft.photos) {
      const blob = await store.get(`draftphoto:${draft.uuid}/${photo.sha256}`);
      if (!blob) continue;
      const position = photo.defect === null || photo.defect === undefined ? null : order.indexOf(photo.defect);
      photos.push({ ...photo, defect: position === -1 ? null : position, blob });
    }
    const user = await store.get("user");
    const draftKeys = [draftKey, ...draft.photos.flatMap((photo) => [
      `draftphoto:${draft.uuid}/${photo.sha256}`, `draftthumb:${draft.uuid}/${photo.sha256}`,
    ])];
    clearTimeout(timer);
    await store.recordSave({
      uuid: draft.uuid, asset: asset.id, ledger: asset.ledger, type: asset.type, record, state: "waiting",
      saved_at: new Date().toISOString(), attempts: 0, user: user?.username || "",
      photos: photos.map(({ blob, ...meta }) => meta),
    }, photos, draftKeys);
    saved = true;
    unwatch();
    sessionStorage.setItem("field-saved", `${asset.ledger} ${gradeLabel(type, draft.grade)}`);
    changed();
    location.hash = "#/assets";
    if (navigator.onLine) syncNow();
  }

  const form = h("form", { class: "inspection", novalidate: true, onsubmit: save },
    errors,
    radios("kind", t("inspection_kind"), [["periodic", t("kind_periodic")], ["routine", t("kind_routine")], ["follow_up", t("kind_follow_up")]], draft.kind,
      (value) => { draft.kind = value; keep(); }),
    h("section", { "aria-labelledby": "checklist-h" },
      h("h2", { id: "checklist-h", text: t("checklist_title", { version: checklist.version ?? "—" }) }),
      h("ol", { class: "items" }, items)),
    h("section", { "aria-labelledby": "extra-h" },
      h("h2", { id: "extra-h", text: t("extra_defects") }),
      extraBox,
      h("button", { type: "button", class: "big", text: t("defect_add"), onclick: () => { draft.extra.push({ id: uuid().slice(0, 8), component: "", kind: "", grade: "", notes: "" }); keep(); drawExtra(); } })),
    h("section", { "aria-labelledby": "grade-h" }, h("h2", { id: "grade-h", text: t("overall_title") }), gradeBox),
    h("section", { "aria-labelledby": "photos-h" }, h("h2", { id: "photos-h", text: t("photos_title") }), photoPicker(null, t("photo_take"))),
    h("div", { class: "field" }, h("label", { for: "notes", text: t("notes") }), notes),
    where,
    h("p", { class: "actions sticky" },
      h("button", { type: "submit", class: "primary big", text: t("save") }),
      h("a", { class: "button big", href: `#/asset/${asset.id}`, text: t("cancel_keep_draft") })),
  );
  show(t("inspect_title", { ledger: asset.ledger, type: name(type) }),
    asset.faults.length ? h("p", { class: "notice", text: t("asset_has_faults", { faults: asset.faults.map((f) => `${f.number} ${faultName(type, f.category)}`).join(", ") }) }) : null,
    form);
  await store.set(draftKey, draft);
  window.addEventListener("hashchange", unwatch, { once: true });
}
