"""Every setting read from the environment is parsed once at start: a value that cannot be
used stops `manage.py check` (and so migrate and the server's start) with a message naming
the setting, instead of turning into a 500 on the first request that needs it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.env import Rate

ROOT = Path(__file__).resolve().parent.parent

BAD_RATES = {
    "RATE_LIMIT_REPORTS_PER_ADDRESS": "60/0",
    "RATE_LIMIT_REPORTS_PER_SESSION": "2/-5",
    "RATE_LIMIT_REPORTS_PER_ASSET": "0/3600",
    "LOGIN_FAILURES_PER_USERNAME": "5 per 15min",
    "LOGIN_FAILURES_PER_ADDRESS": "30",
    "PASSWORD_RESETS_PER_ADDRESS": "five/3600",
    "PASSWORD_RESETS_PER_ACCOUNT": "3/1h",
    "OPEN311_RATE_LIMIT": "abc",
}
OTHER_BAD = {
    "PRIORITY_WEIGHTS": '{"school": 15,',
    "REPORT_CONTACT_RETENTION_DAYS": "-1",
    "PHOTO_MAX_BYTES": "lots",
    "PUBLIC_BASE_URL": "machimori.example.jp",
    "CACHE_URL": "http://127.0.0.1:6379/0",
    "MAP_TILE_URL": "https://tiles.example.jp/tile.png",
    "SERVICE_AREA": "POLYGON((1 2, 3",
    "DEBUG": "maybe",
}


def _run(code: list[str], **bad) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in BAD_RATES}
    env.update(bad)
    return subprocess.run(
        [sys.executable, *code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("text", "rate"),
    [("60/3600", Rate(60, 3600)), (" 5 / 900 ", Rate(5, 900)), ("1/1", Rate(1, 1))],
)
def test_a_rate_is_count_per_seconds(text, rate):
    assert Rate.parse(text) == rate and str(rate) == f"{rate.count}/{rate.seconds}"


@pytest.mark.parametrize("text", ["60/0", "0/60", "2/-5", "5 per 15min", "abc", "", "60", "1/1h"])
def test_a_rate_that_would_turn_a_limit_off_or_crash_is_refused(text):
    with pytest.raises(ValueError, match="count"):
        Rate.parse(text)


def test_the_check_names_every_unusable_setting():
    result = _run(["manage.py", "check"], **BAD_RATES, **OTHER_BAD)

    assert result.returncode != 0
    for name in (*BAD_RATES, *OTHER_BAD):
        assert name in result.stderr, name


@pytest.mark.parametrize(("name", "value"), list(BAD_RATES.items())[:3])
def test_one_bad_rate_alone_stops_the_check(name, value):
    result = _run(["manage.py", "check"], **{name: value})

    assert result.returncode != 0
    assert f"{name}={value!r} cannot be used" in result.stderr


def test_the_app_server_does_not_start_with_an_unusable_setting():
    result = _run(["-c", "import config.wsgi"], OPEN311_RATE_LIMIT="abc")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "OPEN311_RATE_LIMIT" in result.stderr


def test_good_settings_pass_the_check():
    result = _run(["manage.py", "check"], RATE_LIMIT_REPORTS_PER_ADDRESS="120/3600")

    assert result.returncode == 0, result.stderr
