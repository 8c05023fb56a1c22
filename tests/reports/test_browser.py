"""Scan to submit in a real phone-sized Chromium: with JavaScript, without it, in Portuguese,
and axe-core's accessibility check on the form, its error state, the receipt and the status."""

import pytest

from reports.models import Report
from tests import factories
from tests.browser import AXE, PHONE, chromium
from tests.conftest import require

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def photo_file(tmp_path):
    path = tmp_path / "街灯.jpg"
    path.write_bytes(factories.jpeg(size=(1200, 900)).getvalue())
    return path


@pytest.fixture
def axe():
    require(AXE.exists(), f"axe-core ({AXE}; make test fetches it)")


def _scan_to_submit(
    session, base, label, photo_file, *, category_text, submit_text, check_axe=True
):
    page = session.page
    page.goto(f"{base}/q/{label.code}")
    violations = session.axe_violations() if check_axe else []
    page.get_by_label(category_text, exact=True).check()
    page.set_input_files("#id_photos", str(photo_file))
    page.fill("#id_description", "夜になっても点きません")
    page.get_by_role("button", name=submit_text).click()
    page.wait_for_url("**/r/*?new=1")
    return violations


def test_scan_to_submit_with_javascript(live_server, label, photo_file, chromium_path, axe):
    with chromium(chromium_path, locale="en-US", **PHONE) as session:
        page = session.page
        form_violations = _scan_to_submit(
            session,
            live_server.url,
            label,
            photo_file,
            category_text="Lamp out at night",
            submit_text="Send report",
        )
        receipt_text = page.inner_text("main")
        receipt_violations = session.axe_violations()
        page.click(".receipt a")
        page.wait_for_url("**/r/*")
        status_text = page.inner_text("main")
        status_violations = session.axe_violations()
        thumbnail_width = page.evaluate("document.querySelector('.photos img').naturalWidth")

    report = Report.objects.get()
    assert report.number in receipt_text and "Thank you" in receipt_text
    assert "New" in status_text and "夜になっても点きません" in status_text
    assert report.photos.count() == 1 and thumbnail_width > 0
    assert (form_violations, receipt_violations, status_violations) == ([], [], [])
    assert session.external == [] and session.errors == []


def test_scan_to_submit_without_javascript(live_server, label, photo_file, chromium_path):
    with chromium(chromium_path, locale="en-US", java_script_enabled=False, **PHONE) as session:
        _scan_to_submit(
            session,
            live_server.url,
            label,
            photo_file,
            check_axe=False,
            category_text="Flickering",
            submit_text="Send report",
        )
        session.page.click(".receipt a")
        status_text = session.page.inner_text("main")

    report = Report.objects.get()
    assert report.category.code == "flickering" and report.photos.count() == 1
    assert report.number in status_text


def test_scan_to_submit_in_portuguese(live_server, label, photo_file, chromium_path, axe):
    with chromium(
        chromium_path, locale="pt-BR", extra_http_headers={"Accept-Language": "pt-BR"}, **PHONE
    ) as session:
        violations = _scan_to_submit(
            session,
            live_server.url,
            label,
            photo_file,
            category_text="Lâmpada apagada à noite",
            submit_text="Enviar",
        )
        receipt_text = session.page.inner_text("main")

    assert Report.objects.get().language == "pt-br"
    assert "Obrigado" in receipt_text
    assert violations == []


def test_the_error_state_is_announced_and_accessible(live_server, label, chromium_path, axe):
    with chromium(chromium_path, locale="en-US", **PHONE) as session:
        page = session.page
        page.goto(f"{live_server.url}/q/{label.code}")
        page.fill("#id_description", "説明だけ")
        page.get_by_role("button", name="Send report").click()
        page.wait_for_selector("#error-summary")
        focused = page.evaluate("document.activeElement.id")
        kept = page.input_value("#id_description")
        violations = session.axe_violations()

    assert focused == "error-summary"
    assert kept == "説明だけ"
    assert violations == []
    assert not Report.objects.exists()


def test_the_phones_location_places_a_report_without_a_sticker(live_server, pothole, chromium_path):
    with chromium(
        chromium_path,
        locale="en-US",
        geolocation={"latitude": 35.3612, "longitude": 132.7533},
        permissions=["geolocation"],
        **PHONE,
    ) as session:
        page = session.page
        page.goto(f"{live_server.url}/report/")
        page.get_by_label("Pothole", exact=True).check()
        page.click("#use-location")
        page.wait_for_function("document.querySelector('[name=lat]').value !== ''")
        page.get_by_role("button", name="Send report").click()
        page.wait_for_url("**/r/*?new=1")

    report = Report.objects.get()
    assert report.location_source == "device"
    assert report.location.y == pytest.approx(35.3612, abs=1e-6)
    assert report.location.x == pytest.approx(132.7533, abs=1e-6)
