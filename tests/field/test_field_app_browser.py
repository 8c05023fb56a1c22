"""The field app's screens in real Chromium on a tablet: a sticker scanned with the camera
(a real label's QR code played as a fake camera; Chromium on Linux has no BarcodeDetector,
so the vendored zxing-wasm decodes it), a code typed with look-alike letters, the form's
refusals keeping what was entered, a draft surviving a reload, axe on every screen, and a
token revoked in the middle of a sync: the sync stops with a clear message, nothing leaves
the outbox, and after signing in again everything arrives once."""

import datetime
import io

import pytest
from django.db import connection
from PIL import Image

from accounts.models import DeviceToken
from inspections.models import Inspection, InspectionPhoto
from qr_labels import qr
from tests.browser import AXE, CHROMIUM_ARGS, Session
from tests.conftest import require
from tests.field.fakecam import y4m_from_image
from tests.field.plug import Plug
from tests.field.test_field_day_browser import (
    TABLET,
    in_thread,
    outbox_count,
    record,
    sign_in_and_download,
    street_of,
    wait_until,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def street(catalogue, city, inspector, manager, tmp_path):
    return street_of(city, inspector, manager, tmp_path, poles=4, photos=6)


def browser_with(playwright, chromium_path, *extra):
    return playwright.chromium.launch(
        executable_path=chromium_path, args=CHROMIUM_ARGS + list(extra)
    )


def test_scanning_a_sticker_with_the_camera_opens_its_asset(
    live_server, street, chromium_path, settings, tmp_path
):
    from playwright.sync_api import sync_playwright

    settings.PUBLIC_BASE_URL = live_server.url
    light, label = street["lights"][2], street["labels"][2]
    image = Image.open(io.BytesIO(qr.png(label.code, scale=8)))
    camera = y4m_from_image(image, tmp_path / "sticker.y4m")
    with sync_playwright() as playwright:
        browser = browser_with(
            playwright,
            chromium_path,
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={camera}",
        )
        s = Session(browser.new_context(**TABLET).new_page())
        page = s.page
        sign_in_and_download(page, live_server.url, street["assignment"])
        assert page.evaluate("'BarcodeDetector' in window") is False
        page.click("button:has-text('ステッカーを読み取る')")
        page.wait_for_selector(f"h1:has-text('{light.ledger_id}')", timeout=30000)
        assert page.locator("h1").inner_text() == f"{light.ledger_id} 防犯灯"
        assert label.code in page.locator(".facts").inner_text()
        assert not s.errors, s.errors
        assert not s.csp_violations, s.csp_violations
        browser.close()


def test_the_screens_find_refuse_keep_and_pass_axe(live_server, street, chromium_path):
    from playwright.sync_api import sync_playwright

    require(AXE.exists(), f"axe-core ({AXE})")
    light, label = street["lights"][1], street["labels"][1]
    violations = {}
    with sync_playwright() as playwright:
        browser = browser_with(playwright, chromium_path)
        s = Session(browser.new_context(**TABLET).new_page())
        page = s.page
        page.goto(f"{live_server.url}/field/")
        page.wait_for_selector("#username")
        violations["sign-in"] = s.axe_violations()
        page.fill("#username", "inspector")
        page.fill("#password", "wrong password")
        page.click("form.signin button[type=submit]")
        page.wait_for_selector("form.signin .error:not([hidden])")
        assert page.locator("form.signin .error").inner_text() == (
            "ユーザー名またはパスワードが違います。"
        )
        assert page.input_value("#username") == "inspector"  # kept
        sign_in_and_download(page, live_server.url, street["assignment"])
        violations["list"] = s.axe_violations()

        # A code typed as read off a weathered sticker: lower case, O for 0, a dash.
        typed = label.code.lower().replace("0", "o")
        page.fill("#code", f"{typed[:4]}-{typed[4:]}")
        page.click("form.finder button[type=submit]")
        page.wait_for_selector(f"h1:has-text('{light.ledger_id}')")
        violations["asset"] = s.axe_violations()
        page.evaluate("location.hash = '#/assets'")
        page.fill("#code", "ZZZZZZZZ")
        page.click("form.finder button[type=submit]")
        page.wait_for_selector("form.finder .error:not([hidden])")
        assert "このタブレットの施設にありません" in page.locator("form.finder .error").inner_text()

        # The form refuses what is missing, keeps what was typed, and keeps a draft.
        page.evaluate(f"location.hash = '#/inspect/{light.pk}'")
        page.wait_for_selector("form.inspection")
        page.check("input[name='item-pole_base'][value='defect']", force=True)
        page.fill("#notes", "地際に錆")
        page.click("form.inspection button[type=submit]")
        page.wait_for_selector(".errors:not([hidden])")
        errors = page.locator(".errors").inner_text()
        assert "総合判定を選んでください。" in errors
        assert "各損傷の種類を選んでください。" in errors
        assert page.input_value("#notes") == "地際に錆"
        violations["form with errors"] = s.axe_violations()
        page.wait_for_timeout(500)  # the draft is written as one types
        page.reload()
        page.wait_for_selector("form.inspection")
        assert page.input_value("#notes") == "地際に錆"
        assert page.is_checked("input[name='item-pole_base'][value='defect']")
        page.evaluate("location.hash = '#/outbox'")
        page.wait_for_selector("#outbox-summary")
        violations["outbox"] = s.axe_violations()
        page.evaluate("location.hash = '#/settings'")
        page.wait_for_selector("button.danger")
        violations["settings"] = s.axe_violations()
        assert not s.csp_violations, s.csp_violations
        assert not s.external, s.external
        browser.close()
    assert violations == {screen: [] for screen in violations}, violations


def test_a_token_revoked_in_the_middle_of_a_sync_stops_it_and_keeps_the_outbox(
    live_server, street, chromium_path
):
    from playwright.sync_api import sync_playwright

    plug = Plug(live_server.thread.host, live_server.thread.port)
    lights, photos = street["lights"], list(street["photos"])

    def revoke():
        # The office signs the tablet out while its records are on their way.
        DeviceToken.objects.filter(revoked_at__isnull=True).update(
            revoked_at=datetime.datetime.now(datetime.UTC)
        )
        connection.close()

    try:
        with sync_playwright() as playwright:
            browser = browser_with(playwright, chromium_path)
            context = browser.new_context(**TABLET)
            s = Session(context.new_page())
            page = s.page
            sign_in_and_download(page, plug.url, street["assignment"])
            plug.unplug()
            context.set_offline(True)
            for light in lights[:3]:
                record(page, light.pk, photos, defect=False)
            wait_until(lambda: outbox_count(page) == 3, page, seconds=5)
            # The records reach the server; the first photo meets a revoked token.
            plug.before("/photos/", revoke)
            plug.plug()
            context.set_offline(False)
            page.wait_for_selector("form.signin", timeout=30000)
            assert "送信箱の 3 件は消えずに残り" in page.locator(".notice").inner_text()
            assert outbox_count(page) == 3
            assert in_thread(Inspection.objects.count) == 3
            assert in_thread(InspectionPhoto.objects.count) == 0

            page.fill("#password", "pw-Machimori-2026")
            page.click("form.signin button[type=submit]")
            wait_until(lambda: outbox_count(page) == 0, page, seconds=60)
            browser.close()
    finally:
        plug.close()
    assert Inspection.objects.count() == 3
    assert InspectionPhoto.objects.count() == 3
    assert DeviceToken.objects.filter(revoked_at__isnull=True).count() == 1  # the new one


def test_a_record_held_by_the_office_shows_both_versions(live_server, street, chromium_path, city):
    """The asset passed to the parks section while the inspector was out: the record is
    held (quarantined), and the outbox says so with the record, the asset's owner now and
    what the office will do; nothing is lost or resent."""
    from playwright.sync_api import sync_playwright

    from assets.models import Asset
    from inspections.models import Quarantine

    light = street["lights"][0]
    with sync_playwright() as playwright:
        browser = browser_with(playwright, chromium_path)
        context = browser.new_context(**TABLET)
        s = Session(context.new_page())
        page = s.page
        sign_in_and_download(page, live_server.url, street["assignment"])
        context.set_offline(True)
        record(page, light.pk, list(street["photos"]), defect=False)

        def pass_to_parks():
            moved = Asset.objects.get(pk=light.pk)
            moved.owner = city["parks"]
            moved.save()
            connection.close()

        in_thread(pass_to_parks)
        page.evaluate("location.hash = '#/outbox'")
        context.set_offline(False)
        page.wait_for_selector(".state-conflict .version:has-text('現在の管理者')", timeout=30000)
        card = page.locator(".state-conflict").inner_text()
        assert "事務所で保留中" in card
        assert "ダウンロード後にこの施設の担当課が変わりました" in card
        assert "管理者が両方を比べ、正しい方を採用します" in card
        assert "あなたの記録" in card and "I 健全" in card
        assert f"現在の管理者: {city['parks'].name}" in card
        assert outbox_count(page) == 1  # kept on the tablet, not sent again and again
        assert not s.csp_violations, s.csp_violations
        browser.close()
    assert Quarantine.objects.filter(reason="owner_changed").count() == 1
    assert Inspection.objects.count() == 0
