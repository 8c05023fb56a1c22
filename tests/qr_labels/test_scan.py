"""GET /q/<code>: the page a resident lands on, for every kind of code."""

import pytest

from accounts import policy
from qr_labels import codes, services
from qr_labels.models import Scan
from tests import factories


def _page(client, url, language="en"):
    return client.get(url, HTTP_ACCEPT_LANGUAGE=language)


@pytest.mark.parametrize(
    "variant",
    [
        lambda c: f"/q/{c}",
        lambda c: f"/q/{c}/",
        lambda c: f"/Q/{c}",
        lambda c: f"/q/{c.lower()}",
        lambda c: f"/q/{c[:4]}-{c[4:]}",
    ],
)
def test_every_way_of_writing_the_code_lands_on_the_asset(client, label, light, variant):
    response = _page(client, variant(label.code))

    assert response.status_code == 200
    html = response.content.decode()
    assert f"<dd>{light.ledger_id}</dd>" in html
    assert codes.display(label.code) in html
    assert "今市町1丁目" in html


def test_letters_typed_for_digits_are_read_as_the_digits(client, catalogue, city):
    light = factories.asset(owner=city["road"])
    label = services.label_issue(asset=light, acting_user=policy.SYSTEM)
    typed = label.code.replace("0", "O").replace("1", "I")

    response = _page(client, f"/q/{typed}")

    assert response.status_code == 200
    assert f"<dd>{light.ledger_id}</dd>" in response.content.decode()


def test_one_wrong_character_gives_a_helpful_page_never_a_wrong_asset(client, label):
    for position in range(8):
        other = next(ch for ch in codes.ALPHABET if ch != label.code[position])
        typo = label.code[:position] + other + label.code[position + 1 :]

        response = _page(client, f"/q/{typo}")

        assert response.status_code == 404
        html = response.content.decode()
        assert "<dd>BH-0001</dd>" not in html and "今市町1丁目" not in html
        assert "Please check the code" in html


def test_two_swapped_characters_give_a_helpful_page(client, label):
    code = label.code
    position = next(i for i in range(7) if code[i] != code[i + 1])
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]

    response = _page(client, f"/q/{swapped}")

    assert response.status_code == 404
    assert "<dd>BH-" not in response.content.decode()


def test_a_valid_but_unknown_code_offers_to_type_it_again_and_the_phone(client, catalogue):
    response = _page(client, f"/q/{codes.generate()}")

    assert response.status_code == 404
    html = response.content.decode()
    assert "We do not know this code" in html
    assert 'name="code"' in html
    assert "tel:" in html


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("ja", "コードを確認してください"),
        ("pt-br", "Verifique o código"),
        ("zh-hans", "请检查代码"),
        ("ko", "코드를 확인해 주십시오"),
        ("vi", "Vui lòng kiểm tra mã"),
    ],
)
def test_the_helpful_page_speaks_the_residents_language(client, catalogue, language, words):
    response = _page(client, "/q/ABC", language)

    assert response.status_code == 404
    assert words in response.content.decode()


def test_a_typed_code_is_sent_to_its_page(client, label):
    response = client.get("/q/", {"code": f" {label.code[:4].lower()}-{label.code[4:]} "})

    assert response.status_code == 302
    assert response["Location"] == f"/q/{label.code}"


def test_a_replaced_sticker_says_so_and_still_shows_the_asset(client, label, light):
    services.label_replace(label=label, acting_user=policy.SYSTEM)

    response = _page(client, f"/q/{label.code}")

    assert response.status_code == 200
    assert f"<dd>{light.ledger_id}</dd>" in response.content.decode()
    assert "replaced by a new one" in response.content.decode()


def test_a_removed_asset_says_so_and_gives_the_phone(client, label, light):
    light.status = "retired"
    light.save()

    response = _page(client, f"/q/{label.code}")

    assert response.status_code == 200
    assert "removed from service" in response.content.decode()


def test_an_association_light_tells_who_looks_after_it(client, catalogue, db):
    association = factories.org("jichikai", kind="association", name="今市町自治会")
    light = factories.asset(owner=association)
    label = services.label_issue(asset=light, acting_user=policy.SYSTEM)

    response = _page(client, f"/q/{label.code}", "ja")

    html = response.content.decode()
    assert "今市町自治会" in html
    assert "自治会" in html and "市が" in html


def test_a_scan_is_counted_with_no_personal_data(client, label, light):
    client.get(f"/q/{label.code}", REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="Phone/1.0")
    client.head(f"/q/{label.code}")

    scan = Scan.objects.get()
    assert (scan.label, scan.asset) == (label, light)
    assert {f.name for f in Scan._meta.get_fields()} == {"id", "label", "asset", "scanned_at"}


def test_a_failed_count_never_reaches_the_resident(client, label, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Scan.objects, "create", broken)

    response = _page(client, f"/q/{label.code}")

    assert response.status_code == 200


def test_the_scan_page_scripts_only_improve_it(client, label):
    html = _page(client, f"/q/{label.code}", "ja").content.decode()

    # One deferred script; the form posts as plain HTML without it.
    assert html.count("<script") == 1 and " defer>" in html
    assert '<form method="post" enctype="multipart/form-data"' in html
