"""The sticker scanner (field/static/field/js/scanner.js) in real Chromium, alone: a label's
QR code made by the project's own code is played as the camera (a .y4m file), a scratch page
under the field app's Content-Security-Policy imports the module, and scan() reads the code.
Chromium on Linux has no BarcodeDetector, so this is the vendored zxing-wasm path, its .wasm
fetched from this server. Then the camera is released on success, abort and denial."""

import functools
import http.server
import io
import threading
from pathlib import Path

import pytest
from PIL import Image

from qr_labels import codes, qr
from tests.browser import CHROMIUM_ARGS, Session
from tests.field.fakecam import y4m_from_image

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent.parent
CSP = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; "
    "img-src 'self' data: blob:; style-src 'self'; base-uri 'none'; object-src 'none'"
)
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Scanner</title>
</head><body><main><video id="camera" width="320" height="240"></video></main></body></html>
"""
SCANNER = "/static/field/js/scanner.js"
DECODER = "/static/field/vendor/zxing-wasm/reader/index.js"
WASM = "/static/field/vendor/zxing-wasm/reader/zxing_reader.wasm"


class _Handler(http.server.SimpleHTTPRequestHandler):
    def end_headers(self):
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format, *args):
        pass


@pytest.fixture
def server(tmp_path):
    """The scratch page at / and the field app's static files under /static/."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(PAGE, encoding="utf-8")
    (site / "static").symlink_to(ROOT / "field" / "static")
    handler = functools.partial(_Handler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def sticker(settings, server, tmp_path):
    """A label's QR code (qr_labels.qr, as printed), pointing at this server, as the camera."""
    settings.PUBLIC_BASE_URL = server
    code = codes.generate()
    image = Image.open(io.BytesIO(qr.png(code, scale=8)))
    return code, y4m_from_image(image, tmp_path / "sticker.y4m")


@pytest.fixture
def browser_page(chromium_path, sticker):
    from playwright.sync_api import sync_playwright  # collecting must not need Playwright

    _, video = sticker
    fake_camera = [
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, args=CHROMIUM_ARGS + fake_camera
        )
        try:
            session = Session(browser.new_context().new_page())
            requests = []
            session.page.on("request", lambda request: requests.append(request.url))
            yield session, requests
        finally:
            browser.close()


# Records the streams getUserMedia opens, to see their tracks stopped afterwards.
RECORD_STREAMS = """() => {
    window.__streams = [];
    const open = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = (constraints) => {
        const opened = open(constraints);
        window.__streams.push(opened);
        return opened;
    };
}"""
ALL_ENDED = """async () => {
    const streams = await Promise.all(window.__streams);
    await new Promise((wait) => setTimeout(wait, 100));
    return streams.length > 0
        && streams.every((s) => s.getTracks().every((t) => t.readyState === 'ended'));
}"""


def test_scan_reads_a_label_sticker_through_zxing_wasm(server, sticker, browser_page):
    code, _ = sticker
    session, requests = browser_page
    page = session.page
    page.goto(f"{server}/")
    page.evaluate(RECORD_STREAMS)
    result = page.evaluate(
        """async ([scanner, moduleUrl, wasmUrl]) => {
            const {scan, codeFromText, decoderInUse} = await import(scanner);
            const video = document.getElementById('camera');
            const started = performance.now();
            const text = await scan(video, {moduleUrl, wasmUrl});
            return {
                text, code: codeFromText(text), kind: decoderInUse(),
                native: 'BarcodeDetector' in window,
                seconds: (performance.now() - started) / 1000,
                released: video.srcObject === null,
            };
        }""",
        [SCANNER, DECODER, WASM],
    )
    assert result["native"] is False
    assert result["kind"] == "zxing"
    assert result["text"] == f"{server}/Q/{code}".upper()
    assert result["code"] == code
    assert result["released"] is True
    assert page.evaluate(ALL_ENDED) is True
    assert f"{server}{WASM}" in requests  # from here, not from a CDN
    assert session.external == [] and session.errors == [] and session.csp_violations == []


def test_scan_stops_the_camera_when_aborted_and_reports_denial(server, browser_page):
    session, _ = browser_page
    page = session.page
    page.goto(f"{server}/")
    page.evaluate(RECORD_STREAMS)
    aborted = page.evaluate(
        """async ([scanner, moduleUrl, wasmUrl]) => {
            const {scan} = await import(scanner);
            const video = document.getElementById('camera');
            const control = new AbortController();
            const scanning = scan(video, {moduleUrl, wasmUrl, signal: control.signal});
            control.abort();
            try { await scanning; return 'resolved'; } catch (error) { return error.name; }
        }""",
        [SCANNER, DECODER, WASM],
    )
    assert aborted == "AbortError"
    assert page.evaluate(ALL_ENDED) is True

    refused = page.evaluate(
        """async ([scanner, moduleUrl, wasmUrl]) => {
            const {scan} = await import(scanner);
            const codes = [];
            for (const name of ['NotAllowedError', 'NotFoundError']) {
                navigator.mediaDevices.getUserMedia = () =>
                    Promise.reject(new DOMException('refused', name));
                try { await scan(document.getElementById('camera'), {moduleUrl, wasmUrl}); }
                catch (error) { codes.push(error.code); }
            }
            return codes;
        }""",
        [SCANNER, DECODER, WASM],
    )
    assert refused == ["denied", "no-camera"]
    assert session.external == [] and session.errors == [] and session.csp_violations == []


CODE_CASES = [
    ("https://city.example/q/AB3K7Q", "AB3K7Q"),
    ("HTTPS://CITY.EXAMPLE/Q/AB3K7Q", "AB3K7Q"),
    ("http://127.0.0.1:8000/Q/ab3k7q/", "AB3K7Q"),
    ("/Q/AB3K7Q", "AB3K7Q"),
    ("/q/ab3k7q/", "AB3K7Q"),
    ("  https://city.example/q/AB3K7Q \n", "AB3K7Q"),
    ("AB3K7Q", "AB3K7Q"),
    ("  ab3k-7q  ", "ab3k-7q"),
    ("https://city.example/reports/AB3K7Q", "https://city.example/reports/AB3K7Q"),
    ("https://city.example/q/AB3K7Q?x=1", "https://city.example/q/AB3K7Q?x=1"),
    ("", ""),
]


def test_code_from_text(server, browser_page):
    session, _ = browser_page
    session.page.goto(f"{server}/")
    found = session.page.evaluate(
        """async ([scanner, texts]) => {
            const {codeFromText} = await import(scanner);
            return texts.map(codeFromText);
        }""",
        [SCANNER, [text for text, _ in CODE_CASES]],
    )
    assert found == [expected for _, expected in CODE_CASES]
