// The sticker scanner: opens the rear camera into a <video>, reads the QR code of an asset's
// sticker and gives back its text (codeFromText turns it into the label code). The browser's
// own BarcodeDetector reads it where it can (Chrome on Android, Safari); elsewhere (Chromium
// on Linux, Firefox, older WebViews) zxing-wasm does, loaded only then: ZXing-C++ compiled to
// WebAssembly, a plain ES module with no build step, and it reads small, worn and skewed codes
// far better than the pure-JavaScript decoders. Its .wasm comes from our own static files
// (the page passes the URL), never from the package's default CDN, so it works offline.
// Frames are decoded at most 5 a second from a canvas whose long side is at most 960 px, to
// spare an old tablet's processor and battery.

const FRAME_INTERVAL_MS = 200; // at most 5 decodes a second
const MAX_SIDE = 960; // px, the long side of the frame handed to the decoder

let zxingDecoder = null; // a promise of the fallback decoder, once it was first needed
let lastKind = null;

/** Which decoder the last scan used: "native" (BarcodeDetector), "zxing", or null. */
export function decoderInUse() {
  return lastKind;
}

/** The label code in a sticker's URL (…/q/CODE, any case, optional trailing slash), upper
 * case; any other text (a bare code typed in) is given back trimmed. */
export function codeFromText(text) {
  const trimmed = String(text ?? "").trim();
  const match = /^(?:[a-z][a-z0-9+.-]*:\/\/[^/?#\s]+)?\/q\/([0-9a-z][0-9a-z-]*)\/?$/i.exec(trimmed);
  return match ? match[1].toUpperCase() : trimmed;
}

function abortError() {
  return new DOMException("The scan was cancelled.", "AbortError");
}

function cameraError(error) {
  const denied = error && (error.name === "NotAllowedError" || error.name === "SecurityError");
  const wrapped = new Error(denied ? "Camera permission denied." : "No camera available.", {
    cause: error,
  });
  wrapped.code = denied ? "denied" : "no-camera";
  return wrapped;
}

async function nativeDetector() {
  if (!("BarcodeDetector" in globalThis)) return null;
  try {
    const formats = await globalThis.BarcodeDetector.getSupportedFormats();
    if (!formats.includes("qr_code")) return null;
    const detector = new globalThis.BarcodeDetector({ formats: ["qr_code"] });
    return {
      kind: "native",
      async decode(canvas) {
        const found = await detector.detect(canvas);
        const hit = found.find((barcode) => barcode.rawValue);
        return hit ? hit.rawValue : null;
      },
    };
  } catch {
    return null; // a detector that cannot even list its formats: use ours
  }
}

function loadZxing(moduleUrl, wasmUrl) {
  if (!moduleUrl || !wasmUrl) {
    return Promise.reject(new Error("scan() needs moduleUrl and wasmUrl for the QR decoder."));
  }
  // Relative URLs are the page's: import() alone would resolve them against this module.
  const base = globalThis.document ? document.baseURI : globalThis.location.href;
  const moduleHref = new URL(moduleUrl, base).href;
  const wasmHref = new URL(wasmUrl, base).href;
  return import(moduleHref).then(async (zxing) => {
    await zxing.prepareZXingModule({
      overrides: {
        locateFile: (path, prefix) => (path.endsWith(".wasm") ? wasmHref : prefix + path),
      },
      fireImmediately: true, // fetch and compile now: a failure shows before the first frame
    });
    const options = { formats: ["QRCode"], tryHarder: true, maxNumberOfSymbols: 1 };
    return {
      kind: "zxing",
      async decode(canvas, context) {
        const frame = context.getImageData(0, 0, canvas.width, canvas.height);
        const found = await zxing.readBarcodes(frame, options);
        const hit = found.find((result) => result.isValid && result.text);
        return hit ? hit.text : null;
      },
    };
  });
}

async function pickDecoder(moduleUrl, wasmUrl) {
  const native = await nativeDetector();
  if (native) return native;
  if (!zxingDecoder) {
    zxingDecoder = loadZxing(moduleUrl, wasmUrl).catch((error) => {
      zxingDecoder = null; // let a later scan try again
      const wrapped = new Error("The QR decoder could not be loaded.", { cause: error });
      wrapped.code = "decoder";
      throw wrapped;
    });
  }
  return zxingDecoder;
}

async function openCamera() {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    throw cameraError(null); // no camera API (an insecure page, an old browser)
  }
  try {
    return await navigator.mediaDevices.getUserMedia({
      video: { facingMode: "environment" },
      audio: false,
    });
  } catch (error) {
    throw cameraError(error);
  }
}

/**
 * Opens the rear camera into `video` and resolves with the text of the first QR code read.
 * The camera is stopped when it resolves, rejects, or `signal` aborts (an AbortError then).
 * Camera errors have `.code` "denied" or "no-camera"; a decoder that cannot load, "decoder".
 */
export async function scan(video, { wasmUrl, moduleUrl, signal } = {}) {
  if (signal?.aborted) throw abortError();

  let stream = null;
  let timer = null;
  let finished = false;
  let settle;
  const outcome = new Promise((resolve, reject) => {
    settle = { resolve, reject };
  });

  const stop = () => {
    finished = true;
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
    if (stream) {
      for (const track of stream.getTracks()) track.stop();
    }
    if (video.srcObject === stream) video.srcObject = null;
  };
  const fail = (error) => {
    if (finished) return;
    stop();
    settle.reject(error);
  };
  const succeed = (text) => {
    if (finished) return;
    stop();
    settle.resolve(text);
  };
  function onAbort() {
    fail(abortError());
  }
  signal?.addEventListener("abort", onAbort, { once: true });

  // The decoder loads while the camera opens (and its permission is asked).
  const decoderReady = pickDecoder(moduleUrl, wasmUrl);
  decoderReady.catch(() => {}); // handled below; not an unhandled rejection meanwhile

  (async () => {
    const opened = await openCamera();
    if (finished) {
      for (const track of opened.getTracks()) track.stop(); // aborted while it opened
      return;
    }
    stream = opened;
    video.muted = true;
    video.playsInline = true;
    video.setAttribute("playsinline", ""); // iOS Safari: not fullscreen
    video.srcObject = stream;
    video.play().catch(() => {}); // autoplay of a muted stream is allowed; frames come anyway

    const decoder = await decoderReady;
    if (finished) return;
    lastKind = decoder.kind;

    const canvas = document.createElement("canvas");
    const context = canvas.getContext("2d", { willReadFrequently: true });

    const tick = async () => {
      timer = null;
      if (finished) return;
      const started = performance.now();
      const width = video.videoWidth;
      const height = video.videoHeight;
      if (width && height && video.readyState >= video.HAVE_CURRENT_DATA) {
        const scale = Math.min(1, MAX_SIDE / Math.max(width, height));
        const w = Math.round(width * scale);
        const h = Math.round(height * scale);
        if (canvas.width !== w || canvas.height !== h) {
          canvas.width = w;
          canvas.height = h;
        }
        context.drawImage(video, 0, 0, w, h);
        const text = await decoder.decode(canvas, context);
        if (text) {
          succeed(text);
          return;
        }
      }
      if (!finished) {
        const wait = Math.max(0, FRAME_INTERVAL_MS - (performance.now() - started));
        timer = setTimeout(() => tick().catch(fail), wait);
      }
    };
    await tick();
  })().catch(fail);

  return outcome;
}
