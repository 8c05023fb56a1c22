"""Two cities on one deployment, each with its own LINE channel and report mailbox: 出雲市 at
izumo.test and 松江市 at matsue.test (tests/cities_staff/conftest.py), one LINE stand-in
that answers for both channels (and for the settings' channel, which a deployment with cities
must not use), and the test Dovecot, one folder set per city."""

import pytest

from tests.accounts.test_cities import _host_map_after_the_rollback  # noqa: F401 (autouse)
from tests.channels.line_standin import LineStandIn
from tests.channels.mailbox import imap_settings  # noqa: F401 (the fixture, found here)
from tests.cities_staff.conftest import cities, hosts, izumo, matsue  # noqa: F401 (fixtures)
from tests.reports.test_smtp import smtp_server  # noqa: F401 (the fixture, found here)

SECRETS = {"izumo": "izumo-channel-secret-0123456789", "matsue": "matsue-channel-secret-98765"}
TOKENS = {"izumo": "izumo-access-token", "matsue": "matsue-access-token"}
BASIC_IDS = {"izumo": "@izumo123", "matsue": "@matsue45"}
SETTINGS_SECRET, SETTINGS_TOKEN = "settings-channel-secret", "settings-access-token"
ADDRESSES = {"izumo": "report@izumo.test", "matsue": "report@matsue.test"}


@pytest.fixture
def standin(settings):
    """LINE, answering for Izumo's, Matsue's and the settings' channel alike; which token
    each request came with tells which channel sent it."""
    with LineStandIn(TOKENS["izumo"], other_tokens=(TOKENS["matsue"], SETTINGS_TOKEN)) as stand_in:
        settings.LINE_CHANNEL_SECRET = SETTINGS_SECRET
        settings.LINE_CHANNEL_ACCESS_TOKEN = SETTINGS_TOKEN
        settings.LINE_BOT_BASIC_ID = "@settings0"
        settings.LINE_API_URL = stand_in.url
        settings.LINE_API_DATA_URL = stand_in.url
        yield stand_in


def line_set_up(city: dict, **changes) -> None:
    row = city["row"]
    slug = row.slug
    row.line_channel_secret = SECRETS[slug]
    row.line_access_token = TOKENS[slug]
    row.line_basic_id = BASIC_IDS[slug]
    for name, value in changes.items():
        setattr(row, name, value)
    row.save()  # the host map of every process is read again


@pytest.fixture
def channels(cities, standin):  # noqa: F811 (the fixture imported above)
    """Both cities with their own LINE channel."""
    for city in cities:
        line_set_up(city)
    return cities
