"""An inspector's day in the field app, in real Chromium on a 10-inch tablet: sign in,
download the assignment's work pack, lose the network, reload, record 20 inspections with
camera photos (two with a defect at the action grade), close and reopen the app, get the
network back: the server then holds exactly the 20 inspections, each photo once and the two
faults, and the outbox is empty. Then the same with the connection cut in the middle of the
sync (an answer lost after the server committed, a photo cut mid-body) and everything sent
again: still 20."""

import concurrent.futures
import contextlib
import datetime

import pytest
from PIL import ExifTags, Image

from accounts import policy
from inspections import assignments
from inspections.checklists import checklists_install
from inspections.models import Inspection, InspectionPhoto
from qr_labels import services as label_services
from reports.models import Report
from tests import factories
from tests.browser import CHROMIUM_ARGS, Session
from tests.field.plug import Plug

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Machimori-2026"
HERE = {"latitude": 35.3601, "longitude": 132.7502}
TABLET = {
    "viewport": {"width": 800, "height": 1280},
    "is_mobile": True,
    "has_touch": True,
    "locale": "ja-JP",
    "geolocation": HERE,
    "permissions": ["geolocation"],
}
DEFECT_AT = (3, 12)  # the records with a defect at grade III (two poles)


def in_thread(function):
    """The ORM refuses to run beside Playwright's event loop: ask from another thread."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(function).result()


def camera_photo(path, index: int):
    """A photo as a tablet camera takes it: 2600 × 1950, with its time and place in EXIF."""

    def dms(value):
        degrees = int(value)
        minutes = int((value - degrees) * 60)
        return (float(degrees), float(minutes), round(((value - degrees) * 60 - minutes) * 60, 4))

    image = Image.new("RGB", (2600, 1950), (40 + index * 9, 120, 200 - index * 7))
    for x in range(0, 2600, 200):  # some detail, so that each photo is a real JPEG
        image.paste((index * 11 % 255, x % 255, 90), (x, 0, x + 60, 1950))
    exif = image.getexif()
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: dms(35.3602),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: dms(132.7503),
    }
    exif_ifd = exif.get_ifd(ExifTags.IFD.Exif)
    exif_ifd[ExifTags.Base.DateTimeOriginal] = f"2026:12:04 09:{index:02d}:00"
    exif_ifd[ExifTags.Base.OffsetTimeOriginal] = "+09:00"
    image.save(path, "JPEG", exif=exif, quality=88)
    return path


def street_of(city, inspector, manager, tmp_path, *, poles: int, photos: int) -> dict:
    """Security lights of the road section along a street, each with its sticker, assigned
    to the inspector (moved to that section), and camera photos to take of them."""
    checklists_install()
    inspector.organization = city["road"]
    inspector.save()
    lights = [
        factories.asset(
            "security-light",
            owner=city["road"],
            lon=132.7500 + i * 0.0004,
            lat=35.3600,
            ledger_id=f"BH-{i:04d}",
            address=f"今市町{i + 1}丁目",
        )
        for i in range(poles)
    ]
    labels = [
        label_services.label_issue(asset=light, acting_user=policy.SYSTEM) for light in lights
    ]
    assignment = assignments.assignment_create(
        name="今市町 定期点検",
        inspector=inspector,
        assets=[light.pk for light in lights],
        due_on=datetime.date.today() + datetime.timedelta(days=7),
        acting_user=manager,
    )
    shots = [camera_photo(tmp_path / f"camera-{i:02d}.jpg", i) for i in range(photos)]
    return {"lights": lights, "labels": labels, "assignment": assignment, "photos": shots}


@pytest.fixture
def day(catalogue, city, inspector, manager, tmp_path):
    return street_of(city, inspector, manager, tmp_path, poles=8, photos=22)


def outbox_count(page) -> int:
    return int(page.locator("#outbox-count").inner_text())


def sign_in_and_download(page, base, assignment):
    page.goto(f"{base}/field/")
    page.fill("#username", "inspector")
    page.fill("#password", PASSWORD)
    page.click("form.signin button[type=submit]")
    page.locator(".card", has_text=assignment.title).locator("button").click()
    page.wait_for_selector("#asset-list li")
    # The app is installed for offline use once its service worker is active.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")


def record(page, asset_id: int, photos: list, *, defect: bool):
    page.evaluate(f"location.hash = '#/inspect/{asset_id}'")
    page.wait_for_selector("form.inspection")
    page.check("input[name='item-lamp'][value='ok']", force=True)
    if defect:
        page.check("input[name='item-pole_base'][value='defect']", force=True)
        page.select_option("#kind-pole_base", "pole-damaged")
        page.check("input[name='grade-pole_base'][value='III']", force=True)
        page.fill("#measure-pole_base", "22")
        page.fill("#unit-pole_base", "%")
        page.set_input_files("#photo-pole_base", str(photos.pop()))
        page.wait_for_selector("#defect-pole_base .photos img")
        # The overall grade follows the worst defect until the inspector chooses one.
        assert page.is_checked("input[name='overall'][value='III']")
    else:
        page.check("input[name='item-pole_base'][value='ok']", force=True)
        page.check("input[name='overall'][value='I']", force=True)
    page.fill("#item-tilt", "1.5")
    page.set_input_files("#photo-all", str(photos.pop()))
    if not defect:
        page.wait_for_selector("#photos-all img")
    # …with a defect, save at once: the app waits for the photo still being prepared.
    page.fill("#notes", f"点検 {asset_id}")
    page.click("form.inspection button[type=submit]")
    page.wait_for_selector("#asset-list li")


def wait_until(condition, page, *, seconds: float):
    """Poll (the page's CSP refuses Playwright's string predicates, which it evaluates)."""
    for _ in range(int(seconds * 4)):
        if condition():
            return
        page.wait_for_timeout(250)
    assert condition()


def outbox_in_db(page) -> int:
    return page.evaluate(
        """() => new Promise((ok) => { const r = indexedDB.open('machimori-field');
           r.onsuccess = () => { const q = r.result.transaction('outbox').objectStore('outbox')
             .count(); q.onsuccess = () => ok(q.result); }; })"""
    )


@pytest.mark.parametrize("cut", [False, True], ids=["whole", "cut-mid-sync"])
def test_a_day_offline_reaches_the_office_exactly_once(
    live_server, day, chromium_path, cut, request
):
    """Without S3 the photos go through the app server (multipart); with S3 (the cut run)
    straight to the bucket through presigned PUTs, then a confirmation."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    if cut:
        request.getfixturevalue("s3_settings")
    host, port = live_server.thread.host, live_server.thread.port
    plug = Plug(host, port)
    base = plug.url
    lights, assignment = day["lights"], day["assignment"]
    photos = list(day["photos"])
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
            context = browser.new_context(**TABLET)
            s = Session(context.new_page())
            page = s.page
            sign_in_and_download(page, base, assignment)
            assert page.locator("#asset-list li").count() == 8

            # The network goes; the app reloads from its service worker and IndexedDB.
            plug.unplug()
            context.set_offline(True)
            page.reload()
            page.wait_for_selector("#asset-list li")
            assert page.locator("#net").inner_text() == "オフライン"

            for index in range(10):
                record(page, lights[index % 8].pk, photos, defect=index in DEFECT_AT)
            wait_until(lambda: outbox_count(page) == 10, page, seconds=5)

            # The tab is closed (or the browser crashes) and opened again, still offline.
            page.close()
            s = Session(context.new_page())
            page = s.page
            page.goto(f"{base}/field/#/assets?assignment={assignment.pk}")
            page.wait_for_selector("#asset-list li")
            wait_until(lambda: outbox_count(page) == 10, page, seconds=5)
            for index in range(10, 20):
                record(page, lights[index % 8].pk, photos, defect=index in DEFECT_AT)
            wait_until(lambda: outbox_count(page) == 20, page, seconds=5)
            assert outbox_in_db(page) == 20
            assert in_thread(Inspection.objects.count) == 0

            page.evaluate("location.hash = '#/outbox'")
            page.wait_for_selector("#outbox-summary")
            if cut:
                # The sync's answer is lost after the server committed, and a photo is cut
                # in the middle of its body: the app sends everything again.
                plug.cut("/api/v1/inspections/sync/", "answer")
                plug.cut("/photos/", "body")
            plug.plug()
            context.set_offline(False)  # the app syncs by itself when the network returns
            if cut:
                for _ in range(20):
                    page.wait_for_timeout(1500)
                    if outbox_count(page) == 0:
                        break
                    button = page.locator("button.primary", has_text="今すぐ送信")
                    # The outbox redraws as records go: the button may be gone meanwhile.
                    with contextlib.suppress(PlaywrightError):
                        button.click(timeout=2000)
                assert len(plug.cut_done) == 2, plug.cut_done
            wait_until(lambda: outbox_count(page) == 0, page, seconds=90)
            assert outbox_in_db(page) == 0
            empty = "送信箱は空です。すべて送信済みです。"  # the screen redraws a moment later
            wait_until(
                lambda: page.locator("#outbox-summary").inner_text() == empty, page, seconds=5
            )
            assert page.locator(".sent li").count() == 20
            confirmations = [line for line in plug.requests if "/confirm/" in line]
            # With S3 the photos went through presigned uploads (a photo whose PUT fails
            # twice may go through the app server instead); without it, never.
            assert len(confirmations) >= 20 if cut else not confirmations
            assert not s.external, s.external
            assert not s.csp_violations, s.csp_violations
            browser.close()
    finally:
        plug.close()

    inspections = Inspection.objects.filter(asset__in=lights)
    assert inspections.count() == 20
    assert InspectionPhoto.objects.filter(inspection__in=inspections).count() == 22
    assert InspectionPhoto.objects.values("inspection", "sha256").distinct().count() == 22
    shrunk = InspectionPhoto.objects.first()
    assert max(shrunk.width, shrunk.height) <= 2048  # downscaled in the browser (public copy)
    # The date and place read from the camera's EXIF before the shrink reached the server.
    assert not InspectionPhoto.objects.filter(taken_at__isnull=True).exists()
    assert not InspectionPhoto.objects.filter(gps__isnull=True).exists()
    faults = Report.objects.filter(source=Report.Source.INSPECTION)
    assert faults.count() == 2
    assert set(faults.values_list("category__code", flat=True)) == {"pole-damaged"}
    assert inspections.filter(defects__isnull=False).distinct().count() == 2
    assert set(inspections.values_list("overall_grade", flat=True)) == {"I", "III"}
