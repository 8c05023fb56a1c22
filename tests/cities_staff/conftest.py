"""Two cities on one deployment, each with its own staff, owners, asset, sticker and report:
出雲市 (A) at izumo.test and 松江市 (B) at matsue.test."""

import pytest
from django.contrib.gis.geos import Point

from accounts import city_setup, policy
from accounts.models import User
from qr_labels import services as label_services
from reports import intake
from tests import factories
from tests.accounts.test_cities import (  # noqa: F401 (an autouse fixture)
    MATSUE_AREA,
    _host_map_after_the_rollback,
)

IZUMO_AREA = "POLYGON((132.60 35.25, 132.90 35.25, 132.90 35.45, 132.60 35.45, 132.60 35.25))"
IZUMO_HOST, MATSUE_HOST = "izumo.test", "matsue.test"
IZUMO_POINT, MATSUE_POINT = (132.755, 35.367), (133.05, 35.47)


@pytest.fixture
def hosts(settings):
    settings.ALLOWED_HOSTS = [IZUMO_HOST, MATSUE_HOST, "testserver"]


def _city(slug, name, name_en, code, phone, area, point, submit, category):
    plan = city_setup.city_check(
        slug=slug,
        name=name,
        name_en=name_en,
        prefecture="島根県",
        local_government_code=code,
        public_base_url=f"https://{slug}.test",
        phone=phone,
        manager_email=f"manager@{slug}.test",
        area_text=area,
    )
    row, organisation, manager = city_setup.city_create(plan=plan)
    manager.set_password("pw-Machimori-2026")
    manager.save()
    road = factories.org(
        f"{slug}-doro", parent=organisation, name=f"{name}道路課", contact_email=f"doro@{slug}.test"
    )
    association = factories.org(
        f"{slug}-jichikai",
        kind="association",
        name=f"{name}自治会",
        contact_email=f"jichikai@{slug}.test",
        city=row,
    )
    contractor = factories.org(
        f"{slug}-densetsu", kind="contractor", parent=road, name=f"{name}電設"
    )
    inspector = factories.user(road, "inspector", username=f"inspector@{slug}")
    asset = factories.asset(owner=road, lon=point[0], lat=point[1], ledger_id=f"{slug}-BH-1")
    label = label_services.label_issue(asset=asset, acting_user=policy.SYSTEM)
    report = submit(
        category,
        asset=asset,
        place=intake.Place(point=Point(*point, srid=4326), source="device", accuracy_m=8),
        email=f"resident@{slug}.test",
        consent=True,
    )
    return {
        "row": row,
        "city": organisation,
        "road": road,
        "association": association,
        "contractor": contractor,
        "manager": manager,
        "inspector": inspector,
        "asset": asset,
        "label": label,
        "report": report,
        "host": f"{slug}.test",
        "url": f"https://{slug}.test",
    }


@pytest.fixture
def izumo(hosts, catalogue, lamp_out, submit):
    return _city(
        "izumo", "出雲市", "Izumo City", "322032", "0853-21-2211", IZUMO_AREA, IZUMO_POINT,
        submit, lamp_out,
    )  # fmt: skip


@pytest.fixture
def matsue(hosts, catalogue, lamp_out, submit):
    return _city(
        "matsue", "松江市", "Matsue City", "322016", "0852-55-5555", MATSUE_AREA, MATSUE_POINT,
        submit, lamp_out,
    )  # fmt: skip


@pytest.fixture
def cities(izumo, matsue):
    return izumo, matsue


def superuser():
    return User.objects.create_superuser("root", "root@example.jp", "pw-Machimori-2026")
