"""A receipt, its photos and the public photos of a report are its city's: on another city's
host they are as unknown as a wrong token (404)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from assets.models import FaultCategory
from reports import intake
from reports.models import Report
from tests import factories


@pytest.fixture
def with_photo(cities):
    """A second report of city A with the resident's photo, made public by staff."""
    photo = factories.photo()
    outcome = intake.report_intake(
        channel="web",
        acting_user=AnonymousUser(),
        category=FaultCategory.objects.get(code="lamp-out"),
        asset=cities.a.asset,
        photos=[photo],
    )
    photo.refresh_from_db()
    photo.is_public = True
    photo.save(update_fields=["is_public"])
    return outcome.receipt, photo


def test_a_receipt_is_shown_on_its_own_citys_host_only(client, cities):
    a, b = cities.a, cities.b
    url = f"/r/{a.receipt.token}"

    assert client.get(url, HTTP_HOST=a.host).status_code == 200
    refused = client.get(url, HTTP_HOST=b.host)
    wrong = client.get("/r/no-such-token-at-all", HTTP_HOST=b.host)
    assert refused.status_code == wrong.status_code == 404
    assert a.report.number not in refused.content.decode()
    assert client.get(f"/r/{b.receipt.token}", HTTP_HOST=b.host).status_code == 200


@pytest.mark.parametrize("variant", ["thumb", "photo"])
def test_a_receipts_photo_and_a_public_photo_are_not_served_on_another_citys_host(
    client, cities, with_photo, variant
):
    receipt, photo = with_photo
    own_url = f"/r/{receipt.token}/{photo.token}/{variant}.jpg"
    public_url = f"/photos/{photo.token}/{variant}.jpg"

    for url in (own_url, public_url):
        assert client.get(url, HTTP_HOST=cities.b.host).status_code == 404
        assert client.get(url, HTTP_HOST=cities.a.host).status_code == 200


def test_still_broken_of_another_citys_receipt_is_404_and_changes_nothing(client, cities):
    a = cities.a
    Report.objects.filter(pk=a.report.pk).update(
        status=Report.Status.FIXED, ended_at=timezone.now()
    )

    refused = client.post(
        f"/r/{a.receipt.token}/still-broken", {"text": "まだ"}, HTTP_HOST=cities.b.host
    )

    assert refused.status_code == 404
    assert Report.objects.get(pk=a.report.pk).status == Report.Status.FIXED
    reopened = client.post(f"/r/{a.receipt.token}/still-broken", {"text": "まだ"}, HTTP_HOST=a.host)
    assert reopened.status_code == 302
    assert Report.objects.get(pk=a.report.pk).status != Report.Status.FIXED
