"""Scan to submit in a real phone-sized Chromium: with JavaScript, without it, in Portuguese,
and axe-core's accessibility check on the form, its error state, the receipt and the status."""

import pytest

from reports.models import Report
from tests import factories
from tests.browser import PHONE, chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def photo_file(tmp_path):
    path = tmp_path / "街灯.jpg"
    path.write_bytes(factories.jpeg(size=(1200, 900)).getvalue())
    return path


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
        page.click("summary:has-text('Roads')")  # the kind of thing first (issue 16)
        page.get_by_label("Pothole", exact=True).check()
        page.click("#use-location")
        page.wait_for_function("() => document.querySelector('[name=lat]').value !== ''")
        page.get_by_role("button", name="Send report").click()
        page.wait_for_url("**/r/*?new=1")

    report = Report.objects.get()
    assert report.location_source == "device"
    assert report.location.y == pytest.approx(35.3612, abs=1e-6)
    assert report.location.x == pytest.approx(132.7533, abs=1e-6)


# --- /report/: what kind of thing, then what is wrong, then where ---------------------------


def _location_top(page) -> float:
    return page.evaluate("document.getElementById('id_location').getBoundingClientRect().top")


def test_the_general_form_asks_the_kind_first_with_javascript(
    live_server, pothole, chromium_path, axe
):
    with chromium(
        chromium_path,
        locale="en-US",
        geolocation={"latitude": 35.3612, "longitude": 132.7533},
        permissions=["geolocation"],
        **PHONE,
    ) as session:
        page = session.page
        page.goto(f"{live_server.url}/report/")
        closed_top = _location_top(page)
        page.click("summary:has-text('Parks')")
        page.click("summary:has-text('Roads')")
        open_kinds = page.eval_on_selector_all("details.kind[open]", "all => all.map(d => d.id)")
        page.get_by_label("Pothole", exact=True).check()
        open_top = _location_top(page)
        violations = session.axe_violations()
        page.click("#use-location")
        page.wait_for_function("() => document.querySelector('[name=lat]').value !== ''")
        page.get_by_role("button", name="Send report").click()
        page.wait_for_url("**/r/*?new=1")

    assert closed_top < 700  # the place right after the kinds, on the first screens
    assert open_kinds == ["kind-road"]  # one kind open at a time
    assert open_top < 1400
    assert violations == []
    assert Report.objects.get().category == pothole
    assert session.external == [] and session.errors == []


def test_the_general_form_asks_the_kind_first_without_javascript(
    live_server, pothole, chromium_path
):
    from assets.models import Town

    Town.objects.create(name="今市町", centre=factories.point(132.751, 35.362), radius_m=400)
    with chromium(chromium_path, locale="en-US", java_script_enabled=False, **PHONE) as session:
        page = session.page
        page.goto(f"{live_server.url}/report/")
        closed_top = _location_top(page)
        page.click("summary:has-text('Roads')")
        page.get_by_label("Pothole", exact=True).check()
        page.select_option("#id_town", label="今市町")
        page.fill("#id_address_text", "小学校の正門前")
        page.get_by_role("button", name="Send report").click()
        page.wait_for_url("**/r/*?new=1")

    report = Report.objects.get()
    assert closed_top < 700
    assert (report.category, report.town, report.address_text) == (
        pothole,
        "今市町",
        "小学校の正門前",
    )


def test_the_pin_moves_by_keyboard(live_server, pothole, chromium_path, axe):
    # A high-density phone: Leaflet asks for marker-icon-2x.png, and its shadow (none 404).
    with chromium(chromium_path, locale="en-US", device_scale_factor=3, **PHONE) as session:
        page = session.page
        page.goto(f"{live_server.url}/report/")
        page.click("summary:has-text('Roads')")
        page.get_by_label("Pothole", exact=True).check()
        page.click("#show-map")
        pin = page.get_by_role("button", name="The place of the fault")
        pin.wait_for()
        label_visible = page.get_by_text("The place of the fault", exact=True).is_visible()
        start = page.evaluate("document.querySelector('#map').dataset.center")
        pin.focus()
        ring = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
        for key in ("ArrowRight", "ArrowRight", "ArrowUp", "Shift+ArrowUp"):
            page.keyboard.press(key)
        moved = page.evaluate(
            "() => [+document.querySelector('[name=lat]').value,"
            " +document.querySelector('[name=lon]').value,"
            " document.querySelector('[name=location_source]').value]"
        )
        announced = page.inner_text("#location-status")
        violations = session.axe_violations()
        page.get_by_role("button", name="Send report").click()
        page.wait_for_url("**/r/*?new=1")

    lat, lon, source = moved
    report = Report.objects.get()
    assert start is None and label_visible and ring == "solid"
    assert source == "map" and "Place set" in announced
    assert lat > 35.367 and lon > 132.755  # north and east of the map's centre
    assert report.location_source == "map"
    assert (report.location.y, report.location.x) == pytest.approx((lat, lon), abs=1e-6)
    assert violations == []
    assert session.external == [] and session.errors == []
