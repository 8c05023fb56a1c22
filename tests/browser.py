"""Headless Chromium for tests: Debian's binary, nothing fetched from off this machine."""

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
AXE = Path(
    os.environ.get("AXE_JS", Path(__file__).resolve().parent.parent / ".venv/share/axe/axe.min.js")
)


# Reports every Content-Security-Policy violation of every page, frames included.
_CSP_LISTENER = """document.addEventListener('securitypolicyviolation', (e) =>
    window.__cspViolation(`${e.effectiveDirective} refused ${e.blockedURI || 'inline'} `
        + `on ${e.documentURI} (${e.sourceFile || ''}:${e.lineNumber})`));"""


class Session:
    """A page that logs what it tried to fetch off this machine, what went wrong, and what
    the Content-Security-Policy refused."""

    def __init__(self, page):
        self.page = page
        self.external = []
        self.errors = []
        self.csp_violations = []
        page.route("**/*", self._route)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))
        page.expose_function("__cspViolation", lambda text: self.csp_violations.append(text))
        page.add_init_script(_CSP_LISTENER)

    def _route(self, route):
        host = urlsplit(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            self.external.append(route.request.url)
            route.abort()

    def _console(self, message):
        # Chromium asks for /favicon.ico by itself.
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            self.errors.append(f"console: {message.text}")

    def axe_violations(self, impacts=("serious", "critical")) -> list[str]:
        """WCAG 2.1 A/AA violations axe-core finds on the current page, at these impacts."""
        # Evaluated, not added as a <script>: the pages' CSP refuses inline scripts, and
        # Playwright's evaluation is not subject to it.
        self.page.evaluate(AXE.read_text(encoding="utf-8"))
        result = self.page.evaluate(
            """async () => await axe.run(document, {runOnly: {type: 'tag',
                 values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"""
        )
        return [
            f"{v['id']} ({v['impact']}): {v['help']} — "
            + json.dumps([node["target"] for node in v["nodes"]][:5])
            for v in result["violations"]
            if v["impact"] in impacts
        ]


@contextmanager
def chromium(chromium_path: str, **context) -> Iterator[Session]:
    """Chromium only while the block runs: Playwright keeps an event loop up in this thread,
    and Django's ORM refuses to run beside it, so tests touch the database outside."""
    from playwright.sync_api import sync_playwright  # collecting must not need Playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(**context).new_page()
            yield Session(page)
        finally:
            browser.close()
