"""A resident on a slow phone connection sends a 12-megapixel camera photo (about 5 MB).

Chromium (Playwright, a phone viewport) under DevTools network emulation: 400 kbit/s each
way (50,000 bytes/s) and 400 ms latency. The resident opens /report/, chooses the kind and
the fault, adds the photo and presses send; the clock runs from the press to the receipt
page. The page shrinks the photo to 1600 px in the browser and sends the GPS it read from the
original, so the report must stand where the photo was taken (within 1 m).

Floor, on the same emulated link in the same run: one POST of exactly as many bytes as the
form sent (both sends, when it asked which thing it was), to a view that does nothing
(bench/bare), and its answer: what the link alone costs for what was sent. Budget: the
journey within 15 s (the issue's figure); its ratio to the floor is printed as well. Prints
one JSON line. Run by bench/run.py.
"""

import argparse
import io
import json
import math
import tempfile
import time
from pathlib import Path

from common import ensure_seeded, served, setup_django
from photos import phone_jpeg

SLOW = {"offline": False, "latency": 400, "downloadThroughput": 50_000, "uploadThroughput": 50_000}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
# Where phone_jpeg says the photo was taken: 35°22'01.5"N 132°45'30.25"E.
PHOTO_LAT, PHOTO_LON = 35 + 22 / 60 + 1.5 / 3600, 132 + 45 / 60 + 30.25 / 3600


def camera_photo(folder: Path) -> Path:
    """A 4000×3000 phone JPEG of about 5 MB, with its GPS position."""
    from PIL import Image

    data = phone_jpeg()
    quality = 90
    while len(data) < 4_800_000 and quality < 98:
        quality += 2
        image = Image.open(io.BytesIO(data))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=quality, exif=image.info["exif"])
        data = buffer.getvalue()
    path = folder / "IMG_0001.JPG"
    path.write_bytes(data)
    return path


def metres(lat: float, lon: float) -> float:
    dy = (lat - PHOTO_LAT) * 111_320
    dx = (lon - PHOTO_LON) * 111_320 * math.cos(math.radians(PHOTO_LAT))
    return math.hypot(dx, dy)


def journey(base: str, photo: Path) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context(locale="ja-JP", **PHONE)
        page = context.new_page()
        console = []
        page.on("console", lambda m: console.append(m.text))
        page.on("pageerror", lambda e: console.append(str(e)))
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", SLOW)
        page.goto(f"{base}/report/", timeout=120_000)
        page.click("details#kind-road > summary")
        page.check("input[name=category][value=pothole]")
        page.set_input_files("#id_photos", str(photo))
        sent = []
        page.on("request", lambda r: sent.append(r) if r.method == "POST" else None)
        started = time.monotonic()
        page.click("button.primary", no_wait_after=True)
        # The general form may ask which of the things nearby it is (a road segment 10 m
        # away): the resident taps it and sends again; their reading time is not counted.
        page.wait_for_function(
            "() => /[/]r[/]/.test(location.pathname)"
            " || document.querySelector('input[name=asset_choice]:not([value=none])')",
            timeout=120_000,
        )
        seconds = time.monotonic() - started
        asked = "/r/" not in page.url
        if asked:
            page.wait_for_load_state("load")
            page.check("input[name=asset_choice]:not([value=none])")
            started = time.monotonic()
            page.click("button.primary", no_wait_after=True)
        try:
            page.wait_for_url("**/r/*?new=1", timeout=120_000)
        except Exception:
            raise SystemExit(
                "no receipt: "
                + page.url
                + "\n"
                + "\n".join(console)
                + page.evaluate("() => document.body.innerText.slice(0, 1500)")
            ) from None
        page.wait_for_load_state("load")
        if asked:
            seconds += time.monotonic() - started
        posts = len(sent)
        body_size = sum(int(request.all_headers().get("content-length", 0)) for request in sent)
        # The floor: the same number of bytes over the same link, to a view that does nothing.
        page.goto(f"{base}/report/", timeout=120_000)
        console.clear()
        try:
            floor = page.evaluate(
                """(size) => new Promise((resolve, reject) => {
                // As the page sends a form: XMLHttpRequest, the bytes as one file.
                const form = new FormData();
                const bytes = new Blob([new Uint8Array(size)], {type: 'image/jpeg'});
                form.append('photos', bytes, 'x.jpg');
                const request = new XMLHttpRequest();
                const started = performance.now();
                request.onload = () => resolve((performance.now() - started) / 1000);
                request.onerror = reject;
                request.open('POST', '/bench/bare');
                request.send(form);
            })""",
                body_size,
            )
        except Exception:
            raise SystemExit("floor failed: " + "\n".join(console)) from None
        browser.close()
    return {
        "seconds": seconds,
        "floor": floor,
        "bytes_sent": body_size,
        "posts": posts,
        "asked_which_asset": asked,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args()

    setup_django(args.database_url)
    ensure_seeded(1000)
    from django.core.management import call_command

    from reports.models import Report

    call_command("collectstatic", interactive=False, verbosity=0)  # served as in production

    folder = Path(tempfile.mkdtemp())
    photo = camera_photo(folder)
    environment = {
        "MAP_TILE_URL": "",  # no tile server on the emulated link
        "MEDIA_ROOT": str(folder / "media"),
    }
    with served(args.database_url, **environment) as base:
        before = Report.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        result = journey(base, photo)
    report = Report.objects.filter(pk__gt=before).order_by("pk").first()
    if report is None:
        raise SystemExit("no report arrived")
    print(
        json.dumps(
            {
                "photo_bytes": photo.stat().st_size,
                "bytes_sent": result["bytes_sent"],
                "posts": result["posts"],
                "asked_which_asset": result["asked_which_asset"],
                "seconds": round(result["seconds"], 2),
                "floor_seconds": round(result["floor"], 2),
                "ratio": round(result["seconds"] / result["floor"], 2),
                "location_source": report.location_source,
                "metres_from_photo": round(metres(report.location.y, report.location.x), 3),
            }
        )
    )


if __name__ == "__main__":
    main()
