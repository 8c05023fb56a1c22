"""The sticker page is rendered once per kind of asset and filled in per scan: every scan
must still show its own asset, escaped, and fresh after a change."""

from accounts import policy
from qr_labels import services as label_services
from tests import factories


def _twin(city, **fields):
    asset = factories.asset("security-light", owner=city["road"], **fields)
    return asset, label_services.label_issue(asset=asset, acting_user=policy.SYSTEM)


def test_each_scan_shows_its_own_asset_from_the_shared_page(client, catalogue, city):
    _, first_label = _twin(city, ledger_id="BH-1111", address="今市町1丁目")
    _, second_label = _twin(city, ledger_id="BH-2222", address="塩冶町3丁目")

    pages = [
        client.get(f"/q/{label.code}", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
        for label in (first_label, second_label, first_label, second_label)
    ]

    for html, (ledger, address, label) in zip(
        pages,
        [("BH-1111", "今市町1丁目", first_label), ("BH-2222", "塩冶町3丁目", second_label)] * 2,
        strict=True,
    ):
        assert f"<dd>{ledger}</dd>" in html and address in html
        assert f"{label.code[:4]}-{label.code[4:]}" in html
        assert "\u2063" not in html  # no marker left behind
    assert "BH-2222" not in pages[2] and "BH-1111" not in pages[3]


def test_values_are_escaped_when_filled_in(client, catalogue, city):
    _, label = _twin(city, address='<script>alert("x")</script>', name="A&B")

    html = client.get(f"/q/{label.code}").content.decode()

    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html and "A&amp;B" in html


def test_an_edited_asset_shows_at_once(client, catalogue, city, django_capture_on_commit_callbacks):
    from assets.services import asset_update

    asset, label = _twin(city, address="旧住所")
    client.get(f"/q/{label.code}")

    with django_capture_on_commit_callbacks(execute=True):
        asset_update(asset=asset, address="新住所")
    html = client.get(f"/q/{label.code}").content.decode()

    assert "新住所" in html and "旧住所" not in html


def test_a_replaced_label_shows_its_notice_even_after_a_cached_scan(client, catalogue, city):
    _, label = _twin(city)
    client.get(f"/q/{label.code}", HTTP_ACCEPT_LANGUAGE="en")

    label_services.label_replace(label=label, acting_user=policy.SYSTEM)
    html = client.get(f"/q/{label.code}", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "replaced by a new one" in html


def test_the_language_switch_returns_to_the_page_it_was_on(client, catalogue, city):
    _, first = _twin(city)
    _, second = _twin(city)
    client.get(f"/q/{first.code}")

    html = client.get(f"/q/{second.code}/").content.decode()

    assert f'name="next" value="/q/{second.code}/"' in html


def test_the_form_from_a_cached_page_posts_with_its_token(catalogue, city):
    from django.test import Client

    from reports.models import Report

    _, label = _twin(city)
    Client().get(f"/q/{label.code}")  # someone else's scan fills the cache
    resident = Client(enforce_csrf_checks=True)
    html = resident.get(f"/q/{label.code}").content.decode()
    token = html.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]

    response = resident.post(
        f"/q/{label.code}", {"category": "lamp-out", "csrfmiddlewaretoken": token}
    )

    assert response.status_code == 302
    assert Report.objects.get().label_code == label.code
