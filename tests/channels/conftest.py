import pytest

from accounts import policy
from qr_labels import services as label_services
from tests import factories
from tests.channels.line_standin import LineStandIn
from tests.channels.mailbox import imap_settings  # noqa: F401  (the fixture, found here)
from tests.reports.test_smtp import smtp_server  # noqa: F401  (the fixture, found here)

SECRET = "test-channel-secret-0123456789abcdef"
TOKEN = "test-channel-access-token"


@pytest.fixture
def standin(settings):
    """The LINE platform, as a local stand-in, with the city's channel set up to reach it."""
    with LineStandIn(channel_access_token=TOKEN) as stand_in:
        settings.LINE_CHANNEL_SECRET = SECRET
        settings.LINE_CHANNEL_ACCESS_TOKEN = TOKEN
        settings.LINE_BOT_BASIC_ID = "@123abcde"
        settings.LINE_API_URL = stand_in.url
        settings.LINE_API_DATA_URL = stand_in.url
        yield stand_in


@pytest.fixture
def poles(catalogue, city):
    """Three security lights 20 m apart along a street, each with its sticker."""
    city["road"].contact_email = "doro@city.example"
    city["road"].save()
    lights = [
        factories.asset(
            "security-light",
            owner=city["road"],
            lon=132.75000 + i * 0.00022,
            lat=35.36000,
            ledger_id=f"BH-{i:04d}",
            address=f"今市町{i + 1}丁目",
        )
        for i in range(3)
    ]
    labels = [
        label_services.label_issue(asset=light, acting_user=policy.SYSTEM) for light in lights
    ]
    return list(zip(lights, labels, strict=True))
