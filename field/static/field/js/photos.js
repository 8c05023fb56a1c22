// A photo from the camera, made ready to keep and send: its date and GPS read from the
// original's EXIF first (exifr, loaded when the first photo is taken), then shrunk in the
// browser to at most 2048 px on its long side (a JPEG, upright), and its SHA-256 taken,
// which is how the server keeps each photo once however often it is sent.

import { config, script } from "./ui.js";

export const MAX_SIDE = 2048;
const QUALITY = 0.85;
const THUMB_SIDE = 320;

export async function photoPrepare(file) {
  const exif = await readExif(file);
  let blob = file;
  let thumb = null;
  try {
    const shrunk = await shrink(file, { thumb: true });
    if (shrunk.blob) blob = shrunk.blob;
    thumb = shrunk.thumb;
  } catch (error) {
    // HEIC and others this browser cannot decode: the original goes; the server reads it
  }
  const sha256 = await digest(blob);
  return { blob, thumb, sha256, size: blob.size, content_type: blob.type || "image/jpeg", ...exif };
}

async function readExif(file) {
  try {
    await script(config.static.exifr);
    const tags = await window.exifr.parse(file, {
      ifd0: false, reviveValues: false,
      exif: ["DateTimeOriginal", "OffsetTimeOriginal"],
      gps: ["GPSLatitude", "GPSLatitudeRef", "GPSLongitude", "GPSLongitudeRef"],
    }) || {};
    const out = {};
    const lat = degrees(tags.GPSLatitude, tags.GPSLatitudeRef, "NS", 90);
    const lon = degrees(tags.GPSLongitude, tags.GPSLongitudeRef, "EW", 180);
    if (lat !== null && lon !== null && (lat || lon)) Object.assign(out, { lat, lon });
    const when = /^(\d{4}):(\d\d):(\d\d) (\d\d:\d\d:\d\d)/.exec(tags.DateTimeOriginal || "");
    if (when) {
      // No offset in the EXIF: the tablet's own zone (it took the photo where it is).
      const offset = /^[+-]\d\d:\d\d$/.exec(String(tags.OffsetTimeOriginal || "").trim());
      out.taken_at = `${when[1]}-${when[2]}-${when[3]}T${when[4]}${offset ? offset[0] : zone()}`;
    }
    return out;
  } catch (error) {
    return {};
  }
}

function zone() {
  const minutes = -new Date().getTimezoneOffset();
  const sign = minutes < 0 ? "-" : "+";
  const a = Math.abs(minutes);
  return `${sign}${String(Math.floor(a / 60)).padStart(2, "0")}:${String(a % 60).padStart(2, "0")}`;
}

// As the server reads EXIF (reports/exif.py): no hemisphere reference, no position.
function degrees(dms, ref, signs, bound) {
  ref = String(ref || "").trim().toUpperCase().charAt(0);
  if (!dms || dms.length !== 3 || !ref || !signs.includes(ref)) return null;
  if (dms.some((v) => v < 0) || dms[1] > 60 || dms[2] > 60) return null;
  const value = dms[0] + dms[1] / 60 + dms[2] / 3600;
  if (!Number.isFinite(value) || value > bound) return null;
  return Math.round((ref === signs.charAt(1) ? -value : value) * 1e7) / 1e7;
}

async function decode(file) {
  if (window.createImageBitmap) {
    try {
      return await createImageBitmap(file, { imageOrientation: "from-image" });
    } catch (error) {
      // fall back to an <img>
    }
  }
  return new Promise((resolve, reject) => {
    const img = new Image();
    const url = URL.createObjectURL(file);
    img.onload = () => { URL.revokeObjectURL(url); resolve(img); };
    img.onerror = () => { URL.revokeObjectURL(url); reject(new Error("undecodable")); };
    img.src = url;
  });
}

function jpeg(image, width, height, quality) {
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(width);
  canvas.height = Math.round(height);
  const context = canvas.getContext("2d");
  context.imageSmoothingQuality = "high";
  context.drawImage(image, 0, 0, canvas.width, canvas.height);
  return new Promise((resolve, reject) => canvas.toBlob((blob) => {
    canvas.width = canvas.height = 0;
    if (blob) resolve(blob);
    else reject(new Error("could not encode"));
  }, "image/jpeg", quality));
}

// {blob: a JPEG at most MAX_SIDE on its long side (null when the original is a small JPEG
// already), thumb: a THUMB_SIDE one for the form (drawing the full photo there would decode
// 2048 px for an 8 rem square)}, from one decode.
export async function shrink(file, { thumb = false } = {}) {
  const image = await decode(file);
  try {
    const width = image.naturalWidth || image.width;
    const height = image.naturalHeight || image.height;
    const scale = Math.min(1, MAX_SIDE / Math.max(width, height));
    const small = Math.min(1, THUMB_SIDE / Math.max(width, height));
    const blob = scale === 1 && file.type === "image/jpeg" ? null : await jpeg(image, width * scale, height * scale, QUALITY);
    return { blob, thumb: thumb ? await jpeg(image, width * small, height * small, 0.7) : null };
  } finally {
    image.close?.();
  }
}

export async function digest(blob) {
  const hash = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
  return [...new Uint8Array(hash)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
