"""Two cities on one deployment, each with its own organisation, asset, sticker and report:
出雲市 (322032) at izumo.test and 松江市 (322016) at matsue.test."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.gis.geos import Point

from accounts import city_setup, policy
from assets.models import FaultCategory
from qr_labels import services as label_services
from reports import intake
from tests import factories
from tests.accounts.test_cities import _host_map_after_the_rollback  # noqa: F401 (autouse)

IZUMO_AREA = "POLYGON((132.60 35.25, 132.90 35.25, 132.90 35.45, 132.60 35.45, 132.60 35.25))"
MATSUE_AREA = "POLYGON((132.95 35.40, 133.20 35.40, 133.20 35.55, 132.95 35.55, 132.95 35.40))"
IZUMO_POINT = (132.7550, 35.3670)
MATSUE_POINT = (133.0500, 35.4700)


def _city(slug, name, name_en, code, area, host, where):
    plan = city_setup.city_check(
        slug=slug,
        name=name,
        name_en=name_en,
        prefecture="島根県",
        local_government_code=code,
        public_base_url=f"https://{host}",
        hosts=[host],
        phone=f"0853-{code[:2]}-{code[2:]}",
        manager_email=f"doro@{host}",
        area_text=area,
        organisation_code=slug,
    )
    row, organisation, _manager = city_setup.city_create(plan=plan)
    asset = factories.asset(
        "security-light", owner=organisation, lon=where[0], lat=where[1],
        ledger_id=f"{slug.upper()}-0001", address=f"{name}1丁目",
    )  # fmt: skip
    label = label_services.label_issue(asset=asset, acting_user=policy.SYSTEM)
    lamp_out = FaultCategory.objects.get(code="lamp-out")
    outcome = intake.report_intake(
        channel="web",
        acting_user=AnonymousUser(),
        category=lamp_out,
        asset=asset,
        description=f"{name}の街灯が消えている",
        contact=intake.Contact(email=f"resident@{host}"),
    )
    return SimpleNamespace(
        row=row,
        host=host,
        org=organisation,
        asset=asset,
        label=label,
        report=outcome.report,
        receipt=outcome.receipt,
        point=Point(*where, srid=4326),
    )


@pytest.fixture
def cities(catalogue, settings):
    """A: 出雲市 at izumo.test; B: 松江市 at matsue.test."""
    settings.ALLOWED_HOSTS = ["izumo.test", "matsue.test", "testserver"]
    a = _city("izumo", "出雲市", "Izumo City", "322032", IZUMO_AREA, "izumo.test", IZUMO_POINT)
    b = _city("matsue", "松江市", "Matsue City", "322016", MATSUE_AREA, "matsue.test", MATSUE_POINT)
    return SimpleNamespace(a=a, b=b)
