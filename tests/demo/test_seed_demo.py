"""seed_demo: a believable, deterministic synthetic Izumo."""

from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from assets.models import Asset


def _snapshot():
    return [
        (a.ledger_id, a.asset_type.code, a.owner.code, a.geom.wkt, a.attributes, a.condition_grade)
        for a in Asset.objects.select_related("asset_type", "owner").order_by("id")
    ]


@pytest.mark.django_db
def test_the_same_seed_makes_the_same_city():
    call_command("seed_demo", assets=400, seed=3, stdout=StringIO())
    first = _snapshot()
    Asset.objects.filter(parent__isnull=False).delete()
    Asset.objects.all().delete()

    call_command("seed_demo", assets=400, seed=3, stdout=StringIO())

    assert len(first) == 400
    assert [row[1:] for row in _snapshot()] == [row[1:] for row in first]


@pytest.mark.django_db
def test_the_demo_city_is_believable():
    call_command("seed_demo", assets=2000, seed=1, stdout=StringIO())

    assets = Asset.objects.select_related("asset_type", "owner", "parent")
    types = Counter(a.asset_type.code for a in assets)
    owners = Counter(a.owner.code for a in assets)
    grades = Counter(a.condition_grade for a in assets)
    assert types["security-light"] > types["streetlight"] > types["park"] > 0
    assert types["road-segment"] > 0 and types["swing"] + types["slide"] > 0
    # City sections, the prefecture's road office and neighbourhood associations own assets.
    assert owners["izumo-doro"] and owners["izumo-koen"] and owners["shimane-izumo-doboku"]
    assert any(code.startswith("jichikai-") for code in owners)
    assert {"I", "II", "III", "IV", "A", "B", "C", "D"} <= set(grades)
    for asset in assets:
        # Around Izumo, about 35.36 N 132.75 E.
        centroid = asset.geom.centroid
        assert 35.2 < centroid.y < 35.5 and 132.6 < centroid.x < 132.9
        assert asset.asset_type.geometry_matches(asset.geom)
        if asset.parent_id:
            assert asset.parent.asset_type.code == "park"
            assert asset.parent.geom.buffer(0.0001).contains(asset.geom)
        if asset.condition_grade:
            assert asset.next_inspection_due > asset.last_inspected_on


@pytest.mark.django_db
def test_if_empty_leaves_existing_data_alone():
    call_command("seed_demo", assets=100, stdout=StringIO())
    out = StringIO()

    call_command("seed_demo", assets=100, if_empty=True, stdout=out)

    assert Asset.objects.count() == 100
    assert "already there" in out.getvalue()


@pytest.mark.django_db
def test_demo_accounts_are_printed_and_can_sign_in(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    out = StringIO()

    call_command("seed_demo", assets=0, accounts=True, stdout=out)

    lines = [line.split() for line in out.getvalue().splitlines() if line.startswith("  ")]
    roles = {}
    for username, password, *_ in lines:
        # Every sign-in is a request (the guard counts by address).
        account = authenticate(RequestFactory().post("/"), username=username, password=password)
        assert account is not None, username
        roles[username] = account.role
    assert roles == {
        "admin": "", "manager": "manager", "staff": "section_staff",
        "inspector": "inspector", "inspector-city": "inspector", "viewer": "viewer",
    }  # fmt: skip
    # Running it again keeps the same passwords (they are printed again by make run).
    again = StringIO()
    call_command("seed_demo", assets=0, accounts=True, stdout=again)
    assert again.getvalue().splitlines()[1:] == out.getvalue().splitlines()[1:]
