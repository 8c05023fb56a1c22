"""The resident's form at /q/<code> and /report/, without JavaScript: plain posts."""

import re

import pytest
from django.core import mail
from django.core.cache import cache

from assets.models import Town
from config.env import Rate
from reports.models import MeToo, Photo, Report
from tests import factories
from tests.factories import jpeg, jpeg_with_gps


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


def _post(client, url, language="en", **data):
    return client.post(url, data, HTTP_ACCEPT_LANGUAGE=language)


def test_the_sticker_form_lists_the_assets_faults_and_their_questions(client, label):
    response = client.get(f"/q/{label.code}", HTTP_ACCEPT_LANGUAGE="en")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Lamp out at night" in html and "Flickering" in html
    assert "Pothole" not in html  # a road fault, not a light's
    assert "Since when?" in html  # the extra question of "lamp out"
    assert "call 110 / 119" in html
    assert 'enctype="multipart/form-data"' in html


def test_a_resident_reports_from_a_sticker_and_lands_on_the_receipt(client, label, light):
    response = _post(
        client,
        f"/q/{label.code}",
        category="lamp-out",
        **{"q_lamp-out_since": "days"},
        description="真っ暗です",
        photos=[jpeg()],
        email="me@example.com",
    )

    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/r/{factories.receipt_token(report)}?new=1"
    assert (report.asset, report.source, report.label_code) == (light, "qr", label.code)
    assert report.answers == {"since": "days"} and report.description == "真っ暗です"
    assert report.photos.count() == 1
    receipt = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert report.number in receipt and "真っ暗です" in receipt


def test_the_form_comes_back_with_everything_typed_when_something_is_missing(client, label):
    response = _post(
        client, f"/q/{label.code}", description="電球が切れている", email="me@example.com"
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "電球が切れている" in html and 'value="me@example.com"' in html
    assert 'id="error-summary"' in html and 'href="#id_category"' in html
    assert not Report.objects.exists()


def test_a_bad_photo_is_refused_by_name_and_the_good_one_is_kept(client, label):
    from io import BytesIO

    gif = BytesIO(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;")
    gif.name = "anim.gif"

    response = _post(
        client,
        f"/q/{label.code}",
        category="flickering",
        description="ちらつく",
        photos=[jpeg(name="good.jpg"), gif],
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "anim.gif" in html and "ちらつく" in html
    staged = Photo.objects.get()
    assert f'value="{staged.token}"' in html
    assert not Report.objects.exists()

    resent = _post(
        client,
        f"/q/{label.code}",
        category="flickering",
        description="ちらつく",
        photo_tokens=[str(staged.token)],
    )

    assert resent.status_code == 302
    assert list(Report.objects.get().photos.all()) == [staged]


def test_an_open_report_on_the_asset_is_shown_before_the_form_with_me_too(
    client, label, light, submit, lamp_out
):
    existing = submit(lamp_out, asset=light, source="qr")

    page = client.get(f"/q/{label.code}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    response = client.post(
        f"/report/me-too/{existing.number}/", {"email": "n@example.com"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert "This is already reported" in page
    assert f"/report/me-too/{existing.number}/" in page
    assert (
        factories.receipt_token(existing) not in page
    )  # the tracking link belongs to its reporter
    assert response.status_code == 200
    existing.refresh_from_db()
    assert existing.me_too_count == 1
    assert MeToo.objects.get().email == "n@example.com"


def test_a_new_report_stays_possible_next_to_an_open_one(client, label, light, submit, lamp_out):
    submit(lamp_out, asset=light, source="qr")

    response = _post(client, f"/q/{label.code}", category="pole-damaged", force_new="1")

    assert response.status_code == 302
    assert Report.objects.count() == 2


def test_me_too_with_a_photo_keeps_the_photo_on_the_report(client, label, light, submit, lamp_out):
    existing = submit(lamp_out, asset=light, source="qr")

    client.post(f"/report/me-too/{existing.number}/", {"photo": jpeg()})

    assert existing.photos.get().me_too == MeToo.objects.get()


def test_the_honeypot_stops_bots(client, label):
    response = _post(client, f"/q/{label.code}", category="lamp-out", website="http://spam")

    assert response.status_code == 400
    assert not Report.objects.exists()


def test_too_many_reports_from_one_session_are_slowed_down(client, label, settings):
    settings.RATE_LIMIT_REPORTS_PER_SESSION = Rate.parse("2/3600")
    client.get(f"/q/{label.code}")

    codes = [
        _post(client, f"/q/{label.code}", category="lamp-out", force_new="1").status_code
        for _ in range(3)
    ]

    assert codes == [302, 302, 429]
    assert Report.objects.count() == 2


def test_a_client_cannot_escape_the_session_limit_by_choosing_its_cookies(label, settings):
    from django.test import Client

    settings.RATE_LIMIT_REPORTS_PER_SESSION = Rate.parse("2/3600")
    codes = []
    for n in range(3):
        # A script that makes up a new CSRF cookie and a forged form cookie each time.
        script = Client()
        script.cookies["csrftoken"] = f"{n:032d}"
        script.cookies["mm_form"] = f"forged-{n}"
        codes.append(
            _post(script, f"/q/{label.code}", category="lamp-out", force_new="1").status_code
        )

    assert codes == [302, 302, 429]
    assert Report.objects.count() == 2


def test_the_limit_per_address_is_shared_by_every_session_behind_it(client, label, settings):
    from django.test import Client

    settings.RATE_LIMIT_REPORTS_PER_ADDRESS = Rate.parse("2/3600")
    phones = [Client(REMOTE_ADDR="198.51.100.7") for _ in range(3)]

    codes = [
        phone.post(f"/q/{label.code}", {"category": "lamp-out", "force_new": "1"}).status_code
        for phone in phones
    ]

    assert codes == [302, 302, 429]


def test_the_limit_per_asset_protects_one_sticker(client, label, settings):
    from django.test import Client

    settings.RATE_LIMIT_REPORTS_PER_ASSET = Rate.parse("1/3600")

    first = Client().post(f"/q/{label.code}", {"category": "lamp-out"})
    second = Client().post(f"/q/{label.code}", {"category": "lamp-out", "force_new": "1"})

    assert (first.status_code, second.status_code) == (302, 429)


def test_a_report_without_a_sticker_uses_the_town_and_the_landmark(client, pothole, city):
    town = Town.objects.create(name="今市町", centre=factories.point(132.751, 35.362), radius_m=400)

    response = _post(
        client,
        "/report/",
        category="pothole",
        town=str(town.pk),
        address_text="小学校の正門前",
        **{"q_pothole_width": "30to100"},
    )

    report = Report.objects.get()
    assert response.status_code == 302
    assert (report.location_source, report.town, report.address_text) == (
        "address", "今市町", "小学校の正門前",
    )  # fmt: skip
    assert report.owner == city["road"]
    assert report.location_accuracy_m == 400


def test_a_report_without_a_place_asks_for_one(client, pothole):
    response = _post(client, "/report/", category="pothole", description="大きな穴")

    assert response.status_code == 400
    assert "Please tell us where it is" in response.content.decode()


def test_a_photos_gps_places_a_report_without_a_sticker(client, pothole):
    response = _post(
        client, "/report/", category="pothole", photos=[jpeg_with_gps(35.3605, 132.7502)]
    )

    assert response.status_code == 302
    assert Report.objects.get().location_source == "photo"


def test_the_device_location_sent_by_the_page_is_used(client, pothole):
    response = _post(
        client,
        "/report/",
        category="pothole",
        lat="35.3611",
        lon="132.7522",
        accuracy="12",
        location_source="device",
    )

    report = Report.objects.get()
    assert response.status_code == 302
    assert (report.location_source, report.location_accuracy_m) == ("device", 12)


def test_a_sticker_code_typed_into_the_general_form_finds_the_asset(client, label, light):
    response = _post(
        client,
        "/report/",
        category="lamp-out",
        label_code=f"{label.code[:4].lower()}-{label.code[4:]}",
    )

    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.asset, report.source) == (light, "web")


def test_a_mistyped_sticker_code_is_an_error_on_that_field(client, label):
    typo = label.code[:-1] + ("0" if label.code[-1] != "0" else "1")

    response = _post(
        client, "/report/", category="lamp-out", label_code=typo, description="keep me"
    )

    assert response.status_code == 400
    assert "cannot find this sticker code" in response.content.decode()
    assert "keep me" in response.content.decode()


def test_nearby_assets_are_suggested_before_a_report_without_a_sticker(client, light, pothole):
    response = _post(
        client,
        "/report/",
        category="lamp-out",
        lat="35.36705",
        lon="132.75501",
        location_source="map",
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Is it one of these?" in html and f'value="{light.pk}"' in html
    assert not Report.objects.exists()

    chosen = _post(
        client,
        "/report/",
        category="lamp-out",
        lat="35.36705",
        lon="132.75501",
        location_source="map",
        asset_choice=str(light.pk),
        force_new="1",
    )

    assert chosen.status_code == 302
    assert Report.objects.get().asset == light


def test_an_open_report_nearby_of_the_same_kind_is_shown_first(client, pothole, submit):
    existing = submit(pothole)  # at 132.755, 35.367

    response = _post(
        client,
        "/report/",
        category="pothole",
        lat="35.36710",
        lon="132.75505",
        location_source="device",
    )

    assert response.status_code == 200
    assert f"/report/me-too/{existing.number}/" in response.content.decode()


def test_text_is_stored_as_typed_and_shown_escaped(client, label):
    _post(
        client, f"/q/{label.code}", category="lamp-out", description='<script>alert("x")</script>'
    )

    report = Report.objects.get()
    page = client.get(f"/r/{factories.receipt_token(report)}").content.decode()
    assert report.description == '<script>alert("x")</script>'
    assert "<script>alert" not in page and "&lt;script&gt;" in page


def test_the_status_page_needs_the_secret_link(client, label, submit, lamp_out, light):
    report = submit(lamp_out, asset=light, source="qr")

    assert client.get(f"/r/{factories.receipt_token(report)}").status_code == 200
    assert client.get(f"/r/{factories.receipt_token(report)[:-2]}xx").status_code == 404
    assert client.get(f"/r/{report.number}").status_code == 404


def test_photos_are_served_only_to_their_reporter_until_staff_make_them_public(
    client, label, light, submit, lamp_out
):
    photo = factories.photo(jpeg())
    report = submit(lamp_out, asset=light, photos=[photo])

    own = client.get(f"/r/{factories.receipt_token(report)}/{photo.token}/photo.jpg")
    public_before = client.get(f"/photos/{photo.token}/photo.jpg")
    photo.is_public = True
    photo.save()
    public_after = client.get(f"/photos/{photo.token}/thumb.jpg")

    assert own.status_code == 200 and own["Content-Type"] == "image/jpeg"
    assert public_before.status_code == 404
    assert public_after.status_code == 200


def test_the_form_speaks_portuguese(client, label):
    html = client.get(f"/q/{label.code}", HTTP_ACCEPT_LANGUAGE="pt-br").content.decode()

    assert '<html lang="pt-br">' in html
    assert "Lâmpada apagada à noite" in html
    assert "ligue 110 / 119" in html


def test_the_first_load_is_under_50_kb(client, label, settings):
    html = client.get(f"/q/{label.code}", HTTP_ACCEPT_LANGUAGE="ja").content
    static = settings.BASE_DIR / "static"
    css_and_js = (static / "css/site.css").stat().st_size + (static / "js/report.js").stat().st_size

    assert len(html) + css_and_js < 50_000


def test_the_receipt_is_emailed_to_the_resident(client, label, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, f"/q/{label.code}", category="lamp-out", email="me@example.com")

    assert "me@example.com" in [m.to[0] for m in mail.outbox]


def test_a_form_sent_again_gets_the_same_receipt_and_makes_nothing_more(client, label):
    page = client.get(f"/q/{label.code}").content.decode()
    key = re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', page)[1]
    other = client.get(f"/q/{label.code}").content.decode()

    first = _post(client, f"/q/{label.code}", category="lamp-out", idempotency_key=key)
    again = _post(client, f"/q/{label.code}", category="lamp-out", idempotency_key=key)

    assert key not in other  # every page shown has its own key
    assert (first.status_code, again.status_code) == (302, 302)
    assert first["Location"].split("?")[0] == again["Location"].split("?")[0]
    assert Report.objects.count() == 1


# --- Photos shrunk by the page: their place and time sent beside them ---------------------


def _exif_fields(lat="35.3605123", lon="132.7502456", taken="2025-06-01T09:30:00+09:00"):
    return {"photo_lat": [lat], "photo_lon": [lon], "photo_taken_at": [taken]}


def test_the_place_read_from_a_shrunk_photo_places_a_report_without_a_sticker(client, pothole):
    response = _post(client, "/report/", category="pothole", photos=[jpeg()], **_exif_fields())

    report = Report.objects.get()
    photo = report.photos.get()
    assert response.status_code == 302
    assert report.location_source == "photo"
    assert (report.location.y, report.location.x) == pytest.approx(
        (35.3605123, 132.7502456), abs=1e-7
    )
    assert (photo.gps.y, photo.gps.x) == pytest.approx((35.3605123, 132.7502456), abs=1e-7)
    assert photo.taken_at.isoformat() == "2025-06-01T00:30:00+00:00"


def test_a_photos_own_exif_comes_before_what_the_page_sent(client, pothole):
    _post(
        client,
        "/report/",
        category="pothole",
        photos=[jpeg_with_gps(35.3605, 132.7502)],
        **_exif_fields(lat="35.4", lon="132.8"),
    )

    photo = Photo.objects.get()
    assert (photo.gps.y, photo.gps.x) == pytest.approx((35.3605, 132.7502), abs=1e-6)


def test_a_shrunk_photo_far_from_the_sticker_is_flagged(client, label, light):
    _post(
        client,
        f"/q/{label.code}",
        category="lamp-out",
        photos=[jpeg()],
        **_exif_fields(lat="35.40", lon="132.80"),
    )

    report = Report.objects.get()
    assert report.photo_far_from_asset is True and report.photo_distance_m > 1000


@pytest.mark.parametrize(
    "fields",
    [
        _exif_fields(lat="91"),
        _exif_fields(lon="-180.5"),
        _exif_fields(lat="nan"),
        _exif_fields(lat="35.36", lon=""),
        _exif_fields(lat="north"),
        _exif_fields(taken="yesterday"),
        {"photo_lat": ["35.1", "35.2"], "photo_lon": ["132.1"]},
    ],
    ids=["lat-out-of-range", "lon-out-of-range", "nan", "lat-alone", "words", "time", "uneven"],
)
def test_nonsense_sent_beside_a_photo_is_refused_with_a_form_error(client, pothole, fields):
    response = _post(
        client, "/report/", category="pothole", description="keep me", photos=[jpeg()], **fields
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "The place or time sent with a photo cannot be used" in html
    assert 'href="#id_photos"' in html and "keep me" in html
    assert not Report.objects.exists()


def test_a_camera_clock_never_set_is_ignored_not_refused(client, pothole):
    response = _post(
        client,
        "/report/",
        category="pothole",
        photos=[jpeg()],
        **_exif_fields(taken="1980-01-01T00:00:00"),
    )

    assert response.status_code == 302
    assert Photo.objects.get().taken_at is None


def test_a_null_island_fix_sent_by_the_page_is_no_place(client, pothole):
    response = _post(
        client, "/report/", category="pothole", photos=[jpeg()], **_exif_fields(lat="0", lon="0")
    )

    assert response.status_code == 400
    assert "Please tell us where it is" in response.content.decode()
    assert Photo.objects.get().gps is None


# --- /report/: the kind of thing first, then its faults, then the place -------------------


def test_the_general_form_asks_what_kind_of_thing_it_is_first(client, catalogue):
    html = client.get("/report/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    kinds = re.findall(r'<details class="kind" name="kind" id="kind-(\w+)">', html)
    assert kinds == ["lighting", "park", "road"]  # all closed: the place is right below
    road = html.split('id="kind-road"')[1].split("</details>")[0]
    assert "Pothole" in road and "Lamp out at night" not in road
    assert html.count(">Other</label>") == 3  # one "other" per kind
    assert html.index('id="kind-road"') < html.index('id="id_location"')


def test_the_kind_of_the_chosen_fault_is_open_when_the_form_comes_back(client, pothole):
    html = _post(client, "/report/", category="pothole").content.decode()

    assert '<details class="kind" name="kind" id="kind-road" open>' in html
    assert '<details class="kind" name="kind" id="kind-park">' in html
    assert re.search(r'id="cat-pothole"[^>]* checked', html)


def test_the_sticker_form_lists_its_faults_without_kinds(client, label):
    html = client.get(f"/q/{label.code}", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert 'class="kind"' not in html and 'id="cat-lamp-out"' in html


# --- The page itself -----------------------------------------------------------------------


def test_pages_are_sent_compressed(client, label):
    response = client.get(f"/q/{label.code}", HTTP_ACCEPT_ENCODING="gzip")

    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]


def test_every_page_has_a_description_and_an_icon(client, catalogue):
    html = client.get("/report/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    icon = client.get("/favicon.ico")

    assert re.search(r'<meta name="description" content="[^"]*出雲市[^"]+">', html)
    assert '<link rel="icon" href="/static/favicon.ico"' in html
    assert icon.status_code == 301 and icon["Location"] == "/static/favicon.ico"
