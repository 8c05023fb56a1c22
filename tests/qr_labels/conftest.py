import pytest

from qr_labels import services
from tests import factories


@pytest.fixture
def light(catalogue, city):
    return factories.asset(
        "security-light", owner=city["road"], ledger_id="BH-0001", address="今市町1丁目"
    )


@pytest.fixture
def label(light):
    return services.label_issue(asset=light)
