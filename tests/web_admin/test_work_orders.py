"""Work orders on paper (作業指示書): what a sheet shows, where its QR code leads, who may
print one, and when printing makes a contractor's link."""

import datetime
import io
import re
import shutil
import subprocess
from itertools import pairwise
from unicodedata import normalize

import pytest
import zxingcpp
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image, ImageDraw

from reports import owner_links, services
from reports.models import OwnerLink, ReportEvent
from reports.work_orders import MAX_SELECTION, map_excerpt
from tests import factories
from tests.browser import AXE, chromium
from tests.conftest import client_for, require

DUE = datetime.date(2026, 6, 30)
GSI = "https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png"


def sheet_url(report) -> str:
    return f"/manage/reports/{report.number}/work-order/"


def selection_url(*reports) -> str:
    return "/manage/work-orders/?" + "&".join(f"r={r.number}" for r in reports)


def qr_codes(html: str) -> list[str]:
    """What each QR symbol on the page decodes to, read by a real decoder from the SVG's
    path drawn at 8 pixels a module."""
    found = []
    for size, path in re.findall(r'<svg[^>]*viewBox="0 0 (\d+) \1" class="qr".*?d="([^"]+)"', html):
        scale, size = 8, int(size)
        image = Image.new("L", (size * scale, size * scale), 255)
        draw = ImageDraw.Draw(image)
        for x, y, length in re.findall(r"M(\d+),(\d+)h(\d+)", path):
            x, y, length = int(x) * scale, int(y) * scale, int(length) * scale
            draw.rectangle([x, y, x + length - 1, y + scale - 1], fill=0)
        found += [result.text for result in zxingcpp.read_barcodes(image)]
    return found


def staff_page(report, settings) -> str:
    return f"{settings.PUBLIC_BASE_URL}/manage/reports/{report.number}/"


@pytest.fixture
def work(submit, lamp_out, light, city, section_staff):
    """A lamp out, answered, with a photo the resident did not share, given to the road
    section's contractor (nobody signs in for it) by a date."""
    report = submit(
        lamp_out,
        asset=light,
        answers={"since": "days"},
        description="電柱の横の灯りが消えています",
        email="resident@example.com",
        phone="090-0000-0000",
        photos=[factories.photo()],
    )
    services.report_assign(
        report=report, assignee=city["contractor"], due_on=DUE, acting_user=section_staff
    )
    mail.outbox.clear()
    return report


@pytest.fixture
def pothole_work(submit, pothole, catalogue, city, section_staff):
    road = factories.asset("road-segment", owner=city["road"], ledger_id="RD-0042", lon=132.76)
    report = submit(
        pothole,
        asset=road,
        answers={"width": "30to100", "depth_cm": 12},
        share=True,
        photos=[factories.photo()],
    )
    services.report_assign(
        report=report, assignee=city["road"], due_on=DUE, acting_user=section_staff
    )
    return report


# --- What a sheet shows -----------------------------------------------------------------------


def test_a_sheet_shows_the_report_its_asset_answers_due_date_and_contractor(work, section_staff):
    response = client_for(section_staff).get(sheet_url(work))

    assert response.status_code == 200
    html = response.content.decode()
    assert work.number in html
    assert "BH-0001" in html and "今市町1丁目" in html
    assert "夜間に点灯しない" in html
    assert "いつからですか: <strong>数日前から</strong>" in html
    assert "since" not in html and "days</" not in html
    assert "2026-06-30" in html
    assert "出雲電設" in html
    assert html.count('<article class="sheet"') == 1
    assert "no-store" in response["Cache-Control"]


def test_answers_that_are_numbers_carry_their_unit_and_choices_their_label(
    pothole_work, section_staff
):
    html = client_for(section_staff).get(sheet_url(pothole_work)).content.decode()

    assert "大きさ（幅）はどのくらいですか: <strong>30cm〜1m</strong>" in html
    assert "深さ（cm、わかれば）: <strong>12 cm</strong>" in html
    assert "RD-0042" in html


def test_the_resident_is_never_on_the_sheet_and_their_words_only_when_shared(work, section_staff):
    html = (
        client_for(section_staff).get(sheet_url(work), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )

    assert "resident@example.com" not in html and "090-0000-0000" not in html
    # The contractor is outside the city and the resident did not agree to share.
    assert "電柱の横の灯りが消えています" not in html
    assert "/manage/photos/" not in html
    assert "1 photo is not printed" in html


def test_the_residents_words_and_photo_are_printed_when_they_agreed_to_share(
    submit, lamp_out, light, city, section_staff
):
    report = submit(
        lamp_out, asset=light, description="消えています", share=True, photos=[factories.photo()]
    )
    services.report_assign(report=report, assignee=city["contractor"], acting_user=section_staff)
    photo = report.photos.get()

    html = client_for(section_staff).get(sheet_url(report)).content.decode()

    assert "消えています" in html
    assert f"/manage/photos/{photo.token}/thumb" in html


def test_work_kept_within_the_city_prints_every_photo_of_the_fault(
    submit, lamp_out, light, city, section_staff
):
    report = submit(lamp_out, asset=light, photos=[factories.photo(), factories.photo()])
    services.report_assign(report=report, assignee=city["road"], acting_user=section_staff)

    html = client_for(section_staff).get(sheet_url(report)).content.decode()

    for photo in report.photos.all():
        assert f"/manage/photos/{photo.token}/thumb" in html


def test_the_photo_link_on_the_sheet_opens_for_staff(work, section_staff, city):
    services.photo_set_public(photo=work.photos.get(), public=True, acting_user=section_staff)
    client = client_for(section_staff)
    html = client.get(sheet_url(work)).content.decode()
    src = re.search(r'src="(/manage/photos/[^"]+/thumb)"', html).group(1)

    assert client.get(src).status_code == 200


def test_without_a_tile_server_the_map_shows_the_coordinates(work, section_staff):
    html = (
        client_for(section_staff).get(sheet_url(work), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )

    assert "<image" not in html
    assert html.count("35.367000, 132.755000") >= 2  # in the map box and under it
    assert 'class="map-excerpt"' in html


def test_the_map_excerpt_has_the_gsi_tiles_around_the_place_with_the_place_in_the_middle(
    work, section_staff, settings
):
    settings.MAP_TILE_URL = GSI
    settings.MAP_TILE_ATTRIBUTION = '<a href="https://maps.gsi.go.jp/">国土地理院</a>'

    html = (
        client_for(section_staff).get(sheet_url(work), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )

    tiles = re.findall(r'<image href="([^"]+)" x="(-?\d+)" y="(-?\d+)"', html)
    prefix = "https://cyberjapandata.gsi.go.jp/xyz/std/17/"
    assert tiles and all(href.startswith(prefix) for href, _x, _y in tiles)
    # 132.755 E, 35.367 N at zoom 17: tile column 113870, row 51753, covering (240, 150).
    x, y = next((int(x), int(y)) for href, x, y in tiles if href.endswith("/113870/51753.png"))
    assert x <= 240 < x + 256 and y <= 150 < y + 256
    assert 'cx="240.0" cy="150.0"' in html
    assert "国土地理院" in html and '<a href="https://maps.gsi.go.jp/">' not in html


def test_the_excerpt_covers_its_box_with_whole_tiles():
    excerpt = map_excerpt(35.367, 132.755, GSI)

    xs = sorted({tile.x for tile in excerpt.tiles})
    ys = sorted({tile.y for tile in excerpt.tiles})
    assert xs[0] <= 0 and xs[-1] + 256 >= excerpt.width
    assert ys[0] <= 0 and ys[-1] + 256 >= excerpt.height
    assert all(b - a == 256 for a, b in pairwise(xs))
    assert excerpt.scale_m in (50, 100) and 0 < excerpt.scale_px <= excerpt.width / 4


def test_the_report_page_offers_its_work_order(work, viewer):
    html = client_for(viewer).get(f"/manage/reports/{work.number}/").content.decode()

    assert f'href="{sheet_url(work)}"' in html


# --- The QR code ------------------------------------------------------------------------------


def test_opening_a_sheet_makes_no_link_and_its_qr_leads_to_the_staff_page(
    work, section_staff, settings
):
    response = client_for(section_staff).get(sheet_url(work))

    assert qr_codes(response.content.decode()) == [staff_page(work, settings)]
    assert not OwnerLink.objects.filter(report=work).exists()
    assert mail.outbox == []


def test_printing_with_the_contractors_link_puts_a_working_link_in_the_qr(
    work, section_staff, city, settings
):
    city["contractor"].contact_email = "densetsu@example.com"
    city["contractor"].save()
    before = owner_links.issue(report=work, organisation=city["contractor"], purpose="contractor")

    response = client_for(section_staff).post(sheet_url(work), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    [url] = qr_codes(response.content.decode())
    token = url.removeprefix(f"{settings.PUBLIC_BASE_URL}/owner/").rstrip("/")
    link = owner_links.resolve(token)
    assert (link.report_id, link.organization_id, link.purpose) == (
        work.pk,
        city["contractor"].pk,
        "contractor",
    )
    with pytest.raises(owner_links.Refused):
        owner_links.resolve(before.token)  # the earlier link stops working
    event = ReportEvent.objects.filter(report=work, kind="link_sent").latest("id")
    assert (event.to_value, event.by) == ("izumo-densetsu", section_staff)
    assert [m.to for m in mail.outbox] == [["densetsu@example.com"]]
    assert url in mail.outbox[0].body
    assert "no-store" in response["Cache-Control"]


def test_a_viewer_gets_the_staff_page_in_the_qr_and_cannot_make_a_link(work, viewer, settings):
    client = client_for(viewer)

    page = client.get(sheet_url(work))
    posted = client.post(sheet_url(work))
    posted_selection = client.post("/manage/work-orders/", {"r": work.number})

    assert page.status_code == 200
    html = page.content.decode()
    assert qr_codes(html) == [staff_page(work, settings)]
    assert 'class="issue-links"' not in html
    assert (posted.status_code, posted_selection.status_code) == (403, 403)
    assert not OwnerLink.objects.filter(report=work).exists()
    assert not ReportEvent.objects.filter(report=work, kind="link_sent").exists()


def test_a_contractor_with_staff_accounts_gets_the_staff_page_and_no_link(
    work, section_staff, city, settings
):
    factories.user(city["contractor"], "section_staff", username="densetsu")

    client = client_for(section_staff)
    page = client.get(sheet_url(work))
    posted = client.post(sheet_url(work))

    assert "Print with the contractor" not in page.content.decode()
    assert posted.status_code == 200
    assert qr_codes(posted.content.decode()) == [staff_page(work, settings)]
    assert not OwnerLink.objects.filter(report=work).exists()


def test_a_report_dealt_with_gets_no_new_link(work, section_staff, settings):
    services.report_transition(report=work, to="fixed", acting_user=section_staff)

    response = client_for(section_staff).post(sheet_url(work), HTTP_ACCEPT_LANGUAGE="en")

    assert qr_codes(response.content.decode()) == [staff_page(work, settings)]
    assert not OwnerLink.objects.filter(report=work).exists()


def test_a_link_whose_mail_cannot_be_sent_is_not_made_and_the_old_one_keeps_working(
    work, section_staff, city, settings
):
    city["contractor"].contact_email = "densetsu@example.com"
    city["contractor"].save()
    before = owner_links.issue(report=work, organisation=city["contractor"], purpose="contractor")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2

    response = client_for(section_staff).post(sheet_url(work), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    html = response.content.decode()
    assert qr_codes(html) == [staff_page(work, settings)]
    assert f"no new link was made for: {work.number}" in html
    assert owner_links.resolve(before.token).pk == before.link.pk
    assert OwnerLink.objects.filter(report=work).count() == 1


# --- A selection ------------------------------------------------------------------------------


def test_a_selection_prints_a_sheet_a_report_in_the_order_asked(
    work, pothole_work, section_staff, settings
):
    response = client_for(section_staff).get(selection_url(pothole_work, work, pothole_work))

    assert response.status_code == 200
    html = response.content.decode()
    sheets = html.split('<article class="sheet"')[1:]
    assert len(sheets) == 2
    assert pothole_work.number in sheets[0] and "RD-0042" in sheets[0]
    assert work.number in sheets[1] and "BH-0001" in sheets[1]
    assert qr_codes(html) == [staff_page(pothole_work, settings), staff_page(work, settings)]


def test_a_selection_with_links_makes_them_only_where_needed(
    work, pothole_work, section_staff, settings
):
    response = client_for(section_staff).post(
        "/manage/work-orders/", {"r": [work.number, pothole_work.number]}
    )

    codes = qr_codes(response.content.decode())
    assert codes[0].startswith(f"{settings.PUBLIC_BASE_URL}/owner/")
    assert codes[1] == staff_page(pothole_work, settings)
    assert OwnerLink.objects.filter(report=work).count() == 1
    assert not OwnerLink.objects.filter(report=pothole_work).exists()


# --- Who may, and bad requests ----------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_sign_in_first(client, work, method):
    for url in (sheet_url(work), selection_url(work)):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/manage/login/" in response["Location"]
    assert not OwnerLink.objects.filter(report=work).exists()


def test_another_organisations_report_is_not_there(work, other_city_manager, city):
    for account in (other_city_manager, factories.user(city["parks"], "manager")):
        client = client_for(account)
        assert client.get(sheet_url(work)).status_code == 404
        assert client.get(selection_url(work)).status_code == 404
        assert client.post(sheet_url(work)).status_code == 404
    assert not OwnerLink.objects.filter(report=work).exists()


def test_a_selection_with_one_report_of_another_city_shows_nothing_and_names_nothing(
    work, other_city, submit, lamp_out, catalogue
):
    theirs = submit(
        lamp_out, asset=factories.asset("security-light", owner=other_city, ledger_id="MT-1")
    )
    client = client_for(factories.user(other_city, "manager"))

    response = client.get(selection_url(theirs, work))
    nothing = client.get(f"/manage/work-orders/?r={theirs.number}&r=R-2026-999999")

    assert (response.status_code, nothing.status_code) == (404, 404)

    # The same page as for a number that does not exist (the address and the form's
    # token aside).
    def page(answer):
        return re.sub(r'csrfmiddlewaretoken" value="\w+"', "", answer.content.decode())

    assert page(response).replace(work.number, "R-2026-999999") == page(nothing)


@pytest.mark.parametrize(
    "number", ["R-2026-999999", "nothing", "R" * 300, "R-2026-000001%00", "../../etc"]
)
def test_unknown_or_malformed_numbers_are_404(work, section_staff, number):
    client = client_for(section_staff)

    assert client.get("/manage/work-orders/", {"r": [work.number, number]}).status_code == 404
    assert client.get(f"/manage/reports/{number}/work-order/").status_code == 404


def test_an_empty_selection_is_refused_clearly(work, section_staff):
    client = client_for(section_staff)

    for query in ({}, {"r": ""}, {"r": ["", "  "]}):
        response = client.get("/manage/work-orders/", query, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400
        assert "Choose at least one report" in response.content.decode()


def test_too_many_reports_at_once_are_refused_clearly(work, section_staff):
    numbers = [work.number] + [f"R-2026-{i:06d}" for i in range(1000, 1000 + MAX_SELECTION)]

    response = client_for(section_staff).get(
        "/manage/work-orders/", {"r": numbers}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    assert f"At most {MAX_SELECTION} work orders" in response.content.decode()


def test_the_same_report_asked_twice_counts_once_towards_the_limit(work, section_staff):
    response = client_for(section_staff).get(
        "/manage/work-orders/", {"r": [work.number] * (MAX_SELECTION + 5)}
    )

    assert response.status_code == 200
    assert response.content.decode().count('<article class="sheet"') == 1


def test_the_sheets_of_a_selection_take_as_many_queries_for_two_reports_as_for_five(
    work, pothole_work, section_staff, submit, pothole
):
    more = [submit(pothole, place=None, photos=[factories.photo()], share=True) for _ in range(3)]
    client = client_for(section_staff)
    client.get(selection_url(work))  # the session and caches warm

    with CaptureQueriesContext(connection) as two:
        client.get(selection_url(work, pothole_work))
    with CaptureQueriesContext(connection) as five:
        response = client.get(selection_url(work, pothole_work, *more))

    assert response.content.decode().count('<article class="sheet"') == 5
    assert len(five.captured_queries) == len(two.captured_queries) <= 14


# --- On paper, in Chromium ---------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_selection_prints_to_a_pdf_of_one_a4_page_a_report(
    live_server,
    work,
    pothole_work,
    submit,
    pothole,
    section_staff,
    city,
    chromium_path,
    tmp_path,
    settings,
):
    """Section staff open three sheets, print them (one page each, the longest too), then
    print them again with the contractor's link: the PDF's QR codes lead to the
    contractor's page and to the staff pages of the work kept in the city."""
    from pypdf import PdfReader

    require(AXE.exists(), f"axe-core ({AXE})")
    require(shutil.which("pdftoppm") is not None, "pdftoppm (poppler-utils)")
    settings.PUBLIC_BASE_URL = live_server.url
    crowded = submit(
        pothole,
        answers={"width": "gt100", "depth_cm": 40},
        description="穴が深く、自転車が転びそうです。" * 250,
        share=True,
        photos=[factories.photo(data=factories.jpeg(colour=(30, 40 * i, 200))) for i in range(5)],
    )
    factories.me_too(crowded, photo=factories.photo(data=factories.jpeg(colour=(0, 90, 0))))
    services.report_assign(report=crowded, assignee=city["road"], acting_user=section_staff)
    first, second, third = work.number, pothole_work.number, crowded.number
    base = live_server.url
    with chromium(
        chromium_path, locale="ja-JP", viewport={"width": 1366, "height": 768}
    ) as session:
        page = session.page
        page.goto(f"{base}/manage/login/")
        page.fill("#id_username", "section_staff")
        page.fill("#id_password", "pw-Machimori-2026")
        page.click("form.narrow button[type=submit]")
        page.wait_for_url(f"{base}/manage/")
        page.goto(f"{base}/manage/work-orders/?r={first}&r={second}&r={third}")
        print_button_shown = page.locator("button[data-print]").is_visible()
        violations = session.axe_violations()
        page.emulate_media(media="print")
        # In print, each sheet's box to fill in lies wholly within its page-high sheet.
        inside = page.evaluate(
            """() => [...document.querySelectorAll('.sheet')].map((sheet) => {
                 const box = sheet.querySelector('.completion').getBoundingClientRect();
                 const page = sheet.getBoundingClientRect();
                 return box.top >= page.top && box.bottom <= page.bottom + 0.5
                   && box.height > 100;
               })"""
        )
        staff_pdf = page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
        page.emulate_media(media="null")  # the screen again: the form is not printed
        page.click("form.issue-links button[type=submit]")
        page.wait_for_selector(".messages")
        link_pdf = page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
        problems = session.errors + session.csp_violations + session.external

    assert print_button_shown
    assert inside == [True, True, True]
    assert violations == [] and problems == []
    for pdf in (staff_pdf, link_pdf):
        reader = PdfReader(io.BytesIO(pdf))
        assert len(reader.pages) == 3
        width, height = (float(v) for v in reader.pages[0].mediabox[2:])
        assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)
        # Text as a reader copies it: NFKC maps the font's radicals (⽇) to the ideographs
        # (日) and the ligatures back to letters; the spaces of the layout are left out.
        texts = ["".join(normalize("NFKC", p.extract_text()).split()) for p in reader.pages]
        assert first in texts[0] and "BH-0001" in texts[0] and "夜間に点灯しない" in texts[0]
        assert "数日前から" in texts[0] and "2026-06-30" in texts[0] and "出雲電設" in texts[0]
        assert second in texts[1] and "RD-0042" in texts[1] and "30cm〜1m" in texts[1]
        assert "35.367000,132.755000" in texts[0]
        assert third in texts[2] and "自転車が転びそうです" in texts[2]
        assert "ほかに写真が2枚あります" in texts[2]  # the page is in Japanese
        assert "作業内容" in texts[2]
        # The screen's header, navigation and buttons stay off the paper.
        assert not any("section_staff" in text for text in texts)

    assert _pdf_qr_codes(staff_pdf, tmp_path / "staff") == [
        f"{base}/manage/reports/{number}/" for number in (first, second, third)
    ]
    contractor, *staff_urls = _pdf_qr_codes(link_pdf, tmp_path / "link")
    assert staff_urls == [f"{base}/manage/reports/{number}/" for number in (second, third)]
    link = owner_links.resolve(contractor.removeprefix(f"{base}/owner/").rstrip("/"))
    assert (link.report_id, link.purpose) == (work.pk, "contractor")


def _pdf_qr_codes(pdf: bytes, folder) -> list[str]:
    """The QR codes of each page of a PDF, page by page, read from a 200 dpi rendering."""
    folder.mkdir()
    (folder / "sheets.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "200", "-png", str(folder / "sheets.pdf"), str(folder / "page")],
        check=True,
    )
    found = []
    for image in sorted(folder.glob("page-*.png")):
        found += [result.text for result in zxingcpp.read_barcodes(Image.open(image))]
    return found


def test_a_sheet_printed_before_assignment_keeps_the_residents_words_back(
    submit, lamp_out, light, section_staff
):
    """Nobody has the work yet: the sheet may still be handed to a contractor, so it shows
    what a contractor may see."""
    report = submit(
        lamp_out,
        asset=light,
        description="家の前の灯りです。090-1111-2222",
        answers={"since": "today"},
    )
    html = client_for(section_staff).get(sheet_url(report)).content.decode()

    assert report.number in html and "いつからですか" in html
    assert "家の前の灯りです" not in html and "090-1111-2222" not in html
