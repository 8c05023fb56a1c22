"""A mixed day on `make cluster` (run by tools/loadtest/run.py; locust, headless).

Sticker scans 70 % (GET /q/<code> of the cluster's own stickers), submissions with a camera
photo 10 % (a new resident each time: the sticker's form, its CSRF token and idempotency key,
the photo, the receipt), receipt pages 15 % (the links residents got), the managers' queue 5 %
(signed in as the demo manager). A resident whose connection drops or who gets a 502, 503 or
504 sends the same form again, with the same key, as the page tells her to; a page that lists
the reports already made for the asset is answered with "send anyway".

Each resident comes from an address of her own (127.x.y.z; nginx passes it on), as residents
do: the per-address report limit is not what is measured. The configuration (codes, photos,
the manager's password, where to write what each resident saw) is the JSON file named by
LOADTEST_CONFIG.
"""

import json
import os
import random
import ssl
import sys
import time
import uuid
from pathlib import Path

from locust import HttpUser, between, events, task
from locust.clients import HttpSession
from requests.adapters import HTTPAdapter

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from tools.loadtest.forms import form_read  # noqa: E402

CONFIG = json.loads(Path(os.environ["LOADTEST_CONFIG"]).read_text())
RESEND = {0, 502, 503, 504}  # a dropped connection, or the proxy's "try again"
MAX_SENDS = 8
PHOTOS = [(Path(p).name, Path(p).read_bytes()) for p in CONFIG["photos"]]
TOKENS: list[str] = list(CONFIG.get("tokens", []))
_out = open(CONFIG["records"], "a", buffering=1)  # noqa: SIM115 (open for the whole run)


def record(entry: dict) -> None:
    _out.write(json.dumps(entry) + "\n")


@events.request.add_listener
def _on_request(name, response_time, response_length, exception=None, response=None, **kw):
    status = getattr(response, "status_code", 0) if response is not None else 0
    ok = exception is None and 0 < status < 500
    record({"t": time.time(), "name": name, "ms": response_time, "status": status, "ok": ok})


class _FromAddress(HTTPAdapter):
    """Connections from one loopback address of the resident's own."""

    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        # Our own TLS context trusting the cluster's certificate (requests' own, under
        # gevent, ignores `verify` given as a file here).
        kwargs["ssl_context"] = ssl.create_default_context(cafile=CONFIG["cert"])
        super().init_poolmanager(*args, **kwargs)


class Visitor(HttpUser):
    wait_time = between(CONFIG.get("wait_min", 0.5), CONFIG.get("wait_max", 1.5))

    def on_start(self):
        self.client.trust_env = False  # REQUESTS_CA_BUNDLE would win over `verify`
        self.client.verify = CONFIG["cert"]
        self.manager = None

    def _session(self) -> HttpSession:
        session = HttpSession(self.host, self.environment.events.request, self)
        session.trust_env = False
        session.verify = CONFIG["cert"]
        address = f"127.{random.randint(1, 250)}.{random.randint(0, 255)}.{random.randint(1, 250)}"
        session.mount("https://", _FromAddress(address))
        return session

    @task(70)
    def scan(self):
        self.client.get(f"/q/{random.choice(CONFIG['codes'])}", name="scan")

    @task(15)
    def receipt(self):
        if not TOKENS:
            return self.scan()
        self.client.get(f"/r/{random.choice(TOKENS)}", name="receipt")

    @task(5)
    def queue(self):
        if self.manager is None:
            self.manager = self._session()
            page = self.manager.get("/manage/login/", name="queue: sign in")
            form = form_read(page.text, form_class="narrow")
            if form is None:
                self.manager = None
                return
            self.manager.post(
                "/manage/login/",
                data=form.data(username=CONFIG["manager"][0], password=CONFIG["manager"][1]),
                headers={"Referer": page.url},
                name="queue: sign in",
                allow_redirects=False,
            )
        self.manager.get("/manage/queue/", name="queue")

    @task(10)
    def submission(self):
        Resident(self._session(), random.choice(CONFIG["codes"])).send()


class Resident:
    """One resident: opens the sticker's form, sends it with a photo until she has a receipt
    or a refusal with its reason, and writes down what she saw."""

    def __init__(self, session: HttpSession, code: str):
        self.session, self.code = session, code
        self.marker = f"lt-{CONFIG['run']}-{uuid.uuid4().hex[:12]}"
        self.statuses: list[int] = []

    def send(self):
        entry = {"marker": self.marker, "token": "", "outcome": "gave_up", "key": ""}
        try:
            self._send(entry)
        finally:
            record({**entry, "kind": "resident", "statuses": self.statuses, "t": time.time()})
            self.session.close()

    def _send(self, entry):
        url = f"/q/{self.code}"
        for attempt in range(MAX_SENDS):  # a 502-504 page: she loads it again, after a pause
            page = self.session.get(url, name="submission: form")
            if page.status_code not in RESEND:
                break
            time.sleep(min(8.0, 0.5 * 2**attempt) * random.uniform(0.8, 1.2))
        form = form_read(page.text, "report-form") if page.status_code == 200 else None
        if form is None:
            entry["note"] = f"no form at {url} ({page.status_code})"
            return
        entry["key"] = form.value("idempotency_key")
        category = form.choices("category")[0]
        name, photo = random.choice(PHOTOS)
        data = form.data(
            category=category,
            description=f"Load test {self.marker}: the surface is broken here.",
        )
        files = [("photos", (name, photo, "image/jpeg"))]
        referer = page.url
        for attempt in range(MAX_SENDS):
            status, answer = self._post(url, data, files, referer)
            self.statuses.append(status)
            if status == 302 and "/r/" in answer.headers.get("Location", ""):
                token = answer.headers["Location"].split("/r/", 1)[1].split("?", 1)[0]
                entry.update(token=token, outcome="receipt")
                TOKENS.append(token)
                self.session.get(f"/r/{token}?new=1", name="receipt")
                return
            if status == 200:
                again = form_read(answer.text, "report-form")
                if again is None or "force_new" not in dict(again.buttons):
                    entry["note"] = "a 200 without the duplicates' 'send anyway'"
                    return
                # "This is already reported": she sends hers anyway, photo already kept.
                data, files = again.data(), []
                continue
            if status in (400, 403, 429):
                entry["outcome"] = "refused"
                again = form_read(answer.text, "report-form")
                # A refusal shows why (the error summary) and keeps what she typed.
                entry["refused_with_form"] = (
                    again is not None
                    and 'id="error-summary"' in answer.text
                    and self.marker in again.value("description")
                )
                entry["note"] = f"refused with {status}"
                return
            if status not in RESEND and status != 500:
                entry["note"] = f"answer {status}"
                return
            if status == 503 and answer is not None:
                again = form_read(answer.text, "report-form")
                if again is not None:  # the form came back with its text: send it again
                    data = again.data()
            time.sleep(min(8.0, 0.5 * 2**attempt) * random.uniform(0.8, 1.2))

    def _post(self, url, data, files, referer):
        try:
            with self.session.post(
                url,
                data=data,
                files=files or None,
                headers={"Referer": f"{referer}"},
                allow_redirects=False,
                name="submission",
                catch_response=True,
                timeout=90,
            ) as answer:
                if answer.status_code in (200, 302, 400, 429):
                    answer.success()
                return answer.status_code, answer
        except OSError:
            return 0, None
