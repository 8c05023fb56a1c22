"""The inspectors' field app (/field/) in Chromium on a 10-inch tablet, served as in
production (gunicorn, collected static files: whitenoise's precompressed copies, pages
gzipped by the middleware), against its three budgets:

1. First load. /field/ in a fresh context, everything the page loads before the network is
   idle (the sign-in screen), summed as transferred: compressed bodies and their headers, as
   DevTools counts them. The service worker is blocked in that context, so that nothing of
   the page comes from its cache and its precache is not counted; the offline install (the
   service worker's precache fetches, in the background) is measured in a second fresh
   context and printed beside it. Leaflet and the QR decoder load when first used, so they
   are left out of the first load (listed if they ever load there). Budget: 150 KB.
2. Opening a work pack of 2,000 assets to its list, CPU throttled 4× (DevTools): from the
   address `#/assets?assignment=N` to the first rows of `#asset-list` in the DOM and the next
   frame drawn. Floor, in the same page with the same throttle, interleaved: the same
   records read from IndexedDB without drawing anything (indexedDB.open, getAll on
   "assets"). Medians of 11 of each. Budget: at most 3× the floor.
3. Saving an inspection with two camera photos (4000×3000 JPEGs, ~4 MB each, with EXIF): from
   choosing them in the form to their thumbnails shown, plus from pressing save to the
   record in the outbox (the bar's count), as the page's own clock sees it (not the time
   the test driver takes between the two). Floor, in the same page, interleaved: the
   downscale alone of the same two files (photos.js `shrink`). Medians of 5 of each, after
   one round that loads exifr; each saved record is let sync before the next round, so no
   upload runs beside it. Not CPU-throttled. Budget: at most 2× the floor.

Data: a SpatiaLite database made afresh each run: 2,000 security lights of one section,
with their stickers, last grades and due dates, an inspector and a manager, and one
assignment of all 2,000 (inspections.assignments.ASSIGNMENT_MAX_ASSETS is 2,000). Prints
one JSON line. Run by bench/run.py.
"""

import argparse
import datetime
import io
import json
import random
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import served, setup_django
from photos import phone_jpeg

ASSETS = 2000
PASSWORD = "bench-Machimori-2026"
CHROMIUM_ARGS = [  # as tests/browser.py
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TABLET = {  # as tests/field/test_field_day_browser.py
    "viewport": {"width": 800, "height": 1280},
    "is_mobile": True,
    "has_touch": True,
    "locale": "ja-JP",
    "geolocation": {"latitude": 35.3601, "longitude": 132.7502},
    "permissions": ["geolocation"],
}
LAZY = ("/vendor/leaflet/", "/zxing-wasm/reader/")  # loaded when first used


def prepare() -> dict:
    """2,000 security lights of one section, an inspector and an assignment of them all."""
    from django.contrib.gis.geos import Point
    from django.core.management import call_command

    from accounts import policy
    from accounts.models import Organization, User
    from assets.models import Asset, AssetType
    from demo.streets import _light_attributes
    from inspections import assignments
    from inspections.checklists import checklists_install
    from qr_labels import services as label_services

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_catalogue", verbosity=0)
    checklists_install()
    if Asset.objects.exists():
        raise SystemExit("the field app bench needs an empty database")
    city = Organization.objects.create(code="bench-city", name="出雲市", kind="city")
    section = Organization.objects.create(
        code="bench-doro", name="道路河川維持課", kind="section", parent=city
    )
    manager = User.objects.create_user(
        "bench-manager", password=PASSWORD, organization=section, role="manager"
    )
    User.objects.create_user(
        "bench-inspector", password=PASSWORD, organization=section, role="inspector"
    )
    light = AssetType.objects.get(code="security-light")
    grades = {g["code"]: g["rank"] for g in light.grading_scale.as_dict()["grades"]}
    rng = random.Random(2000)
    today = datetime.date.today()
    rows = []
    for index in range(ASSETS):
        row, column = divmod(index, 50)
        grade = rng.choices(list(grades), weights=[50, 35, 12, 3][: len(grades)])[0]
        last = today - datetime.timedelta(days=rng.randrange(30, 5 * 365))
        attributes, internal = _light_attributes(rng, street=False)
        rows.append(
            Asset(
                asset_type=light,
                owner=section,
                ledger_id=f"BH-{index:05d}",
                address=f"出雲市今市町{row // 4 + 1}丁目{column + 1}",
                geom=Point(132.7400 + column * 0.0005, 35.3500 + row * 0.0004, srid=4326),
                attributes=attributes,
                internal_attributes=internal,
                install_date=last - datetime.timedelta(days=rng.randrange(365, 20 * 365)),
                condition_grade=grade,
                condition_rank=grades[grade],
                last_inspected_on=last,
                next_inspection_due=last + datetime.timedelta(days=5 * 365),
            )
        )
    Asset.objects.bulk_create(rows, batch_size=1000)
    lights = Asset.objects.filter(owner=section).order_by("id")
    label_services.labels_issue_missing(assets=lights, acting_user=policy.SYSTEM)
    ids = list(lights.values_list("pk", flat=True))
    rng.shuffle(ids)  # a route through the district, not in ledger order
    assignment = assignments.assignment_create(
        name="今市町 全域 定期点検",
        inspector=User.objects.get(username="bench-inspector"),
        assets=ids,
        due_on=today + datetime.timedelta(days=30),
        acting_user=manager,
    )
    return {"assignment": assignment.pk, "title": assignment.title, "assets": ids}


def camera_photo(path: Path, index: int) -> Path:
    """A tablet camera's photo: 4000×3000 of noisy detail (so that it does not
    compress to nothing; ~4 MB), upright by its EXIF Orientation, with its time and place."""
    from PIL import ExifTags, Image

    image = Image.open(io.BytesIO(phone_jpeg()))
    exif = image.getexif()
    exif_ifd = exif.get_ifd(ExifTags.IFD.Exif)
    exif_ifd[ExifTags.Base.DateTimeOriginal] = f"2026:12:04 09:{index:02d}:00"
    exif_ifd[ExifTags.Base.OffsetTimeOriginal] = "+09:00"
    image.save(path, "JPEG", quality=92, exif=exif)
    return path


# --- 1. First load and the offline install -------------------------------------------------


def first_load(browser, base: str) -> dict:
    """Bytes on the wire for /field/ until the network is idle, service worker blocked."""
    context = browser.new_context(service_workers="block", **TABLET)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    responses, finished = {}, {}
    cdp.on("Network.responseReceived", lambda e: responses.__setitem__(e["requestId"], e))
    cdp.on(
        "Network.loadingFinished",
        lambda e: finished.__setitem__(e["requestId"], e["encodedDataLength"]),
    )
    page.goto(f"{base}/field/", wait_until="networkidle")
    page.wait_for_selector("form.signin")
    page.wait_for_load_state("networkidle")
    files, lazy = [], []
    for request_id, event in responses.items():
        response = event["response"]
        url = response["url"].removeprefix(base)
        if url.startswith("data:"):
            continue
        headers = {k.lower(): v for k, v in response["headers"].items()}
        entry = {
            "url": url,
            "bytes": round(finished.get(request_id, 0)),
            "encoding": headers.get("content-encoding", ""),
        }
        (lazy if url.startswith(tuple(f"/static{p}" for p in LAZY)) else files).append(entry)
    context.close()
    files.sort(key=lambda f: -f["bytes"])
    return {
        "bytes": sum(f["bytes"] for f in files),
        "requests": len(files),
        "uncompressed": [f["url"] for f in files if not f["encoding"] and f["bytes"] > 1400],
        "files": files,
        "lazy_loaded": lazy,
    }


def offline_install(browser, base: str) -> dict:
    """Bytes the service worker fetches to install the app for offline use (its precache)."""
    context = browser.new_context(**TABLET)
    page = context.new_page()
    requests = []
    context.on("requestfinished", lambda r: requests.append(r))
    page.goto(f"{base}/field/", wait_until="networkidle")
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_timeout(500)
    fetched = [r for r in requests if r.service_worker is not None]
    sizes = [r.sizes() for r in fetched]
    total = sum(s["responseBodySize"] + s["responseHeadersSize"] for s in sizes)
    files = sorted(
        (
            {"url": r.url.removeprefix(base), "bytes": s["responseBodySize"]}
            for r, s in zip(fetched, sizes, strict=True)
        ),
        key=lambda f: -f["bytes"],
    )
    context.close()
    return {"bytes": total, "requests": len(fetched), "largest": files[:6]}


# --- Signed in, the pack downloaded ---------------------------------------------------------


def sign_in_and_download(page, base: str, title: str) -> None:
    page.goto(f"{base}/field/")
    page.fill("#username", "bench-inspector")
    page.fill("#password", PASSWORD)
    page.click("form.signin button[type=submit]")
    page.locator(".card", has_text=title).locator("button").click()
    page.wait_for_selector("#asset-list li", timeout=120_000)
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")


# --- 2. The list of 2,000, CPU throttled ----------------------------------------------------

# Leave the list for the settings screen (light: no assets read), then open the address and
# time it until the first rows are in the DOM and the frame after them is drawn.
OPEN_LIST = """async (hash) => {
  const view = document.getElementById('view');
  const screen = (ready) => new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      if (ready()) { observer.disconnect(); resolve(performance.now()); }
    });
    observer.observe(view, { childList: true, subtree: true });
  });
  const left = screen(
    () => !document.getElementById('asset-list') && view.querySelector('dl.facts'));
  location.hash = '#/settings';
  await left;
  await new Promise((resolve) => setTimeout(resolve, 300));
  const drawn = screen(() => document.querySelector('#asset-list li'));
  const started = performance.now();
  location.hash = hash;
  const rows = await drawn;
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  return { rows_ms: rows - started, drawn_ms: performance.now() - started,
           rows: document.querySelectorAll('#asset-list li').length };
}"""

READ_ALL = """async () => {
  const started = performance.now();
  const base = await new Promise((resolve, reject) => {
    const request = indexedDB.open('machimori-field');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const rows = await new Promise((resolve, reject) => {
    const request = base.transaction('assets').objectStore('assets').getAll();
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const ms = performance.now() - started;
  base.close();
  return { ms, rows: rows.length };
}"""


def list_timings(page, assignment: int, rounds: int) -> dict:
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
    hash_ = f"#/assets?assignment={assignment}"
    page.evaluate(OPEN_LIST, hash_)  # warm: modules compiled, caches filled
    page.evaluate(READ_ALL)
    floors, opens, rows_in_dom = [], [], []
    for _ in range(rounds):
        floor = page.evaluate(READ_ALL)
        opened = page.evaluate(OPEN_LIST, hash_)
        if floor["rows"] != ASSETS or opened["rows"] < 1:
            raise SystemExit(f"unexpected: {floor} {opened}")
        floors.append(floor["ms"])
        opens.append(opened["drawn_ms"])
        rows_in_dom.append(opened["rows_ms"])
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
    cdp.detach()
    floor_ms, open_ms = statistics.median(floors), statistics.median(opens)
    return {
        "cpu_throttle": 4,
        "rows_drawn": opened["rows"],
        "floor_ms": round(floor_ms, 1),
        "open_ms": round(open_ms, 1),
        "rows_in_dom_ms": round(statistics.median(rows_in_dom), 1),
        "ratio": round(open_ms / floor_ms, 2),
    }


# --- 3. Saving an inspection with two photos ------------------------------------------------

# The page's clock: photos chosen (the change event, before the app's own handler), both
# thumbnails decoded, save pressed, the record counted in the outbox.
SAVE_WATCH = """() => {
  const times = {};
  window.__bench = times;
  const badge = document.getElementById('outbox-count');
  const before = Number(badge.textContent);
  document.addEventListener('change', (e) => {
    if (e.target.id === 'photo-all') times.chosen = performance.now();
  }, { capture: true });
  document.addEventListener('submit', () => {
    times.pressed = performance.now();
  }, { capture: true, once: true });
  times.saved = new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      if (Number(badge.textContent) > before) { observer.disconnect(); resolve(performance.now()); }
    });
    observer.observe(badge, { childList: true, characterData: true, subtree: true });
  });
}"""

THUMBNAILS = """async () => {
  const box = document.getElementById('photo-all').parentElement.querySelector('ul.photos');
  await new Promise((resolve) => {
    const check = () => box.querySelectorAll('img').length >= 2;
    if (check()) return resolve();
    const observer = new MutationObserver(() => {
      if (check()) { observer.disconnect(); resolve(); }
    });
    observer.observe(box, { childList: true, subtree: true });
  });
  await Promise.all([...box.querySelectorAll('img')].map((img) => img.decode().catch(() => null)));
  window.__bench.thumbnails = performance.now();
  return box.querySelectorAll('img').length;
}"""

SAVED = """async () => {
  const times = window.__bench;
  const saved = await times.saved;
  return { prepare_ms: times.thumbnails - times.chosen, save_ms: saved - times.pressed };
}"""

SHRINK = """async () => {
  const { shrink } = await import('/static/field/js/photos.js');
  const files = [...document.getElementById('bench-files').files];
  const started = performance.now();
  const sizes = [];
  for (const file of files) sizes.push((await shrink(file)).blob.size);
  return { ms: performance.now() - started, sizes };
}"""


def outbox_empty(page) -> None:
    """Wait till the app has sent what it saved (so no upload runs beside the next round)."""
    for _ in range(240):
        if page.locator("#outbox-count").inner_text() == "0":
            return
        page.wait_for_timeout(250)
    raise SystemExit("the outbox did not empty")


def save_timings(page, asset_ids: list[int], photos: list[Path], rounds: int) -> dict:
    page.evaluate(
        """() => { const input = Object.assign(document.createElement('input'),
             { type: 'file', id: 'bench-files', multiple: true, hidden: true });
           document.body.append(input); }"""
    )
    page.set_input_files("#bench-files", [str(p) for p in photos])
    floors, saves, prepares, presses = [], [], [], []
    for number in range(rounds + 1):  # the first round warms up (exifr loads)
        floor = page.evaluate(SHRINK)
        page.evaluate(f"location.hash = '#/inspect/{asset_ids[number]}'")
        page.wait_for_selector("form.inspection")
        page.check("input[name='item-lamp'][value='ok']", force=True)
        page.check("input[name='overall'][value='I']", force=True)
        page.evaluate(SAVE_WATCH)
        page.set_input_files("#photo-all", [str(p) for p in photos])
        if page.evaluate(THUMBNAILS) != 2:
            raise SystemExit("two thumbnails expected")
        page.click("form.inspection button[type=submit]")
        timed = page.evaluate(SAVED)
        page.wait_for_selector("#asset-list li")
        outbox_empty(page)
        if number:
            floors.append(floor["ms"])
            prepares.append(timed["prepare_ms"])
            presses.append(timed["save_ms"])
            saves.append(timed["prepare_ms"] + timed["save_ms"])
    floor_ms, save_ms = statistics.median(floors), statistics.median(saves)
    return {
        "photos": len(photos),
        "photo_bytes": sum(p.stat().st_size for p in photos),
        "shrunk_bytes": sum(floor["sizes"]),
        "floor_ms": round(floor_ms, 1),
        "save_ms": round(save_ms, 1),
        "prepare_ms": round(statistics.median(prepares), 1),
        "press_to_outbox_ms": round(statistics.median(presses), 1),
        "ratio": round(save_ms / floor_ms, 2),
    }


def journey(base: str, data: dict, photos: list[Path], rounds: int, save_rounds: int) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        result = {"first_load": first_load(browser, base)}
        result["offline_install"] = offline_install(browser, base)
        context = browser.new_context(**TABLET)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        try:
            sign_in_and_download(page, base, data["title"])
            result["list"] = list_timings(page, data["assignment"], rounds)
            result["save"] = save_timings(page, data["assets"], photos, save_rounds)
        except Exception:
            raise SystemExit("\n".join(errors)) from None
        browser.close()
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rounds", type=int, default=11, help="list openings timed")
    parser.add_argument("--save-rounds", type=int, default=5, help="inspections saved")
    args = parser.parse_args()

    setup_django(args.database_url)
    data = prepare()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)  # served as in production
    folder = Path(tempfile.mkdtemp())
    photos = [camera_photo(folder / f"IMG_{n:04d}.JPG", n) for n in (1, 2)]
    environment = {"MAP_TILE_URL": "", "MEDIA_ROOT": str(folder / "media")}
    with served(args.database_url, **environment) as base:
        result = journey(base, data, photos, args.rounds, args.save_rounds)
    result["assets"] = ASSETS
    print(json.dumps(result))


if __name__ == "__main__":
    main()
