"""Phone and counter intake: staff file a report for a caller through the reporting services."""

import pytest
from django.core import mail

from assets.models import FaultCategory, Town
from qr_labels import codes
from reports.models import Report
from tests import factories


@pytest.fixture
def signed_in(client, section_staff):
    client.force_login(section_staff)
    return client


@pytest.fixture
def imaichi(db):
    return Town.objects.create(
        name="今市町", name_kana="いまいちちょう", centre=factories.point(), radius_m=400
    )


def file(client, **fields):
    return client.post("/manage/intake/", {"language": "ja", **fields})


def test_by_the_sticker_code_read_out_on_the_phone(
    signed_in, label, lamp_out, section_staff, django_capture_on_commit_callbacks
):
    spoken = label.code.lower().replace("0", "o")  # as people type what they hear
    with django_capture_on_commit_callbacks(execute=True):
        response = file(
            signed_in,
            category="lamp-out",
            label_code=spoken,
            description="電話: 3日前から点かない",
            name="出雲花子",
            phone="0853-21-0000",
            email="hanako@example.com",
            consent="on",
        )

    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"{report.number}/")
    assert (report.source, report.asset, report.submitted_by) == ("staff", label.asset,
                                                                   section_staff)  # fmt: skip
    assert report.label_code == label.code
    assert (report.contact_name, report.contact_phone, report.contact_consent) == (
        "出雲花子", "0853-21-0000", True)  # fmt: skip
    # The caller hears from us like any resident; the section hears of a new report.
    assert {m.to[0] for m in mail.outbox} == {"hanako@example.com", "doro@city.example"}
    queue = signed_in.get("/manage/queue/?source=staff")
    assert [r.number for r, _ in queue.context["reports"]] == [report.number]


def test_by_ledger_number_with_the_type_when_numbers_repeat(signed_in, light, city, catalogue):
    factories.asset("park-light", owner=city["parks"], ledger_id=light.ledger_id)

    ambiguous = file(signed_in, category="lamp-out", ledger_id=light.ledger_id)
    assert ambiguous.status_code == 400
    assert "asset_type" in ambiguous.context["form"].errors

    typed = file(
        signed_in, category="lamp-out", ledger_id=light.ledger_id, asset_type="security-light"
    )
    assert typed.status_code == 302
    assert Report.objects.get().asset == light


def test_by_town_and_landmark(signed_in, imaichi, catalogue, city):
    FaultCategory.objects.filter(code="pothole").update(default_owner=city["road"])
    response = file(signed_in, category="pothole", town=imaichi.pk, address_text="郵便局の前")
    report = Report.objects.get()
    assert response.status_code == 302
    assert (report.town, report.address_text, report.location_source) == (
        "今市町", "郵便局の前", "address")  # fmt: skip
    assert report.location.equals_exact(imaichi.centre, 1e-9)


def test_by_a_point_picked_on_the_map(signed_in, catalogue, city):
    FaultCategory.objects.filter(code="pothole").update(default_owner=city["road"])
    response = file(signed_in, category="pothole", lat="35.3701", lon="132.7602")
    report = Report.objects.get()
    assert response.status_code == 302
    assert (round(report.location.y, 4), round(report.location.x, 4)) == (35.3701, 132.7602)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"category": "lamp-out"}, "__all__"),  # nowhere
        ({"category": "lamp-out", "label_code": "ZZZZZZZZ"}, "label_code"),
        ({"category": "lamp-out", "ledger_id": "NO-SUCH"}, "ledger_id"),
        ({"category": "pothole", "label_code": "LABEL"}, "category"),  # not a light's fault
        ({"category": "lamp-out", "lat": "35.37"}, "__all__"),  # half a point
        ({"category": "lamp-out", "lat": "95", "lon": "132"}, "lat"),
        ({"category": "nonsense", "ledger_id": "BH-0001"}, "category"),
        ({"category": "lamp-out", "ledger_id": "BH-0001", "email": "not an email"}, "email"),
    ],
)
def test_what_cannot_be_filed_comes_back_with_everything_typed(
    signed_in, label, catalogue, fields, field
):
    if fields.get("label_code") == "LABEL":
        fields["label_code"] = label.code
    if fields.get("label_code") == "ZZZZZZZZ":
        fields["label_code"] = codes.normalize("ZZZZZZZZ")
    response = file(signed_in, description="市民の言葉をそのまま", name="出雲花子", **fields)

    assert response.status_code == 400
    assert field in response.context["form"].errors, response.context["form"].errors
    html = response.content.decode()
    assert "市民の言葉をそのまま" in html and "出雲花子" in html
    assert not Report.objects.exists()


def test_a_bad_photo_is_refused_and_nothing_is_filed(signed_in, label):
    from django.core.files.uploadedfile import SimpleUploadedFile

    gif = SimpleUploadedFile("x.gif", b"GIF89a" + b"\0" * 100, content_type="image/gif")
    response = file(signed_in, category="lamp-out", label_code=label.code, photos=[gif])
    assert response.status_code == 400 and response.context["form"].errors["photos"]
    assert not Report.objects.exists()


def test_a_photo_the_caller_emailed_is_attached(signed_in, label):
    response = file(
        signed_in, category="lamp-out", label_code=label.code, photos=[factories.jpeg()]
    )
    assert response.status_code == 302
    assert Report.objects.get().photos.count() == 1


def test_viewers_and_other_cities_do_not_file(client, viewer, other_city_manager, label):
    for account in (viewer, other_city_manager):
        client.force_login(account)
        assert client.get("/manage/intake/").status_code == (403 if account == viewer else 200)
    client.force_login(viewer)
    assert file(client, category="lamp-out", label_code=label.code).status_code == 403
    assert not Report.objects.exists()
