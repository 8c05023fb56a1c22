"""What the planning tests share: the light type, and condition histories loaded into the
database as each run of a simulated history an asset of its own."""

import datetime
import uuid

import pytest
from django.utils import timezone

from assets.models import AssetType
from inspections.models import Inspection
from tests import factories

CODES = ["I", "II", "III", "IV"]


@pytest.fixture
def light_type(catalogue):
    return AssetType.objects.get(code="security-light")


@pytest.fixture
def load(city, light_type):
    """Put runs into the database: each run an asset of its own, inspected as the run says."""
    inspector = factories.user(city["road"], "inspector", username="tenken")
    start = timezone.make_aware(datetime.datetime(2011, 4, 1, 10))

    def _load(runs):
        rows = []
        for index, run in enumerate(runs):
            asset = factories.asset("security-light", owner=city["road"], ledger_id=f"S-{index}")
            when = start
            for position, grade in enumerate(run.grades):
                if position:
                    when += datetime.timedelta(days=round(run.gaps[position - 1] * 365.25))
                rows.append(_inspection(asset, inspector, city["road"], when, grade))
        Inspection.objects.bulk_create(rows)

    return _load


def _inspection(asset, inspector, organisation, when, grade):
    return Inspection(
        uuid=uuid.uuid4(),
        asset=asset,
        inspector=inspector,
        organization=organisation,
        kind="periodic",
        performed_at=when,
        overall_grade=CODES[grade],
        grade_rank=grade + 1,
    )
