"""A resident on a slow connection (Chromium's network emulation: 400 ms, 50,000 bytes/s each
way) with a camera photo: the page shrinks it, keeps its GPS, shows the upload's progress,
sends once however often the button is tapped, and a resend after a dropped connection
lands on the same receipt. (The 5 MB, 12-megapixel budget is `bench/slow_phone.py`.)"""

import math

import pytest
from PIL import Image, ImageFilter

from reports.models import Photo, Report
from tests.browser import PHONE, chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SLOW = {"offline": False, "latency": 400, "downloadThroughput": 50_000, "uploadThroughput": 50_000}
# Where the photo says it was taken: 35°22'01.5"N 132°45'30.25"E, in Izumo.
PHOTO_DMS = ((35.0, 22.0, 1.5), (132.0, 45.0, 30.25))
PHOTO_LAT, PHOTO_LON = 35 + 22 / 60 + 1.5 / 3600, 132 + 45 / 60 + 30.25 / 3600


@pytest.fixture
def camera_photo(tmp_path):
    """A 3000×2000 JPEG as a camera writes it (textured, quality 92, about 1.3 MB), with
    EXIF GPS and the time it was taken."""
    size = (3000, 2000)
    texture = Image.effect_noise(size, 60).filter(ImageFilter.GaussianBlur(1))
    image = Image.merge(
        "RGB", (texture, texture.rotate(180), Image.linear_gradient("L").resize(size))
    )
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: PHOTO_DMS[0], 3: "E", 4: PHOTO_DMS[1]})
    exif.get_ifd(0x8769).update({0x9003: "2025:06:01 09:30:00", 0x9011: "+09:00"})
    path = tmp_path / "IMG_0001.JPG"
    image.save(path, "JPEG", quality=92, exif=exif)
    return path


def _metres(point, lat, lon) -> float:
    dy = (point.y - lat) * 111_320
    dx = (point.x - lon) * 111_320 * math.cos(math.radians(lat))
    return math.hypot(dx, dy)


def _slow_phone(session):
    cdp = session.page.context.new_cdp_session(session.page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW)


def test_a_camera_photo_is_shrunk_keeps_its_place_and_reaches_the_receipt(
    live_server, pothole, camera_photo, chromium_path
):
    original_bytes = camera_photo.stat().st_size
    with chromium(chromium_path, locale="en-US", **PHONE) as session:
        page = session.page
        page.goto(f"{live_server.url}/report/")
        _slow_phone(session)
        page.click("summary:has-text('Roads')")
        page.get_by_label("Pothole", exact=True).check()
        page.set_input_files("#id_photos", str(camera_photo))
        posts = []
        page.on("request", lambda r: posts.append(r) if r.method == "POST" else None)
        page.click("button.primary", no_wait_after=True)
        page.wait_for_selector("#send-progress:not([hidden])")
        disabled = page.is_disabled("button.primary")
        page.wait_for_function(
            "() => /%/.test(document.getElementById('upload-status').textContent)", timeout=60_000
        )
        progress_text = page.inner_text("#upload-status")
        page.wait_for_url("**/r/*?new=1", timeout=60_000)
        sent_bytes = len(posts[0].post_data_buffer)

    report = Report.objects.get()
    photo = report.photos.get()
    assert disabled and "Sending:" in progress_text and "KB" in progress_text
    assert sent_bytes < original_bytes / 4  # shrunk in the browser
    assert max(photo.width, photo.height) == 1600
    assert report.location_source == "photo"
    assert _metres(report.location, PHOTO_LAT, PHOTO_LON) < 1
    assert photo.taken_at.isoformat() == "2025-06-01T00:30:00+00:00"
    assert session.external == [] and session.errors == []


def test_a_double_tap_sends_once_and_a_resend_lands_on_the_same_receipt(
    live_server, label, camera_photo, chromium_path
):
    with chromium(chromium_path, locale="en-US", **PHONE) as session:
        page = session.page
        page.goto(f"{live_server.url}/q/{label.code}")
        _slow_phone(session)
        page.get_by_label("Lamp out at night", exact=True).check()
        page.set_input_files("#id_photos", str(camera_photo))
        posts = []
        page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)

        # The first send reaches the server, but its answer is lost on the way back.
        def answer_lost(route):
            route.fetch()
            route.abort("connectionreset")

        page.route(f"**/q/{label.code}", answer_lost, times=1)
        page.evaluate("""() => {
            const button = document.querySelector('button.primary');
            button.click(); button.click();  // a double tap
        }""")
        page.wait_for_function(
            "() => /again/.test(document.getElementById('upload-status').textContent)",
            timeout=60_000,
        )
        after_one_tap = len(posts)
        lost_text = page.inner_text("#upload-status")
        page.click("button.primary", no_wait_after=True)  # the resident sends again
        page.wait_for_url("**/r/*?new=1", timeout=60_000)
        landed = page.url

    report = Report.objects.get()
    assert after_one_tap == 1
    assert "connection was lost" in lost_text
    assert landed.split("/r/")[1].split("?")[0] == report.receipts.get().token
    assert Photo.objects.filter(report=report).count() == 1
    assert session.external == []
    assert [e for e in session.errors if "ERR_CONNECTION_RESET" not in e] == []
