"""An owner's or contractor's link belongs to its report's city: elsewhere it is unknown (404)
as a wrong token is, also once it was withdrawn or ran out, whose 410 page says why on its
own city's host only."""

import datetime

import pytest
from django.utils import timezone

from reports import owner_links
from reports.models import OwnerLink

PAIRS = [("izumo", "matsue"), ("matsue", "izumo")]


@pytest.fixture
def both(cities):
    izumo, matsue = cities
    return {"izumo": izumo, "matsue": matsue}


def _link(city):
    report = city["report"]
    report.owner = city["association"]  # the neighbourhood association looks after it
    report.save()
    return owner_links.issue(
        report=city["report"], organisation=city["association"], purpose=OwnerLink.Purpose.OWNER
    )


@pytest.mark.parametrize(("mine", "theirs"), PAIRS)
@pytest.mark.parametrize("ended", ["live", "revoked", "expired"])
def test_a_link_answers_on_its_own_citys_host_only(client, both, mine, theirs, ended):
    me, them = both[mine], both[theirs]
    issued = _link(me)
    if ended == "revoked":
        OwnerLink.objects.filter(pk=issued.link.pk).update(revoked_at=timezone.now())
    elif ended == "expired":
        past = timezone.now() - datetime.timedelta(days=1)
        OwnerLink.objects.filter(pk=issued.link.pk).update(expires_at=past)
    url = f"/owner/{issued.token}/"

    own = client.get(url, HTTP_HOST=me["host"])
    elsewhere = client.get(url, HTTP_HOST=them["host"])

    assert own.status_code == (200 if ended == "live" else 410)
    assert elsewhere.status_code == 404
    assert me["asset"].ledger_id not in elsewhere.content.decode()
