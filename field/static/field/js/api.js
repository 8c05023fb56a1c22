// The tablet API (/api/v1/, docs/tablet-api.md): every call of the app goes through here.
// A failure is one of two kinds the app treats differently: Offline (no answer at all: keep
// everything, try later) or ApiError (the server answered: its status and stable code).

import { config } from "./ui.js";

export class Offline extends Error {}

export class ApiError extends Error {
  constructor(status, code, detail, body) {
    super(detail || `HTTP ${status}`);
    this.status = status;
    this.code = code || `http_${status}`;
    this.body = body;
  }

  // The token no longer counts (expired, revoked, signed out elsewhere).
  get signedOut() {
    return this.status === 401;
  }

  // Worth trying again later as it is: the server or the way to it failed, or it asked us
  // to wait. Anything else needs a person.
  get retryable() {
    return this.status >= 500 || this.status === 429 || this.status === 408;
  }
}

// A request that gets no answer within its time is treated as no network: a mobile link
// that stalls must not hold the sync (and the outbox behind it) for ever.
function timed(signal, seconds) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), seconds * 1000);
  signal?.addEventListener("abort", () => controller.abort(), { once: true });
  return { signal: controller.signal, done: () => clearTimeout(timer), outer: signal };
}

export async function call(path, { method = "GET", token, json, form, headers = {}, signal, seconds = 45 } = {}) {
  const clock = timed(signal, seconds);
  const init = { method, headers: { Accept: "application/json", ...headers }, signal: clock.signal };
  if (token) init.headers.Authorization = `Token ${token}`;
  if (json !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(json);
  } else if (form) {
    init.body = form;
  }
  const url = path.startsWith("http") || path.startsWith("/") ? path : config.api + path;
  let response;
  let body = null;
  try {
    response = await fetch(url, init);
    try {
      body = response.status === 204 || response.status === 304 ? null : await response.json();
    } catch (error) {
      // a proxy's HTML page or a cut body: no JSON
      if (response.ok) throw new Offline("the answer was cut off");
    }
  } catch (error) {
    if (error instanceof Offline) throw error;
    if (error.name === "AbortError" && clock.outer?.aborted) throw error;
    throw new Offline(error.message);
  } finally {
    clock.done();
  }
  if (!response.ok) throw new ApiError(response.status, body?.code, body?.detail, body);
  return body;
}

// A presigned PUT straight to the bucket, with exactly the headers the server signed.
export async function put(url, blob, headers) {
  // A minute, and more for a large photo on a slow link (50 KB/s).
  const clock = timed(null, 60 + blob.size / 50000);
  let response;
  try {
    response = await fetch(url, { method: "PUT", headers, body: blob, signal: clock.signal });
  } catch (error) {
    throw new Offline(error.message);
  } finally {
    clock.done();
  }
  if (!response.ok) throw new ApiError(response.status, "upload_refused", await response.text());
}
