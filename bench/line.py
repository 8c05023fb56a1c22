"""Reports by LINE: the webhook's acknowledgement under load, and 1,000 scripted
conversations with redelivered events, against the local stand-in of LINE's Messaging API
(tests/channels/line_standin.py: the SDK's own models, `sign()`, the webhook event builders).

The server is gunicorn with the benchmark settings (2 sync workers, as bench/scan_http.py)
and TASKS_BACKEND=database: the webhook keeps each event and enqueues a task, and the
conversation is carried on by `manage.py db_worker`, as in production.

1. Acknowledgement. 20 deliveries at a time (a Python thread pool of 20, one connection
   each), each a freshly signed callback of one to three events from a resident (a text
   with a sticker code, a location, a postback; bodies as the SDK's models write them),
   to /line/webhook, beside the floor: a bench-only view (bench/urls.py, /bench/line-bare)
   that only verifies X-Line-Signature with the same SDK validator and answers 200.
   Interleaved blocks of each, bodies built and signed before the clock starts; no worker
   runs meanwhile (what is timed is the acknowledgement; the tasks it leaves are then
   removed). Budget: the webhook's p95 at most 2x the bare view's p95.
2. Conversations. 1,000 residents, 20 at a time, each reporting a fault on their own
   security light (1,000 lights about 100 m apart, each with its sticker and a streetlight
   35 m east of it). Half send the sticker code (as typed: plain, lower case with a dash,
   or the printed short URL), half their location, placed within 15 m of their light
   (nearer to it than to anything else): the bot offers the assets within 30 m, nearest
   first, and the resident taps the first. Then a category (one of those offered, at
   random), then "Send". Each resident waits for the bot's reply (through the stand-in)
   before the next tap, as in LINE. 30 % of all events are delivered twice, the second
   marked isRedelivery with the same webhookEventId: half at the same moment as the first
   (a second connection), half later, with the resident's next event in the same callback
   (or alone after the last reply). One db_worker runs beside the server (polling every
   50 ms when idle; started and answering a follow event before the clock starts). Timed:
   from the first message to the last receipt, and each reply's wait. Checks: 1,000
   reports from source "line", none duplicated (one receipt and one report per resident),
   each on the resident's light with the category tapped; one reply per event, none for a
   redelivery; no task or event in error.

Data: a SpatiaLite database made afresh each run (var/bench/line.sqlite3 from run.py).
Prints one JSON line. Run by bench/run.py.
"""

import argparse
import http.client
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.channels.line_standin

from common import ROOT, served, setup_django

SECRET = "bench-channel-secret-0123456789abcdef"
TOKEN = "bench-channel-access-token"
DESTINATION = "U" + "0123456789abcdef" * 2  # the bot's user id
CONCURRENCY = 20
CONVERSATIONS = 1000
REDELIVERED = 0.30
# The residents' lights: a grid of 40 columns, about 100 m apart either way.
COLUMNS, ORIGIN = 40, (132.7000, 35.3400)
STEP_LON, STEP_LAT = 0.0011, 0.0009  # ~100 m, ~100 m at 35.35° N
DECOY_METRES = 35  # a streetlight east of each light
PLACED_WITHIN = 15  # a resident's location, metres from their light
M_PER_DEG_LAT = 111_320


def metres_per_degree_lon(lat: float) -> float:
    return M_PER_DEG_LAT * math.cos(math.radians(lat))


def prepare(conversations: int) -> list[dict]:
    """The lights with their stickers and a streetlight beside each; the residents' plans."""
    from django.contrib.gis.geos import Point
    from django.core.management import call_command

    from accounts import policy
    from accounts.models import Organization
    from assets.models import Asset, AssetType
    from qr_labels import services as label_services
    from qr_labels.models import Label

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_catalogue", verbosity=0)
    if Asset.objects.exists():
        raise SystemExit("the LINE bench needs an empty database")
    city = Organization.objects.create(code="bench-city", name="出雲市", kind="city")
    section = Organization.objects.create(
        code="bench-doro", name="道路河川維持課", kind="section", parent=city
    )
    light = AssetType.objects.get(code="security-light")
    street = AssetType.objects.get(code="streetlight")
    lights, decoys = [], []
    for index in range(conversations):
        row, column = divmod(index, COLUMNS)
        lon, lat = ORIGIN[0] + column * STEP_LON, ORIGIN[1] + row * STEP_LAT
        decoy_lon = lon + DECOY_METRES / metres_per_degree_lon(lat)
        lights.append(
            Asset(
                asset_type=light,
                owner=section,
                ledger_id=f"BH-{index:05d}",
                address=f"出雲市今市町{row + 1}丁目{column + 1}",
                geom=Point(lon, lat, srid=4326),
            )
        )
        decoys.append(
            Asset(
                asset_type=street,
                owner=section,
                ledger_id=f"GL-{index:05d}",
                geom=Point(decoy_lon, lat, srid=4326),
            )
        )
    Asset.objects.bulk_create(lights + decoys, batch_size=1000)
    targets = Asset.objects.filter(asset_type=light).order_by("ledger_id")
    label_services.labels_issue_missing(assets=targets, acting_user=policy.SYSTEM)
    codes = dict(
        Label.objects.filter(state="active", asset__in=targets).values_list("asset_id", "code")
    )
    rng = random.Random(1000)
    plans = []
    for index, asset in enumerate(targets):
        plan = {
            "asset": asset.pk,
            "ledger": asset.ledger_id,
            "by": "code" if index % 2 else "place",
        }
        if plan["by"] == "code":
            code = codes[asset.pk]
            plan["typed"] = rng.choice(
                [code, f"{code[:4].lower()}-{code[4:].lower()}", f"izumo.example.jp/q/{code}"]
            )
        else:
            # Uniform in the disc of 15 m around the light (the decoy is 35 m away).
            distance = PLACED_WITHIN * math.sqrt(rng.random())
            angle = rng.uniform(0, 2 * math.pi)
            lon, lat = asset.geom.x, asset.geom.y
            plan["lat"] = lat + distance * math.sin(angle) / M_PER_DEG_LAT
            plan["lon"] = lon + distance * math.cos(angle) / metres_per_degree_lon(lat)
            plan["metres"] = distance
        plans.append(plan)
    return plans


# --- HTTP ------------------------------------------------------------------------------------


def post(base: str, path: str, body: bytes, signature: str) -> tuple[int, float]:
    """One delivery as LINE makes it; (status, milliseconds to the whole answer)."""
    parts = urlsplit(base)
    started = time.perf_counter()
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        connection.request(
            "POST",
            path,
            body,
            {
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": "LineBotWebhook/2.0",
                "X-Line-Signature": signature,
            },
        )
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    return response.status, (time.perf_counter() - started) * 1000


def percentile(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


# --- 1. The acknowledgement ------------------------------------------------------------------


def resident_callback(rng: random.Random, codes: list[str], places: list[tuple]) -> bytes:
    """One callback of one to three events from one resident, as LINE sends it."""
    from tests.channels import line_standin as line

    user = line.new_user_id()
    events = []
    for _ in range(rng.choices([1, 2, 3], weights=[70, 20, 10])[0]):
        kind = rng.choice(["code", "place", "postback"])
        if kind == "code":
            events.append(line.text(user, rng.choice(codes)))
        elif kind == "place":
            lat, lon = rng.choice(places)
            events.append(line.location(user, lat, lon, "現在地", "島根県出雲市今市町"))
        else:
            events.append(line.postback(user, rng.choice(["c=lamp-out", "ok=1", "a=none"])))
    return line.callback(DESTINATION, *events)


def acknowledgement(base: str, plans: list[dict], rounds: int, block: int) -> dict:
    from tests.channels import line_standin as line

    rng = random.Random(20)
    codes = [p["typed"] for p in plans if p["by"] == "code"]
    places = [(p["lat"], p["lon"]) for p in plans if p["by"] == "place"]

    def batch(path: str, n: int) -> list[tuple[str, bytes, str]]:
        bodies = [resident_callback(rng, codes, places) for _ in range(n)]
        return [(path, body, line.sign(body, SECRET)) for body in bodies]

    def load(pool, deliveries) -> list[float]:
        answers = list(pool.map(lambda d: post(base, *d), deliveries))
        bad = [status for status, _ in answers if status != 200]
        if bad:
            raise SystemExit(f"{deliveries[0][0]} answered {sorted(set(bad))}")
        return [ms for _, ms in answers]

    samples = {"bare": [], "webhook": []}
    paths = {"bare": "/bench/line-bare", "webhook": "/line/webhook"}
    sent_events, sizes = 0, []
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        for round_ in range(rounds + 1):  # the first: every worker's connection and imports
            for name, path in paths.items():
                deliveries = batch(path, block if round_ else 200)
                timings = load(pool, deliveries)
                if name == "webhook":
                    sent_events += sum(len(json.loads(d[1])["events"]) for d in deliveries)
                    sizes.extend(len(d[1]) for d in deliveries)
                if round_:
                    samples[name].extend(timings)
    result = {
        name: {
            "deliveries": len(values),
            "p50_ms": round(statistics.median(values), 2),
            "p95_ms": round(percentile(values, 95), 2),
            "max_ms": round(max(values), 2),
        }
        for name, values in samples.items()
    }
    result["ratio_p95"] = round(result["webhook"]["p95_ms"] / result["bare"]["p95_ms"], 2)
    result["ratio_p50"] = round(result["webhook"]["p50_ms"] / result["bare"]["p50_ms"], 2)
    result["events_sent"] = sent_events
    result["body_bytes_median"] = round(statistics.median(sizes))
    return result


def acknowledgement_cleanup(sent: int) -> int:
    """Each event of the load kept once with its task; then they go (no worker ran them)."""
    from django_tasks_db.models import DBTaskResult

    from channels.models import LineEvent, LineUser

    kept = LineEvent.objects.count()
    queued = DBTaskResult.objects.count()
    if kept != sent or queued != kept or LineUser.objects.exists():
        raise SystemExit(f"the load sent {sent} events; {kept} were kept, {queued} tasks")
    DBTaskResult.objects.all().delete()
    LineEvent.objects.all().delete()
    return kept


# --- 2. The conversations --------------------------------------------------------------------


class Replies(list):
    """Put in the place of the stand-in's list of replies: a resident waiting for the bot's
    answer is woken when it arrives."""

    def __init__(self):
        super().__init__()
        self.by_token: dict[str, object] = {}
        self.arrived = threading.Condition()

    def append(self, sent) -> None:
        with self.arrived:
            super().append(sent)
            self.by_token[sent.request.reply_token] = sent
            self.arrived.notify_all()

    def wait(self, token: str, seconds: float = 60):
        with self.arrived:
            if not self.arrived.wait_for(lambda: token in self.by_token, timeout=seconds):
                raise TimeoutError(f"no reply to {token} in {seconds} s")
            return self.by_token[token]


def choices_of(sent) -> list[str]:
    """The postback data of the quick replies of the reply's last message."""
    quick = sent.raw["messages"][-1].get("quickReply") or {"items": []}
    return [item["action"]["data"] for item in quick["items"]]


class Conversation:
    """One resident, from the first message to the receipt, as LINE delivers it."""

    def __init__(self, plan, user, redeliver, base, standin, replies, seed):
        self.plan, self.user, self.base = plan, user, base
        self.standin, self.replies = standin, replies
        self.redeliver = redeliver  # step → "race" | "late"
        self.rng = random.Random(seed)
        self.late = []  # redeliveries to send with the next event
        self.steps = 0
        self.deliveries = []  # (status, ms)
        self.waits = []  # ms from the delivery to the bot's reply
        self.offered = []  # the assets offered for a location, nearest first
        self.category = ""

    def deliver(self, *events) -> None:
        from tests.channels import line_standin as line

        body = line.callback(DESTINATION, *events)
        self.deliveries.append(post(self.base, "/line/webhook", body, line.sign(body, SECRET)))

    def say(self, event):
        """Send one event (after any late redeliveries, in the same callback); the reply."""
        from tests.channels import line_standin as line

        step, self.steps = self.steps, self.steps + 1
        mode = self.redeliver.get(step)
        race = None
        if mode == "race":  # the redelivery on a second connection, at the same moment
            race = threading.Thread(target=self.deliver, args=(line.redelivered(event),))
            race.start()
        started = time.perf_counter()
        self.deliver(*self.late, event)
        self.late = []
        if mode == "late":
            self.late.append(line.redelivered(event))
        if race is not None:
            race.join()
        sent = self.replies.wait(event.reply_token)
        self.waits.append((time.perf_counter() - started) * 1000)
        return sent

    def run(self) -> None:
        plan, user, standin = self.plan, self.user, self.standin
        if plan["by"] == "code":
            asked = self.say(standin.text(user, plan["typed"]))
        else:
            where = standin.location(user, plan["lat"], plan["lon"], "現在地", "島根県出雲市今市町")
            self.offered = choices_of(self.say(where))
            asked = self.say(standin.postback(user, self.offered[0]))  # the nearest, first
        categories = [c for c in choices_of(asked) if c.startswith("c=")]
        if not categories:
            raise RuntimeError(f"no categories in {asked.texts}")
        choice = self.rng.choice(categories)
        self.category = choice.removeprefix("c=")
        confirm = self.say(standin.postback(user, choice))
        if choices_of(confirm)[:1] != ["ok=1"]:
            raise RuntimeError(f"no Send in {confirm.texts}")
        self.say(standin.postback(user, "ok=1"))
        if self.late:  # the last event's redelivery, alone, after the receipt
            self.deliver(*self.late)
            self.late = []


def drain(worker, seconds: float = 60) -> float:
    """Seconds until the worker has run what is left (the notices the reports enqueued)."""
    from django_tasks_db.models import DBTaskResult

    started = time.perf_counter()
    while DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists():
        if (worker and worker.poll() is not None) or time.perf_counter() - started > seconds:
            break
        time.sleep(0.05)
    return time.perf_counter() - started


def warm_up(base: str, standin) -> None:
    """One follow event, answered: the worker is up, with the dialogue and the SDK loaded.
    What it leaves is then removed."""
    from django_tasks_db.models import DBTaskResult

    from channels.models import LineEvent, LineUser
    from tests.channels import line_standin as line

    standin.replies = Replies()
    user = line.new_user_id()
    event = standin.follow(user)
    body = line.callback(DESTINATION, event)
    assert post(base, "/line/webhook", body, line.sign(body, SECRET))[0] == 200
    standin.replies.wait(event.reply_token, seconds=120)
    drain(None)
    LineEvent.objects.all().delete()
    LineUser.objects.all().delete()
    DBTaskResult.objects.all().delete()


def conversations(base: str, plans: list[dict], standin, environment: dict) -> dict:
    from tests.channels import line_standin as line

    rng = random.Random(30)
    steps = [(i, s) for i, p in enumerate(plans) for s in range(3 if p["by"] == "code" else 4)]
    chosen = rng.sample(steps, round(REDELIVERED * len(steps)))
    redeliver = {i: {} for i in range(len(plans))}
    for n, (i, s) in enumerate(chosen):
        redeliver[i][s] = "race" if n % 2 else "late"
    languages = ["ja"] * 6 + ["en", "pt-BR", "vi", "zh-Hans"]
    talks = []
    for i, plan in enumerate(plans):
        user = line.new_user_id()
        standin.profile(user, f"住民{i:04d}", language=rng.choice(languages))
        talks.append(Conversation(plan, user, redeliver[i], base, standin, None, i))
    failures = []

    def run(talk):
        try:
            talk.run()
        except Exception as exc:  # counted in check(): a conversation that did not finish
            failures.append(f"{talk.plan['ledger']}: {exc!r}")

    with tempfile.TemporaryFile() as log:
        # The worker of docs/deployment.md, polling every 50 ms when idle (default: 1 s).
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--interval=0.05", "--no-startup-delay"],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        try:
            warm_up(base, standin)
            standin.replies = Replies()
            for talk in talks:
                talk.replies = standin.replies
            started = time.perf_counter()
            with ThreadPoolExecutor(CONCURRENCY) as pool:
                list(pool.map(run, talks))
            seconds = time.perf_counter() - started
            drained = drain(worker)
        finally:
            crashed = worker.poll()
            worker.terminate()
            worker.wait(timeout=30)
        if crashed is not None or failures:
            log.seek(0)
            errors = log.read().decode("utf-8", "replace")
            sys.stderr.write(f"db_worker (exit {crashed}):\n{errors[-4000:]}\n")
    return {
        "talks": talks,
        "failures": failures,
        "seconds": seconds,
        "drain_seconds": drained,
        "redelivered": len(chosen),
        "events": len(steps),
    }


def check(run: dict, standin) -> dict:
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    from channels.models import LineEvent, LineReceipt
    from reports.models import Receipt, Report

    talks = run["talks"]
    expected = {t.user: (t.plan["asset"], t.category) for t in talks}
    reports = Report.objects.filter(source="line")
    by_user = {}
    for user_id, asset_id, category in LineReceipt.objects.values_list(
        "line_user__user_id", "receipt__report__asset_id", "receipt__report__category__code"
    ):
        by_user.setdefault(user_id, []).append((asset_id, category))
    # A second report, or a "me too" receipt on another's report: both are duplicates here.
    duplicates = sum(len(held) - 1 for held in by_user.values())
    duplicates += Receipt.objects.count() - reports.count()
    held = [(user, got) for user, all_held in by_user.items() for got in all_held]
    delivered = [d for t in talks for d in t.deliveries]
    waits = [w for t in talks for w in t.waits]
    offered = [len([c for c in t.offered if c != "a=none"]) for t in talks if t.offered]
    tasks = DBTaskResult.objects.values_list("status").annotate(n=Count("id"))
    return {
        "conversations": len(talks),
        "finished": len(talks) - len(run["failures"]),
        "failures": run["failures"][:5],
        "reports": reports.count(),
        "duplicates": duplicates,
        "wrong_asset": sum(1 for user, got in held if got[0] != expected[user][0]),
        "wrong_category": sum(1 for user, got in held if got[1] != expected[user][1]),
        "without_report": sum(1 for t in talks if t.user not in by_user),
        "events": run["events"],
        "redelivered": run["redelivered"],
        "deliveries": len(delivered),
        "non_200": sum(1 for status, _ in delivered if status != 200),
        "events_kept": LineEvent.objects.count(),
        "events_kept_from_the_redelivery": LineEvent.objects.filter(redelivery=True).count(),
        "events_in_error": LineEvent.objects.exclude(error="").count(),
        "events_unhandled": LineEvent.objects.filter(handled_at__isnull=True).count(),
        "tasks": dict(tasks.values_list("status", "n")),
        "replies": len(standin.replies),  # one per event, none for a redelivery
        "assets_offered_per_location": dict(sorted(Counter(offered).items())),
        "seconds": round(run["seconds"], 1),
        "drain_seconds": round(run["drain_seconds"], 1),
        "delivery_p50_ms": round(statistics.median(ms for _, ms in delivered), 2),
        "delivery_p95_ms": round(percentile([ms for _, ms in delivered], 95), 2),
        "reply_p50_ms": round(statistics.median(waits), 1),
        "reply_p95_ms": round(percentile(waits, 95), 1),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--conversations", type=int, default=CONVERSATIONS)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--block", type=int, default=500)
    args = parser.parse_args()

    from tests.channels.line_standin import LineStandIn

    with LineStandIn(channel_access_token=TOKEN) as standin:
        line_env = {
            "TASKS_BACKEND": "database",
            "LINE_CHANNEL_SECRET": SECRET,
            "LINE_CHANNEL_ACCESS_TOKEN": TOKEN,
            "LINE_API_URL": standin.url,
            "LINE_API_DATA_URL": standin.url,
        }
        os.environ.update(line_env)
        setup_django(args.database_url)
        plans = prepare(args.conversations)
        with served(args.database_url, **line_env) as base:
            ack = acknowledgement(base, plans, args.rounds, args.block)
            ack["events_kept"] = acknowledgement_cleanup(ack["events_sent"])
            environment = {
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "bench.settings",
                "PYTHONPATH": str(ROOT),
            }
            run = conversations(base, plans, standin, environment)
        talk = check(run, standin)
    print(json.dumps({"acknowledgement": ack, "conversations": talk}))


if __name__ == "__main__":
    main()
